import { OperationError } from '../errors.js';
import type { CommandInputs } from './inputs.js';
import type { Stack } from '../stacks/stack.js';
import type { Ui } from '../ui/output.js';

export async function deployStack(_o: { stack: Stack; inputs: CommandInputs; namespace: string; ui: Ui }): Promise<void> {
  throw new OperationError('applying to a cluster is not wired yet');
}
