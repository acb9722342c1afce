// The Model Router's NetworkPolicy must let the pods reach the PostHog they are told to
// use: the host this run writes, else the stored connection, else the in-cluster PostHog.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/k8s/types.js';
import { connectionHost, IN_CLUSTER_POSTHOG, modelRouterStack } from '../../src/stacks/model-router/index.js';
import { renderStack } from '../../src/stacks/stack.js';

const values = { image: 'r.example.com/mr:1.0.0', dbHost: 'pg', dbPort: 5432, dbName: 'mr', dbUser: 'u', dbPassword: 'pw-unit-1', dbSslMode: 'require', redisAddr: 'redis:6379' };
const stored = (host: string): KubeObject[] => [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'model-router-posthog', namespace: 'ns' }, data: { POSTHOG_ENABLED: 'true', POSTHOG_HOST: host } }];

function egressPorts(external?: KubeObject[], v: Record<string, unknown> = values): number[] {
  const objects = renderStack(modelRouterStack, v, { namespace: 'ns', existingSecrets: {}, capabilities: { serviceMonitor: false }, ...(external && { external }) });
  const np = objects.find((o) => o.kind === 'NetworkPolicy')!;
  const egress = (np.spec as { egress: Array<{ ports: Array<{ port: number }> }> }).egress;
  return egress.flatMap((e) => e.ports.map((p) => p.port));
}

describe('the PostHog egress port follows the connection actually used', () => {
  it('a stored connection on :8443 (written by `cloud --host`) opens 8443, not the in-cluster 8000', () => {
    const ports = egressPorts(stored('http://posthog.internal:8443'));
    expect(ports).toContain(8443);
    expect(ports).not.toContain(8000);
  });
  it('a stored cloud connection (https, no port) needs 443 only', () => {
    expect(egressPorts(stored('https://eu.i.posthog.com'))).toEqual([53, 53, 443, 443, 5432, 6379]);
  });
  it('--posthog-host wins over the stored connection', () => {
    expect(egressPorts(stored('http://posthog.internal:8443'), { ...values, posthogHost: 'http://ph.example.com:9443', posthogApiKey: 'phc_unitUNITunitUNIT0123456789' })).toContain(9443);
  });
  it('no connection known (offline render): the in-cluster PostHog', () => {
    expect(connectionHost(values, undefined)).toBe(IN_CLUSTER_POSTHOG);
    expect(egressPorts()).toContain(8000);
  });
});
