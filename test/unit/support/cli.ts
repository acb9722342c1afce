// The CLI as a user runs it: a real process (bin/vh-deploy.js, so dist/ must be built),
// real argv and env, no terminal, stdin empty.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = join(ROOT, 'bin/vh-deploy.js');

/** A runner whose processes see only PATH, CI=true, HOME=`home` and the env given per run. */
export function cliRunner(home: string) {
  return (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      encoding: 'utf8',
      input: '',
      env: { PATH: process.env.PATH!, HOME: home, CI: 'true', ...env },
      timeout: 20_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
}
