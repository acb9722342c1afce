/// <reference path="../cluster/inject.d.ts" />
// `vh-deploy scale` on the real control plane: through /scale without an HPA; refused
// (exit 2, nothing changed) for --replicas under an HPA; the HPA's range with --min/--max,
// which the HPA controller then enforces. Each records a revision.
import { afterAll, describe, expect, it } from 'vitest';
import { deleteNamespaces } from '../cluster/e2e-helpers.js';
import { apps, autoscaling, cli, created, deployRouter, historyJson, kc, noSecrets, routerArgs, storedRevisions } from './support/day2.js';

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

describe('scale without an HPA', () => {
  it('sets replicas through /scale, waits for them, and records a revision', async () => {
    const ns = await deployRouter('e2e-d2-scale', ['--replicas', '2']);
    const r = await cli(['scale', 'model-router/model-router', '-n', ns, '--replicas', '4']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/model-router\/model-router scaled: replicas 2 → 4; Deployment\/.*\/model-router: 4 of 4 replicas available \(revision 2\)/);
    noSecrets(r);
    const d = await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns });
    expect(d.spec?.replicas).toBe(4);
    expect(d.status?.availableReplicas).toBe(4);
    // Written through the scale subresource, as kubectl scale does.
    expect((d.metadata?.managedFields ?? []).some((m) => m.manager === 'vh-deploy' && m.subresource === 'scale')).toBe(true);
    const h = await historyJson(ns);
    expect(h.map((x) => [x.revision, x.status, x.command])).toEqual([
      [1, 'superseded', 'model-router'],
      [2, 'deployed', 'scale'],
    ]);
    const { revisions } = await storedRevisions(ns, 'model-router');
    expect(revisions[1]!.values.replicas).toBe(4);
    expect(revisions[1]!.manifests.find((m) => m.kind === 'Deployment')).toMatchObject({ spec: { replicas: 4 } });
    // Same count again: nothing to do, nothing recorded.
    const again = await cli(['scale', 'model-router', '-n', ns, '--replicas', '4', '-o', 'json']);
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ ok: true, changed: false });
    expect((await historyJson(ns)).length).toBe(2);
    // --min on a workload without an HPA is bad input.
    const minNoHpa = await cli(['scale', 'model-router', '-n', ns, '--min', '2']);
    expect(minNoHpa.code).toBe(2);
    expect(minNoHpa.err).toMatch(/^error: --min: no HorizontalPodAutoscaler targets Deployment\/.*\/model-router; use --replicas N$/m);
    // A deploy that sets replicas again does not conflict with vh-deploy's own scale (the
    // same manager, through /scale): the deploy's value wins, as `helm upgrade` would do.
    // (A hand scale by another tool stays a conflict: proof-idempotence.)
    const redeploy = await cli(routerArgs(ns, { extra: ['--replicas', '2'] }));
    expect(redeploy.code, redeploy.err).toBe(0);
    expect((await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns })).spec?.replicas).toBe(2);
  });
});

describe('scale with an HPA', () => {
  it('refuses --replicas (exit 2, nothing written), then moves the range with --min/--max and waits for the HPA', async () => {
    const ns = await deployRouter('e2e-d2-hpa'); // default: HPA 3–10
    const refused = await cli(['scale', 'model-router/model-router', '-n', ns, '--replicas', '5']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/is scaled by HorizontalPodAutoscaler model-router \(min 3, max 10\); setting replicas would fight the autoscaler: change its range with --min\/--max/);
    expect((await historyJson(ns)).length).toBe(1);

    const r = await cli(['scale', 'model-router/model-router', '-n', ns, '--min', '4', '--max', '6', '-o', 'json'], {}, { timeoutMs: 150_000 });
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { ok: boolean; revision: number; change: { kind: string; to: { min: number; max: number } } };
    expect(doc).toMatchObject({ ok: true, revision: 2, change: { kind: 'hpa', to: { min: 4, max: 6 } } });
    const hpa = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'model-router', namespace: ns });
    expect([hpa.spec?.minReplicas, hpa.spec?.maxReplicas]).toEqual([4, 6]);
    const d = await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns });
    expect(d.spec?.replicas).toBeGreaterThanOrEqual(4);
    expect(d.status?.availableReplicas).toBe(d.spec?.replicas);
    // The HPA is changed by vh-deploy's own apply, so a later deploy does not conflict on it.
    expect((hpa.metadata?.managedFields ?? []).filter((m) => m.manager === 'vh-deploy').map((m) => m.operation)).toEqual(['Apply']);
    const { revisions } = await storedRevisions(ns, 'model-router');
    expect(revisions.at(-1)!.values).toMatchObject({ minReplicas: 4, maxReplicas: 6 });
    // min above max is bad input before any API call.
    const bad = await cli(['scale', 'model-router', '-n', ns, '--min', '7', '--max', '5']);
    expect(bad.code).toBe(2);
  });
});
