// `vh-deploy scale STACK/WORKLOAD`: replicas through the /scale subresource, or — when
// an HPA scales the workload — the HPA's range (--min/--max); never replicas under an
// HPA. Waits for the result and records a revision. inputs → plan → apply/wait → report.
import type { Command } from 'commander';
import { SCALE_FIELDS } from '../config/fields.js';
import { InputError, OperationError } from '../errors.js';
import { applyObject } from '../k8s/apply.js';
import { sleep, type Cluster } from '../k8s/client.js';
import { readObject } from '../k8s/discovery.js';
import { currentRevision, listRevisions } from '../k8s/revisions.js';
import { describeScale, findHpaFor, hpaRange, planChanges, planScale, readScale, withinRange, writeScale, type ScalePlan, type ScaleRequest } from '../k8s/scale.js';
import { objectStatus } from '../k8s/status.js';
import { num, objectRef, rec, type KubeObject, type ObjectKey } from '../k8s/types.js';
import { waitForObjects } from '../k8s/wait.js';
import { resolveWorkload, type ScalableWorkload } from '../stacks/day2.js';
import { chalk } from '../ui/output.js';
import { day2Inputs, durationMs, openCluster } from './day2-support.js';
import { preflightOperation, recorded, withStackLock } from '../actions/lifecycle.js';

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

/** The recorded values with the change applied, so a later upgrade keeps the count. Pure. */
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

/** Input-only checks, before any API call (exit 2). */
export function checkScaleRequest(req: ScaleRequest): void {
  if (req.replicas === undefined && req.min === undefined && req.max === undefined) throw new InputError('--replicas: give --replicas N (or --min/--max when an HPA scales the workload)');
  if (req.replicas !== undefined && (req.min !== undefined || req.max !== undefined)) throw new InputError('--replicas: --replicas and --min/--max are alternatives; give one');
  if (req.min !== undefined && req.max !== undefined && req.min > req.max) throw new InputError(`--min: ${req.min} is greater than --max ${req.max}`);
}

async function currentPlan(cluster: Cluster, key: ObjectKey, req: ScaleRequest): Promise<{ plan: ScalePlan; resourceVersion: string }> {
  const scale = await readScale(cluster, key);
  if (!scale) throw new OperationError(`${objectRef(key)} does not exist`, 'deploy the stack first, or pass the namespace it runs in with -n');
  const hpa = await findHpaFor(cluster, key);
  return { plan: planScale(objectRef(key), req, { replicas: scale.replicas, hpa: hpa && hpaRange(hpa) }), resourceVersion: scale.resourceVersion };
}

/** Waits until the HPA has moved its target inside the new range (it syncs every ~15 s). */
async function waitForRange(cluster: Cluster, key: ObjectKey, range: { min: number; max: number }, timeoutMs: number, signal: AbortSignal, note: (l: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const live = await readObject(cluster, key, signal);
    if (!live) throw new OperationError(`${objectRef(key)} was deleted while waiting`);
    const replicas = num(rec(live.spec).replicas) ?? 1;
    if (withinRange(replicas, range)) return;
    const line = `${objectRef(key)}: ${replicas} replicas, waiting for the HPA to move it into ${range.min}–${range.max}`;
    if (line !== last) note(`    … ${line}`);
    last = line;
    if (Date.now() > deadline) {
      throw new OperationError(`timed out after ${Math.round(timeoutMs / 1000)} s: ${objectRef(key)} still has ${replicas} replicas, outside the HPA range ${range.min}–${range.max}`, 'the HPA controller adjusts the count on its next sync; check `kubectl describe hpa`');
    }
    await sleep(1000, signal);
  }
}

export async function runScale(cmd: Command, target: string): Promise<void> {
  const ctx = await day2Inputs(cmd, SCALE_FIELDS);
  const { globals, values } = ctx.inputs;
  const { ui } = ctx;
  const { ops, workload, spec } = resolveWorkload(target);
  const req: ScaleRequest = { replicas: values.replicas as number | undefined, min: values.min as number | undefined, max: values.max as number | undefined };
  checkScaleRequest(req);
  const settings = globals.lock;
  const namespace = globals.namespace ?? ops.stack.defaultNamespace;
  const key: ObjectKey = { apiVersion: 'apps/v1', kind: spec.kind, name: spec.name, namespace };
  const ref = objectRef(key);
  const cluster = await openCluster(ctx);
  try {
    // Decide before locking, so a request that does not fit is exit 2 with nothing written.
    const first = await currentPlan(cluster, key, req);
    const name = `${ops.stack.name}/${workload}`;
    if (!planChanges(first.plan) || globals.dryRun !== 'none' || globals.diff) {
      const what = planChanges(first.plan) ? `would change ${describeScale(first.plan)} (dry run; nothing written)` : `already at ${describeScale(first.plan).replace(/.* → /, '')}; nothing to change`;
      if (ui.json) ui.document({ ok: true, stack: ops.stack.name, namespace, workload: name, target: ref, change: first.plan, changed: false, durationMs: durationMs(ctx) });
      else ui.out(`${name} (${ref}): ${what}`);
      return;
    }
    // Every verb the change and its wait need, before the first write (the lock): /scale,
    // or the HPA; watching the workload and its pods; the lock and the records.
    const workloadObject: KubeObject = { apiVersion: key.apiVersion, kind: key.kind, metadata: { name: key.name, namespace } };
    const hpa: KubeObject | undefined = first.plan.kind === 'hpa' ? { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: first.plan.hpa, namespace } } : undefined;
    await preflightOperation(cluster, { namespace, ui, preview: false, ...(hpa ? { objects: [hpa], awaits: [workloadObject] } : { objects: [], scales: [workloadObject] }) });
    let revision: number | undefined;
    let plan = first.plan;
    await withStackLock({ cluster, stack: ops.stack.name, namespace, ui, settings }, async (op) => {
      // Re-read under the lock: another run may have changed it while we waited.
      const fresh = await currentPlan(cluster, key, req);
      plan = fresh.plan;
      const base = currentRevision(await listRevisions(cluster, namespace, ops.stack.name));
      const work = async () => {
        ui.note(`${chalk.bold('==>')} ${name}: ${describeScale(plan)}`);
        if (plan.kind === 'replicas') {
          await writeScale(cluster, key, plan.to, fresh.resourceVersion);
        } else {
          const hpaName = plan.hpa;
          const hpaKey: ObjectKey = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: hpaName, namespace };
          const recordedHpa = base?.manifests.find((m) => m.kind === 'HorizontalPodAutoscaler' && m.metadata.name === hpaName);
          if (recordedHpa) {
            // The same field manager that deploys it, so a later deploy does not conflict.
            await applyObject(cluster, scaledManifests([recordedHpa], spec, plan)[0]!, { forceConflicts: globals.forceConflicts, signal: op.signal });
          } else {
            const t = await readObject(cluster, hpaKey, op.signal);
            if (!t) throw new OperationError(`${objectRef(hpaKey)} disappeared`);
            await cluster.requestOk('PATCH', `/apis/autoscaling/v2/namespaces/${encodeURIComponent(namespace)}/horizontalpodautoscalers/${encodeURIComponent(plan.hpa)}`, {
              body: { spec: { minReplicas: plan.to.min, maxReplicas: plan.to.max } },
              contentType: 'application/merge-patch+json',
              query: { fieldManager: 'vh-deploy' },
              what: objectRef(hpaKey),
            });
          }
          await waitForRange(cluster, key, plan.to, globals.timeoutMs, op.signal, (l) => ui.note(l));
        }
        await waitForObjects(cluster, [key], {
          timeoutMs: globals.timeoutMs,
          signal: op.signal,
          onProgress: (p) => ui.note(`    ${p.state === 'ready' ? chalk.green('✓') : p.state === 'failed' ? chalk.red('✗') : chalk.dim('…')} ${p.ref}: ${p.message}`),
        });
      };
      if (!base) {
        ui.warn(`no revision of ${ops.stack.name} is recorded in ${namespace}; the change is made but not recorded (deploy with vh-deploy to start a history)`);
        await work();
        return;
      }
      await recorded(
        {
          cluster,
          stack: ops.stack,
          namespace,
          command: 'scale',
          description: `scale ${workload}: ${describeScale(plan)}`,
          values: scaledValues(base.values, spec, plan),
          objects: scaledManifests(base.manifests, spec, plan),
          ui,
        },
        async (r) => {
          revision = r.revision.revision;
          await work();
        },
      );
    });
    const live = await readObject(cluster, key);
    const status = live ? objectStatus(live).message : '';
    if (ui.json) ui.document({ ok: true, stack: ops.stack.name, namespace, workload: name, target: ref, change: plan, changed: true, ...(revision !== undefined && { revision }), status, durationMs: durationMs(ctx) });
    else ui.out(`${name} scaled: ${describeScale(plan)}; ${ref}: ${status}${revision !== undefined ? ` (revision ${revision})` : ''}`);
  } finally {
    cluster.close();
  }
}
