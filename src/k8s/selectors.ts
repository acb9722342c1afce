// Label selector helpers (pure): matching pods to their workload locally, and
// narrowing watches to the objects a run cares about.
import { arr, rec, str } from './types.js';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function toSelector(v: unknown): LabelSelector | undefined {
  const r = rec(v);
  if (Object.keys(r).length === 0) return undefined;
  const sel: LabelSelector = {};
  const ml = rec(r.matchLabels);
  if (Object.keys(ml).length) sel.matchLabels = Object.fromEntries(Object.entries(ml).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const me = arr(r.matchExpressions).map(rec);
  if (me.length) {
    sel.matchExpressions = me.map((e) => ({
      key: str(e.key) ?? '',
      operator: str(e.operator) ?? '',
      values: arr(e.values).filter((x): x is string => typeof x === 'string'),
    }));
  }
  return sel;
}

/** Kubernetes semantics: an empty selector matches everything. */
export function matchesSelector(labels: Record<string, string> | undefined, sel: LabelSelector): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !vals.includes(l[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(l[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** `a=b,c=d` for the labels every map has in common (undefined when none). */
export function commonLabelSelector(maps: readonly (Record<string, string> | undefined)[]): string | undefined {
  if (maps.length === 0) return undefined;
  let common: [string, string][] = Object.entries(maps[0] ?? {});
  for (const m of maps.slice(1)) common = common.filter(([k, v]) => m?.[k] === v);
  if (common.length === 0) return undefined;
  return common
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
