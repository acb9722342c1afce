// Generic finishing steps applied to every rendered stack: standard labels, config
// checksums on pod templates, Secret encoding, and masking for printed output.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../k8s/types.js';

export const MANAGED_BY = 'vh-deploy';
export const STACK_LABEL = 'vh-deploy.io/stack';
export const CHECKSUM_ANNOTATION = 'vh-deploy.io/config-checksum';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The pod template of a workload (Deployment, StatefulSet, DaemonSet, Job), if any. */
export function podTemplate(o: KubeObject): Obj | undefined {
  const spec = o.spec;
  if (!isObj(spec)) return undefined;
  const t = spec.template;
  return isObj(t) ? t : undefined;
}

export interface StackIdentity {
  stack: string;
  instance: string;
  version?: string;
}

/** app.kubernetes.io/* labels on every object and pod template (never in selectors). */
export function addStandardLabels(objects: KubeObject[], id: StackIdentity): void {
  const common: Record<string, string> = {
    'app.kubernetes.io/instance': id.instance,
    'app.kubernetes.io/part-of': 'voicehelper',
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [STACK_LABEL]: id.stack,
  };
  const versioned: Record<string, string> = id.version ? { ...common, 'app.kubernetes.io/version': labelSafe(id.version) } : common;
  const shared: Record<string, string> = { 'app.kubernetes.io/part-of': 'voicehelper', 'app.kubernetes.io/managed-by': MANAGED_BY };
  for (const o of objects) {
    // Objects several stacks apply (the Namespace, the PostHog connection) must render
    // identically from each, or two commands would keep rewriting each other's labels.
    const own = o.kind === 'Namespace' || (o.metadata.labels?.[STACK_LABEL] ?? id.stack) !== id.stack ? shared : common;
    const t = podTemplate(o);
    // The version is the stack's own image's: only workloads that run it carry the label.
    // On a data store's pod template it would restart PostgreSQL on every PostHog upgrade;
    // on a Secret or ConfigMap it would make a rollback (which keeps Secrets) differ from a re-run.
    const runsVersion = id.version !== undefined && t !== undefined && imagesOfTemplate(t).some((img) => imageVersion(img) === id.version);
    o.metadata.labels = { ...(o.metadata.labels ?? {}), ...(runsVersion && own === common ? versioned : own) };
    if (t) {
      const meta = isObj(t.metadata) ? t.metadata : (t.metadata = {});
      meta.labels = { ...(isObj(meta.labels) ? (meta.labels as Record<string, string>) : {}), ...(runsVersion ? versioned : common) };
    }
  }
}

/** The tag or digest of an image reference (`repo:tag`, `repo@sha256:…`). Pure. */
export function imageVersion(ref: string): string {
  const at = ref.indexOf('@');
  if (at >= 0) return ref.slice(at + 1);
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : '';
}

function imagesOfTemplate(t: Record<string, unknown>): string[] {
  const spec = isObj(t.spec) ? t.spec : {};
  const containers = [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])];
  return containers.flatMap((c) => (isObj(c) && typeof c.image === 'string' ? [c.image] : []));
}

/** Label values allow [A-Za-z0-9_.-] and 63 characters; image digests do not fit as-is. */
export function labelSafe(v: string): string {
  const s = v.replace(/^sha256:/, '').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 63);
  return s.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

/** Names of ConfigMaps and Secrets a pod template reads (envFrom, env valueFrom, volumes). */
export function referencedConfig(template: Obj): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const spec = isObj(template.spec) ? template.spec : {};
  const containers = [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])];
  for (const c of containers.filter(isObj)) {
    for (const ef of (Array.isArray(c.envFrom) ? c.envFrom : []).filter(isObj)) {
      if (isObj(ef.configMapRef) && typeof ef.configMapRef.name === 'string') configMaps.add(ef.configMapRef.name);
      if (isObj(ef.secretRef) && typeof ef.secretRef.name === 'string') secrets.add(ef.secretRef.name);
    }
    for (const e of (Array.isArray(c.env) ? c.env : []).filter(isObj)) {
      const vf = isObj(e.valueFrom) ? e.valueFrom : {};
      if (isObj(vf.configMapKeyRef) && typeof vf.configMapKeyRef.name === 'string') configMaps.add(vf.configMapKeyRef.name);
      if (isObj(vf.secretKeyRef) && typeof vf.secretKeyRef.name === 'string') secrets.add(vf.secretKeyRef.name);
    }
  }
  for (const v of (Array.isArray(spec.volumes) ? spec.volumes : []).filter(isObj)) {
    if (isObj(v.configMap) && typeof v.configMap.name === 'string') configMaps.add(v.configMap.name);
    if (isObj(v.secret) && typeof v.secret.secretName === 'string') secrets.add(v.secret.secretName);
  }
  return { configMaps, secrets };
}

function configData(o: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of ['data', 'stringData', 'binaryData']) {
    const d = o[field];
    if (!isObj(d)) continue;
    // A Secret read from the cluster has `data` (base64) where the rendered one has
    // `stringData`: hashed alike, a connection read back hashes as the one rendered.
    const secretData = o.kind === 'Secret' && field === 'data';
    for (const [k, v] of Object.entries(d)) out[`${secretData ? 'stringData' : field}.${k}`] = secretData ? Buffer.from(String(v), 'base64').toString('utf8') : String(v);
  }
  return out;
}

/**
 * Annotates each pod template with a hash of the config it reads, so changing a
 * ConfigMap or Secret rolls the pods (a plain envFrom change does not).
 * Objects the stack does not render (e.g. a connection written by another command)
 * are hashed from `external` when the caller knows them.
 * Jobs get none: a Job's pod template cannot change, and a Job that ran is done — a
 * config change must not make the plan an immutable-field change (what re-runs a Job is
 * its name, e.g. the image hash of a migration Job, docs/compatibility.md).
 */
export function addConfigChecksums(objects: KubeObject[], external: KubeObject[] = []): void {
  const byName = new Map<string, KubeObject>();
  for (const o of [...external, ...objects]) {
    if (o.kind === 'ConfigMap' || o.kind === 'Secret') byName.set(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
  }
  for (const o of objects) {
    const t = o.kind === 'Job' ? undefined : podTemplate(o);
    if (!t) continue;
    const { configMaps, secrets } = referencedConfig(t);
    const h = createHash('sha256');
    const refs = [...[...configMaps].map((n) => `ConfigMap/${n}`), ...[...secrets].map((n) => `Secret/${n}`)].sort();
    for (const ref of refs) {
      const [kind, name] = ref.split('/') as [string, string];
      const src = byName.get(`${kind}/${o.metadata.namespace ?? ''}/${name}`);
      h.update(`${ref}\n`);
      if (!src) continue;
      const data = configData(src);
      for (const k of Object.keys(data).sort()) h.update(`${k}=${data[k]}\n`);
    }
    const meta = isObj(t.metadata) ? t.metadata : (t.metadata = {});
    const ann = isObj(meta.annotations) ? (meta.annotations as Record<string, string>) : {};
    meta.annotations = { ...ann, [CHECKSUM_ANNOTATION]: h.digest('hex') };
  }
}

/**
 * Secrets are applied with `data` (base64), not `stringData`: stringData is write-only,
 * so only `data` lets a re-run compare equal and change nothing.
 */
export function encodeSecrets(objects: KubeObject[]): void {
  for (const o of objects) {
    if (o.kind !== 'Secret' || !isObj(o.stringData)) continue;
    const data: Record<string, string> = isObj(o.data) ? (o.data as Record<string, string>) : {};
    for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    o.data = data;
    delete o.stringData;
  }
}

/**
 * A display mask. Only PostHog project keys (`phc_`, public by design: they ship in
 * every web page that uses PostHog) show a hint, `phc_…abcd`; every other value, and
 * above all generated passwords, which may start with anything, is only `(N bytes)`.
 */
export function maskValue(value: string): string {
  if (/^phc_[A-Za-z0-9]{16,}$/.test(value)) return `phc_…${value.slice(-4)} (${Buffer.byteLength(value)} bytes)`;
  return `(${Buffer.byteLength(value)} bytes)`;
}

/**
 * A copy for printing: Secret values become masks under `stringData`, so the output
 * is still a valid manifest but carries no secret (unless --show-secrets).
 */
export function maskForDisplay(objects: KubeObject[], show = false): KubeObject[] {
  return objects.map((o) => {
    const c = structuredClone(o);
    if (c.kind !== 'Secret') return c;
    const plain: Record<string, string> = {};
    if (isObj(c.data)) for (const [k, v] of Object.entries(c.data)) plain[k] = Buffer.from(String(v), 'base64').toString('utf8');
    if (isObj(c.stringData)) for (const [k, v] of Object.entries(c.stringData)) plain[k] = String(v);
    delete c.data;
    c.stringData = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, show ? v : `<masked ${maskValue(v)}>`]));
    return c;
  });
}

/** Short stable hash, for names that must change when their input changes (Jobs). */
export function shortHash(s: string, len = 10): string {
  return createHash('sha256').update(s).digest('hex').slice(0, len);
}
