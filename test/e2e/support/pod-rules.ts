// Steering the shared fake pod server (test/cluster/pod-server.mjs) from one test without
// disturbing anyone else's: rules are set per pod IP, never for '*', and undone with a
// later, neutral rule for the same IP and path (later rules win) — never with
// resetPodBehaviour(), which would drop the rules of other runs on the same cluster.
import * as k8s from '@kubernetes/client-node';
import { setPodBehaviour, type PodBehaviour } from '../../cluster/pod-server-control.js';

type Rule = PodBehaviour & { path: string };

/** Rules set on known pod IPs; undo() neutralises every one. */
export function podRules(): { set(ip: string, b: Rule): Promise<void>; undo(): Promise<void> } {
  const set: Array<{ ip: string; path: string }> = [];
  return {
    async set(ip, b) {
      await setPodBehaviour(ip, b);
      set.push({ ip, path: b.path });
    },
    async undo() {
      for (const s of set.splice(0)) await setPodBehaviour(s.ip, { path: s.path });
    },
  };
}

export interface MarkedPod {
  name: string;
  ip: string;
  image: string;
}

/**
 * Watches the pods of a namespace and gives every pod that `match`es the rule `b` as soon
 * as it has an IP — for pods that do not exist yet when the command starts (an upgrade's
 * or a rollback's new pods). The pod server sees the rule long before the command's health
 * check: a pod's IP is there when it turns ready, and the command first waits for the
 * controllers to count it. When a marked pod goes away its rule is neutralised at once, so
 * an IP handed out again later does not inherit it. stop() neutralises the rest and
 * rethrows anything that went wrong while marking.
 */
export async function markPods(
  kc: k8s.KubeConfig,
  namespace: string,
  match: (pod: k8s.V1Pod) => boolean,
  b: Rule,
): Promise<{ marked: MarkedPod[]; stop(): Promise<void> }> {
  const marked: MarkedPod[] = [];
  const live = new Map<string, string>(); // pod name → IP with the rule in force
  const errors: unknown[] = [];
  let chain = Promise.resolve(); // rule changes in event order
  const later = (f: () => Promise<void>) => {
    chain = chain.then(f).catch((e: unknown) => {
      errors.push(e);
    });
  };
  const neutral = (name: string) => {
    const ip = live.get(name);
    if (ip === undefined) return;
    live.delete(name);
    later(() => setPodBehaviour(ip, { path: b.path }));
  };
  const onEvent = (type: string, pod: k8s.V1Pod) => {
    const name = pod.metadata?.name;
    if (!name) return;
    if (type === 'DELETED' || pod.metadata?.deletionTimestamp) return neutral(name);
    const ip = pod.status?.podIP;
    if (!ip || live.has(name) || marked.some((m) => m.name === name) || !match(pod)) return;
    live.set(name, ip);
    marked.push({ name, ip, image: pod.spec?.containers[0]?.image ?? '' });
    later(() => setPodBehaviour(ip, b));
  };
  // What exists now gets its rule before this returns; the watch goes on from that list.
  const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace });
  for (const pod of list.items) onEvent('ADDED', pod);
  await chain;
  let stopped = false;
  const ctl = await new k8s.Watch(kc).watch(`/api/v1/namespaces/${namespace}/pods`, { resourceVersion: list.metadata?.resourceVersion }, onEvent, (err: unknown) => {
    // The server may end a watch; pods appearing after that would go unmarked.
    if (!stopped) errors.push(err ?? new Error('the pod watch ended early'));
  });
  return {
    marked,
    async stop() {
      stopped = true;
      ctl.abort();
      for (const name of [...live.keys()]) neutral(name);
      await chain;
      if (errors.length) throw new Error(`marking pods in ${namespace} failed: ${errors.map(String).join('; ')}`);
    },
  };
}
