// The vh-deploy version (package.json), recorded in revisions. Separate from cli.ts so
// the engine-facing command modules can use it without importing the program.
import { readFileSync } from 'node:fs';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
