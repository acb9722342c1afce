// What the day-2 commands (verify, scale, upgrade, rollback, history) need to know
// about each stack beyond rendering it: the names people type, which workloads can be
// scaled, where each secret value lives in the cluster (an upgrade re-renders from the
// last revision's non-secret values plus these, never from the revision), and how a
// new version changes the values.
import { InputError } from '../errors.js';
import type { Stack } from './stack.js';
import { stackByName, stackNamesText } from './registry.js';
import { connectionOps } from './posthog-connection/day2.js';
import { modelRouterOps } from './model-router/day2.js';
import { posthogOps } from './posthog/day2.js';

export interface ScalableWorkload {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  /** Value keys that carry its count, kept in step so later renders agree with `scale`. */
  valueKeys?: { replicas: string; min?: string; max?: string };
}

export interface SecretSource {
  /** The field key (e.g. dbPassword). */
  key: string;
  secret: string;
  dataKey: string;
  /** Only when the values say the stack renders this secret. */
  when?: (values: Record<string, unknown>) => boolean;
}

export interface UpgradeRequest {
  version?: string | undefined;
  imageTag?: string | undefined;
  image?: string | undefined;
  /** `--allow-untested-versions`: a version outside the stack's compatibility table is accepted. */
  allowUntestedVersions?: boolean | undefined;
}

export interface StackOps {
  stack: Stack;
  /** The command that deploys it (recorded in revisions). */
  deployCommand: string;
  workloads: Record<string, ScalableWorkload>;
  /** Workload aliases, e.g. plugin-server → plugins. */
  workloadAliases?: Record<string, string>;
  defaultWorkload?: string;
  secretSources: SecretSource[];
  upgrade?: {
    /** Throws InputError for a request that does not fit the stack (before any API call). */
    check(req: UpgradeRequest): void;
    /** The values for the new version. */
    apply(values: Record<string, unknown>, req: UpgradeRequest): { values: Record<string, unknown>; version: string };
  };
  /** `verify` checks the PostHog connection this stack reads. */
  readsConnection: boolean;
}






/** The day-2 operations of every stack of the registry (src/stacks/registry.ts), in its order. */
export const STACK_OPS: readonly StackOps[] = [posthogOps, modelRouterOps, connectionOps];

/** By any of the stack's names (src/stacks/registry.ts stackNames: one alias table for every command). */
export function stackOpsByName(name: string): StackOps | undefined {
  const stack = stackByName(name);
  return stack && STACK_OPS.find((o) => o.stack === stack);
}

export function resolveStackOps(name: string, flag = 'stack'): StackOps {
  const ops = stackOpsByName(name);
  if (!ops) throw new InputError(`${flag}: unknown stack ${JSON.stringify(name)}; expected ${stackNamesText(', ')}`);
  return ops;
}

/** `model-router/model-router`, `posthog/web`, or a stack with one workload (`model-router`). */
export function resolveWorkload(target: string): { ops: StackOps; workload: string; spec: ScalableWorkload } {
  const slash = target.indexOf('/');
  const ops = resolveStackOps(slash >= 0 ? target.slice(0, slash) : target, 'STACK/WORKLOAD');
  const names = Object.keys(ops.workloads);
  if (names.length === 0) throw new InputError(`STACK/WORKLOAD: ${ops.stack.name} has no workloads to scale`);
  let w = slash >= 0 ? target.slice(slash + 1) : ops.defaultWorkload;
  if (w === undefined) throw new InputError(`STACK/WORKLOAD: name the workload of ${ops.stack.name}: ${names.map((n) => `${ops.stack.name}/${n}`).join(', ')}`);
  w = ops.workloadAliases?.[w] ?? w;
  const spec = ops.workloads[w];
  if (!spec) throw new InputError(`STACK/WORKLOAD: ${ops.stack.name} has no workload ${JSON.stringify(w)}; expected ${names.map((n) => `${ops.stack.name}/${n}`).join(', ')}`);
  return { ops, workload: w, spec };
}

/** Keys of the stack's secret fields: never recorded in revisions. */
export const secretKeys = (stack: Stack): string[] => stack.fields.filter((f) => f.secret).map((f) => f.key);

/** The deploy command that records a stack's revisions (cloud, self-hosted, model-router). */
export const deployCommandOf = (stackName: string): string => stackOpsByName(stackName)?.deployCommand ?? stackName;
