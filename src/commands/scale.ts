// `vh-deploy scale STACK/WORKLOAD`: parse the target and --replicas or --min/--max, run
// the scale action (src/actions/scale.ts), print its result (src/ui/printers/scale.ts).
import type { Command } from 'commander';
import { scaleAction, type ScaleRequest } from '../actions/scale.js';
import { envName, SCALE_FIELDS } from '../config/fields.js';
import type { Source } from '../config/resolve.js';
import { labelWithSource } from '../config/sources.js';
import { InputError } from '../errors.js';
import { resolveWorkload } from '../stacks/day2.js';
import { showEvents } from '../ui/printers/events.js';
import { printScale } from '../ui/printers/scale.js';
import { day2Inputs, openCluster, targetFor } from './day2-support.js';

/**
 * Input-only checks, before any API call (exit 2). A value that came from the
 * environment or the config file says so: a VH_DEPLOY_REPLICAS left in the shell must
 * not read as if the user had typed --replicas.
 */
export function checkScaleRequest(req: ScaleRequest, sources: Readonly<Record<string, Source>> = {}): void {
  const label = (k: keyof ScaleRequest) => labelWithSource(k, req[k], sources[k]);
  if (req.replicas === undefined && req.min === undefined && req.max === undefined) throw new InputError('--replicas: give --replicas N (or --min/--max when an HPA scales the workload)');
  if (req.replicas !== undefined && (req.min !== undefined || req.max !== undefined)) {
    const range = (['min', 'max'] as const).filter((k) => req[k] !== undefined).map(label).join(' and ');
    const fromEnv = (['replicas', 'min', 'max'] as const).filter((k) => req[k] !== undefined && sources[k] === 'env').map((k) => envName(k));
    throw new InputError(`${label('replicas')} and ${range} are alternatives; give one${fromEnv.length ? ` (unset ${fromEnv.join(', ')})` : ''}`);
  }
  if (req.min !== undefined && req.max !== undefined && req.min > req.max) throw new InputError(`${label('min')} is greater than ${label('max')}`);
}

export async function runScale(cmd: Command, targetArg: string): Promise<void> {
  const ctx = await day2Inputs(cmd, SCALE_FIELDS);
  const { globals, values } = ctx.inputs;
  const { ops, workload, spec } = resolveWorkload(targetArg);
  const request: ScaleRequest = { replicas: values.replicas as number | undefined, min: values.min as number | undefined, max: values.max as number | undefined };
  checkScaleRequest(request, ctx.inputs.sources);
  const cluster = await openCluster(ctx);
  const target = targetFor(ctx, cluster, ops.stack.defaultNamespace);
  const events = await showEvents(ctx.ui, { timeoutMs: ctx.inputs.globals.timeoutMs });
  try {
    const result = await scaleAction(
      { ops, workload, spec, request, preview: globals.dryRun !== 'none' || globals.diff, timeoutMs: globals.timeoutMs, forceConflicts: globals.forceConflicts },
      { cluster, namespace: target.namespace, namespaceNote: target.note, events, lock: globals.lock },
    );
    events.stop();
    printScale(ctx.ui, result, target);
  } finally {
    events.stop();
    cluster.close();
  }
}
