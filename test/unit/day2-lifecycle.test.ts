// The revision lifecycle across crashes (issue 9, "Bugs to fix on the way"): a run killed
// with SIGKILL leaves its revision `pending`, and a kill between the two writes of a
// successful outcome leaves two revisions `deployed`. Against a tiny fake API server that
// keeps Leases and Secrets with resourceVersion preconditions like the real one
// (test/unit/support/fake-api.ts).
import { describe, expect, it } from 'vitest';
import { acquireLease, holderIdentity } from '../../src/k8s/lease.js';
import {
  chooseRollbackTarget,
  currentRevision,
  decodeRevision,
  lastSuccessful,
  listRevisions,
  resolveRevisions,
  revisionSecret,
  type Revision,
} from '../../src/k8s/revisions.js';
import { recorded, withStackLock, withStackLocks } from '../../src/actions/lifecycle.js';
import { stackOpsByName } from '../../src/stacks/day2.js';
import type { Ui } from '../../src/ui/output.js';
import { useFakeApi, type Stored } from './support/fake-api.js';
import { rev } from './support/revisions.js';

const statuses = (revs: readonly Revision[]) => [...revs].sort((a, b) => a.revision - b.revision).map((r) => `${r.revision} ${r.status}`);

describe('resolveRevisions (pure): one outcome written in two steps reads as one', () => {
  it('the newest deployed wins; older deployed ones read as superseded', () => {
    // The state a kill between "write revision 3 deployed" and "supersede revision 2" leaves.
    const revs = [rev(1, 'superseded'), rev(2, 'deployed'), rev(3, 'deployed')];
    expect(statuses(resolveRevisions(revs))).toEqual(['1 superseded', '2 superseded', '3 deployed']);
  });
  it('leaves every other status alone, and a single deployed one stays deployed', () => {
    const revs = [rev(1, 'superseded'), rev(2, 'deployed'), rev(3, 'failed'), rev(4, 'rolled-back'), rev(5, 'pending')];
    expect(statuses(resolveRevisions(revs))).toEqual(['1 superseded', '2 deployed', '3 failed', '4 rolled-back', '5 pending']);
  });
  it('does not change its input', () => {
    const revs = [rev(1, 'deployed'), rev(2, 'deployed')];
    resolveRevisions(revs);
    expect(statuses(revs)).toEqual(['1 deployed', '2 deployed']);
  });
});

// ---- a fake API server that keeps Leases and Secrets like the real one ----
const api = useFakeApi();

function putRecord(r: Revision): void {
  api.put('secrets', revisionSecret(r) as unknown as Stored);
}
function storedRecord(stack: string, n: number): { revision: Revision; statusLabel: string | undefined } {
  const s = api.get('secrets', 'ns', `vh-deploy.${stack}.v${n}`)!;
  return { revision: decodeRevision(s.data!.revision!), statusLabel: s.metadata.labels?.['vh-deploy.io/status'] };
}
function putLease(stack: string, holder: string, renewedMsAgo: number, duration = 60): void {
  api.put('leases', {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: `vh-deploy-lock-${stack}`, namespace: 'ns' },
    spec: { holderIdentity: holder, leaseDurationSeconds: duration, renewTime: new Date(Date.now() - renewedMsAgo).toISOString() },
  });
}
function recordingUi(): Ui & { lines: string[] } {
  const lines: string[] = [];
  return { json: false, verbose: false, lines, out: (l) => lines.push(l), note: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`), document: () => undefined, raw: () => undefined };
}
const settings = { waitMs: 0, forceUnlock: false };
/** A holder on this host whose process does not exist (pid above Linux's pid_max default). */
const DEAD = holderIdentity(2 ** 22 + 4321);

describe('listRevisions resolves a half-written success (one reader for history, rollback and upgrade)', () => {
  it('two records stored as deployed: the older reads as superseded, and every selection agrees', async () => {
    putRecord(rev(1, 'superseded'));
    putRecord(rev(2, 'deployed', { description: 'deploy 2' }));
    putRecord(rev(3, 'deployed', { description: 'deploy 3' }));
    const revs = await listRevisions(api.cluster, 'ns', 'model-router');
    expect(statuses(revs)).toEqual(['1 superseded', '2 superseded', '3 deployed']);
    expect(currentRevision(revs)?.revision).toBe(3);
    expect(lastSuccessful(revs)?.revision).toBe(3);
    const choice = chooseRollbackTarget(revs);
    expect(choice.ok && `${choice.current.revision} -> ${choice.target.revision}`).toBe('3 -> 2');
  });
});

describe('taking over the lock of a holder that ended marks its pending revision failed', () => {
  it('a dead holder on this host: its pending revision becomes failed (interrupted); outcomes already recorded are kept', async () => {
    putRecord(rev(1, 'deployed'));
    putRecord(rev(2, 'pending'));
    putRecord(rev(1, 'pending', { stack: 'other' })); // another stack's record: not this lock's business
    putLease('model-router', DEAD, 1_000, 300);
    const ui = recordingUi();
    let seen: string[] = [];
    await withStackLock({ cluster: api.cluster, stack: 'model-router', namespace: 'ns', ui, settings }, async () => {
      // Marked before the operation runs, while the lock is held.
      seen = statuses(await listRevisions(api.cluster, 'ns', 'model-router'));
    });
    expect(seen).toEqual(['1 deployed', '2 failed']);
    const marked = storedRecord('model-router', 2);
    expect(marked.statusLabel).toBe('failed');
    expect(marked.revision.error).toMatch(/^interrupted: the process holding the lock \(.* pid 4198625\) ended before it recorded an outcome$/);
    expect(Date.parse(marked.revision.updated)).toBeGreaterThan(Date.parse('2025-01-01T00:00:02Z'));
    expect(storedRecord('model-router', 1).revision.status).toBe('deployed');
    expect(storedRecord('other', 1).revision.status).toBe('pending');
    expect(ui.lines.join('\n')).toMatch(/revision 2 of model-router was left pending by .* pid 4198625: recorded as failed \(interrupted\)/);
  });

  it('an expired holder (another host, stopped renewing): its pending revision becomes failed', async () => {
    putRecord(rev(4, 'pending'));
    putLease('model-router', 'ci@runner-3 pid 77', 10 * 60_000, 60);
    await withStackLock({ cluster: api.cluster, stack: 'model-router', namespace: 'ns', ui: recordingUi(), settings }, async () => undefined);
    const r = storedRecord('model-router', 4).revision;
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/^interrupted: the lock's holder \(ci@runner-3 pid 77\) stopped renewing it .* and it was taken over$/);
  });

  it('under several locks (withStackLocks), each taken-over stack has its own pending revisions marked', async () => {
    putRecord(rev(2, 'pending'));
    putRecord(rev(3, 'pending', { stack: 'posthog-connection' }));
    putLease('model-router', DEAD, 1_000, 300);
    putLease('posthog-connection', DEAD, 1_000, 300);
    await withStackLocks({ cluster: api.cluster, stacks: ['posthog-connection', 'model-router'], namespace: 'ns', ui: recordingUi(), settings }, async () => undefined);
    expect(storedRecord('model-router', 2).revision.status).toBe('failed');
    expect(storedRecord('posthog-connection', 3).revision.status).toBe('failed');
  });

  it('a free or released lock marks nothing (no take-over, no write to any record)', async () => {
    putRecord(rev(2, 'pending'));
    await withStackLock({ cluster: api.cluster, stack: 'model-router', namespace: 'ns', ui: recordingUi(), settings }, async () => undefined);
    expect(storedRecord('model-router', 2).revision.status).toBe('pending');
    expect(api.requests.filter((w) => !w.startsWith('GET ') && w.includes('/secrets'))).toEqual([]);
  });

  it('acquireLease says whom it took the lock from, and why', async () => {
    putLease('model-router', DEAD, 1_000, 300);
    const l = await acquireLease(api.cluster, { namespace: 'ns', name: 'vh-deploy-lock-model-router', holder: 'me@h pid 1', waitMs: 0 });
    expect(l.tookOver).toEqual({ holder: DEAD, why: 'dead', renewedAgoMs: expect.any(Number) });
    expect(l.tookOver!.renewedAgoMs).toBeGreaterThanOrEqual(1_000);
    expect(l.tookOver!.renewedAgoMs).toBeLessThan(60_000);
    await l.release();
    const fresh = await acquireLease(api.cluster, { namespace: 'ns', name: 'vh-deploy-lock-model-router', holder: 'me@h pid 1', waitMs: 0 });
    expect(fresh.tookOver).toBeUndefined();
    await fresh.release();
  });
});

describe('recorded: one revision lifecycle for deploy, upgrade and rollback', () => {
  const stack = stackOpsByName('model-router')!.stack;
  const spec = (o: Partial<Parameters<typeof recorded>[0]> = {}) => ({ cluster: api.cluster, stack, namespace: 'ns', command: 'upgrade', description: 'upgrade to 2', values: { image: 'r.example/model-router:1.5.0' }, objects: [], ui: recordingUi(), ...o });
  const stored = () => api.names('secrets', 'ns').filter((k) => k.startsWith('vh-deploy.model-router.v')).map((k) => Number(k.split('.v').pop())).sort().map((n) => `${n} ${storedRecord('model-router', n).revision.status}`);

  it('a failure without onFailure: recorded failed with its first line, and the error is thrown as it was', async () => {
    putRecord(rev(1, 'deployed'));
    const boom = new Error('apply rejected\nsecond line');
    await expect(recorded(spec(), async () => Promise.reject(boom))).rejects.toBe(boom);
    expect(stored()).toEqual(['1 deployed', '2 failed']);
    expect(storedRecord('model-router', 2).revision.error).toBe('apply rejected');
  });

  it('onFailure runs once the failed revision is recorded; a rollback inside it marks that revision rolled-back', async () => {
    putRecord(rev(1, 'deployed'));
    let seen: string[] = [];
    const out = await recorded(
      spec(),
      async () => Promise.reject(new Error('image pull failed')),
      async (e, failed) => {
        seen = stored();
        expect([failed.revision, failed.status, failed.error]).toEqual([2, 'failed', 'image pull failed']);
        // The automatic rollback: a revision of its own, undoing the failed one.
        return recorded(spec({ command: 'rollback', description: 'automatic rollback to 1', rollbackTo: 1, rollsBack: failed }), async ({ revision }) => `rolled back as ${revision.revision} after: ${(e as Error).message}`);
      },
    );
    expect(seen).toEqual(['1 deployed', '2 failed']);
    expect(out).toBe('rolled back as 3 after: image pull failed');
    expect(stored()).toEqual(['1 superseded', '2 rolled-back', '3 deployed']);
    // The failure stays on the record it undid.
    expect(storedRecord('model-router', 2).revision.error).toBe('image pull failed');
    expect(storedRecord('model-router', 3).revision.rollbackTo).toBe(1);
  });

  it('what onFailure throws is the outcome (an upgrade left in place)', async () => {
    const left = new Error('left in place');
    await expect(recorded(spec(), async () => Promise.reject(new Error('x')), async () => Promise.reject(left))).rejects.toBe(left);
    expect(stored()).toEqual(['1 failed']);
  });

  it('a manual rollback from a deployed revision: the target is re-deployed, the undone one reads rolled-back (not superseded)', async () => {
    putRecord(rev(1, 'superseded'));
    putRecord(rev(2, 'deployed'));
    await recorded(spec({ command: 'rollback', description: 'rollback to 1', rollbackTo: 1, rollsBack: rev(2, 'deployed') }), async () => undefined);
    expect(stored()).toEqual(['1 superseded', '2 rolled-back', '3 deployed']);
  });
});
