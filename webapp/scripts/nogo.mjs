// Some npm packages ship Go files (flatted does). A go.mod at the top of
// node_modules makes it a module of its own, so the engine's `go build ./...`,
// `go vet ./...` and linters never see them. Runs after every npm install/ci.
import { existsSync, writeFileSync } from 'node:fs';

const dir = new URL('../node_modules/', import.meta.url);
if (existsSync(dir)) writeFileSync(new URL('go.mod', dir), 'module example.invalid/webapp-node-modules\n\ngo 1.22\n');
