// The result of verify (src/actions/verify.ts): one table (✓/✗/!, stack, check, detail,
// time) and a count, or the one JSON document.
import type { VerifyResult } from '../../actions/verify.js';
import { durationMs, table } from '../format.js';
import { chalk, type Ui } from '../output.js';

const mark = (s: string) => (s === 'pass' ? chalk.green('✓') : s === 'fail' ? chalk.red('✗') : chalk.yellow('!'));

export function printVerify(ui: Ui, r: VerifyResult): void {
  const ms = durationMs(r.started);
  if (ui.json) {
    ui.document({
      ok: r.ok,
      stacks: r.stacks,
      ...(r.all && { skipped: r.skipped }),
      checks: r.checks.map((c) => ({ ...c, ok: c.status !== 'fail' })),
      durationMs: ms,
    });
    return;
  }
  for (const l of table([' ', 'STACK', 'CHECK', 'DETAIL', 'TIME'], r.checks.map((c) => [mark(c.status), c.stack, c.check, c.detail, `${c.ms} ms`]))) ui.out(l);
  if (r.all && r.skipped.length && r.stacks.length) ui.note(`not deployed here: ${r.skipped.join(', ')}`);
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  const warnings = r.checks.filter((c) => c.status === 'warn').length;
  ui.out(`${r.checks.length - failed - warnings} passed, ${warnings} warnings, ${failed} failed (${(ms / 1000).toFixed(1)} s)`);
}
