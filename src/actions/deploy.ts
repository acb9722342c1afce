// The deploy action (`cloud`, `self-hosted`, `model-router`; docs/architecture.md, "The
// pipeline"): preflight → read what must be reused → render → server dry run →
// (preview | confirm → lock → record → apply by dependencies and wait → health). It
// returns what happened; the printer (src/ui/printers/deploy.ts) says it.
import { ExitCode, VhError } from '../errors.js';
import { arr, rec, str, type KubeObject } from '../k8s/types.js';
import { dryRunObjects, liveStateOf, type ApplyResult } from '../k8s/apply.js';
import { deploy } from '../k8s/deploy.js';
import { assertPreflight, preflight } from '../k8s/preflight.js';
import { needsDefaultStorageClass } from '../k8s/storage.js';
import { changeLines, executeRecreate, planRecreate, recreatedResults } from '../k8s/recreate.js';
import { readSecretData } from '../k8s/secrets.js';
import { kebab } from '../config/fields.js';
import { secretRefOf, secretRefs } from '../config/secret-refs.js';
import { registerSecret } from '../ui/redact.js';
import { sourceNote } from '../config/sources.js';
import type { Source } from '../config/resolve.js';
import { assertKeyCheck, checkProjectKey } from '../stacks/posthog-key.js';
import { cloudHost } from '../stacks/posthog-connection/index.js';
import { deployCommandOf } from '../stacks/day2.js';
import { offlineContext, renderStack, type Stack } from '../stacks/stack.js';
import { securityInForce, settingsSummary } from '../stacks/settings-summary.js';
import { runHealth, unhealthyLine, type HealthResult } from './health.js';
import { failureLine, recorded, withStackLocks } from './lifecycle.js';
import { progressAndReruns } from './job-reruns.js';
import { countActions, planDiff, renderContext, SERVICE_MONITOR_API, type PlannedChange } from './plan.js';
import type { ActionContext } from './types.js';
import type { FoundLegacy } from '../k8s/takeover.js';
import { adoptInstall } from './adopt.js';
import { detectLegacy } from './adopt-detect.js';

export interface DeployInput {
  stack: Stack;
  values: Record<string, unknown>;
  /** Where each value came from, and the revision that filled the rest (for the summary). */
  sources: Readonly<Record<string, Source>>;
  recordedFrom?: number | undefined;
  /** The recorded values could not be read: a preview warns, a run that writes fails. */
  recordedUnread?: unknown;
  /** apply; server: validate the whole plan on the server and stop; diff: show the changes and stop. */
  mode: 'apply' | 'server' | 'diff';
  wait: boolean;
  timeoutMs: number;
  forceConflicts: boolean;
  /** Show every planned change before applying (verbose, or when the user is asked). */
  showChanges: boolean;
  /** The objects of a deploy-posthog.sh install found while reading the inputs (undefined: not looked for). */
  legacy?: readonly FoundLegacy[] | undefined;
}

interface Common {
  stack: string;
  namespace: string;
  context: string;
  started: number;
  /** The security settings in force per workload (docs/customising.md), from the rendered plan. */
  security?: Record<string, string>;
}

export type DeployResult =
  | (Common & { mode: 'server'; objects: ApplyResult[] })
  | (Common & { mode: 'diff'; changes: PlannedChange[] })
  /** `urls`: what the stack's Ingresses serve, for the report's next steps. */
  | (Common & { mode: 'apply'; ok: boolean; objects: ApplyResult[]; health: HealthResult[]; urls?: string[]; error?: string });

/** Unhealthy after the apply: the revision is recorded failed, the result still reports everything. */
export class Unhealthy extends Error {
  constructor(readonly applied: ApplyResult[], readonly health: HealthResult[], message: string) {
    super(message);
  }
}

export async function deployAction(input: DeployInput, ctx: ActionContext): Promise<DeployResult> {
  const { stack, values } = input;
  const { cluster, namespace, events } = ctx;
  const started = performance.now();
  const common: Common = { stack: stack.name, namespace, context: cluster.contextName, started };

  // A key check talks to PostHog, not the cluster.
  if (values.checkKey && typeof values.posthogApiKey === 'string') {
    assertKeyCheck(await checkProjectKey(cloudHost(values), values.posthogApiKey));
    events.note('✓ PostHog accepted the project API key');
  }
  if (cluster.insecureSkipTlsVerify) events.warn(`the kubeconfig disables TLS verification for ${cluster.server}`);
  const preview = input.mode !== 'apply';
  // Preflight on a provisional plan: same kinds, namespaces and claims as the real one.
  const provisional = renderStack(stack, values, offlineContext(namespace));
  const pf = await preflight(cluster, {
    objects: provisional,
    requireDefaultStorageClass: needsDefaultStorageClass(provisional),
    ...(typeof values.ingressClass === 'string' && { ingressClassName: values.ingressClass }),
    // Existing Secrets the user named: the pods' are read from the plan, these besides.
    secretKeys: secretRefs(stack.fields, values).map((r) => ({ namespace, name: r.name, key: r.key, usedBy: `input ${kebab(r.input)}` })),
    optionalGroups: [SERVICE_MONITOR_API],
    // A server dry run or a diff writes nothing: it needs neither watches nor the lock and records.
    ...(preview ? { willWait: false } : { willWait: input.wait, recordsIn: namespace }),
  });
  for (const c of pf.checks) if (!c.ok && c.severity === 'warning') events.warn(c.message);
  assertPreflight(pf);
  if (input.recordedUnread !== undefined) {
    if (!preview) throw input.recordedUnread;
    events.warn(`the values recorded by earlier runs could not be read (${failureLine(input.recordedUnread)}); this preview starts from the defaults`);
  }
  for (const c of pf.checks.filter((x) => x.ok)) events.note(`preflight: ${c.message}`, 'verbose');
  // The key kept in the user's Secret is read only to be checked, and never shown.
  const keyRef = secretRefOf(values, 'posthogApiKey');
  if (values.checkKey && keyRef) {
    const key = (await readSecretData(cluster, namespace, keyRef.name))?.[keyRef.key]?.toString('utf8') ?? '';
    registerSecret(key);
    assertKeyCheck(await checkProjectKey(cloudHost(values), key));
    events.note(`✓ PostHog accepted the project API key in Secret ${keyRef.name}`);
  }

  const serviceMonitor = Boolean(pf.optionalGroups[SERVICE_MONITOR_API]);
  const rctx = await renderContext(cluster, stack, values, namespace, serviceMonitor);
  let objects = renderStack(stack, values, rctx);
  if (stack.workloads) common.security = securityInForce(stack.workloads, objects);
  events.note(`${stack.name} → context ${cluster.contextName} (${cluster.server}), Kubernetes ${pf.version.gitVersion}`);
  for (const [label, value, keys] of [...stack.summary(values, rctx), ...settingsSummary(stack, values, objects)]) {
    // The namespace is no input of the stack: how it was chosen comes with the context.
    const note = label === 'namespace' ? (ctx.namespaceNote ?? '') : sourceNote(keys, input.sources, input.recordedFrom);
    events.note(`  ${label.padEnd(16)} ${value}${note ? ` ${note}` : ''}`);
  }
  if (input.recordedFrom !== undefined) events.note(`  values not given start from revision ${input.recordedFrom} (--reset-values: from the defaults)`);

  // An install deploy-posthog.sh made is taken over, not fought field by field (docs/adopt.md).
  const legacy = input.legacy ?? (await detectLegacy(cluster, stack, namespace));
  if (legacy.length) return adoptInstall({ input, ctx, objects, found: legacy, common, rctx });

  // The whole plan is validated by the server before the first write.
  // Immutable fields the plan would change: refused here, or recreated with consent (docs/day2.md).
  const rc = await planRecreate(cluster, objects, { recreate: values.recreate === true, storageClasses: pf.storageClasses });
  if (rc.changes.length) for (const l of changeLines(rc.changes)) events.note(`recreate: ${l}`);
  const dry = [...(await dryRunObjects(cluster, objects.filter((o) => !rc.recreate.some((r) => r.object === o)), { forceConflicts: input.forceConflicts })), ...recreatedResults(rc)];
  events.note(`plan: ${countActions(dry)}`);
  const standIn = dry.filter((r) => r.validatedIn);
  if (standIn.length) events.note(`dry run: ${standIn.length} objects validated in namespace ${standIn[0]!.validatedIn} (theirs does not exist yet)`);
  if (input.mode === 'server') return { ...common, mode: 'server', objects: dry };
  if (input.mode === 'diff') return { ...common, mode: 'diff', changes: await planDiff(cluster, objects, dry) };
  if (input.showChanges) for (const l of planLines(await planDiff(cluster, objects, dry))) events.note(l);
  if (ctx.confirm && !(await ctx.confirm(`Apply ${objects.length} objects to namespace ${namespace}${ctx.namespaceNote ? ` ${ctx.namespaceNote}` : ''} in context ${cluster.contextName}?`))) {
    throw new VhError('cancelled; nothing was applied', ExitCode.interrupted);
  }

  // Held from the first write to the end: one operation per stack at a time (rule 7).
  const namespaceObject = objects.find((x) => x.kind === 'Namespace' && x.metadata.name === namespace);
  const stacks = [...(stack.alsoLocks?.(values) ?? []), stack.name];
  try {
    return await withStackLocks({ cluster, stacks, namespace, ui: events, settings: ctx.lock, namespaceObject, knownLive: liveStateOf(dry) }, async (op) => {
      // Another run held the lock: re-read what it may have written (generated secrets, the connection).
      if (op.waited) objects = renderStack(stack, values, await renderContext(cluster, stack, values, namespace, serviceMonitor));
      const description = input.wait ? 'deploy' : 'deploy (--no-wait: readiness not checked)';
      return recorded({ cluster, stack, namespace, command: deployCommandOf(stack.name), description, values, objects, ui: events }, async (rec) => {
        await executeRecreate(cluster, rc, { signal: op.signal, note: (l) => events.note(l) });
        const { applied } = await deploy(cluster, objects, {
          skipDryRun: !op.waited,
          ...(!op.waited && { dryRunResults: dry }),
          ...(op.namespaceCreated && { done: new Map([[op.namespaceCreated.ref, op.namespaceCreated]]) }),
          timeoutMs: input.timeoutMs,
          wait: input.wait,
          forceConflicts: input.forceConflicts,
          signal: op.signal,
          onEvent: progressAndReruns(rec, events),
        });
        // Without waiting, pods may not be up yet: health checks would only report noise.
        const health = input.wait ? await runHealth(cluster, namespace, stack.health(values)) : [];
        if (health.some((h) => !h.ok)) throw new Unhealthy(applied, health, `${stack.name} is deployed but unhealthy: ${unhealthyLine(health)}`);
        return { ...common, mode: 'apply' as const, ok: true, objects: applied, health, urls: ingressUrls(objects) };
      });
    });
  } catch (e) {
    if (e instanceof Unhealthy) return { ...common, mode: 'apply', ok: false, objects: e.applied, health: e.health, urls: ingressUrls(objects), error: e.message };
    throw e;
  }
}

/** The URLs the plan's Ingresses serve: https where their TLS covers the host. Pure. */
export function ingressUrls(objects: readonly KubeObject[]): string[] {
  const urls: string[] = [];
  for (const o of objects.filter((x) => x.kind === 'Ingress')) {
    const spec = rec(o.spec);
    const tlsHosts = new Set(arr(spec.tls).flatMap((t) => arr(rec(t).hosts).map(String)));
    for (const rule of arr(spec.rules)) {
      const host = str(rec(rule).host);
      if (host) urls.push(`${tlsHosts.has(host) ? 'https' : 'http'}://${host}`);
    }
  }
  return [...new Set(urls)];
}

/** One planned change as the lines a person reads. Pure. */
export function changeText(c: PlannedChange): string {
  const head = `${c.ref} (${c.action}${c.note ? `; ${c.note}` : ''})`;
  return c.lines.length ? `${head}\n${c.lines.map((l) => `    ${l}`).join('\n')}` : head;
}

/**
 * The planned changes as lines: a note that several new objects share (`namespace X is
 * created by this plan`) is said once, above them, not on every object. Pure.
 */
export function planLines(changes: readonly PlannedChange[]): string[] {
  const byNote = new Map<string, PlannedChange[]>();
  for (const c of changes) if (c.note && c.lines.length === 0) byNote.set(c.note, [...(byNote.get(c.note) ?? []), c]);
  const out: string[] = [];
  for (const c of changes) {
    const group = c.note ? byNote.get(c.note) : undefined;
    if (!group || group.length < 2 || c.lines.length) {
      out.push(changeText(c));
    } else if (group[0] === c) {
      out.push(`${group.length} new objects (${c.note}):`, ...group.map((g) => `    ${g.ref}`));
    }
  }
  return out;
}
