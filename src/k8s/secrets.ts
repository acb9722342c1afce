// Reading generated secrets back, so a re-run reuses them instead of rotating a
// database password (docs/architecture.md rule 3). Values are returned as Buffers and never
// logged; errors name the Secret, not its content.
import type { Cluster } from './client.js';
import { rec } from './types.js';

/** The decoded data of a Secret, or undefined when it does not exist. */
export async function readSecretData(cluster: Cluster, namespace: string, name: string, signal?: AbortSignal): Promise<Record<string, Buffer> | undefined> {
  const res = await cluster.requestOk('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`, {
    okStatuses: [404],
    what: `Secret/${namespace}/${name}`,
    ...(signal && { signal }),
  });
  if (res.status === 404) return undefined;
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(rec(rec(res.json()).data))) {
    if (typeof v === 'string') out[k] = Buffer.from(v, 'base64');
  }
  return out;
}
