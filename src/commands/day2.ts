// Day-2 commands: verify, scale, upgrade, rollback, history, uninstall. Registration only: each
// command's module (and the Kubernetes engine) loads when the command runs, so
// `--help` stays fast. What the engine throws is worded for the CLI (engine-errors.ts).
import type { Command } from 'commander';
import { SCALE_FIELDS } from '../config/fields.js';
import { inCliTermsAction } from './engine-errors.js';
import { addFieldOptions } from './options.js';

const STACKS = 'posthog (or self-hosted) | model-router | posthog-connection (or cloud)';

export function registerDay2Commands(program: Command): void {
  program
    .command('verify')
    .description('check a deployed stack end to end; exit 0 only if every check passes')
    .argument('[stack]', `${STACKS} | all`, 'all')
    .option('--check-key', 'also check the PostHog project key against PostHog (POST {host}/flags?v=2)')
    .addHelpText(
      'after',
      `
Checks (in parallel): the objects of the current revision exist; workloads are ready by
the same rules the deploy waits with; Services have ready endpoints; volume claims are
bound; HPAs are within min..max (no metrics: warning); Ingress has an address (warning);
health endpoints answer through the API server's proxy, via the Service and on every
ready pod (PostHog /_livez, /_readyz?role=web, /_preflight; Model Router /health,
/ready, /metrics with its four metrics); the PostHog connection the Model Router reads
is consistent. Secret values are never printed.

Exit codes: 0 every check passed (warnings allowed) · 1 a check failed · 2 bad input ·
3 cluster unreachable, unauthorised or forbidden.

Examples:
  $ vh-deploy verify                     # every stack found in its default namespace
  $ vh-deploy verify model-router -o json
  $ vh-deploy verify model-router --check-key
`,
    )
    .action(inCliTermsAction(async (stack: string, opts: { checkKey?: boolean }, c: Command) => {
      await (await import('./verify.js')).runVerify(c, stack, opts);
    }));

  const scale = program
    .command('scale')
    .description('change replicas through the /scale subresource (HPA-aware); records a revision')
    .argument('<target>', 'STACK/WORKLOAD: model-router/model-router, posthog/web, posthog/worker, posthog/plugins');
  addFieldOptions(scale, SCALE_FIELDS)
    .addHelpText(
      'after',
      `
When an HPA scales the workload, --replicas is refused (it would fight the autoscaler);
--min/--max change the HPA's range instead. Waits until the workload is ready.
A later deploy that sets a fixed --replicas puts its own count back (as helm upgrade
would); a deploy without --replicas leaves the count to the HPA.

Exit codes: 0 scaled (or nothing to change) · 1 failed (e.g. not ready in --timeout, or
the lock is held) · 2 bad input, nothing written (incl. --replicas under an HPA) ·
3 cluster access · 130 interrupted.

Examples:
  $ vh-deploy scale posthog/web --replicas 3
  $ vh-deploy scale model-router/model-router --min 4 --max 12
`,
    )
    .action(inCliTermsAction(async (target: string, _o, c: Command) => {
      await (await import('./scale.js')).runScale(c, target);
    }));

  program
    .command('upgrade')
    .description('move a stack to a new version; migrations first; rolls back on failure (exit 4)')
    .argument('<stack>', 'posthog (or self-hosted) | model-router')
    .option('--posthog-version <tag>', 'PostHog: the image tag or digest to upgrade to (as `self-hosted --posthog-version`)')
    .option('--image-tag <tag>', 'Model Router: new image tag or digest (same repository)')
    .option('--image <ref>', 'Model Router: new image reference (registry/name:tag or @sha256:…)')
    .option('--no-rollback-on-failure', 'leave a failed upgrade in place instead of rolling back')
    .option('--allow-untested-versions', 'PostHog: accept a --posthog-version without a tested set of companions (docs/compatibility.md); sets SKIP_SERVICE_VERSION_REQUIREMENTS=1')
    .addHelpText(
      'after',
      `
Re-renders the stack from the last successful revision's values (secrets are read from
the cluster, never from a revision) with the new version, applies it in order (PostHog's
migration Job completes before web and worker roll) and waits. On failure it rolls back
to that revision and exits 4; replica counts are kept.

Exit codes: 0 upgraded · 1 failed (nothing written; or left in place with
--no-rollback-on-failure; or the rollback failed too) · 2 bad input · 3 cluster access ·
4 failed and rolled back · 130 interrupted (no rollback).

Examples:
  $ vh-deploy upgrade posthog --posthog-version release-1.43.0
  $ vh-deploy upgrade model-router --image-tag 1.4.3
  $ vh-deploy upgrade model-router --image registry.example.com/model-router@sha256:… --dry-run=server
`,
    )
    .action(inCliTermsAction(async (stack: string, opts: { posthogVersion?: string; imageTag?: string; image?: string; rollbackOnFailure?: boolean; allowUntestedVersions?: boolean }, c: Command) => {
      await (await import('./upgrade.js')).runUpgrade(c, stack, opts);
    }));

  program
    .command('rollback')
    .description('return a stack to a recorded revision (default: the last successful one before the current)')
    .argument('<stack>', STACKS)
    .option('--to-revision <n>', 'revision number (see `vh-deploy history STACK`)')
    .addHelpText(
      'after',
      `
Re-applies the revision's recorded manifests as a new revision and waits: ConfigMaps and
pod templates come back together, and objects added since are deleted (never volume
claims, Jobs or Secrets). Secrets are NOT restored: their values are never recorded, so
they keep their current values. Database migrations are not reversed. Shows what changes
and asks, unless --yes (without a terminal it proceeds, like kubectl).

Exit codes: 0 rolled back · 1 failed (or no successful revision to return to) ·
2 bad input (e.g. an unknown --to-revision) · 3 cluster access · 130 interrupted.

Examples:
  $ vh-deploy rollback model-router
  $ vh-deploy rollback posthog --to-revision 3 --dry-run
`,
    )
    .action(inCliTermsAction(async (stack: string, opts: { toRevision?: string }, c: Command) => {
      await (await import('./rollback.js')).runRollback(c, stack, opts);
    }));

  program
    .command('history')
    .description('list the recorded revisions of a stack (last 10 kept)')
    .argument('<stack>', STACKS)
    .option('--revision <n>', 'print one revision in full: non-secret values and manifests')
    .addHelpText('after', '\nExamples:\n  $ vh-deploy history model-router\n  $ vh-deploy history posthog --revision 3 -o json\n')
    .action(inCliTermsAction(async (stack: string, opts: { revision?: string }, c: Command) => {
      await (await import('./history.js')).runHistory(c, stack, opts);
    }));

  program
    .command('uninstall')
    .description("delete a stack's objects in reverse order and wait until they are gone; data kept unless --delete-data")
    .argument('<stack>', STACKS)
    .option('--delete-data', 'also delete the volume claims and generated Secrets (asks you to type the namespace; --yes without a terminal)')
    .addHelpText(
      'after',
      `
Deletes what the stack's revisions recorded and is still its own (vh-deploy's labels and
field manager), in reverse dependency order: Ingress and autoscalers first, then the
applications, the migration Job, the data stores, and last what their pods read
(Services, ConfigMaps, Secrets); it waits until each is gone. Objects another tool made
are left alone and listed. Volume claims and generated Secrets are kept (listed, with
the kubectl command that removes them), so a later deploy finds its data and passwords
again. The namespace is never deleted. Records an \`uninstalled\` revision: \`history\`
shows it, and \`rollback\` re-deploys the last successful revision when its Secrets are
still there.

Exit codes: 0 uninstalled (or nothing left) · 1 failed (e.g. an object still there at
--timeout: its finalizers are named; re-run to go on) · 2 bad input (incl. --delete-data
without a terminal or --yes) · 3 cluster access · 130 interrupted or not confirmed.

Examples:
  $ vh-deploy uninstall model-router --dry-run
  $ vh-deploy uninstall posthog
  $ vh-deploy uninstall posthog --delete-data --yes
`,
    )
    .action(inCliTermsAction(async (stack: string, opts: { deleteData?: boolean }, c: Command) => {
      await (await import('./uninstall.js')).runUninstall(c, stack, opts);
    }));
}
