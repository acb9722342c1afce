// Lines several printers share: a health check's result, and what an apply changed.
import type { HealthResult } from '../../actions/health.js';
import type { ApplyResult } from '../../k8s/apply.js';
import { plural } from '../format.js';
import { chalk } from '../output.js';

/** `✓ name: HTTP 200 (12 ms)`. */
export function healthLine(h: HealthResult): string {
  return `${h.ok ? chalk.green('✓') : chalk.red('✗')} ${h.name}: ${h.detail} (${h.ms} ms)`;
}

/** `12 objects, 3 changed (4.2 s)`. */
export function appliedLine(applied: readonly Pick<ApplyResult, 'action'>[], durationMs: number): string {
  const changed = applied.filter((a) => a.action !== 'unchanged').length;
  return `${plural(applied.length, 'object')}, ${changed} changed (${(durationMs / 1000).toFixed(1)} s)`;
}

/** Where a command worked: the namespace (and how it was chosen when not typed) and the kube context. */
export interface Where {
  namespace: string;
  context: string;
  /** `(from kubeconfig context X)`, `(default; -n to choose)`; '' when given as a flag. */
  note: string;
}

/** `namespace ux-int (from VH_DEPLOY_NAMESPACE), context kind-x`. */
export const whereText = (w: Where) => `namespace ${w.namespace}${w.note ? ` ${w.note}` : ''}, context ${w.context}`;

/** What the JSON document says of each applied object. */
/** The objects of a JSON report: each with its action, a dry run's note, and a failed Job run again with its old failure. */
export const appliedObjects = (applied: readonly ApplyResult[]) =>
  applied.map((a) => ({ ref: a.ref, action: a.action, ...(a.note && { note: a.note }), ...(a.rerun && { rerun: { failure: a.rerun.failure, logs: a.rerun.logs } }) }));
