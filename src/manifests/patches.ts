// `--patch FILE` (docs/customising.md): the escape hatch for what the typed settings do
// not cover. Each patch names a target in the plan (kind, name) and is one of a JSON
// merge patch (RFC 7386), a strategic merge (lists of named items merge by name, as
// Kubernetes does for containers, env and volumes) or JSON-6902 operations (applied by
// fast-json-patch). Applied after the overlay and before the finishing steps, so config
// checksums see a patched ConfigMap; the server's dry run validates the result. What
// vh-deploy guarantees is refused (exit 2): an object's identity, selectors, its labels
// and annotations, `spec.replicas` under an HPA. Pure apart from mutating the plan.
import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { InputError } from '../errors.js';
import type { KubeObject } from '../k8s/types.js';
import { podTemplate } from './finalize.js';
import { mergeOver } from './overlay.js';

const { applyPatch, JsonPatchError } = fjp;

export interface PatchSpec {
  target: { kind: string; name: string; namespace?: string | undefined };
  merge?: Record<string, unknown> | undefined;
  strategic?: Record<string, unknown> | undefined;
  json?: ReadonlyArray<Record<string, unknown>> | undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const RESERVED = /^(app\.kubernetes\.io|vh-deploy\.io)\//;

export const patchType = (p: PatchSpec) => (p.json ? 'json' : p.strategic ? 'strategic' : 'merge');

/**
 * Kubernetes-style strategic merge, the common case only: mappings merge, a list whose
 * items all carry a `name` merges item by item (`$patch: delete` in an item removes it),
 * other lists replace, `null` removes a key. Pure.
 */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(patch) && Array.isArray(base) && [...base, ...patch].every((x) => isObj(x) && typeof x.name === 'string')) {
    const out = base.map((x) => structuredClone(x) as Obj);
    for (const item of patch as Obj[]) {
      const at = out.findIndex((x) => x.name === item.name);
      if (item.$patch === 'delete') {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) out[at] = strategicMerge(out[at], item) as Obj;
      else out.push(structuredClone(item));
    }
    return out;
  }
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = strategicMerge(out[k], v);
  }
  return out;
}

/** What a patch may not change, as comparable text. */
function guarded(o: Obj, hpaTargets: Set<string>): Record<string, string> {
  const meta = isObj(o.metadata) ? o.metadata : {};
  const reservedOf = (m: unknown) => (isObj(m) ? Object.entries(m).filter(([k]) => RESERVED.test(k)).sort() : []);
  const t = podTemplate(o as KubeObject);
  const tmeta = t && isObj(t.metadata) ? t.metadata : {};
  const spec = isObj(o.spec) ? o.spec : {};
  return {
    'the identity (apiVersion, kind, name, namespace)': JSON.stringify([o.apiVersion, o.kind, meta.name, meta.namespace]),
    'spec.selector (immutable; Services and PDBs find the pods by it)': JSON.stringify(spec.selector ?? null),
    'app.kubernetes.io/* and vh-deploy.io/* labels and annotations (vh-deploy manages them)': JSON.stringify([reservedOf(meta.labels), reservedOf(meta.annotations), reservedOf(tmeta.labels), reservedOf(tmeta.annotations)]),
    ...(hpaTargets.has(`${String(o.kind)}/${String(meta.name)}`) && { 'spec.replicas (an HPA manages this workload)': JSON.stringify(spec.replicas ?? null) }),
  };
}

/** Applies the patches to the plan in place; a patch whose target is not in the plan, that fails, or that touches a reserved field is exit 2. */
export function applyPatches(objects: KubeObject[], patches: readonly PatchSpec[]): void {
  const hpaTargets = new Set(
    objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').flatMap((o) => {
      const ref = isObj(o.spec) && isObj(o.spec.scaleTargetRef) ? o.spec.scaleTargetRef : undefined;
      return ref ? [`${String(ref.kind)}/${String(ref.name)}`] : [];
    }),
  );
  patches.forEach((p, i) => {
    const where = `patches[${i}] (${p.target.kind}/${p.target.name}, ${patchType(p)})`;
    const at = objects.findIndex((o) => o.kind === p.target.kind && o.metadata.name === p.target.name && (p.target.namespace === undefined || o.metadata.namespace === p.target.namespace));
    if (at < 0) {
      const same = objects.filter((o) => o.kind === p.target.kind).map((o) => o.metadata.name);
      throw new InputError(
        `${where}: no ${p.target.kind} named ${p.target.name} in the plan${same.length ? ` (${p.target.kind}: ${same.join(', ')})` : ` (it has no ${p.target.kind})`}`,
        'patches come from --patch, the config key patches, or the last revision (a later --patch replaces them; --reset-values drops them)',
      );
    }
    const before = objects[at]!;
    let after: Obj;
    if (p.json) {
      try {
        after = applyPatch(structuredClone(before), p.json as unknown as Operation[], true, false).newDocument as Obj;
      } catch (e) {
        if (e instanceof JsonPatchError) throw new InputError(`${where}: operation ${e.index ?? 0} (${e.operation?.op ?? '?'} ${e.operation?.path ?? ''}) failed: ${e.name.toLowerCase().replace(/_/g, ' ')}`);
        throw e;
      }
    } else if (p.strategic) after = strategicMerge(before, p.strategic) as Obj;
    else after = mergeOver(before, p.merge) as Obj;
    if (!isObj(after)) throw new InputError(`${where}: the result is not an object`);
    const was = guarded(before, hpaTargets);
    const now = guarded(after, hpaTargets);
    const broken = Object.keys(was).filter((k) => was[k] !== now[k]);
    if (broken.length) throw new InputError(`${where}: changes ${broken.join('; ')}; reserved`, 'these stay as vh-deploy renders them (docs/customising.md, "Reserved")');
    objects[at] = after as KubeObject;
  });
}
