// The action layer (docs/architecture.md, "Actions"): each operation — deploy, upgrade,
// rollback, scale, verify, history, and every later one — takes typed inputs and a
// cluster and returns a result object. Actions never print and never read flags: what
// happens while they run goes to `events`, the outcome is the return value (or a thrown
// VhError), and the command hands both to one printer (src/ui/printers/), text or JSON.
import type { Cluster } from '../k8s/client.js';
import type { DeployEvent } from '../k8s/deploy.js';
import type { LockSettings } from '../actions/lifecycle.js';

/** What an action reports while it runs. The printer decides how (stderr lines, a spinner, nothing). */
export interface ActionEvents {
  /** Context for a person: the summary, the plan, what is being done. Plain text, no colour. `verbose`: only with --verbose. */
  note(line: string, level?: 'verbose'): void;
  /** Something the user should know that does not stop the action. */
  warn(message: string): void;
  /** Apply and wait progress from the engine. */
  progress(e: DeployEvent): void;
}

export interface ActionContext {
  cluster: Cluster;
  namespace: string;
  /**
   * How the namespace was chosen when the user did not type it — `(from kubeconfig
   * context X)`, `(default: …)` — said after its name in the summary and the
   * confirmation of a command that writes; '' or absent when given as a flag.
   */
  namespaceNote?: string;
  events: ActionEvents;
  /** The stack lock settings (--lock-wait, --force-unlock). */
  lock: LockSettings;
  /** Present only when the user may be asked (a terminal, no --yes): resolves false to cancel. */
  confirm?: (message: string) => Promise<boolean>;
}

/** ` (from kubeconfig context X)`: how the namespace was chosen, after its name; '' when typed. */
export const noteOf = (ctx: Pick<ActionContext, 'namespaceNote'>): string => (ctx.namespaceNote ? ` ${ctx.namespaceNote}` : '');
