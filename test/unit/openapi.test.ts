// Every rendered object validates offline against the Kubernetes OpenAPI schema
// (kubernetes-models). The server-side check with a real API server is in test/e2e.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/k8s/types.js';
import { modelRouterStack } from '../../src/stacks/model-router/index.js';
import { posthogStack } from '../../src/stacks/posthog/index.js';
import { cloudStack } from '../../src/stacks/posthog-connection/index.js';
import { offlineContext, renderStack } from '../../src/stacks/stack.js';

type Model = new (data: unknown) => { validate(): void };
const MODELS: Record<string, () => Promise<Model>> = {
  'v1/Namespace': async () => (await import('kubernetes-models/v1/Namespace')).Namespace as Model,
  'v1/ConfigMap': async () => (await import('kubernetes-models/v1/ConfigMap')).ConfigMap as Model,
  'v1/Secret': async () => (await import('kubernetes-models/v1/Secret')).Secret as Model,
  'v1/Service': async () => (await import('kubernetes-models/v1/Service')).Service as Model,
  'v1/ServiceAccount': async () => (await import('kubernetes-models/v1/ServiceAccount')).ServiceAccount as Model,
  'apps/v1/Deployment': async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment as Model,
  'apps/v1/StatefulSet': async () => (await import('kubernetes-models/apps/v1/StatefulSet')).StatefulSet as Model,
  'batch/v1/Job': async () => (await import('kubernetes-models/batch/v1/Job')).Job as Model,
  'autoscaling/v2/HorizontalPodAutoscaler': async () => (await import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler')).HorizontalPodAutoscaler as Model,
  'policy/v1/PodDisruptionBudget': async () => (await import('kubernetes-models/policy/v1/PodDisruptionBudget')).PodDisruptionBudget as Model,
  'networking.k8s.io/v1/Ingress': async () => (await import('kubernetes-models/networking.k8s.io/v1/Ingress')).Ingress as Model,
  'networking.k8s.io/v1/NetworkPolicy': async () => (await import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy')).NetworkPolicy as Model,
};
// Not in the core schema; checked by the server-side dry run when the CRD exists.
const NOT_CORE = new Set(['monitoring.coreos.com/v1/ServiceMonitor']);

const mr = { image: 'r.example.com/mr:1.0.0', dbHost: 'pg', dbPort: 5432, dbName: 'db', dbUser: 'u', dbPassword: 'pw', dbSslMode: 'require', redisAddr: 'r:6379', redisPassword: 'rp', anthropicApiKey: 'sk-ant-aaaaaaaaaaaaaaaaaaaaaaaa' };
const stacks: Array<[string, KubeObject[]]> = [
  ['cloud', renderStack(cloudStack, { host: 'https://ph.example.com', posthogApiKey: 'phc_aaaaaaaaaaaaaaaaaaaa' }, offlineContext('voicehelper-prod'))],
  ['self-hosted', renderStack(posthogStack, { domain: 'p.example.com', tlsIssuer: 'le', ingressClass: 'nginx', storageClass: 'fast' }, offlineContext('posthog'))],
  ['self-hosted minimal', renderStack(posthogStack, { domain: 'p.example.com' }, offlineContext('posthog'))],
  ['model-router hpa', renderStack(modelRouterStack, { ...mr, domain: 'r.example.com', tlsIssuer: 'le' }, { ...offlineContext('ns'), capabilities: { serviceMonitor: true } })],
  ['model-router fixed', renderStack(modelRouterStack, { ...mr, replicas: 2, posthogHost: 'https://eu.i.posthog.com', posthogApiKey: 'phc_aaaaaaaaaaaaaaaaaaaa' }, offlineContext('ns'))],
];

describe.each(stacks)('%s validates against the Kubernetes OpenAPI schema', (_name, objects) => {
  it.each(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))('%s', async (_ref, o) => {
    const key = `${o.apiVersion}/${o.kind}`;
    if (NOT_CORE.has(key)) return expect(o.spec).toBeDefined();
    const load = MODELS[key];
    expect(load, `no schema mapped for ${key}`).toBeDefined();
    const M = await load!();
    expect(() => new M(o).validate()).not.toThrow();
  });
});

describe('the schema check can fail', () => {
  it('rejects a string replica count', async () => {
    const M = await MODELS['apps/v1/Deployment']!();
    const d = structuredClone(stacks[4]![1].find((o) => o.kind === 'Deployment')!) as any;
    d.spec.replicas = '3';
    expect(() => new M(d).validate()).toThrow(/replicas must be integer/);
  });
});
