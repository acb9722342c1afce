// Values test/cluster/global-setup.ts provides to e2e tests: `inject('kubeconfig')` etc.
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig (user e2e-admin, group system:masters, context vh-e2e). */
    kubeconfig: string;
    /** Kubeconfig of user e2e-limited (no groups, no RBAC bindings): everything is forbidden. */
    limitedKubeconfig: string;
    /** Unix socket of the fake pod server's control channel (see pod-server-control.ts). */
    podServerSocket: string;
    /** Directory with kubectl, kube-apiserver, ... of the harness. */
    clusterBinDir: string;
    /** Name of the network namespace the control plane runs in. */
    clusterNetns: string;
  }
}
