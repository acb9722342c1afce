// Every image of self-hosted can be pulled through a mirror (issue 10): --image-registry
// replaces the registry part of each default image, keeping repository path and tag;
// --<store>-image REPOSITORY (config key <store>Image) names one image's repository and
// keeps the compatibility table's tag. Bad values are exit 2 before any API call.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitImage, withRegistry, withRepository } from '../../src/stacks/images.js';
import { posthogStack, stackImages } from '../../src/stacks/posthog/index.js';
import { offlineContext, renderStack } from '../../src/stacks/stack.js';
import { cliRunner } from './support/cli.js';

describe('image references', () => {
  it.each([
    ['postgres:11.7-alpine', { registry: 'docker.io', path: 'library/postgres', tag: '11.7-alpine' }],
    ['posthog/posthog:release-1.43.0', { registry: 'docker.io', path: 'posthog/posthog', tag: 'release-1.43.0' }],
    ['docker.io/bitnamilegacy/kafka:2.8.1-debian-10-r99', { registry: 'docker.io', path: 'bitnamilegacy/kafka', tag: '2.8.1-debian-10-r99' }],
    ['registry.internal:5000/team/app:1.2@sha256:' + 'a'.repeat(64), { registry: 'registry.internal:5000', path: 'team/app', tag: '1.2', digest: 'sha256:' + 'a'.repeat(64) }],
    ['localhost/app', { registry: 'localhost', path: 'app' }],
  ])('%s', (ref, parts) => {
    expect(splitImage(ref)).toEqual(parts);
  });
  it('a mirror replaces the registry only; repository path, tag and digest stay', () => {
    expect(withRegistry('postgres:11.7-alpine', 'mirror.example.com/hub')).toBe('mirror.example.com/hub/library/postgres:11.7-alpine');
    expect(withRegistry('docker.io/bitnamilegacy/kafka:2.8.1-debian-10-r99', 'mirror.example.com:5000')).toBe('mirror.example.com:5000/bitnamilegacy/kafka:2.8.1-debian-10-r99');
    expect(withRegistry('quay.io/x/y@sha256:' + 'b'.repeat(64), 'm.example.com')).toBe('m.example.com/x/y@sha256:' + 'b'.repeat(64));
    expect(withRepository('zookeeper:3.7.0', 'registry.internal/zk')).toBe('registry.internal/zk:3.7.0');
  });
});

describe('self-hosted images', () => {
  it('--image-registry: every default image from the mirror, tags of the row kept', () => {
    expect(stackImages({ imageRegistry: 'mirror.example.com/hub' })).toEqual({
      postgres: 'mirror.example.com/hub/library/postgres:11.7-alpine',
      redis: 'mirror.example.com/hub/library/redis:6.2.7-alpine',
      clickhouse: 'mirror.example.com/hub/clickhouse/clickhouse-server:22.8.11.15',
      kafka: 'mirror.example.com/hub/bitnamilegacy/kafka:2.8.1-debian-10-r99',
      zookeeper: 'mirror.example.com/hub/library/zookeeper:3.7.0',
      posthog: 'mirror.example.com/hub/posthog/posthog:release-1.43.0',
    });
  });
  it('a repository given for one image wins over the mirror and keeps the table\'s tag; the others follow the mirror', () => {
    const imgs = stackImages({ imageRegistry: 'm.example.com', clickhouseImage: 'registry.internal/ch/server', posthogImage: 'registry.internal/ph' });
    expect(imgs.clickhouse).toBe('registry.internal/ch/server:22.8.11.15');
    expect(imgs.posthog).toBe('registry.internal/ph:release-1.43.0');
    expect(imgs.redis).toBe('m.example.com/library/redis:6.2.7-alpine');
  });
  it('another version takes its own row through the same mirror', () => {
    expect(stackImages({ imageRegistry: 'm.example.com', posthogVersion: 'release-1.42.0' }).clickhouse).toBe('m.example.com/clickhouse/clickhouse-server:22.3.13.80');
  });
  it('the rendered pods use them (init containers too) and the version label still follows PostHog', () => {
    const objs = renderStack(posthogStack, { domain: 'p.example.com', imageRegistry: 'm.example.com' }, offlineContext('ph'));
    const all = objs.flatMap((o) => {
      const spec = (o.spec as any)?.template?.spec;
      return spec ? [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => c.image as string) : [];
    });
    expect(all.length).toBeGreaterThan(6);
    for (const img of all) expect(img.startsWith('m.example.com/')).toBe(true);
    const web = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'posthog-web')!;
    expect((web.spec as any).template.metadata.labels['app.kubernetes.io/version']).toBe('release-1.43.0');
  });
  it('the summary says where images come from', () => {
    const rows = posthogStack.summary({ domain: 'p.example.com', imageRegistry: 'm.example.com', redisImage: 'r.example.com/redis' }, offlineContext('ph'));
    expect(rows.find((r) => r[0] === 'image registry')?.[1]).toBe('m.example.com');
    expect(rows.find((r) => r[0] === 'redis image')?.[1]).toBe('r.example.com/redis:6.2.7-alpine');
    expect(rows.find((r) => r[0] === 'PostHog image')?.[1]).toBe('m.example.com/posthog/posthog:release-1.43.0');
  });
});

describe('the CLI (dist/ built)', () => {
  const home = mkdtempSync(join(tmpdir(), 'vh-img-'));
  const run = cliRunner(home);
  const base = ['render', 'self-hosted', '--domain', 'p.example.com', '--tls-issuer', 'le'];
  it.each([
    [['--image-registry', 'https://mirror.example.com'], /^error: --image-registry: expected an image repository without tag/],
    [['--postgres-image', 'postgres:15'], /^error: --postgres-image: expected an image repository without tag/],
  ])('%j is exit 2 before any API call', (args, re) => {
    const r = run([...base, ...(args as string[])]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')[0]).toMatch(re);
    expect(r.out).toBe('');
  });
  it('config file keys imageRegistry and kafkaImage', () => {
    const cfg = join(home, 'images.yaml');
    writeFileSync(cfg, 'imageRegistry: mirror.example.com/hub\nkafkaImage: registry.internal/kafka\n');
    const r = run([...base, '--config', cfg]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('image: registry.internal/kafka:2.8.1-debian-10-r99');
    expect(r.out).toContain('image: mirror.example.com/hub/library/postgres:11.7-alpine');
  });
});
