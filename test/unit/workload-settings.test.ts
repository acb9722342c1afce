// Per-workload settings, --set and --patch (docs/customising.md): validation naming the
// key path (exit 2), the overlay on the rendered objects, reserved refusals, Helm's
// --set syntax, layering and recall.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/configfile.js';
import { resolveInputs, type Layers } from '../../src/config/resolve.js';
import { parseSetArgument, typedValue } from '../../src/config/set-values.js';
import { InputError } from '../../src/errors.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { CHECKSUM_ANNOTATION } from '../../src/manifests/finalize.js';
import { applyOverlay, describeSecurity, mergeOver } from '../../src/manifests/overlay.js';
import { applyPatches, strategicMerge } from '../../src/manifests/patches.js';
import { liftReplicas, readPatchFiles, setTree } from '../../src/commands/settings-flags.js';
import { MODEL_ROUTER_FIELDS } from '../../src/stacks/model-router/fields.js';
import { modelRouterStack } from '../../src/stacks/model-router/index.js';
import { MODEL_ROUTER_WORKLOADS } from '../../src/stacks/model-router/workloads.js';
import { SELF_HOSTED_FIELDS } from '../../src/stacks/posthog/fields.js';
import { posthogStack } from '../../src/stacks/posthog/index.js';
import { POSTHOG_WORKLOADS } from '../../src/stacks/posthog/workloads.js';
import { offlineContext, recallValues, renderStack } from '../../src/stacks/stack.js';
import { ROUTER_VALUES } from './support/router-values.js';

const tmp = mkdtempSync(join(tmpdir(), 'vh-settings-'));
const layers = (l: Partial<Layers>): Layers => ({ flag: {}, env: {}, config: {}, ...l });
const mr = { ...ROUTER_VALUES, posthogHost: 'https://eu.i.posthog.com', posthogApiKey: 'phc_settingsSETTINGS0123456789' };
type Any = Record<string, any>;
const find = (objs: KubeObject[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o as KubeObject & Any;
};
const container = (o: Any, name: string) => (o.spec.template.spec.containers as Any[]).find((c) => c.name === name)!;
const renderMr = (extra: Record<string, unknown>) => renderStack(modelRouterStack, { ...mr, ...extra }, offlineContext('voicehelper-prod'));

async function inputError(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message;
  }
  throw new Error('expected an InputError');
}

describe('validation names the key path (exit 2)', () => {
  const resolve = (l: Partial<Layers>) => resolveInputs({ fields: MODEL_ROUTER_FIELDS, layers: layers(l), required: () => [] });
  it('a bad quantity in the config file', async () => {
    const msg = await inputError(resolve({ config: { workloads: { 'model-router': { resources: { limits: { cpu: '2 cores' } } } } } }));
    expect(msg).toBe('workloads.model-router.resources.limits.cpu (from config key workloads): expected a Kubernetes quantity such as 500m, 2 or 1Gi; got "2 cores"');
  });
  it('a bad value given by --set names --set', async () => {
    const flag = setTree([{ arg: 'workloads.model-router.tolerations[0].effect=Sometimes', asString: false }], MODEL_ROUTER_WORKLOADS, 'model-router');
    const msg = await inputError(resolve({ flag }));
    expect(msg).toBe('workloads.model-router.tolerations[0].effect (from --set): expected NoSchedule, PreferNoSchedule or NoExecute; got "Sometimes"');
  });
  it('an unknown key inside a section', async () => {
    const msg = await inputError(resolve({ config: { workloads: { 'model-router': { resources: { limit: { cpu: 1 } } } } } }));
    expect(msg).toMatch(/^workloads\.model-router\.resources \(from config key workloads\): Unrecognized key: "limit"/);
  });
  it('storage on a workload without volumes, replicas on a data store', async () => {
    expect(await inputError(resolve({ config: { workloads: { 'model-router': { storage: { size: '1Gi' } } } } }))).toMatch(/^workloads\.model-router\.storage \(from config key workloads\): model-router has no volume of its own/);
    const ph = await inputError(resolveInputs({ fields: SELF_HOSTED_FIELDS, layers: layers({ config: { workloads: { postgres: { replicas: 3 } } } }), required: () => [] }));
    expect(ph).toMatch(/^workloads\.postgres\.replicas .*postgres runs one replica \(a single-instance data store\)/);
  });
  it('a workload no stack has is refused by the config file; another stack\'s section is dropped by this one', async () => {
    const file = join(tmp, 'typo.yaml');
    writeFileSync(file, 'workloads:\n  wbe:\n    nodeSelector: {disk: ssd}\n');
    expect(() => loadConfigFile(file)).toThrow('typo.yaml: no workload "wbe"; the workloads: web, worker, plugins, migrate, postgres, redis, clickhouse, kafka, zookeeper, model-router at workloads');
    const shared = join(tmp, 'shared.yaml');
    writeFileSync(shared, 'workloads:\n  web:\n    nodeSelector: {disk: ssd}\n  model-router:\n    nodeSelector: {pool: apps}\n');
    const r = await resolve({ config: loadConfigFile(shared) });
    expect(r.values.workloads).toEqual({ 'model-router': { nodeSelector: { pool: 'apps' } } });
  });
});

describe('reserved settings are refused with the reason', () => {
  const resolve = (config: Record<string, unknown>) => resolveInputs({ fields: MODEL_ROUTER_FIELDS, layers: layers({ config }), required: () => [] });
  it('labels vh-deploy manages', async () => {
    const msg = await inputError(resolve({ workloads: { 'model-router': { podLabels: { 'app.kubernetes.io/name': 'x' } } } }));
    expect(msg).toMatch(/^workloads\.model-router\.podLabels\.app\.kubernetes\.io\/name .*app\.kubernetes\.io\/\* pod labels are reserved: vh-deploy sets them itself/);
  });
  it('the config checksum annotation', async () => {
    const msg = await inputError(resolve({ workloads: { 'model-router': { podAnnotations: { [CHECKSUM_ANNOTATION]: 'x' } } } }));
    expect(msg).toContain('vh-deploy.io/* pod annotations are reserved');
    expect(await inputError(resolve({ serviceAnnotations: { 'vh-deploy.io/stack': 'x' } }))).toContain('vh-deploy.io/* Service annotations are reserved');
  });
  it('an env name vh-deploy sets (from its ConfigMap or Secret) is refused at render, before any API call', async () => {
    const msg = await inputError(() => renderMr({ workloads: { 'model-router': { env: { DB_HOST: 'elsewhere' } } } }));
    expect(msg).toBe('workloads.model-router.env.DB_HOST: vh-deploy sets DB_HOST itself (ConfigMap model-router-config); reserved so its inputs stay the one source of that value');
    expect(await inputError(() => renderMr({ workloads: { 'model-router': { env: { DATABASE_URL: 'x' } } } }))).toContain('(Secret model-router-secrets)');
  });
  it('a patch that changes a selector, a managed label, or replicas under the HPA', () => {
    const sel = () => renderMr({ patches: [{ target: { kind: 'Deployment', name: 'model-router' }, merge: { spec: { selector: { matchLabels: { tier: 'x' } } } } }] });
    expect(sel).toThrow(/^patches\[0\] \(Deployment\/model-router, merge\): changes spec\.selector/);
    const label = () => renderMr({ patches: [{ target: { kind: 'Service', name: 'model-router' }, json: [{ op: 'replace', path: '/metadata/labels/app.kubernetes.io~1name', value: 'x' }] }] });
    expect(label).toThrow(/changes app\.kubernetes\.io\/\* and vh-deploy\.io\/\* labels and annotations/);
    const replicas = () => renderMr({ patches: [{ target: { kind: 'Deployment', name: 'model-router' }, merge: { spec: { replicas: 7 } } }] });
    expect(replicas).toThrow(/changes spec\.replicas \(an HPA manages this workload\)/);
    // Without an HPA (a fixed count) the same patch is allowed.
    expect(find(renderMr({ replicas: 2, patches: [{ target: { kind: 'Deployment', name: 'model-router' }, merge: { spec: { replicas: 7 } } }] }), 'Deployment', 'model-router').spec.replicas).toBe(7);
  });
});

describe('the overlay', () => {
  it('lands every setting on the pod template, merging over the defaults', () => {
    const objs = renderMr({
      imagePullSecrets: ['regcred'],
      serviceAnnotations: { 'cloud.example.com/lb': 'internal' },
      workloads: {
        'model-router': {
          resources: { limits: { cpu: '2' } },
          nodeSelector: { pool: 'apps' },
          tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'apps', effect: 'NoSchedule' }],
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' }],
          env: { EXTRA: 'x', FROM_SECRET: { valueFrom: { secretKeyRef: { name: 'other', key: 'k' } } } },
          podAnnotations: { 'example.com/team': 'ml' },
          podLabels: { team: 'ml' },
          securityContext: { readOnlyRootFilesystem: false },
          podSecurityContext: { runAsUser: null, runAsNonRoot: false },
        },
      },
    });
    const d = find(objs, 'Deployment', 'model-router');
    const pod = d.spec.template.spec;
    const c = container(d, 'model-router');
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(c.resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } });
    expect(pod.nodeSelector).toEqual({ pool: 'apps' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'apps', effect: 'NoSchedule' }]);
    expect(pod.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'model-router', 'app.kubernetes.io/instance': 'model-router' } } },
    ]);
    expect(c.env).toEqual([{ name: 'EXTRA', value: 'x' }, { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'other', key: 'k' } } }]);
    expect(d.spec.template.metadata.annotations['example.com/team']).toBe('ml');
    expect(d.spec.template.metadata.labels.team).toBe('ml');
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } });
    expect(pod.securityContext).toEqual({ runAsNonRoot: false, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(find(objs, 'Service', 'model-router').metadata.annotations).toEqual({ 'cloud.example.com/lb': 'internal' });
    // The selector and the managed labels are what vh-deploy rendered.
    expect(d.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'model-router', 'app.kubernetes.io/instance': 'model-router' } });
  });
  it('storage size and class on every claim of a data store; pull secrets on every pod template of the stack', () => {
    const objs = renderStack(posthogStack, { domain: 'posthog.example.com', webReplicas: 2, workerReplicas: 1, pluginsReplicas: 1, imagePullSecrets: ['mirror'], workloads: { clickhouse: { storage: { size: '100Gi', className: 'fast-ssd' } } } }, offlineContext('posthog'));
    const ch = find(objs, 'StatefulSet', 'posthog-clickhouse');
    expect(ch.spec.volumeClaimTemplates.map((c: Any) => [c.spec.resources.requests.storage, c.spec.storageClassName])).toEqual([['100Gi', 'fast-ssd']]);
    const pg = find(objs, 'StatefulSet', 'posthog-postgres');
    expect(pg.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    const templates = objs.filter((o: Any) => o.spec?.template?.spec);
    expect(templates.length).toBe(9);
    for (const t of templates as Any[]) expect(t.spec.template.spec.imagePullSecrets).toEqual([{ name: 'mirror' }]);
  });
  it('a Job declared by prefix gets its settings', () => {
    const objs = renderStack(posthogStack, { domain: 'posthog.example.com', workloads: { migrate: { nodeSelector: { pool: 'batch' } } } }, offlineContext('posthog'));
    const job = objs.find((o) => o.kind === 'Job')! as Any;
    expect(job.metadata.name).toMatch(/^posthog-migrate-/);
    expect(job.spec.template.spec.nodeSelector).toEqual({ pool: 'batch' });
  });
  it('an env var read from a ConfigMap of the plan rolls the pods when that ConfigMap changes (checksum)', () => {
    const checksum = (extra: Record<string, unknown>) => find(renderMr(extra), 'Deployment', 'model-router').spec.template.metadata.annotations[CHECKSUM_ANNOTATION];
    const env = { workloads: { 'model-router': { env: { X: { valueFrom: { configMapKeyRef: { name: 'model-router-config', key: 'LOG_LEVEL' } } } } } } };
    const patched = { ...env, patches: [{ target: { kind: 'ConfigMap', name: 'model-router-config' }, merge: { data: { LOG_LEVEL: 'debug' } } }] };
    expect(checksum(env)).not.toBe(checksum(patched));
  });
  it('an affinity kind replaces the whole of the same kind; the others stay', () => {
    const objs: KubeObject[] = [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'c' }], affinity: { nodeAffinity: { preferred: [1], required: { a: 1 } }, podAffinity: { p: 1 } } } } } }];
    applyOverlay(objs, [{ name: 'x', kind: 'Deployment', object: 'x', container: 'c' }], { workloads: { x: { affinity: { nodeAffinity: { required: { b: 2 } }, podAntiAffinity: { q: 1 }, podAffinity: null } } } });
    expect((objs[0] as Any).spec.template.spec.affinity).toEqual({ nodeAffinity: { required: { b: 2 } }, podAntiAffinity: { q: 1 } });
  });
  it('mergeOver: mappings merge, lists replace, null removes', () => {
    expect(mergeOver({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null, d: 3 }, l: [3] })).toEqual({ a: { b: 1, d: 3 }, l: [3] });
  });
});

describe('security settings in force', () => {
  it('the hardened defaults, and what an override leaves', () => {
    const [decl] = MODEL_ROUTER_WORKLOADS;
    const d = find(renderMr({}), 'Deployment', 'model-router');
    expect(describeSecurity(d, decl!)).toBe('runAsNonRoot uid 65532 gid 65532, read-only root fs, no privilege escalation, capabilities drop ALL, seccomp RuntimeDefault');
    const root = find(renderMr({ workloads: { 'model-router': { podSecurityContext: { runAsNonRoot: false, runAsUser: 0, runAsGroup: 0 }, securityContext: { readOnlyRootFilesystem: false } } } }), 'Deployment', 'model-router');
    expect(describeSecurity(root, decl!)).toBe('root gid 0, writable root fs, no privilege escalation, capabilities drop ALL, seccomp RuntimeDefault');
  });
});

describe('--set (Helm convention)', () => {
  it('paths, indexes, lists, commas, escapes and types', () => {
    expect(parseSetArgument('a.b[0].c=x,d=2')).toEqual([
      { path: ['a', 'b', 0, 'c'], value: 'x', text: 'a.b[0].c=x' },
      { path: ['d'], value: '2', text: 'd=2' },
    ]);
    expect(parseSetArgument('a={x,y}')[0]!.value).toEqual(['x', 'y']);
    expect(parseSetArgument('a.example\\.com/team=a\\,b')[0]).toMatchObject({ path: ['a', 'example.com/team'], value: 'a,b' });
    expect([typedValue('true', false), typedValue('12', false), typedValue('null', false), typedValue('1.5', false), typedValue('012', false), typedValue('12', true)]).toEqual([true, 12, null, '1.5', '012', '12']);
  });
  it('builds the tree of settings; a root that is not a setting and a workload of another stack are exit 2', async () => {
    const tree = setTree(
      [
        { arg: 'workloads.web.resources.limits.cpu=2', asString: false },
        { arg: 'workloads.web.tolerations[0].key=dedicated,workloads.web.tolerations[0].operator=Exists', asString: false },
        { arg: 'imagePullSecrets[0]=regcred', asString: false },
        { arg: 'workloads.web.env.BUILD=007', asString: true },
      ],
      POSTHOG_WORKLOADS,
      'self-hosted',
    );
    expect(tree).toEqual({ workloads: { web: { resources: { limits: { cpu: 2 } }, tolerations: [{ key: 'dedicated', operator: 'Exists' }], env: { BUILD: '007' } } }, imagePullSecrets: ['regcred'] });
    expect(await inputError(() => setTree([{ arg: 'domain=x.example.com', asString: false }], POSTHOG_WORKLOADS, 'self-hosted'))).toBe('--set domain=x.example.com: "domain" is not a setting; --set sets workloads, imagePullSecrets, serviceAnnotations, ingressAnnotations; for an option use its flag (--domain)');
    expect(await inputError(() => setTree([{ arg: 'workloads.web.nodeSelector.a=b', asString: false }], MODEL_ROUTER_WORKLOADS, 'model-router'))).toBe('--set workloads.web.nodeSelector.a=b: model-router has no workload "web"; its workloads: model-router');
    expect(await inputError(() => parseSetArgument('workloads.web'))).toMatch(/^--set "workloads.web": no '=' after/);
    expect(await inputError(() => setTree([{ arg: 'imagePullSecrets[2]=x', asString: false }], POSTHOG_WORKLOADS, 'self-hosted'))).toMatch(/index 2 leaves a gap in imagePullSecrets/);
  });
  it('workloads.NAME.replicas is the replica field; both given differently is exit 2', async () => {
    expect(liftReplicas({ workloads: { web: { replicas: 3, nodeSelector: { a: 'b' } } } }, POSTHOG_WORKLOADS, 'from --set')).toEqual({ webReplicas: 3, workloads: { web: { nodeSelector: { a: 'b' } } } });
    expect(await inputError(() => liftReplicas({ webReplicas: 2, workloads: { web: { replicas: 3 } } }, POSTHOG_WORKLOADS, 'from --set'))).toBe('workloads.web.replicas (from --set): --web-replicas is the same setting and is given too, with another value');
  });
});

describe('layers and recall', () => {
  it('--set merges over the config file; the recorded settings stay under what is given', async () => {
    const r = await resolveInputs({
      fields: MODEL_ROUTER_FIELDS,
      layers: layers({
        config: { workloads: { 'model-router': { nodeSelector: { pool: 'apps' }, resources: { limits: { cpu: '1' } } } } },
        flag: { workloads: { 'model-router': { resources: { limits: { cpu: 2 } } } } },
      }),
      required: () => [],
      recorded: async (given) => ({ revision: 4, values: recallValues(modelRouterStack, { workloads: { 'model-router': { podLabels: { team: 'ml' }, nodeSelector: { pool: 'old' } } }, imagePullSecrets: ['regcred'] }, given) }),
    });
    expect(r.values.workloads).toEqual({ 'model-router': { podLabels: { team: 'ml' }, nodeSelector: { pool: 'apps' }, resources: { limits: { cpu: '2' } } } });
    expect(r.values.imagePullSecrets).toEqual(['regcred']);
    expect(r.sources.workloads).toBe('flag');
    expect(r.sources.imagePullSecrets).toBe('recorded');
  });
});

describe('--patch', () => {
  it('merge, strategic (lists of named items by name) and json patches; a target not in the plan is exit 2', async () => {
    const objs = renderMr({
      patches: [
        { target: { kind: 'Deployment', name: 'model-router' }, strategic: { spec: { template: { spec: { containers: [{ name: 'model-router', args: ['--verbose'] }] } } } } },
        { target: { kind: 'Deployment', name: 'model-router' }, json: [{ op: 'add', path: '/spec/template/spec/priorityClassName', value: 'high' }] },
        { target: { kind: 'PodDisruptionBudget', name: 'model-router' }, merge: { spec: { minAvailable: null, maxUnavailable: 1 } } },
      ],
    });
    const d = find(objs, 'Deployment', 'model-router');
    expect(container(d, 'model-router').args).toEqual(['--verbose']);
    expect(container(d, 'model-router').image).toBe(mr.image);
    expect(d.spec.template.spec.priorityClassName).toBe('high');
    expect(find(objs, 'PodDisruptionBudget', 'model-router').spec).toMatchObject({ maxUnavailable: 1 });
    expect(find(objs, 'PodDisruptionBudget', 'model-router').spec.minAvailable).toBeUndefined();
    expect(await inputError(() => renderMr({ patches: [{ target: { kind: 'Deployment', name: 'web' }, merge: {} }] }))).toBe('patches[0] (Deployment/web, merge): no Deployment named web in the plan (Deployment: model-router)');
    expect(await inputError(() => renderMr({ patches: [{ target: { kind: 'Deployment', name: 'model-router' }, json: [{ op: 'replace', path: '/spec/nothing/here', value: 1 }] }] }))).toMatch(/^patches\[0\] \(Deployment\/model-router, json\): operation 0 \(replace \/spec\/nothing\/here\) failed/);
  });
  it('strategicMerge deletes a named item with $patch: delete', () => {
    expect(strategicMerge({ l: [{ name: 'a', v: 1 }, { name: 'b' }] }, { l: [{ name: 'a', $patch: 'delete' }, { name: 'c' }] })).toEqual({ l: [{ name: 'b' }, { name: 'c' }] });
  });
  it('patch files: a YAML list, validated like any input', async () => {
    const file = join(tmp, 'p.yaml');
    writeFileSync(file, '- target: {kind: Deployment, name: model-router}\n  merge: {spec: {minReadySeconds: 5}}\n');
    const patches = readPatchFiles([file]);
    const r = await resolveInputs({ fields: MODEL_ROUTER_FIELDS, layers: layers({ flag: { patches } }), required: () => [] });
    expect(r.values.patches).toEqual([{ target: { kind: 'Deployment', name: 'model-router' }, merge: { spec: { minReadySeconds: 5 } } }]);
    const bad = await inputError(resolveInputs({ fields: MODEL_ROUTER_FIELDS, layers: layers({ flag: { patches: [{ target: { kind: 'Deployment', name: 'x' }, merge: {}, json: [] }] } }), required: () => [] }));
    expect(bad).toBe('patches[0] (from --set): expected exactly one of merge, strategic, json; got a mapping');
  });
});

describe('applyOverlay and applyPatches are generic', () => {
  it('work on any object list given declarations', () => {
    const objs: KubeObject[] = [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } }];
    applyOverlay(objs, [{ name: 'x', kind: 'Deployment', object: 'x', container: 'c' }], { workloads: { x: { resources: { requests: { cpu: '1' } } } } });
    applyPatches(objs, [{ target: { kind: 'Deployment', name: 'x' }, merge: { spec: { paused: true } } }]);
    expect(objs[0]).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { paused: true, template: { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] } } } });
  });
});

describe('the migrate Job is named by what its pod template carries', () => {
  const jobName = (extra: Record<string, unknown>) => renderStack(posthogStack, { domain: 'posthog.example.com', ...extra }, offlineContext('posthog')).find((o) => o.kind === 'Job')!.metadata.name;
  it('unchanged without settings; a new name with migrate settings or pull secrets (a Job template is immutable)', () => {
    const plain = jobName({});
    expect(jobName({ workloads: { web: { nodeSelector: { a: 'b' } } } })).toBe(plain);
    expect(jobName({ workloads: { migrate: { nodeSelector: { a: 'b' } } } })).not.toBe(plain);
    expect(jobName({ imagePullSecrets: ['regcred'] })).not.toBe(plain);
  });
});

describe('the summary says what differs from the defaults, and the security in force', () => {
  it('model-router: the security row always; settings rows only when given', async () => {
    const { settingsSummary } = await import('../../src/stacks/settings-summary.js');
    const plain = settingsSummary(modelRouterStack, mr, renderMr({}));
    expect(plain).toEqual([['security', 'runAsNonRoot uid 65532 gid 65532, read-only root fs, no privilege escalation, capabilities drop ALL, seccomp RuntimeDefault (default)']]);
    const values = { ...mr, imagePullSecrets: ['regcred'], workloads: { 'model-router': { resources: { limits: { cpu: '2' } }, securityContext: { readOnlyRootFilesystem: false } } }, patches: [{ target: { kind: 'Deployment', name: 'model-router' }, json: [{ op: 'add', path: '/spec/minReadySeconds', value: 5 }] }] };
    expect(settingsSummary(modelRouterStack, values, renderMr(values))).toEqual([
      ['model-router', 'resources limits.cpu=2; securityContext readOnlyRootFilesystem=false', 'workloads'],
      ['security', 'runAsNonRoot uid 65532 gid 65532, writable root fs, no privilege escalation, capabilities drop ALL, seccomp RuntimeDefault', 'workloads'],
      ['pull secrets', 'regcred', 'imagePullSecrets'],
      ['patches', 'Deployment/model-router (json)', 'patches'],
    ]);
  });
  it('self-hosted: nothing when nothing is set', async () => {
    const { settingsSummary } = await import('../../src/stacks/settings-summary.js');
    expect(settingsSummary(posthogStack, { domain: 'posthog.example.com' }, renderStack(posthogStack, { domain: 'posthog.example.com' }, offlineContext('posthog')))).toEqual([]);
  });
});

describe("preflight reads the overlay's result from the plan", () => {
  it('storage.className and an env valueFrom Secret are names preflight checks', async () => {
    const { storageClassNames, secretKeyUses } = await import('../../src/k8s/references.js');
    const objs = renderStack(
      posthogStack,
      { domain: 'posthog.example.com', insecureHttp: true, workloads: { clickhouse: { storage: { className: 'fast-ssd' } }, web: { env: { SENTRY_DSN: { valueFrom: { secretKeyRef: { name: 'sentry', key: 'dsn' } } } } } } },
      offlineContext('posthog'),
    );
    expect([...storageClassNames(objs).keys()]).toContain('fast-ssd');
    expect(secretKeyUses(objs, 'posthog').some((u) => JSON.stringify(u).includes('"sentry"') && JSON.stringify(u).includes('"dsn"'))).toBe(true);
  });
});

describe('recorded settings pass through redaction', () => {
  it('a secret pasted into a patch or an env literal is not in the revision', async () => {
    const { revisionDraft } = await import('../../src/actions/lifecycle.js');
    const { registerSecret, clearSecrets } = await import('../../src/ui/redact.js');
    registerSecret('pasted-s3cret-value');
    try {
      const values = { ...mr, workloads: { 'model-router': { env: { TOKEN: 'pasted-s3cret-value' } } }, patches: [{ target: { kind: 'ConfigMap', name: 'model-router-config' }, merge: { data: { T: 'pasted-s3cret-value' } } }] };
      const draft = revisionDraft({ stack: modelRouterStack, namespace: 'ns', command: 'model-router', description: 'deploy', values, objects: [] });
      const text = JSON.stringify(draft.values);
      expect(text).not.toContain('pasted-s3cret-value');
      expect(text).toContain('<redacted 19 bytes>');
      expect((draft.values.workloads as Any)['model-router'].env.TOKEN).toBe('<redacted 19 bytes>');
    } finally {
      clearSecrets();
    }
  });
});
