// A tiny fake API server on loopback for the lock and revision tests: every namespace
// exists; Leases and Secrets are kept with resourceVersion preconditions like the real
// one (a POST of an existing name is 409; a PUT or a DELETE that names a resourceVersion
// must name the current one). Label selectors of the form a=b,c=d are honoured on lists.
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { connect, type Cluster } from '../../../src/k8s/client.js';
import type { LeaseSpec } from '../../../src/k8s/lease.js';

export interface Stored {
  apiVersion?: string;
  kind?: string;
  type?: string;
  metadata: { name: string; namespace: string; resourceVersion: string; labels?: Record<string, string> };
  spec?: LeaseSpec;
  data?: Record<string, string>;
}
export type Resource = 'leases' | 'secrets';

export interface FakeApi {
  /** A client connected to this server (namespace `ns` in its kubeconfig). */
  cluster: Cluster;
  /** Every request as `METHOD /path`, in order. */
  requests: string[];
  get(resource: Resource, namespace: string, name: string): Stored | undefined;
  /** Stores `obj` as it is (a fresh resourceVersion), bypassing the API: the state a test starts from. */
  put(resource: Resource, obj: Omit<Stored, 'metadata'> & { metadata: Omit<Stored['metadata'], 'resourceVersion'> }): void;
  delete(resource: Resource, namespace: string, name: string): void;
  /** The names stored of one resource in one namespace. */
  names(resource: Resource, namespace: string): string[];
  /** Forgets every object and request. */
  reset(): void;
  close(): Promise<void>;
}

function reply(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
const failure = (code: number, reason: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: reason });

export async function startFakeApi(): Promise<FakeApi> {
  const store = new Map<string, Stored>(); // `resource|namespace|name`
  const requests: string[] = [];
  let rv = 1;
  const key = (resource: string, ns: string, name: string) => `${resource}|${ns}|${name}`;

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      requests.push(`${req.method} ${url.pathname}`);
      if (/^\/api\/v1\/namespaces\/[^/]+$/.test(url.pathname)) return reply(res, 200, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: url.pathname.split('/').pop() } });
      const m = /^\/(?:apis\/coordination\.k8s\.io|api)\/v1\/namespaces\/([^/]+)\/(leases|secrets)(?:\/([^/]+))?$/.exec(url.pathname);
      if (!m) return reply(res, 404, failure(404, 'NotFound'));
      const [, ns, resource, name] = m as unknown as [string, string, Resource, string | undefined];
      const input = body ? (JSON.parse(body) as Stored & { preconditions?: { resourceVersion?: string } }) : undefined;
      if (req.method === 'GET' && !name) {
        const selector = (url.searchParams.get('labelSelector') ?? '').split(',').filter(Boolean).map((s) => s.split('='));
        const items = [...store.entries()].filter(([k, o]) => k.startsWith(key(resource, ns, '')) && selector.every(([l, v]) => o.metadata.labels?.[l!] === v)).map(([, o]) => o);
        return reply(res, 200, { items });
      }
      const cur = name ? store.get(key(resource, ns, name)) : undefined;
      if (req.method === 'GET') return cur ? reply(res, 200, cur) : reply(res, 404, failure(404, 'NotFound'));
      if (req.method === 'POST') {
        if (store.has(key(resource, ns, input!.metadata.name))) return reply(res, 409, failure(409, 'AlreadyExists'));
        const stored: Stored = { ...input!, metadata: { ...input!.metadata, namespace: ns, resourceVersion: String(rv++) } };
        store.set(key(resource, ns, input!.metadata.name), stored);
        return reply(res, 201, stored);
      }
      if (req.method === 'PUT') {
        if (!cur) return reply(res, 404, failure(404, 'NotFound'));
        // Like the API server: a PUT that names a resourceVersion must name the current one.
        if (input!.metadata.resourceVersion !== undefined && input!.metadata.resourceVersion !== cur.metadata.resourceVersion) return reply(res, 409, failure(409, 'Conflict'));
        const stored: Stored = { ...input!, metadata: { ...input!.metadata, namespace: ns, resourceVersion: String(rv++) } };
        store.set(key(resource, ns, name!), stored);
        return reply(res, 200, stored);
      }
      if (req.method === 'DELETE') {
        if (!cur) return reply(res, 404, failure(404, 'NotFound'));
        if (input?.preconditions?.resourceVersion && input.preconditions.resourceVersion !== cur.metadata.resourceVersion) return reply(res, 409, failure(409, 'Conflict'));
        store.delete(key(resource, ns, name!));
        return reply(res, 200, failure(200, 'Success'));
      }
      reply(res, 405, failure(405, 'MethodNotAllowed'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kc = join(mkdtempSync(join(tmpdir(), 'vh-fake-api-')), 'kubeconfig');
  writeFileSync(
    kc,
    `apiVersion: v1
kind: Config
clusters: [{ name: fake, cluster: { server: "http://127.0.0.1:${(server.address() as AddressInfo).port}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: abc } }]
contexts: [{ name: c, context: { cluster: fake, user: u, namespace: ns } }]
current-context: c
`,
  );
  const cluster = await connect({ kubeconfig: kc });
  return {
    cluster,
    requests,
    get: (resource, namespace, name) => store.get(key(resource, namespace, name)),
    put: (resource, obj) => void store.set(key(resource, obj.metadata.namespace, obj.metadata.name), { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv++) } }),
    delete: (resource, namespace, name) => void store.delete(key(resource, namespace, name)),
    names: (resource, namespace) => [...store.keys()].filter((k) => k.startsWith(key(resource, namespace, ''))).map((k) => k.slice(key(resource, namespace, '').length)),
    reset: () => {
      store.clear();
      requests.length = 0;
    },
    close: async () => {
      cluster.close();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * One fake API server for the test file that calls this (at its top level): started before
 * its tests, emptied before each, closed after. Usable inside tests and hooks only.
 */
export function useFakeApi(): FakeApi {
  let api: FakeApi | undefined;
  beforeAll(async () => {
    api = await startFakeApi();
  });
  afterAll(() => api?.close());
  beforeEach(() => api!.reset());
  const live = (): FakeApi => {
    if (!api) throw new Error('the fake API server runs only during the tests');
    return api;
  };
  return {
    get cluster() {
      return live().cluster;
    },
    get requests() {
      return live().requests;
    },
    get: (...a) => live().get(...a),
    put: (...a) => live().put(...a),
    delete: (...a) => live().delete(...a),
    names: (...a) => live().names(...a),
    reset: () => live().reset(),
    close: () => live().close(),
  };
}
