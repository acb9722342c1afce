// Day-2 commands. Their flags are defined so help and validation are complete; the
// operations themselves land with the day-2 issue and say so plainly until then.
import type { Command } from 'commander';
import { SCALE_FIELDS } from '../config/fields.js';
import { ExitCode, VhError } from '../errors.js';
import { addFieldOptions } from './options.js';

function notYet(what: string): never {
  throw new VhError(`${what} is not implemented yet in this version of vh-deploy`, ExitCode.failed);
}

export function registerDay2Commands(program: Command): void {
  program
    .command('verify')
    .description('check a deployed stack end to end; exit 0 only if every check passes')
    .argument('[stack]', 'posthog | model-router | all', 'all')
    .option('--check-key', 'also check the PostHog project key against PostHog')
    .action(() => notYet('verify'));
  const scale = program
    .command('scale')
    .description('change replicas through the /scale subresource (HPA-aware)')
    .argument('<target>', 'STACK/WORKLOAD, e.g. model-router/model-router or posthog/web');
  addFieldOptions(scale, SCALE_FIELDS).action(() => notYet('scale'));
  program
    .command('upgrade')
    .description('move a stack to a new version; migrations first; rolls back on failure')
    .argument('<stack>', 'posthog | model-router')
    .option('--version <tag>', 'PostHog image tag or digest')
    .option('--image-tag <tag>', 'Model Router image tag')
    .option('--image <ref>', 'Model Router image reference')
    .option('--no-rollback-on-failure', 'leave a failed upgrade in place')
    .action(() => notYet('upgrade'));
  program
    .command('rollback')
    .description('return a stack to a recorded revision (default: the last successful one)')
    .argument('<stack>', 'posthog | model-router')
    .option('--to-revision <n>', 'revision number')
    .action(() => notYet('rollback'));
}
