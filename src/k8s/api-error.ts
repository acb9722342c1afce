// Turning API server failures into errors a user can act on. Kept pure (no I/O) so
// the wording is unit-tested: 401/403 are access problems (exit 3), everything else
// the server rejects is an operation failure (exit 1) carrying the server's Status.
import { ClusterAccessError, OperationError } from '../errors.js';
import { withReason } from './reasons.js';
import { arr, num, rec, strFields } from './types.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The parts of a `metav1.Status` the engine reads. */
export interface ApiStatus {
  code?: number;
  reason?: string;
  message?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
}

export function parseStatus(text: string): ApiStatus | undefined {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return undefined;
  }
  const o = rec(j);
  if (o.kind !== 'Status') return undefined;
  const d = rec(o.details);
  const causes: StatusCause[] = arr(d.causes).map((c) => strFields(rec(c), ['reason', 'message', 'field']));
  const code = num(o.code);
  return {
    ...(code !== undefined && { code }),
    ...strFields(o, ['reason', 'message']),
    details: { ...strFields(d, ['name', 'group', 'kind']), causes },
  };
}

/**
 * An API request the server rejected (other than 401/403). Extends OperationError
 * so an unhandled one still exits 1 with a readable message.
 */
export class KubeApiError extends OperationError {
  readonly status: number;
  readonly reason: string | undefined;
  readonly apiMessage: string;
  readonly causes: StatusCause[];
  constructor(
    message: string,
    init: { status: number; reason?: string | undefined; apiMessage: string; causes?: StatusCause[] },
    hint?: string,
  ) {
    super(message, hint);
    this.status = init.status;
    this.reason = init.reason;
    this.apiMessage = init.apiMessage;
    this.causes = init.causes ?? [];
  }
}

/**
 * The server refused the request (401 or 403). Distinct from a transport failure,
 * which is also a ClusterAccessError but worth retrying.
 */
export class KubeAccessError extends ClusterAccessError {
  constructor(
    readonly status: 401 | 403,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** What a request does in RBAC terms, derived from its method and path. */
export interface RequestDescription {
  verb: string;
  resource: string; // plural, with `/subresource` when present
  group: string;
  namespace?: string;
  name?: string;
}

/**
 * Parses `/api/v1/namespaces/ns/pods/name/log` or `/apis/apps/v1/deployments` into
 * RBAC terms, so a 403 can say "forbidden: patch deployments.apps in ns".
 */
export function describeRequest(method: string, path: string, query: Record<string, unknown> = {}): RequestDescription {
  const clean = path.split('?')[0] ?? path;
  const parts = clean.split('/').filter(Boolean).map(decodeURIComponentSafe);
  let group = '';
  let rest: string[];
  if (parts[0] === 'api') {
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    group = parts[1] ?? '';
    rest = parts.slice(3);
  } else {
    rest = parts;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = rest[0] ?? clean;
  const name = rest[1];
  const sub = rest[2];
  const m = method.toUpperCase();
  let verb: string;
  if (m === 'GET' || m === 'HEAD') verb = query.watch ? 'watch' : name === undefined ? 'list' : 'get';
  else if (m === 'POST') verb = 'create';
  else if (m === 'PUT') verb = 'update';
  else if (m === 'PATCH') verb = 'patch';
  else if (m === 'DELETE') verb = name === undefined ? 'deletecollection' : 'delete';
  else verb = m.toLowerCase();
  const d: RequestDescription = { verb, resource: sub ? `${resource}/${sub}` : resource, group };
  if (namespace !== undefined) d.namespace = namespace;
  if (name !== undefined) d.name = name;
  return d;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function formatResource(d: Pick<RequestDescription, 'resource' | 'group'>): string {
  return d.group ? `${d.resource}.${d.group}` : d.resource;
}

export interface ClusterIdentity {
  contextName: string;
  server: string;
}

/**
 * Maps a non-2xx response to the error the CLI shows. `what` names the object the
 * request was about (e.g. `Deployment/prod/web`) when the caller knows it.
 */
export function httpError(
  id: ClusterIdentity,
  method: string,
  path: string,
  query: Record<string, unknown>,
  status: number,
  text: string,
  what?: string,
): Error {
  const st = parseStatus(text);
  const d = describeRequest(method, path, query);
  const where = d.namespace ? ` in namespace ${d.namespace}` : ' (cluster-wide)';
  if (status === 401) {
    const err = new KubeAccessError(401,
      `unauthorised: the API server at ${id.server} rejected the credentials of context "${id.contextName}"`,
      'refresh the credentials in your kubeconfig (expired token or certificate?) or use another context',
    );
    return withReason(err, { reason: 'unauthorized' });
  }
  if (status === 403) {
    return new KubeAccessError(403,
      `forbidden: ${d.verb} ${formatResource(d)}${where} (context "${id.contextName}")${st?.message ? `: ${st.message}` : ''}`,
      'ask a cluster admin for RBAC rights on this verb and resource, or use a context that has them',
    );
  }
  const apiMessage = st?.message ?? (text.trim().slice(0, 300) || `HTTP ${status}`);
  const prefix = what ?? `${d.verb} ${formatResource(d)}${d.name ? ` ${d.name}` : ''}${d.namespace ? ` in ${d.namespace}` : ''}`;
  return new KubeApiError(`${prefix}: ${apiMessage}`, {
    status,
    reason: st?.reason,
    apiMessage,
    causes: st?.details?.causes ?? [],
  });
}

/**
 * Removes any value of a Secret manifest from a server message. The API server does
 * not normally echo data values, but validation messages quote "Invalid value"s, and
 * a message about a Secret must never carry one (docs/architecture.md rule 3).
 */
export function redactSecretValues(message: string, obj: { kind?: string; [k: string]: unknown } | undefined): string {
  if (!obj || obj.kind !== 'Secret') return message;
  const needles = new Set<string>();
  for (const field of ['data', 'stringData'] as const) {
    for (const v of Object.values(rec(obj[field]))) {
      if (typeof v !== 'string' || v.length === 0) continue;
      needles.add(v);
      if (field === 'data') {
        const decoded = Buffer.from(v, 'base64').toString('utf8');
        if (decoded) needles.add(decoded);
      } else {
        needles.add(Buffer.from(v, 'utf8').toString('base64'));
      }
    }
  }
  let out = message;
  // Longest first so a value that contains another is replaced whole.
  for (const n of [...needles].sort((a, b) => b.length - a.length)) {
    if (n.length < 3) continue;
    out = out.split(n).join('***');
  }
  // Quoted "Invalid value" on a data field: mask whatever was quoted.
  out = out.replace(/((?:data|stringData)[^:]*: Invalid value: )"(?:[^"\\]|\\.)*"/g, '$1"***"');
  return out;
}
