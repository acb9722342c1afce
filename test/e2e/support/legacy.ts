/// <reference path="../../cluster/inject.d.ts" />
// An install made by deploy-posthog.sh, for the take-over e2e tests (docs/adopt.md): the
// fixtures of test/fixtures/deploy-posthog-sh/ applied as the script applies them, with
// client-side `kubectl apply -f` (field manager kubectl-client-side-apply, the
// last-applied annotation), their namespace replaced by the test's own.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { expect, inject } from 'vitest';
import { apiRequest } from '../../cluster/e2e-helpers.js';
import { ROOT, runCli, type CliResult } from './cli.js';
import { snapshot } from './snapshot.js';

export const FIXTURES = join(ROOT, 'test/fixtures/deploy-posthog-sh');

/** A fixture's text with the script's namespaces (voicehelper-prod, posthog) replaced. */
export function fixtureText(file: string, namespaces: Record<string, string>): string {
  let text = readFileSync(join(FIXTURES, file), 'utf8');
  for (const [from, to] of Object.entries(namespaces)) text = text.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
  return text;
}

/** `kubectl apply -f -` (client-side, as deploy-posthog.sh runs it) with the harness's kubectl. */
export function kubectlApply(text: string): string {
  const r = spawnSync(join(inject('clusterBinDir'), 'kubectl'), ['apply', '-f', '-'], {
    input: text,
    env: { PATH: process.env.PATH!, KUBECONFIG: inject('kubeconfig') },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`kubectl apply failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/** The hashes of a Secret's values (absent keys left out). */
export async function secretHashes(kc: k8s.KubeConfig, ns: string, name: string): Promise<Record<string, string>> {
  const res = await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/secrets/${name}`);
  if (res.status !== 200) throw new Error(`Secret ${ns}/${name}: HTTP ${res.status}`);
  const data = (JSON.parse(res.body) as { data?: Record<string, string> }).data ?? {};
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, sha256(Buffer.from(v, 'base64').toString('utf8'))]));
}

const KINDS: Array<[string, string]> = [
  ['ConfigMap', '/api/v1/namespaces/NS/configmaps'],
  ['Secret', '/api/v1/namespaces/NS/secrets'],
  ['Service', '/api/v1/namespaces/NS/services'],
  ['ServiceAccount', '/api/v1/namespaces/NS/serviceaccounts'],
  ['PersistentVolumeClaim', '/api/v1/namespaces/NS/persistentvolumeclaims'],
  ['Pod', '/api/v1/namespaces/NS/pods'],
  ['Deployment', '/apis/apps/v1/namespaces/NS/deployments'],
  ['ReplicaSet', '/apis/apps/v1/namespaces/NS/replicasets'],
  ['StatefulSet', '/apis/apps/v1/namespaces/NS/statefulsets'],
  ['HorizontalPodAutoscaler', '/apis/autoscaling/v2/namespaces/NS/horizontalpodautoscalers'],
  ['PodDisruptionBudget', '/apis/policy/v1/namespaces/NS/poddisruptionbudgets'],
  ['Ingress', '/apis/networking.k8s.io/v1/namespaces/NS/ingresses'],
];

interface Meta {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: Array<{ manager?: string }>;
}

/**
 * What is left of the script in a namespace: objects (and the namespace itself) still
 * carrying the last-applied annotation or the client-side apply manager, and pods or
 * ReplicaSets of its `app=` labels, as `Kind/name`.
 */
export async function scriptLeftovers(kc: k8s.KubeConfig, ns: string, appLabels: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const isScripts = (m: Meta) =>
    m.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] !== undefined || (m.managedFields ?? []).some((f) => f.manager === 'kubectl-client-side-apply') || appLabels.includes(m.labels?.app ?? '');
  const nsRes = await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}`);
  if (nsRes.status === 200 && isScripts((JSON.parse(nsRes.body) as { metadata: Meta }).metadata)) out.push(`Namespace/${ns}`);
  for (const [kind, path] of KINDS) {
    const res = await apiRequest(kc, 'GET', path.replace('NS', ns));
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    for (const it of (JSON.parse(res.body) as { items: Array<{ metadata: Meta }> }).items) if (isScripts(it.metadata)) out.push(`${kind}/${it.metadata.name}`);
  }
  return out.sort();
}

/** Ready endpoints behind a Service, from its EndpointSlices. */
export async function readyEndpoints(kc: k8s.KubeConfig, ns: string, service: string): Promise<number> {
  const res = await apiRequest(kc, 'GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service}`)}`);
  if (res.status !== 200) throw new Error(`EndpointSlices of ${service}: HTTP ${res.status}`);
  const items = (JSON.parse(res.body) as { items: Array<{ endpoints?: Array<{ conditions?: { ready?: boolean } }> }> }).items;
  return items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;
}

/**
 * Polls a Service's ready endpoints every `everyMs` until stopped: the lowest count seen,
 * and how many polls there were.
 */
export function watchEndpoints(kc: k8s.KubeConfig, ns: string, service: string, everyMs = 100): { stop: () => Promise<{ min: number; polls: number; zeroAt: number[] }> } {
  let running = true;
  let min = Infinity;
  let polls = 0;
  const zeroAt: number[] = [];
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      const n = await readyEndpoints(kc, ns, service);
      polls++;
      min = Math.min(min, n);
      if (n === 0) zeroAt.push(t);
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - t))));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { min, polls, zeroAt };
    },
  };
}

/** The CLI as a user in CI runs it: no secret given (they come from the script's objects unless `env` has them). */
export const run = (args: string[], env: Record<string, string> = {}, timeoutMs?: number): Promise<CliResult> =>
  runCli(args, { kubeconfig: inject('kubeconfig'), env, ...(timeoutMs && { timeoutMs }) });

/**
 * A deploy without --adopt in CI: exit 2, its message names each of `found` and the flag,
 * and nothing in the namespace changed (no object's spec, no revision record).
 */
export async function expectRefusedWithoutAdopt(kc: k8s.KubeConfig, ns: string, args: string[], found: readonly string[]): Promise<CliResult> {
  const before = await snapshot(kc, ns);
  const r = await run(args);
  expect(r.code, r.err).toBe(2);
  for (const f of found) expect(r.err).toContain(f);
  expect(r.err).toContain('--adopt');
  const after = await snapshot(kc, ns);
  expect(after.specs).toEqual(before.specs);
  expect(after.revisions).toEqual([]);
  return r;
}

/** `history STACK -o json` as [revision, status, kind] rows. */
export async function historyRows(stack: string, ns: string): Promise<Array<[number, string, string | undefined]>> {
  const h = await run(['history', stack, '-n', ns, '-o', 'json']);
  expect(h.code, h.err).toBe(0);
  return (JSON.parse(h.out) as { revisions: Array<{ revision: number; status: string; kind?: string }> }).revisions.map((x) => [x.revision, x.status, x.kind]);
}

/** A plain re-run (JSON report): every object unchanged, no spec moved; then `verify STACK` passes. */
export async function expectUnchangedRerun(kc: k8s.KubeConfig, ns: string, args: string[], verifyStack: string, env: Record<string, string> = {}): Promise<CliResult[]> {
  const before = await snapshot(kc, ns);
  const r = await run([...args, '-o', 'json'], env, 240_000);
  expect(r.code, r.err).toBe(0);
  const doc = JSON.parse(r.out) as { objects: Array<{ ref: string; action: string }> };
  expect(doc.objects.filter((o) => o.action !== 'unchanged')).toEqual([]);
  expect((await snapshot(kc, ns)).specs).toEqual(before.specs);
  const v = await run(['verify', verifyStack, '-n', ns]);
  expect(v.code, `${v.out}\n${v.err}`).toBe(0);
  return [r, v];
}
