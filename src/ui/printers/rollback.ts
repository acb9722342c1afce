// The result of a rollback (src/actions/rollback.ts) as text or the one JSON document.
import type { RollbackResult } from '../../actions/rollback.js';
import type { Ui } from '../output.js';
import { appliedLine, appliedObjects, healthLine, whereText, type Where } from './common.js';

export function printRollback(ui: Ui, r: RollbackResult, durationMs: number, where: Where): void {
  const { stack, namespace, from, to, changes, secretsKept } = r;
  if (r.dryRun) {
    if (ui.json) ui.document({ ok: true, dryRun: true, stack, namespace, context: where.context, from, to, changes, secretsKept });
    else ui.out(`would roll ${stack} back to revision ${to} in ${whereText(where)} (dry run; nothing written)`);
    return;
  }
  if (ui.json) {
    ui.document({ ok: true, stack, namespace, context: where.context, from, to, revision: r.revision, changes, secretsKept, objects: appliedObjects(r.applied), health: r.health, durationMs });
    return;
  }
  for (const h of r.health) ui.out(healthLine(h));
  ui.out(`${stack} rolled back to revision ${to} (recorded as revision ${r.revision}) in ${whereText(where)}`);
  ui.out(`  ${appliedLine(r.applied, durationMs)}`);
}
