/// <reference path="../cluster/inject.d.ts" />
// Proof, part 2 (issue 6): secret hygiene (docs/architecture.md rule 3). Every command runs with
// known secret values given every way a user can (env, --x-file, argv), in text, JSON,
// --verbose, --dry-run (client and server) and diff modes, on success and on failure
// paths (bad image, forbidden, conflict, TLS failure, bad input). No secret may appear -
// raw, base64 (any alignment), base64url, URL-encoded, JSON-escaped, or inside a base64 or
// gzip payload - in stdout, stderr, the revision records in the cluster, or any file the
// CLI writes (HOME, cwd and TMPDIR are private to the runs; every file found must be 0600).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deleteNamespaces, loadKubeConfig, uniqueName } from '../cluster/e2e-helpers.js';
import type { CliResult } from './support/cli.js';
import { caData, makeCa, variantKubeconfig } from './support/kubeconfigs.js';
import { apiPatch, filesUnder, leaks, NODE_WARNING, startCli, STACK_FRAME } from './support/proof.js';

const kubeconfig = inject('kubeconfig');
const limitedKubeconfig = inject('limitedKubeconfig');
const kc = loadKubeConfig(kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);

// The known secrets. Some contain characters that URL-encoding and JSON change.
const S = {
  KEY1: 'phc_hygieneHYGIENEhygiene0123456789',
  KEY2: 'phc_rotatedROTATEDrotated9876543210',
  DB1: 'hyg-DB-p@ss/w:rd+1"q',
  DB2: 'hyg-second-db-password-Z9',
  DB3: 'hyg-third-db-password-Q7',
  REDIS: 'hyg-redis-pass-5678%x',
  OPENAI: 'sk-hygieneOPENAIopenai0123456789',
  OPENAI2: 'sk-rotatedOPENAIopenai9876543210',
  ANTHROPIC: 'sk-ant-hygieneANTHROPIC0123456789',
  HAND: 'hand-edited-password-by-kubectl',
  KEYFILE: 'phc_fromAfileFROMafile0123456789',
} as const;
const SECRETS: Record<string, string> = { ...S };

const base = mkdtempSync(join(tmpdir(), 'vh-proof-hyg-'));
/** Where the CLI may write: its HOME, cwd and TMPDIR. Inputs live elsewhere. */
const home = mkdtempSync(join(base, 'home-'));
const cwd = mkdtempSync(join(base, 'cwd-'));
const tmpd = mkdtempSync(join(base, 'tmp-'));
const inputs = mkdtempSync(join(base, 'inputs-'));
const file = (name: string, content: string) => {
  const p = join(inputs, name);
  writeFileSync(p, `${content}\n`, { mode: 0o600 });
  return p;
};
const redisFile = file('redis.txt', S.REDIS);
const keyFile = file('key.txt', S.KEYFILE);
const key2File = file('key2.txt', S.KEY2);
const kubeconfigBefore = readFileSync(kubeconfig);

const ns = uniqueName('proof-hyg');
const nsFail = uniqueName('proof-hyg-fail');
const nsPh = uniqueName('proof-hyg-ph');
afterAll(async () => {
  await deleteNamespaces(kc, [ns, nsFail, nsPh]);
  rmSync(base, { recursive: true, force: true });
});

interface Run {
  label: string;
  code: number | null;
}
const runs: Run[] = [];

/**
 * Runs the CLI with private HOME/cwd/TMPDIR and asserts that no known secret appears in
 * its output; JSON mode must print exactly one JSON document.
 */
async function run(label: string, args: string[], o: { env?: Record<string, string>; kubeconfig?: string; code?: number | number[] } = {}): Promise<CliResult> {
  const r = await startCli(args, { kubeconfig: o.kubeconfig ?? kubeconfig, env: { HOME: home, TMPDIR: tmpd, ...o.env }, cwd, timeoutMs: 120_000 }).done;
  runs.push({ label, code: r.code });
  expect(leaks(r.out + r.err, SECRETS), `${label}: secret in the output\nstdout: ${r.out}\nstderr: ${r.err}`).toEqual([]);
  expect(r.err + r.out, label).not.toMatch(STACK_FRAME);
  expect(r.err, label).not.toMatch(NODE_WARNING);
  if (o.code !== undefined) expect([o.code].flat(), `${label}: exit ${r.code}\n${r.err}`).toContain(r.code);
  if (args.includes('json')) expect(() => JSON.parse(r.out), `${label}: one JSON document on stdout`).not.toThrow();
  return r;
}

const cloudArgs = ['-n', ns, '--region', 'eu', '--yes'];
const routerArgs = ['-n', ns, '--yes', '--image', 'registry.example.com/model-router:1.4.2', '--db-host', 'pg.data.svc', '--db-user', 'router', '--redis-addr', 'redis.data.svc:6379', '--redis-password-file', redisFile, '--openai-api-key', S.OPENAI, '--timeout', '60s'];
const routerEnv = { VH_DEPLOY_DB_PASSWORD: S.DB1, VH_DEPLOY_ANTHROPIC_API_KEY: S.ANTHROPIC };

describe('secret hygiene: every command, every mode', () => {
  it('the leak detector is not vacuous: --show-secrets prints the secrets, and they are found', async () => {
    const r = await startCli(['render', 'model-router', ...routerArgs, '--posthog-host', 'https://eu.i.posthog.com', '--posthog-api-key-file', keyFile, '--show-secrets', '-o', 'json'], { kubeconfig, env: { HOME: home, TMPDIR: tmpd, ...routerEnv }, cwd }).done;
    expect(r.code).toBe(0);
    const found = leaks(r.out, SECRETS).join(' ');
    for (const k of ['DB1', 'REDIS', 'OPENAI', 'ANTHROPIC', 'KEYFILE']) expect(found).toContain(k);
  });

  it('cloud: deploy, re-run, verbose, client and server dry runs, diff, render, a key change', async () => {
    const env = { VH_DEPLOY_POSTHOG_API_KEY: S.KEY1 };
    await run('cloud text', ['cloud', ...cloudArgs], { env, code: 0 });
    await run('cloud -o json (re-run)', ['-o', 'json', 'cloud', ...cloudArgs], { env, code: 0 });
    await run('cloud --verbose', ['cloud', ...cloudArgs, '--verbose'], { env, code: 0 });
    await run('cloud --dry-run', ['cloud', ...cloudArgs, '--dry-run'], { env, code: 0 });
    await run('cloud --dry-run -o json', ['cloud', ...cloudArgs, '--dry-run', '-o', 'json'], { env, code: 0 });
    await run('cloud --dry-run=server', ['cloud', ...cloudArgs, '--dry-run=server'], { env, code: 0 });
    await run('cloud --dry-run=server -o json', ['cloud', ...cloudArgs, '--dry-run=server', '-o', 'json'], { env, code: 0 });
    const d = await run('diff cloud (key changed)', ['diff', 'cloud', ...cloudArgs, '--posthog-api-key-file', key2File], { code: 0 });
    expect(d.out).toMatch(/Secret\/.*model-router-posthog/); // the change is shown, the values are not
    await run('diff cloud -o json (key changed)', ['-o', 'json', 'diff', 'cloud', ...cloudArgs, '--posthog-api-key-file', key2File], { code: 0 });
    await run('render cloud', ['render', 'cloud', ...cloudArgs], { env, code: 0 });
    await run('render cloud -o json (key from a file)', ['-o', 'json', 'render', 'cloud', ...cloudArgs, '--posthog-api-key-file', keyFile], { code: 0 });
    await run('cloud --verbose (key changed: the diff is printed)', ['cloud', ...cloudArgs, '--verbose', '--posthog-api-key-file', key2File], { code: 0 });
    await run('cloud --posthog-api-key on argv', ['cloud', ...cloudArgs, '--posthog-api-key', S.KEY2], { code: 0 });
  });

  it('model-router: deploy, re-run, verbose with a changed password, dry runs, diff, render', async () => {
    await run('model-router text', ['model-router', ...routerArgs], { env: routerEnv, code: 0 });
    await run('model-router -o json (re-run)', ['-o', 'json', 'model-router', ...routerArgs], { env: routerEnv, code: 0 });
    await run('model-router --verbose (password changed)', ['model-router', ...routerArgs, '--verbose'], { env: { ...routerEnv, VH_DEPLOY_DB_PASSWORD: S.DB2 }, code: 0 });
    const changed = { ...routerEnv, VH_DEPLOY_DB_PASSWORD: S.DB3 };
    const changedArgs = routerArgs.map((a) => (a === S.OPENAI ? S.OPENAI2 : a));
    await run('model-router --dry-run=server', ['model-router', ...changedArgs, '--dry-run=server'], { env: changed, code: 0 });
    await run('model-router --dry-run=server -o json --verbose', ['model-router', ...changedArgs, '--dry-run=server', '-o', 'json', '--verbose'], { env: changed, code: 0 });
    const d = await run('diff model-router (password and key changed)', ['diff', 'model-router', ...changedArgs], { env: changed, code: 0 });
    expect(d.out).toMatch(/Secret\/.*model-router-secrets/);
    await run('diff model-router -o json', ['-o', 'json', 'diff', 'model-router', ...changedArgs], { env: changed, code: 0 });
    await run('render model-router', ['render', 'model-router', ...changedArgs, '--posthog-host', 'https://eu.i.posthog.com', '--posthog-api-key-file', keyFile], { env: changed, code: 0 });
    await run('render model-router -o json', ['-o', 'json', 'render', 'model-router', ...changedArgs, '--posthog-host', 'https://eu.i.posthog.com', '--posthog-api-key-file', keyFile], { env: changed, code: 0 });
    await run('model-router --dry-run --verbose', ['model-router', ...changedArgs, '--dry-run', '--verbose'], { env: changed, code: 0 });
    await run('self-hosted --dry-run', ['self-hosted', '-n', ns, '--yes', '--domain', 'posthog.example.com', '--insecure-http', '--dry-run'], { code: 0 });
    await run('self-hosted --dry-run=server -o json', ['self-hosted', '-n', uniqueName('proof-hyg-ph'), '--yes', '--domain', 'posthog.example.com', '--insecure-http', '--dry-run=server', '-o', 'json'], { code: [0, 1] });
  });

  it('self-hosted: the secrets it generates (read back from the cluster) appear in no output of any later run, nor the first', async () => {
    const args = ['self-hosted', '-n', nsPh, '--yes', '--domain', 'posthog.example.com', '--insecure-http', '--timeout', '2m'];
    const first = await run('self-hosted text (first deploy)', args, { code: 0 });
    const generated = await core.listNamespacedSecret({ namespace: nsPh });
    let learned = 0;
    for (const s of generated.items.filter((x) => !x.metadata?.labels?.['vh-deploy.io/revision-of'])) {
      for (const [k, v] of Object.entries(s.data ?? {})) {
        const value = Buffer.from(v, 'base64').toString('utf8');
        if (value.length >= 16) {
          SECRETS[`generated ${s.metadata!.name}/${k}`] = value;
          learned++;
        }
      }
    }
    expect(learned).toBeGreaterThanOrEqual(4); // database, Redis, ClickHouse passwords, SECRET_KEY, ...
    expect(leaks(first.out + first.err, SECRETS), 'the first run').toEqual([]);
    await run('self-hosted -o json (re-run: secrets reused)', ['-o', 'json', ...args], { code: 0 });
    await run('self-hosted --verbose (re-run)', [...args, '--verbose'], { code: 0 });
    await run('self-hosted --dry-run=server -o json', [...args, '--dry-run=server', '-o', 'json'], { code: 0 });
    await run('diff self-hosted (new version)', ['diff', ...args, '--posthog-version', 'release-1.42.0'], { code: 0 });
    await run('verify posthog', ['verify', 'posthog', '-n', nsPh], { code: [0, 1] });
    await run('verify posthog -o json', ['verify', 'posthog', '-n', nsPh, '-o', 'json'], { code: [0, 1] });
    await run('history posthog --revision 1 -o json', ['history', 'posthog', '-n', nsPh, '--revision', '1', '-o', 'json'], { code: 0 });
    await run('scale posthog/web --replicas 2', ['scale', 'posthog/web', '-n', nsPh, '--replicas', '2', '--timeout', '60s'], { code: 0 });
  });

  it('day-2: verify, history (incl. one revision in full), scale, upgrade, a failed upgrade, rollback', async () => {
    const env = routerEnv;
    await run('verify model-router', ['verify', 'model-router', '-n', ns], { env, code: [0, 1] });
    await run('verify model-router -o json --verbose', ['verify', 'model-router', '-n', ns, '-o', 'json', '--verbose'], { env, code: [0, 1] });
    await run('verify posthog-connection', ['verify', 'posthog-connection', '-n', ns], { env, code: [0, 1] });
    await run('history model-router', ['history', 'model-router', '-n', ns], { code: 0 });
    await run('history model-router -o json', ['history', 'model-router', '-n', ns, '-o', 'json'], { code: 0 });
    await run('history model-router --revision 1', ['history', 'model-router', '-n', ns, '--revision', '1'], { code: 0 });
    await run('history posthog-connection --revision 1 -o json', ['history', 'posthog-connection', '-n', ns, '--revision', '1', '-o', 'json'], { code: 0 });
    await run('scale --replicas on an HPA-managed workload (refused)', ['scale', 'model-router/model-router', '-n', ns, '--replicas', '2'], { env, code: [1, 2] });
    await run('scale --min/--max -o json', ['scale', 'model-router/model-router', '-n', ns, '--min', '1', '--max', '4', '-o', 'json', '--timeout', '60s'], { env, code: 0 });
    await run('upgrade --image-tag', ['upgrade', 'model-router', '-n', ns, '--image-tag', '1.4.3', '--timeout', '60s'], { env, code: 0 });
    await run('upgrade -o json --verbose', ['upgrade', 'model-router', '-n', ns, '--image-tag', '1.4.4', '--timeout', '60s', '-o', 'json', '--verbose'], { env, code: 0 });
    await run('upgrade to an unpullable image (rolled back, exit 4)', ['upgrade', 'model-router', '-n', ns, '--image', 'e2e.invalid/fail-imagepull:9.9.9', '--timeout', '60s'], { env, code: 4 });
    await run('upgrade --dry-run=server', ['upgrade', 'model-router', '-n', ns, '--image-tag', '1.4.5', '--dry-run=server'], { env, code: 0 });
    await run('rollback', ['rollback', 'model-router', '-n', ns, '--timeout', '60s'], { env, code: 0 });
    await run('rollback -o json --to-revision 1', ['rollback', 'model-router', '-n', ns, '--to-revision', '1', '--timeout', '60s', '-o', 'json'], { env, code: 0 });
  });

  it('failure paths: bad image, forbidden, field conflict (and --force-conflicts), TLS failure, bad input, unreachable', async () => {
    const bad = routerArgs.map((a) => (a === 'registry.example.com/model-router:1.4.2' ? 'e2e.invalid/fail-imagepull:1.0.0' : a)).map((a) => (a === ns ? nsFail : a));
    await run('cloud for the failure namespace', ['cloud', '-n', nsFail, '--region', 'us', '--yes'], { env: { VH_DEPLOY_POSTHOG_API_KEY: S.KEY1 }, code: 0 });
    await run('model-router with an unpullable image', ['model-router', ...bad], { env: routerEnv, code: 1 });
    await run('model-router with an unpullable image -o json --verbose', ['-o', 'json', 'model-router', ...bad, '--verbose'], { env: routerEnv, code: 1 });
    await run('model-router forbidden', ['model-router', ...routerArgs], { env: routerEnv, kubeconfig: limitedKubeconfig, code: 3 });
    await run('model-router forbidden -o json', ['-o', 'json', 'model-router', ...routerArgs], { env: routerEnv, kubeconfig: limitedKubeconfig, code: 3 });
    await run('cloud forbidden --verbose', ['cloud', ...cloudArgs, '--verbose'], { env: { VH_DEPLOY_POSTHOG_API_KEY: S.KEY1 }, kubeconfig: limitedKubeconfig, code: 3 });

    // Someone edits a secret value by hand (another field manager): the conflict names the
    // manager and the field, never the old or the new value.
    const secretPath = `/api/v1/namespaces/${ns}/secrets/model-router-secrets`;
    const edit = await apiPatch(kc, secretPath, { stringData: { DB_PASSWORD: S.HAND } }, { fieldManager: 'kubectl-edit' });
    expect(edit.status, edit.body).toBe(200);
    const c = await run('model-router after a hand edit (conflict)', ['model-router', ...routerArgs], { env: routerEnv, code: 1 });
    expect(c.err).toMatch(/kubectl-edit/);
    await run('diff model-router after a hand edit', ['diff', 'model-router', ...routerArgs], { env: routerEnv, code: [0, 1] });
    await run('model-router after a hand edit -o json --verbose', ['-o', 'json', 'model-router', ...routerArgs, '--verbose'], { env: routerEnv, code: 1 });
    await run('model-router --force-conflicts', ['model-router', ...routerArgs, '--force-conflicts'], { env: routerEnv, code: 0 });

    const wrongCa = variantKubeconfig(kubeconfig, join(inputs, 'wrong-ca.kubeconfig'), { caData: caData(makeCa(join(inputs, 'ca'))) });
    await run('model-router with a kubeconfig whose CA does not match', ['model-router', ...routerArgs], { env: routerEnv, kubeconfig: wrongCa, code: 3 });
    await run('model-router bad input with every secret given', ['model-router', ...routerArgs, '--replicas', '-1'], { env: routerEnv, code: 2 });
    await run('cloud bad key given on argv', ['cloud', ...cloudArgs, '--posthog-api-key', S.OPENAI], { code: 2 });
    const dead = join(inputs, 'dead.kubeconfig');
    writeFileSync(dead, readFileSync(kubeconfig, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:1'), { mode: 0o600 });
    await run('model-router unreachable -o json', ['-o', 'json', 'model-router', ...routerArgs], { env: routerEnv, kubeconfig: dead, code: 3 });
  });

  it('no secret in the revision records (gzip JSON in Secrets labelled vh-deploy.io/revision-of) or the Lease', async () => {
    let checked = 0;
    for (const namespace of [ns, nsFail, nsPh]) {
      const list = await core.listNamespacedSecret({ namespace, labelSelector: 'vh-deploy.io/revision-of' });
      for (const s of list.items) {
        const { data, ...rest } = s;
        expect(leaks(JSON.stringify(rest), SECRETS), `metadata of ${s.metadata?.name}`).toEqual([]);
        for (const [k, v] of Object.entries(data ?? {})) {
          const raw = Buffer.from(v, 'base64');
          const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
          expect(leaks(text, SECRETS), `${s.metadata?.name}/${k}`).toEqual([]);
          JSON.parse(text); // a revision is JSON
          checked++;
        }
      }
      const leases = await kc.makeApiClient(k8s.CoordinationV1Api).listNamespacedLease({ namespace });
      expect(leaks(JSON.stringify(leases.items), SECRETS)).toEqual([]);
    }
    // cloud + model-router deploys, upgrades, the rollbacks: there must be records to check.
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('files the CLI wrote (HOME, cwd, TMPDIR) hold no secret and are 0600; the kubeconfig is untouched', () => {
    const written = [...filesUnder(home), ...filesUnder(cwd), ...filesUnder(tmpd)];
    console.log(`secret hygiene: the CLI wrote ${written.length} file(s) under HOME, cwd and TMPDIR${written.length ? `: ${written.map((f) => f.path).join(', ')}` : ''}`);
    for (const f of written) {
      expect(f.mode, `${f.path} mode`).toBe(0o600);
      expect(leaks(f.content.toString('latin1'), SECRETS), f.path).toEqual([]);
    }
    expect(readFileSync(kubeconfig).equals(kubeconfigBefore)).toBe(true);
    expect(statSync(kubeconfig).mode & 0o077).toBe(0);
  });

  it('summary: at least 50 runs were checked', () => {
    // 50+ runs across cloud, model-router, self-hosted, render, diff and the day-2 commands.
    expect(runs.length).toBeGreaterThanOrEqual(50);
    console.log(`secret hygiene: ${runs.length} CLI runs checked; exit codes: ${JSON.stringify(countBy(runs.map((r) => String(r.code))))}`);
  });
});

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
beforeAll(() => {
  expect(Object.values(S).every((v) => v.length >= 8)).toBe(true);
});
