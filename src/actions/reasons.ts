// Why an action failed, as data, where the CLI has words to add: a flag to pass, a
// command to run next. Actions word their failures in terms of stacks and revisions
// (docs/architecture.md, "Actions"); src/commands/action-errors.ts adds the CLI's words,
// as src/commands/engine-errors.ts does for the engine's reasons (src/k8s/reasons.ts).
// No I/O and no heavy imports: the CLI loads the wording at start-up.
export type ActionReason =
  /** Revisions are recorded, none successful: nothing to start an upgrade from. */
  | { reason: 'noSuccessfulRevision'; stack: string; deployCommand: string }
  /** A value a re-render needs is neither recorded nor in the cluster. */
  | { reason: 'valuesMissing'; stack: string; deployCommand: string }
  /** The revision to roll back to needs Secrets that are gone (values are never recorded): only a deploy can write them. */
  | { reason: 'secretsGone'; stack: string; deployCommand: string }
  /** No revision to roll back to; `asked`: the one the caller named (then it is bad input). */
  | { reason: 'noRollbackTarget'; stack: string; asked?: number }
  /**
   * An upgrade left in place at revision `revision`: stopped (Ctrl-C, a lost lock), or
   * failed when the caller asked for no automatic rollback. `base`: where it started.
   */
  | LeftInPlace
  /** An install another tool made is in the namespace, and taking it over was not asked for (docs/adopt.md). */
  | { reason: 'adoptionNotAsked'; stack: string }
  /** An upgrade failed and its automatic rollback to `base` failed (or was stopped) too. */
  | { reason: 'rollbackFailed'; stack: string; base: number };

export interface LeftInPlace {
  reason: 'upgradeLeftInPlace';
  stack: string;
  version: string;
  revision: number;
  base: number;
  stopped: boolean;
  /** The failure, as its error said it. */
  cause: string;
}

/** What a failed upgrade left in place says; `noRollback` says why nothing was rolled back. Pure. */
export function leftInPlaceMessage(r: LeftInPlace, noRollback: string): string {
  const how = r.stopped ? 'stopped' : 'failed';
  return `upgrade of ${r.stack} to ${r.version} ${how} (revision ${r.revision}, left in place${r.stopped ? '; no automatic rollback' : `: ${noRollback}`}):\n  ${r.cause.split('\n').join('\n  ')}`;
}

/** An error with the reason an action gives for it. */
export type WithActionReason<E extends Error = Error> = E & { readonly actionReason: ActionReason };

/** Attaches the reason to an error (of whatever class gives it its exit code). */
export function withActionReason<E extends Error>(e: E, reason: ActionReason): WithActionReason<E> {
  return Object.assign(e, { actionReason: reason });
}

export function actionReasonOf(e: unknown): ActionReason | undefined {
  return e instanceof Error && 'actionReason' in e ? (e as WithActionReason).actionReason : undefined;
}
