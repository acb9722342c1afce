// `--set path=value` in Helm's convention (helm/helm pkg/strvals): dotted keys, list
// indexes `a.b[0].c=x`, lists `a={x,y}`, several assignments separated by commas, and
// `\` escaping `.`, `,`, `=`, `[`, `{` in keys and values. Values are typed like Helm's:
// true/false, null, whole numbers; anything else is text (`--set-string`: always text).
// Pure; the messages name the assignment and what is wrong.
import { InputError } from '../errors.js';

export type PathSegment = string | number;
const MAX_INDEX = 1000;

/** One `--set` argument: its assignments as (path, value) pairs. */
export function parseSetArgument(arg: string, flag = '--set'): Array<{ path: PathSegment[]; value: unknown; text: string }> {
  const out: Array<{ path: PathSegment[]; value: unknown; text: string }> = [];
  const bad = (why: string) => new InputError(`${flag} ${JSON.stringify(arg)}: ${why}`, 'the form is path=value, e.g. --set workloads.web.resources.limits.cpu=2 (docs/customising.md)');
  let i = 0;
  while (i < arg.length) {
    const start = i;
    // The key, up to an unescaped '='.
    const path: PathSegment[] = [];
    let seg = '';
    let segDone = false;
    const endSeg = () => {
      if (!segDone) {
        if (seg === '') throw bad('an empty key segment');
        path.push(seg);
      }
      seg = '';
      segDone = false;
    };
    for (;;) {
      if (i >= arg.length) throw bad(`no '=' after ${JSON.stringify(arg.slice(start))}`);
      const c = arg[i]!;
      if (c === '\\' && i + 1 < arg.length) {
        seg += arg[i + 1];
        i += 2;
      } else if (c === '=') {
        endSeg();
        i++;
        break;
      } else if (c === '.') {
        endSeg();
        i++;
      } else if (c === '[') {
        const close = arg.indexOf(']', i);
        const n = close > i ? arg.slice(i + 1, close) : '';
        if (!/^\d+$/.test(n) || Number(n) > MAX_INDEX) throw bad(`expected a list index from 0 to ${MAX_INDEX} in [...]`);
        if (!segDone) endSeg();
        path.push(Number(n));
        segDone = true;
        i = close + 1;
      } else if (c === ',') {
        throw bad(`no '=' in ${JSON.stringify(arg.slice(start, i))}`);
      } else {
        if (segDone) throw bad(`expected '.', '[' or '=' after ']'`);
        seg += c;
        i++;
      }
    }
    // The value, up to an unescaped ',' (or a {list}).
    let value: unknown;
    if (arg[i] === '{') {
      const items: unknown[] = [];
      let cur = '';
      i++;
      for (;;) {
        if (i >= arg.length) throw bad("a list '{' without its '}'");
        const c = arg[i]!;
        if (c === '\\' && i + 1 < arg.length) {
          cur += arg[i + 1];
          i += 2;
        } else if (c === ',' || c === '}') {
          if (cur !== '' || c === ',' || items.length) items.push(cur);
          cur = '';
          i++;
          if (c === '}') break;
        } else {
          cur += c;
          i++;
        }
      }
      value = items;
      if (i < arg.length && arg[i] !== ',') throw bad("expected ',' after a '{list}'");
    } else {
      let cur = '';
      while (i < arg.length && arg[i] !== ',') {
        if (arg[i] === '\\' && i + 1 < arg.length) {
          cur += arg[i + 1];
          i += 2;
        } else cur += arg[i++];
      }
      value = cur;
    }
    out.push({ path, value, text: arg.slice(start, i) });
    if (arg[i] === ',') i++;
  }
  if (out.length === 0) throw bad('nothing to set');
  return out;
}

/** Helm's typing of a --set value: true/false, null, whole numbers; otherwise text. */
export function typedValue(v: unknown, asString: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => typedValue(x, asString));
  if (asString || typeof v !== 'string') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === 'null') return null;
  if (/^-?(0|[1-9]\d{0,14})$/.test(v)) return Number(v);
  return v;
}

/** Sets `value` at `path` in `tree` (created as needed). Pure apart from `tree`. */
export function setPath(tree: Record<string, unknown>, path: readonly PathSegment[], value: unknown, where: string): void {
  let cur: unknown = tree;
  path.forEach((seg, n) => {
    const last = n === path.length - 1;
    const next = path[n + 1];
    const fresh = () => (typeof next === 'number' ? [] : {});
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) throw new InputError(`${where}: ${pathText(path.slice(0, n))} is not a list`);
      if (seg > cur.length) throw new InputError(`${where}: index ${seg} leaves a gap in ${pathText(path.slice(0, n))} (it has ${cur.length} item${cur.length === 1 ? '' : 's'})`);
      if (last) cur[seg] = value;
      else if (cur[seg] === undefined || cur[seg] === null || typeof cur[seg] !== 'object') cur[seg] = fresh();
      cur = cur[seg];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) throw new InputError(`${where}: ${pathText(path.slice(0, n))} is not a mapping`);
      const o = cur as Record<string, unknown>;
      if (last) o[seg] = value;
      else if (o[seg] === undefined || o[seg] === null || typeof o[seg] !== 'object') o[seg] = fresh();
      cur = o[seg];
    }
  });
}

export const pathText = (path: readonly PathSegment[]) => path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
