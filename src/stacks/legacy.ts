// What a stack declares about the objects deploy-posthog.sh made of it (docs/adopt.md):
// the table lives in each stack's folder (src/stacks/NAME/legacy.ts, citing the script's
// manifests); the engine that finds and takes them over is generic (src/k8s/takeover.ts).
import type { FoundLegacy, LegacyEntry } from '../k8s/takeover.js';
import { arr, rec, str, type KubeObject } from '../k8s/types.js';

export interface LegacyStack {
  /** Who made the objects, for messages. */
  tool: string;
  /** The objects it made in `namespace`, and what becomes of each. */
  entries(namespace: string): LegacyEntry[];
  /**
   * Input values read from what was found (secrets included: they carry over into
   * vh-deploy's objects and are registered for redaction, never printed). Pure.
   */
  values(found: readonly FoundLegacy[]): Record<string, unknown>;
  /**
   * Secrets vh-deploy would otherwise generate, read from what was found (Secret name →
   * key → value): reused as if vh-deploy had generated them. Pure.
   */
  secrets?(found: readonly FoundLegacy[]): Record<string, Record<string, string>>;
  /**
   * Why the found data cannot be taken over safely (e.g. a data directory of a newer
   * major version than vh-deploy runs), each with the steps to take instead. Pure.
   */
  dataProblems?(found: readonly FoundLegacy[], values: Record<string, unknown>): string[];
}

/** The tool every legacy table describes. */
export const LEGACY_TOOL = 'deploy-posthog.sh';

export function foundObject(found: readonly FoundLegacy[], kind: string, name: string): KubeObject | undefined {
  return found.find((f) => f.object.kind === kind && f.object.metadata.name === name)?.object;
}

/** A ConfigMap's data, or a Secret's data decoded (empty values left out). Pure. */
export function dataOf(o: KubeObject | undefined): Record<string, string> {
  if (!o) return {};
  const raw = rec(o.data);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') continue;
    const value = o.kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
    if (value !== '') out[k] = value;
  }
  return out;
}

/** The image of a workload's container by name (else its first container). Pure. */
export function containerImage(o: KubeObject | undefined, name: string): string | undefined {
  const containers = arr(rec(rec(rec(o?.spec).template).spec).containers).map(rec);
  return str((containers.find((c) => c.name === name) ?? containers[0])?.image);
}

/** The first rule's host of an Ingress, and its cert-manager ClusterIssuer. Pure. */
export function ingressHost(o: KubeObject | undefined): { domain?: string; tlsIssuer?: string } {
  const host = str(rec(arr(rec(o?.spec).rules)[0]).host);
  const issuer = str(rec(o?.metadata.annotations)['cert-manager.io/cluster-issuer']);
  return { ...(host && { domain: host }), ...(issuer && { tlsIssuer: issuer }) };
}

/** Keeps only the keys with a value. Pure. */
export function defined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));
}
