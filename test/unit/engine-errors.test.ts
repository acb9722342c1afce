// The engine speaks Kubernetes; the CLI names its flags and commands. src/k8s/ throws
// errors carrying an EngineReason (src/k8s/reasons.ts) and src/commands/engine-errors.ts
// words each for the user, so what users read is what it was before the split.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWording, inCliTerms, inCliTermsAction } from '../../src/commands/engine-errors.js';
import { ClusterAccessError, ExitCode, InputError, OperationError, VhError } from '../../src/errors.js';
import { httpError } from '../../src/k8s/api-error.js';
import { aggregateFailures } from '../../src/k8s/apply.js';
import { connect } from '../../src/k8s/client.js';
import { assertPreflight, type PreflightResult } from '../../src/k8s/preflight.js';
import { reasonOf, withReason } from '../../src/k8s/reasons.js';

const dir = mkdtempSync(join(tmpdir(), 'vh-engine-errors-'));
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const kubeconfig = (current: string | null) => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: "https://127.0.0.1:1" }
users:
- name: u
  user: { token: t }
contexts:
- name: dead
  context: { cluster: c, user: u }
${current ? `current-context: ${current}` : ''}
`;

/** The error a promise rejects with, as the CLI shows it. */
async function cliError(p: Promise<unknown>): Promise<VhError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(VhError);
  return inCliTerms(e as VhError);
}

describe('src/k8s/ names no command-line flag', () => {
  it('no --flag and no -n in any file of src/k8s (code or comment)', () => {
    const srcDir = join(__dirname, '../../src/k8s');
    const hits: string[] = [];
    for (const f of readdirSync(srcDir).filter((x) => x.endsWith('.ts'))) {
      readFileSync(join(srcDir, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/(^|[\s`'"(/])--[a-z]/.test(line) || /(^|[\s`'"(])-n\b/.test(line)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });
});

describe('connect: the CLI names --kubeconfig and --context', () => {
  it('a --kubeconfig that does not exist', async () => {
    const e = await cliError(connect({ kubeconfig: join(dir, 'nope'), env: {} }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe(`--kubeconfig: file ${join(dir, 'nope')} does not exist`);
  });
  it('an empty --kubeconfig file is named by the flag; the engine says "file"', async () => {
    const f = file('empty.kubeconfig', '');
    const raw = await connect({ kubeconfig: f, env: {} }).catch((err: unknown) => err as Error);
    expect(raw.message).toBe(`kubeconfig file ${f} could not be read: the file is empty`);
    expect(inCliTerms(raw).message).toBe(`kubeconfig --kubeconfig ${f} could not be read: the file is empty`);
  });
  it('an unknown --context, and no current context', async () => {
    const f = file('dead.kubeconfig', kubeconfig('dead'));
    const unknown = await cliError(connect({ kubeconfig: f, context: 'prod', env: {} }));
    expect(unknown).toBeInstanceOf(InputError);
    expect(unknown.message).toBe(`--context: "prod" is not in kubeconfig --kubeconfig ${f}; available: dead`);
    const g = file('nocurrent.kubeconfig', kubeconfig(null));
    const none = await cliError(connect({ kubeconfig: g, env: {} }));
    expect(none.message).toBe(`kubeconfig --kubeconfig ${g} has no current context; pass --context (available: dead)`);
    // From KUBECONFIG, the origin is the variable, as before.
    const viaEnv = await cliError(connect({ env: { KUBECONFIG: g } }));
    expect(viaEnv.message).toBe(`kubeconfig KUBECONFIG ${g} has no current context; pass --context (available: dead)`);
  });
  it('no kubeconfig at all, or KUBECONFIG naming nothing', async () => {
    const none = await cliError(connect({ env: {}, homeDir: dir }));
    expect(none).toBeInstanceOf(ClusterAccessError);
    expect(none.message).toBe('no kubeconfig found: no --kubeconfig, no KUBECONFIG, no ~/.kube/config, and not running in a cluster');
    expect(none.hint).toBe('pass --kubeconfig FILE or set KUBECONFIG');
    const env = await cliError(connect({ env: { KUBECONFIG: '/nonexistent/a' }, homeDir: dir }));
    expect(env.message).toBe('no kubeconfig found: KUBECONFIG=/nonexistent/a names no existing file');
    expect(env.hint).toBe('fix KUBECONFIG or pass --kubeconfig FILE');
  });
});

describe('hints the CLI words', () => {
  it('401: pick another --context', () => {
    const e = httpError({ contextName: 'kind', server: 'https://x' }, 'GET', '/api/v1/namespaces/a/pods', {}, 401, '');
    expect(reasonOf(e)).toEqual({ reason: 'unauthorized' });
    expect((inCliTerms(e) as VhError).hint).toBe('refresh the credentials in your kubeconfig (expired token or certificate?) or pick another --context');
  });
  it('wait timeout, lost API server, and a lock lost without a taker keep the engine hint', () => {
    expect(cliWording({ reason: 'waitTimeout', timeoutMs: 1000 }).hint).toBe('raise --timeout if the rollout is slow, or look at the objects above');
    expect(cliWording({ reason: 'apiServerLost' }).hint).toBe('re-run the same command to resume: applying is idempotent, objects already applied are kept and the rest follow');
    const lost = withReason(new OperationError('lost the lock Lease/a/b: could not renew it for 60s (x)'), { reason: 'lockLost', lease: 'Lease/a/b', takenOver: false });
    expect(inCliTerms(lost).hint).toBeUndefined();
  });
  it('a pod failure its securityContext explains names the workload\'s setting (object -> workload of the stack)', () => {
    const h = "the user the pod runs as (securityContext runAsUser/runAsGroup) cannot reach the image's program or working directory";
    expect(cliWording({ reason: 'podSecurityContext', kind: 'Deployment', name: 'model-router', hint: h }).hint).toBe(
      `${h}; vh-deploy sets it with workloads.model-router.podSecurityContext (the pod's: runAsUser, runAsGroup, runAsNonRoot, fsGroup) or workloads.model-router.securityContext (the container's), in the config file or with --set (docs/customising.md)`,
    );
    expect(cliWording({ reason: 'podSecurityContext', kind: 'Job', name: 'posthog-migrate-1a2b3c', hint: h }).hint).toContain('workloads.migrate.podSecurityContext');
    expect(cliWording({ reason: 'podSecurityContext', kind: 'StatefulSet', name: 'posthog-kafka', hint: h }).hint).toContain('workloads.kafka.securityContext');
    // Not an object of any stack (kind differs): the engine's hint stands.
    expect(cliWording({ reason: 'podSecurityContext', kind: 'StatefulSet', name: 'model-router', hint: h })).toEqual({});
  });
  it('several failures: one hint per distinct remedy, in order, the CLI words replacing the engine words', () => {
    const conflict = (ref: string) => withReason(new OperationError(`${ref}: field conflict`, 'engine conflict hint'), { reason: 'conflict' });
    const other = new OperationError('Widget/a/w: the cluster does not serve kind Widget', 'install its CustomResourceDefinition first');
    const agg = aggregateFailures('server-side dry run', [conflict('ConfigMap/a/x'), other, conflict('ConfigMap/a/y')], 3) as OperationError;
    expect(agg.hint).toBe('engine conflict hint; install its CustomResourceDefinition first');
    expect(inCliTerms(agg).hint).toBe(
      'another tool changed these fields since vh-deploy last applied them; undo that change, or re-run with --force-conflicts to take the fields over (their current values are overwritten); install its CustomResourceDefinition first',
    );
  });
});

describe('preflight: a Terminating namespace is left with -n', () => {
  const result = (messages: string[], terminating: boolean): PreflightResult => ({
    context: 'kind',
    server: 'https://x',
    version: { major: '1', minor: '34', gitVersion: 'v1.34.0' } as PreflightResult['version'],
    ok: false,
    optionalGroups: {},
    checks: messages.map((message, i) => ({ id: `c${i}`, ok: false, severity: 'error' as const, message, ...(terminating && i === 0 && { reason: 'namespaceTerminating' as const }) })),
  });
  it('the CLI adds "with -n" to that check only', () => {
    const err = (() => {
      try {
        assertPreflight(result(['namespace ns is being deleted (Terminating) and accepts no new objects; wait until it is gone, or choose another namespace', 'IngressClass nginx does not exist'], true));
      } catch (e) {
        return e as OperationError;
      }
      throw new Error('no error');
    })();
    expect(err.message).not.toContain('-n');
    expect(inCliTerms(err).message).toBe(
      'preflight failed (context "kind"); nothing was written:\n  - namespace ns is being deleted (Terminating) and accepts no new objects; wait until it is gone, or choose another namespace with -n\n  - IngressClass nginx does not exist',
    );
  });
});

describe('inCliTerms', () => {
  it('keeps the class, exit code and stack; leaves errors without a reason alone', () => {
    const e = withReason(new InputError('minimum 3 is greater than the maximum 2'), { reason: 'scaleRefused', refusal: { kind: 'minAboveMax', min: 3, max: 2, maxFromHpa: false } });
    const stack = e.stack;
    const out = inCliTerms(e);
    expect(out).toBe(e);
    expect(out).toBeInstanceOf(InputError);
    expect(out.exitCode).toBe(ExitCode.badInput);
    expect(out.message).toBe('--min: 3 is greater than the maximum 2');
    expect(out.stack).toBe(stack);
    const plain = new OperationError('plain', 'hint');
    expect(inCliTerms(plain)).toMatchObject({ message: 'plain', hint: 'hint' });
  });
  it('inCliTermsAction rewords what a command action throws', async () => {
    const action = inCliTermsAction(async (_x: string) => {
      throw withReason(new OperationError('timed out after 1 s waiting for 1 of 1 objects:', 'allow more time'), { reason: 'waitTimeout', timeoutMs: 1000 });
    });
    await expect(action('x')).rejects.toMatchObject({ hint: 'raise --timeout if the rollout is slow, or look at the objects above' });
  });
});
