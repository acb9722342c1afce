// The result of an upgrade (src/actions/upgrade.ts) as text or the one JSON document.
import { fromText, type UpgradeResult } from '../../actions/upgrade.js';
import type { Ui } from '../output.js';
import { appliedLine, appliedObjects, healthLine, whereText, type Where } from './common.js';

export function printUpgrade(ui: Ui, r: UpgradeResult, durationMs: number, where: Where): void {
  const { stack, namespace, base, version } = r;
  const from = { revision: base.revision, version: base.version };
  if (r.ok && r.dryRun) {
    if (ui.json) ui.document({ ok: true, dryRun: true, stack, namespace, context: where.context, from, to: { version }, changes: r.changes });
    else ui.out(`would upgrade ${stack} from ${fromText(base)} to ${version} in ${whereText(where)} (dry run; nothing written)`);
  } else if (r.ok) {
    if (ui.json) ui.document({ ok: true, stack, namespace, context: where.context, revision: r.revision, from, to: { version }, objects: appliedObjects(r.applied), health: r.health, durationMs });
    else {
      for (const h of r.health) ui.out(healthLine(h));
      ui.out(`${stack} upgraded from ${fromText(base)} to ${version} (revision ${r.revision}) in ${whereText(where)}`);
      ui.out(`  ${appliedLine(r.applied, durationMs)}`);
    }
  } else if (ui.json) {
    ui.document({
      ok: false,
      exitCode: r.exitCode,
      stack,
      namespace,
      context: where.context,
      error: r.error,
      failed: { revision: r.failed.revision, version, error: r.failed.error },
      rolledBack: { to: base.revision, version: base.version, revision: r.rolledBack.revision, health: r.rolledBack.health },
      durationMs,
    });
  } else {
    ui.out(`${stack} rolled back to revision ${base.revision} (${base.version ?? base.description}) in ${whereText(where)}; the failed upgrade is revision ${r.failed.revision}`);
  }
}
