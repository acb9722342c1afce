// The result of a deploy (src/actions/deploy.ts) as text or the one JSON document.
import type { DeployResult } from '../../actions/deploy.js';
import { changeText } from '../../actions/deploy.js';
import type { Source } from '../../config/resolve.js';
import type { Ui } from '../output.js';
import { appliedLine, healthLine } from './common.js';

export function printDeploy(ui: Ui, r: DeployResult, inputs: { sources: Readonly<Record<string, Source>>; recordedFrom?: number | undefined }): void {
  const durationMs = Math.round(performance.now() - r.started);
  const where = { stack: r.stack, namespace: r.namespace, context: r.context };
  if (r.mode === 'diff') {
    if (ui.json) ui.document({ ...where, changes: r.changes });
    else for (const c of r.changes) ui.out(changeText(c));
    return;
  }
  const health = r.mode === 'apply' ? r.health : [];
  if (ui.json) {
    ui.document({
      ok: r.mode === 'server' || r.ok,
      ...where,
      dryRun: r.mode === 'server' ? 'server' : 'none',
      objects: r.objects.map((o) => ({ ref: o.ref, action: o.action, ...(o.note && { note: o.note }) })),
      health,
      // Where each input came from (flag, env, config, prompt, recorded, default); never values.
      sources: inputs.sources,
      ...(inputs.recordedFrom !== undefined && { recordedFrom: inputs.recordedFrom }),
      durationMs,
    });
    return;
  }
  if (r.mode === 'server') {
    for (const o of r.objects) ui.out(`${o.ref} ${o.action}${o.note ? ` (${o.note})` : ''} (server dry run)`);
    return;
  }
  for (const h of health) ui.out(healthLine(h));
  ui.out(`${r.stack} ${r.ok ? 'ready' : 'deployed but unhealthy'} in namespace ${r.namespace}: ${appliedLine(r.objects, durationMs)}`);
}
