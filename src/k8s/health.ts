// HTTP health checks through the API server's service proxy (DESIGN.md rule 6), so
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

/** Builds the proxy path without encoding the slashes of `path`. Pure. */
export function serviceProxyPath(o: Pick<ProxyGetOptions, 'namespace' | 'service' | 'port' | 'path' | 'scheme'>): string {
  const svc = [...(o.scheme ? [o.scheme] : []), o.service, String(o.port)].map(encodeURIComponent).join(':');
  const q = o.path.indexOf('?');
  const rawPath = (q >= 0 ? o.path.slice(0, q) : o.path).replace(/^\/+/, '');
  const query = q >= 0 ? o.path.slice(q) : '';
  // encodeURI leaves '/' alone and escapes only what cannot appear in a URL path.
  return `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/services/${svc}/proxy/${encodeURI(rawPath)}${query}`;
}

export async function proxyGet(cluster: Cluster, o: ProxyGetOptions): Promise<ProxyResponse> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new Error('timeout')), timeoutMs);
  const onAbort = () => ctl.abort(o.signal!.reason);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const started = performance.now();
  try {
    const res = await cluster.request('GET', serviceProxyPath(o), {
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
      // The API server answered for the proxy: no endpoints, or RBAC on services/proxy.
      if (res.status === 401 || (res.status === 403 && /services\/proxy|services "/.test(st.message ?? ''))) {
        throw new ClusterAccessError(`forbidden: get services/proxy in ${o.namespace} (context "${cluster.contextName}"): ${st.message ?? ''}`);
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
