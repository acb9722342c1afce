// `vh-deploy upgrade posthog --version TAG` / `upgrade model-router --image-tag TAG |
// --image REF`: re-renders the stack from the last *successful* revision's values, the
// secrets read from the cluster (never from a revision) and the new version; applies
// it in order (PostHog's migration Job, whose name hashes the image, completes before
// web/worker roll), waits and checks health. On failure it rolls back automatically to
// that revision (Helm's --rollback-on-failure, on by default here), names both the
// failure and the rollback, and exits 4. Replica counts are left as they are.
import type { Command } from 'commander';
import { ExitCode, OperationError, VhError } from '../errors.js';
import { dryRunObjects, type ApplyResult } from '../k8s/apply.js';
import type { Cluster } from '../k8s/client.js';
import { deploy } from '../k8s/deploy.js';
import { hasGroupVersion, readObject } from '../k8s/discovery.js';
import { finishRevision, lastSuccessful, listRevisions, startRevision, type Revision } from '../k8s/revisions.js';
import { readSecretData } from '../k8s/secrets.js';
import { num, rec, type KubeObject } from '../k8s/types.js';
import { resolveStackOps, type StackOps, type UpgradeRequest } from '../stacks/day2.js';
import { renderStack } from '../stacks/stack.js';
import { createProgress } from '../ui/progress.js';
import { chalk, type Ui } from '../ui/output.js';
import { registerSecret } from '../ui/redact.js';
import { InputError } from '../errors.js';
import { day2Inputs, durationMs, notDeployed, openCluster, ReportedError } from './day2-support.js';
import { countActions, planDiff, renderContext, runHealth } from './deploy-stack.js';
import { executeRollback, planRevision, upgradeAccess } from './rollback.js';
import { failureLine, preflightOperation, previewOrLocked, revisionDraft } from '../actions/lifecycle.js';

const SERVICE_MONITOR_API = 'monitoring.coreos.com/v1';

/** The base values plus each secret read from its Secret in the cluster. */
export async function valuesWithSecrets(cluster: Cluster, ops: StackOps, namespace: string, base: Record<string, unknown>): Promise<Record<string, unknown>> {
  const values = { ...base };
  const cache = new Map<string, Promise<Record<string, Buffer> | undefined>>();
  for (const src of ops.secretSources) {
    if (src.when && !src.when(values)) continue;
    let p = cache.get(src.secret);
    if (!p) cache.set(src.secret, (p = readSecretData(cluster, namespace, src.secret)));
    const v = (await p)?.[src.dataKey]?.toString('utf8');
    if (v) {
      registerSecret(v);
      values[src.key] = v;
    }
  }
  const missing = ops.stack.required(values, false).filter((k) => values[k] === undefined || values[k] === '');
  if (missing.length) {
    const where = missing.map((k) => {
      const s = ops.secretSources.find((x) => x.key === k);
      return s ? `${k} (Secret ${s.secret} key ${s.dataKey})` : k;
    });
    throw new OperationError(`cannot re-render ${ops.stack.name} for the upgrade: no value for ${where.join(', ')}`, `re-run \`vh-deploy ${ops.deployCommand}\` with the full inputs instead`);
  }
  return values;
}

/** An upgrade changes versions, not scale: every Deployment/StatefulSet keeps its live replica count. */
export async function keepLiveReplicas(cluster: Cluster, objects: KubeObject[]): Promise<void> {
  for (const o of objects) {
    if ((o.kind !== 'Deployment' && o.kind !== 'StatefulSet') || num(rec(o.spec).replicas) === undefined) continue;
    const live = await readObject(cluster, { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace && { namespace: o.metadata.namespace }) });
    const have = num(rec(live?.spec).replicas);
    if (have !== undefined) o.spec = { ...rec(o.spec), replicas: have };
  }
}

/**
 * Why the operation was stopped rather than failed, if it was: Ctrl-C (exit 130) or a
 * lost lock, whichever error surfaced. The signal's reason is the stop itself, even when
 * what threw was a request it cut short.
 */
function stopped(e: unknown, signal: AbortSignal): VhError | undefined {
  if (e instanceof VhError && e.exitCode === ExitCode.interrupted) return e;
  if (!signal.aborted) return undefined;
  return signal.reason instanceof VhError ? signal.reason : new VhError(String(signal.reason));
}

function report(ui: Ui, doc: Record<string, unknown>, lines: string[]): void {
  if (ui.json) ui.document(doc);
  else for (const l of lines) ui.out(l);
}

export async function runUpgrade(cmd: Command, stackName: string, opts: { imageTag?: string; image?: string; rollbackOnFailure?: boolean }): Promise<void> {
  const ctx = await day2Inputs(cmd);
  const { globals, prompter } = ctx.inputs;
  const { ui } = ctx;
  const ops = resolveStackOps(stackName);
  if (!ops.upgrade) throw new InputError(`upgrade: ${ops.stack.name} has no version to upgrade; re-run \`vh-deploy ${ops.deployCommand}\` to change it`);
  // `--version TAG` is parsed by the program (it is also `vh-deploy --version`).
  const version = cmd.optsWithGlobals().version as unknown;
  const req: UpgradeRequest = { version: typeof version === 'string' ? version : undefined, imageTag: opts.imageTag, image: opts.image };
  ops.upgrade.check(req);
  const upgrade = ops.upgrade;
  const rollbackOnFailure = opts.rollbackOnFailure !== false;
  const settings = globals.lock;
  const namespace = globals.namespace ?? ops.stack.defaultNamespace;
  const preview = globals.dryRun !== 'none' || globals.diff;
  const cluster = await openCluster(ctx);
  try {
    const run = async (signal: AbortSignal) => {
      const revs = await listRevisions(cluster, namespace, ops.stack.name);
      const base = lastSuccessful(revs);
      if (!base) {
        if (revs.length === 0) throw notDeployed(ops.stack.name, namespace, ops.deployCommand);
        throw new OperationError(`no successful revision of ${ops.stack.name} to upgrade from (history: ${revs.map((r) => `${r.revision} ${r.status}`).join(', ')})`, `deploy it with \`vh-deploy ${ops.deployCommand}\` first`);
      }
      const values = await valuesWithSecrets(cluster, ops, namespace, base.values);
      const next = upgrade.apply(values, req);
      const serviceMonitor = await hasGroupVersion(cluster, SERVICE_MONITOR_API);
      const objects = renderStack(ops.stack, next.values, await renderContext(cluster, ops.stack, next.values, namespace, serviceMonitor));
      await keepLiveReplicas(cluster, objects);
      // Every verb the upgrade and its automatic rollback need, before the first write.
      await preflightOperation(cluster, { namespace, ui, preview, signal, ...upgradeAccess(objects, base, rollbackOnFailure) });
      const from = `${base.version ?? '?'} (revision ${base.revision})`;
      ui.note(`${chalk.bold(ops.stack.name)} in ${namespace} (context ${cluster.contextName}): ${from} → ${next.version}`);
      const dry = await dryRunObjects(cluster, objects, { forceConflicts: globals.forceConflicts, signal });
      ui.note(`plan: ${countActions(dry)}`);
      if (preview || globals.verbose || (prompter && !globals.yes)) {
        const changes = await planDiff(cluster, objects, dry);
        for (const c of changes) ui.note(c.lines.length ? `${c.ref} (${c.action})\n${c.lines.map((l) => `    ${l}`).join('\n')}` : `${c.ref} (${c.action})`);
        if (preview) {
          report(ui, { ok: true, dryRun: true, stack: ops.stack.name, namespace, from: { revision: base.revision, version: base.version }, to: { version: next.version }, changes }, [
            `would upgrade ${ops.stack.name} from ${from} to ${next.version} (dry run; nothing written)`,
          ]);
          return;
        }
      }
      if (prompter && !globals.yes) {
        const go = await prompter.confirm({ message: `Upgrade ${ops.stack.name} to ${next.version}?`, default: true });
        if (!go) throw new VhError('cancelled; nothing was applied', ExitCode.interrupted);
      }

      let rev: Revision = await startRevision(cluster, revisionDraft({ stack: ops.stack, namespace, command: 'upgrade', description: `upgrade to ${next.version}`, values: next.values, objects }));
      let applied: ApplyResult[] = [];
      try {
        const progress = await createProgress(ui);
        try {
          ({ applied } = await deploy(cluster, objects, { skipDryRun: true, timeoutMs: globals.timeoutMs, forceConflicts: globals.forceConflicts, signal, onEvent: (e) => progress.event(e) }));
        } finally {
          progress.stop();
        }
        const health = await runHealth(cluster, namespace, ops.stack.health(next.values));
        const bad = health.filter((h) => !h.ok);
        if (bad.length) throw new OperationError(`${ops.stack.name} ${next.version} is unhealthy: ${bad.map((h) => `${h.name}: ${h.detail}`).join('; ')}`);
        // The upgrade itself succeeded: failing to write its record must not roll it back.
        rev = await finishRevision(cluster, rev, 'deployed').catch((err: unknown) => {
          ui.warn(`could not record revision ${rev.revision} of ${ops.stack.name} as deployed: ${failureLine(err)}`);
          return { ...rev, status: 'deployed' as const };
        });
        const changed = applied.filter((a) => a.action !== 'unchanged').length;
        report(
          ui,
          { ok: true, stack: ops.stack.name, namespace, revision: rev.revision, from: { revision: base.revision, version: base.version }, to: { version: next.version }, objects: applied.map((a) => ({ ref: a.ref, action: a.action })), health, durationMs: durationMs(ctx) },
          [
            ...health.map((h) => `${h.ok ? chalk.green('✓') : chalk.red('✗')} ${h.name}: ${h.detail} (${h.ms} ms)`),
            `${ops.stack.name} upgraded from ${from} to ${next.version} (revision ${rev.revision}): ${applied.length} objects, ${changed} changed (${(durationMs(ctx) / 1000).toFixed(1)} s)`,
          ],
        );
        return;
      } catch (e) {
        const cause = e instanceof Error ? e.message : String(e);
        rev = await finishRevision(cluster, rev, 'failed', { error: failureLine(e) }).catch(() => rev);
        // Ctrl-C (or a lost lock) stops here: the user asked to stop, not to roll back,
        // and the stop keeps its exit code (130 for Ctrl-C).
        const stop = stopped(e, signal);
        if (!rollbackOnFailure || stop) {
          throw new VhError(
            `upgrade of ${ops.stack.name} to ${next.version} ${stop ? 'stopped' : 'failed'} (revision ${rev.revision}, left in place${stop ? '; no automatic rollback' : ': --no-rollback-on-failure'}):\n  ${cause.split('\n').join('\n  ')}`,
            stop?.exitCode ?? ExitCode.failed,
            `roll back with \`vh-deploy rollback ${ops.stack.name}\` (to revision ${base.revision})`,
          );
        }
        ui.warn(`upgrade to ${next.version} failed: ${failureLine(e)}`);
        ui.note(`${chalk.bold('==>')} rolling back to revision ${base.revision} (${base.version ?? base.description})`);
        let rb;
        try {
          const plan = await planRevision(cluster, ops.stack.name, base, objects);
          rb = await executeRollback(cluster, { ops, namespace, ui, globals, plan, current: rev, signal, description: `automatic rollback to ${base.revision} (upgrade to ${next.version} failed)` });
        } catch (rbErr) {
          throw new VhError(
            `upgrade of ${ops.stack.name} to ${next.version} failed, and the automatic rollback to revision ${base.revision} ${stopped(rbErr, signal) ? 'was stopped' : 'failed too'}:\n  upgrade: ${cause.split('\n').join('\n  ')}\n  rollback: ${(rbErr instanceof Error ? rbErr.message : String(rbErr)).split('\n').join('\n  ')}`,
            stopped(rbErr, signal)?.exitCode ?? ExitCode.failed,
            `see \`vh-deploy history ${ops.stack.name}\`; try \`vh-deploy rollback ${ops.stack.name} --to-revision ${base.revision}\``,
          );
        }
        const message = `upgrade of ${ops.stack.name} to ${next.version} failed and was rolled back to revision ${base.revision} (${base.version ?? base.description}), recorded as revision ${rb.revision.revision}:\n  ${cause.split('\n').join('\n  ')}`;
        report(
          ui,
          {
            ok: false,
            exitCode: ExitCode.rolledBack,
            stack: ops.stack.name,
            namespace,
            error: message,
            failed: { revision: rev.revision, version: next.version, error: failureLine(e) },
            rolledBack: { to: base.revision, version: base.version, revision: rb.revision.revision, health: rb.health },
            durationMs: durationMs(ctx),
          },
          [`${ops.stack.name} rolled back to revision ${base.revision} (${base.version ?? base.description}); the failed upgrade is revision ${rev.revision}`],
        );
        throw new ReportedError(message, ExitCode.rolledBack, `fix the cause, then upgrade again; \`vh-deploy history ${ops.stack.name}\` shows both revisions`);
      }
    };
    await previewOrLocked({ cluster, stack: ops.stack, namespace, ui, settings, preview }, run);
  } finally {
    cluster.close();
  }
}
