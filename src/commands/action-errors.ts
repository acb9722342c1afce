// The CLI's words for the actions' failures (src/actions/reasons.ts): the flags and
// commands that remedy them are named here, not in the actions. Loaded at start-up
// (engine-errors.ts applies it around every command): nothing heavy is imported.
import type { VhError } from '../errors.js';
import { actionReasonOf, leftInPlaceMessage, type ActionReason } from '../actions/reasons.js';
import type { CliWording } from './engine-errors.js';

/** The CLI's wording for one reason, given the action's error. Pure. */
export function actionWording(r: ActionReason, e: Error): CliWording {
  switch (r.reason) {
    case 'noSuccessfulRevision':
      return { hint: `deploy it with \`vh-deploy ${r.deployCommand}\` first` };
    case 'secretsGone':
      return { hint: `deploy it again with \`vh-deploy ${r.deployCommand}\` and its secret inputs (generated secrets that were kept are reused)` };
    case 'valuesMissing':
      return { hint: `re-run \`vh-deploy ${r.deployCommand}\` with the full inputs instead` };
    case 'noRollbackTarget':
      return r.asked !== undefined ? { message: `--to-revision: ${e.message}` } : { hint: `name a revision with --to-revision N (see \`vh-deploy history ${r.stack}\`)` };
    case 'upgradeLeftInPlace':
      return {
        ...(!r.stopped && { message: leftInPlaceMessage(r, '--no-rollback-on-failure') }),
        hint: `roll back with \`vh-deploy rollback ${r.stack}\` (to revision ${r.base})`,
      };
    case 'adoptionNotAsked':
      return { message: `${e.message}; give --adopt to take it over`, hint: 'see what taking it over does in the plan above and in docs/adopt.md; or deploy to another namespace with -n' };
    case 'rollbackFailed':
      return { hint: `see \`vh-deploy history ${r.stack}\`; try \`vh-deploy rollback ${r.stack} --to-revision ${r.base}\`` };
  }
}

/** Rewords an action's failure for the CLI, in place (as inCliTerms does for the engine's). */
export function actionInCliTerms<E>(e: E): E {
  const r = actionReasonOf(e);
  if (!r || !(e instanceof Error)) return e;
  const w = actionWording(r, e);
  Object.assign(e as unknown as VhError, { ...(w.message !== undefined && { message: w.message }), ...(w.hint !== undefined && { hint: w.hint }) });
  return e;
}
