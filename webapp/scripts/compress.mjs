// Precompressed copies of the built files (name.gz, name.br): the engine
// serves the one the browser accepts (api/web), so nothing is compressed
// per request.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url);
const files = ['index.html', ...readdirSync(new URL('assets/', dist)).map((f) => `assets/${f}`)];
for (const f of files) {
  if (!/\.(js|css|html|svg|json)$/.test(f)) continue;
  const body = readFileSync(new URL(f, dist));
  writeFileSync(new URL(`${f}.gz`, dist), gzipSync(body, { level: 9 }));
  writeFileSync(new URL(`${f}.br`, dist), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
}
