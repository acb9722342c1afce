// What `history` says about the stack's lock (pure): a live Lease is "locked by", an
// expired one or one whose process is gone on this host is a stale lock that the next
// operation takes over. The e2e side is in test/e2e/day2-lock.test.ts.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeLock } from '../../src/ui/printers/history.js';
import type { LeaseSpec } from '../../src/k8s/lease.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();
const LEASE = 'vh-deploy-lock-model-router';
const spec = (s: Partial<LeaseSpec>): LeaseSpec => ({ holderIdentity: 'bob@ci-3.invalid pid 77', leaseDurationSeconds: 60, renewTime: at(12_000), ...s });

describe('describeLock', () => {
  it('no Lease, or nobody holds it: nothing to say', () => {
    expect(describeLock(undefined, LEASE, NOW)).toBeUndefined();
    expect(describeLock(spec({ holderIdentity: '' }), LEASE, NOW)).toBeUndefined();
  });

  it('renewed within its duration: locked by the holder', () => {
    expect(describeLock(spec({}), LEASE, NOW)).toEqual({
      doc: { lease: LEASE, holder: 'bob@ci-3.invalid pid 77', state: 'held', renewTime: at(12_000), renewedSecondsAgo: 12, expiresInSeconds: 48 },
      line: `Lease ${LEASE}: locked by bob@ci-3.invalid pid 77 (renewed 12s ago); an operation is running`,
    });
  });

  it('expired: a stale lock, never "locked by"', () => {
    const d = describeLock(spec({ renewTime: at(10 * 60_000) }), LEASE, NOW)!;
    expect(d.line).toBe(`Lease ${LEASE}: stale lock (bob@ci-3.invalid pid 77 stopped renewing 10m ago; the next operation takes it over)`);
    expect(d.doc).toEqual({ lease: LEASE, holder: 'bob@ci-3.invalid pid 77', state: 'stale', renewTime: at(10 * 60_000), renewedSecondsAgo: 600, staleReason: 'expired' });
  });

  it('no time at all: stale, never renewed', () => {
    const d = describeLock(spec({ renewTime: undefined }), LEASE, NOW)!;
    expect(d.line).toBe(`Lease ${LEASE}: stale lock (bob@ci-3.invalid pid 77 never renewed it; the next operation takes it over)`);
    expect(d.doc).toEqual({ lease: LEASE, holder: 'bob@ci-3.invalid pid 77', state: 'stale', staleReason: 'expired' });
  });

  it('a holder on this host whose process is gone: stale although within its duration', () => {
    // Pid 2^22 + 1 is above Linux's pid_max limit: no such process.
    const holder = `ci@${hostname()} pid 4194305`;
    const d = describeLock(spec({ holderIdentity: holder }), LEASE, NOW)!;
    expect(d.line).toBe(`Lease ${LEASE}: stale lock (${holder}: that process no longer exists; the next operation takes it over)`);
    expect(d.doc).toMatchObject({ state: 'stale', staleReason: 'dead', renewedSecondsAgo: 12 });
  });
});
