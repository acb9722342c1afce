// `vh-deploy verify [STACK|all]`: parse, run the verify action (src/actions/verify.ts),
// print its table or JSON document (src/ui/printers/verify.ts). Exit 0 only when no
// check fails; a failed check is reported first, then exits 1.
import type { Command } from 'commander';
import { verifyAction } from '../actions/verify.js';
import { resolveStackOps } from '../stacks/day2.js';
import { printVerify } from '../ui/printers/verify.js';
import { ReportedError } from '../errors.js';
import { chooseNamespace, namespaceNote } from '../config/namespace.js';
import { day2Inputs, openCluster } from './day2-support.js';
import { contextNamespace, hintFlags, rememberTarget } from './target.js';

export async function runVerify(cmd: Command, stackArg: string, opts: { checkKey?: boolean }): Promise<void> {
  const ctx = await day2Inputs(cmd);
  const stack = stackArg === 'all' ? 'all' : resolveStackOps(stackArg);
  const cluster = await openCluster(ctx);
  try {
    // `all` without a namespace chosen looks for each stack in its own default namespace.
    const { globals, globalSources } = ctx.inputs;
    const chosen = chooseNamespace({ given: globals.namespace, givenFrom: globalSources.namespace, contextNamespace: contextNamespace(cluster), stackDefault: stack === 'all' ? undefined : stack.stack.defaultNamespace });
    rememberTarget(cmd, hintFlags(ctx.inputs, chosen.origin === 'stack' ? undefined : chosen.namespace));
    const result = await verifyAction({ stack, namespace: chosen.origin === 'stack' ? undefined : chosen.namespace, checkKey: Boolean(opts.checkKey) }, { cluster });
    printVerify(ctx.ui, result, namespaceNote(chosen.origin, cluster.contextName));
    if (!result.ok) {
      const failed = result.checks.filter((c) => c.status === 'fail');
      throw new ReportedError(
        `verify: ${failed.length} of ${result.checks.length} checks failed: ${failed.map((f) => `${f.stack} ${f.check}`).join(', ')}`,
        result.exitCode,
        failed[0] && failed[0].stack !== 'all' ? `the DETAIL column says why (\`vh-deploy verify ${failed[0].stack} -o wide\`: in full); \`vh-deploy history ${failed[0].stack}\` shows what was deployed` : 'the DETAIL column says why',
      );
    }
  } finally {
    cluster.close();
  }
}
