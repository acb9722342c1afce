/// <reference path="../cluster/inject.d.ts" />
// A non-root data store on a fresh volume, on the real node: the Kafka broker exactly as
// vh-deploy renders it for self-hosted PostHog (runAsUser 1001, fsGroup 1001, volume at
// /bitnami/kafka), run from the contract image of bitnamilegacy/kafka:2.8.1
// (test/images/kafka: uid 1001, setup.sh's mkdir of /bitnami/kafka/data under errexit).
// The volume is a new local volume owned by root: the kubelet's fsGroup handling is what
// makes it writable, and the same StatefulSet without fsGroup crash-loops on the mkdir.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteNamespaces, waitFor } from '../cluster/e2e-helpers.js';
import { deleteLocalVolume, localVolume, REAL_NODE, realNodeGate, realNodeNamespace } from '../cluster/real-node.js';
import { apps, cli, core, kc } from './support/day2.js';

const IMAGE = 'vh-contract.local/kafka:2.8.1';
const namespaces: string[] = [];
const volumes: string[] = [];
afterAll(async () => {
  await deleteNamespaces(kc, namespaces);
  for (const v of volumes) await deleteLocalVolume(kc, v);
});

/** The Kafka StatefulSet of `vh-deploy self-hosted`, rendered (client dry run) for namespace ns. */
async function renderedKafka(ns: string): Promise<k8s.V1StatefulSet> {
  const r = await cli(['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--storage-class', 'real-node-local', '--dry-run=client', '-o', 'json', '--yes']);
  expect(r.code, r.err).toBe(0);
  const list = JSON.parse(r.out) as { items: Array<k8s.KubernetesObject & Record<string, unknown>> };
  const sts = list.items.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === 'posthog-kafka') as k8s.V1StatefulSet | undefined;
  expect(sts, 'StatefulSet posthog-kafka in the render').toBeDefined();
  return sts!;
}

/** Runs the rendered broker with the contract image on a fresh local volume; returns its pod name. */
async function runBroker(prefix: string, edit: (s: k8s.V1StatefulSet) => void = () => {}): Promise<{ ns: string; sts: k8s.V1StatefulSet }> {
  const ns = await realNodeNamespace(kc, prefix);
  namespaces.push(ns);
  const sts = await renderedKafka(ns);
  const pod = sts.spec!.template.spec!;
  pod.containers[0]!.image = IMAGE;
  // The rendered broker waits for ZooKeeper (an annotation vh-deploy reads); the storage contract does not need it.
  delete sts.metadata!.annotations;
  edit(sts);
  volumes.push(await localVolume(kc, ns, 'data-posthog-kafka-0'));
  await apps.createNamespacedStatefulSet({ namespace: ns, body: sts });
  return { ns, sts };
}

describe('a non-root data store on a fresh local volume (real kubelet)', () => {
  const gate = realNodeGate(kc);
  beforeAll(async () => {
    await gate.check();
  });

  it('as rendered (runAsUser 1001 + fsGroup 1001): the broker writes its data directory and becomes Ready', async () => {
    gate.ensure();
    const { ns, sts } = await runBroker('e2e-real-kafka');
    expect(sts.spec!.template.spec!.securityContext).toEqual({ runAsUser: 1001, fsGroup: 1001 });
    const pod = await waitFor('posthog-kafka-0 Ready', async () => {
      const p = await core.readNamespacedPod({ name: 'posthog-kafka-0', namespace: ns }).catch(() => undefined);
      return p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
    }, { timeoutMs: 90_000 });
    expect(pod.spec?.nodeName).toBe(REAL_NODE.name);
    const log = await core.readNamespacedPodLog({ name: 'posthog-kafka-0', namespace: ns, container: 'kafka' });
    expect(log).toMatch(/^kafka \d\d:\d\d:\d\d\.00 INFO {2}==> \*\* Kafka setup finished! \*\*$/m);
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it('the same StatefulSet without fsGroup: the kubelet leaves the volume root-owned, mkdir fails, the pod crash-loops with that log line', async () => {
    gate.ensure();
    const { ns } = await runBroker('e2e-real-kafka-nofsg', (s) => {
      delete s.spec!.template.spec!.securityContext!.fsGroup;
    });
    const pod = await waitFor('posthog-kafka-0 in CrashLoopBackOff', async () => {
      const p = await core.readNamespacedPod({ name: 'posthog-kafka-0', namespace: ns }).catch(() => undefined);
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    }, { timeoutMs: 90_000 });
    const cs = pod.status!.containerStatuses![0]!;
    expect(`${cs.lastState?.terminated?.exitCode} ${cs.lastState?.terminated?.reason}`).toBe('1 Error');
    expect(cs.ready).toBe(false);
    const log = await core.readNamespacedPodLog({ name: 'posthog-kafka-0', namespace: ns, container: 'kafka', previous: true });
    expect(log.trim().split('\n').at(-1)).toBe("mkdir: cannot create directory '/bitnami/kafka/data': Permission denied");
  });
});
