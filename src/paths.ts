// Where the package lives, found from this module's own location: the same code runs
// from dist/ (tsc output, used by tests) and from dist/bundle/ (esbuild, used by bin/),
// at different depths below the package root.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('vh-deploy: cannot find its package root (package.json + templates/)');
    dir = up;
  }
}

export const PACKAGE_ROOT = findPackageRoot();
