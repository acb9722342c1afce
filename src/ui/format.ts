// Text-report helpers shared by the printers (src/ui/printers/): tables that fit the
// terminal, and the elapsed time a report states. The one place that knows widths.

export interface TableOptions {
  /**
   * The width to fit (the terminal's columns); undefined: no limit — piped output,
   * `-o wide`. Text is only ever cut for a person at a terminal; JSON never is.
   */
  width?: number | undefined;
  /** The columns that may be cut to fit, the first cut first (the long ones: DETAIL). */
  shrink?: readonly number[];
}

/** A cut column keeps at least its header, and never less than this. */
const MIN_CUT = 8;

/**
 * Fixed-width text table (colour codes do not count as width). With a width, the
 * `shrink` columns are cut with `…` until each row fits on one line; the others stay.
 */
export function table(header: string[], rows: string[][], o: TableOptions = {}): string[] {
  const cells = rows.map((r) => header.map((_, i) => oneLine(r[i] ?? '')));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => visibleLength(r[i]!))));
  if (o.width !== undefined) {
    const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
    for (const c of o.shrink ?? []) {
      const excess = total() - o.width;
      if (excess <= 0) break;
      widths[c] = Math.max(widths[c]! - excess, header[c]!.length, Math.min(MIN_CUT, widths[c]!));
    }
  }
  const line = (row: string[]) =>
    row
      .map((c, i) => {
        const cut = fit(c, widths[i]!);
        return i === row.length - 1 ? cut : cut + ' '.repeat(Math.max(widths[i]! - visibleLength(cut), 0));
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)];
}

/** One line of text cut to `width` visible characters, ending in `…` when cut; undefined width: as it is. */
export function fit(s: string, width: number | undefined): string {
  if (width === undefined || visibleLength(s) <= width) return s;
  return `${stripAnsi(s).slice(0, Math.max(width - 1, 0))}…`;
}

/**
 * Prose for a terminal of `width` columns: each line longer than that is broken at
 * spaces, continued under its value column (`  label    value…`) or its indent + 2, so
 * the terminal never wraps it mid-word; undefined width: as it is (a pipe, a file).
 */
export function wrap(text: string, width: number | undefined): string {
  if (width === undefined) return text;
  return text
    .split('\n')
    .map((line) => (visibleLength(line) <= width ? line : wrapLine(stripAnsi(line), width)))
    .join('\n');
}

function wrapLine(line: string, width: number): string {
  const lead = /^ */.exec(line)![0].length;
  const column = /^ *\S+(?: \S+)*? {2,}(?=\S)/.exec(line)?.[0].length;
  const hang = ' '.repeat(column !== undefined && column <= width / 2 ? column : Math.min(lead + 2, Math.floor(width / 2)));
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    // Spaces inside `…` are no break: a quoted command stays one line, to paste as it is.
    const spaces = breakable(rest).filter((i) => i > (out.length ? hang.length : lead));
    const at = spaces.filter((i) => i <= width).at(-1) ?? spaces[0];
    if (at === undefined) break; // one long word: the terminal wraps it, nothing is cut
    out.push(rest.slice(0, at).trimEnd());
    rest = hang + rest.slice(at).trimStart();
  }
  out.push(rest);
  return out.join('\n');
}

/** Where a line may break: its spaces outside backquotes. */
function breakable(line: string): number[] {
  const at: number[] = [];
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '`') quoted = !quoted;
    else if (line[i] === ' ' && !quoted) at.push(i);
  }
  return at;
}

/** A cell is one line: a multi-line error reads as one. */
const oneLine = (s: string) => s.replace(/\s*\r?\n\s*/g, ' ');

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const stripAnsi = (s: string) => s.replace(ANSI, '');
export const visibleLength = (s: string) => stripAnsi(s).length;

/** `1 warning`, `2 warnings`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Milliseconds since `started` (a performance.now() reading), as reports state it. */
export function durationMs(started: number): number {
  return Math.round(performance.now() - started);
}

/** `4.2 s`, `1 min 12 s`: an elapsed time or a timeout, as a person reads it. */
export function seconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m} min ${s} s` : `${m} min`;
}
