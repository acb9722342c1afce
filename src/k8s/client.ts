// The one way the CLI talks to a cluster. client-node is used only for what it is
// good at (kubeconfig parsing and credentials: certs, tokens, exec plugins); every
// request goes through node:https here, so manifests are sent verbatim, errors are
// classified in one place, and watches get a deadline we own (kubernetes-client/javascript src/watch.ts has no timeout of its own).
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterAccessError, InputError } from '../errors.js';
import { httpError, type ClusterIdentity } from './api-error.js';
import { kubeconfigProblemMessage, withReason, type KubeconfigProblem } from './reasons.js';

export interface ConnectOptions {
  /** A kubeconfig file chosen by the caller; wins over KUBECONFIG and ~/.kube/config. */
  kubeconfig?: string;
  /** A context of the kubeconfig; otherwise its current context. */
  context?: string;
  /** Otherwise the context's namespace, then `default`. */
  namespace?: string;
  /** For tests: environment and home directory used to find the kubeconfig. */
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Objects are sent as JSON; strings and Buffers verbatim. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Socket idle timeout; default 30 s. */
  timeoutMs?: number;
  /** Force retries on or off; by default only idempotent requests (and SSA) retry. */
  retry?: boolean;
}

export interface CheckedRequestOptions extends RequestOptions {
  /** Statuses returned to the caller instead of thrown (e.g. [404]). */
  okStatuses?: number[];
  /** Names the object in error messages, e.g. `Deployment/prod/web`. */
  what?: string;
}

export interface KubeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = unknown>(): T;
}

export interface StreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  abort(): void;
}

export interface StreamOptions {
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
  /** Abort when no byte arrives for this long (dead connections otherwise hang). */
  idleTimeoutMs?: number;
}

export interface Cluster extends ClusterIdentity {
  readonly contextName: string;
  readonly server: string;
  readonly defaultNamespace: string;
  readonly kc: KubeConfig;
  /** True only when the kubeconfig itself says insecure-skip-tls-verify; the CLI should warn. */
  readonly insecureSkipTlsVerify: boolean;
  /** Raw request: any HTTP status comes back; transport failures throw ClusterAccessError. */
  request(method: string, path: string, opts?: RequestOptions): Promise<KubeResponse>;
  /** Like request, but a non-2xx status (not in okStatuses) throws the classified error. */
  requestOk(method: string, path: string, opts?: CheckedRequestOptions): Promise<KubeResponse>;
  /** Streaming GET (watch, logs). Never retried. The caller consumes or aborts the body. */
  stream(path: string, opts?: StreamOptions): Promise<StreamResponse>;
  /** Frees keep-alive sockets. */
  close(): void;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const MAX_TRIES = 5;
/**
 * Once the server has answered in this run, a refused or reset connection is most likely
 * an API server restart (control-plane upgrade, crash): idempotent requests keep retrying
 * for this long. Before the first answer, failing fast says "unreachable" at once.
 */
const RETRY_AFTER_CONTACT_MS = 20_000;

/** No answer at all (refused, reset, timed out, no route): the request may be retried. */
export class ApiUnreachableError extends ClusterAccessError {}
const APPLY_PATCH = 'application/apply-patch+yaml';

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? resolve(home, p.slice(2)) : resolve(p);
}

/** `origin` names the source in messages; `given` is the file the caller chose, if it did. */
type Source = { kind: 'files'; files: string[]; origin: string; given?: string } | { kind: 'in-cluster' };

/** Where the kubeconfig comes from, in kubectl's precedence. Exported for unit tests. */
export function findKubeconfigSource(opts: ConnectOptions): Source {
  const env = opts.env ?? process.env;
  const home = opts.homeDir ?? homedir();
  if (opts.kubeconfig) {
    const file = expandHome(opts.kubeconfig, home);
    if (!existsSync(file)) throw withReason(new InputError(`kubeconfig file ${file} does not exist`), { reason: 'kubeconfigMissing', file });
    return { kind: 'files', files: [file], origin: `file ${file}`, given: file };
  }
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(delimiter).filter(Boolean).map((f) => expandHome(f, home));
    const files = listed.filter((f) => existsSync(f));
    if (files.length === 0) {
      const err = new ClusterAccessError(`no kubeconfig found: KUBECONFIG=${env.KUBECONFIG} names no existing file`, 'fix KUBECONFIG or name a kubeconfig file');
      throw withReason(err, { reason: 'noKubeconfig', KUBECONFIG: env.KUBECONFIG });
    }
    return { kind: 'files', files, origin: `KUBECONFIG ${files.join(delimiter)}` };
  }
  const def = resolve(home, '.kube', 'config');
  if (existsSync(def)) return { kind: 'files', files: [def], origin: def };
  if (env.KUBERNETES_SERVICE_HOST && existsSync(`${SA_DIR}/token`)) return { kind: 'in-cluster' };
  const err = new ClusterAccessError(
    'no kubeconfig found: none named, no KUBECONFIG, no ~/.kube/config, and not running in a cluster',
    'name a kubeconfig file or set KUBECONFIG',
  );
  throw withReason(err, { reason: 'noKubeconfig' });
}

/**
 * Loads the kubeconfig and selects the context. No network I/O: `preflight`
 * checks reachability. Refuses where client-node would silently fall back to
 * http://localhost:8080.
 */
export async function connect(opts: ConnectOptions = {}): Promise<Cluster> {
  const source = findKubeconfigSource(opts);
  // Only the KubeConfig module: the package index also pulls in the generated API
  // clients (a 14 MB bundle chunk, ~100 ms to parse on every run) that we never call.
  const k8s = await import('@kubernetes/client-node/dist/config.js');
  const kc = new k8s.KubeConfig();
  const origin = source.kind === 'in-cluster' ? 'in-cluster service account' : source.origin;
  // Bad input (exit 2) when the caller chose the file or the context; a broken environment otherwise (exit 3).
  const problem = (Cls: typeof InputError | typeof ClusterAccessError, p: KubeconfigProblem, hint?: string) =>
    withReason(new Cls(kubeconfigProblemMessage(p, origin), hint), { reason: 'kubeconfigProblem', problem: p, origin, ...(source.kind === 'files' && source.given !== undefined && { file: source.given }) });
  if (source.kind === 'in-cluster') {
    kc.loadFromCluster();
  } else {
    try {
      kc.loadFromFile(source.files[0]!);
      for (const f of source.files.slice(1)) {
        const more = new k8s.KubeConfig();
        more.loadFromFile(f);
        kc.mergeConfig(more, true);
      }
    } catch (e) {
      // client-node reports an empty file as "Cannot read properties of undefined".
      const empty = source.files.some((f) => { try { return readFileSync(f, 'utf8').trim() === ''; } catch { return false; } });
      throw problem(InputError, { kind: 'unreadable', detail: empty ? 'the file is empty' : (e as Error).message.split('\n')[0]! });
    }
  }

  const contexts = kc.getContexts().map((c) => c.name);
  if (contexts.length === 0) throw problem(ClusterAccessError, { kind: 'noContexts' }, 'create one with kubectl config set-context');
  if (opts.context !== undefined) {
    if (!contexts.includes(opts.context)) throw problem(InputError, { kind: 'unknownContext', context: opts.context, available: contexts });
    kc.setCurrentContext(opts.context);
  } else if (!kc.getCurrentContext() || !contexts.includes(kc.getCurrentContext())) {
    throw problem(InputError, { kind: 'noCurrentContext', available: contexts });
  }
  const contextName = kc.getCurrentContext();
  const ctx = kc.getContextObject(contextName);
  const cl = kc.getCurrentCluster();
  if (!cl || !cl.server) throw problem(ClusterAccessError, { kind: 'noServer', context: contextName, cluster: ctx?.cluster ?? '?' });
  if (!kc.getCurrentUser()) throw problem(ClusterAccessError, { kind: 'noUser', context: contextName, user: ctx?.user ?? '?' });
  let defaultNamespace = opts.namespace ?? ctx?.namespace;
  if (!defaultNamespace && source.kind === 'in-cluster') {
    try {
      defaultNamespace = readFileSync(`${SA_DIR}/namespace`, 'utf8').trim();
    } catch {
      /* fall through to default */
    }
  }
  return new HttpsCluster(kc, contextName, cl.server.replace(/\/+$/, ''), defaultNamespace || 'default', cl.skipTLSVerify === true, cl.proxyUrl !== undefined);
}

interface TransportError extends Error {
  code?: string;
}

const RETRY_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'VH_TIMEOUT']);
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL|ALTNAME|DEPTH_ZERO/;

export function isIdempotent(method: string, contentType: string | undefined): boolean {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD' || m === 'PUT' || m === 'DELETE' || m === 'OPTIONS') return true;
  // Server-side apply is declarative: sending the same intent twice is safe.
  return m === 'PATCH' && contentType === APPLY_PATCH;
}

/**
 * 429 and gateway errors are transient. A 500 is retried only for reads: for writes
 * it is usually deterministic (SSA answers 500 "field not declared in schema").
 */
export function isRetriableStatus(status: number, method = 'GET'): boolean {
  if (status === 500) return method.toUpperCase() === 'GET';
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/** Exponential backoff with jitter, capped; honours Retry-After (seconds) up to 5 s. */
export function backoffMs(attempt: number, retryAfter?: string | string[]): number {
  const ra = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  if (Number.isFinite(ra) && ra > 0) return Math.min(ra * 1000, 5000);
  const base = Math.min(100 * 2 ** attempt, 2000);
  return base + Math.floor(Math.random() * base * 0.2);
}

/** A sleep that an AbortSignal cuts short (rejecting with the signal's reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res, rej) => {
    if (signal?.aborted) return rej(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      res();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      rej(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) p.append(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

class HttpsCluster implements Cluster {
  private agent: http.Agent | undefined;
  /** The server has answered at least once in this run (see RETRY_AFTER_CONTACT_MS). */
  private answered = false;

  constructor(
    readonly kc: KubeConfig,
    readonly contextName: string,
    readonly server: string,
    readonly defaultNamespace: string,
    readonly insecureSkipTlsVerify: boolean,
    private readonly viaProxy: boolean,
  ) {}

  /** Request options with fresh credentials (tokens may rotate) and our keep-alive agent. */
  private async options(method: string, headers: Record<string, string>): Promise<https.RequestOptions> {
    const o: https.RequestOptions = { method, headers: { ...headers } };
    try {
      await this.kc.applyToHTTPSOptions(o);
    } catch (e) {
      throw new ClusterAccessError(
        `cannot get credentials for context "${this.contextName}" (server ${this.server}): ${(e as Error).message.split('\n')[0]}`,
      );
    }
    // A proxied cluster keeps client-node's proxy agent; otherwise reuse one keep-alive agent
    // built from the same TLS material (client-node makes a new agent per call).
    if (!this.viaProxy) {
      if (!this.agent) {
        this.agent = this.server.startsWith('http:')
          ? new http.Agent({ keepAlive: true })
          : new https.Agent({
              keepAlive: true,
              ...(o.ca !== undefined && { ca: o.ca }),
              ...(o.cert !== undefined && { cert: o.cert }),
              ...(o.key !== undefined && { key: o.key }),
              ...(o.pfx !== undefined && { pfx: o.pfx }),
              ...(o.passphrase !== undefined && { passphrase: o.passphrase }),
              ...(o.servername !== undefined && { servername: o.servername }),
              ...(o.rejectUnauthorized !== undefined && { rejectUnauthorized: o.rejectUnauthorized }),
            });
      }
      o.agent = this.agent;
    }
    return o;
  }

  private transportError(e: TransportError, timeoutMs: number): ClusterAccessError {
    const where = `the API server at ${this.server} (context "${this.contextName}")`;
    const code = e.code ?? '';
    if (code === 'ECONNREFUSED') return new ApiUnreachableError(`cannot reach ${where}: connection refused`, 'is the cluster running and the kubeconfig current?');
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ApiUnreachableError(`cannot reach ${where}: host not found`);
    if (code === 'VH_TIMEOUT' || code === 'ETIMEDOUT') return new ApiUnreachableError(`cannot reach ${where}: no response within ${Math.round(timeoutMs / 1000)} s`);
    if (TLS_CODE.test(code)) {
      return new ClusterAccessError(
        `TLS verification of ${where} failed: ${e.message}`,
        'check certificate-authority(-data) in the kubeconfig; vh-deploy never disables TLS verification',
      );
    }
    return new ApiUnreachableError(`cannot reach ${where}: ${e.message}${code ? ` (${code})` : ''}`);
  }

  private once(method: string, url: URL, opts: https.RequestOptions, body: Buffer | undefined, timeoutMs: number, signal?: AbortSignal): Promise<KubeResponse> {
    return new Promise((res, rej) => {
      const lib = url.protocol === 'http:' ? http : https;
      const req = lib.request(url, { ...opts, ...(signal && { signal }) }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('error', rej);
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          res({ status: r.statusCode ?? 0, headers: r.headers, text, json: <T>() => JSON.parse(text) as T });
        });
      });
      req.setTimeout(timeoutMs, () => {
        const err: TransportError = new Error(`no response within ${timeoutMs} ms`);
        err.code = 'VH_TIMEOUT';
        req.destroy(err);
      });
      req.on('error', rej);
      req.end(body);
    });
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<KubeResponse> {
    const url = new URL(this.server + path + buildQuery(opts.query));
    let body: Buffer | undefined;
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json', 'User-Agent': 'vh-deploy' };
    if (opts.body !== undefined) {
      body = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    const retry = opts.retry ?? isIdempotent(method, opts.contentType);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const o = await this.options(method, headers);
      let res: KubeResponse;
      try {
        res = await this.once(method, url, o, body, timeoutMs, opts.signal);
      } catch (e) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        const err = e as TransportError;
        const more = attempt + 1 < MAX_TRIES || (this.answered && Date.now() - started < RETRY_AFTER_CONTACT_MS);
        if (retry && more && RETRY_CODES.has(err.code ?? '')) {
          await sleep(backoffMs(attempt), opts.signal);
          continue;
        }
        throw this.transportError(err, timeoutMs);
      }
      this.answered = true;
      if (retry && attempt + 1 < MAX_TRIES && isRetriableStatus(res.status, method)) {
        await sleep(backoffMs(attempt, res.headers['retry-after']), opts.signal);
        continue;
      }
      return res;
    }
  }

  async requestOk(method: string, path: string, opts: CheckedRequestOptions = {}): Promise<KubeResponse> {
    const res = await this.request(method, path, opts);
    if ((res.status >= 200 && res.status < 300) || opts.okStatuses?.includes(res.status)) return res;
    throw httpError(this, method, path, opts.query ?? {}, res.status, res.text, opts.what);
  }

  async stream(path: string, opts: StreamOptions = {}): Promise<StreamResponse> {
    const url = new URL(this.server + path + buildQuery(opts.query));
    const o = await this.options('GET', { Accept: 'application/json', 'User-Agent': 'vh-deploy' });
    const idle = opts.idleTimeoutMs ?? 30_000;
    return new Promise((res, rej) => {
      const lib = url.protocol === 'http:' ? http : https;
      const req = lib.request(url, { ...o, ...(opts.signal && { signal: opts.signal }) }, (r) => {
        res({ status: r.statusCode ?? 0, headers: r.headers, body: r, abort: () => req.destroy() });
      });
      req.setTimeout(idle, () => {
        const err: TransportError = new Error(`no data within ${idle} ms`);
        err.code = 'VH_TIMEOUT';
        req.destroy(err);
      });
      req.on('error', (e: TransportError) => {
        if (opts.signal?.aborted) rej(opts.signal.reason);
        else rej(this.transportError(e, idle));
      });
      req.end();
    });
  }

  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}
