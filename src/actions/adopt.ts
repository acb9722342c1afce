// A deploy that finds an install deploy-posthog.sh made (docs/adopt.md): instead of a wall
// of field conflicts, it says what it found and what taking it over will do; it takes
// it over only when asked (--adopt, or yes on a terminal), as revision kind `adopt`.
import { ExitCode, InputError, OperationError, VhError } from '../errors.js';
import { dryRunObjects, FIELD_MANAGER, type ApplyResult } from '../k8s/apply.js';
import { planTakeover, templateClaim, volumeMoveProblems, type FoundLegacy, type TakeoverPlan } from '../k8s/takeover.js';
import type { Cluster } from '../k8s/client.js';
import { readObject } from '../k8s/discovery.js';
import { renderStack, type RenderContext } from '../stacks/stack.js';
import { registerSecret } from '../ui/redact.js';
import { runTakeover } from '../k8s/takeover-run.js';
import { keyOf, objectRef, rec, type KubeObject } from '../k8s/types.js';
import { deployCommandOf } from '../stacks/day2.js';
import { foundList } from './adopt-detect.js';
import { ingressUrls, Unhealthy, type DeployInput, type DeployResult } from './deploy.js';
import { runHealth, unhealthyLine } from './health.js';
import { preflightOperation, recorded, withStackLocks } from './lifecycle.js';
import { countActions, planDiff } from './plan.js';
import { withActionReason } from './reasons.js';
import { noteOf, type ActionContext } from './types.js';

const selectorText = (o: KubeObject) => {
  const s = rec(rec(o.spec).selector);
  const labels = rec(s.matchLabels ?? s);
  return Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`).join(',');
};
const name = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;

/** What taking over will do, one line per object, in the order it happens. Pure. */
export function takeoverLines(tp: TakeoverPlan): string[] {
  return [
    ...tp.takeOver.map((t) => `${name(t.live)}: becomes vh-deploy's (its fields pass to vh-deploy; what vh-deploy does not set is removed)`),
    ...tp.recreate.map(
      (r) =>
        `${name(r.live)}: its selector changes (${selectorText(r.live)} → ${selectorText(r.desired)}): deleted leaving its pods serving, vh-deploy's is created beside them, and the old pods go once the new ones are ready behind the Service`,
    ),
    ...tp.late.map((l) => `${name(l.live)}: becomes vh-deploy's; its selector moves to the new pods only once they are ready (never zero ready endpoints)`),
    ...tp.stopFirst.map((x) => `${name(x.live)}: stopped first (its pods gone), so its data never has two writers${x.replacement ? `; replaced by ${name(x.replacement)}` : ''}`),
    ...tp.data.map((d) => `${name(d.live)}: its PersistentVolume (and data) is kept: set to Retain, released, and bound to vh-deploy's PersistentVolumeClaim/${d.claim} (same volume, same uid)`),
    ...tp.remove.map((r) => `${name(r.live)}: deleted once the rest is in place${r.replacement ? ` (replaced by ${name(r.replacement)})` : ' (vh-deploy has no such object in this plan)'}`),
  ];
}

/** A workload to be re-created cannot be dry-run against the old one (its selector is immutable). */
function recreatedResult(desired: KubeObject): ApplyResult {
  const key = keyOf(desired);
  return { ref: objectRef(key), key, action: 'skipped', resourceVersion: '', note: 're-created: its selector changes' };
}

export async function adoptInstall(a: {
  input: DeployInput;
  ctx: ActionContext;
  objects: KubeObject[];
  found: readonly FoundLegacy[];
  common: { stack: string; namespace: string; context: string; started: number };
  rctx: RenderContext;
}): Promise<DeployResult> {
  const { input, ctx, found, common } = a;
  const { stack, values } = input;
  const { cluster, namespace, events } = ctx;
  const tool = stack.legacy?.tool ?? 'another tool';
  // Secrets the script held replace the ones vh-deploy would generate (kept if vh-deploy's exist).
  const carried = stack.legacy?.secrets?.(found) ?? {};
  for (const data of Object.values(carried)) for (const v of Object.values(data)) registerSecret(v);
  const objects = Object.keys(carried).length
    ? renderStack(stack, values, { ...a.rctx, existingSecrets: { ...carried, ...Object.fromEntries(Object.entries(a.rctx.existingSecrets).filter(([, v]) => v !== undefined)) } })
    : a.objects;
  const tp = planTakeover(found, objects);
  events.note(`found ${found.length} objects ${tool} made in namespace ${namespace}, and no vh-deploy revision of ${stack.name}; taking them over will:`);
  for (const l of takeoverLines(tp)) events.note(`  ${l}`);

  // Data that cannot move safely stops everything here, before any write.
  const problems = [...(stack.legacy?.dataProblems?.(found, values) ?? []), ...(await volumeProblems(cluster, tp, objects))];
  if (problems.length) {
    throw new OperationError(`the data of the install ${tool} made in namespace ${namespace} cannot be taken over safely; nothing was written:\n  - ${problems.join('\n  - ')}`, 'see docs/adopt.md, "Data volumes"');
  }

  // The dry run: forced only for the objects taken over; re-created workloads are new.
  const recreated = new Set(tp.recreate.map((r) => objectRef(r.desired)));
  const forced = new Set([...tp.takeOver, ...tp.late].map((t) => objectRef(t.desired)));
  const [plain, taken] = await Promise.all([
    dryRunObjects(cluster, objects.filter((o) => !recreated.has(objectRef(o)) && !forced.has(objectRef(o)))),
    dryRunObjects(cluster, objects.filter((o) => forced.has(objectRef(o))), { forceConflicts: true }),
  ]);
  // Claims that take an existing volume are created by their StatefulSet: its dry run covers them.
  const dry = [...plain, ...taken, ...tp.recreate.map((r) => recreatedResult(r.desired))];
  events.note(`plan: ${countActions(dry)}`);
  if (input.mode === 'server') return { ...common, mode: 'server', objects: dry };
  if (input.mode === 'diff') return { ...common, mode: 'diff', changes: await planDiff(cluster, objects, dry) };

  if (values.adopt !== true) {
    if (!ctx.confirm) {
      throw withActionReason(
        new InputError(`namespace ${namespace} holds an install made by ${tool} (${foundList(found)}); taking it over changes and deletes these objects, so it is done only when asked. Nothing was written`),
        { reason: 'adoptionNotAsked', stack: stack.name },
      );
    }
    if (!(await ctx.confirm(`Take over these ${found.length} objects of ${tool} as shown, in namespace ${namespace}${noteOf(ctx)}, and apply ${objects.length} objects (context ${cluster.contextName})?`))) {
      throw new VhError('cancelled; nothing was applied', ExitCode.interrupted);
    }
  } else if (ctx.confirm && !(await ctx.confirm(`Take over ${found.length} objects of ${tool} in namespace ${namespace}${noteOf(ctx)}, and apply ${objects.length} objects (context ${cluster.contextName})?`))) {
    throw new VhError('cancelled; nothing was applied', ExitCode.interrupted);
  }

  // The deletes of the take-over, checked before its first write like the plan's applies were
  // (a refusal half-way would leave the install between two owners).
  await preflightOperation(cluster, {
    namespace,
    objects: [],
    ui: events,
    preview: false,
    deletes: [...tp.recreate.map((r) => r.live), ...tp.stopFirst.map((x) => x.live), ...tp.data.map((d) => d.live), ...tp.remove.map((r) => r.live), ...tp.recreate.map(() => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: '*', namespace } }))],
  });

  const stacks = [...(stack.alsoLocks?.(values) ?? []), stack.name];
  try {
    return await withStackLocks({ cluster, stacks, namespace, ui: events, settings: ctx.lock }, (op) =>
      recorded(
        { cluster, stack, namespace, command: deployCommandOf(stack.name), description: `adopt: took over ${found.length} objects of ${tool}`, kind: 'adopt', values, objects, ui: events },
        async () => {
          const applied = await runTakeover(cluster, tp, objects, {
            fieldManager: FIELD_MANAGER,
            timeoutMs: input.timeoutMs,
            signal: op.signal,
            onEvent: (e) => events.progress(e),
            onStep: (line) => events.note(line),
          });
          const health = await runHealth(cluster, namespace, stack.health(values));
          if (health.some((h) => !h.ok)) throw new Unhealthy(applied, health, `${stack.name} is taken over but unhealthy: ${unhealthyLine(health)}`);
          return { ...common, mode: 'apply' as const, ok: true, objects: applied, health, urls: ingressUrls(objects) };
        },
      ),
    );
  } catch (e) {
    if (e instanceof Unhealthy) return { ...common, mode: 'apply', ok: false, objects: e.applied, health: e.health, urls: ingressUrls(objects), error: e.message };
    throw e;
  }
}

/** Each volume that passes to a claim of the plan: bound, big enough, of the same class, its target free. */
async function volumeProblems(cluster: Cluster, tp: TakeoverPlan, objects: readonly KubeObject[]): Promise<string[]> {
  const per = await Promise.all(
    tp.data.map(async (d) => {
      const pvName = typeof rec(d.live.spec).volumeName === 'string' ? (rec(d.live.spec).volumeName as string) : undefined;
      const [pv, existing] = await Promise.all([
        pvName ? readObject(cluster, { apiVersion: 'v1', kind: 'PersistentVolume', name: pvName }) : undefined,
        readObject(cluster, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: d.claim, namespace: d.live.metadata.namespace! }),
      ]);
      return volumeMoveProblems(d.live, pv, templateClaim(objects, d.claim), existing !== undefined);
    }),
  );
  return per.flat();
}
