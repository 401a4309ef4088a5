// Budget of the Tasklist's first load: the gzipped JavaScript that
// index.html loads before any lazy chunk (the entry and its static imports)
// must stay under 300 KB, and bpmn-js must not be in it.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const limit = 300 * 1024;
const dist = new URL('../dist/', import.meta.url);
const html = readFileSync(new URL('index.html', dist), 'utf8');
const entry = /<script type="module"[^>]*src="\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
if (!entry) throw new Error('dist/index.html names no module script');

const seen = new Set();
const queue = [entry];
let total = 0;
const rows = [];
while (queue.length > 0) {
  const file = queue.shift();
  if (seen.has(file)) continue;
  seen.add(file);
  const code = readFileSync(new URL(file, dist), 'utf8');
  if (code.includes('djs-container') || code.includes('bpmn-js')) throw new Error(`${file} holds bpmn-js, which belongs to the inspector only`);
  const gz = gzipSync(code, { level: 9 }).length;
  total += gz;
  rows.push(`${file} ${(gz / 1024).toFixed(1)} KB`);
  // Static imports only: import"./x.js" and from"./x.js", never import("./x.js").
  for (const m of code.matchAll(/(?:\bimport|\bfrom)\s*["']\.\/([^"']+\.js)["']/g)) queue.push(`assets/${m[1]}`);
}
console.log(`Tasklist first load: ${(total / 1024).toFixed(1)} KB of gzipped JavaScript (budget 300 KB)\n  ${rows.join('\n  ')}`);
if (total > limit) {
  console.error('over budget');
  process.exit(1);
}
