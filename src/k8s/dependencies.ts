// What each object of a plan waits for before it is applied (docs/architecture.md,
// "Ordering"), in the spirit of kapp's change groups and change rules
// (carvel-dev/kapp pkg/kapp/config/default.go): instead of group barriers, where every
// group waits for the slowest object of the one before, each object starts as soon as
// what it depends on is there (applied) or ready. Pure: objects in, a graph out.
//
// Declared in the manifests:
//   vh-deploy.io/change-group: data-stores          (an object belongs to a named group)
//   vh-deploy.io/wait-for: "group:data-stores, StatefulSet/x"
//                                                   (it is applied once these are ready)
// Without a declaration the kind decides (the fallback keeps the old group order for
// what matters): data stores (StatefulSets) first, then Jobs once every StatefulSet of
// the plan is ready, then the other workloads once every Job and StatefulSet is ready.
// Everything else (Services, ConfigMaps, Secrets, PDBs, HPAs, Ingresses,
// NetworkPolicies, monitoring) goes at once.
import { objectRef, type KubeObject } from './types.js';
import { WORKLOAD_KINDS } from './rollout-rules.js';

export const CHANGE_GROUP_ANNOTATION = 'vh-deploy.io/change-group';
export const WAIT_FOR_ANNOTATION = 'vh-deploy.io/wait-for';

/** `applied`: the object exists (written); `ready`: it passed its readiness rule. */
export type Need = 'applied' | 'ready';

export interface Dependency {
  ref: string;
  need: Need;
}

export interface PlanNode {
  ref: string;
  object: KubeObject;
  deps: Dependency[];
}

/** Kinds that make pods. */
const POD_TEMPLATE_KINDS: ReadonlySet<string> = new Set([...WORKLOAD_KINDS, 'CronJob', 'Pod']);

/** Objects every pod of a namespace may read at start: they exist before any pod-bearing object. */
const POD_INPUT_KINDS: ReadonlySet<string> = new Set(['ServiceAccount', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Role', 'RoleBinding', 'Service']);

export class PlanDependencyError extends Error {}

function annotation(o: KubeObject, key: string): string | undefined {
  const v = o.metadata.annotations?.[key];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Every object with the refs it waits for. Throws PlanDependencyError for a reference
 * to nothing in the plan or a cycle, so a template mistake is found before any write.
 */
export function dependencyPlan(objects: readonly KubeObject[]): PlanNode[] {
  const refs = objects.map((o) => objectRef(o));
  const groups = new Map<string, string[]>();
  objects.forEach((o, i) => {
    const g = annotation(o, CHANGE_GROUP_ANNOTATION);
    if (g) for (const name of list(g)) groups.set(name, [...(groups.get(name) ?? []), refs[i]!]);
  });
  const crdKinds = new Map<string, string>(); // kind → CRD ref
  objects.forEach((o, i) => {
    if (o.kind !== 'CustomResourceDefinition') return;
    const kind = (o.spec as { names?: { kind?: unknown } } | undefined)?.names?.kind;
    if (typeof kind === 'string') crdKinds.set(kind, refs[i]!);
  });
  const byKind = (kinds: (k: string) => boolean, ns: string | undefined) =>
    objects.flatMap((o, i) => (kinds(o.kind) && o.metadata.namespace === ns ? [refs[i]!] : []));

  const nodes = objects.map((o, i): PlanNode => {
    const ref = refs[i]!;
    const ns = o.metadata.namespace;
    const deps: Dependency[] = [];
    const add = (r: string, need: Need) => {
      if (r === ref) return;
      const have = deps.find((d) => d.ref === r);
      if (!have) deps.push({ ref: r, need });
      else if (need === 'ready') have.need = 'ready';
    };
    // Its namespace exists first; a custom resource waits for its CRD to be Established.
    if (ns !== undefined) {
      const nsRef = objectRef({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      if (refs.includes(nsRef)) add(nsRef, 'applied');
    }
    const crd = crdKinds.get(o.kind);
    if (crd) add(crd, 'ready');
    if (!POD_TEMPLATE_KINDS.has(o.kind)) return { ref, object: o, deps };

    // Pods read their config, secrets, service account and volumes at start.
    for (const r of byKind((k) => POD_INPUT_KINDS.has(k), ns)) add(r, 'applied');
    const declared = annotation(o, WAIT_FOR_ANNOTATION);
    if (declared !== undefined) {
      for (const item of list(declared)) {
        if (item.startsWith('group:')) {
          const members = groups.get(item.slice('group:'.length));
          if (!members) throw new PlanDependencyError(`${ref}: ${WAIT_FOR_ANNOTATION} names group ${JSON.stringify(item.slice(6))}, which no object of the plan belongs to`);
          for (const m of members) add(m, 'ready');
        } else {
          const target = resolveShortRef(item, ns, refs);
          if (!target) throw new PlanDependencyError(`${ref}: ${WAIT_FOR_ANNOTATION} names ${JSON.stringify(item)}, which is not in the plan`);
          add(target, 'ready');
        }
      }
    } else if (o.kind === 'Job') {
      for (const r of byKind((k) => k === 'StatefulSet', ns)) add(r, 'ready');
    } else if (o.kind !== 'StatefulSet') {
      for (const r of byKind((k) => k === 'StatefulSet' || k === 'Job', ns)) add(r, 'ready');
    }
    return { ref, object: o, deps };
  });
  assertAcyclic(nodes);
  return nodes;
}

/** `Kind/name` in the object's namespace, matched against the plan's refs. */
function resolveShortRef(item: string, ns: string | undefined, refs: readonly string[]): string | undefined {
  const slash = item.indexOf('/');
  if (slash <= 0) return undefined;
  const kind = item.slice(0, slash);
  const name = item.slice(slash + 1);
  const want = ns === undefined ? `${kind}/${name}` : `${kind}/${ns}/${name}`;
  return refs.find((r) => r === want);
}

function assertAcyclic(nodes: readonly PlanNode[]): void {
  const byRef = new Map(nodes.map((n) => [n.ref, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: PlanNode, path: string[]) => {
    const s = state.get(n.ref);
    if (s === 'done') return;
    if (s === 'visiting') throw new PlanDependencyError(`the plan's dependencies form a cycle: ${[...path.slice(path.indexOf(n.ref)), n.ref].join(' → ')}`);
    state.set(n.ref, 'visiting');
    for (const d of n.deps) {
      const next = byRef.get(d.ref);
      if (next) visit(next, [...path, n.ref]);
    }
    state.set(n.ref, 'done');
  };
  for (const n of nodes) visit(n, []);
}

/**
 * The order in which objects could start if every wait were instant: waves of objects
 * whose dependencies are in earlier waves. For the plan line and tests. Pure.
 */
export function dependencyWaves(nodes: readonly PlanNode[]): string[][] {
  const wave = new Map<string, number>();
  const byRef = new Map(nodes.map((n) => [n.ref, n]));
  const depth = (n: PlanNode): number => {
    const have = wave.get(n.ref);
    if (have !== undefined) return have;
    const d = n.deps.reduce((m, dep) => Math.max(m, byRef.has(dep.ref) ? depth(byRef.get(dep.ref)!) + 1 : 0), 0);
    wave.set(n.ref, d);
    return d;
  };
  const out: string[][] = [];
  for (const n of nodes) (out[depth(n)] ??= []).push(n.ref);
  return out.filter(Boolean);
}
