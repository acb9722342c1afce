// What the per-workload and stack-wide settings change, for the deploy summary
// (docs/customising.md): one row per workload whose settings differ from the defaults,
// the stack-wide settings, the patches, and the security settings in force where the
// stack asks for them (the Model Router: its image is the user's). Pure.
import { describeSecurity, matchesDecl, type WorkloadDecl } from '../manifests/overlay.js';
import { patchType, type PatchSpec } from '../manifests/patches.js';
import type { KubeObject } from '../k8s/types.js';
import type { Stack, SummaryRow } from './stack.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The security settings in force per workload, from the rendered objects. */
export function securityInForce(decls: readonly WorkloadDecl[], objects: readonly KubeObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of decls) {
    const o = objects.find((x) => matchesDecl(x, d));
    if (o) out[d.name] = describeSecurity(o, d);
  }
  return out;
}

/** Leaf paths of a mapping, `limits.cpu=2`, for a short description. */
function leaves(v: unknown, prefix = ''): string[] {
  if (!isObj(v)) return [`${prefix}=${v === null ? 'removed' : Array.isArray(v) ? `[${v.length}]` : String(v)}`];
  return Object.entries(v).flatMap(([k, x]) => leaves(x, prefix ? `${prefix}.${k}` : k));
}

/** One workload's settings in a line: "resources limits.cpu=2; nodeSelector pool=apps; 1 toleration". */
export function describeSettings(w: Obj): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(w)) {
    if (v === undefined) continue;
    if (v === null) parts.push(`${k} removed`);
    else if (Array.isArray(v)) parts.push(`${v.length} ${k === 'tolerations' ? 'toleration' : k === 'topologySpreadConstraints' ? 'spread constraint' : k}${v.length === 1 ? '' : 's'}`);
    else if (k === 'env') parts.push(`env ${Object.keys(v as Obj).join(', ')}`);
    else if (k === 'affinity') parts.push(`affinity ${Object.keys(v as Obj).join(', ')}`);
    else parts.push(`${k} ${leaves(v).join(', ')}`);
  }
  return parts.join('; ');
}

export function settingsSummary(stack: Stack, values: Obj, objects: readonly KubeObject[]): SummaryRow[] {
  const decls = stack.workloads ?? [];
  const rows: SummaryRow[] = [];
  const workloads = isObj(values.workloads) ? values.workloads : {};
  const security = securityInForce(decls, objects);
  for (const d of decls) {
    const w = workloads[d.name];
    const set = isObj(w) && Object.values(w).some((x) => x !== undefined);
    if (set) rows.push([d.name, describeSettings(w), 'workloads']);
    const securitySet = set && (w.securityContext !== undefined || w.podSecurityContext !== undefined);
    if ((d.reportSecurity || securitySet) && security[d.name] !== undefined) {
      const label = decls.length === 1 ? 'security' : `${d.name} security`;
      rows.push(securitySet ? [label, security[d.name]!, 'workloads'] : [label, `${security[d.name]!} (default)`]);
    }
  }
  const pull = values.imagePullSecrets;
  if (Array.isArray(pull) && pull.length) rows.push(['pull secrets', pull.join(', '), 'imagePullSecrets']);
  for (const [key, label] of [['serviceAnnotations', 'Service annot.'], ['ingressAnnotations', 'Ingress annot.']] as const) {
    const a = values[key];
    if (isObj(a) && Object.keys(a).length) rows.push([label, Object.keys(a).join(', '), key]);
  }
  const patches = values.patches;
  if (Array.isArray(patches) && patches.length) {
    const what = (patches as PatchSpec[]).map((p) => `${p.target.kind}/${p.target.name} (${patchType(p)})`);
    rows.push(['patches', what.join(', '), 'patches']);
  }
  return rows;
}
