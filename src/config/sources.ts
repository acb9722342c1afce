// Where a value came from, for summaries and reports (docs/architecture.md, "Inputs").
// Pure: the resolved sources in, a short note out.
import type { Source } from './resolve.js';
import { envName } from './fields.js';

/** The note shown after a summary value, e.g. `(from revision 4)`; '' when the user typed it. */
export function sourceNote(keys: string | readonly string[] | undefined, sources: Readonly<Record<string, Source>>, recordedFrom?: number): string {
  if (keys === undefined) return '';
  const list = typeof keys === 'string' ? [keys] : keys;
  const given = list.filter((k) => sources[k] !== undefined);
  if (given.length === 0) return '(default)';
  // The least obvious origin is the one worth naming: a recorded value most of all.
  const recorded = given.find((k) => sources[k] === 'recorded');
  if (recorded) return recordedFrom !== undefined ? `(from revision ${recordedFrom})` : '(recorded)';
  const env = given.find((k) => sources[k] === 'env');
  if (env) return `(from ${envName(env)})`;
  if (given.some((k) => sources[k] === 'config')) return '(from the config file)';
  if (given.every((k) => sources[k] === 'default')) return '(default)';
  return '';
}
