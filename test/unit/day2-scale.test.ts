// `scale` decisions: replicas vs HPA range, refusals, and how the recorded revision
// (manifests + values) follows the change. Plus stack/workload names and upgrade inputs.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { reasonOf } from '../../src/k8s/reasons.js';
import { describeScale, hpaRange, planChanges, planScale, withinRange, type ScaleRequest } from '../../src/k8s/scale.js';
import { inCliTerms } from '../../src/commands/engine-errors.js';
import { checkScaleRequest } from '../../src/commands/scale.js';
import { scaledManifests, scaledValues } from '../../src/actions/scale.js';
import { resolveStackOps, resolveWorkload, STACK_OPS } from '../../src/stacks/day2.js';
import { withImageTag } from '../../src/stacks/images.js';
import { modelRouterStack } from '../../src/stacks/model-router/index.js';
import { offlineContext, renderStack } from '../../src/stacks/stack.js';
import type { KubeObject } from '../../src/k8s/types.js';

const REF = 'Deployment/ns/web';
const hpa = { name: 'web', min: 3, max: 10 };

/** What planScale throws: the engine's reason, and the message the CLI shows for it. */
function refusal(req: ScaleRequest, current: Parameters<typeof planScale>[2]) {
  let err: unknown;
  try {
    planScale(REF, req, current);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  const engineMessage = (err as Error).message;
  return { reason: reasonOf(err), engineMessage, cli: inCliTerms(err as Error).message };
}

describe('planScale', () => {
  it('sets replicas when no HPA targets the workload', () => {
    expect(planScale(REF, { replicas: 5 }, { replicas: 2 })).toEqual({ kind: 'replicas', from: 2, to: 5 });
    expect(planScale(REF, { replicas: 0 }, { replicas: 2 })).toEqual({ kind: 'replicas', from: 2, to: 0 });
  });
  it('refuses replicas under an HPA, naming it, its range and what to do instead', () => {
    const r = refusal({ replicas: 5 }, { replicas: 3, hpa });
    expect(r.reason).toEqual({ reason: 'scaleRefused', refusal: { kind: 'replicasUnderHpa', ref: REF, hpa } });
    expect(r.engineMessage).not.toMatch(/--/);
    expect(r.cli).toBe(
      '--replicas: Deployment/ns/web is scaled by HorizontalPodAutoscaler web (min 3, max 10); setting replicas would fight the autoscaler: change its range with --min/--max instead (nothing was changed)',
    );
  });
  it('moves the HPA range, keeping the bound not given', () => {
    expect(planScale(REF, { min: 4 }, { replicas: 3, hpa })).toEqual({ kind: 'hpa', hpa: 'web', from: { min: 3, max: 10 }, to: { min: 4, max: 10 } });
    expect(planScale(REF, { max: 6 }, { replicas: 3, hpa })).toEqual({ kind: 'hpa', hpa: 'web', from: { min: 3, max: 10 }, to: { min: 3, max: 6 } });
  });
  it('refuses a range without an HPA, min above the kept max, and empty requests (the CLI names the flags)', () => {
    const cases = [
      refusal({ min: 2 }, { replicas: 3 }),
      refusal({ min: 12 }, { replicas: 3, hpa }),
      refusal({ min: 12, max: 11 }, { replicas: 3, hpa }),
      refusal({}, { replicas: 3 }),
      refusal({ replicas: 2, min: 1 }, { replicas: 3 }),
    ];
    expect(cases.map((c) => c.reason)).toEqual([
      { reason: 'scaleRefused', refusal: { kind: 'rangeWithoutHpa', ref: REF } },
      { reason: 'scaleRefused', refusal: { kind: 'minAboveMax', min: 12, max: 10, maxFromHpa: true } },
      { reason: 'scaleRefused', refusal: { kind: 'minAboveMax', min: 12, max: 11, maxFromHpa: false } },
      { reason: 'scaleRefused', refusal: { kind: 'nothingAsked' } },
      { reason: 'scaleRefused', refusal: { kind: 'replicasAndRange' } },
    ]);
    expect(cases.filter((c) => c.engineMessage.includes('--'))).toEqual([]);
    expect(cases.map((c) => c.cli)).toEqual([
      '--min: no HorizontalPodAutoscaler targets Deployment/ns/web; use --replicas N',
      "--min: 12 is greater than the maximum 10 (the HPA's current --max)",
      '--min: 12 is greater than the maximum 11',
      '--replicas: give --replicas N (or --min/--max when an HPA scales the workload)',
      '--replicas: --replicas and --min/--max are alternatives; give one',
    ]);
  });
  it('input-only checks run before any API call', () => {
    expect(() => checkScaleRequest({})).toThrow(InputError);
    expect(() => checkScaleRequest({ replicas: 1, max: 3 })).toThrow(/alternatives/);
    expect(() => checkScaleRequest({ min: 5, max: 3 })).toThrow(/^--min 5 is greater than --max 3$/);
    // A value from the environment or the config file says so (issue 13, item 8).
    expect(() => checkScaleRequest({ replicas: 3, min: 4 }, { replicas: 'env', min: 'flag' })).toThrow(/^--replicas 3 \(from VH_DEPLOY_REPLICAS\) and --min 4 are alternatives; give one \(unset VH_DEPLOY_REPLICAS\)$/);
    expect(() => checkScaleRequest({ min: 5, max: 3 }, { min: 'flag', max: 'config' })).toThrow(/^--min 5 is greater than --max 3 \(from config key max\)$/);
    expect(() => checkScaleRequest({ min: 3, max: 5 })).not.toThrow();
  });
  it('no-op detection, descriptions and range checks', () => {
    expect(planChanges({ kind: 'replicas', from: 3, to: 3 })).toBe(false);
    expect(planChanges({ kind: 'hpa', hpa: 'w', from: { min: 3, max: 10 }, to: { min: 3, max: 10 } })).toBe(false);
    expect(describeScale({ kind: 'replicas', from: 2, to: 5 })).toBe('replicas 2 → 5');
    expect(describeScale({ kind: 'hpa', hpa: 'w', from: { min: 3, max: 10 }, to: { min: 4, max: 6 } })).toBe('HPA w range 3–10 → 4–6');
    expect([withinRange(3, { min: 4, max: 6 }), withinRange(4, { min: 4, max: 6 }), withinRange(7, { min: 4, max: 6 })]).toEqual([false, true, false]);
    expect(hpaRange({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { minReplicas: 2, maxReplicas: 8 } })).toEqual({ name: 'h', min: 2, max: 8 });
  });
});

describe('the scale revision follows the change', () => {
  const base = {
    image: 'registry.example.com/model-router:1.4.2',
    dbHost: 'pg',
    dbPort: 5432,
    dbName: 'model_router',
    dbUser: 'router',
    dbSslMode: 'require',
    dbPassword: 'pw-unit-1',
    redisAddr: 'redis:6379',
    posthogHost: 'https://eu.i.posthog.com',
    posthogApiKey: 'phc_unitUNITunitUNITunit0123',
  };
  const w = resolveWorkload('model-router/model-router').spec;
  const find = (objs: KubeObject[], kind: string) => objs.find((o) => o.kind === kind)!;
  it('HPA range: the recorded HPA and minReplicas/maxReplicas values change; the Deployment keeps no replicas', () => {
    const objs = renderStack(modelRouterStack, base, offlineContext('ns'));
    const plan = { kind: 'hpa' as const, hpa: 'model-router', from: { min: 3, max: 10 }, to: { min: 4, max: 6 } };
    const m = scaledManifests(objs, w, plan);
    expect(find(m, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 4, maxReplicas: 6 });
    expect((find(m, 'Deployment').spec as Record<string, unknown>).replicas).toBeUndefined();
    expect(scaledValues(base, w, plan)).toMatchObject({ minReplicas: 4, maxReplicas: 6 });
    // The input is untouched, and a re-render from the new values agrees with the manifest.
    expect(find(objs, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
    expect(find(renderStack(modelRouterStack, scaledValues(base, w, plan), offlineContext('ns')), 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 4, maxReplicas: 6 });
  });
  it('fixed replicas: the Deployment and the replicas value change, HPA values are dropped', () => {
    const fixed = { ...base, replicas: 2 };
    const objs = renderStack(modelRouterStack, fixed, offlineContext('ns'));
    const plan = { kind: 'replicas' as const, from: 2, to: 5 };
    expect((find(scaledManifests(objs, w, plan), 'Deployment').spec as Record<string, unknown>).replicas).toBe(5);
    const v = scaledValues({ ...fixed, minReplicas: 3 }, w, plan);
    expect(v.replicas).toBe(5);
    expect(v.minReplicas).toBeUndefined();
  });
  it('PostHog workloads record their count in their own value key, so a re-run of self-hosted keeps it', () => {
    const web = resolveWorkload('posthog/web').spec;
    const d: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'posthog-web' }, spec: { replicas: 2 } };
    const vals = { domain: 'p.example.com', webReplicas: 2, workerReplicas: 1 };
    expect(scaledValues(vals, web, { kind: 'replicas', from: 2, to: 4 })).toEqual({ domain: 'p.example.com', webReplicas: 4, workerReplicas: 1 });
    expect(vals.webReplicas).toBe(2); // pure: the input is not changed
    expect((scaledManifests([d], web, { kind: 'replicas', from: 2, to: 4 })[0]!.spec as Record<string, unknown>).replicas).toBe(4);
  });
});

describe('stack and workload names', () => {
  it('resolves STACK/WORKLOAD, aliases, and a stack with one workload', () => {
    expect(resolveWorkload('model-router/model-router').spec).toEqual(expect.objectContaining({ kind: 'Deployment', name: 'model-router' }));
    expect(resolveWorkload('model-router').workload).toBe('model-router');
    expect(resolveWorkload('posthog/web').spec.name).toBe('posthog-web');
    expect(resolveWorkload('posthog/plugin-server').spec.name).toBe('posthog-plugins');
    expect(resolveWorkload('self-hosted/worker').spec.name).toBe('posthog-worker');
  });
  it('names what exists when the name is wrong', () => {
    expect(() => resolveWorkload('posthog')).toThrow(/^STACK\/WORKLOAD: name the workload of posthog: posthog\/web, posthog\/worker, posthog\/plugins$/);
    expect(() => resolveWorkload('posthog/clickhouse')).toThrow(/has no workload "clickhouse"/);
    expect(() => resolveWorkload('cloud')).toThrow(/posthog-connection has no workloads to scale/);
    expect(() => resolveStackOps('postgres')).toThrow(/^stack: unknown stack "postgres"; expected posthog-connection \(or cloud\), posthog \(or self-hosted\), model-router$/);
  });
  it('every stack has ops, and its deploy command', () => {
    expect(STACK_OPS.map((o) => [o.stack.name, o.deployCommand])).toEqual([
      ['posthog', 'self-hosted'],
      ['model-router', 'model-router'],
      ['posthog-connection', 'cloud'],
    ]);
  });
});

describe('upgrade inputs', () => {
  const mr = resolveStackOps('model-router').upgrade!;
  const ph = resolveStackOps('posthog').upgrade!;
  it('model-router: --image-tag keeps the repository (tag or digest), --image replaces it', () => {
    const values = { image: 'registry.example.com:5000/team/model-router:1.4.2' };
    expect(mr.apply(values, { imageTag: '1.5.0' })).toEqual({ values: { image: 'registry.example.com:5000/team/model-router:1.5.0' }, version: '1.5.0' });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(mr.apply(values, { imageTag: digest }).values.image).toBe(`registry.example.com:5000/team/model-router@${digest}`);
    expect(mr.apply(values, { image: 'other.example.com/mr:2.0.0' }).values.image).toBe('other.example.com/mr:2.0.0');
    expect(withImageTag(`r.example.com/x@${digest}`, '3')).toBe('r.example.com/x:3');
  });
  it('model-router: exactly one of --image-tag / --image, validated; --posthog-version is for posthog', () => {
    expect(() => mr.check({})).toThrow(/^--image-tag: give either --image-tag TAG or --image REF$/);
    expect(() => mr.check({ imageTag: '1', image: 'a/b:1' })).toThrow(/either/);
    expect(() => mr.check({ imageTag: 'latest' })).toThrow(/^--image-tag: the latest tag is not reproducible.*; got "latest"$/);
    expect(() => mr.check({ image: 'registry.example.com/model-router' })).toThrow(/^--image: expected a tag or digest/);
    expect(() => mr.check({ version: '1.2' })).toThrow(/^--posthog-version: is for posthog/);
    expect(() => mr.check({ imageTag: '1.5.0' })).not.toThrow();
  });
  it('posthog: --posthog-version TAG, validated; image flags are for model-router', () => {
    expect(ph.apply({ domain: 'p.example.com' }, { version: 'release-1.44.0' })).toEqual({ values: { domain: 'p.example.com', posthogVersion: 'release-1.44.0' }, version: 'release-1.44.0' });
    expect(() => ph.check({})).toThrow(/^--posthog-version: give the PostHog image tag/);
    expect(() => ph.check({ version: 'latest' })).toThrow(/^--posthog-version: the latest tag/);
    expect(() => ph.check({ version: 'bad tag' })).toThrow(/^--posthog-version: expected an image tag/);
    expect(() => ph.check({ imageTag: '1' })).toThrow(/^--image-tag: is for model-router/);
    expect(resolveStackOps('cloud').upgrade).toBeUndefined();
  });
});
