// The result of a scale (src/actions/scale.ts) as text or the one JSON document.
import type { ScaleResult } from '../../actions/scale.js';
import { describeScale, planChanges } from '../../k8s/scale.js';
import { durationMs } from '../format.js';
import type { Ui } from '../output.js';
import { whereText, type Where } from './common.js';

export function printScale(ui: Ui, r: ScaleResult, where: Where): void {
  const doc = { ok: r.ok, stack: r.stack, namespace: r.namespace, context: where.context, workload: r.workload, target: r.target, change: r.change, changed: r.changed };
  if (!r.changed) {
    if (ui.json) return ui.document({ ...doc, durationMs: durationMs(r.started) });
    const what = planChanges(r.change) ? `would change ${describeScale(r.change)} (dry run; nothing written)` : `already at ${describeScale(r.change).replace(/.* → /, '')}; nothing to change`;
    ui.out(`${r.workload} (${r.target}): ${what}`);
    return ui.out(`  in ${whereText(where)}`);
  }
  if (ui.json) return ui.document({ ...doc, ...(r.revision !== undefined && { revision: r.revision }), status: r.status, durationMs: durationMs(r.started) });
  ui.out(`${r.workload} scaled: ${describeScale(r.change)}; ${r.target}: ${r.status}${r.revision !== undefined ? ` (revision ${r.revision})` : ''}`);
  ui.out(`  in ${whereText(where)}`);
}
