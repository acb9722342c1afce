// Small helpers for e2e tests against the harness cluster (test/cluster/up.sh).
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { afterAll } from 'vitest';

export function loadKubeConfig(file: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

export interface RawResponse {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A raw request to the API server (e.g. a service or pod proxy path). Unlike the generated
 * clients it does not throw on non-2xx: the status is returned. Only ever talks to the
 * server of the kubeconfig (127.0.0.1 for the harness).
 */
export async function apiRequest(
  kc: k8s.KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 15_000,
): Promise<RawResponse> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const opts: https.RequestOptions = { method, headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  if (payload) opts.headers = { ...opts.headers, 'content-type': 'application/json' };
  return new Promise<RawResponse>((resolve, reject) => {
    const req = https.request(url, { ...opts, timeout: timeoutMs }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out after ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Polls `check` until it returns a value other than undefined/false, or throws after
 * timeoutMs with `what` and the last observed state in the message.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e) {
      last = e instanceof Error ? e.message : e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 500)})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A unique DNS-1123 name: `${prefix}-xxxxxx`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase();
}

/** Creates a uniquely named namespace; returns its name. */
export async function createNamespace(kc: k8s.KubeConfig, prefix: string): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const name = uniqueName(prefix);
  await core.createNamespace({ body: { metadata: { name, labels: { 'vh-e2e': 'true' } } } });
  return name;
}

/** Starts deleting namespaces (does not wait: kwok finishes pod deletion in the background). */
export async function deleteNamespaces(kc: k8s.KubeConfig, names: string[]): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await Promise.allSettled(names.map((name) => core.deleteNamespace({ name })));
}

/**
 * Unique namespace names for one test file (`nsName('e2e-mr')`); every name handed out
 * is deleted after the file's tests, whatever happened in them.
 */
export function namespaceNames(kc: k8s.KubeConfig): (prefix: string) => string {
  const created: string[] = [];
  afterAll(() => deleteNamespaces(kc, created));
  return (prefix) => {
    const n = uniqueName(prefix);
    created.push(n);
    return n;
  };
}
