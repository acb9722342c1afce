import { dump, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { manifestsText } from '../../src/commands/render-output.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { CHECKSUM_ANNOTATION, maskForDisplay, podTemplate } from '../../src/manifests/finalize.js';
import { fillTree } from '../../src/manifests/template.js';
import { modelRouterStack } from '../../src/stacks/model-router/index.js';
import { posthogStack, POSTHOG_SECRET } from '../../src/stacks/posthog/index.js';
import { cloudStack } from '../../src/stacks/posthog-connection/index.js';
import { offlineContext, renderStack, type RenderContext } from '../../src/stacks/stack.js';
import { ROUTER_VALUES } from './support/router-values.js';

const KEY = 'phc_goldenGOLDENgolden0123456789';
const mr = ROUTER_VALUES;
const phSecrets = {
  SECRET_KEY: 'k'.repeat(64),
  POSTHOG_DB_PASSWORD: 'd'.repeat(43),
  POSTHOG_REDIS_PASSWORD: 'r'.repeat(43),
  CLICKHOUSE_PASSWORD: 'c'.repeat(43),
  ENCRYPTION_SALT_KEYS: 'e'.repeat(32),
};
const ctx = (ns: string, extra: Partial<RenderContext> = {}): RenderContext => ({ ...offlineContext(ns), ...extra });

const find = (objs: KubeObject[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o as KubeObject & Record<string, any>;
};
const secretData = (o: KubeObject) => Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));

describe('golden renders (masked, as printed)', () => {
  it('cloud', async () => {
    const objs = renderStack(cloudStack, { region: 'eu', posthogApiKey: KEY }, ctx('voicehelper-prod'));
    await expect(manifestsText(objs, { json: false, showSecrets: false })).toMatchFileSnapshot('golden/cloud.yaml');
  });
  it('self-hosted', async () => {
    const objs = renderStack(posthogStack, { domain: 'posthog.example.com', tlsIssuer: 'letsencrypt-prod', ingressClass: 'nginx' }, ctx('posthog', { existingSecrets: { [POSTHOG_SECRET]: phSecrets } }));
    await expect(manifestsText(objs, { json: false, showSecrets: false })).toMatchFileSnapshot('golden/self-hosted.yaml');
  });
  it('model-router', async () => {
    const objs = renderStack(modelRouterStack, { ...mr, domain: 'router.example.com', tlsIssuer: 'letsencrypt-prod' }, ctx('voicehelper-prod', { capabilities: { serviceMonitor: true } }));
    await expect(manifestsText(objs, { json: false, showSecrets: false })).toMatchFileSnapshot('golden/model-router.yaml');
  });
});

describe('stack rules', () => {
  it('secrets never appear in printed output, even as base64', () => {
    const objs = renderStack(modelRouterStack, { ...mr, posthogHost: 'https://eu.i.posthog.com', posthogApiKey: KEY }, ctx('voicehelper-prod'));
    for (const json of [false, true]) {
      const text = manifestsText(objs, { json, showSecrets: false });
      for (const s of [mr.dbPassword, encodeURIComponent(mr.dbPassword), mr.openaiApiKey, KEY, Buffer.from(KEY).toString('base64')]) expect(text).not.toContain(s);
      expect(text).toContain('phc_…6789');
    }
    expect(manifestsText(objs, { json: false, showSecrets: true })).toContain(KEY);
  });
  it('the HPA owns replicas: spec.replicas is absent unless --replicas turns the HPA off', () => {
    const hpa = renderStack(modelRouterStack, mr, ctx('ns'));
    expect(find(hpa, 'Deployment', 'model-router').spec).not.toHaveProperty('replicas');
    expect(find(hpa, 'HorizontalPodAutoscaler', 'model-router').spec).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
    const fixed = renderStack(modelRouterStack, { ...mr, replicas: 4 }, ctx('ns'));
    expect(find(fixed, 'Deployment', 'model-router').spec.replicas).toBe(4);
    expect(fixed.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(modelRouterStack.check({ ...mr, replicas: 4, maxReplicas: 5 })).toHaveLength(1);
    expect(modelRouterStack.check({ ...mr, minReplicas: 6, maxReplicas: 5 })).toEqual(['--min-replicas: 6 is greater than --max-replicas 5']);
  });
  it('DATABASE_URL is complete and URL-encodes the password; no env var uses $(VAR)', () => {
    const objs = renderStack(modelRouterStack, mr, ctx('ns'));
    const data = secretData(find(objs, 'Secret', 'model-router-secrets'));
    expect(data.DATABASE_URL).toBe('postgres://router:p%40ss%3Aw%2Frd%231@pg.data.svc:5432/model_router?sslmode=require');
    expect(JSON.stringify(objs)).not.toMatch(/\$\(/);
    expect(data).not.toHaveProperty('ANTHROPIC_API_KEY'); // not given → no empty key
  });
  it('the Deployment reads the PostHog connection that cloud writes', () => {
    const cloud = renderStack(cloudStack, { posthogApiKey: KEY }, ctx('voicehelper-prod'));
    const router = renderStack(modelRouterStack, mr, ctx('voicehelper-prod'));
    const envFrom = find(router, 'Deployment', 'model-router').spec.template.spec.containers[0].envFrom;
    const cm = find(cloud, 'ConfigMap', 'model-router-posthog');
    expect(envFrom).toContainEqual({ configMapRef: { name: cm.metadata.name } });
    expect(envFrom).toContainEqual({ secretRef: { name: 'model-router-posthog' } });
    expect(cm.data).toEqual({ POSTHOG_ENABLED: 'true', POSTHOG_HOST: 'https://us.i.posthog.com' });
  });
  it('a config change changes the pod template checksum', () => {
    const a = find(renderStack(modelRouterStack, mr, ctx('ns')), 'Deployment', 'model-router');
    const b = find(renderStack(modelRouterStack, { ...mr, redisAddr: 'redis2:6379' }, ctx('ns')), 'Deployment', 'model-router');
    const c = find(renderStack(modelRouterStack, mr, ctx('ns')), 'Deployment', 'model-router');
    const sum = (o: KubeObject) => (podTemplate(o)!.metadata as any).annotations[CHECKSUM_ANNOTATION];
    expect(sum(a)).toMatch(/^[a-f0-9]{64}$/);
    expect(sum(a)).not.toBe(sum(b));
    expect(sum(a)).toBe(sum(c));
  });
  it('every object carries the standard labels; selectors stay version-free', () => {
    for (const objs of [renderStack(posthogStack, { domain: 'p.example.com' }, ctx('posthog')), renderStack(modelRouterStack, mr, ctx('ns'))]) {
      for (const o of objs) {
        expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'vh-deploy', 'app.kubernetes.io/part-of': 'voicehelper' });
        const sel = (o.spec as any)?.selector?.matchLabels;
        if (sel) expect(Object.keys(sel)).not.toContain('app.kubernetes.io/version');
      }
    }
  });
  it('self-hosted: data stores are StatefulSets with claims, one migration Job, pinned images, SITE_URL = Ingress', () => {
    const objs = renderStack(posthogStack, { domain: 'posthog.example.com' }, ctx('posthog'));
    const sts = objs.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name);
    expect(sts.sort()).toEqual(['posthog-clickhouse', 'posthog-kafka', 'posthog-postgres', 'posthog-redis', 'posthog-zookeeper']);
    for (const s of objs.filter((o) => o.kind === 'StatefulSet')) expect((s.spec as any).volumeClaimTemplates).toHaveLength(1);
    expect(objs.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['posthog-plugins', 'posthog-web', 'posthog-worker']);
    const jobs = objs.filter((o) => o.kind === 'Job');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.metadata.name).toMatch(/^posthog-migrate-[a-f0-9]{10}$/);
    const images = JSON.stringify(objs).match(/"image":"[^"]+"/g)!;
    for (const i of images) expect(i).toMatch(/:[^:"]+"$/), expect(i).not.toMatch(/:latest"/);
    expect(find(objs, 'ConfigMap', 'posthog-config').data.SITE_URL).toBe('https://posthog.example.com');
    expect(find(objs, 'Ingress', 'posthog').spec.rules[0].host).toBe('posthog.example.com');
    // no migrations in init containers of replicated pods except the read-only --check gate
    for (const d of objs.filter((o) => o.kind === 'Deployment')) {
      for (const ic of (d.spec as any).template.spec.initContainers ?? []) expect(ic.command.join(' ')).toContain('migrate --check');
    }
  });
  it('self-hosted reuses existing secrets and generates strong new ones otherwise', () => {
    const reuse = secretData(find(renderStack(posthogStack, { domain: 'p.example.com' }, ctx('posthog', { existingSecrets: { [POSTHOG_SECRET]: phSecrets } })), 'Secret', POSTHOG_SECRET));
    expect(reuse).toEqual(phSecrets);
    const a = secretData(find(renderStack(posthogStack, { domain: 'p.example.com' }, ctx('posthog')), 'Secret', POSTHOG_SECRET));
    const b = secretData(find(renderStack(posthogStack, { domain: 'p.example.com' }, ctx('posthog')), 'Secret', POSTHOG_SECRET));
    expect(a.SECRET_KEY!.length).toBeGreaterThanOrEqual(32);
    expect(a.ENCRYPTION_SALT_KEYS).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a.POSTHOG_DB_PASSWORD).not.toBe(b.POSTHOG_DB_PASSWORD);
  });
  it('the migration Job name changes with the PostHog version only', () => {
    const job = (v?: string) => renderStack(posthogStack, { domain: 'p.example.com', ...(v ? { posthogVersion: v } : {}) }, ctx('posthog')).find((o) => o.kind === 'Job')!.metadata.name;
    expect(job()).toBe(job());
    expect(job('release-1.43.1')).not.toBe(job());
  });
  it('ServiceMonitor only when the API exists; Ingress only with a domain', () => {
    const without = renderStack(modelRouterStack, mr, ctx('ns'));
    expect(without.map((o) => o.kind)).not.toContain('ServiceMonitor');
    expect(without.map((o) => o.kind)).not.toContain('Ingress');
    const withAll = renderStack(modelRouterStack, { ...mr, domain: 'r.example.com' }, ctx('ns', { capabilities: { serviceMonitor: true } }));
    expect(withAll.map((o) => o.kind)).toEqual(expect.arrayContaining(['ServiceMonitor', 'Ingress']));
    expect(find(withAll, 'Ingress', 'model-router').spec.tls).toEqual([]); // no issuer, no TLS secret promised
  });
  it('NetworkPolicy keeps DNS and HTTPS egress open', () => {
    const np = find(renderStack(modelRouterStack, mr, ctx('ns')), 'NetworkPolicy', 'model-router');
    const ports = np.spec.egress.flatMap((e: any) => e.ports.map((p: any) => `${p.protocol}/${p.port}`));
    expect(ports).toEqual(expect.arrayContaining(['UDP/53', 'TCP/53', 'TCP/443', 'TCP/8000', 'TCP/5432', 'TCP/6379']));
  });
});

describe('injection: values are data, never YAML', () => {
  const evil = ['a\n---\nkind: Secret', 'x: y', '{ a: 1 }', '---', "'quoted'", '&anchor *alias', '- item', 'key: [1, 2]', '${other}'];
  it.each(evil)('%j stays one scalar in the tree and in the printed YAML', (value) => {
    const tree = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { A: '${v}', B: 'pre-${v}-post' } };
    const out = fillTree(tree, { v: value }) as any;
    expect(out.data).toEqual({ A: value, B: `pre-${value}-post` });
    const printed = dump(out);
    const docs = loadAll(printed);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toEqual(out);
  });
  it('a hostile secret value cannot add objects to a rendered stack', () => {
    const hostile = 'pw\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: pwned';
    const objs = renderStack(modelRouterStack, { ...mr, dbPassword: hostile }, ctx('ns'));
    const normal = renderStack(modelRouterStack, mr, ctx('ns'));
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(normal.map((o) => `${o.kind}/${o.metadata.name}`));
    const printed = loadAll(manifestsText(objs, { json: false, showSecrets: true })).filter(Boolean) as KubeObject[];
    expect(printed).toHaveLength(objs.length);
    expect(secretData(find(objs, 'Secret', 'model-router-secrets')).DB_PASSWORD).toBe(hostile);
  });
  it('an undefined whole-scalar value removes the key instead of printing "undefined"', () => {
    expect(fillTree({ a: '${missing}', b: ['${missing}', 'x'], c: { $if: 'missing', d: 1 } }, {})).toEqual({ a: undefined, b: ['x'] }.a === undefined ? { b: ['x'] } : {});
  });
  it('masking keeps printed Secrets valid manifests', () => {
    const objs = renderStack(cloudStack, { posthogApiKey: KEY }, ctx('voicehelper-prod'));
    const masked = maskForDisplay(objs).find((o) => o.kind === 'Secret')!;
    expect(masked).not.toHaveProperty('data');
    expect((masked as any).stringData.POSTHOG_API_KEY).toMatch(/^<masked phc_…6789 \(\d+ bytes\)>$/);
  });
});

describe('masks reveal nothing of a secret but a PostHog project key hint', () => {
  it('a generated password that happens to look prefixed is still only its size', async () => {
    const { maskValue } = await import('../../src/manifests/finalize.js');
    for (const v of ['ab_cdefghijklmnopqrstuvwxyz0123', 'abc-defghijklmnopqrstuvwxyz0123', 'sk-abcdefghijklmnopqrstuvwxyz01', 'sk-ant-abcdefghijklmnopqrstuvwxyz']) {
      expect(maskValue(v)).toBe(`(${v.length} bytes)`);
    }
    expect(maskValue('phc_abcdefghijklmnopqrstu0123')).toBe('phc_…0123 (29 bytes)');
  });
});
