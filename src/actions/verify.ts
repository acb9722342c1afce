// The verify action (`vh-deploy verify [STACK|all]`): checks a deployed stack end to
// end, in parallel, against what its current revision recorded — objects, workload
// readiness, endpoints, volume claims, HPAs, Ingress, health endpoints (via the Service
// and on every ready pod), and the PostHog connection the Model Router reads. It fails
// only when a check fails (warnings — an Ingress without an address, an HPA without
// metrics, an unfinished revision — do not). No secret value is ever reported: the
// project key shows as a mask (`phc_…abcd`). The printer (src/ui/printers/verify.ts)
// renders the result.
import { ClusterAccessError } from '../errors.js';
import {
  fail,
  judgeEndpoints,
  judgeHpa,
  judgeIngress,
  judgePvc,
  judgeWorkload,
  missingObjects,
  pass,
  serviceEndpoints,
  timedCheck,
  warn,
  type CheckResult,
  type Judgement,
} from '../k8s/checks.js';
import type { Cluster } from '../k8s/client.js';
import { readObject } from '../k8s/discovery.js';
import { serviceProxyPath } from '../k8s/health.js';
import { ago, leaseState, localProcessAlive, readLease } from '../k8s/lease.js';
import { currentRevision, listRevisions, uninstalledNow, type Revision, type RevisionStatus } from '../k8s/revisions.js';
import { WORKLOAD_KINDS } from '../k8s/rollout-rules.js';
import { readSecretData } from '../k8s/secrets.js';
import { arr, keyOf, num, rec, str, type KubeObject } from '../k8s/types.js';
import { maskValue, podTemplate, referencedConfig } from '../manifests/finalize.js';
import { STACK_OPS, type StackOps } from '../stacks/day2.js';
import { checkProjectKey } from '../stacks/posthog-key.js';
import { CONNECTION_NAME, KEY_SECRET_ANNOTATION } from '../stacks/posthog-connection/index.js';
import { kebab } from '../config/fields.js';
import { parseSecretRef, secretRefs } from '../config/secret-refs.js';
import { secretKeyNames } from '../k8s/preflight.js';
import { secretKeyUses, type SecretKeyUse } from '../k8s/references.js';
import { registerSecret } from '../ui/redact.js';
import { judgeHealth } from './health.js';
import { leaseName } from './lifecycle.js';
import type { ActionContext } from './types.js';

export interface VerifyInput {
  /** One stack, or every stack vh-deploy deploys (those with nothing recorded are skipped). */
  stack: StackOps | 'all';
  /** Where to look; each stack's default namespace when not given. */
  namespace?: string | undefined;
  /** Also ask PostHog whether it accepts the project key. */
  checkKey: boolean;
}

export interface VerifyResult {
  ok: boolean;
  exitCode: 0 | 1;
  /** The kube context verified. */
  context: string;
  /** `all` was asked: stacks with nothing recorded are skipped, not failed. */
  all: boolean;
  /** The stacks checked, each at its current revision. */
  stacks: { stack: string; namespace: string; revision: number; revisionStatus: RevisionStatus }[];
  /** With `all`: the stacks not deployed here, and where they were looked for. */
  skipped: string[];
  checks: CheckResult[];
  started: number;
}

const IN_CLUSTER = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?$/;

/** `http://NAME.NS.svc[.cluster.local][:port]` → the Service it names. Pure. */
export function inClusterService(host: string): { name: string; namespace: string; port: number } | undefined {
  let u: URL;
  try {
    u = new URL(host);
  } catch {
    return undefined;
  }
  const m = IN_CLUSTER.exec(u.hostname);
  if (!m) return undefined;
  return { name: m[1]!, namespace: m[3]!, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
}

interface Connection {
  host: string;
  key: string;
  /** How reports name the key: a mask, or the Secret it is kept in. */
  shown: string;
}

/**
 * The PostHog connection the Model Router reads: ConfigMap and Secret model-router-posthog
 * exist, the host is https or an in-cluster Service that exists, the key looks like a
 * project key, and (when deployed) the Model Router Deployment actually reads both.
 */
export async function judgeConnection(cluster: Cluster, namespace: string, readerDeployment?: string): Promise<Judgement & { connection?: Connection }> {
  const cm = await readObject(cluster, { apiVersion: 'v1', kind: 'ConfigMap', name: CONNECTION_NAME, namespace });
  const secret = await readSecretData(cluster, namespace, CONNECTION_NAME);
  if (!cm || !secret) return fail(`${!cm ? 'ConfigMap' : 'Secret'} ${CONNECTION_NAME} is missing in ${namespace}; write it with \`vh-deploy cloud\``);
  const host = str(rec(cm.data).POSTHOG_HOST) ?? '';
  // The key may stay in the user's own Secret (docs/day2.md, "Existing Secrets"): read
  // only to be checked, and then shown by where it is, not by a mask of it.
  const named = cm.metadata.annotations?.[KEY_SECRET_ANNOTATION];
  const ref = named ? parseSecretRef(named, 'posthogApiKey') : undefined;
  const where = ref ? `Secret ${ref.name}` : `Secret ${CONNECTION_NAME}`;
  const held = ref ? await readSecretData(cluster, namespace, ref.name) : secret;
  if (!held) return fail(`${where} is missing in ${namespace} (ConfigMap ${CONNECTION_NAME} names it)`);
  const key = held[ref?.key ?? 'POSTHOG_API_KEY']?.toString('utf8') ?? '';
  registerSecret(key);
  const shown = ref ? `in Secret ${ref.name}, key ${ref.key}` : maskValue(key);
  if (!host) return fail(`ConfigMap ${CONNECTION_NAME} has no POSTHOG_HOST`);
  if (!key) return fail(`${where} has no ${ref?.key ?? 'POSTHOG_API_KEY'}`);
  if (!/^phc_[A-Za-z0-9]{16,}$/.test(key)) return fail(ref ? `the value in Secret ${ref.name}, key ${ref.key} is not a project API key (phc_…)` : `POSTHOG_API_KEY is not a project API key (phc_…): ${shown}`);
  if (str(rec(cm.data).POSTHOG_ENABLED) === 'false') return warn(`POSTHOG_ENABLED is false: the Model Router sends nothing to ${host}`);
  if (readerDeployment) {
    const d = await readObject(cluster, { apiVersion: 'apps/v1', kind: 'Deployment', name: readerDeployment, namespace });
    const t = d ? podTemplate(d) : undefined;
    if (t) {
      const refs = referencedConfig(t);
      if (!refs.configMaps.has(CONNECTION_NAME) || !refs.secrets.has(CONNECTION_NAME)) {
        return fail(`Deployment ${readerDeployment} does not read ConfigMap and Secret ${CONNECTION_NAME}`);
      }
    }
  }
  const connection = { host, key, shown };
  const svc = inClusterService(host);
  if (svc) {
    const s = await readObject(cluster, { apiVersion: 'v1', kind: 'Service', name: svc.name, namespace: svc.namespace });
    if (!s) return { ...fail(`POSTHOG_HOST ${host} names Service ${svc.namespace}/${svc.name}, which does not exist`), connection };
    if (!arr(rec(s.spec).ports).some((p) => num(rec(p).port) === svc.port)) return { ...fail(`POSTHOG_HOST ${host}: Service ${svc.namespace}/${svc.name} has no port ${svc.port}`), connection };
    const ready = (await serviceEndpoints(cluster, svc.namespace, svc.name)).filter((e) => e.ready).length;
    const detail = `in-cluster ${host} → Service ${svc.namespace}/${svc.name} (${ready} ready endpoints), key ${shown}`;
    return { ...(ready ? pass(detail) : warn(detail)), connection };
  }
  if (!host.startsWith('https://')) return { ...fail(`POSTHOG_HOST ${host}: expected an https:// host or an in-cluster http://NAME.NAMESPACE.svc URL`), connection };
  return { ...pass(`${host}, key ${shown}`), connection };
}

/** `--check-key`: POST {host}/flags?v=2 as in `cloud`; an in-cluster host through the API server's service proxy. */
export async function judgeKey(cluster: Cluster, c: Connection): Promise<Judgement> {
  const svc = inClusterService(c.host);
  const fetchImpl: typeof fetch | undefined = svc
    ? async (input, init) => {
        const u = new URL(String(input instanceof Request ? input.url : input));
        const res = await cluster.request('POST', serviceProxyPath({ namespace: svc.namespace, service: svc.name, port: svc.port, path: `${u.pathname}${u.search}` }), {
          body: String(init?.body ?? ''),
          contentType: 'application/json',
          retry: false,
          timeoutMs: 10_000,
        });
        return new Response(res.text, { status: res.status < 200 || res.status > 599 ? 502 : res.status });
      }
    : undefined;
  const r = await checkProjectKey(c.host, c.key, fetchImpl ? { fetchImpl } : {});
  if (r.ok) return pass(`PostHog at ${c.host} accepted the key ${c.shown} (${r.ms} ms)`);
  return fail(r.detail);
}

async function checksFor(cluster: Cluster, ops: StackOps, namespace: string, rev: Revision, o: { checkKey: boolean }): Promise<CheckResult[]> {
  const stack = ops.stack.name;
  const m: KubeObject[] = rev.manifests.map((x) => ({ ...x, metadata: { ...x.metadata, ...(x.kind !== 'Namespace' && !x.metadata.namespace && { namespace }) } }));
  const checks: Array<Promise<CheckResult>> = [];
  const add = (name: string, fn: () => Promise<Judgement>) => checks.push(timedCheck(stack, name, fn));
  const live = (x: KubeObject) => readObject(cluster, keyOf(x));

  add('revision', async () => {
    const base = `revision ${rev.revision} (${rev.description}${rev.version ? `, ${rev.version}` : ''}, ${rev.time})`;
    const lease = await readLease(cluster, namespace, leaseName(stack)).catch((e: unknown) => {
      if (e instanceof ClusterAccessError) return undefined;
      throw e;
    });
    const st = lease ? leaseState(lease, '', Date.now(), localProcessAlive) : undefined;
    if (st?.kind === 'held') return warn(`${base}; an operation is running: locked by ${st.holder} (renewed ${ago(st.renewedAgoMs)})`);
    if (rev.status === 'deployed') return pass(base);
    return warn(`${base} is ${rev.status}${rev.error ? `: ${rev.error}` : ''}`);
  });
  add('objects exist', async () => {
    const missing = await missingObjects(cluster, m.map(keyOf));
    return missing.length ? fail(`${missing.length} of ${m.length} missing: ${missing.join(', ')}`) : pass(`${m.length} of ${m.length} objects of revision ${rev.revision}`);
  });
  for (const w of m.filter((x) => WORKLOAD_KINDS.has(x.kind))) {
    add(`${w.kind} ${w.metadata.name}`, async () => {
      const l = await live(w);
      return l ? judgeWorkload(l) : fail('does not exist');
    });
  }
  for (const s of m.filter((x) => x.kind === 'Service' && rec(x.spec).type !== 'ExternalName' && Object.keys(rec(rec(x.spec).selector)).length > 0)) {
    add(`endpoints ${s.metadata.name}`, async () => judgeEndpoints(await serviceEndpoints(cluster, namespace, s.metadata.name)));
  }
  for (const p of m.filter((x) => x.kind === 'PersistentVolumeClaim')) add(`PVC ${p.metadata.name}`, async () => judgePvc(await live(p), p.metadata.name));
  for (const sts of m.filter((x) => x.kind === 'StatefulSet')) {
    for (const t of arr(rec(sts.spec).volumeClaimTemplates).map(rec)) {
      const claim = str(rec(t.metadata).name);
      if (!claim) continue;
      add(`PVCs ${claim}-${sts.metadata.name}-*`, async () => {
        const l = await live(sts);
        const n = num(rec(l?.spec).replicas) ?? num(rec(sts.spec).replicas) ?? 1;
        const names = Array.from({ length: n }, (_, i) => `${claim}-${sts.metadata.name}-${i}`);
        const judged = await Promise.all(names.map(async (name) => ({ name, j: judgePvc(await readObject(cluster, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace }), name) })));
        const bad = judged.filter((x) => x.j.status !== 'pass');
        return bad.length ? fail(bad.map((b) => `${b.name}: ${b.j.detail}`).join('; ')) : pass(`${n} of ${n} bound`);
      });
    }
  }
  for (const h of m.filter((x) => x.kind === 'HorizontalPodAutoscaler')) {
    add(`HPA ${h.metadata.name}`, async () => {
      const l = await live(h);
      if (!l) return fail('does not exist');
      const ref = rec(rec(l.spec).scaleTargetRef);
      const target = str(ref.kind) && str(ref.name) ? await readObject(cluster, { apiVersion: str(ref.apiVersion) ?? 'apps/v1', kind: str(ref.kind)!, name: str(ref.name)!, namespace }) : undefined;
      return judgeHpa(l, target ? (num(rec(target.spec).replicas) ?? 1) : undefined);
    });
  }
  for (const i of m.filter((x) => x.kind === 'Ingress')) {
    add(`Ingress ${i.metadata.name}`, async () => {
      const l = await live(i);
      return l ? judgeIngress(l) : fail('does not exist');
    });
  }
  // Existing Secrets the pods read, or the inputs named (docs/day2.md, "Existing Secrets"): each must still hold its key.
  const uses = secretKeyUses(m, namespace);
  for (const r of secretRefs(ops.stack.fields, rev.values)) if (!uses.some((u) => u.name === r.name && u.key === r.key)) uses.push({ namespace, name: r.name, key: r.key, usedBy: `input ${kebab(r.input)}` });
  for (const u of uses) add(`Secret ${u.name} key ${u.key}`, async () => judgeSecretKey(await secretKeyNames(cluster, u.namespace, u.name), u));
  for (const hc of ops.stack.health(rev.values)) add(hc.name, () => judgeHealth(cluster, namespace, hc, 0));
  if (ops.readsConnection) {
    const reader = Object.values(ops.workloads)[0]?.name;
    const conn = timedCheck(stack, 'PostHog connection', () => judgeConnection(cluster, namespace, reader));
    checks.push(conn);
    if (o.checkKey) {
      checks.push(
        conn.then(async (c) => {
          const found = (c as CheckResult & { connection?: Connection }).connection;
          return found ? timedCheck(stack, 'PostHog project key', () => judgeKey(cluster, found)) : { stack, check: 'PostHog project key', status: 'fail' as const, detail: 'no usable connection to check', ms: 0 };
        }),
      );
    }
  }
  const results = await Promise.all(checks);
  // The connection (host + key) is internal: never part of the report.
  return results.map(({ stack: s, check, status, detail, ms }) => ({ stack: s, check, status, detail, ms }));
}

/** An existing Secret the stack reads: there, readable, with its key. Pure. */
export function judgeSecretKey(keys: string[] | undefined | 'forbidden', u: SecretKeyUse): Judgement {
  if (keys === 'forbidden') return fail(`not allowed to read Secret ${u.namespace}/${u.name} (${u.usedBy} reads its key ${u.key})`);
  if (keys === undefined) return fail(`Secret ${u.namespace}/${u.name} does not exist (${u.usedBy} reads its key ${u.key})`);
  return keys.includes(u.key) ? pass(`Secret ${u.namespace}/${u.name} has key ${u.key} (${u.usedBy})`) : fail(`Secret ${u.namespace}/${u.name} has no key ${u.key} (${u.usedBy} reads it); its keys: ${keys.join(', ') || 'none'}`);
}

export async function verifyAction(input: VerifyInput, ctx: Pick<ActionContext, 'cluster'>): Promise<VerifyResult> {
  const { cluster } = ctx;
  const started = performance.now();
  const all = input.stack === 'all';
  const candidates = input.stack === 'all' ? STACK_OPS : [input.stack];
  const nsOf = (ops: StackOps) => input.namespace ?? ops.stack.defaultNamespace;
  const found = await Promise.all(
    candidates.map(async (ops) => {
      const revs = await listRevisions(cluster, nsOf(ops), ops.stack.name);
      // An uninstalled stack has nothing to verify (docs/day2.md, "Uninstall").
      const gone = uninstalledNow(revs);
      return { ops, namespace: nsOf(ops), rev: gone ? undefined : currentRevision(revs), gone };
    }),
  );
  const targets = found.filter((f): f is typeof f & { rev: Revision } => {
    if (!f.rev) return false;
    // With `all`, the Model Router's checks already cover the connection it reads.
    if (all && f.ops.stack.name === 'posthog-connection') return !found.some((g) => g.ops.stack.name === 'model-router' && g.rev && g.namespace === f.namespace);
    return true;
  });
  const skipped = found.filter((f) => !f.rev).map((f) => `${f.ops.stack.name} (${f.gone ? `uninstalled at revision ${f.gone.revision}` : 'nothing recorded'} in ${f.namespace})`);
  const checks: CheckResult[] = [];
  if (targets.length === 0) {
    const only = candidates[0]!;
    checks.push({
      stack: all ? 'all' : only.stack.name,
      check: 'revision',
      status: 'fail',
      detail: all
        ? `no stack deployed by vh-deploy was found (${skipped.join(', ')})`
        : found[0]?.gone
          ? `${only.stack.name} was uninstalled from ${nsOf(only)} (revision ${found[0].gone.revision}); deploy it again with \`vh-deploy ${only.deployCommand}\``
          : `no revision of ${only.stack.name} is recorded in ${nsOf(only)}; deploy it with \`vh-deploy ${only.deployCommand}\` or pass its namespace with -n`,
      ms: 0,
    });
  } else {
    for (const r of await Promise.all(targets.map((t) => checksFor(cluster, t.ops, t.namespace, t.rev, { checkKey: input.checkKey })))) checks.push(...r);
  }
  const ok = !checks.some((c) => c.status === 'fail');
  return {
    ok,
    exitCode: ok ? 0 : 1,
    context: cluster.contextName,
    all,
    stacks: targets.map((t) => ({ stack: t.ops.stack.name, namespace: t.namespace, revision: t.rev.revision, revisionStatus: t.rev.status })),
    skipped,
    checks,
    started,
  };
}
