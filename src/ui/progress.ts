// Live progress while applying and waiting (docs/architecture.md rule 5): on a terminal an ora
// spinner says what is being waited on and why; otherwise one plain line per change,
// so CI logs show exactly when each object moved.
import type { DeployEvent } from '../k8s/deploy.js';
import { chalk, type Ui } from './output.js';

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

export function describeEvent(e: DeployEvent): string | undefined {
  switch (e.type) {
    case 'dry-run':
      return `server-side dry run: ${e.results.length} objects accepted`;
    case 'apply-start':
      return `${chalk.bold('==>')} applying ${e.count} objects, each once what it waits for is ready`;
    case 'blocked':
      return `    ${chalk.dim('⋯')} ${e.ref} waits for ${e.on.length > 3 ? `${e.on.slice(0, 3).join(', ')} and ${e.on.length - 3} more` : e.on.join(', ')}`;
    case 'applied':
      return `    ${e.result.ref} ${e.result.action}`;
    case 'progress': {
      const p = e.progress;
      const mark = p.state === 'ready' ? chalk.green('✓') : p.state === 'failed' ? chalk.red('✗') : chalk.dim('…');
      return `    ${mark} ${p.ref}: ${p.message}`;
    }
  }
}

export async function createProgress(ui: Ui): Promise<Progress> {
  if (!spinnerAllowed()) {
    return { event: (e) => { const l = describeEvent(e); if (l) ui.note(l); }, print: (write) => write(), stop: () => {} };
  }
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: process.stderr, discardStdin: false, isEnabled: true });
  const waiting = new Map<string, string>();
  const refresh = () => {
    const [first] = waiting;
    spinner.text = first ? `waiting for ${first[0]}: ${first[1]}${waiting.size > 1 ? chalk.dim(` (+${waiting.size - 1} more)`) : ''}` : 'applying';
  };
  return {
    event(e) {
      if (e.type === 'progress') {
        if (e.progress.state === 'progressing') waiting.set(e.progress.ref, e.progress.message);
        else waiting.delete(e.progress.ref);
        if (e.progress.state === 'progressing') return refresh();
      }
      const line = describeEvent(e);
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
    stop: () => spinner.stop(),
  };
}
