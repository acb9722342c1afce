// The result of verify (src/actions/verify.ts): where it looked (context, namespaces),
// one table (✓/✗/!, stack, check, detail, time) that fits the terminal, and a count;
// or the one JSON document (never cut).
import type { VerifyResult } from '../../actions/verify.js';
import { durationMs, plural, table } from '../format.js';
import { chalk, type Ui } from '../output.js';

const mark = (s: string) => (s === 'pass' ? chalk.green('✓') : s === 'fail' ? chalk.red('✗') : chalk.yellow('!'));

/** `verify: context C, namespace N (note)`, or a line per stack when their namespaces differ. Pure. */
export function verifyHeader(r: Pick<VerifyResult, 'context' | 'stacks'>, namespaceNote: string): string[] {
  const namespaces = [...new Set(r.stacks.map((s) => s.namespace))];
  const note = namespaceNote ? ` ${namespaceNote}` : '';
  if (namespaces.length === 1) return [`verify: context ${r.context}, namespace ${namespaces[0]}${note}`];
  return [`verify: context ${r.context}`, ...r.stacks.map((s) => `  ${s.stack} in namespace ${s.namespace}${note}`)];
}

export function printVerify(ui: Ui, r: VerifyResult, namespaceNote = ''): void {
  const ms = durationMs(r.started);
  if (ui.json) {
    ui.document({
      ok: r.ok,
      context: r.context,
      stacks: r.stacks,
      ...(r.all && { skipped: r.skipped }),
      checks: r.checks.map((c) => ({ ...c, ok: c.status !== 'fail' })),
      durationMs: ms,
    });
    return;
  }
  for (const l of verifyHeader(r, namespaceNote)) ui.out(l);
  const rows = r.checks.map((c) => [mark(c.status), c.stack, c.check, c.detail, `${c.ms} ms`]);
  // DETAIL gives way first, then CHECK: one line per check at any width.
  for (const l of table([' ', 'STACK', 'CHECK', 'DETAIL', 'TIME'], rows, { width: ui.width, shrink: [3, 2] })) ui.out(l);
  if (r.all && r.stacks.length) for (const s of r.skipped) ui.note(`not deployed here: ${s}`);
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  const warnings = r.checks.filter((c) => c.status === 'warn').length;
  ui.out(`${r.checks.length - failed - warnings} passed, ${plural(warnings, 'warning')}, ${failed} failed (${(ms / 1000).toFixed(1)} s)`);
}
