// HTTP health checks through the API server's service proxy (docs/architecture.md rule 6), so
// no kubectl, port-forward, exec or curl inside images is needed. The upstream's
// status is the result: a 503 from the app is data, not an exception.
import { ClusterAccessError } from '../errors.js';
import { parseStatus } from './api-error.js';
import type { Cluster } from './client.js';

export interface ProxyGetOptions {
  namespace: string;
  service: string;
  /** Port number or name. */
  port: number | string;
  /** `/health`, `/_readyz?role=web`, `api/v1/x`: slashes and query are kept as given. */
  path: string;
  /** `https` when the service speaks TLS. */
  scheme?: 'http' | 'https';
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ProxyResponse {
  /** Upstream HTTP status; 0 when no answer came within the timeout. */
  status: number;
  body: string;
  ms: number;
  contentType?: string;
  /** Set when the API server itself answered (e.g. "no endpoints available for service"). */
  proxyError?: string;
  /** Set when the status is 0. */
  error?: string;
}

/** `/a/b?x=1` → `a/b?x=1` with only what a URL path cannot hold escaped ('/' kept). */
function proxySuffix(path: string): string {
  const q = path.indexOf('?');
  const rawPath = (q >= 0 ? path.slice(0, q) : path).replace(/^\/+/, '');
  return `${encodeURI(rawPath)}${q >= 0 ? path.slice(q) : ''}`;
}

/** Builds the service proxy path without encoding the slashes of `path`. Pure. */
export function serviceProxyPath(o: Pick<ProxyGetOptions, 'namespace' | 'service' | 'port' | 'path' | 'scheme'>): string {
  const svc = [...(o.scheme ? [o.scheme] : []), o.service, String(o.port)].map(encodeURIComponent).join(':');
  return `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/services/${svc}/proxy/${proxySuffix(o.path)}`;
}

/** The pod proxy path: one pod, not whichever one the Service picks. Pure. */
export function podProxyPath(o: { namespace: string; pod: string; port: number | string; path: string }): string {
  return `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(`${o.pod}:${o.port}`)}/proxy/${proxySuffix(o.path)}`;
}

export function proxyGet(cluster: Cluster, o: ProxyGetOptions): Promise<ProxyResponse> {
  return proxyRequest(cluster, serviceProxyPath(o), 'services/proxy', o);
}

/** GET through the API server's pod proxy (per-pod health in `verify`). */
export function podProxyGet(cluster: Cluster, o: { namespace: string; pod: string; port: number; path: string; timeoutMs?: number; signal?: AbortSignal }): Promise<ProxyResponse> {
  return proxyRequest(cluster, podProxyPath(o), 'pods/proxy', o);
}

async function proxyRequest(
  cluster: Cluster,
  path: string,
  resource: 'services/proxy' | 'pods/proxy',
  o: { namespace: string; timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
): Promise<ProxyResponse> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new Error('timeout')), timeoutMs);
  const onAbort = () => ctl.abort(o.signal!.reason);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const started = performance.now();
  try {
    const res = await cluster.request('GET', path, {
      accept: '*/*',
      retry: false,
      signal: ctl.signal,
      timeoutMs: timeoutMs + 5_000,
    });
    const ms = Math.round(performance.now() - started);
    const out: ProxyResponse = { status: res.status, body: res.text, ms };
    const ct = res.headers['content-type'];
    if (ct) out.contentType = ct;
    const st = parseStatus(res.text);
    if (st && st.code === res.status) {
      // The API server answered for the proxy: no endpoints, or RBAC on the proxy subresource.
      const kind = resource.split('/')[0]!;
      if (res.status === 401 || (res.status === 403 && new RegExp(`${resource}|${kind} "`).test(st.message ?? ''))) {
        throw new ClusterAccessError(`forbidden: get ${resource} in ${o.namespace} (context "${cluster.contextName}"): ${st.message ?? ''}`);
      }
      out.proxyError = st.message ?? st.reason ?? '';
    }
    return out;
  } catch (e) {
    if (ctl.signal.aborted && !o.signal?.aborted) {
      return { status: 0, body: '', ms: Math.round(performance.now() - started), error: `no answer within ${timeoutMs} ms` };
    }
    throw e;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}
