// What a plan names that must already exist in the cluster, read from the objects
// themselves: Secrets (and keys) its pods read through secretKeyRef, StorageClasses of
// its claims, IngressClasses of its Ingresses. Preflight checks them before the first
// write, verify checks the Secrets again. Pure.
import { arr, objectRef, rec, str, type KubeObject } from './types.js';

export interface SecretKeyUse {
  namespace: string;
  name: string;
  key: string;
  /** Who reads it, e.g. `Deployment/prod/model-router env DB_PASSWORD`. */
  usedBy: string;
}

/** Each object's namespace (or the default), and the Secrets the plan writes itself, as `ns/name`. Pure. */
function planScope(objects: readonly KubeObject[], defaultNamespace: string): { ns: (o: KubeObject) => string; planned: Set<string> } {
  const ns = (o: KubeObject) => o.metadata.namespace ?? defaultNamespace;
  return { ns, planned: new Set(objects.filter((o) => o.kind === 'Secret').map((o) => `${ns(o)}/${o.metadata.name}`)) };
}

/**
 * Every non-optional secretKeyRef of the plan's pod templates to a Secret the plan does
 * not write itself (those exist once it is applied).
 */
export function secretKeyUses(objects: readonly KubeObject[], defaultNamespace: string): SecretKeyUse[] {
  const { ns, planned } = planScope(objects, defaultNamespace);
  const out: SecretKeyUse[] = [];
  for (const o of objects) {
    const spec = rec(rec(rec(o.spec).template).spec);
    for (const c of [...arr(spec.initContainers), ...arr(spec.containers)].map(rec)) {
      for (const e of arr(c.env).map(rec)) {
        const ref = rec(rec(e.valueFrom).secretKeyRef);
        const name = str(ref.name);
        const key = str(ref.key);
        if (!name || !key || ref.optional === true || planned.has(`${ns(o)}/${name}`)) continue;
        if (out.some((u) => u.namespace === ns(o) && u.name === name && u.key === key)) continue;
        out.push({ namespace: ns(o), name, key, usedBy: `${objectRef({ ...o, metadata: { ...o.metadata, namespace: ns(o) } })} env ${str(e.name) ?? '?'}` });
      }
    }
  }
  return out;
}

/** The StorageClasses the plan's claims (PVCs, StatefulSet volumeClaimTemplates) name, each with one claim that names it. */
export function storageClassNames(objects: readonly KubeObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objects) {
    const specs =
      o.kind === 'PersistentVolumeClaim'
        ? [{ spec: rec(o.spec), what: objectRef(o) }]
        : o.kind === 'StatefulSet'
          ? arr(rec(o.spec).volumeClaimTemplates).map((t) => ({ spec: rec(rec(t).spec), what: `${objectRef(o)} volumeClaimTemplate ${str(rec(rec(t).metadata).name) ?? '?'}` }))
          : [];
    for (const { spec, what } of specs) {
      const name = str(spec.storageClassName);
      // "" asks for no class at all (static binding): nothing to look up.
      if (name && !out.has(name)) out.set(name, what);
    }
  }
  return out;
}

/** The IngressClasses the plan's Ingresses name (spec.ingressClassName), each with one Ingress. */
export function ingressClassNames(objects: readonly KubeObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objects.filter((x) => x.kind === 'Ingress')) {
    const name = str(rec(o.spec).ingressClassName);
    if (name && !out.has(name)) out.set(name, objectRef(o));
  }
  return out;
}

/** A TLS Secret an Ingress serves, that the plan does not write and no cert-manager annotation will issue. */
export interface TlsSecretUse {
  namespace: string;
  name: string;
  usedBy: string;
}

/**
 * The Ingresses' spec.tls[].secretName that must exist already: not in the plan, and the
 * Ingress carries no cert-manager.io issuer annotation (cert-manager would create it). Pure.
 */
export function ingressTlsSecrets(objects: readonly KubeObject[], defaultNamespace: string): TlsSecretUse[] {
  const { ns, planned } = planScope(objects, defaultNamespace);
  const out: TlsSecretUse[] = [];
  for (const o of objects.filter((x) => x.kind === 'Ingress')) {
    const ann = o.metadata.annotations ?? {};
    if (ann['cert-manager.io/cluster-issuer'] || ann['cert-manager.io/issuer']) continue;
    for (const t of arr(rec(o.spec).tls).map(rec)) {
      const name = str(t.secretName);
      if (!name || planned.has(`${ns(o)}/${name}`) || out.some((u) => u.namespace === ns(o) && u.name === name)) continue;
      out.push({ namespace: ns(o), name, usedBy: objectRef({ ...o, metadata: { ...o.metadata, namespace: ns(o) } }) });
    }
  }
  return out;
}
