// What the day-2 commands (verify, scale, upgrade, rollback, history) need to know
// about each stack beyond rendering it: the names people type, which workloads can be
// scaled, where each secret value lives in the cluster (an upgrade re-renders from the
// last revision's non-secret values plus these, never from the revision), and how a
// new version changes the values.
import { InputError } from '../errors.js';
import * as v from '../config/validators.js';
import { modelRouterStack } from './model-router.js';
import { posthogStack } from './posthog.js';
import { CONNECTION_NAME, cloudStack } from './posthog-connection.js';
import type { Stack } from './stack.js';

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
}

export interface StackOps {
  stack: Stack;
  /** Names accepted on the command line; the first is the stack's own name. */
  names: string[];
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

/** `registry/name:old` or `registry/name@sha256:…` with a new tag or digest. Pure. */
export function withImageTag(ref: string, tag: string): string {
  const at = ref.indexOf('@');
  let name = at >= 0 ? ref.slice(0, at) : ref;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  return tag.startsWith('sha256:') ? `${name}@${tag}` : `${name}:${tag}`;
}

function parsed<T>(schema: { safeParse(x: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } } }, flag: string, value: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new InputError(`${flag}: ${r.error.issues[0]?.message ?? 'invalid value'}; got ${JSON.stringify(value)}`);
  return r.data;
}

const MODEL_ROUTER_OPS: StackOps = {
  stack: modelRouterStack,
  names: ['model-router'],
  deployCommand: 'model-router',
  workloads: { 'model-router': { kind: 'Deployment', name: 'model-router', valueKeys: { replicas: 'replicas', min: 'minReplicas', max: 'maxReplicas' } } },
  defaultWorkload: 'model-router',
  secretSources: [
    { key: 'dbPassword', secret: 'model-router-secrets', dataKey: 'DB_PASSWORD' },
    { key: 'redisPassword', secret: 'model-router-secrets', dataKey: 'REDIS_PASSWORD' },
    { key: 'openaiApiKey', secret: 'model-router-secrets', dataKey: 'OPENAI_API_KEY' },
    { key: 'anthropicApiKey', secret: 'model-router-secrets', dataKey: 'ANTHROPIC_API_KEY' },
    { key: 'posthogApiKey', secret: CONNECTION_NAME, dataKey: 'POSTHOG_API_KEY', when: (values) => values.posthogHost !== undefined },
  ],
  upgrade: {
    check(req) {
      if (req.version !== undefined) throw new InputError('--version: is for posthog; for model-router give --image-tag TAG or --image REF');
      if ((req.imageTag === undefined) === (req.image === undefined)) throw new InputError('--image-tag: give either --image-tag TAG or --image REF');
      if (req.image !== undefined) parsed(v.imageRef, '--image', req.image);
      else parsed(v.imageTag, '--image-tag', req.imageTag!);
    },
    apply(values, req) {
      const image = req.image ?? withImageTag(values.image as string, req.imageTag!);
      const next = { ...values, image };
      return { values: next, version: modelRouterStack.version(next) ?? image };
    },
  },
  readsConnection: true,
};

const POSTHOG_OPS: StackOps = {
  stack: posthogStack,
  names: ['posthog', 'self-hosted'],
  deployCommand: 'self-hosted',
  workloads: {
    web: { kind: 'Deployment', name: 'posthog-web', valueKeys: { replicas: 'webReplicas' } },
    worker: { kind: 'Deployment', name: 'posthog-worker', valueKeys: { replicas: 'workerReplicas' } },
    plugins: { kind: 'Deployment', name: 'posthog-plugins', valueKeys: { replicas: 'pluginsReplicas' } },
  },
  workloadAliases: { 'plugin-server': 'plugins', 'posthog-web': 'web', 'posthog-worker': 'worker', 'posthog-plugins': 'plugins' },
  // Generated secrets are reused by the render itself (Stack.reusedSecrets).
  secretSources: [],
  upgrade: {
    check(req) {
      if (req.imageTag !== undefined || req.image !== undefined) throw new InputError(`${req.image !== undefined ? '--image' : '--image-tag'}: is for model-router; for posthog give --version TAG`);
      if (req.version === undefined) throw new InputError('--version: give the PostHog image tag or digest to upgrade to, e.g. --version release-1.43.0');
      parsed(v.imageTag, '--version', req.version);
    },
    apply: (values, req) => ({ values: { ...values, posthogVersion: req.version! }, version: req.version! }),
  },
  readsConnection: false,
};

const CONNECTION_OPS: StackOps = {
  stack: cloudStack,
  names: ['posthog-connection', 'cloud'],
  deployCommand: 'cloud',
  workloads: {},
  secretSources: [{ key: 'posthogApiKey', secret: CONNECTION_NAME, dataKey: 'POSTHOG_API_KEY' }],
  readsConnection: true,
};

export const STACK_OPS: readonly StackOps[] = [POSTHOG_OPS, MODEL_ROUTER_OPS, CONNECTION_OPS];

export function stackOpsByName(name: string): StackOps | undefined {
  return STACK_OPS.find((o) => o.names.includes(name));
}

export function resolveStackOps(name: string, flag = 'stack'): StackOps {
  const ops = stackOpsByName(name);
  if (!ops) throw new InputError(`${flag}: unknown stack ${JSON.stringify(name)}; expected ${STACK_OPS.map((o) => o.names.join(' (or ') + (o.names.length > 1 ? ')' : '')).join(', ')}`);
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
