// app.kubernetes.io/version belongs to the workloads that run the stack's own image:
// an upgrade of PostHog must not touch the data stores' pod templates (that would
// restart PostgreSQL, Redis, ClickHouse and Kafka), and a Model Router image change must
// not touch its Secret (a rollback keeps Secrets, so a re-run after it would differ).
import { describe, expect, it } from 'vitest';
import { imageVersion } from '../../src/manifests/finalize.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { modelRouterStack } from '../../src/stacks/model-router/index.js';
import { posthogStack } from '../../src/stacks/posthog/index.js';
import { offlineContext, renderStack } from '../../src/stacks/stack.js';

const existing = { 'posthog-secrets': { SECRET_KEY: 'k'.repeat(64), POSTHOG_DB_PASSWORD: 'p1', POSTHOG_REDIS_PASSWORD: 'p2', CLICKHOUSE_PASSWORD: 'p3', ENCRYPTION_SALT_KEYS: 's'.repeat(32) } };
const ph = (version: string) => renderStack(posthogStack, { domain: 'p.example.com', posthogVersion: version }, { ...offlineContext('ph'), existingSecrets: existing });
const byRef = (objs: KubeObject[]) => new Map(objs.map((o) => [`${o.kind}/${o.metadata.name}`, JSON.stringify(o)]));

describe('the version label follows the image', () => {
  it('a PostHog upgrade changes only PostHog\'s own workloads (and the migration Job, which is new)', () => {
    const a = byRef(ph('release-1.43.0'));
    const b = byRef(ph('release-1.43.1'));
    const changed = [...b.keys()].filter((k) => a.get(k) !== b.get(k)).sort();
    expect(changed).toEqual(['Deployment/posthog-plugins', 'Deployment/posthog-web', 'Deployment/posthog-worker', expect.stringMatching(/^Job\/posthog-migrate-[a-f0-9]{10}$/)]);
  });
  it('the pods of PostHog carry the version; the data stores do not', () => {
    const objs = ph('release-1.43.1');
    const tmplLabels = (name: string) => ((objs.find((o) => o.metadata.name === name && (o.kind === 'Deployment' || o.kind === 'StatefulSet'))!.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels);
    expect(tmplLabels('posthog-web')['app.kubernetes.io/version']).toBe('release-1.43.1');
    expect(tmplLabels('posthog-postgres')['app.kubernetes.io/version']).toBeUndefined();
  });
  it('a Model Router image change leaves its Secret, ConfigMap and Service alone', () => {
    const v = { dbHost: 'pg', dbPort: 5432, dbName: 'mr', dbUser: 'u', dbPassword: 'pw-label-1', dbSslMode: 'require', redisAddr: 'r:6379' };
    const a = byRef(renderStack(modelRouterStack, { ...v, image: 'r.example.com/mr:1.4.2' }, offlineContext('mr')));
    const b = byRef(renderStack(modelRouterStack, { ...v, image: 'r.example.com/mr:1.5.0' }, offlineContext('mr')));
    expect([...b.keys()].filter((k) => a.get(k) !== b.get(k))).toEqual(['Deployment/model-router']);
  });
  it.each([
    ['posthog/posthog:release-1.43.0', 'release-1.43.0'],
    ['registry.example.com:5000/mr:1.4.2', '1.4.2'],
    ['registry.example.com:5000/mr@sha256:abc', 'sha256:abc'],
    ['registry.example.com:5000/mr', ''],
  ])('imageVersion(%s) = %j', (ref, version) => {
    expect(imageVersion(ref)).toBe(version);
  });
});
