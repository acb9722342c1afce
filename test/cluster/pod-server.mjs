#!/usr/bin/env node
// Fake "pod" HTTP server for the e2e cluster (plain Node, no dependencies).
//
// up.sh runs it inside the cluster's network namespace, bound to 0.0.0.0 on the HTTP
// ports the stacks use. The namespace has `ip route add local 10.244.0.0/16 dev lo`, so
// every pod IP kwok hands out (10.244.x.x) is a local address there: when the API
// server proxies to a pod (services/NAME:PORT/proxy/..., pods/NAME:PORT/proxy/...), the
// connection lands here, and req.socket.localAddress tells which pod IP was meant.
//
// Control channel: an HTTP server on a unix socket (reachable from the host without any
// network traffic). See test/cluster/pod-server-control.ts for the client.
//   GET    /healthz                 -> 200 ok
//   GET    /behaviours              -> list of active overrides
//   POST   /behaviours  {podIP, port?, path?, status?, body?, headers?, metricsWithout?, delayMs?}
//   DELETE /behaviours              -> remove all overrides
//   GET    /requests[?podIP=&port=&path=] -> requests received (newest last, max 2000)
//   DELETE /requests                -> clear the request log
//
// usage: node pod-server.mjs --ports 8080,9090 --control /path/pod-server.sock
import http from 'node:http';
import fs from 'node:fs';

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
}
const ports = arg('--ports', '8080,9090,8000,6738,8123')
  .split(',')
  .map((p) => Number(p.trim()))
  .filter((p) => p > 0);
const controlPath = arg('--control');
const bindHost = arg('--host', '0.0.0.0');

// ---- default responses -------------------------------------------------------------
const json = (obj) => ({ type: 'application/json', text: JSON.stringify(obj) });

function metricsText(without = []) {
  const fams = [
    [
      'model_router_requests_total',
      'counter',
      'Total requests handled by the model router',
      [
        'model_router_requests_total{model="gpt-4o-mini",status="200"} 42',
        'model_router_requests_total{model="claude-3-haiku",status="200"} 17',
        'model_router_requests_total{model="gpt-4o-mini",status="500"} 1',
      ],
    ],
    [
      'model_router_request_duration_seconds',
      'histogram',
      'Request latency of the model router',
      [
        'model_router_request_duration_seconds_bucket{le="0.05"} 10',
        'model_router_request_duration_seconds_bucket{le="0.1"} 25',
        'model_router_request_duration_seconds_bucket{le="0.25"} 48',
        'model_router_request_duration_seconds_bucket{le="0.5"} 57',
        'model_router_request_duration_seconds_bucket{le="1"} 59',
        'model_router_request_duration_seconds_bucket{le="+Inf"} 60',
        'model_router_request_duration_seconds_sum 9.87',
        'model_router_request_duration_seconds_count 60',
      ],
    ],
    [
      'model_router_ab_test_exposures_total',
      'counter',
      'A/B test exposures by experiment and variant',
      [
        'model_router_ab_test_exposures_total{experiment="routing-v2",variant="control"} 30',
        'model_router_ab_test_exposures_total{experiment="routing-v2",variant="treatment"} 30',
      ],
    ],
    [
      'posthog_events_sent_total',
      'counter',
      'Events sent to PostHog',
      ['posthog_events_sent_total{status="ok"} 60', 'posthog_events_sent_total{status="error"} 0'],
    ],
    ['process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', ['process_resident_memory_bytes 5.24288e+07']],
  ];
  const out = [];
  for (const [name, type, help, lines] of fams) {
    if (without.some((w) => name === w || name.startsWith(w))) continue;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  }
  return out.join('\n') + '\n';
}

const defaults = {
  '/health': () => json({ status: 'healthy', service: 'model-router' }),
  '/ready': () => json({ status: 'ready' }),
  '/metrics': (rule) => ({ type: 'text/plain; version=0.0.4; charset=utf-8', text: metricsText(rule?.metricsWithout ?? []) }),
  // PostHog (web / plugin server)
  '/_livez': () => json({ http: true }),
  '/_readyz': () =>
    json({ http: true, postgres: true, kafka: true, clickhouse: true, celery_broker: true, cache: true }),
  '/_preflight': () =>
    json({ django: true, redis: true, plugins: true, celery: true, clickhouse: true, kafka: true, db: true, initiated: true }),
  '/_health': () => ({ type: 'text/plain', text: 'ok' }),
  // ClickHouse HTTP interface
  '/ping': () => ({ type: 'text/plain', text: 'Ok.\n' }),
  '/': () => ({ type: 'text/plain', text: 'vh-deploy e2e fake pod server\n' }),
};

// ---- overrides -----------------------------------------------------------------------
let rules = []; // {id, podIP, port?, path?, status?, body?, headers?, metricsWithout?, delayMs?}
let nextId = 1;
let requests = [];

function findRule(podIP, port, path) {
  let best;
  let bestScore = -1;
  for (const r of rules) {
    if (r.podIP !== '*' && r.podIP !== podIP) continue;
    if (r.port !== undefined && r.port !== port) continue;
    if (r.path !== undefined && r.path !== path) continue;
    const score = (r.podIP !== '*' ? 4 : 0) + (r.path !== undefined ? 2 : 0) + (r.port !== undefined ? 1 : 0);
    if (score >= bestScore) {
      best = r;
      bestScore = score; // later rules win ties
    }
  }
  return best;
}

function stripV4Mapped(a) {
  return a && a.startsWith('::ffff:') ? a.slice(7) : a;
}

function handlePod(req, res) {
  const podIP = stripV4Mapped(req.socket.localAddress);
  const port = req.socket.localPort;
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const rule = findRule(podIP, port, path);
  const def = defaults[path];
  let status;
  let type;
  let text;
  if (rule && rule.body !== undefined) {
    status = rule.status ?? 200;
    if (typeof rule.body === 'string') {
      type = 'text/plain';
      text = rule.body;
    } else {
      ({ type, text } = json(rule.body));
    }
  } else if (def) {
    ({ type, text } = def(rule));
    status = rule?.status ?? 200;
  } else {
    status = rule?.status ?? 404;
    ({ type, text } = json({ error: 'not found', path }));
  }
  requests.push({ time: new Date().toISOString(), podIP, port, method: req.method, path, status });
  if (requests.length > 2000) requests = requests.slice(-1000);
  const send = () => {
    res.writeHead(status, { 'content-type': type, ...(rule?.headers ?? {}) });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
  if (rule?.delayMs) setTimeout(send, Math.min(rule.delayMs, 120_000));
  else send();
}

for (const port of ports) {
  const srv = http.createServer(handlePod);
  srv.keepAliveTimeout = 5000;
  srv.on('error', (err) => {
    console.error(`pod-server: port ${port}: ${err.message}`);
    process.exit(1);
  });
  srv.listen(port, bindHost, () => console.error(`pod-server: listening on ${bindHost}:${port}`));
}

// ---- control channel -----------------------------------------------------------------
function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      data += c;
      if (data.length > 1_000_000) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function validateRule(r) {
  if (!r || typeof r !== 'object') return 'body must be a JSON object';
  if (typeof r.podIP !== 'string' || !r.podIP) return 'podIP (string, or "*") is required';
  if (r.port !== undefined && !Number.isInteger(r.port)) return 'port must be an integer';
  if (r.path !== undefined && (typeof r.path !== 'string' || !r.path.startsWith('/'))) return 'path must start with /';
  if (r.status !== undefined && !(Number.isInteger(r.status) && r.status >= 100 && r.status <= 599))
    return 'status must be an HTTP status code';
  if (r.metricsWithout !== undefined && !Array.isArray(r.metricsWithout)) return 'metricsWithout must be an array';
  if (r.headers !== undefined && (typeof r.headers !== 'object' || Array.isArray(r.headers))) return 'headers must be an object';
  if (r.delayMs !== undefined && !(Number.isInteger(r.delayMs) && r.delayMs >= 0)) return 'delayMs must be an integer';
  return undefined;
}

const control = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://control');
  const reply = (code, obj) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(obj));
  };
  try {
    if (url.pathname === '/healthz') return reply(200, { ok: true, ports });
    if (url.pathname === '/behaviours') {
      if (req.method === 'GET') return reply(200, rules);
      if (req.method === 'DELETE') {
        rules = [];
        return reply(200, { ok: true });
      }
      if (req.method === 'POST') {
        const r = JSON.parse((await readBody(req)) || '{}');
        const err = validateRule(r);
        if (err) return reply(400, { error: err });
        const rule = {
          id: nextId++,
          podIP: r.podIP,
          port: r.port,
          path: r.path,
          status: r.status,
          body: r.body,
          headers: r.headers,
          metricsWithout: r.metricsWithout,
          delayMs: r.delayMs,
        };
        rules.push(rule);
        return reply(201, rule);
      }
    }
    if (url.pathname === '/requests') {
      if (req.method === 'DELETE') {
        requests = [];
        return reply(200, { ok: true });
      }
      if (req.method === 'GET') {
        const q = url.searchParams;
        return reply(
          200,
          requests.filter(
            (r) =>
              (!q.get('podIP') || r.podIP === q.get('podIP')) &&
              (!q.get('port') || r.port === Number(q.get('port'))) &&
              (!q.get('path') || r.path === q.get('path')),
          ),
        );
      }
    }
    reply(404, { error: `no such control endpoint ${req.method} ${url.pathname}` });
  } catch (e) {
    reply(400, { error: String(e?.message ?? e) });
  }
});
if (controlPath) {
  fs.rmSync(controlPath, { force: true });
  control.on('error', (err) => {
    console.error(`pod-server: control socket: ${err.message}`);
    process.exit(1);
  });
  control.listen(controlPath, () => {
    fs.chmodSync(controlPath, 0o600);
    console.error(`pod-server: control on ${controlPath}`);
  });
}

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
