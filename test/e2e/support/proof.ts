// Helpers for the proof suites (test/unit/proof-*.test.ts, test/e2e/proof-*.test.ts):
// a CLI process that can be signalled and watched line by line, fault injection through
// test/cluster/fault.sh, secret-leak detection in every encoding, and object snapshots.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BIN, ROOT, type CliResult } from './cli.js';

export interface RunningCli {
  child: ChildProcess;
  /** Resolves with the exit code and output once the process has exited. */
  done: Promise<CliResult>;
  /** Resolves when a stderr or stdout line matches (rejects if the process exits first). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  out(): string;
  err(): string;
}

/** Starts the built CLI like runCli does, but hands back the process while it runs. */
export function startCli(args: string[], o: { kubeconfig?: string; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): RunningCli {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', CI: 'true', ...(o.kubeconfig && { KUBECONFIG: o.kubeconfig }), ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(o.cwd && { cwd: o.cwd }),
  });
  let out = '';
  let err = '';
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void; reject: (e: Error) => void }> = [];
  const check = () => {
    for (const w of [...waiters]) {
      const line = `${err}\n${out}`.split('\n').find((l) => w.re.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    check();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    check();
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vh-deploy ${args.join(' ')} did not finish within ${o.timeoutMs ?? 120_000} ms\nstdout: ${out}\nstderr: ${err}`));
    }, o.timeoutMs ?? 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const w of waiters.splice(0)) w.reject(new Error(`process exited (code ${code}, signal ${signal}) before a line matched ${w.re}\nstderr: ${err}`));
      resolve({ code, out, err, ms: Date.now() - started });
    });
  });
  return {
    child,
    done,
    out: () => out,
    err: () => err,
    waitForLine: (re, timeoutMs = 60_000) =>
      new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no line matched ${re} within ${timeoutMs} ms\nstderr: ${err}`)), timeoutMs);
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
          reject: (e) => {
            clearTimeout(t);
            reject(e);
          },
        });
        check();
      }),
  };
}

/** test/cluster/fault.sh ACTION NAME [...]: stop/start/restart a control-plane process. */
export function fault(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(ROOT, 'test/cluster/fault.sh'), ...args], { timeout: 90_000 }, (e, stdout, stderr) => {
      if (e) reject(new Error(`fault.sh ${args.join(' ')} failed: ${e.message}\n${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

/**
 * Every form in which a secret could leak into text: raw, base64 (at each of the three
 * alignments it can have inside a longer base64 string), base64url, URL-encoded, and
 * JSON-escaped.
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.from('\0'.repeat(pad) + secret).toString('base64');
    // Drop the characters that depend on the padding bytes or on what follows.
    const start = pad === 0 ? 0 : pad === 1 ? 2 : 3;
    const core = b64.slice(start, b64.length - 4);
    if (core.length >= 8) {
      forms.add(core);
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  forms.add(Buffer.from(secret).toString('base64'));
  return [...forms].filter((f) => f.length >= 6);
}

/** Names each secret (by label) found in `text` in any form; [] when clean. */
export function leaks(text: string, secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [label, value] of Object.entries(secrets)) {
    for (const form of secretForms(value)) {
      if (text.includes(form)) {
        found.push(`${label} (as ${form === value ? 'raw text' : JSON.stringify(form)})`);
        break;
      }
    }
  }
  // Also decode every base64-looking token and gzip payload: a secret must not hide in them.
  for (const token of text.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []) {
    let decoded: Buffer;
    try {
      decoded = Buffer.from(token.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    } catch {
      continue;
    }
    let plain = decoded.toString('utf8');
    if (decoded[0] === 0x1f && decoded[1] === 0x8b) {
      try {
        plain = gunzipSync(decoded).toString('utf8');
      } catch {
        /* not gzip after all */
      }
    }
    for (const [label, value] of Object.entries(secrets)) if (plain.includes(value)) found.push(`${label} (inside base64 token ${token.slice(0, 20)}…)`);
  }
  return [...new Set(found)];
}

/** Files under `dir` (recursively), with their mode and content. */
export function filesUnder(dir: string): Array<{ path: string; mode: number; content: Buffer }> {
  const out: Array<{ path: string; mode: number; content: Buffer }> = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const name of entries) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push({ path: p, mode: st.mode & 0o777, content: readFileSync(p) });
    }
  };
  walk(dir);
  return out;
}

/** The first stderr line that starts with `error: ` (the one-line message of rule 1/8). */
export function errorLine(stderr: string): string | undefined {
  return stderr.split('\n').find((l) => l.startsWith('error: '));
}

/** A Node stack frame (`    at fn (file:line:col)`) anywhere in the text. */
export const STACK_FRAME = /^\s+at .+(\(|:\d+:\d+)/m;

/**
 * A PATCH with a real patch content type (apiRequest sends application/json), e.g. a
 * merge patch by another field manager: `{ fieldManager: 'kubectl-edit' }`.
 */
export async function apiPatch(
  kc: import('@kubernetes/client-node').KubeConfig,
  path: string,
  body: unknown,
  o: { contentType?: string; fieldManager?: string; force?: boolean } = {},
): Promise<{ status: number; body: string }> {
  const https = await import('node:https');
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  if (o.fieldManager) url.searchParams.set('fieldManager', o.fieldManager);
  if (o.force) url.searchParams.set('force', 'true');
  const opts: import('node:https').RequestOptions = { method: 'PATCH', headers: {} };
  await kc.applyToHTTPSOptions(opts);
  opts.headers = { ...opts.headers, 'content-type': o.contentType ?? 'application/merge-patch+json' };
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ...opts, timeout: 15_000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('timeout', () => req.destroy(new Error(`PATCH ${path}: timed out`)));
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

/** A Node process warning on stderr (`(node:123) MaxListenersExceededWarning: …`): noise a user should never see. */
export const NODE_WARNING = /^\(node:\d+\) .*Warning/m;
