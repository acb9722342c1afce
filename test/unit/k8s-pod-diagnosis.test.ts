import { describe, expect, it } from 'vitest';
import { diagnosePod, FATAL_WAITING_REASONS, problemHint } from '../../src/k8s/pod-diagnosis.js';
import type { KubeObject } from '../../src/k8s/types.js';

const pod = (status: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-abc', namespace: 'prod' }, status });
const waiting = (reason: string, message?: string, extra: Record<string, unknown> = {}) => ({
  name: 'web',
  ready: false,
  restartCount: 0,
  state: { waiting: { reason, ...(message && { message }) } },
  ...extra,
});

describe('diagnosePod', () => {
  it('is ok for a running pod and for ordinary waiting reasons', () => {
    expect(diagnosePod(pod({ phase: 'Running', containerStatuses: [{ name: 'web', state: { running: {} } }] })).kind).toBe('ok');
    expect(diagnosePod(pod({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating')] })).kind).toBe('ok');
    expect(diagnosePod(pod({ phase: 'Pending', containerStatuses: [waiting('PodInitializing')] })).kind).toBe('ok');
  });

  it.each(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError'])('%s is fatal', (reason) => {
    expect(FATAL_WAITING_REASONS.has(reason)).toBe(true);
    const d = diagnosePod(pod({ phase: 'Pending', containerStatuses: [waiting(reason, `details of ${reason}`)] }));
    expect(d.kind).toBe('fatal');
    if (d.kind !== 'fatal') return;
    expect(d.problem).toMatchObject({ pod: 'web-abc', reason, container: 'web' });
    expect(d.problem.message).toContain(`details of ${reason}`);
  });

  it('names the failing init container first', () => {
    const d = diagnosePod(
      pod({
        phase: 'Pending',
        initContainerStatuses: [{ ...waiting('ImagePullBackOff', 'Back-off pulling image "bad"'), name: 'init-db' }],
        containerStatuses: [waiting('PodInitializing')],
      }),
    );
    expect(d.kind === 'fatal' && d.problem.container).toBe('init-db');
  });

  it('adds restart count and last exit code for CrashLoopBackOff', () => {
    const d = diagnosePod(
      pod({
        phase: 'Running',
        containerStatuses: [waiting('CrashLoopBackOff', 'back-off 40s restarting failed container', { restartCount: 4, lastState: { terminated: { exitCode: 1, reason: 'Error' } } })],
      }),
    );
    expect(d.kind).toBe('fatal');
    if (d.kind === 'fatal') expect(d.problem.message).toBe('back-off 40s restarting failed container; restarted 4 times; last exit code 1 (Error)');
  });

  describe('Unschedulable', () => {
    const unsched = (ltt?: string) =>
      pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.', ...(ltt && { lastTransitionTime: ltt }) }] });
    const t0 = Date.parse('2026-01-01T00:00:00Z');

    it('is within grace for 15 s from lastTransitionTime, with a re-check time', () => {
      const d = diagnosePod(unsched('2026-01-01T00:00:00Z'), { now: t0 + 5_000 });
      expect(d).toMatchObject({ kind: 'grace', recheckAt: t0 + 15_000 });
    });

    it('is fatal after the grace', () => {
      const d = diagnosePod(unsched('2026-01-01T00:00:00Z'), { now: t0 + 15_000 });
      expect(d.kind).toBe('fatal');
      if (d.kind === 'fatal') expect(d.problem).toMatchObject({ reason: 'Unschedulable', message: expect.stringContaining('Insufficient cpu') });
    });

    it('honours a custom grace', () => {
      expect(diagnosePod(unsched('2026-01-01T00:00:00Z'), { now: t0 + 2_000, unschedulableGraceMs: 1_000 }).kind).toBe('fatal');
    });

    it('without a timestamp, measures from when the caller first saw it', () => {
      expect(diagnosePod(unsched(), { now: t0 + 10_000, firstSeenUnschedulableAt: t0 }).kind).toBe('grace');
      expect(diagnosePod(unsched(), { now: t0 + 16_000, firstSeenUnschedulableAt: t0 }).kind).toBe('fatal');
      expect(diagnosePod(unsched(), { now: t0 })).toMatchObject({ kind: 'grace', recheckAt: t0 + 15_000 });
    });

    it('treats a timestamp in the future (clock skew) as first seen now', () => {
      expect(diagnosePod(unsched('2026-01-01T00:01:00Z'), { now: t0, firstSeenUnschedulableAt: t0 })).toMatchObject({ kind: 'grace', recheckAt: t0 + 15_000 });
    });

    it('ignores PodScheduled=False for other reasons (e.g. SchedulingGated)', () => {
      expect(diagnosePod(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] })).kind).toBe('ok');
    });
  });
});

// Messages as a real kubelet (v1.36) with runc 1.1 wrote them (test/e2e/real-node.test.ts).
describe('problemHint', () => {
  it('runAsNonRoot against an image that runs as root names the securityContext, not a missing ConfigMap or Secret', () => {
    const hint = problemHint({ pod: 'p', reason: 'CreateContainerConfigError', message: 'container has runAsNonRoot and image will run as root (pod: "p_ns(uid)", container: c)' });
    expect(hint).toBe("the image runs as root and the pod's securityContext sets runAsNonRoot: run it as a user the image supports (runAsUser), or allow root (runAsNonRoot: false)");
  });
  it('runc\'s permission denied on the program names runAsUser', () => {
    const message = 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "./model-router": stat ./model-router: permission denied: unknown';
    expect(problemHint({ pod: 'p', reason: 'RunContainerError', message })).toMatch(/^the user the pod runs as \(securityContext runAsUser\/runAsGroup\) cannot reach the image's program/);
  });
  it('a missing Secret key keeps the reason\'s own hint', () => {
    expect(problemHint({ pod: 'p', reason: 'CreateContainerConfigError', message: "couldn't find key password in Secret ns/db-creds" })).toBe('a ConfigMap, Secret or key the pod references is missing');
  });
});
