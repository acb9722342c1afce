// The lock options, global like -n: every mutating command takes them. Kept free of
// heavy imports (the program is built at start-up); operation.ts parses the values.
import { type Command, Option } from 'commander';

export function registerLockOptions(program: Command): void {
  program.addOption(
    new Option('--force-unlock', "take over the stack's lock (Lease vh-deploy-lock-STACK) even if another run holds it").env('VH_DEPLOY_FORCE_UNLOCK'),
  );
  program.addOption(
    new Option('--lock-wait <duration>', 'how long a mutating command waits for another operation on the same stack (0: fail at once)')
      .env('VH_DEPLOY_LOCK_WAIT')
      .default('30s'),
  );
}
