// Test-side client of the fake pod server's control channel (test/cluster/pod-server.mjs).
// It talks HTTP over a unix socket, so it never sends network traffic.
//
//   await setPodBehaviour('10.244.0.3', { path: '/ready', status: 503 });
//   await setPodBehaviour(ip, { path: '/metrics', metricsWithout: ['posthog_events_sent_total'] });
//   await resetPodBehaviour();
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PodBehaviour {
  /** Only this path (e.g. '/ready'); default: every path. */
  path?: string;
  /** Only this port (e.g. 8080); default: every port. */
  port?: number;
  /** HTTP status to answer with (default: 200, or 404 for unknown paths). */
  status?: number;
  /** Body: a string is sent as text/plain, anything else as JSON. Default: the normal body. */
  body?: unknown;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** For /metrics: leave out these metric families (prefix match, e.g. 'posthog_events_sent_total'). */
  metricsWithout?: string[];
  /** Answer only after this many milliseconds (max 120000). */
  delayMs?: number;
}

export interface PodRequest {
  time: string;
  podIP: string;
  port: number;
  method: string;
  path: string;
  status: number;
}

/** The control socket: $VH_E2E_POD_SERVER_SOCKET, else the one in .cluster/cluster.json. */
export function podServerSocket(): string {
  if (process.env.VH_E2E_POD_SERVER_SOCKET) return process.env.VH_E2E_POD_SERVER_SOCKET;
  const stateDir =
    process.env.VH_E2E_STATE_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.cluster');
  try {
    return (JSON.parse(readFileSync(path.join(stateDir, 'cluster.json'), 'utf8')) as { podServerSocket: string })
      .podServerSocket;
  } catch {
    throw new Error(`e2e cluster is not running (no ${stateDir}/cluster.json); start it with npm run cluster:up`);
  }
}

function call<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = http.request(
      {
        socketPath: podServerSocket(),
        path: urlPath,
        method,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
        timeout: 10_000,
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 300) {
            reject(new Error(`pod-server control ${method} ${urlPath}: ${res.statusCode} ${data}`));
            return;
          }
          resolve(data ? (JSON.parse(data) as T) : (undefined as T));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`pod-server control ${method} ${urlPath}: timeout`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Override what the fake pod at podIP answers ('*' = every pod). The most specific rule wins. */
export async function setPodBehaviour(podIP: string, behaviour: PodBehaviour): Promise<void> {
  await call('POST', '/behaviours', { podIP, ...behaviour });
}

/** Remove every override: all pods answer with the defaults again. */
export async function resetPodBehaviour(): Promise<void> {
  await call('DELETE', '/behaviours');
}

/** Requests the fake pods received (oldest first), optionally filtered. */
export async function getPodRequests(filter: { podIP?: string; port?: number; path?: string } = {}): Promise<PodRequest[]> {
  const q = new URLSearchParams();
  if (filter.podIP) q.set('podIP', filter.podIP);
  if (filter.port) q.set('port', String(filter.port));
  if (filter.path) q.set('path', filter.path);
  return call<PodRequest[]>('GET', `/requests?${q.toString()}`);
}

export async function clearPodRequests(): Promise<void> {
  await call('DELETE', '/requests');
}
