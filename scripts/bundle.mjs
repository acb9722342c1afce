#!/usr/bin/env node
// Bundles the CLI with esbuild into dist/bundle/ (what bin/vh-deploy.js runs).
// Why: @kubernetes/client-node is ~1,000 modules; loading them one by one costs
// ~300 ms more than one bundled chunk. Code splitting keeps every `await import()`
// a separate chunk, so `--help` still loads neither client-node, zod, inquirer nor ora.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src/main.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // CommonJS dependencies (commander, js-yaml's cjs parts, ...) call require().
  banner: { js: "import { createRequire as __vhCreateRequire } from 'node:module'; const require = __vhCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
