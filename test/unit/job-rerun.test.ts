// A failed migration is recoverable (issue 10): a Job whose manifest carries
// vh-deploy.io/rerun-if-failed is deleted and run again when its live copy failed; the
// failure line and last log lines go into the report and the operation's revision.
// The cluster side is covered by test/e2e/migrate-rerun.test.ts.
import { describe, expect, it } from 'vitest';
import { progressAndReruns, type RevisionWithReruns } from '../../src/actions/job-reruns.js';
import type { RecordedOperation } from '../../src/actions/lifecycle.js';
import type { DeployEvent } from '../../src/k8s/deploy.js';
import { immutableChanges } from '../../src/k8s/immutable.js';
import { jobFailure, RERUN_FAILED_ANNOTATION, rerunsIfFailed } from '../../src/k8s/job-rerun.js';
import type { Revision } from '../../src/k8s/revisions.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { posthogStack } from '../../src/stacks/posthog/index.js';
import { offlineContext, renderStack } from '../../src/stacks/stack.js';
import { describeEvent } from '../../src/ui/progress.js';
import { appliedObjects } from '../../src/ui/printers/common.js';
import { clearSecrets, registerSecret } from '../../src/ui/redact.js';

const job = (annotations: Record<string, string> = {}, conditions: unknown[] = []): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'migrate', namespace: 'ns', annotations },
  status: { conditions },
});

describe('which Jobs are run again', () => {
  it('only a Job whose manifest asks for it', () => {
    expect(rerunsIfFailed(job({ [RERUN_FAILED_ANNOTATION]: 'true' }))).toBe(true);
    expect(rerunsIfFailed(job())).toBe(false);
    expect(rerunsIfFailed({ ...job({ [RERUN_FAILED_ANNOTATION]: 'true' }), kind: 'Deployment' })).toBe(false);
  });
  it('the migrate Job of self-hosted asks for it', () => {
    const objs = renderStack(posthogStack, { domain: 'p.example.com', tlsIssuer: 'le' }, offlineContext('ph'));
    const migrate = objs.find((o) => o.kind === 'Job')!;
    expect(migrate.metadata.name).toMatch(/^posthog-migrate-[a-f0-9]{10}$/);
    expect(migrate.metadata.annotations?.[RERUN_FAILED_ANNOTATION]).toBe('true');
  });
  it('a live Job counts as failed by its Failed (or FailureTarget) condition, not by Complete', () => {
    expect(jobFailure(job({}, [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }]))).toBe(
      'BackoffLimitExceeded: Job has reached the specified backoff limit',
    );
    expect(jobFailure(job({}, [{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' }]))).toBe('BackoffLimitExceeded');
    expect(jobFailure(job({}, [{ type: 'Complete', status: 'True' }]))).toBeUndefined();
    expect(jobFailure(job({}, [{ type: 'Failed', status: 'False' }]))).toBeUndefined();
    expect(jobFailure(undefined)).toBeUndefined();
  });
});

describe('a failed Job run again is not an immutable change', () => {
  const planned = { ...job({ [RERUN_FAILED_ANNOTATION]: 'true' }), spec: { template: { spec: { containers: [{ name: 'migrate', image: 'posthog/posthog:release-1.43.0' }] } } } };
  const live = (conditions: unknown[]) => ({ ...job({}, conditions), spec: { template: { spec: { containers: [{ name: 'migrate', image: 'e2e.invalid/fail-job:1' }] } } } });
  it('its template may differ: the Job is replaced, not updated', () => {
    expect(immutableChanges(planned, live([{ type: 'Failed', status: 'True' }]))).toEqual([]);
  });
  it('a Job that completed keeps its immutable template', () => {
    expect(immutableChanges(planned, live([{ type: 'Complete', status: 'True' }])).map((c) => c.field)).toEqual(['spec.template']);
  });
});

describe('the evidence of the failed run', () => {
  const rerun = { uid: 'u1', failure: 'Job failed: BackoffLimitExceeded; pod migrate-x: container migrate exited with code 1 (Error): PostgreSQL 15.1 is not in the supported range', logs: ['Running migrations', 'password=hunter2-secret-value'] };
  const applied: DeployEvent = { type: 'applied', result: { ref: 'Job/ns/posthog-migrate-abc', key: { apiVersion: 'batch/v1', kind: 'Job', namespace: 'ns', name: 'posthog-migrate-abc' }, action: 'created', resourceVersion: '7', rerun } };

  it('is recorded in the revision, redacted, and the event still reaches the progress', () => {
    clearSecrets();
    registerSecret('hunter2-secret-value');
    const rec: RecordedOperation = { revision: { revision: 3 } as Revision };
    const seen: DeployEvent[] = [];
    const onEvent = progressAndReruns(rec, { progress: (e) => seen.push(e) });
    onEvent(applied);
    onEvent({ type: 'apply-start', count: 1 });
    expect(seen.map((e) => e.type)).toEqual(['applied', 'apply-start']);
    expect((rec.revision as RevisionWithReruns).rerunJobs).toEqual([
      { ref: 'Job/ns/posthog-migrate-abc', failure: rerun.failure, logs: ['Running migrations', 'password=<redacted 20 bytes>'] },
    ]);
    expect(rec.revision.revision).toBe(3);
    clearSecrets();
  });
  it('is in the JSON report (-o json) of the object', () => {
    expect(appliedObjects([applied.type === 'applied' ? applied.result : (undefined as never)])).toEqual([
      { ref: 'Job/ns/posthog-migrate-abc', action: 'created', rerun: { failure: rerun.failure, logs: rerun.logs } },
    ]);
  });
  it('is reported: the old failure and its last log lines before the new run', () => {
    const text = describeEvent(applied)!.replace(/\u001b\[[0-9;]*m/g, '');
    expect(text.split('\n')).toEqual([
      `    ↻ Job/ns/posthog-migrate-abc: the previous run failed (${rerun.failure}); deleted with its pods, running it again`,
      '        │ Running migrations',
      '        │ password=hunter2-secret-value',
      '    Job/ns/posthog-migrate-abc created',
    ]);
  });
});
