// Health after a deploy, upgrade or rollback (docs/architecture.md rule 6): the stack's
// checks through the API server's service proxy, so no kubectl, exec or curl is needed.
import type { Cluster } from '../k8s/client.js';
import { fail, pass, serviceEndpoints, targetPortFor, type Judgement } from '../k8s/checks.js';
import { readObject } from '../k8s/discovery.js';
import { podProxyGet, proxyGet } from '../k8s/health.js';
import type { HealthCheck } from '../stacks/health.js';

export interface HealthResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

/**
 * One health check, judged on the Service (as clients reach it) and on every ready pod
 * behind it, so one bad replica is not hidden by load balancing; the message names the
 * pod. Right after the pods turn ready the endpoints controller may not have published
 * them yet (seconds after a control-plane restart): "no endpoints available" is the API
 * server's answer, not the app's, so it is retried until `settleMs`; every answer from
 * the app is final.
 */
export async function judgeHealth(cluster: Cluster, namespace: string, hc: HealthCheck, settleMs: number): Promise<Judgement> {
  const service = await readObject(cluster, { apiVersion: 'v1', kind: 'Service', name: hc.service, namespace });
  if (!service) return fail(`Service ${hc.service} does not exist`);
  const deadline = Date.now() + settleMs;
  let viaService = await proxyGet(cluster, { namespace, service: hc.service, port: hc.port, path: hc.path, timeoutMs: 10_000 });
  for (let attempt = 0; viaService.proxyError && /no endpoints available/i.test(viaService.proxyError) && Date.now() < deadline; attempt++) {
    await new Promise((res) => setTimeout(res, Math.min(200 * 2 ** attempt, 2_000)));
    viaService = await proxyGet(cluster, { namespace, service: hc.service, port: hc.port, path: hc.path, timeoutMs: 10_000 });
  }
  const serviceProblem = viaService.proxyError ? `the API server answered: ${viaService.proxyError}` : (viaService.error ?? hc.judge(viaService.status, viaService.body));
  // Terminating pods (a scale-down, a rollout) are leaving and never ready again; a pod
  // deleted between the endpoint list and its request is gone, not unhealthy.
  const listed = (await serviceEndpoints(cluster, namespace, hc.service)).filter((e) => e.ready && !e.terminating && e.pod);
  const perPod = await Promise.all(
    listed.map(async (e) => {
      const port = targetPortFor(service, hc.port, e) ?? hc.port;
      const r = await podProxyGet(cluster, { namespace, pod: e.pod!, port, path: hc.path, timeoutMs: 10_000 });
      const gone = r.proxyError !== undefined && r.status === 404 && /pods? "[^"]*" not found/i.test(r.proxyError);
      const problem = r.proxyError ? `the API server answered: ${r.proxyError}` : (r.error ?? hc.judge(r.status, r.body));
      return { pod: e.pod!, problem, gone };
    }),
  );
  const pods = perPod.filter((p) => !p.gone);
  const bad = pods.filter((p) => p.problem);
  if (bad.length) return fail(`${bad.length} of ${pods.length} pods fail: ${bad.map((b) => `pod ${b.pod}: ${b.problem}`).join('; ')}`);
  if (serviceProblem) return fail(`via Service ${hc.service}: ${serviceProblem}`);
  return pass(`HTTP ${viaService.status} via Service ${hc.service}; ${pods.length} of ${pods.length} pods ok`);
}

/** The stack's health checks after a deploy, upgrade or rollback, in parallel. */
export async function runHealth(cluster: Cluster, namespace: string, checks: HealthCheck[], settleMs = 30_000): Promise<HealthResult[]> {
  return Promise.all(
    checks.map(async (c) => {
      const started = performance.now();
      const j = await judgeHealth(cluster, namespace, c, settleMs);
      return { name: c.name, ok: j.status === 'pass', detail: j.detail, ms: Math.round(performance.now() - started) };
    }),
  );
}

/** One line per failed check, for an error message. Pure. */
export function unhealthyLine(health: readonly HealthResult[]): string {
  return health.filter((h) => !h.ok).map((h) => `${h.name}: ${h.detail}`).join('; ');
}
