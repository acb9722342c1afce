// Failures several actions share.
import { OperationError } from '../errors.js';

/** No revision of the stack is recorded in the namespace: it was never deployed there (exit 1). */
export function notDeployed(stack: string, namespace: string, deployCommand: string): OperationError {
  return new OperationError(`no revision of ${stack} is recorded in namespace ${namespace}`, `deploy it first with \`vh-deploy ${deployCommand}\`, or pass the namespace it runs in with -n`);
}
