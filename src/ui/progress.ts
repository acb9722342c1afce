// Live progress while applying and waiting (docs/architecture.md rule 5): on a terminal an ora
// spinner says what is being waited on and why, how long it has waited and the
// timeout; otherwise one plain line per change, so CI logs show exactly when each
// object moved.
import type { DeployEvent } from '../k8s/deploy.js';
import { fit, seconds } from './format.js';
import { chalk, type Ui } from './output.js';

export interface ProgressOptions {
  /** --timeout: said when the apply starts and beside the spinner's elapsed time. */
  timeoutMs?: number | undefined;
}

export interface Progress {
  event(e: DeployEvent): void;
  /** Writes a line of its own (a note, a warning) without tearing a running spinner. */
  print(write: () => void): void;
  stop(): void;
}

/** ora loops forever on a TTY reporting 0 columns; CI and TERM=dumb get plain lines. */
export function spinnerAllowed(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && !('CI' in env) && env.TERM !== 'dumb';
}

export function describeEvent(e: DeployEvent, o: ProgressOptions = {}): string | undefined {
  switch (e.type) {
    case 'dry-run':
      return `server-side dry run: ${e.results.length} objects accepted`;
    case 'apply-start':
      return `${chalk.bold('==>')} applying ${e.count} objects, each once what it waits for is ready${o.timeoutMs !== undefined ? ` (timeout ${seconds(o.timeoutMs)})` : ''}`;
    case 'blocked':
      return `    ${chalk.dim('⋯')} ${e.ref} waits for ${e.on.length > 3 ? `${e.on.slice(0, 3).join(', ')} and ${e.on.length - 3} more` : e.on.join(', ')}`;
    case 'applied': {
      const line = `    ${e.result.ref} ${e.result.action}`;
      const r = e.result.rerun;
      if (!r) return line;
      // A failed Job run again (src/k8s/job-rerun.ts): its old failure, then the new run.
      const logs = r.logs.length ? `\n${r.logs.map((l) => `        ${chalk.dim('│')} ${l}`).join('\n')}` : '';
      return `    ${chalk.yellow('↻')} ${e.result.ref}: the previous run failed (${r.failure}); deleted with its pods, running it again${logs}\n${line}`;
    }
    case 'progress': {
      const p = e.progress;
      const mark = p.state === 'ready' ? chalk.green('✓') : p.state === 'failed' ? chalk.red('✗') : chalk.dim('…');
      return `    ${mark} ${p.ref}: ${p.message}`;
    }
  }
}

/** `12 s of 5 min`: the spinner's clock. Pure. */
export function clockText(elapsedMs: number, timeoutMs: number | undefined): string {
  return timeoutMs !== undefined ? `${seconds(elapsedMs)} of ${seconds(timeoutMs)}` : seconds(elapsedMs);
}

/** The spinner's line: what is waited on, then the clock; cut to the terminal's width. Pure. */
export function spinnerText(waiting: ReadonlyMap<string, string>, clock: string, columns: number | undefined): string {
  const [first] = waiting;
  const more = waiting.size > 1 ? ` (+${waiting.size - 1} more)` : '';
  const what = first ? `waiting for ${first[0]}: ${first[1]}` : 'applying';
  const tail = `${more} · ${clock}`;
  // The spinner and its space take 2 columns; what is waited on gives way, the clock stays.
  const room = columns !== undefined ? Math.max(columns - 2 - tail.length, 10) : undefined;
  return `${fit(what, room)}${chalk.dim(tail)}`;
}

export async function createProgress(ui: Ui, o: ProgressOptions = {}): Promise<Progress> {
  if (!spinnerAllowed()) {
    return { event: (e) => { const l = describeEvent(e, o); if (l) ui.note(l); }, print: (write) => write(), stop: () => {} };
  }
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: process.stderr, discardStdin: false, isEnabled: true });
  const waiting = new Map<string, string>();
  const started = performance.now();
  const refresh = () => {
    spinner.text = spinnerText(waiting, clockText(performance.now() - started, o.timeoutMs), process.stderr.columns);
  };
  // The clock moves even while nothing else does.
  const tick = setInterval(() => spinner.isSpinning && refresh(), 1000);
  tick.unref();
  return {
    event(e) {
      if (e.type === 'progress') {
        if (e.progress.state === 'progressing') waiting.set(e.progress.ref, e.progress.message);
        else waiting.delete(e.progress.ref);
        if (e.progress.state === 'progressing') return refresh();
      }
      const line = describeEvent(e, o);
      if (line) {
        spinner.clear();
        ui.note(line);
      }
      if (!spinner.isSpinning) spinner.start();
      refresh();
    },
    print(write) {
      if (!spinner.isSpinning) return write();
      spinner.clear();
      write();
      spinner.render();
    },
    stop: () => {
      clearInterval(tick);
      spinner.stop();
    },
  };
}
