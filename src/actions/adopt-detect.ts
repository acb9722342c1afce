// Finding an install that deploy-posthog.sh made (docs/adopt.md): the objects the
// stack's legacy table declares, in the target namespace, made by client-side `kubectl
// apply` and never by vh-deploy, where the stack has no successful vh-deploy revision.
// Read-only; used while collecting inputs (their values carry over) and while planning.
import { FIELD_MANAGER } from '../k8s/apply.js';
import type { Cluster } from '../k8s/client.js';
import { readObject } from '../k8s/discovery.js';
import { lastSuccessful, listRevisions } from '../k8s/revisions.js';
import { findLegacy, type FoundLegacy } from '../k8s/takeover.js';
import type { Stack } from '../stacks/stack.js';
import { registerSecret } from '../ui/redact.js';

/** The objects of a legacy install of `stack` in `namespace` ([] when vh-deploy already deployed it there). */
export async function detectLegacy(cluster: Cluster, stack: Stack, namespace: string): Promise<FoundLegacy[]> {
  if (!stack.legacy) return [];
  // A first deploy into a new namespace: one read, nothing to take over.
  if (!(await readObject(cluster, { apiVersion: 'v1', kind: 'Namespace', name: namespace }))) return [];
  if (lastSuccessful(await listRevisions(cluster, namespace, stack.name))) return [];
  const found = await findLegacy(cluster, namespace, stack.legacy.entries(namespace), FIELD_MANAGER);
  // A namespace made with `kubectl apply` is common and is not an install: only the
  // script's other objects make one (its Namespace is then taken over with them).
  return found.some((f) => f.entry.kind !== 'Namespace') ? found : [];
}

/**
 * The input values the found objects hold, for the keys the user did not give. Secret
 * values are registered for redaction before anything can print them.
 */
export function legacyValues(stack: Stack, found: readonly FoundLegacy[], given: Record<string, unknown>): Record<string, unknown> {
  if (!stack.legacy || found.length === 0) return {};
  const values = stack.legacy.values(found);
  const secret = new Set(stack.fields.filter((f) => f.secret).map((f) => f.key));
  for (const [k, v] of Object.entries(values)) if (secret.has(k) && typeof v === 'string') registerSecret(v);
  // A value given in one group of alternatives (--region) drops the others' (the script's host).
  const dropped = new Set((stack.alternatives ?? []).flatMap((groups) => (groups.some((g) => g.some((k) => given[k] !== undefined)) ? groups.flat() : [])));
  return Object.fromEntries(Object.entries(values).filter(([k]) => given[k] === undefined && !dropped.has(k)));
}

/** How the found objects are named in messages: `Deployment/model-router, Service/model-router, …`. Pure. */
export function foundList(found: readonly FoundLegacy[]): string {
  return found.map((f) => `${f.object.kind}/${f.object.metadata.name}`).join(', ');
}
