// Health after a deploy, upgrade or rollback (docs/architecture.md rule 6): the stack's
// checks through the API server's service proxy, so no kubectl, exec or curl is needed.
import type { Cluster } from '../k8s/client.js';
import { proxyGet } from '../k8s/health.js';
import type { HealthCheck } from '../stacks/health.js';

export interface HealthResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

/**
 * Runs the stack's health checks through the API server's service proxy. Right after
 * the pods turn ready the endpoints controller may not have published them yet (seconds
 * after a control-plane restart): "no endpoints available" is the API server's answer,
 * not the app's, so it is retried until `settleMs`; every answer from the app is final.
 */
export async function runHealth(cluster: Cluster, namespace: string, checks: HealthCheck[], settleMs = 30_000): Promise<HealthResult[]> {
  const deadline = Date.now() + settleMs;
  return Promise.all(
    checks.map(async (c) => {
      for (let attempt = 0; ; attempt++) {
        const r = await proxyGet(cluster, { namespace, service: c.service, port: c.port, path: c.path, timeoutMs: 10_000 });
        if (r.proxyError && /no endpoints available/i.test(r.proxyError) && Date.now() < deadline) {
          await new Promise((res) => setTimeout(res, Math.min(200 * 2 ** attempt, 2_000)));
          continue;
        }
        const problem = r.proxyError ? `the API server answered: ${r.proxyError}` : r.error ?? c.judge(r.status, r.body);
        return { name: c.name, ok: !problem, detail: problem ?? `HTTP ${r.status}`, ms: r.ms };
      }
    }),
  );
}

/** One line per failed check, for an error message. Pure. */
export function unhealthyLine(health: readonly HealthResult[]): string {
  return health.filter((h) => !h.ok).map((h) => `${h.name}: ${h.detail}`).join('; ');
}
