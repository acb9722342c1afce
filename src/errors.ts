// Exit codes are part of the CLI contract (docs/architecture.md rule 8); every error the CLI
// expects to show a user carries its code, so the entry point never guesses.
export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  cluster: 3,
  rolledBack: 4,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class VhError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.failed,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: nothing was sent to the cluster. Exit 2. */
export class InputError extends VhError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.badInput, hint);
  }
}

/** Cluster unreachable, unauthorised or forbidden. Exit 3. */
export class ClusterAccessError extends VhError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.cluster, hint);
  }
}

/** The operation failed (apply rejected, wait failed, health check failed). Exit 1. */
export class OperationError extends VhError {
  constructor(message: string, hint?: string, readonly details: string[] = []) {
    super(message, ExitCode.failed, hint);
  }
}

/**
 * A failure whose report (the JSON document with `--output json`) was already
 * printed: the entry point prints only the error line, so stdout stays one document.
 */
export class ReportedError extends VhError {
  readonly reported = true;
  constructor(message: string, exitCode: ExitCodeValue, hint?: string) {
    super(message, exitCode, hint);
  }
}

/**
 * An exit code that is the command's answer, not a failure (`diff --exit-code`: 1 means
 * there are changes): the entry point prints nothing for it.
 */
export class ExitStatus extends VhError {
  readonly quiet = true;
  constructor(exitCode: ExitCodeValue) {
    super(`exit status ${exitCode}`, exitCode);
  }
}
