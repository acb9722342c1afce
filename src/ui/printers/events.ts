// How a command shows what an action reports while it runs (src/actions/types.ts):
// notes and warnings on stderr (verbose notes only with --verbose), engine progress
// through the spinner or plain lines (src/ui/progress.ts).
import type { ActionEvents } from '../../actions/types.js';
import type { Ui } from '../output.js';
import { createProgress, type ProgressOptions } from '../progress.js';

export interface ShownEvents extends ActionEvents {
  /** Stops the spinner; call when the action ends. */
  stop(): void;
}

export async function showEvents(ui: Ui, o: ProgressOptions = {}): Promise<ShownEvents> {
  const progress = await createProgress(ui, o);
  return {
    note: (line, level) => {
      if (level !== 'verbose' || ui.verbose) progress.print(() => ui.note(line));
    },
    warn: (message) => progress.print(() => ui.warn(message)),
    progress: (e) => progress.event(e),
    stop: () => progress.stop(),
  };
}
