// The dependency plan (src/k8s/dependencies.ts): what each object waits for before it
// is applied. Data stores → migrations → app must hold; everything else goes at once.
import { describe, expect, it } from 'vitest';
import { dependencyPlan, dependencyWaves, PlanDependencyError, type PlanNode } from '../../src/k8s/dependencies.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { modelRouterStack } from '../../src/stacks/model-router/index.js';
import { posthogStack } from '../../src/stacks/posthog/index.js';
import { offlineContext, renderStack } from '../../src/stacks/stack.js';

const depsOf = (nodes: PlanNode[], ref: string) => nodes.find((n) => n.ref === ref)!.deps;
const readyDeps = (nodes: PlanNode[], ref: string) => depsOf(nodes, ref).filter((d) => d.need === 'ready').map((d) => d.ref).sort();
const obj = (kind: string, name: string, annotations?: Record<string, string>, apiVersion = 'apps/v1'): KubeObject => ({ apiVersion, kind, metadata: { name, namespace: 'ns', ...(annotations && { annotations }) } });

describe('self-hosted PostHog', () => {
  const objects = renderStack(posthogStack, { domain: 'p.example.com' }, offlineContext('ph'));
  const nodes = dependencyPlan(objects);
  const job = objects.find((o) => o.kind === 'Job')!;
  const jobRef = `Job/ph/${job.metadata.name}`;
  const stores = ['StatefulSet/ph/posthog-clickhouse', 'StatefulSet/ph/posthog-kafka', 'StatefulSet/ph/posthog-postgres', 'StatefulSet/ph/posthog-redis', 'StatefulSet/ph/posthog-zookeeper'];
  const independent = stores.filter((s) => !s.endsWith('/posthog-kafka'));

  it('the migration Job waits for every data store to be ready', () => {
    expect(readyDeps(nodes, jobRef)).toEqual(stores);
  });
  it('web, worker and plugins wait for the migration Job, and only for it', () => {
    for (const d of ['posthog-web', 'posthog-worker', 'posthog-plugins']) expect(readyDeps(nodes, `Deployment/ph/${d}`), d).toEqual([jobRef]);
  });
  it('data stores wait for nothing but their config being there; Kafka for ZooKeeper', () => {
    for (const s of independent) expect(readyDeps(nodes, s)).toEqual([]);
    expect(readyDeps(nodes, 'StatefulSet/ph/posthog-kafka')).toEqual(['StatefulSet/ph/posthog-zookeeper']);
    expect(depsOf(nodes, 'StatefulSet/ph/posthog-postgres')).toContainEqual({ ref: 'Secret/ph/posthog-secrets', need: 'applied' });
  });
  it('waves: namespace; then config, services, data stores and the Ingress at once; Kafka; then the Job; then the app', () => {
    const waves = dependencyWaves(nodes);
    expect(waves[0]).toEqual(['Namespace/ph']);
    expect(waves[1]).toEqual(expect.arrayContaining(['ConfigMap/ph/posthog-config', 'Secret/ph/posthog-secrets', 'Service/ph/posthog-web', 'Ingress/ph/posthog']));
    expect(waves.at(-4)).toEqual(expect.arrayContaining(independent));
    expect(waves.at(-3)).toEqual(['StatefulSet/ph/posthog-kafka']);
    expect(waves.at(-2)).toEqual([jobRef]);
    expect([...waves.at(-1)!].sort()).toEqual(['Deployment/ph/posthog-plugins', 'Deployment/ph/posthog-web', 'Deployment/ph/posthog-worker']);
  });
});

describe('Model Router', () => {
  const objects = renderStack(modelRouterStack, { image: 'r.example.com/mr:1.0.0', dbHost: 'pg', dbPort: 5432, dbName: 'mr', dbUser: 'u', dbPassword: 'pw-dep-1', dbSslMode: 'require', redisAddr: 'r:6379' }, offlineContext('mr'));
  const nodes = dependencyPlan(objects);
  it('the Deployment needs its ConfigMap, Secret, ServiceAccount and Service applied, and waits for nothing to be ready', () => {
    const deps = depsOf(nodes, 'Deployment/mr/model-router');
    expect(deps.filter((d) => d.need === 'ready')).toEqual([]);
    expect(deps.map((d) => d.ref)).toEqual(expect.arrayContaining(['ConfigMap/mr/model-router-config', 'Secret/mr/model-router-secrets', 'ServiceAccount/mr/model-router', 'Service/mr/model-router']));
  });
  it('HPA, PDB and NetworkPolicy go at once (only their namespace first)', () => {
    for (const ref of ['HorizontalPodAutoscaler/mr/model-router', 'PodDisruptionBudget/mr/model-router', 'NetworkPolicy/mr/model-router']) {
      expect(depsOf(nodes, ref)).toEqual([{ ref: 'Namespace/mr', need: 'applied' }]);
    }
  });
});

describe('fallback by kind, declarations and mistakes', () => {
  it('without declarations: Jobs wait for StatefulSets, other workloads for Jobs and StatefulSets', () => {
    const nodes = dependencyPlan([obj('StatefulSet', 'db'), obj('Job', 'migrate', undefined, 'batch/v1'), obj('Deployment', 'app'), obj('ConfigMap', 'c', undefined, 'v1')]);
    expect(readyDeps(nodes, 'Job/ns/migrate')).toEqual(['StatefulSet/ns/db']);
    expect(readyDeps(nodes, 'Deployment/ns/app')).toEqual(['Job/ns/migrate', 'StatefulSet/ns/db']);
    expect(depsOf(nodes, 'ConfigMap/ns/c')).toEqual([]);
  });
  it('a declaration replaces the fallback: Kind/name in the same namespace', () => {
    const nodes = dependencyPlan([obj('StatefulSet', 'db'), obj('StatefulSet', 'cache'), obj('Deployment', 'app', { 'vh-deploy.io/wait-for': 'StatefulSet/cache' })]);
    expect(readyDeps(nodes, 'Deployment/ns/app')).toEqual(['StatefulSet/ns/cache']);
  });
  it('a custom resource waits for its CRD to be established', () => {
    const crd: KubeObject = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { names: { kind: 'Widget' } } };
    const nodes = dependencyPlan([crd, obj('Widget', 'w', undefined, 'example.com/v1')]);
    expect(depsOf(nodes, 'Widget/ns/w')).toEqual([{ ref: 'CustomResourceDefinition/widgets.example.com', need: 'ready' }]);
  });
  it('a reference to nothing, a group no object has, and a cycle are refused before any write', () => {
    expect(() => dependencyPlan([obj('Deployment', 'app', { 'vh-deploy.io/wait-for': 'StatefulSet/missing' })])).toThrow(PlanDependencyError);
    expect(() => dependencyPlan([obj('Deployment', 'app', { 'vh-deploy.io/wait-for': 'group:nope' })])).toThrow(/names group "nope", which no object of the plan belongs to/);
    expect(() =>
      dependencyPlan([obj('Deployment', 'a', { 'vh-deploy.io/wait-for': 'Deployment/b' }), obj('Deployment', 'b', { 'vh-deploy.io/wait-for': 'Deployment/a' })]),
    ).toThrow(/cycle: Deployment\/ns\/a → Deployment\/ns\/b → Deployment\/ns\/a/);
  });
});
