// Text-report helpers shared by the printers (src/ui/printers/): fixed-width tables and
// the elapsed time a report states.

/** Fixed-width text table (no colour codes in widths: marks are added after padding). */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(widths[i]! - visibleLength(c), 0))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

// eslint-disable-next-line no-control-regex
const visibleLength = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;

/** Milliseconds since `started` (a performance.now() reading), as reports state it. */
export function durationMs(started: number): number {
  return Math.round(performance.now() - started);
}
