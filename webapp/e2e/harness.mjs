// Harness of the browser tests: a real wf-engine (bin/wf-engine, built by
// the Makefile) on 127.0.0.1 with a fresh SQLite folder, the test OIDC
// issuer, Debian's chromium driven by playwright-core, and axe-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, '..', '..');
export const outDir = join(here, 'out');
const require = createRequire(import.meta.url);

/** The chromium the tests drive: Debian's package, never a downloaded browser. */
export const chromiumPath = process.env.WF_E2E_CHROMIUM ?? '/usr/bin/chromium';

export function fixture(name) {
  return readFileSync(join(here, 'fixtures', name));
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what, fn, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}
export { waitFor };

/** hashPassword asks the engine for a bcrypt hash (cost 10, the least it takes). */
export function hashPassword(password) {
  return execFileSync(join(repo, 'bin', 'wf-engine'), ['user', 'hash', '--cost', '10'], { input: `${password}\n` }).toString().trim();
}

/**
 * engineEnv is this process's environment without its WF_* variables: the
 * engine refuses WF_* variables it does not know (CI sets WF_TEST_*), and a
 * test's engine takes its configuration from the test alone.
 */
function engineEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WF_')));
}

/**
 * startEngine runs bin/wf-engine on a free loopback port with a fresh data
 * folder; args and env add configuration. stop() ends it and removes the folder.
 */
export async function startEngine({ args = [], env = {}, config } = {}) {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'wf-e2e-'));
  const extra = [...args];
  if (config) {
    const file = join(data, 'config.yaml');
    writeFileSync(file, config, { mode: 0o600 });
    extra.push('--config', file);
  }
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(
    join(repo, 'bin', 'wf-engine'),
    ['--http.address', `127.0.0.1:${port}`, '--database.data_dir', join(data, 'db'), '--log.level', 'warn', ...extra],
    { env: { ...engineEnv(), ...env }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  let exited = false;
  proc.on('exit', () => {
    exited = true;
  });
  await waitFor('the engine to be ready', async () => {
    if (exited) throw new Error('wf-engine exited');
    const r = await fetch(`${url}/readyz`);
    return r.ok;
  });
  return {
    url,
    async stop() {
      if (!exited) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await done;
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** startIssuer runs the test OIDC issuer (api/auth/authtest/testissuer, built into bin/). */
export async function startIssuer(args) {
  const proc = spawn(join(repo, 'bin', 'testissuer'), args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl).trim());
    });
    proc.on('exit', (code) => reject(new Error(`testissuer exited with ${code}`)));
  });
  return {
    url,
    async stop() {
      const done = new Promise((r) => proc.once('exit', r));
      proc.stdin.end();
      proc.kill('SIGTERM');
      await done;
    },
  };
}

/** Client is a small REST client for what the tests set up through the API. */
export class Client {
  constructor(base, headers = {}) {
    this.base = base;
    this.headers = headers;
  }

  async call(method, path, body) {
    const r = await fetch(this.base + path, {
      method,
      headers: { ...this.headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  async deploy(...names) {
    const form = new FormData();
    for (const n of names) form.append('resources', new Blob([fixture(n)]), n);
    const r = await fetch(`${this.base}/v2/deployments`, { method: 'POST', headers: this.headers, body: form });
    const text = await r.text();
    if (!r.ok) throw new Error(`deploy ${names.join(', ')}: ${r.status} ${text}`);
    return JSON.parse(text);
  }

  createInstance(processDefinitionId, variables = {}) {
    return this.call('POST', '/v2/process-instances', { processDefinitionId, variables });
  }

  async search(what, filter, limit = 100) {
    return this.call('POST', `/v2/${what}/search`, { filter, page: { limit } });
  }
}

/** launch starts chromium headless with a fresh context of the given size. */
export async function launch({ width = 1280, height = 800 } = {}) {
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  // Nothing but the engine itself may be asked for anything.
  const foreign = [];
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.protocol !== 'data:' && u.hostname !== '127.0.0.1') foreign.push(req.url());
  });
  return { browser, context, page, problems, foreign };
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe runs axe-core in the page (injected as a script, no network) and gives the serious and critical violations. */
export async function axe(page) {
  // The CSP forbids inline scripts for the app; evaluate runs over the
  // DevTools protocol, which the CSP does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** shot saves a screenshot under e2e/out (gitignored). */
export async function shot(page, name, { fullPage = false } = {}) {
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: join(outDir, `${name}.png`), fullPage });
}
