// The compatibility contract of self-hosted (src/stacks/posthog/compat.ts, issue 10):
// the default images are one row PostHog ran, every row cites its source, and a version
// outside the table is refused unless --allow-untested-versions, which then tells
// every PostHog pod to skip PostHog's start-up version check.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { COMPAT, compatRow, DEFAULT_ROW, SUPPORTED_VERSIONS } from '../../src/stacks/posthog/compat.js';
import { posthogOps } from '../../src/stacks/posthog/day2.js';
import { SELF_HOSTED_FIELDS } from '../../src/stacks/posthog/fields.js';
import { POSTHOG_DEFAULT_VERSION, posthogStack } from '../../src/stacks/posthog/index.js';
import { offlineContext, renderStack } from '../../src/stacks/stack.js';

const render = (values: Record<string, unknown>) => renderStack(posthogStack, { domain: 'p.example.com', ...values }, offlineContext('ph'));

/** Every container image of the render, init containers included. */
function images(objs: KubeObject[]): string[] {
  const out: string[] = [];
  for (const o of objs) {
    const pod = (o.spec as any)?.template?.spec;
    if (!pod) continue;
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) out.push(c.image as string);
  }
  return [...new Set(out)].sort();
}

/** The env a pod's containers get: their ConfigMap (envFrom) and their own entries. */
function podEnv(objs: KubeObject[], kind: string, name: string): Record<string, unknown> {
  const o = objs.find((x) => x.kind === kind && x.metadata.name.startsWith(name))!;
  const c = (o.spec as any).template.spec.containers[0];
  const env: Record<string, unknown> = {};
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, objs.find((x) => x.kind === 'ConfigMap' && x.metadata.name === from.configMapRef.name)!.data);
  }
  for (const e of c.env ?? []) env[e.name] = e.value;
  return env;
}

const POSTHOG_PODS: Array<[string, string]> = [['Deployment', 'posthog-web'], ['Deployment', 'posthog-worker'], ['Deployment', 'posthog-plugins'], ['Job', 'posthog-migrate-']];

describe('compatibility table', () => {
  it('the default version is the first row: release-1.43.0', () => {
    expect(POSTHOG_DEFAULT_VERSION).toBe('release-1.43.0');
    expect(DEFAULT_ROW.posthog).toBe('release-1.43.0');
    expect(SUPPORTED_VERSIONS).toEqual(['release-1.43.0', 'release-1.42.0']);
  });

  it('every default image of the rendered stack is in the default row, and every image of the row runs', () => {
    const row = DEFAULT_ROW.companions;
    const expected = [`posthog/posthog:${DEFAULT_ROW.posthog}`, ...Object.values(row).map((p) => p.image)].sort();
    expect(images(render({}))).toEqual(expected);
    expect(expected).toEqual([
      'clickhouse/clickhouse-server:22.8.11.15',
      'docker.io/bitnamilegacy/kafka:2.8.1-debian-10-r99',
      'postgres:11.7-alpine',
      'posthog/posthog:release-1.43.0',
      'redis:6.2.7-alpine',
      'zookeeper:3.7.0',
    ]);
  });

  it('a tested version runs with the companions of its own row', () => {
    expect(images(render({ posthogVersion: 'release-1.42.0' }))).toContain('clickhouse/clickhouse-server:22.3.13.80');
    expect(images(render({ posthogVersion: 'release-1.42.0' }))).not.toContain('clickhouse/clickhouse-server:22.8.11.15');
  });

  it('the PostgreSQL and Redis pins sit inside the ranges the PostHog version checks at start', () => {
    const num = (image: string) => image.split(':')[1]!.split('-')[0]!.split('.').map(Number);
    for (const row of COMPAT) {
      const [pgMajor, pgMinor] = num(row.companions.postgres.image);
      expect(row.companions.postgres.accepted).toBe('>=11.0.0,<=14.1.0');
      expect(pgMajor! > 11 || (pgMajor === 11 && pgMinor! >= 0)).toBe(true);
      expect(pgMajor! < 14 || (pgMajor === 14 && pgMinor! <= 1)).toBe(true);
      const [rMajor, rMinor] = num(row.companions.redis.image);
      expect(row.companions.redis.accepted).toBe('>=5.0.0,<=6.3.0');
      expect(rMajor! >= 5 && (rMajor! < 6 || (rMajor === 6 && rMinor! <= 3))).toBe(true);
    }
  });

  it('every row and every pin cites a public source with a commit', () => {
    const commit = /^[0-9a-f]{40}$/;
    for (const row of COMPAT) {
      expect(row.source.repo, row.posthog).toBe('PostHog/charts-clickhouse');
      expect(row.source.commit, row.posthog).toMatch(commit);
      for (const [name, pin] of Object.entries(row.companions)) {
        expect(pin.sources.length, `${row.posthog} ${name}`).toBeGreaterThan(0);
        expect(pin.sources.some((s) => commit.test(s.commit)), `${row.posthog} ${name}`).toBe(true);
        for (const s of pin.sources) expect(s.repo.length * s.path.length * s.says.length, `${row.posthog} ${name}`).toBeGreaterThan(0);
        expect(pin.ran.length, `${row.posthog} ${name}`).toBeGreaterThan(0);
        expect(pin.basis.length, `${row.posthog} ${name}`).toBeGreaterThan(0);
      }
    }
    expect(compatRow('release-1.43.1')).toBeUndefined();
  });
});

describe('--posthog-version outside the table', () => {
  it('is refused with the supported list (an input error: exit 2)', () => {
    const errors = posthogStack.check({ domain: 'p.example.com', tlsIssuer: 'le', posthogVersion: 'release-1.44.0' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^--posthog-version: "release-1\.44\.0" is not a PostHog version .*supported: release-1\.43\.0, release-1\.42\.0 .*--allow-untested-versions/);
    expect(posthogStack.check({ domain: 'p.example.com', tlsIssuer: 'le', posthogVersion: `sha256:${'a'.repeat(64)}` })).toHaveLength(1);
  });

  it('a tested version and the default pass', () => {
    expect(posthogStack.check({ domain: 'p.example.com', tlsIssuer: 'le' })).toEqual([]);
    expect(posthogStack.check({ domain: 'p.example.com', tlsIssuer: 'le', posthogVersion: 'release-1.42.0' })).toEqual([]);
  });

  it('is accepted with --allow-untested-versions, a recorded field of its own', () => {
    expect(posthogStack.check({ domain: 'p.example.com', tlsIssuer: 'le', posthogVersion: 'release-1.44.0', allowUntestedVersions: true })).toEqual([]);
    const field = SELF_HOSTED_FIELDS.find((f) => f.key === 'allowUntestedVersions')!;
    expect(field.boolean).toBe(true);
    expect(field.recall).not.toBe(false);
  });

  it('then SKIP_SERVICE_VERSION_REQUIREMENTS=1 is in the web, worker, plugins and migrate pods, with the default companions', () => {
    const objs = render({ posthogVersion: 'release-1.44.0', allowUntestedVersions: true });
    for (const [kind, name] of POSTHOG_PODS) expect(podEnv(objs, kind, name).SKIP_SERVICE_VERSION_REQUIREMENTS, name).toBe('1');
    expect(images(objs)).toContain('posthog/posthog:release-1.44.0');
    expect(images(objs)).toContain('clickhouse/clickhouse-server:22.8.11.15');
  });

  it('without the flag no pod skips the check', () => {
    const objs = render({});
    for (const [kind, name] of POSTHOG_PODS) expect(podEnv(objs, kind, name), name).not.toHaveProperty('SKIP_SERVICE_VERSION_REQUIREMENTS');
  });

  it('the summary says which it is', () => {
    const ctx = { namespace: 'posthog', existingSecrets: {}, capabilities: { serviceMonitor: false } };
    const row = (values: Record<string, unknown>) => posthogStack.summary(values, ctx).find((r) => r[0] === 'versions')!;
    expect(row({ domain: 'p.example.com' })[1]).toBe('a tested set (docs/compatibility.md)');
    expect(row({ domain: 'p.example.com', allowUntestedVersions: true })[1]).toMatch(/^untested allowed \(SKIP_SERVICE_VERSION_REQUIREMENTS=1;/);
    expect(row({ domain: 'p.example.com' })[2]).toBe('allowUntestedVersions');
  });
});

describe('upgrade posthog --posthog-version', () => {
  const up = posthogOps.upgrade!;
  it('respects the table', () => {
    expect(() => up.check({ version: 'release-1.44.0' })).toThrow(InputError);
    expect(() => up.check({ version: 'release-1.44.0' })).toThrow(/^--posthog-version: "release-1\.44\.0" is not a PostHog version .*supported: release-1\.43\.0, release-1\.42\.0/);
    expect(() => up.check({ version: 'release-1.42.0' })).not.toThrow();
  });
  it('accepts an untested version with --allow-untested-versions and records the choice', () => {
    expect(() => up.check({ version: 'release-1.44.0', allowUntestedVersions: true })).not.toThrow();
    expect(up.apply({ domain: 'p.example.com' }, { version: 'release-1.44.0', allowUntestedVersions: true }).values).toEqual({ domain: 'p.example.com', posthogVersion: 'release-1.44.0', allowUntestedVersions: true });
  });
  it('a tested version drops an earlier allowance', () => {
    expect(up.apply({ domain: 'p.example.com', allowUntestedVersions: true }, { version: 'release-1.43.0' }).values).toEqual({ domain: 'p.example.com', posthogVersion: 'release-1.43.0' });
  });
});
