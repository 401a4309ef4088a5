// vite empties dist/ on build; go:embed in embed.go needs the tracked
// placeholder dist/.gitkeep to exist in a clean clone too.
import { writeFileSync } from 'node:fs';
writeFileSync(new URL('../dist/.gitkeep', import.meta.url), '');
