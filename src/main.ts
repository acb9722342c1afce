// Process entry: runs the program, turns errors into one clear line and the exit
// codes of docs/architecture.md rule 8, and never prints a stack trace for expected failures.
import { CommanderError } from 'commander';
import { buildProgram, exitCodeOf } from './cli.js';
import { ExitCode, ExitStatus, InputError, VhError } from './errors.js';
import { wrap } from './ui/format.js';
import { terminalWidth } from './ui/output.js';
import { redact } from './ui/redact.js';

export async function main(argv: string[]): Promise<number> {
  let interrupted = false;
  const onSigint = () => {
    // A second Ctrl-C exits at once; the first lets the command clean up.
    if (interrupted) process.exit(ExitCode.interrupted);
    interrupted = true;
    process.exitCode = ExitCode.interrupted;
  };
  process.on('SIGINT', onSigint);
  // `vh-deploy render … | head`: the reader went away; stop quietly, not with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok);
    });
  }
  const program = buildProgram();
  // With JSON output, stdout is one document even on failure. A command that already
  // printed its JSON report (verify, upgrade) marks the error `reported`.
  const failureDocument = async (e: unknown, code: number, message: string) => {
    if ((e as { reported?: boolean }).reported) return;
    // Loaded only on failure: the format is resolved as the command resolves it (inputs.ts).
    const { outputFormat } = await import('./commands/output-format.js');
    if ((await outputFormat(program)) !== 'json') return;
    process.stdout.write(`${redact(JSON.stringify({ ok: false, exitCode: code, error: message }, null, 2))}\n`);
  };
  try {
    await program.parseAsync(argv, { from: 'user' });
    return interrupted ? ExitCode.interrupted : ExitCode.ok;
  } catch (e) {
    const code = exitCodeOf(e);
    if (e instanceof CommanderError) {
      // commander already printed its message on stderr; help and version (exit 0) are not failures.
      if (code !== ExitCode.ok) await failureDocument(e, code, e.message.replace(/^error: /, ''));
      return code;
    }
    if (e instanceof ExitStatus) return code;
    const message = e instanceof Error ? e.message : String(e);
    const lines = redact(message).split('\n');
    // Input errors are one line each; other errors are one line plus indented detail.
    const prefixAll = e instanceof InputError;
    // On a terminal, broken at spaces to its width (as every other line is: src/ui/format.ts).
    const width = terminalWidth(process.stderr);
    process.stderr.write(lines.map((l, i) => `${wrap(i === 0 || prefixAll ? `error: ${l}` : l, width)}\n`).join(''));
    if (e instanceof VhError && e.hint && !(e instanceof InputError)) process.stderr.write(`${wrap(`hint: ${redact(e.hint)}`, width)}\n`);
    if (!(e instanceof VhError) && e instanceof Error && process.env.VH_DEPLOY_DEBUG) process.stderr.write(`${redact(e.stack ?? '')}\n`);
    await failureDocument(e, code, message);
    return code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
