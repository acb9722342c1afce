// The health verdicts, which `verify` and the health step of every deploy, upgrade and
// rollback rest on: the pure judges of src/stacks/health.ts, the stacks' own checks, and
// how an answer through the API server becomes a result — runHealth (deploy, upgrade,
// rollback: via the Service) and verify's judgeHealth (via the Service and on every
// ready pod) — against a tiny fake API server on loopback. Each unhealthy answer (404,
// 500, 301, none, a 200 with a wrong body, /metrics without one of its four families)
// must be a failure whose message names the status (and, per pod, the pod).
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { judgeHealth, runHealth, unhealthyLine } from '../../src/actions/health.js';
import { connect, type Cluster } from '../../src/k8s/client.js';
import { bodyCheck, expectStatus200, missingMetrics, preflightProblems, statusCheck } from '../../src/stacks/health.js';
import { MODEL_ROUTER_METRICS, modelRouterStack } from '../../src/stacks/model-router/index.js';
import { posthogStack } from '../../src/stacks/posthog/index.js';

/** What the fake pods answer: [status, body]. */
type Answer = [number, string];

/** Every metric family the fake pod server of test/cluster exposes, as Prometheus text. */
const FULL_METRICS = [
  '# HELP model_router_requests_total Total requests',
  '# TYPE model_router_requests_total counter',
  'model_router_requests_total{model="gpt-4o-mini",status="200"} 42',
  '# HELP model_router_request_duration_seconds Request latency',
  '# TYPE model_router_request_duration_seconds histogram',
  'model_router_request_duration_seconds_bucket{le="0.1"} 25',
  'model_router_request_duration_seconds_sum 9.87',
  'model_router_request_duration_seconds_count 60',
  '# HELP model_router_ab_test_exposures_total A/B exposures',
  '# TYPE model_router_ab_test_exposures_total counter',
  'model_router_ab_test_exposures_total{experiment="routing-v2",variant="control"} 30',
  '# HELP posthog_events_sent_total Events sent to PostHog',
  '# TYPE posthog_events_sent_total counter',
  'posthog_events_sent_total{status="ok"} 60',
  '',
].join('\n');

/** The same text without one family (every line that mentions it). */
const metricsWithout = (name: string) =>
  FULL_METRICS.split('\n')
    .filter((l) => !l.includes(name))
    .join('\n');

const PREFLIGHT_OK = JSON.stringify({ django: true, redis: true, plugins: true, celery: true, clickhouse: true, kafka: true, db: true, initiated: true });

describe('expectStatus200 and statusCheck: only HTTP 200 is healthy', () => {
  it('200 is healthy', () => {
    expect(expectStatus200(200)).toBeUndefined();
    expect(statusCheck('x', 'svc', 8080, '/ready').judge(200, '')).toBeUndefined();
  });

  // 2xx other than 200, redirects (the proxy does not follow them), client and server errors.
  it.each([201, 204, 299, 301, 302, 304, 400, 401, 403, 404, 418, 429, 499, 500, 502, 503, 504])('%i is unhealthy, named by its status', (status) => {
    expect(expectStatus200(status)).toBe(`HTTP ${status}`);
    expect(statusCheck('x', 'svc', 8080, '/ready').judge(status, '{"status":"ready"}')).toBe(`HTTP ${status}`);
  });

  it('no answer (status 0) is unhealthy and says so', () => {
    expect(expectStatus200(0)).toBe('HTTP no answer');
  });

  it('statusCheck describes the request it makes', () => {
    const c = statusCheck('Model Router /ready', 'model-router', 8080, '/ready');
    expect({ name: c.name, service: c.service, port: c.port, path: c.path }).toEqual({ name: 'Model Router /ready', service: 'model-router', port: 8080, path: '/ready' });
  });
});

describe('bodyCheck: HTTP 200 and a body with no problems', () => {
  const seen: string[] = [];
  const check = bodyCheck('c', 'svc', 9090, '/metrics', 'missing metrics', (body) => {
    seen.push(body);
    return body === 'good' ? [] : ['a', 'b'];
  });
  afterEach(() => {
    seen.length = 0;
  });

  it('200 with a good body is healthy', () => {
    expect(check.judge(200, 'good')).toBeUndefined();
    expect(seen).toEqual(['good']);
  });

  it('200 with a wrong body fails with the label and every problem', () => {
    expect(check.judge(200, 'bad')).toBe('missing metrics: a, b');
  });

  it.each([301, 404, 500, 503, 0])('%i fails on the status alone, whatever the body (the body is not read)', (status) => {
    expect(check.judge(status, 'good')).toBe(status ? `HTTP ${status}` : 'HTTP no answer');
    expect(seen).toEqual([]);
  });
});

describe('missingMetrics: each of the four Model Router families must be there', () => {
  it('the four names are the ones the stack checks', () => {
    expect([...MODEL_ROUTER_METRICS]).toEqual(['model_router_requests_total', 'model_router_request_duration_seconds', 'model_router_ab_test_exposures_total', 'posthog_events_sent_total']);
  });

  it('none is missing from the full text', () => {
    expect(missingMetrics(FULL_METRICS, MODEL_ROUTER_METRICS)).toEqual([]);
  });

  it.each(MODEL_ROUTER_METRICS.map((n) => [n]))('without %s, exactly that one is named', (name) => {
    expect(missingMetrics(metricsWithout(name), MODEL_ROUTER_METRICS)).toEqual([name]);
  });

  it('an empty body misses all four; a histogram counts by its _bucket/_sum/_count samples alone', () => {
    expect(missingMetrics('', MODEL_ROUTER_METRICS)).toEqual([...MODEL_ROUTER_METRICS]);
    expect(missingMetrics('model_router_request_duration_seconds_count 3\n', ['model_router_request_duration_seconds'])).toEqual([]);
  });

  it('a longer name that merely starts with a family does not count as the family', () => {
    expect(missingMetrics('posthog_events_sent_total_created 1\n# HELP model_router_requests_totals x\n', ['posthog_events_sent_total', 'model_router_requests_total'])).toEqual([
      'posthog_events_sent_total',
      'model_router_requests_total',
    ]);
  });

  it('a name inside another line (a label value, a comment) does not count', () => {
    expect(missingMetrics('other{name="posthog_events_sent_total"} 1\n# posthog_events_sent_total is gone\n', ['posthog_events_sent_total'])).toEqual(['posthog_events_sent_total']);
  });
});

describe('preflightProblems: PostHog /_preflight', () => {
  const keys = ['db', 'redis', 'clickhouse', 'kafka', 'plugins', 'celery'] as const;
  it('all true: none', () => {
    expect(preflightProblems(PREFLIGHT_OK, keys)).toEqual([]);
  });
  it('a false or missing service is named with what it reported', () => {
    expect(preflightProblems(JSON.stringify({ db: true, redis: false, clickhouse: true, kafka: 'yes', plugins: true }), keys)).toEqual(['redis=false', 'kafka="yes"', 'celery=null']);
  });
  it('not JSON, or JSON that is no object', () => {
    expect(preflightProblems('<html>502 Bad Gateway</html>', keys)).toEqual(['not JSON']);
    expect(preflightProblems('null', ['db'])).toEqual(['db=null']);
  });
});

describe("the stacks' own checks", () => {
  const judge = (checks: ReturnType<typeof modelRouterStack.health>, name: string, status: number, body: string) => {
    const c = checks.find((x) => x.name === name);
    expect(c, name).toBeDefined();
    return c!.judge(status, body);
  };
  const endpoints = (checks: ReturnType<typeof modelRouterStack.health>) => checks.map((c) => `${c.name} ${c.service}:${c.port}${c.path}`);

  it('Model Router: /health, /ready and /metrics, each judged on its own', () => {
    const checks = modelRouterStack.health({});
    expect(endpoints(checks)).toEqual([
      'Model Router /health model-router:8080/health',
      'Model Router /ready model-router:8080/ready',
      'Model Router /metrics model-router:9090/metrics',
    ]);
    expect(judge(checks, 'Model Router /ready', 200, '{"status":"ready"}')).toBeUndefined();
    expect(judge(checks, 'Model Router /ready', 404, '{"error":"not found"}')).toBe('HTTP 404');
    expect(judge(checks, 'Model Router /health', 500, 'boom')).toBe('HTTP 500');
    expect(judge(checks, 'Model Router /health', 301, '')).toBe('HTTP 301');
    expect(judge(checks, 'Model Router /metrics', 200, FULL_METRICS)).toBeUndefined();
    expect(judge(checks, 'Model Router /metrics', 200, metricsWithout('model_router_ab_test_exposures_total'))).toBe('missing metrics: model_router_ab_test_exposures_total');
    expect(judge(checks, 'Model Router /metrics', 404, FULL_METRICS)).toBe('HTTP 404');
  });

  it('PostHog: /_livez, /_readyz?role=web, /_preflight', () => {
    const checks = posthogStack.health({});
    expect(endpoints(checks)).toEqual([
      'PostHog /_livez posthog-web:8000/_livez',
      'PostHog /_readyz?role=web posthog-web:8000/_readyz?role=web',
      'PostHog /_preflight posthog-web:8000/_preflight',
    ]);
    expect(judge(checks, 'PostHog /_readyz?role=web', 404, '')).toBe('HTTP 404');
    expect(judge(checks, 'PostHog /_preflight', 200, PREFLIGHT_OK)).toBeUndefined();
    expect(judge(checks, 'PostHog /_preflight', 200, JSON.stringify({ ...JSON.parse(PREFLIGHT_OK), kafka: false }))).toBe('not ready: kafka=false');
    expect(judge(checks, 'PostHog /_preflight', 200, 'Bad Gateway')).toBe('not ready: not JSON');
  });
});

// ---- through a fake API server -------------------------------------------------------------

const NS = 'team';
const dir = mkdtempSync(join(tmpdir(), 'vh-health-'));
let server: http.Server;
let cluster: Cluster;
/** What the app answers through the Service proxy, and through each pod's proxy. */
let viaService: Record<string, Answer | 'no endpoints' | 'hang'> = {};
let viaPod: Record<string, Record<string, Answer | 'hang' | 'gone'>> = {};
let endpoints: Array<{ pod: string; ready: boolean; terminating?: boolean }> = [];
const requests: string[] = [];
/** Called when a request reaches an upstream that never answers. */
let hung: () => void = () => {};

/**
 * Runs `fn` with fake timers and, once a request hangs, moves the clock past the 10 s the
 * health checks wait for an answer: the timeout path without waiting 10 s in real time.
 */
async function withHang<T>(fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    const reached = new Promise<void>((r) => (hung = r));
    const p = fn();
    await reached;
    await vi.advanceTimersByTimeAsync(10_001);
    return await p;
  } finally {
    vi.useRealTimers();
  }
}

const status = (code: number, reason: string, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });

function answer(res: http.ServerResponse, a: Answer | 'no endpoints' | 'hang' | 'gone' | undefined, what: string): void {
  if (a === 'gone') {
    // The API server's answer for a pod deleted after the endpoints were listed.
    res.writeHead(404, { 'content-type': 'application/json' }).end(status(404, 'NotFound', `${what.replace(/^pod /, 'pods "')}" not found`));
    return;
  }
  if (a === 'hang') {
    hung(); // never answers: the caller's timeout decides
    return;
  }
  if (a === 'no endpoints') {
    res.writeHead(503, { 'content-type': 'application/json' }).end(status(503, 'ServiceUnavailable', `no endpoints available for service "${what}"`));
    return;
  }
  if (!a) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`the test set no answer for ${what}`);
    return;
  }
  // The app's own answer, not a Kubernetes Status. A 301 keeps its Location: nothing may follow it.
  res.writeHead(a[0], { 'content-type': 'text/plain', ...(a[0] === 301 && { location: '/elsewhere' }) }).end(a[1]);
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): unknown {
  const url = new URL(req.url!, 'http://x');
  requests.push(decodeURIComponent(url.pathname));
  const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const p = url.pathname;
  if (p === '/api/v1') return json({ kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'services', kind: 'Service', namespaced: true, verbs: ['get', 'list'] }, { name: 'pods', kind: 'Pod', namespaced: true, verbs: ['get', 'list'] }] });
  if (p === '/apis/discovery.k8s.io/v1') return json({ kind: 'APIResourceList', groupVersion: 'discovery.k8s.io/v1', resources: [{ name: 'endpointslices', kind: 'EndpointSlice', namespaced: true, verbs: ['get', 'list'] }] });
  if (p === `/api/v1/namespaces/${NS}/services/model-router`) {
    return json({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'model-router', namespace: NS }, spec: { ports: [{ name: 'http', port: 8080, targetPort: 8080 }, { name: 'metrics', port: 9090, targetPort: 9090 }] } });
  }
  if (p === `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`) {
    return json({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSliceList',
      metadata: { resourceVersion: '1' },
      items: [
        {
          metadata: { name: 'model-router-abc', labels: { 'kubernetes.io/service-name': 'model-router' } },
          ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }],
          endpoints: endpoints.map((e, i) => ({ addresses: [`10.244.0.${i + 1}`], conditions: { ready: e.ready, ...(e.terminating && { terminating: true }) }, targetRef: { kind: 'Pod', name: e.pod } })),
        },
      ],
    });
  }
  let m = /^\/api\/v1\/namespaces\/[^/]+\/services\/([^/]+)\/proxy(\/.*)$/.exec(p);
  if (m) return answer(res, viaService[m[2]!], m[1]!);
  m = /^\/api\/v1\/namespaces\/[^/]+\/pods\/([^/:]+):(\d+)\/proxy(\/.*)$/.exec(decodeURIComponent(p));
  if (m) return answer(res, viaPod[m[1]!]?.[m[3]!], `pod ${m[1]}`);
  res.writeHead(404, { 'content-type': 'application/json' }).end(status(404, 'NotFound', `the fake has no ${p}`));
}

beforeAll(async () => {
  server = http.createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const f = join(dir, 'kubeconfig');
  writeFileSync(
    f,
    `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: { server: "http://127.0.0.1:${(server.address() as AddressInfo).port}", insecure-skip-tls-verify: true }
users:
- name: u
  user: { token: abc }
contexts:
- name: fake-ctx
  context: { cluster: fake, user: u, namespace: ${NS} }
current-context: fake-ctx
`,
  );
  cluster = await connect({ kubeconfig: f, env: {} });
});
afterAll(async () => {
  cluster.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
afterEach(() => {
  viaService = {};
  viaPod = {};
  endpoints = [];
  requests.length = 0;
});

const checks = () => modelRouterStack.health({});
const healthy = (): Record<string, Answer> => ({ '/health': [200, '{"status":"healthy"}'], '/ready': [200, '{"status":"ready"}'], '/metrics': [200, FULL_METRICS] });

describe('runHealth (deploy, upgrade, rollback): each check through the Service (no ready pods here)', () => {
  it('every check 200 with the right body: all ok, each detail the status', async () => {
    viaService = healthy();
    const r = await runHealth(cluster, NS, checks(), 0);
    expect(r.map((h) => [h.name, h.ok, h.detail])).toEqual([
      ['Model Router /health', true, 'HTTP 200 via Service model-router; 0 of 0 pods ok'],
      ['Model Router /ready', true, 'HTTP 200 via Service model-router; 0 of 0 pods ok'],
      ['Model Router /metrics', true, 'HTTP 200 via Service model-router; 0 of 0 pods ok'],
    ]);
    expect(unhealthyLine(r)).toBe('');
  });

  it.each([
    [404, 'HTTP 404'],
    [500, 'HTTP 500'],
    [301, 'HTTP 301'],
  ] as const)('/ready answering %i fails that check alone: %s', async (code, detail) => {
    viaService = { ...healthy(), '/ready': [code, code === 404 ? '{"error":"not found"}' : 'no'] };
    const r = await runHealth(cluster, NS, checks(), 0);
    expect(r.filter((h) => !h.ok).map((h) => [h.name, h.detail])).toEqual([['Model Router /ready', `via Service model-router: ${detail}`]]);
    expect(unhealthyLine(r)).toBe(`Model Router /ready: via Service model-router: ${detail}`);
    // A redirect is the answer: it is not followed.
    expect(requests.filter((x) => x.endsWith('/elsewhere'))).toEqual([]);
  });

  it('a 200 with a wrong body fails, naming what is missing', async () => {
    viaService = { ...healthy(), '/metrics': [200, metricsWithout('posthog_events_sent_total')] };
    const r = await runHealth(cluster, NS, checks(), 0);
    expect(unhealthyLine(r)).toBe('Model Router /metrics: via Service model-router: missing metrics: posthog_events_sent_total');
  });

  it('no answer within the timeout fails, saying so', async () => {
    viaService = { ...healthy(), '/health': 'hang' };
    const r = await withHang(() => runHealth(cluster, NS, checks(), 0));
    expect(r.filter((h) => !h.ok).map((h) => [h.name, h.detail])).toEqual([['Model Router /health', 'via Service model-router: no answer within 10000 ms']]);
  });

  it("the API server's own answer (no endpoints) is retried until the settle time, then named as the API server's", async () => {
    viaService = { ...healthy(), '/ready': 'no endpoints' };
    const t0 = Date.now();
    const r = await runHealth(cluster, NS, checks(), 600);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    expect(requests.filter((x) => x.endsWith('/proxy/ready')).length).toBeGreaterThan(1);
    expect(unhealthyLine(r)).toBe('Model Router /ready: via Service model-router: the API server answered: no endpoints available for service "model-router:8080"');
  });

  it('every check failing lists each, in order', async () => {
    viaService = { '/health': [500, ''], '/ready': [404, ''], '/metrics': [200, ''] };
    const r = await runHealth(cluster, NS, checks(), 0);
    expect(unhealthyLine(r)).toBe(
      'Model Router /health: via Service model-router: HTTP 500; Model Router /ready: via Service model-router: HTTP 404; Model Router /metrics: via Service model-router: missing metrics: model_router_requests_total, model_router_request_duration_seconds, model_router_ab_test_exposures_total, posthog_events_sent_total',
    );
  });

  it('a terminating pod is not asked, and a pod deleted after the endpoint list is gone, not unhealthy (a scale-down)', async () => {
    viaService = healthy();
    endpoints = [{ pod: 'model-router-7d9f-aaaaa', ready: true }, { pod: 'model-router-7d9f-ccccc', ready: true, terminating: true }, { pod: 'model-router-7d9f-ddddd', ready: true }];
    viaPod = { 'model-router-7d9f-aaaaa': healthy(), 'model-router-7d9f-ddddd': { '/health': 'gone', '/ready': 'gone', '/metrics': 'gone' } };
    const r = await runHealth(cluster, NS, checks(), 0);
    expect(r.map((h) => h.detail)).toEqual(Array(3).fill('HTTP 200 via Service model-router; 1 of 1 pods ok'));
    expect(requests.filter((x) => x.includes('ccccc'))).toEqual([]);
  });
  it('one of two ready pods answering 404 while the Service answers 200: the deploy sees it, naming the pod', async () => {
    viaService = healthy();
    endpoints = [{ pod: 'model-router-7d9f-aaaaa', ready: true }, { pod: 'model-router-7d9f-bbbbb', ready: true }];
    viaPod = { 'model-router-7d9f-aaaaa': healthy(), 'model-router-7d9f-bbbbb': { ...healthy(), '/ready': [404, ''] } };
    const r = await runHealth(cluster, NS, checks(), 0);
    expect(unhealthyLine(r)).toBe('Model Router /ready: 1 of 2 pods fail: pod model-router-7d9f-bbbbb: HTTP 404');
  });
});

describe("verify's judgeHealth: the Service and every ready pod, so one bad replica is not hidden", () => {
  const ready = checks().find((c) => c.name === 'Model Router /ready')!;
  const metrics = checks().find((c) => c.name === 'Model Router /metrics')!;
  const twoPods = () => {
    endpoints = [
      { pod: 'model-router-7d9f-aaaaa', ready: true },
      { pod: 'model-router-7d9f-bbbbb', ready: true },
    ];
  };

  it('all pods and the Service 200: pass, counting the pods', async () => {
    twoPods();
    viaService = healthy();
    viaPod = { 'model-router-7d9f-aaaaa': healthy(), 'model-router-7d9f-bbbbb': healthy() };
    expect(await judgeHealth(cluster, NS, ready, 0)).toEqual({ status: 'pass', detail: 'HTTP 200 via Service model-router; 2 of 2 pods ok' });
  });

  it.each([
    [404, 'HTTP 404'],
    [500, 'HTTP 500'],
    [301, 'HTTP 301'],
  ] as const)('one pod answering %i fails, naming the pod and %s (the Service answered 200)', async (code, detail) => {
    twoPods();
    viaService = healthy();
    viaPod = { 'model-router-7d9f-aaaaa': healthy(), 'model-router-7d9f-bbbbb': { ...healthy(), '/ready': [code, ''] } };
    expect(await judgeHealth(cluster, NS, ready, 0)).toEqual({ status: 'fail', detail: `1 of 2 pods fail: pod model-router-7d9f-bbbbb: ${detail}` });
  });

  it('one pod with a wrong body fails, naming the pod and the missing metric', async () => {
    twoPods();
    viaService = healthy();
    viaPod = { 'model-router-7d9f-aaaaa': { ...healthy(), '/metrics': [200, metricsWithout('model_router_requests_total')] }, 'model-router-7d9f-bbbbb': healthy() };
    expect(await judgeHealth(cluster, NS, metrics, 0)).toEqual({ status: 'fail', detail: '1 of 2 pods fail: pod model-router-7d9f-aaaaa: missing metrics: model_router_requests_total' });
  });

  it('a pod that does not answer fails, naming the pod', async () => {
    twoPods();
    viaService = healthy();
    viaPod = { 'model-router-7d9f-aaaaa': { ...healthy(), '/ready': 'hang' }, 'model-router-7d9f-bbbbb': healthy() };
    expect(await withHang(() => judgeHealth(cluster, NS, ready, 0))).toEqual({ status: 'fail', detail: '1 of 2 pods fail: pod model-router-7d9f-aaaaa: no answer within 10000 ms' });
  });

  it('every pod failing names each', async () => {
    twoPods();
    viaService = { ...healthy(), '/ready': [503, ''] };
    viaPod = { 'model-router-7d9f-aaaaa': { ...healthy(), '/ready': [404, ''] }, 'model-router-7d9f-bbbbb': { ...healthy(), '/ready': [503, ''] } };
    expect(await judgeHealth(cluster, NS, ready, 0)).toEqual({ status: 'fail', detail: '2 of 2 pods fail: pod model-router-7d9f-aaaaa: HTTP 404; pod model-router-7d9f-bbbbb: HTTP 503' });
  });

  it('pods not ready are not asked; the Service failing alone fails with its status', async () => {
    endpoints = [
      { pod: 'model-router-7d9f-aaaaa', ready: true },
      { pod: 'model-router-7d9f-ccccc', ready: false },
    ];
    viaService = { ...healthy(), '/ready': [404, ''] };
    viaPod = { 'model-router-7d9f-aaaaa': healthy() };
    expect(await judgeHealth(cluster, NS, ready, 0)).toEqual({ status: 'fail', detail: 'via Service model-router: HTTP 404' });
    expect(requests.filter((x) => x.includes('/pods/'))).toEqual([`/api/v1/namespaces/${NS}/pods/model-router-7d9f-aaaaa:8080/proxy/ready`]);
  });

  it('a Service that does not exist fails, naming it', async () => {
    const other = statusCheck('x', 'nope', 8080, '/ready');
    expect(await judgeHealth(cluster, NS, other, 0)).toEqual({ status: 'fail', detail: 'Service nope does not exist' });
  });
});
