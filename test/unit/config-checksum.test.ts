// The config checksum of a pod template must not depend on whether the Secret it reads
// was rendered by this run (stringData) or read back from the cluster (data, base64):
// else a re-run that reads the connection another run wrote rolls the pods for nothing
// (found by the take-over e2e: a second run after --adopt changed the Deployment).
import { describe, expect, it } from 'vitest';
import { addConfigChecksums, CHECKSUM_ANNOTATION } from '../../src/manifests/finalize.js';
import type { KubeObject } from '../../src/k8s/types.js';

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', namespace: 'ns' },
  spec: { template: { metadata: {}, spec: { containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'conn' } }] }] } } },
});
const checksum = (o: KubeObject) => ((o.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations)[CHECKSUM_ANNOTATION];

describe('addConfigChecksums', () => {
  it('a Secret rendered (stringData) and read back (data) hash alike', () => {
    const rendered = deployment();
    addConfigChecksums([rendered, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'conn', namespace: 'ns' }, stringData: { KEY: 'phc_x' } }]);
    const reread = deployment();
    addConfigChecksums([reread], [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'conn', namespace: 'ns' }, data: { KEY: Buffer.from('phc_x').toString('base64') } }]);
    expect(checksum(reread)).toBe(checksum(rendered));
  });
  it('a different value is a different checksum', () => {
    const a = deployment();
    addConfigChecksums([a], [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'conn', namespace: 'ns' }, data: { KEY: Buffer.from('phc_x').toString('base64') } }]);
    const b = deployment();
    addConfigChecksums([b], [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'conn', namespace: 'ns' }, data: { KEY: Buffer.from('phc_y').toString('base64') } }]);
    expect(checksum(a)).not.toBe(checksum(b));
  });
  it('a Job gets none: its pod template cannot change, so a config change must not change it', () => {
    const job: KubeObject = { ...deployment(), apiVersion: 'batch/v1', kind: 'Job' };
    addConfigChecksums([job, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'conn', namespace: 'ns' }, stringData: { KEY: 'phc_x' } }]);
    expect((job.spec as { template: { metadata: Record<string, unknown> } }).template.metadata.annotations).toBeUndefined();
  });
});
