// What self-hosted takes from PostHog's own chart (PostHog/charts-clickhouse at 41487c3f,
// the release-1.43.0 chart; docs/compatibility.md, "What the chart does"): both migration
// checks before a PostHog pod starts, the ClickHouse default profile and settings, and a
// writable fresh volume for every data store that does not run as root.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/k8s/types.js';
import { posthogStack } from '../../src/stacks/posthog/index.js';
import { offlineContext, renderStack } from '../../src/stacks/stack.js';

const objs = renderStack(posthogStack, { domain: 'p.example.com' }, offlineContext('ph'));
const pod = (kind: string, name: string) => (objs.find((o) => o.kind === kind && o.metadata.name === name)!.spec as any).template.spec;
const clickhouseConfig = objs.find((o: KubeObject) => o.kind === 'ConfigMap' && o.metadata.name === 'posthog-clickhouse-config')!.data as Record<string, string>;

describe('PostHog pods wait for both databases\' migrations (the chart\'s wait-for-migrations)', () => {
  for (const name of ['posthog-web', 'posthog-worker', 'posthog-plugins']) {
    it(name, () => {
      const init = pod('Deployment', name).initContainers.find((c: any) => c.name === 'wait-for-migrations');
      const script = init.command.join(' ');
      const pg = script.indexOf('until python manage.py migrate --check;');
      const ch = script.indexOf('until python manage.py migrate_clickhouse --check;');
      expect(pg).toBeGreaterThanOrEqual(0);
      expect(ch).toBeGreaterThan(pg);
    });
  }
});

describe('ClickHouse gets the chart\'s default profile and settings', () => {
  it('profile default: window functions and nondeterministic mutations allowed', () => {
    expect(clickhouseConfig['users.xml']).toMatch(/<profiles>\s*<default>\s*<allow_experimental_window_functions>1<\/allow_experimental_window_functions>\s*<allow_nondeterministic_mutations>1<\/allow_nondeterministic_mutations>\s*<\/default>\s*<\/profiles>/);
  });
  it('default_database posthog and a format_schema_path holding events.proto', () => {
    expect(clickhouseConfig['posthog.xml']).toContain('<default_database>posthog</default_database>');
    expect(clickhouseConfig['posthog.xml']).toContain('<format_schema_path>/etc/clickhouse-server/format_schemas/</format_schema_path>');
    expect(clickhouseConfig['events.proto']).toContain('message Event {');
    const spec = pod('StatefulSet', 'posthog-clickhouse');
    const main = spec.containers[0];
    expect(main.volumeMounts).toContainEqual({ name: 'format-schemas', mountPath: '/etc/clickhouse-server/format_schemas' });
    expect(spec.initContainers[0].command).toEqual(['cp', '/schemas/events.proto', '/format_schemas/events.proto']);
    expect(spec.volumes.find((v: any) => v.name === 'format-schemas')).toEqual({ name: 'format-schemas', emptyDir: {} });
  });
});

describe('data stores that run as a non-root user get that user\'s group on their volume', () => {
  // uid/gid each image's server runs as (docs/compatibility.md cites each image's Dockerfile).
  const expected: Record<string, number> = { 'posthog-postgres': 70, 'posthog-redis': 1000, 'posthog-clickhouse': 101, 'posthog-zookeeper': 1000, 'posthog-kafka': 1001 };
  for (const [name, gid] of Object.entries(expected)) {
    it(`${name}: fsGroup ${gid}`, () => {
      expect(pod('StatefulSet', name).securityContext.fsGroup).toBe(gid);
    });
  }
  it('Kafka (Bitnami, USER 1001) runs as 1001 like the chart', () => {
    expect(pod('StatefulSet', 'posthog-kafka').securityContext).toEqual({ runAsUser: 1001, fsGroup: 1001 });
  });
  it('Redis starts through its image\'s entrypoint, which drops root for the redis user', () => {
    expect(pod('StatefulSet', 'posthog-redis').containers[0].command[2]).toMatch(/^exec docker-entrypoint\.sh redis-server /);
  });
});
