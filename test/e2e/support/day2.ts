/// <reference path="../../cluster/inject.d.ts" />
// Shared by the day-2 e2e files: a namespace with the PostHog connection and a Model
// Router, pod IPs for the fake pod server, revision records read straight from the
// cluster, and the secret values that must never appear anywhere.
import { gunzipSync } from 'node:zlib';
import * as k8s from '@kubernetes/client-node';
import { expect, inject } from 'vitest';
import { loadKubeConfig, uniqueName } from '../../cluster/e2e-helpers.js';
import { runCli, type CliResult } from './cli.js';

export const kubeconfig = inject('kubeconfig');
export const kc = loadKubeConfig(kubeconfig);
export const core = kc.makeApiClient(k8s.CoreV1Api);
export const apps = kc.makeApiClient(k8s.AppsV1Api);
export const coord = kc.makeApiClient(k8s.CoordinationV1Api);
export const autoscaling = kc.makeApiClient(k8s.AutoscalingV2Api);

export const KEY = 'phc_d2E2Ed2E2Ed2E2Ed2E0123456789';
export const DB_PASSWORD = 'd2-db-p@ss:word/9';
export const OPENAI = 'sk-d2e2eopenaikeyopenaikey0000';
export const SECRETS = [KEY, DB_PASSWORD, encodeURIComponent(DB_PASSWORD), OPENAI, Buffer.from(DB_PASSWORD).toString('base64'), Buffer.from(KEY).toString('base64')];
export const routerEnv = { VH_DEPLOY_DB_PASSWORD: DB_PASSWORD, VH_DEPLOY_OPENAI_API_KEY: OPENAI };

export const created: string[] = [];
export function nsName(prefix: string): string {
  const n = uniqueName(prefix);
  created.push(n);
  return n;
}

export const IMAGE = 'registry.example.com/model-router';
export function routerArgs(ns: string, o: { image?: string; redis?: string; extra?: string[] } = {}): string[] {
  return [
    'model-router', '-n', ns, '--yes', '--image', o.image ?? `${IMAGE}:1.4.2`, '--db-host', 'pg.data.svc', '--db-user', 'router',
    '--redis-addr', o.redis ?? 'redis.data.svc:6379', '--timeout', '90s', ...(o.extra ?? []),
  ];
}

export const cli = (args: string[], env: Record<string, string> = {}, o: { timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<CliResult> =>
  runCli(args, { kubeconfig, env: { ...routerEnv, ...env }, ...o });

/** `cloud` then `model-router` in a fresh namespace; returns the namespace. */
export async function deployRouter(prefix: string, extra: string[] = []): Promise<string> {
  const ns = nsName(prefix);
  const c = await cli(['cloud', '-n', ns, '--region', 'eu', '--yes'], { VH_DEPLOY_POSTHOG_API_KEY: KEY });
  expect(c.code, c.err).toBe(0);
  const r = await cli(routerArgs(ns, { extra }));
  expect(r.code, r.err).toBe(0);
  noSecrets(c, r);
  return ns;
}

export function noSecrets(...results: CliResult[]): void {
  for (const r of results) for (const s of SECRETS) {
    expect(r.out).not.toContain(s);
    expect(r.err).not.toContain(s);
  }
}

export async function podIPs(ns: string, label = 'app.kubernetes.io/name=model-router'): Promise<Array<{ name: string; ip: string }>> {
  const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: label });
  return pods.items
    .filter((p) => p.status?.podIP && !p.metadata?.deletionTimestamp && p.status.phase === 'Running')
    .map((p) => ({ name: p.metadata!.name!, ip: p.status!.podIP! }));
}

export interface StoredRevision {
  revision: number;
  status: string;
  command: string;
  description: string;
  values: Record<string, unknown>;
  manifests: Array<{ kind: string; metadata: { name: string }; data?: unknown; stringData?: unknown }>;
  error?: string;
  rollbackTo?: number;
}

/** Every revision record of a stack, decoded from the Secrets themselves (not through the CLI). */
export async function storedRevisions(ns: string, stack: string): Promise<{ raw: string[]; revisions: StoredRevision[] }> {
  const list = await core.listNamespacedSecret({ namespace: ns, labelSelector: `vh-deploy.io/revision-of=${stack},owner=vh-deploy` });
  const raw: string[] = [];
  const revisions: StoredRevision[] = [];
  for (const s of list.items) {
    expect(s.type).toBe('vh-deploy.io/revision');
    const json = gunzipSync(Buffer.from(s.data!.revision!, 'base64')).toString('utf8');
    raw.push(JSON.stringify(s), json);
    revisions.push(JSON.parse(json) as StoredRevision);
  }
  return { raw, revisions: revisions.sort((a, b) => a.revision - b.revision) };
}

export async function historyJson(ns: string, stack = 'model-router'): Promise<Array<{ revision: number; status: string; command: string; description: string; time: string; updated: string; error?: string; rollbackTo?: number }>> {
  const r = await cli(['history', stack, '-n', ns, '-o', 'json']);
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { revisions: Awaited<ReturnType<typeof historyJson>> }).revisions;
}

export async function configValue(ns: string, key: string): Promise<string | undefined> {
  return (await core.readNamespacedConfigMap({ name: 'model-router-config', namespace: ns })).data?.[key];
}

export async function routerImage(ns: string): Promise<string | undefined> {
  return (await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns })).spec?.template.spec?.containers[0]?.image;
}

export interface VerifyDoc {
  ok: boolean;
  checks: Array<{ stack: string; check: string; status: 'pass' | 'fail' | 'warn'; detail: string; ok: boolean }>;
}

/** `verify -o json`: exactly one JSON document on stdout, pass or fail. */
export async function verifyJson(ns: string, stack = 'model-router', extra: string[] = []): Promise<{ code: number | null; doc: VerifyDoc; r: CliResult }> {
  const r = await cli(['verify', stack, '-n', ns, '-o', 'json', ...extra]);
  noSecrets(r);
  return { code: r.code, doc: JSON.parse(r.out) as VerifyDoc, r };
}

export const failed = (doc: VerifyDoc) => doc.checks.filter((c) => c.status === 'fail');
