/// <reference path="../cluster/inject.d.ts" />
// `vh-deploy verify` on the real control plane: passes on a healthy Model Router and
// fails, naming the check, when one pod's /ready answers 503, a metric is missing, or
// the Service has no endpoints. Output is one table or one JSON document; no secret.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteNamespaces, waitFor } from '../cluster/e2e-helpers.js';
import { setPodBehaviour, type PodBehaviour } from '../cluster/pod-server-control.js';
import { cli, core, created, deployRouter, failed, kc, KEY, noSecrets, nsName, podIPs, verifyJson } from './support/day2.js';

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

describe('verify model-router', () => {
  let ns: string;
  let ips: Array<{ name: string; ip: string }> = [];
  beforeAll(async () => {
    // A fixed count, so `scale` can take it to 0 without an HPA in the way.
    ns = await deployRouter('e2e-d2-verify', ['--replicas', '3']);
    ips = await waitFor('3 running pods', async () => {
      const p = await podIPs(ns);
      return p.length === 3 && p;
    });
  });
  // Overrides are undone with a later, neutral rule for the same pod and path (later rules
  // win), not resetPodBehaviour(): other runs may share the pod server.
  const set: Array<{ ip: string; path: string }> = [];
  const override = async (ip: string, b: PodBehaviour & { path: string }) => {
    await setPodBehaviour(ip, b);
    set.push({ ip, path: b.path });
  };
  afterEach(async () => {
    for (const s of set.splice(0)) await setPodBehaviour(s.ip, { path: s.path });
  });

  it('passes on a healthy stack: every check, a table, exit 0, no secret', async () => {
    const r = await cli(['verify', 'model-router', '-n', ns]);
    expect(r.code, r.err + r.out).toBe(0);
    noSecrets(r);
    for (const check of ['revision', 'objects exist', 'Deployment model-router', 'endpoints model-router', 'Model Router /health', 'Model Router /ready', 'Model Router /metrics', 'PostHog connection']) {
      expect(r.out).toMatch(new RegExp(`^✓ +model-router +${check.replace(/[/]/g, '\\/')} `, 'm'));
    }
    expect(r.out).toMatch(/^ +STACK +CHECK +DETAIL +TIME$/m);
    expect(r.out).toMatch(/3 of 3 pods ok/);
    expect(r.out).toMatch(/key phc_…6789/); // a mask, never the key
    expect(r.out).toMatch(/0 failed/);
  });

  it('-o json: one document, ok, every check with status and time', async () => {
    const { code, doc } = await verifyJson(ns);
    expect(code).toBe(0);
    expect(doc.ok).toBe(true);
    expect(failed(doc)).toEqual([]);
    expect(doc.checks.map((c) => `${c.stack} ${c.check} ${c.status}`)).toEqual([
      'model-router revision pass',
      'model-router objects exist pass',
      'model-router Deployment model-router pass',
      'model-router endpoints model-router pass',
      'model-router Model Router /health pass',
      'model-router Model Router /ready pass',
      'model-router Model Router /metrics pass',
      'model-router PostHog connection pass',
    ]);
  });

  it('one pod answering 503 on /ready fails the /ready check, naming that pod', async () => {
    const bad = ips[1]!;
    await override(bad.ip, { path: '/ready', status: 503 });
    const { code, doc, r } = await verifyJson(ns);
    expect(code).toBe(1);
    expect(doc.ok).toBe(false);
    const f = failed(doc);
    expect(f.map((c) => c.check)).toEqual(['Model Router /ready']);
    expect(f[0]!.detail).toContain(`pod ${bad.name}: HTTP 503`);
    expect(f[0]!.detail).toMatch(/^1 of 3 pods fail/);
    expect(r.err).toMatch(/^error: verify: 1 of \d+ checks failed: model-router Model Router \/ready$/m);
  });

  it('a missing metric fails the /metrics check, naming the metric', async () => {
    for (const p of ips) await override(p.ip, { path: '/metrics', metricsWithout: ['posthog_events_sent_total'] });
    const r = await cli(['verify', 'model-router', '-n', ns]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^✗ +model-router +Model Router \/metrics .*missing metrics: posthog_events_sent_total/m);
    expect(r.out).toMatch(/^✓ +model-router +Model Router \/ready /m);
    noSecrets(r);
  });

  it('no endpoints (scaled to 0): the endpoints and health checks fail, then pass again after scaling back', async () => {
    const down = await cli(['scale', 'model-router/model-router', '-n', ns, '--replicas', '0']);
    expect(down.code, down.err).toBe(0);
    try {
      const { code, doc } = await verifyJson(ns);
      expect(code).toBe(1);
      const names = failed(doc).map((c) => c.check);
      expect(names).toContain('endpoints model-router');
      expect(names).toContain('Model Router /health');
      // The old pods may still be listed (not ready, terminating) for a moment after the
      // scale: both states are a failure and each says what it is.
      expect(doc.checks.find((c) => c.check === 'endpoints model-router')?.detail).toMatch(/^no endpoints|^0 of \d endpoints ready/);
    } finally {
      // Scale back even when an assertion failed: the tests after this one share the stack.
      const up = await cli(['scale', 'model-router/model-router', '-n', ns, '--replicas', '3']);
      expect(up.code, up.err).toBe(0);
    }
    await waitFor('verify to pass again', async () => (await cli(['verify', 'model-router', '-n', ns])).code === 0, { timeoutMs: 30_000, intervalMs: 1000 });
  });

  it('a stack that was never deployed there fails with a clear message (exit 1)', async () => {
    const r = await cli(['verify', 'posthog', '-n', ns]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/no revision of posthog is recorded in/);
  });

  it('verify all finds what is deployed in the namespace and skips the rest', async () => {
    const r = await cli(['verify', 'all', '-n', ns, '-o', 'json']);
    expect(r.code, r.out).toBe(0);
    const doc = JSON.parse(r.out) as { stacks: Array<{ stack: string }>; skipped: string[] };
    expect(doc.stacks.map((s) => s.stack)).toEqual(['model-router']);
    expect(doc.skipped.join(' ')).toMatch(/posthog \(nothing recorded/);
  });

  it('a broken PostHog connection fails the connection check', async () => {
    await core.patchNamespacedConfigMap({ name: 'model-router-posthog', namespace: ns, body: [{ op: 'replace', path: '/data/POSTHOG_HOST', value: 'http://posthog-web.nowhere.svc.cluster.local:8000' }] });
    const { code, doc } = await verifyJson(ns);
    expect(code).toBe(1);
    expect(failed(doc).find((c) => c.check === 'PostHog connection')?.detail).toMatch(/names Service nowhere\/posthog-web, which does not exist/);
    const fix = await cli(['cloud', '-n', ns, '--region', 'eu', '--yes', '--force-conflicts'], { VH_DEPLOY_POSTHOG_API_KEY: KEY });
    expect(fix.code, fix.err).toBe(0);
  });
});

describe('verify --check-key (PostHog stand-in on loopback)', () => {
  it('checks the key the Model Router would send, and says the host is not reachable from the cluster', async () => {
    const { createServer } = await import('node:http');
    let accept = true;
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        const ok = accept && req.url === '/flags?v=2' && (JSON.parse(raw || '{}') as { api_key?: string }).api_key === KEY;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"flags":{}}' : '{"detail":"invalid"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const ns = nsName('e2e-d2-key');
      const c = await cli(['cloud', '-n', ns, '--host', host, '--yes'], { VH_DEPLOY_POSTHOG_API_KEY: KEY });
      expect(c.code, c.err).toBe(0);
      const good = await verifyJson(ns, 'cloud', ['--check-key']);
      const byName = Object.fromEntries(good.doc.checks.map((x) => [x.check, x]));
      expect(byName['PostHog project key']).toMatchObject({ status: 'pass' });
      expect(byName['PostHog project key']!.detail).toMatch(/accepted the key phc_…6789/);
      // Plain http to a non-cluster host: the Model Router could not use it.
      expect(byName['PostHog connection']).toMatchObject({ status: 'fail' });
      expect(byName['PostHog connection']!.detail).toMatch(/expected an https:\/\/ host or an in-cluster/);
      accept = false;
      const bad = await verifyJson(ns, 'posthog-connection', ['--check-key']);
      expect(bad.code).toBe(1);
      expect(bad.doc.checks.find((x) => x.check === 'PostHog project key')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/rejected the key \(HTTP 401\)/) });
    } finally {
      server.close();
    }
  });
});
