// The cluster half of `cloud`, `self-hosted` and `model-router`:
// connect → preflight → read what must be reused → render → server dry run →
// summary + confirm → apply group by group with waits → health → report.
// Loaded lazily: importing it pulls in the Kubernetes engine.
import { InputError, OperationError, VhError, ExitCode } from '../errors.js';
import type { Cluster } from '../k8s/client.js';
import { deploy } from '../k8s/deploy.js';
import { dryRunObjects, liveStateOf, type ApplyResult } from '../k8s/apply.js';
import { proxyGet } from '../k8s/health.js';
import { readObject } from '../k8s/discovery.js';
import { diffObjects, formatChanges } from '../manifests/diff.js';
import { assertPreflight, preflight } from '../k8s/preflight.js';
import { readSecretData } from '../k8s/secrets.js';
import type { KubeObject } from '../k8s/types.js';
import { assertKeyCheck, checkProjectKey } from '../stacks/posthog-key.js';
import { CONNECTION_NAME, cloudHost } from '../stacks/posthog-connection.js';
import { offlineContext, renderStack, type RenderContext, type Stack } from '../stacks/stack.js';
import type { HealthCheck } from '../stacks/health.js';
import { createProgress } from '../ui/progress.js';
import { registerSecret } from '../ui/redact.js';
import { chalk, type Ui } from '../ui/output.js';
import type { CommandInputs } from './inputs.js';
import { failureLine, recorded, withStackLocks } from '../actions/lifecycle.js';
import { deployCommandOf } from '../stacks/day2.js';
import { sourceNote } from '../config/sources.js';

const SERVICE_MONITOR_API = 'monitoring.coreos.com/v1';

export interface HealthResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export async function deployStack(o: { stack: Stack; inputs: CommandInputs; namespace: string; ui: Ui; cluster: Cluster; recordedUnread?: unknown }): Promise<void> {
  const { stack, inputs, namespace, ui, cluster } = o;
  const { globals, values } = inputs;
  const started = performance.now();

  // A key check talks to PostHog, not the cluster: do it before touching the cluster.
  if (values.checkKey && typeof values.posthogApiKey === 'string') {
    assertKeyCheck(await checkProjectKey(cloudHost(values), values.posthogApiKey));
    ui.note(`${chalk.green('✓')} PostHog accepted the project API key`);
  }

  try {
    if (cluster.insecureSkipTlsVerify) ui.warn(`the kubeconfig disables TLS verification for ${cluster.server}`);
    const previewOnly = globals.dryRun === 'server' || globals.diff;
    // Preflight on a provisional plan: same kinds and namespaces as the real one.
    const provisional = renderStack(stack, values, offlineContext(namespace));
    const pf = await preflight(cluster, {
      objects: provisional,
      requireDefaultStorageClass: stack.name === 'posthog' && values.storageClass === undefined,
      ...(typeof values.ingressClass === 'string' && { ingressClassName: values.ingressClass }),
      optionalGroups: [SERVICE_MONITOR_API],
      // A server dry run or a diff writes nothing: it needs neither watches nor the lock and records.
      ...(previewOnly ? { willWait: false } : { willWait: globals.wait, recordsIn: namespace }),
    });
    for (const c of pf.checks) if (!c.ok && c.severity === 'warning') ui.warn(c.message);
    assertPreflight(pf);
    // The recorded values could not be read, yet the preflight passed (a preview needs no
    // access to the records): a preview says so; a run that writes stops here.
    if (o.recordedUnread !== undefined) {
      if (!previewOnly) throw o.recordedUnread;
      ui.warn(`the values recorded by earlier runs could not be read (${failureLine(o.recordedUnread)}); this preview starts from the defaults`);
    }
    if (globals.verbose) for (const c of pf.checks.filter((x) => x.ok)) ui.note(`preflight: ${c.message}`);

    const serviceMonitor = Boolean(pf.optionalGroups[SERVICE_MONITOR_API]);
    const ctx = await renderContext(cluster, stack, values, namespace, serviceMonitor);
    let objects = renderStack(stack, values, ctx);

    ui.note(`${chalk.bold(stack.name)} → context ${cluster.contextName} (${cluster.server}), Kubernetes ${pf.version.gitVersion}`);
    for (const [label, value, keys] of stack.summary(values, ctx)) {
      const note = sourceNote(keys, inputs.sources, inputs.recordedFrom);
      ui.note(`  ${label.padEnd(16)} ${value}${note ? ` ${chalk.dim(note)}` : ''}`);
    }
    if (inputs.recordedFrom !== undefined) ui.note(chalk.dim(`  values not given start from revision ${inputs.recordedFrom} (--reset-values: from the defaults)`));

    // The whole plan is validated by the server before the first write.
    const dry = await dryRunObjects(cluster, objects, { forceConflicts: globals.forceConflicts });
    const counts = countActions(dry);
    ui.note(`plan: ${counts}`);
    if (globals.dryRun === 'server') {
      report(ui, { stack: stack.name, namespace, context: cluster.contextName, dryRun: 'server', objects: dry, health: [], started, inputs });
      return;
    }
    if (globals.diff || (inputs.prompter && !globals.yes) || globals.verbose) {
      const changes = await planDiff(cluster, objects, dry);
      if (globals.diff) {
        if (ui.json) ui.document({ stack: stack.name, namespace, context: cluster.contextName, changes });
        else for (const c of changes) ui.out(c.lines.length ? `${c.ref} (${c.action})\n${c.lines.map((l) => `    ${l}`).join('\n')}` : `${c.ref} (${c.action})`);
        return;
      }
      for (const c of changes) ui.note(c.lines.length ? `${c.ref} (${c.action})\n${c.lines.map((l) => `    ${l}`).join('\n')}` : `${c.ref} (${c.action})`);
    }
    if (inputs.prompter && !globals.yes) {
      const go = await inputs.prompter.confirm({ message: `Apply ${objects.length} objects to ${cluster.contextName}?`, default: true });
      if (!go) throw new VhError('cancelled; nothing was applied', ExitCode.interrupted);
    }

    // Held from the first write to the end: one operation per stack at a time (rule 7).
    const namespaceObject = objects.find((x) => x.kind === 'Namespace' && x.metadata.name === namespace);
    const stacks = [...(stack.alsoLocks?.(values) ?? []), stack.name];
    await withStackLocks({ cluster, stacks, namespace, ui, settings: globals.lock, namespaceObject, knownLive: liveStateOf(dry) }, async (op) => {
      // Another run held the lock: re-read what it may have written (generated secrets, the connection).
      if (op.waited) objects = renderStack(stack, values, await renderContext(cluster, stack, values, namespace, serviceMonitor));
      await recorded({ cluster, stack, namespace, command: deployCommandOf(stack.name), description: globals.wait ? 'deploy' : 'deploy (--no-wait: readiness not checked)', values, objects, ui }, async () => {
        const progress = await createProgress(ui);
        let applied: ApplyResult[];
        try {
          ({ applied } = await deploy(cluster, objects, {
            skipDryRun: !op.waited,
            ...(!op.waited && { dryRunResults: dry }),
            ...(op.namespaceCreated && { done: new Map([[op.namespaceCreated.ref, op.namespaceCreated]]) }),
            timeoutMs: globals.timeoutMs,
            wait: globals.wait,
            forceConflicts: globals.forceConflicts,
            signal: op.signal,
            onEvent: (e) => progress.event(e),
          }));
        } finally {
          progress.stop();
        }
        // Without waiting, pods may not be up yet: health checks would only report noise.
        const health = globals.wait ? await runHealth(cluster, namespace, stack.health(values)) : [];
        report(ui, { stack: stack.name, namespace, context: cluster.contextName, dryRun: 'none', objects: applied, health, started, inputs });
        const bad = health.filter((h) => !h.ok);
        if (bad.length) {
          throw new OperationError(
            `${stack.name} is deployed but unhealthy: ${bad.map((h) => `${h.name}: ${h.detail}`).join('; ')}`,
            `check the pods' logs; re-run \`vh-deploy verify ${stack.name}\` once fixed`,
          );
        }
      });
    });
  } finally {
    cluster.close();
  }
}

/** Reads what the render must reuse: generated secrets, and the PostHog connection. */
export async function renderContext(cluster: Cluster, stack: Stack, values: Record<string, unknown>, namespace: string, serviceMonitor: boolean): Promise<RenderContext> {
  const existingSecrets: RenderContext['existingSecrets'] = {};
  for (const name of stack.reusedSecrets) {
    const data = await readSecretData(cluster, namespace, name);
    if (!data) continue;
    existingSecrets[name] = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('utf8')]));
    for (const v of Object.values(existingSecrets[name]!)) registerSecret(v);
  }
  const ctx: RenderContext = { namespace, existingSecrets, capabilities: { serviceMonitor } };
  // The Model Router reads the connection that `cloud` (or an earlier run) wrote; without
  // --posthog-host it must already exist, or the pods would fail on a missing ConfigMap.
  if (stack.name === 'model-router' && values.posthogHost === undefined) {
    const cm = await cluster.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${CONNECTION_NAME}`);
    const secret = await readSecretData(cluster, namespace, CONNECTION_NAME);
    if (cm.status === 404 || !secret) {
      throw new InputError(`--posthog-host: no PostHog connection in namespace ${namespace} (ConfigMap/Secret ${CONNECTION_NAME}); run \`vh-deploy cloud\` first, or give --posthog-host and --posthog-api-key`);
    }
    for (const v of Object.values(secret)) registerSecret(v.toString('utf8'));
    const cmObj = cm.json<KubeObject>();
    const secretObj: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: CONNECTION_NAME, namespace }, data: Object.fromEntries(Object.entries(secret).map(([k, v]) => [k, v.toString('base64')])) };
    ctx.external = [cmObj, secretObj];
  }
  return ctx;
}

export interface PlannedChange {
  ref: string;
  action: string;
  lines: string[];
}

/** What applying would change, per object, from the server's dry-run answers. */
export async function planDiff(cluster: Cluster, objects: KubeObject[], dry: ApplyResult[]): Promise<PlannedChange[]> {
  const out: PlannedChange[] = [];
  for (const r of dry) {
    if (r.action === 'unchanged') continue;
    if (r.action !== 'configured' || !r.object) {
      out.push({ ref: r.ref, action: r.action === 'skipped' ? `new; ${r.note ?? 'skipped in the dry run'}` : 'new', lines: [] });
      continue;
    }
    const live = await readObject(cluster, r.key);
    if (!live) continue;
    // The dry-run answer carries no Secret data; the rendered object has it.
    const rendered = objects.find((o) => o.kind === r.key.kind && o.metadata.name === r.key.name);
    const next = r.object.kind === 'Secret' && rendered ? { ...r.object, data: rendered.data } : r.object;
    out.push({ ref: r.ref, action: 'changed', lines: formatChanges(diffObjects(live, next)) });
  }
  return out;
}

/**
 * Runs the stack's health checks through the API server's service proxy. Right after
 * the pods turn ready the endpoints controller may not have published them yet (seconds
 * after a control-plane restart): "no endpoints available" is the API server's answer,
 * not the app's, so it is retried until `settleMs`; every answer from the app is final.
 */
export async function runHealth(cluster: Cluster, namespace: string, checks: HealthCheck[], settleMs = 30_000): Promise<HealthResult[]> {
  const deadline = Date.now() + settleMs;
  return Promise.all(
    checks.map(async (c) => {
      for (let attempt = 0; ; attempt++) {
        const r = await proxyGet(cluster, { namespace, service: c.service, port: c.port, path: c.path, timeoutMs: 10_000 });
        if (r.proxyError && /no endpoints available/i.test(r.proxyError) && Date.now() < deadline) {
          await new Promise((res) => setTimeout(res, Math.min(200 * 2 ** attempt, 2_000)));
          continue;
        }
        const problem = r.proxyError ? `the API server answered: ${r.proxyError}` : r.error ?? c.judge(r.status, r.body);
        return { name: c.name, ok: !problem, detail: problem ?? `HTTP ${r.status}`, ms: r.ms };
      }
    }),
  );
}

export function countActions(results: ApplyResult[]): string {
  const n: Record<string, number> = {};
  for (const r of results) n[r.action] = (n[r.action] ?? 0) + 1;
  return Object.entries(n).map(([k, v]) => `${v} ${k === 'created' ? 'to create' : k === 'configured' ? 'to change' : k}`).join(', ') || 'nothing';
}

function report(ui: Ui, r: { stack: string; namespace: string; context: string; dryRun: 'none' | 'server'; objects: ApplyResult[]; health: HealthResult[]; started: number; inputs: CommandInputs }): void {
  const durationMs = Math.round(performance.now() - r.started);
  if (ui.json) {
    ui.document({
      ok: r.health.every((h) => h.ok),
      stack: r.stack,
      namespace: r.namespace,
      context: r.context,
      dryRun: r.dryRun,
      objects: r.objects.map((o) => ({ ref: o.ref, action: o.action, ...(o.note && { note: o.note }) })),
      health: r.health,
      // Where each input came from (flag, env, config, prompt, recorded, default); never values.
      sources: r.inputs.sources,
      ...(r.inputs.recordedFrom !== undefined && { recordedFrom: r.inputs.recordedFrom }),
      durationMs,
    });
    return;
  }
  if (r.dryRun === 'server') {
    for (const o of r.objects) ui.out(`${o.ref} ${o.action}${o.note ? ` (${o.note})` : ''} (server dry run)`);
    return;
  }
  for (const h of r.health) ui.out(`${h.ok ? chalk.green('✓') : chalk.red('✗')} ${h.name}: ${h.detail} (${h.ms} ms)`);
  const changed = r.objects.filter((o) => o.action !== 'unchanged').length;
  ui.out(`${r.stack} ready in namespace ${r.namespace}: ${r.objects.length} objects, ${changed} changed (${(durationMs / 1000).toFixed(1)} s)`);
}
