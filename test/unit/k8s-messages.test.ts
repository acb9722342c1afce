import { describe, expect, it } from 'vitest';
import { ClusterAccessError, ExitCode, OperationError } from '../../src/errors.js';
import { describeRequest, httpError, KubeApiError, parseStatus, redactSecretValues } from '../../src/k8s/api-error.js';
import { applyError, formatConflict, liveStateOf, onlyOwnConflicts, planProblems, sameContent, stableJson, type ApplyResult } from '../../src/k8s/apply.js';
import { formatEvent } from '../../src/k8s/diagnostics.js';
import { serviceProxyPath } from '../../src/k8s/health.js';
import { accessRequirements } from '../../src/k8s/preflight.js';
import { commonLabelSelector, matchesSelector, toSelector } from '../../src/k8s/selectors.js';
import { objectRef, type KubeObject } from '../../src/k8s/types.js';
import { reasonOf } from '../../src/k8s/reasons.js';
import { inCliTerms } from '../../src/commands/engine-errors.js';
import { laggingPod, podNote } from '../../src/k8s/pod-diagnosis.js';
import { timeoutMessage } from '../../src/k8s/wait.js';

const id = { contextName: 'kind-dev', server: 'https://127.0.0.1:6443' };

describe('describeRequest', () => {
  it('parses core, grouped, namespaced, cluster-scoped and subresource paths', () => {
    expect(describeRequest('PATCH', '/apis/apps/v1/namespaces/prod/deployments/web')).toEqual({ verb: 'patch', resource: 'deployments', group: 'apps', namespace: 'prod', name: 'web' });
    expect(describeRequest('GET', '/api/v1/namespaces/prod/pods')).toEqual({ verb: 'list', resource: 'pods', group: '', namespace: 'prod' });
    expect(describeRequest('GET', '/api/v1/namespaces/prod/pods', { watch: 1 }).verb).toBe('watch');
    expect(describeRequest('GET', '/api/v1/namespaces/prod/pods/p1/log')).toMatchObject({ verb: 'get', resource: 'pods/log', name: 'p1' });
    expect(describeRequest('GET', '/api/v1/namespaces/prod')).toEqual({ verb: 'get', resource: 'namespaces', group: '', name: 'prod' });
    expect(describeRequest('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles')).toEqual({ verb: 'create', resource: 'clusterroles', group: 'rbac.authorization.k8s.io' });
    expect(describeRequest('DELETE', '/api/v1/namespaces/a/secrets/s').verb).toBe('delete');
  });
});

describe('httpError', () => {
  it('401 is an unauthorised ClusterAccessError (exit 3) naming context and server', () => {
    const e = httpError(id, 'GET', '/api/v1/namespaces/x/pods', {}, 401, '{"kind":"Status","code":401,"message":"Unauthorized"}');
    expect(e).toBeInstanceOf(ClusterAccessError);
    expect((e as ClusterAccessError).exitCode).toBe(ExitCode.cluster);
    expect(e.message).toContain('unauthorised');
    expect(e.message).toContain('kind-dev');
    expect(e.message).toContain('https://127.0.0.1:6443');
  });
  it('403 says forbidden: verb resource in namespace', () => {
    const e = httpError(id, 'PATCH', '/apis/apps/v1/namespaces/prod/deployments/web', {}, 403, JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'deployments.apps "web" is forbidden: User "bob" cannot patch resource' }));
    expect(e).toBeInstanceOf(ClusterAccessError);
    expect(e.message).toMatch(/^forbidden: patch deployments\.apps in namespace prod/);
  });
  it('other statuses become KubeApiError (exit 1) with the server message and causes', () => {
    const body = JSON.stringify({ kind: 'Status', code: 422, reason: 'Invalid', message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1', details: { causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas' }] } });
    const e = httpError(id, 'PATCH', '/apis/apps/v1/namespaces/prod/deployments/web', {}, 422, body, 'Deployment/prod/web') as KubeApiError;
    expect(e).toBeInstanceOf(KubeApiError);
    expect(e).toBeInstanceOf(OperationError);
    expect(e.exitCode).toBe(ExitCode.failed);
    expect(e.message).toBe('Deployment/prod/web: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1');
    expect(e.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.replicas' }]);
    expect(e.status).toBe(422);
  });
  it('parseStatus ignores non-Status JSON and garbage', () => {
    expect(parseStatus('{"kind":"Pod"}')).toBeUndefined();
    expect(parseStatus('<html>')).toBeUndefined();
  });
});

describe('secret redaction', () => {
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: Buffer.from('hunter2-very-secret').toString('base64') }, stringData: { token: 'tok-123456' } };
  it('removes data values (base64 and decoded) and stringData values from messages', () => {
    const b64 = Buffer.from('hunter2-very-secret').toString('base64');
    const msg = `bad ${b64} and hunter2-very-secret and tok-123456 and ${Buffer.from('tok-123456').toString('base64')}`;
    const out = redactSecretValues(msg, secret);
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain(b64);
    expect(out).not.toContain('tok-123456');
    expect(out).toContain('***');
  });
  it('masks quoted invalid values on data fields', () => {
    expect(redactSecretValues('Secret "s" is invalid: data[x]: Invalid value: "abc def": must be', secret)).toBe('Secret "s" is invalid: data[x]: Invalid value: "***": must be');
  });
  it('leaves other kinds alone', () => {
    expect(redactSecretValues('tok-123456', { kind: 'ConfigMap' })).toBe('tok-123456');
  });
  it('applyError redacts a Secret rejection', () => {
    const e = applyError(secret, 'Secret/a/s', new KubeApiError('x', { status: 422, apiMessage: 'Secret "s" is invalid: stringData.token: Invalid value: "tok-123456"' }));
    expect(e.message).not.toContain('tok-123456');
    expect(e.message).toMatch(/^Secret\/a\/s: rejected by the API server:/);
  });
});

describe('conflicts', () => {
  it('names the other manager(s) and the fields', () => {
    const causes = [
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.replicas' },
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.template.spec.containers[name="web"].image' },
      { reason: 'FieldManagerConflict', message: 'conflict with "kube-controller-manager" with subresource "scale" using apps/v1', field: '.spec.replicas' },
    ];
    const m = formatConflict('Deployment/prod/web', causes, 'Apply failed with 3 conflicts');
    expect(m).toBe(
      'Deployment/prod/web: field conflict with another field manager: "kubectl-edit" owns .spec.replicas, .spec.template.spec.containers[name="web"].image; "kube-controller-manager" (subresource scale) owns .spec.replicas',
    );
  });
  it('applyError turns a 409 into a conflict error (reason conflict); the CLI hint names --force-conflicts', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } };
    const e = applyError(obj, 'ConfigMap/n/c', new KubeApiError('x', { status: 409, reason: 'Conflict', apiMessage: 'Apply failed with 1 conflict', causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "other" using v1', field: '.data.key' }] })) as KubeApiError;
    expect(e.message).toContain('"other" owns .data.key');
    expect(reasonOf(e)).toEqual({ reason: 'conflict' });
    expect(e.hint).not.toContain('--');
    expect(inCliTerms(e).hint).toBe(
      'another tool changed these fields since vh-deploy last applied them; undo that change, or re-run with --force-conflicts to take the fields over (their current values are overwritten)',
    );
  });
});

describe('plan checks', () => {
  const dep = (replicas?: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'p' }, spec: replicas === undefined ? {} : { replicas } });
  const hpa: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'p' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } };
  it('rejects spec.replicas on an HPA target', () => {
    expect(planProblems([dep(3), hpa])).toEqual(['Deployment/p/web sets spec.replicas but HorizontalPodAutoscaler/p/web scales it; leave replicas to the autoscaler']);
    expect(planProblems([dep(), hpa])).toEqual([]);
  });
  it('rejects duplicates', () => {
    expect(planProblems([dep(), dep()])).toEqual(['Deployment/p/web appears twice in the plan']);
  });
});

describe('liveStateOf (what the apply need not read again)', () => {
  const r = (ref: string, action: ApplyResult['action'], rv = '', extra: Partial<ApplyResult> = {}): ApplyResult => ({ ref, key: { apiVersion: 'v1', kind: 'ConfigMap', name: ref }, action, resourceVersion: rv, ...extra });
  it('created = absent, configured/unchanged = their live version; skipped objects are read again unless known absent', () => {
    const live = liveStateOf([
      r('new', 'created', '0'),
      r('changed', 'configured', '41'),
      r('same', 'unchanged', '7'),
      r('crd-pending', 'skipped', '', { note: 'its CustomResourceDefinition is created by this plan' }),
      r('ns-pending', 'skipped', '', { note: 'namespace x is created by this plan', absent: true }),
    ]);
    expect([...live]).toEqual([['new', ''], ['changed', '41'], ['same', '7'], ['ns-pending', '']]);
  });
});

describe('onlyOwnConflicts (vh-deploy scale, then a deploy that sets replicas)', () => {
  const cause = (manager: string, field = '.spec.replicas', sub = '') => ({ reason: 'FieldManagerConflict', field, message: `conflict with "${manager}"${sub ? ` with subresource "${sub}"` : ''} using apps/v1` });
  it('only when every conflicting field is owned by the same manager name', () => {
    expect(onlyOwnConflicts(409, [cause('vh-deploy', '.spec.replicas', 'scale')], 'vh-deploy')).toBe(true);
    expect(onlyOwnConflicts(409, [cause('vh-deploy'), cause('kubectl-edit', '.spec.template.spec.containers[name="app"].image')], 'vh-deploy')).toBe(false);
    expect(onlyOwnConflicts(409, [cause('kubectl', '.spec.replicas', 'scale')], 'vh-deploy')).toBe(false);
    expect(onlyOwnConflicts(409, [], 'vh-deploy')).toBe(false);
    expect(onlyOwnConflicts(409, [{ message: 'something else' }], 'vh-deploy')).toBe(false);
    expect(onlyOwnConflicts(422, [cause('vh-deploy')], 'vh-deploy')).toBe(false);
  });
});

describe('sameContent / stableJson', () => {
  it('ignores key order, resourceVersion and managedFields', () => {
    const a: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', resourceVersion: '1', managedFields: [1] }, data: { a: '1', b: '2' } };
    const b: KubeObject = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '2', name: 'c' }, data: { b: '2', a: '1' } };
    expect(sameContent(a, b)).toBe(true);
    expect(sameContent(a, { ...b, data: { a: '1', b: '3' } })).toBe(false);
    expect(stableJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });
});

describe('selectors', () => {
  it('matches matchLabels and matchExpressions', () => {
    const sel = toSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'canary', operator: 'DoesNotExist' }] })!;
    expect(matchesSelector({ app: 'web', tier: 'a' }, sel)).toBe(true);
    expect(matchesSelector({ app: 'web', tier: 'c' }, sel)).toBe(false);
    expect(matchesSelector({ app: 'web', tier: 'a', canary: 'y' }, sel)).toBe(false);
    expect(matchesSelector({ app: 'db', tier: 'a' }, sel)).toBe(false);
    expect(matchesSelector({ x: '1' }, { matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['2'] }, { key: 'x', operator: 'Exists' }] })).toBe(true);
    expect(matchesSelector(undefined, {})).toBe(true);
  });
  it('commonLabelSelector keeps only shared pairs', () => {
    expect(commonLabelSelector([{ a: '1', b: '2', c: '3' }, { a: '1', b: '2', c: '4' }])).toBe('a=1,b=2');
    expect(commonLabelSelector([{ a: '1' }, { a: '2' }])).toBeUndefined();
    expect(commonLabelSelector([])).toBeUndefined();
    expect(commonLabelSelector([{ z: '1', a: '2' }])).toBe('a=2,z=1');
  });
});

describe('serviceProxyPath', () => {
  it('keeps slashes and the query string, names scheme and port', () => {
    expect(serviceProxyPath({ namespace: 'posthog', service: 'web', port: 8000, path: '/_readyz?role=web' })).toBe('/api/v1/namespaces/posthog/services/web:8000/proxy/_readyz?role=web');
    expect(serviceProxyPath({ namespace: 'p', service: 'mr', port: 'http', path: 'api/v1/health' })).toBe('/api/v1/namespaces/p/services/mr:http/proxy/api/v1/health');
    expect(serviceProxyPath({ namespace: 'p', service: 'mr', port: 443, path: '/', scheme: 'https' })).toBe('/api/v1/namespaces/p/services/https:mr:443/proxy/');
    expect(serviceProxyPath({ namespace: 'p', service: 'mr', port: 80, path: '/a b' })).toBe('/api/v1/namespaces/p/services/mr:80/proxy/a%20b');
  });
});

describe('accessRequirements', () => {
  const infos: Record<string, { group: string; plural: string; namespaced: boolean }> = {
    Namespace: { group: '', plural: 'namespaces', namespaced: false },
    Deployment: { group: 'apps', plural: 'deployments', namespaced: true },
    ConfigMap: { group: '', plural: 'configmaps', namespaced: true },
  };
  const plan: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'p' } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'p' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
  ];
  it('needs get/create/patch everywhere, list/watch on awaited kinds, and pods/events where workloads run', () => {
    const reqs = accessRequirements(plan, (o) => infos[o.kind], 'dflt');
    const labels = reqs.map((r) => `${r.verb} ${r.group}/${r.resource} ${r.namespace ?? '-'}${r.optional ? ' (optional)' : ''}`);
    expect(labels).toEqual(
      expect.arrayContaining([
        'get /namespaces -',
        'create /namespaces -',
        'patch /namespaces -',
        'patch apps/deployments p',
        'watch apps/deployments p',
        'create /configmaps dflt',
        'list /pods p',
        'watch /pods p',
        'list /events p (optional)',
        'get /pods/log p (optional)',
      ]),
    );
    expect(labels).not.toContain('watch /configmaps dflt');
    expect(labels).not.toContain('list /namespaces -'); // namespaces are not watched
    expect(new Set(labels).size).toBe(labels.length);
  });
  it('without waiting, only get/create/patch', () => {
    const reqs = accessRequirements(plan, (o) => infos[o.kind], 'dflt', false);
    expect(new Set(reqs.map((r) => r.verb))).toEqual(new Set(['get', 'create', 'patch']));
  });
  it('with records: the lock Lease and the revision Secrets in that namespace, required (not optional)', () => {
    const reqs = accessRequirements(plan, (o) => infos[o.kind], 'dflt', false, 'p');
    const labels = reqs.map((r) => `${r.verb} ${r.group}/${r.resource} ${r.namespace ?? '-'}${r.optional ? ' (optional)' : ''}`);
    expect(labels).toEqual(expect.arrayContaining([
      'get coordination.k8s.io/leases p', 'create coordination.k8s.io/leases p', 'update coordination.k8s.io/leases p', 'delete coordination.k8s.io/leases p',
      'list /secrets p', 'create /secrets p', 'update /secrets p', 'delete /secrets p',
    ]));
    expect(new Set(labels).size).toBe(labels.length);
    expect(accessRequirements(plan, (o) => infos[o.kind], 'dflt', false).some((r) => r.resource === 'leases')).toBe(false);
  });
});

describe('messages while waiting', () => {
  it('formatEvent prints type, reason, object, message and count', () => {
    expect(formatEvent({ type: 'Warning', reason: 'Failed', involvedObject: { kind: 'Pod', name: 'web-1' }, message: 'Failed to pull image "x":\n  not found', count: 3, lastTimestamp: '2026-01-01T00:00:00Z' })).toEqual({
      time: Date.parse('2026-01-01T00:00:00Z'),
      text: 'Warning Failed Pod/web-1: Failed to pull image "x": not found (x3)',
    });
  });
  it('podNote names the least-ready pod and why', () => {
    const p = (name: string, status: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, status });
    expect(podNote([p('a', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }), p('b', { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating' } } }] })])).toBe('pod b: ContainerCreating');
    expect(podNote([p('c', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'no nodes' }] })])).toBe('pod c: Unschedulable (no nodes)');
    expect(podNote([p('d', { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] })])).toBe('pod d: running, not ready');
    expect(podNote([])).toBeUndefined();
  });
  it('laggingPod: a running-not-ready or crash-looping pod is failing (its events say why); pending or unscheduled is not', () => {
    const p = (name: string, status: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, status });
    expect(laggingPod([p('d', { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] })])).toEqual({ pod: 'd', note: 'pod d: running, not ready', failing: true });
    expect(laggingPod([p('e', { phase: 'Running', containerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] })])).toEqual({ pod: 'e', note: 'pod e: CrashLoopBackOff', failing: true });
    expect(laggingPod([p('f', { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating' } } }] })])?.failing).toBe(false);
    expect(laggingPod([p('g', { phase: 'Pending' })])).toEqual({ pod: 'g', note: 'pod g: Pending', failing: false });
  });
  it('timeoutMessage puts the failing pod\'s warnings under its object', () => {
    expect(timeoutMessage(25_000, [{ ref: 'Deployment/p/web', message: '0 of 1 updated replicas available', note: 'pod web-x: running, not ready', warnings: ['Warning Unhealthy Pod/web-x: Readiness probe failed: HTTP probe failed with statuscode: 404 (x5)'] }, { ref: 'Job/p/m', message: '1 active' }], 2)).toBe(
      'timed out after 25 s waiting for 2 of 2 objects:\n  - Deployment/p/web: 0 of 1 updated replicas available (pod web-x: running, not ready)\n      Warning Unhealthy Pod/web-x: Readiness probe failed: HTTP probe failed with statuscode: 404 (x5)\n  - Job/p/m: 1 active',
    );
  });
  it('timeoutMessage lists what each object still waits for', () => {
    expect(timeoutMessage(300_000, [{ ref: 'Deployment/p/web', message: '1 of 3 updated replicas available', note: 'pod web-x: running, not ready' }, { ref: 'Job/p/m', message: '1 active, 0 of 1 succeeded' }], 5)).toBe(
      'timed out after 300 s waiting for 2 of 5 objects:\n  - Deployment/p/web: 1 of 3 updated replicas available (pod web-x: running, not ready)\n  - Job/p/m: 1 active, 0 of 1 succeeded',
    );
  });
  it('objectRef', () => {
    expect(objectRef({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'p' } })).toBe('Namespace/p');
    expect(objectRef({ apiVersion: 'v1', kind: 'Secret', name: 's', namespace: 'p' })).toBe('Secret/p/s');
  });
});

describe('unknown fields under server-side apply', () => {
  it('a 500 "field not declared in schema" is reported as a rejection naming the field', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } };
    const e = applyError(obj, 'ConfigMap/n/c', new KubeApiError('x', { status: 500, apiMessage: 'failed to create typed patch object (n/c; /v1, Kind=ConfigMap): .dataa: field not declared in schema' }));
    expect(e.message).toBe('ConfigMap/n/c: rejected by the API server: unknown field: .dataa: field not declared in schema');
  });
});

describe('retry policy', async () => {
  const { isIdempotent, isRetriableStatus, backoffMs } = await import('../../src/k8s/client.js');
  it('retries reads, PUT/DELETE and server-side apply; not POST or other patches', () => {
    expect(isIdempotent('GET', undefined)).toBe(true);
    expect(isIdempotent('DELETE', undefined)).toBe(true);
    expect(isIdempotent('PATCH', 'application/apply-patch+yaml')).toBe(true);
    expect(isIdempotent('PATCH', 'application/merge-patch+json')).toBe(false);
    expect(isIdempotent('POST', 'application/json')).toBe(false);
  });
  it('retries 429/502/503/504 always, 500 only for reads, never 4xx or 501', () => {
    for (const s of [429, 502, 503, 504]) expect(isRetriableStatus(s, 'PATCH')).toBe(true);
    expect(isRetriableStatus(500, 'GET')).toBe(true);
    expect(isRetriableStatus(500, 'PATCH')).toBe(false);
    for (const s of [400, 401, 403, 404, 409, 422, 501]) expect(isRetriableStatus(s)).toBe(false);
  });
  it('backs off exponentially with a cap, honouring Retry-After', () => {
    expect(backoffMs(0)).toBeGreaterThanOrEqual(100);
    expect(backoffMs(0)).toBeLessThan(121);
    expect(backoffMs(10)).toBeLessThanOrEqual(2400);
    expect(backoffMs(0, '2')).toBe(2000);
    expect(backoffMs(0, '60')).toBe(5000);
  });
});
