// The settings overlay (docs/customising.md): per-workload settings and stack-wide
// settings applied to the rendered objects, after rendering and before the finishing
// steps (labels, config checksums). Generic and pure: a stack declares its workloads
// (name → kind, object name, container) and this module knows nothing of any stack.
// What vh-deploy guarantees is refused here with the reason (exit 2): env names it sets.
import { InputError } from '../errors.js';
import type { KubeObject } from '../k8s/types.js';
import { podTemplate } from './finalize.js';

/** One workload a stack declares: the key under `workloads` and where it renders. */
export interface WorkloadDecl {
  /** The settings key, `workloads.<name>`. */
  name: string;
  kind: 'Deployment' | 'StatefulSet' | 'Job' | 'DaemonSet';
  /** metadata.name; a trailing `*` matches a prefix (a Job whose name carries a hash). */
  object: string;
  /** The container the container-level settings (resources, env, securityContext) go to. */
  container: string;
  /** A data store with volumeClaimTemplates: `storage.size` / `storage.className` apply. */
  storage?: boolean;
  /** The stack's field that holds its replica count: `workloads.<name>.replicas` is that field. */
  replicasKey?: string;
  /** The summary always says which security settings are in force (the image is the user's own). */
  reportSecurity?: true;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const child = (o: Obj, k: string): Obj => (isObj(o[k]) ? (o[k] as Obj) : (o[k] = {}));
const list = (o: Obj, k: string): unknown[] => (Array.isArray(o[k]) ? (o[k] as unknown[]) : (o[k] = []));

/** The settings the overlay reads from the resolved values (all optional). */
export interface OverlaySettings {
  workloads?: Record<string, Record<string, unknown> | undefined>;
  imagePullSecrets?: string[];
  serviceAnnotations?: Record<string, string>;
  ingressAnnotations?: Record<string, string>;
}

/**
 * Deep merge for settings over a template (RFC 7386 semantics): mappings merge key by
 * key, anything else replaces, `null` removes the key. Returns a new value. Pure.
 */
export function mergeOver(base: unknown, over: unknown): unknown {
  if (!isObj(over)) return over;
  const out: Obj = isObj(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = mergeOver(out[k], v);
  }
  return out;
}

export const matchesDecl = (o: KubeObject, d: WorkloadDecl) =>
  o.kind === d.kind && (d.object.endsWith('*') ? o.metadata.name.startsWith(d.object.slice(0, -1)) : o.metadata.name === d.object);

/** Applies the settings to the rendered objects in place. Pure apart from that; throws InputError for a reserved env name. */
export function applyOverlay(objects: KubeObject[], decls: readonly WorkloadDecl[], s: OverlaySettings): void {
  for (const d of decls) {
    const w = s.workloads?.[d.name];
    if (!w) continue;
    for (const o of objects.filter((x) => matchesDecl(x, d))) applyWorkload(o, d, w, objects);
  }
  for (const o of objects) {
    const t = podTemplate(o);
    if (t && s.imagePullSecrets?.length) {
      const spec = child(t, 'spec');
      const have = list(spec, 'imagePullSecrets');
      for (const name of s.imagePullSecrets) if (!have.some((x) => isObj(x) && x.name === name)) have.push({ name });
    }
    const ann = o.kind === 'Service' ? s.serviceAnnotations : o.kind === 'Ingress' ? s.ingressAnnotations : undefined;
    if (ann && Object.keys(ann).length) o.metadata.annotations = { ...(o.metadata.annotations ?? {}), ...ann };
  }
}

function applyWorkload(o: KubeObject, d: WorkloadDecl, w: Record<string, unknown>, plan: readonly KubeObject[]): void {
  const t = podTemplate(o);
  if (!t) throw new Error(`overlay: ${o.kind}/${o.metadata.name} has no pod template`);
  const pod = child(t, 'spec');
  const container = (Array.isArray(pod.containers) ? pod.containers : []).find((c): c is Obj => isObj(c) && c.name === d.container);
  if (!container) throw new Error(`overlay: ${o.kind}/${o.metadata.name} has no container ${d.container}`);

  if (w.resources !== undefined) setOrDelete(container, 'resources', mergeOver(container.resources, w.resources));
  if (w.securityContext !== undefined) setOrDelete(container, 'securityContext', mergeOver(container.securityContext, w.securityContext));
  if (w.podSecurityContext !== undefined) setOrDelete(pod, 'securityContext', mergeOver(pod.securityContext, w.podSecurityContext));
  if (w.nodeSelector !== undefined) setOrDelete(pod, 'nodeSelector', mergeOver(pod.nodeSelector, w.nodeSelector));
  // Each affinity kind replaces the template's whole (a merged half of a node affinity term would mean something else).
  if (isObj(w.affinity)) {
    const out: Obj = isObj(pod.affinity) ? { ...pod.affinity } : {};
    for (const [k, v] of Object.entries(w.affinity)) if (v === null) delete out[k];
    else if (v !== undefined) out[k] = structuredClone(v);
    setOrDelete(pod, 'affinity', out);
  } else if (w.affinity === null) delete pod.affinity;
  if (Array.isArray(w.tolerations)) list(pod, 'tolerations').push(...structuredClone(w.tolerations));
  else if (w.tolerations === null) delete pod.tolerations;
  if (Array.isArray(w.topologySpreadConstraints)) {
    // Without a labelSelector a constraint counts the workload's own pods (what one means nearly always).
    const own = isObj(o.spec) && isObj(o.spec.selector) ? o.spec.selector : undefined;
    pod.topologySpreadConstraints = w.topologySpreadConstraints.map((c: Obj) => (c.labelSelector == null && own ? { ...c, labelSelector: structuredClone(own) } : structuredClone(c)));
  } else if (w.topologySpreadConstraints === null) delete pod.topologySpreadConstraints;
  for (const [setting, field] of [['podAnnotations', 'annotations'], ['podLabels', 'labels']] as const) {
    if (!isObj(w[setting])) continue;
    const meta = child(t, 'metadata');
    meta[field] = { ...(isObj(meta[field]) ? meta[field] : {}), ...w[setting] };
  }
  if (isObj(w.env)) addEnv(container, d, w.env, plan, o.metadata.namespace);
  if (isObj(w.storage) && isObj(o.spec)) {
    for (const claim of (Array.isArray(o.spec.volumeClaimTemplates) ? o.spec.volumeClaimTemplates : []).filter(isObj)) {
      const spec = child(claim, 'spec');
      if (typeof w.storage.size === 'string') child(child(spec, 'resources'), 'requests').storage = w.storage.size;
      if (typeof w.storage.className === 'string') spec.storageClassName = w.storage.className;
    }
  }
}

function setOrDelete(o: Obj, key: string, v: unknown): void {
  if (v === undefined || (isObj(v) && Object.keys(v).length === 0)) delete o[key];
  else o[key] = v;
}

/**
 * Env names vh-deploy sets for a container: its explicit `env`, and the keys of the
 * ConfigMaps and Secrets its `envFrom` reads that are in the plan. Pure.
 */
export function envNamesSet(container: Obj, plan: readonly KubeObject[], namespace: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of (Array.isArray(container.env) ? container.env : []).filter(isObj)) if (typeof e.name === 'string') out.set(e.name, 'the template');
  for (const ef of (Array.isArray(container.envFrom) ? container.envFrom : []).filter(isObj)) {
    const prefix = typeof ef.prefix === 'string' ? ef.prefix : '';
    for (const [kind, ref] of [['ConfigMap', ef.configMapRef], ['Secret', ef.secretRef]] as const) {
      if (!isObj(ref) || typeof ref.name !== 'string') continue;
      const src = plan.find((p) => p.kind === kind && p.metadata.name === ref.name && (p.metadata.namespace ?? namespace) === namespace);
      for (const field of ['data', 'stringData']) {
        const data = src?.[field];
        if (isObj(data)) for (const k of Object.keys(data)) out.set(prefix + k, `${kind} ${ref.name as string}`);
      }
    }
  }
  return out;
}

function addEnv(container: Obj, d: WorkloadDecl, env: Obj, plan: readonly KubeObject[], namespace: string | undefined): void {
  const taken = envNamesSet(container, plan, namespace);
  const refused = Object.keys(env).filter((n) => env[n] !== null && taken.has(n));
  if (refused.length) {
    throw new InputError(
      refused.map((n) => `workloads.${d.name}.env.${n}: vh-deploy sets ${n} itself (${taken.get(n)!}); reserved so its inputs stay the one source of that value`).join('\n'),
      'change it with its flag or config key; a --patch on that ConfigMap is the escape hatch (docs/customising.md)',
    );
  }
  const out = list(container, 'env');
  for (const [name, v] of Object.entries(env)) {
    if (v === null || v === undefined) continue;
    out.push(typeof v === 'string' ? { name, value: v } : { name, ...structuredClone(v as Obj) });
  }
}

/**
 * The security settings in force for a workload, as one line: "runAsNonRoot uid 65532
 * gid 65532, read-only root fs, no privilege escalation, capabilities drop ALL, seccomp
 * RuntimeDefault". Pure.
 */
export function describeSecurity(o: KubeObject, d: WorkloadDecl): string {
  const t = podTemplate(o);
  const pod = t && isObj(t.spec) ? t.spec : {};
  const c = (Array.isArray(pod.containers) ? pod.containers : []).find((x): x is Obj => isObj(x) && x.name === d.container) ?? {};
  const psc = isObj(pod.securityContext) ? pod.securityContext : {};
  const csc = isObj(c.securityContext) ? c.securityContext : {};
  const pick = (k: string) => (csc[k] !== undefined ? csc[k] : psc[k]);
  const parts: string[] = [];
  const uid = pick('runAsUser');
  const gid = pick('runAsGroup');
  const nonRoot = pick('runAsNonRoot') === true;
  const who = [nonRoot ? 'runAsNonRoot' : uid === 0 ? 'root' : 'runAsNonRoot not enforced', uid !== undefined && uid !== 0 ? `uid ${String(uid)}` : uid === undefined ? "the image's user" : '', gid !== undefined ? `gid ${String(gid)}` : '']
    .filter(Boolean)
    .join(' ');
  parts.push(who);
  if (psc.fsGroup !== undefined) parts.push(`fsGroup ${String(psc.fsGroup)}`);
  parts.push(csc.readOnlyRootFilesystem === true ? 'read-only root fs' : 'writable root fs');
  if (csc.allowPrivilegeEscalation === false) parts.push('no privilege escalation');
  if (csc.privileged === true) parts.push('privileged');
  const caps = isObj(csc.capabilities) ? csc.capabilities : {};
  if (Array.isArray(caps.drop) && caps.drop.length) parts.push(`capabilities drop ${caps.drop.join(',')}`);
  if (Array.isArray(caps.add) && caps.add.length) parts.push(`add ${caps.add.join(',')}`);
  const seccomp = pick('seccompProfile');
  if (isObj(seccomp) && typeof seccomp.type === 'string') parts.push(`seccomp ${seccomp.type}`);
  return parts.join(', ');
}

/**
 * What the settings put into one workload's pod template, as text ('' when nothing): a
 * Job's pod template is immutable, so a stack that names its Job by a hash adds this,
 * and a changed setting runs a new Job instead of failing on the old one. Pure.
 */
export function podSettingsKey(s: OverlaySettings, workload: string): string {
  const w = s.workloads?.[workload];
  const parts = [w && Object.keys(w).length ? JSON.stringify(w) : '', s.imagePullSecrets?.length ? JSON.stringify(s.imagePullSecrets) : ''];
  return parts.some(Boolean) ? `\n${parts.join('\n')}` : '';
}
