// What a plan reads before rendering (secrets to reuse, objects another command owns)
// and what it would change (from the server's dry run). Shared by deploy, upgrade and
// rollback.
import { InputError } from '../errors.js';
import type { ApplyResult } from '../k8s/apply.js';
import type { Cluster } from '../k8s/client.js';
import { readObject } from '../k8s/discovery.js';
import { readSecretData } from '../k8s/secrets.js';
import type { KubeObject } from '../k8s/types.js';
import { diffObjects, formatChanges } from '../manifests/diff.js';
import type { RenderContext, Stack } from '../stacks/stack.js';
import { registerSecret } from '../ui/redact.js';

/** The API of ServiceMonitor: a stack renders one only when the cluster serves it. */
export const SERVICE_MONITOR_API = 'monitoring.coreos.com/v1';

/** Reads what the render must reuse: generated secrets, and the PostHog connection. */
export async function renderContext(cluster: Cluster, stack: Stack, values: Record<string, unknown>, namespace: string, serviceMonitor: boolean): Promise<RenderContext> {
  const existingSecrets = await readReusedSecrets(cluster, stack, namespace);
  const ctx: RenderContext = { namespace, existingSecrets, capabilities: { serviceMonitor } };
  // A pair another command owns (the Model Router reads the connection `cloud` wrote):
  // it must exist, or the pods would fail on a missing ConfigMap.
  const reads = stack.readsExisting?.(values);
  if (reads) {
    const [cm, secret] = await Promise.all([readObject(cluster, { apiVersion: 'v1', kind: 'ConfigMap', name: reads.name, namespace }), readSecretData(cluster, namespace, reads.name)]);
    if (!cm || !secret) throw new InputError(reads.missing(namespace));
    for (const v of Object.values(secret)) registerSecret(v.toString('utf8'));
    const secretObj: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: reads.name, namespace }, data: Object.fromEntries(Object.entries(secret).map(([k, v]) => [k, v.toString('base64')])) };
    ctx.external = [cm, secretObj];
  }
  return ctx;
}

/** The generated secrets a render reuses (Stack.reusedSecrets) that exist in the namespace; registered for redaction. */
export async function readReusedSecrets(cluster: Cluster, stack: Stack, namespace: string): Promise<RenderContext['existingSecrets']> {
  const existingSecrets: RenderContext['existingSecrets'] = {};
  for (const name of stack.reusedSecrets) {
    const data = await readSecretData(cluster, namespace, name);
    if (!data) continue;
    existingSecrets[name] = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('utf8')]));
    for (const v of Object.values(existingSecrets[name]!)) registerSecret(v);
  }
  return existingSecrets;
}

export interface PlannedChange {
  ref: string;
  action: string;
  /** What the dry run says of a new object (`namespace X is created by this plan`). */
  note?: string;
  lines: string[];
}

/** What applying would change, per object, from the server's dry-run answers. */
export async function planDiff(cluster: Cluster, objects: KubeObject[], dry: ApplyResult[]): Promise<PlannedChange[]> {
  const out: PlannedChange[] = [];
  for (const r of dry) {
    if (r.action === 'unchanged') continue;
    if (r.action !== 'configured' || !r.object) {
      const note = r.note ?? (r.action === 'skipped' ? 'skipped in the dry run' : undefined);
      out.push({ ref: r.ref, action: 'new', ...(note && { note }), lines: [] });
      continue;
    }
    const live = await readObject(cluster, r.key);
    if (!live) continue;
    // The dry-run answer carries no Secret data; the rendered object has it.
    const rendered = objects.find((o) => o.kind === r.key.kind && o.metadata.name === r.key.name);
    const next = r.object.kind === 'Secret' && rendered ? { ...r.object, data: rendered.data } : r.object;
    out.push({ ref: r.ref, action: 'changed', lines: formatChanges(diffObjects(live, next)) });
  }
  return out;
}

export function countActions(results: ApplyResult[]): string {
  const n: Record<string, number> = {};
  for (const r of results) n[r.action] = (n[r.action] ?? 0) + 1;
  return Object.entries(n).map(([k, v]) => `${v} ${k === 'created' ? 'to create' : k === 'configured' ? 'to change' : k}`).join(', ') || 'nothing';
}
