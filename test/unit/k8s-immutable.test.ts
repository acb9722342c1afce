// Plan-time detection of immutable changes (src/k8s/immutable.ts) and what a plan names
// that must exist (src/k8s/references.ts). Pure.
import { describe, expect, it } from 'vitest';
import { covers, immutableChanges, quantity } from '../../src/k8s/immutable.js';
import { ingressClassNames, secretKeyUses, storageClassNames } from '../../src/k8s/references.js';
import type { KubeObject } from '../../src/k8s/types.js';

const sts = (o: { size?: string; className?: string; serviceName?: string; policy?: string; selector?: Record<string, string>; live?: boolean } = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'clickhouse', namespace: 'ph' },
  spec: {
    serviceName: o.serviceName ?? 'clickhouse',
    ...(o.policy && { podManagementPolicy: o.policy }),
    ...(o.live && !o.policy && { podManagementPolicy: 'OrderedReady' }),
    selector: { matchLabels: o.selector ?? { app: 'clickhouse' } },
    template: { metadata: { labels: { app: 'clickhouse' } }, spec: { containers: [{ name: 'c', image: 'ch:1' }] } },
    volumeClaimTemplates: [
      {
        ...(o.live && { apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Pending' } }),
        metadata: { name: 'data', ...(o.live && { creationTimestamp: null }) },
        spec: {
          accessModes: ['ReadWriteOnce'],
          ...(o.className && { storageClassName: o.className }),
          ...(o.live && { volumeMode: 'Filesystem' }),
          resources: { requests: { storage: o.size ?? '10Gi' } },
        },
      },
    ],
  },
});

describe('immutableChanges', () => {
  it('server defaults are no change', () => {
    expect(immutableChanges(sts(), sts({ live: true }))).toEqual([]);
    expect(immutableChanges(sts(), undefined)).toEqual([]);
  });

  it('a larger volume is a growth of that template; a smaller one a shrink', () => {
    const grow = immutableChanges(sts({ size: '20Gi' }), sts({ live: true }));
    expect(grow).toEqual([
      {
        ref: 'StatefulSet/ph/clickhouse',
        key: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'clickhouse', namespace: 'ph' },
        field: 'spec.volumeClaimTemplates[data].resources.requests.storage',
        from: '10Gi',
        to: '20Gi',
        grow: { template: 'data', from: '10Gi', to: '20Gi' },
      },
    ]);
    const shrink = immutableChanges(sts({ size: '5Gi' }), sts({ live: true }));
    expect(shrink.map((c) => [c.field, c.shrink, c.grow])).toEqual([['spec.volumeClaimTemplates[data].resources.requests.storage', true, undefined]]);
    // The same size written another way is no change.
    expect(immutableChanges(sts({ size: '10240Mi' }), sts({ live: true }))).toEqual([]);
  });

  it('a StorageClass, serviceName, podManagementPolicy or selector change is named', () => {
    expect(immutableChanges(sts({ className: 'fast' }), sts({ live: true })).map((c) => `${c.field}: ${c.from} → ${c.to}`)).toEqual(['spec.volumeClaimTemplates[data].spec.storageClassName: (none) → fast']);
    expect(immutableChanges(sts(), sts({ live: true, className: 'fast' })).map((c) => c.field)).toEqual(['spec.volumeClaimTemplates[data].spec.storageClassName']);
    expect(immutableChanges(sts({ serviceName: 'ch-headless' }), sts({ live: true })).map((c) => c.field)).toEqual(['spec.serviceName']);
    expect(immutableChanges(sts({ policy: 'Parallel' }), sts({ live: true })).map((c) => `${c.field}: ${c.from} → ${c.to}`)).toEqual(['spec.podManagementPolicy: OrderedReady → Parallel']);
    expect(immutableChanges(sts({ selector: { app: 'ch' } }), sts({ live: true })).map((c) => c.field)).toEqual(['spec.selector']);
  });

  it('Deployment: only the selector; Job: selector and template', () => {
    const dep = (sel: Record<string, string>, image: string): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ph' }, spec: { selector: { matchLabels: sel }, template: { spec: { containers: [{ name: 'w', image }] } } } });
    expect(immutableChanges(dep({ app: 'web' }, 'a:2'), dep({ app: 'web' }, 'a:1'))).toEqual([]);
    expect(immutableChanges(dep({ app: 'web', tier: 'x' }, 'a:1'), dep({ app: 'web' }, 'a:1')).map((c) => c.field)).toEqual(['spec.selector']);
    const job = (image: string, live = false): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: 'ph' },
      spec: {
        ...(live && { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } } }),
        template: { metadata: { labels: { app: 'm', ...(live && { 'batch.kubernetes.io/controller-uid': 'u', 'job-name': 'migrate' }) } }, spec: { restartPolicy: 'Never', containers: [{ name: 'm', image, ...(live && { terminationMessagePath: '/dev/termination-log' }) }] } },
      },
    });
    expect(immutableChanges(job('p:1'), job('p:1', true))).toEqual([]);
    expect(immutableChanges(job('p:2'), job('p:1', true)).map((c) => c.field)).toEqual(['spec.template']);
    // A Job an earlier vh-deploy made with its own annotation on the template, which the
    // plan no longer sets: the apply would remove it, so it is a template change too;
    // an annotation of someone else's (or the server's) is not vh-deploy's to remove.
    const annotated = (a: Record<string, string>): KubeObject => {
      const j = job('p:1', true);
      ((j.spec as { template: { metadata: Record<string, unknown> } }).template.metadata).annotations = a;
      return j;
    };
    expect(immutableChanges(job('p:1'), annotated({ 'vh-deploy.io/config-checksum': 'abc' })).map((c) => c.field)).toEqual(['spec.template']);
    expect(immutableChanges(job('p:1'), annotated({ 'example.com/by-hand': 'x' }))).toEqual([]);
  });

  it('covers: lists must match item by item, mappings may have more keys', () => {
    expect(covers({ a: 1, b: 2 }, { a: 1 })).toBe(true);
    expect(covers([1, 2], [1])).toBe(false);
    expect(covers({ a: [{ x: 1, y: 2 }] }, { a: [{ x: 1 }] })).toBe(true);
    expect(covers({ a: '1' }, { a: 1 })).toBe(true);
    // Quantities as the server stores them.
    expect(covers({ cpu: '500m', memory: '1Gi' }, { cpu: '0.5', memory: '1024Mi' })).toBe(true);
    expect(covers({ cpu: '500m' }, { cpu: '1' })).toBe(false);
    expect(covers({ image: 'a:1' }, { image: 'a:2' })).toBe(false);
  });

  it('quantity', () => {
    expect(quantity('10Gi')).toBe(10 * 2 ** 30);
    expect(quantity('500M')).toBe(5e8);
    expect(quantity('1.5Ki')).toBe(1536);
    expect(quantity('ten')).toBeUndefined();
  });
});

describe('what a plan names', () => {
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'model-router' },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'c',
              env: [
                { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'pg', key: 'password' } } },
                { name: 'OPT', valueFrom: { secretKeyRef: { name: 'opt', key: 'k', optional: true } } },
                { name: 'OWN', valueFrom: { secretKeyRef: { name: 'mine', key: 'k' } } },
                { name: 'PLAIN', value: 'x' },
              ],
            },
          ],
        },
      },
    },
  };
  const mine: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mine', namespace: 'prod' } };

  it('secretKeyRefs to Secrets the plan does not write, optional ones left out', () => {
    expect(secretKeyUses([deployment, mine], 'prod')).toEqual([{ namespace: 'prod', name: 'pg', key: 'password', usedBy: 'Deployment/prod/model-router env DB_PASSWORD' }]);
  });

  it('StorageClasses of claims and templates, IngressClasses of Ingresses', () => {
    const pvc: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'ph' }, spec: { storageClassName: 'fast' } };
    const none: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'static', namespace: 'ph' }, spec: { storageClassName: '' } };
    expect([...storageClassNames([pvc, none, sts({ className: 'ssd' })])]).toEqual([
      ['fast', 'PersistentVolumeClaim/ph/data'],
      ['ssd', 'StatefulSet/ph/clickhouse volumeClaimTemplate data'],
    ]);
    const ing: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'ph' }, spec: { ingressClassName: 'nginx' } };
    expect([...ingressClassNames([ing])]).toEqual([['nginx', 'Ingress/ph/web']]);
  });
});
