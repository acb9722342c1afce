// Output rules (docs/architecture.md rule 8): colour only on a TTY and never with NO_COLOR;
// `--output json` prints exactly one JSON document on stdout; progress goes to stderr.
import chalk from 'chalk';
import { wrap } from './format.js';
import { redact } from './redact.js';

export interface Ui {
  readonly json: boolean;
  readonly verbose: boolean;
  /** The terminal's width, for tables to fit; undefined when stdout is piped or with `-o wide` (nothing is cut). */
  readonly width: number | undefined;
  /** A line of the human result (stdout; suppressed in JSON mode). */
  out(line: string): void;
  /** A note, warning or progress line (stderr). */
  note(line: string): void;
  warn(line: string): void;
  /** The single JSON document (JSON mode only). */
  document(doc: unknown): void;
  /** Raw text to stdout (rendered manifests). */
  raw(text: string): void;
}

export function colourEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  // chalk ignores NO_COLOR by design; we honour it (https://no-color.org).
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

/** The width tables fit: a terminal's columns; none for a pipe or a file, or when the full text is asked for. */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout, wide = false): number | undefined {
  return !wide && stream.isTTY && stream.columns > 0 ? stream.columns : undefined;
}

export function createUi(o: { json?: boolean; verbose?: boolean; wide?: boolean } = {}): Ui {
  if (!colourEnabled()) chalk.level = 0;
  const write = (stream: NodeJS.WriteStream, s: string) => stream.write(redact(s));
  // On a terminal, lines are broken at spaces to its width (src/ui/format.ts), never mid-word by it.
  const width = terminalWidth(process.stdout, Boolean(o.wide));
  const errWidth = terminalWidth(process.stderr, Boolean(o.wide));
  const warning = 'warning: ';
  return {
    json: Boolean(o.json),
    verbose: Boolean(o.verbose),
    width,
    out: (line) => {
      if (!o.json) write(process.stdout, `${wrap(redact(line), width)}\n`);
    },
    // Redacted before it is broken into lines: a secret split in two would match no more.
    note: (line) => write(process.stderr, `${wrap(redact(line), errWidth)}\n`),
    warn: (line) => {
      const text = wrap(`${warning}${redact(line)}`, errWidth);
      write(process.stderr, `${chalk.yellow(warning.trimEnd())}${text.slice(warning.trimEnd().length)}\n`);
    },
    document: (doc) => write(process.stdout, `${JSON.stringify(doc, null, 2)}\n`),
    raw: (text) => write(process.stdout, text),
  };
}

export { chalk };
