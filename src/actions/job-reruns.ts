// A failed Job that the apply ran again (src/k8s/job-rerun.ts) leaves its evidence in the
// revision of the operation that re-ran it: the failure line and the last log lines,
// redacted like everything vh-deploy writes (docs/compatibility.md, "A failed migration").
import type { DeployEvent } from '../k8s/deploy.js';
import type { Revision } from '../k8s/revisions.js';
import { redact } from '../ui/redact.js';
import type { RecordedOperation } from './lifecycle.js';
import type { ActionEvents } from './types.js';

/** One Job run again: which, and how its previous run failed. */
export interface RerunJob {
  ref: string;
  failure: string;
  logs: string[];
}

/** A revision as recorded, with the Jobs its operation ran again. */
export type RevisionWithReruns = Revision & { rerunJobs?: RerunJob[] };

/** The deploy events to show, and a failed Job run again noted in the operation's revision. */
export function progressAndReruns(rec: RecordedOperation, events: Pick<ActionEvents, 'progress'>): (e: DeployEvent) => void {
  return (e) => {
    if (e.type === 'applied' && e.result.rerun) {
      const r = e.result.rerun;
      const entry: RerunJob = { ref: e.result.ref, failure: redact(r.failure), logs: r.logs.map(redact) };
      const current = rec.revision as RevisionWithReruns;
      rec.revision = { ...current, rerunJobs: [...(current.rerunJobs ?? []), entry] } as RevisionWithReruns;
    }
    events.progress(e);
  };
}
