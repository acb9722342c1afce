// Where a value came from, for summaries and reports (docs/architecture.md, "Inputs").
// Pure: the resolved sources in, a short note out.
import type { Source } from './resolve.js';
import { envName, flagName } from './fields.js';

/** The note shown after a summary value, e.g. `(from revision 4)`; '' when the user typed it. */
export function sourceNote(keys: string | readonly string[] | undefined, sources: Readonly<Record<string, Source>>, recordedFrom?: number): string {
  if (keys === undefined) return '';
  const list = typeof keys === 'string' ? [keys] : keys;
  const given = list.filter((k) => sources[k] !== undefined);
  if (given.length === 0) return '(default)';
  // The least obvious origin is the one worth naming: a recorded value most of all.
  const recorded = given.find((k) => sources[k] === 'recorded');
  if (recorded) return recordedFrom !== undefined ? `(from revision ${recordedFrom})` : '(recorded)';
  if (given.some((k) => sources[k] === 'adopted')) return '(from the install being taken over)';
  const env = given.find((k) => sources[k] === 'env');
  if (env) return `(from ${envName(env)})`;
  if (given.some((k) => sources[k] === 'config')) return '(from the config file)';
  if (given.every((k) => sources[k] === 'default')) return '(default)';
  return '';
}

/**
 * A value in a message, with where it came from when that was not a flag (never for
 * secrets): `--replicas 3 (from VH_DEPLOY_REPLICAS)`, `--min 4 (from config key min)`.
 */
export function labelWithSource(key: string, value: unknown, source: Source | undefined, recordedFrom?: number): string {
  const given = `${flagName(key)}${value === undefined ? '' : ` ${String(value)}`}`;
  switch (source) {
    case 'env':
      return `${given} (from ${envName(key)})`;
    case 'config':
      return `${given} (from config key ${key})`;
    case 'recorded':
      return `${given} (recorded in revision ${recordedFrom ?? '?'})`;
    case 'default':
      return `${given} (default)`;
    default:
      return given;
  }
}

/**
 * A check's message with where its values came from: the first mention of each option
 * that was not typed as a flag gets its origin — `--host and --region (from
 * VH_DEPLOY_REGION) are alternatives` — unless the message says it already. Pure.
 */
export function withSources(message: string, sources: Readonly<Record<string, Source>>, recordedFrom?: number): string {
  let out = message;
  for (const [key, source] of Object.entries(sources)) {
    if (source !== 'env' && source !== 'config' && source !== 'recorded') continue;
    const flag = flagName(key);
    const at = new RegExp(`(^|[^\\w-])${flag}(?![\\w-])(?! \\((from|recorded) )`).exec(out);
    if (!at) continue;
    const start = at.index + at[1]!.length;
    out = `${out.slice(0, start)}${labelWithSource(key, undefined, source, recordedFrom)}${out.slice(start + flag.length)}`;
  }
  return out;
}
