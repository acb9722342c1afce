// The real node of the e2e cluster (test/cluster/real-node-up.sh): its names, whether it
// runs, and namespaces whose pods land on it. A test that needs the node and finds it
// unavailable fails with the recorded reason; it is never skipped.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { uniqueName } from './e2e-helpers.js';

export const REAL_NODE = {
  name: 'vh-real-node',
  /** Label and taint key; real-node-up.sh's admission policy places pods of namespaces with this label. */
  key: 'vh-deploy.io/real-node',
  podCIDR: '10.245.0.0/24',
} as const;

const stateDir = () => process.env.VH_E2E_STATE_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.cluster');

/** Throws, with the reason real-node-up.sh recorded, unless the real node is up and Ready. */
export async function requireRealNode(kc: k8s.KubeConfig): Promise<void> {
  const dir = path.join(stateDir(), 'real-node');
  const unavailable = path.join(dir, 'unavailable');
  if (existsSync(unavailable)) throw new Error(`the real node is not available: ${readFileSync(unavailable, 'utf8').trim()}`);
  if (!existsSync(path.join(dir, 'ready'))) throw new Error(`the real node was not started (no ${dir}/ready): run test/cluster/real-node-up.sh`);
  const node = await kc.makeApiClient(k8s.CoreV1Api).readNode({ name: REAL_NODE.name });
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') throw new Error(`node ${REAL_NODE.name} is not Ready: ${ready?.reason ?? '?'} ${ready?.message ?? ''}`);
}

/**
 * For a describe block: `await gate.check()` in beforeAll records whether the node is
 * there; every test starts with `gate.ensure()`, which throws the recorded reason, so
 * each test fails with it (a throwing beforeAll would report them as skipped).
 */
export function realNodeGate(kc: k8s.KubeConfig): { check(): Promise<boolean>; ensure(): void } {
  let missing: Error | undefined;
  return {
    async check() {
      missing = await requireRealNode(kc).then(() => undefined, (e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      return missing === undefined;
    },
    ensure() {
      if (missing) throw missing;
    },
  };
}

/** A fresh namespace labelled so that every pod created in it runs on the real node. */
export async function realNodeNamespace(kc: k8s.KubeConfig, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name, labels: { [REAL_NODE.key]: 'true' } } } });
  return name;
}

/** `kubectl exec` through the API server and the real kubelet; stdout. */
export function kubectlExec(kubeconfig: string, binDir: string, ns: string, pod: string, cmd: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path.join(binDir, 'kubectl'), ['--kubeconfig', kubeconfig, '-n', ns, 'exec', pod, '--', ...cmd], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`kubectl exec ${pod} -- ${cmd.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

/**
 * A fresh, empty local volume on the real node (a directory owned by root, mode 0755, as a
 * new disk's root is) as a PersistentVolume bound in advance to NS/CLAIM, StorageClass
 * real-node-local, of `capacity` (at least what the claim requests). Returns the PV's name;
 * deleteLocalVolume removes both.
 */
export async function localVolume(kc: k8s.KubeConfig, ns: string, claim: string, capacity = '20Gi'): Promise<string> {
  const name = `${ns}-${claim}`.slice(0, 253);
  const dir = path.join(stateDir(), 'real-node', 'volumes', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  await kc.makeApiClient(k8s.CoreV1Api).createPersistentVolume({
    body: {
      metadata: { name },
      spec: {
        capacity: { storage: capacity },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'real-node-local',
        local: { path: dir },
        claimRef: { namespace: ns, name: claim },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [REAL_NODE.name] }] }] } },
      },
    },
  });
  return name;
}

export async function deleteLocalVolume(kc: k8s.KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(k8s.CoreV1Api).deletePersistentVolume({ name }).catch(() => undefined);
  rmSync(path.join(stateDir(), 'real-node', 'volumes', name), { recursive: true, force: true });
}
