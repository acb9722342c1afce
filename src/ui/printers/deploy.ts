// The result of a deploy (src/actions/deploy.ts) as text or the one JSON document. The
// text ends with where to go next: the stack's URL, and `verify`/`history` as commands
// to paste (with the -n/--context of this run).
import type { DeployResult } from '../../actions/deploy.js';
import { planLines } from '../../actions/deploy.js';
import type { Source } from '../../config/resolve.js';
import type { Ui } from '../output.js';
import { appliedLine, appliedObjects, healthLine, whereText, type Where } from './common.js';

/** Where the run worked, and the flags that make a pasted command reach it again (` -n X --context Y`). */
export interface DeployWhere extends Where {
  flags: string;
}

/** What to look at after a deploy: the URLs it serves, then verify and history. Pure. */
export function nextSteps(stack: string, urls: readonly string[], flags: string): string[] {
  return ['next:', ...urls.map((u) => `  ${u}`), `  vh-deploy verify ${stack}${flags}`, `  vh-deploy history ${stack}${flags}`];
}

export function printDeploy(ui: Ui, r: DeployResult, inputs: { sources: Readonly<Record<string, Source>>; recordedFrom?: number | undefined }, where: DeployWhere): void {
  const durationMs = Math.round(performance.now() - r.started);
  const common = { stack: r.stack, namespace: r.namespace, context: r.context };
  if (r.mode === 'diff') {
    if (ui.json) ui.document({ ...common, changes: r.changes });
    else for (const l of planLines(r.changes)) ui.out(l);
    return;
  }
  const health = r.mode === 'apply' ? r.health : [];
  if (ui.json) {
    ui.document({
      ok: r.mode === 'server' || r.ok,
      ...common,
      dryRun: r.mode === 'server' ? 'server' : 'none',
      objects: appliedObjects(r.objects),
      health,
      // The security settings in force per workload (docs/customising.md).
      ...(r.security && { security: r.security }),
      ...(r.mode === 'apply' && { urls: r.urls ?? [] }),
      // Where each input came from (flag, env, config, prompt, recorded, default); never values.
      sources: inputs.sources,
      ...(inputs.recordedFrom !== undefined && { recordedFrom: inputs.recordedFrom }),
      durationMs,
    });
    return;
  }
  if (r.mode === 'server') {
    for (const l of planLines(r.objects.map((o) => ({ ref: o.ref, action: o.action, ...(o.note && { note: o.note }), lines: [] })))) ui.out(l);
    ui.out(`server dry run of ${r.stack}: ${whereText(where)}; nothing written`);
    return;
  }
  for (const h of health) ui.out(healthLine(h));
  ui.out(`${r.stack} ${r.ok ? 'ready' : 'deployed but unhealthy'} in ${whereText(where)}`);
  ui.out(`  ${appliedLine(r.objects, durationMs)}`);
  for (const l of nextSteps(r.stack, r.ok ? (r.urls ?? []) : [], where.flags)) ui.out(l);
}
