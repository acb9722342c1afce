#!/usr/bin/env node
// Bundles the CLI with esbuild into dist/bundle/ (what bin/vh-deploy.js runs).
// Why: @kubernetes/client-node is ~1,000 modules; loading them one by one costs
// ~300 ms more than one bundled chunk. Code splitting keeps every `await import()`
// a separate chunk, so `--help` still loads neither client-node, zod, inquirer nor ora.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  metafile: true,
  entryPoints: [join(root, 'src/main.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Node 20 has no compile cache for ES modules: every run parses every chunk it loads,
  // and minified code parses faster (~25 ms less before the first API request).
  // The linked source maps keep stack traces readable.
  minify: true,
  // CommonJS dependencies (commander, js-yaml's cjs parts, ...) call require().
  banner: { js: "import { createRequire as __vhCreateRequire } from 'node:module'; const require = __vhCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [generatedApiIsPure()],
});
// Which chunk holds which package and imports which chunk, statically or lazily: the
// start-up test reads it (the minified chunks no longer name their sources).
writeFileSync(join(root, 'dist/bundle-meta.json'), JSON.stringify(result.metafile));

/**
 * client-node's KubeConfig module imports its generated API index (700+ model classes)
 * for one helper it uses only in makeApiClient(), which we never call. The package
 * does not declare `sideEffects: false`, so esbuild keeps all of it; the generated
 * files only declare classes, so we say so and let tree-shaking drop what is unused.
 */
function generatedApiIsPure() {
  return {
    name: 'client-node-generated-api-is-pure',
    setup(b) {
      // Relative imports inside client-node's dist/ (how config.js reaches gen/).
      b.onResolve({ filter: /^\./ }, async (args) => {
        if (args.pluginData?.vhPure || !/[\\/]@kubernetes[\\/]client-node[\\/]dist/.test(args.resolveDir)) return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { vhPure: true } });
        if (r.errors.length || !/[\\/]client-node[\\/]dist[\\/]gen[\\/]/.test(r.path)) return undefined;
        return { path: r.path, sideEffects: false };
      });
    },
  };
}
