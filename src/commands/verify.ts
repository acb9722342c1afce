// `vh-deploy verify [STACK|all]`: parse, run the verify action (src/actions/verify.ts),
// print its table or JSON document (src/ui/printers/verify.ts). Exit 0 only when no
// check fails; a failed check is reported first, then exits 1.
import type { Command } from 'commander';
import { verifyAction } from '../actions/verify.js';
import { resolveStackOps } from '../stacks/day2.js';
import { printVerify } from '../ui/printers/verify.js';
import { ReportedError } from '../errors.js';
import { day2Inputs, openCluster } from './day2-support.js';

export async function runVerify(cmd: Command, stackArg: string, opts: { checkKey?: boolean }): Promise<void> {
  const ctx = await day2Inputs(cmd);
  const stack = stackArg === 'all' ? 'all' : resolveStackOps(stackArg);
  const cluster = await openCluster(ctx);
  try {
    const result = await verifyAction({ stack, namespace: ctx.inputs.globals.namespace, checkKey: Boolean(opts.checkKey) }, { cluster });
    printVerify(ctx.ui, result);
    if (!result.ok) {
      const failed = result.checks.filter((c) => c.status === 'fail');
      throw new ReportedError(
        `verify: ${failed.length} of ${result.checks.length} checks failed: ${failed.map((f) => `${f.stack} ${f.check}`).join(', ')}`,
        result.exitCode,
        'the DETAIL column says why; `vh-deploy history STACK` shows what was deployed',
      );
    }
  } finally {
    cluster.close();
  }
}
