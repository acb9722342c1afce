// `vh-deploy scale STACK/WORKLOAD`: parse the target and --replicas or --min/--max, run
// the scale action (src/actions/scale.ts), print its result (src/ui/printers/scale.ts).
import type { Command } from 'commander';
import { scaleAction, type ScaleRequest } from '../actions/scale.js';
import { SCALE_FIELDS } from '../config/fields.js';
import { InputError } from '../errors.js';
import { resolveWorkload } from '../stacks/day2.js';
import { showEvents } from '../ui/printers/events.js';
import { printScale } from '../ui/printers/scale.js';
import { day2Inputs, openCluster } from './day2-support.js';

/** Input-only checks, before any API call (exit 2). */
export function checkScaleRequest(req: ScaleRequest): void {
  if (req.replicas === undefined && req.min === undefined && req.max === undefined) throw new InputError('--replicas: give --replicas N (or --min/--max when an HPA scales the workload)');
  if (req.replicas !== undefined && (req.min !== undefined || req.max !== undefined)) throw new InputError('--replicas: --replicas and --min/--max are alternatives; give one');
  if (req.min !== undefined && req.max !== undefined && req.min > req.max) throw new InputError(`--min: ${req.min} is greater than --max ${req.max}`);
}

export async function runScale(cmd: Command, target: string): Promise<void> {
  const ctx = await day2Inputs(cmd, SCALE_FIELDS);
  const { globals, values } = ctx.inputs;
  const { ops, workload, spec } = resolveWorkload(target);
  const request: ScaleRequest = { replicas: values.replicas as number | undefined, min: values.min as number | undefined, max: values.max as number | undefined };
  checkScaleRequest(request);
  const cluster = await openCluster(ctx);
  const events = await showEvents(ctx.ui);
  try {
    const result = await scaleAction(
      { ops, workload, spec, request, preview: globals.dryRun !== 'none' || globals.diff, timeoutMs: globals.timeoutMs, forceConflicts: globals.forceConflicts },
      { cluster, namespace: globals.namespace ?? ops.stack.defaultNamespace, events, lock: globals.lock },
    );
    events.stop();
    printScale(ctx.ui, result);
  } finally {
    events.stop();
    cluster.close();
  }
}
