// Runs the built CLI as a user would: a child process with argv, env and no stdin.
import { spawn, type ChildProcessByStdio, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = join(ROOT, 'bin/vh-deploy.js');

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

export function runCli(args: string[], o: { kubeconfig?: string; env?: Record<string, string>; timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', CI: 'true', ...(o.kubeconfig && { KUBECONFIG: o.kubeconfig }), ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid) o.onSpawn?.(child.pid);
  return collect(child, `vh-deploy ${args.join(' ')}`, o.timeoutMs ?? 120_000);
}

/** A child's exit code and output; killed, and an error naming `what`, after `timeoutMs`. */
export function collect(child: ChildProcessWithoutNullStreams | ChildProcessByStdio<null, Readable, Readable>, what: string, timeoutMs: number): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not finish within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out, err, ms: Date.now() - started });
    });
  });
}
