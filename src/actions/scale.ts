// The scale action (`vh-deploy scale STACK/WORKLOAD`, docs/day2.md): replicas through the
// /scale subresource, or — when an HPA scales the workload — the HPA's range; never
// replicas under an HPA. Decided before the lock (a request that does not fit writes
// nothing), decided again under it, then written, waited for and recorded as a revision
// in the shared frame (./lifecycle.ts). It returns what happened; the printer
// (src/ui/printers/scale.ts) says it.
import { OperationError } from '../errors.js';
import { applyObject } from '../k8s/apply.js';
import { sleep, type Cluster } from '../k8s/client.js';
import { readObject } from '../k8s/discovery.js';
import { currentRevision, listRevisions } from '../k8s/revisions.js';
import { describeScale, findHpaFor, hpaRange, planChanges, planScale, readScale, withinRange, writeScale, type ScalePlan, type ScaleRequest } from '../k8s/scale.js';
import { objectStatus } from '../k8s/status.js';
import { num, objectRef, rec, type KubeObject, type ObjectKey } from '../k8s/types.js';
import { waitForObjects } from '../k8s/wait.js';
import type { ScalableWorkload, StackOps } from '../stacks/day2.js';
import { preflightOperation, recorded, withStackLock } from './lifecycle.js';
import { noteOf, type ActionContext, type ActionEvents } from './types.js';

export type { ScaleRequest };

export interface ScaleInput {
  ops: StackOps;
  /** The workload's name within the stack (`model-router`, `web`, …). */
  workload: string;
  spec: ScalableWorkload;
  request: ScaleRequest;
  /** Decide and report only; write nothing (a dry run or a diff). */
  preview: boolean;
  timeoutMs: number;
  forceConflicts: boolean;
}

export interface ScaleResult {
  ok: true;
  stack: string;
  namespace: string;
  /** STACK/WORKLOAD. */
  workload: string;
  /** The workload object, Kind/namespace/name. */
  target: string;
  change: ScalePlan;
  /** Written; false for a preview and for a request that changes nothing. */
  changed: boolean;
  preview: boolean;
  /** The revision that records the change (none when the stack has no history). */
  revision?: number;
  /** The workload's status after the change. */
  status?: string;
  started: number;
}

/** The recorded manifests with the change applied. Pure. */
export function scaledManifests(manifests: readonly KubeObject[], w: ScalableWorkload, plan: ScalePlan): KubeObject[] {
  return manifests.map((m) => {
    if (plan.kind === 'replicas' && m.kind === w.kind && m.metadata.name === w.name) return { ...m, spec: { ...rec(m.spec), replicas: plan.to } };
    if (plan.kind === 'hpa' && m.kind === 'HorizontalPodAutoscaler' && m.metadata.name === plan.hpa) {
      return { ...m, spec: { ...rec(m.spec), minReplicas: plan.to.min, maxReplicas: plan.to.max } };
    }
    return m;
  });
}

/** The recorded values with the change applied, so a later upgrade or deploy keeps the count. Pure. */
export function scaledValues(values: Record<string, unknown>, w: ScalableWorkload, plan: ScalePlan): Record<string, unknown> {
  const keys = w.valueKeys;
  if (!keys) return values;
  const out = { ...values };
  if (plan.kind === 'replicas') {
    out[keys.replicas] = plan.to;
    if (keys.min) delete out[keys.min];
    if (keys.max) delete out[keys.max];
  } else if (keys.min && keys.max) {
    out[keys.min] = plan.to.min;
    out[keys.max] = plan.to.max;
  }
  return out;
}

async function currentPlan(cluster: Cluster, key: ObjectKey, req: ScaleRequest): Promise<{ plan: ScalePlan; resourceVersion: string }> {
  const scale = await readScale(cluster, key);
  if (!scale) throw new OperationError(`${objectRef(key)} does not exist`, 'deploy the stack first, or pass the namespace it runs in with -n');
  const hpa = await findHpaFor(cluster, key);
  return { plan: planScale(objectRef(key), req, { replicas: scale.replicas, hpa: hpa && hpaRange(hpa) }), resourceVersion: scale.resourceVersion };
}

/** Waits until the HPA has moved its target inside the new range (it syncs every ~15 s). */
async function waitForRange(cluster: Cluster, key: ObjectKey, range: { min: number; max: number }, timeoutMs: number, signal: AbortSignal, events: ActionEvents): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ref = objectRef(key);
  let last = '';
  for (;;) {
    const live = await readObject(cluster, key, signal);
    if (!live) throw new OperationError(`${ref} was deleted while waiting`);
    const replicas = num(rec(live.spec).replicas) ?? 1;
    if (withinRange(replicas, range)) return;
    const message = `${replicas} replicas, waiting for the HPA to move it into ${range.min}–${range.max}`;
    if (message !== last) events.progress({ type: 'progress', progress: { ref, state: 'progressing', message } });
    last = message;
    if (Date.now() > deadline) {
      throw new OperationError(`timed out after ${Math.round(timeoutMs / 1000)} s: ${ref} still has ${replicas} replicas, outside the HPA range ${range.min}–${range.max}`, 'the HPA controller adjusts the count on its next sync; check `kubectl describe hpa`');
    }
    await sleep(1000, signal);
  }
}

/** Writes the change (the /scale subresource, or the HPA's range) and waits for the workload. */
async function applyScale(ctx: ActionContext, input: ScaleInput, key: ObjectKey, plan: ScalePlan, resourceVersion: string, recordedHpa: KubeObject | undefined, signal: AbortSignal): Promise<void> {
  const { cluster, namespace, events } = ctx;
  events.note(`==> ${input.ops.stack.name}/${input.workload} in namespace ${namespace}${noteOf(ctx)}, context ${cluster.contextName}: ${describeScale(plan)}`);
  if (plan.kind === 'replicas') {
    await writeScale(cluster, key, plan.to, resourceVersion);
  } else {
    const hpaKey: ObjectKey = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: plan.hpa, namespace };
    if (recordedHpa) {
      // The same field manager that deploys it, so a later deploy does not conflict.
      await applyObject(cluster, scaledManifests([recordedHpa], input.spec, plan)[0]!, { forceConflicts: input.forceConflicts, signal });
    } else {
      const t = await readObject(cluster, hpaKey, signal);
      if (!t) throw new OperationError(`${objectRef(hpaKey)} disappeared`);
      await cluster.requestOk('PATCH', `/apis/autoscaling/v2/namespaces/${encodeURIComponent(namespace)}/horizontalpodautoscalers/${encodeURIComponent(plan.hpa)}`, {
        body: { spec: { minReplicas: plan.to.min, maxReplicas: plan.to.max } },
        contentType: 'application/merge-patch+json',
        query: { fieldManager: 'vh-deploy' },
        what: objectRef(hpaKey),
      });
    }
    await waitForRange(cluster, key, plan.to, input.timeoutMs, signal, events);
  }
  await waitForObjects(cluster, [key], { timeoutMs: input.timeoutMs, signal, onProgress: (progress) => events.progress({ type: 'progress', progress }) });
}

export async function scaleAction(input: ScaleInput, ctx: ActionContext): Promise<ScaleResult> {
  const { cluster, namespace, events } = ctx;
  const started = performance.now();
  const { ops, spec } = input;
  const key: ObjectKey = { apiVersion: 'apps/v1', kind: spec.kind, name: spec.name, namespace };
  const about = { ok: true as const, stack: ops.stack.name, namespace, workload: `${ops.stack.name}/${input.workload}`, target: objectRef(key), started };

  // Decide before locking, so a request that does not fit is bad input with nothing written.
  const first = await currentPlan(cluster, key, input.request);
  if (!planChanges(first.plan) || input.preview) return { ...about, change: first.plan, changed: false, preview: input.preview };

  // Every verb the change and its wait need, before the first write (the lock): /scale,
  // or the HPA; watching the workload and its pods; the lock and the records.
  const workloadObject: KubeObject = { apiVersion: key.apiVersion, kind: key.kind, metadata: { name: key.name, namespace } };
  const hpa: KubeObject | undefined = first.plan.kind === 'hpa' ? { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: first.plan.hpa, namespace } } : undefined;
  await preflightOperation(cluster, { namespace, ui: events, preview: false, ...(hpa ? { objects: [hpa], awaits: [workloadObject] } : { objects: [], scales: [workloadObject] }) });

  let revision: number | undefined;
  let plan = first.plan;
  await withStackLock({ cluster, stack: ops.stack.name, namespace, ui: events, settings: ctx.lock }, async (op) => {
    // Re-read under the lock: another run may have changed it while we waited.
    const fresh = await currentPlan(cluster, key, input.request);
    const now = fresh.plan;
    plan = now;
    const base = currentRevision(await listRevisions(cluster, namespace, ops.stack.name));
    const recordedHpa = now.kind === 'hpa' ? base?.manifests.find((m) => m.kind === 'HorizontalPodAutoscaler' && m.metadata.name === now.hpa) : undefined;
    const work = () => applyScale(ctx, input, key, now, fresh.resourceVersion, recordedHpa, op.signal);
    if (!base) {
      events.warn(`no revision of ${ops.stack.name} is recorded in ${namespace}; the change is made but not recorded (deploy with vh-deploy to start a history)`);
      await work();
      return;
    }
    await recorded(
      {
        cluster,
        stack: ops.stack,
        namespace,
        command: 'scale',
        description: `scale ${input.workload}: ${describeScale(now)}`,
        values: scaledValues(base.values, spec, now),
        objects: scaledManifests(base.manifests, spec, now),
        ui: events,
      },
      async (r) => {
        revision = r.revision.revision;
        await work();
      },
    );
  });
  const live = await readObject(cluster, key);
  return { ...about, change: plan, changed: true, preview: false, ...(revision !== undefined && { revision }), status: live ? objectStatus(live).message : '' };
}
