// Actions word their failures without flags or commands (docs/architecture.md,
// "Actions"); the CLI adds them (src/commands/action-errors.ts, applied around every
// command by inCliTermsAction), so what users read is what it was before the split.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inCliTermsAction } from '../../src/commands/engine-errors.js';
import { ExitCode, InputError, OperationError, VhError } from '../../src/errors.js';
import { leftInPlaceMessage, withActionReason, type ActionReason, type LeftInPlace } from '../../src/actions/reasons.js';

/** What a command that throws `e` leaves for the entry point to print. */
async function asCli(e: Error): Promise<VhError> {
  const run = inCliTermsAction(async () => {
    throw e;
  });
  return run().then(
    () => expect.unreachable(),
    (err: unknown) => err as VhError,
  );
}
const reasoned = (e: VhError, r: ActionReason) => withActionReason(e, r);

describe('the CLI words the actions\' reasons', () => {
  it('an unknown --to-revision is bad input named by its flag (exit 2)', async () => {
    const e = await asCli(reasoned(new InputError('revision 1 is not in the history (kept: 3, 4)'), { reason: 'noRollbackTarget', stack: 'model-router', asked: 1 }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe('--to-revision: revision 1 is not in the history (kept: 3, 4)');
  });
  it('no revision to go back to by default: the hint names --to-revision', async () => {
    const e = await asCli(reasoned(new OperationError('cannot roll back model-router: no successful revision before revision 1 to roll back to'), { reason: 'noRollbackTarget', stack: 'model-router' }));
    expect([e.exitCode, e.message, e.hint]).toEqual([ExitCode.failed, 'cannot roll back model-router: no successful revision before revision 1 to roll back to', 'name a revision with --to-revision N (see `vh-deploy history model-router`)']);
  });
  const left: LeftInPlace = { reason: 'upgradeLeftInPlace', stack: 'model-router', version: '1.0.0', revision: 11, base: 10, stopped: false, cause: 'Deployment/ns/model-router: ImagePullBackOff\nmore' };
  it('a failed upgrade left in place names --no-rollback-on-failure and how to roll back', async () => {
    const e = await asCli(reasoned(new VhError(leftInPlaceMessage(left, 'no automatic rollback was asked for')), left));
    expect(e.message).toBe('upgrade of model-router to 1.0.0 failed (revision 11, left in place: --no-rollback-on-failure):\n  Deployment/ns/model-router: ImagePullBackOff\n  more');
    expect(e.hint).toBe('roll back with `vh-deploy rollback model-router` (to revision 10)');
  });
  it('a stopped upgrade keeps its own words and exit code (130), and gets the same hint', async () => {
    const r = { ...left, stopped: true, cause: 'interrupted: the model-router operation was stopped' };
    const e = await asCli(reasoned(new VhError(leftInPlaceMessage(r, 'unused'), ExitCode.interrupted), r));
    expect([e.exitCode, e.message]).toEqual([130, 'upgrade of model-router to 1.0.0 stopped (revision 11, left in place; no automatic rollback):\n  interrupted: the model-router operation was stopped']);
    expect(e.hint).toBe('roll back with `vh-deploy rollback model-router` (to revision 10)');
  });
  it('a failed automatic rollback, values that cannot be re-rendered, no successful revision: hints with commands', async () => {
    expect((await asCli(reasoned(new VhError('x'), { reason: 'rollbackFailed', stack: 'posthog', base: 3 }))).hint).toBe('see `vh-deploy history posthog`; try `vh-deploy rollback posthog --to-revision 3`');
    expect((await asCli(reasoned(new OperationError('x'), { reason: 'valuesMissing', stack: 'model-router', deployCommand: 'model-router' }))).hint).toBe('re-run `vh-deploy model-router` with the full inputs instead');
    expect((await asCli(reasoned(new OperationError('x'), { reason: 'noSuccessfulRevision', stack: 'posthog', deployCommand: 'self-hosted' }))).hint).toBe('deploy it with `vh-deploy self-hosted` first');
  });
  it('an error without an action reason is left as it is', async () => {
    const plain = new OperationError('plain', 'its own hint');
    expect(await asCli(plain)).toBe(plain);
    expect([plain.message, plain.hint]).toEqual(['plain', 'its own hint']);
  });
});

describe('the upgrade and rollback actions name no flag', () => {
  it('no --flag in the code of src/actions/{upgrade,rollback,reasons}.ts (comments aside)', () => {
    const hits: string[] = [];
    for (const f of ['upgrade.ts', 'rollback.ts', 'reasons.ts']) {
      readFileSync(join(__dirname, '../../src/actions', f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.trim();
          if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/**')) return;
          if (/(^|[\s`'"(/])--[a-z]/.test(code) || /(^|[\s`'"(])-n\b/.test(code)) hits.push(`${f}:${i + 1}: ${code}`);
        });
    }
    expect(hits).toEqual([]);
  });
});
