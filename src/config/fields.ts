// One table of inputs per command. Each field becomes a commander option (with its
// VH_DEPLOY_* env twin via .env()), a config-file key, a prompt, and a zod check, so
// the four ways of giving a value can never drift apart.
import type { z } from 'zod';
import type * as Validators from './validators.js';

export type PromptSpec =
  | { kind: 'input'; message: string }
  | { kind: 'password'; message: string }
  | { kind: 'select'; message: string; choices: ReadonlyArray<{ value: string; name: string }> }
  | { kind: 'confirm'; message: string };

export interface Field {
  /** camelCase: the config-file key and the key in resolved values. */
  key: string;
  /** commander value placeholder, e.g. 'host'; omitted for boolean switches. */
  valueName?: string;
  short?: string;
  description: string;
  /**
   * The check, as a function of the validators module: fields stay plain data, so
   * `--help` never loads zod (~50 ms); the check is built only when inputs are read.
   */
  schema: (v: typeof Validators) => z.ZodType;
  /** Secret: masked everywhere, gets a `--<flag>-file PATH` twin. */
  secret?: boolean;
  boolean?: boolean;
  choices?: readonly string[];
  prompt?: PromptSpec;
  default?: unknown;
  /**
   * false: a control switch of one run (--check-key, --reset-values), not part of what
   * is deployed, so a later run never takes it from a recorded revision (docs/architecture.md,
   * "Values persist").
   */
  recall?: false;
  /** Another field that stands in for this one: when both are missing, the error names both (`--region or --host`). */
  orElse?: string;
  /**
   * No flag or env var of its own: a config-file key set on the command line by `--set`
   * (the per-workload and stack-wide settings, docs/customising.md).
   */
  flagless?: true;
  /**
   * A mapping whose layers deep-merge (Helm's values): config file < `--set`, and the
   * recorded value under what is given, so setting one key keeps the others.
   */
  merge?: true;
}

/** A value asked for on a terminal when it is missing: masked when secret. */
export function askedField(o: Pick<Field, 'key' | 'valueName' | 'description' | 'schema'> & { secret?: true; ask: string }): Field {
  const { ask, ...f } = o;
  return { ...f, prompt: { kind: o.secret ? 'password' : 'input', message: ask } };
}

export const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const envName = (key: string) => `VH_DEPLOY_${kebab(key).replace(/-/g, '_').toUpperCase()}`;
export const flagName = (key: string) => `--${kebab(key)}`;
export const fileKey = (key: string) => `${key}File`;

/** How a field is named in messages: the flag, which is what people type. */
export const fieldLabel = (f: Pick<Field, 'key' | 'flagless'>) => (f.flagless ? f.key : flagName(f.key));

export const GLOBAL_FIELDS: Field[] = [
  { key: 'kubeconfig', valueName: 'path', description: 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)', schema: (v) => v.filePath },
  { key: 'context', valueName: 'name', description: 'kubeconfig context to use', schema: (v) => v.contextName },
  { key: 'namespace', short: '-n', valueName: 'ns', description: "namespace (default: the kubeconfig context's namespace if it sets one, else the stack's own: posthog, voicehelper-prod)", schema: (v) => v.dnsLabel('a namespace name') },
  { key: 'yes', short: '-y', boolean: true, description: 'assume yes; never prompt', schema: (v) => v.bool },
  { key: 'nonInteractive', boolean: true, description: 'never prompt; missing values are errors', schema: (v) => v.bool },
  { key: 'output', short: '-o', valueName: 'format', choices: ['text', 'json', 'wide'], description: 'output format (wide: text whose tables are not cut to the terminal width)', schema: (v) => v.oneOf(['text', 'json', 'wide']), default: 'text' },
  { key: 'timeout', valueName: 'duration', description: 'how long to wait for the stack to become ready (e.g. 90s, 5m)', schema: (v) => v.duration, default: '5m' },
  { key: 'verbose', boolean: true, description: 'more detail (never secret values)', schema: (v) => v.bool },
  { key: 'showSecrets', boolean: true, description: 'print Secret values in rendered manifests (render/--dry-run only)', schema: (v) => v.bool },
  { key: 'forceConflicts', boolean: true, description: 'take over fields owned by another field manager', schema: (v) => v.bool },
  { key: 'forceUnlock', boolean: true, description: "take over the stack's lock (Lease vh-deploy-lock-STACK) even if another run holds it", schema: (v) => v.bool },
  { key: 'lockWait', valueName: 'duration', description: 'how long a mutating command waits for another operation on the same stack (0: fail at once)', schema: (v) => v.lockWait, default: '30s' },
];

/** `--dry-run[=client|server]` is special in commander (optional value), so it lives here. */
export const DRY_RUN_MODES = ['client', 'server', 'none'] as const;

/**
 * Every deploy command starts from the values of the stack's last successful revision
 * for whatever the user does not give; this switch starts from the defaults instead.
 */
export const RESET_VALUES: Field = {
  key: 'resetValues',
  boolean: true,
  recall: false,
  description: "ignore the values recorded by the stack's last successful revision (an upgrade's version, a scale's range, earlier flags); start from the defaults",
  schema: (v) => v.bool,
};

/**
 * Take over an install that deploy-posthog.sh made (docs/adopt.md): asked on a terminal
 * after the plan is shown, required without one.
 */
export const ADOPT: Field = {
  key: 'adopt',
  boolean: true,
  recall: false,
  description: 'take over the objects deploy-posthog.sh made in the namespace (see docs/adopt.md); asked on a terminal, required otherwise',
  schema: (v) => v.bool,
};


/** Ingress settings shared by the stacks that publish a host. */
export const INGRESS_FIELDS: Field[] = [
  { key: 'tlsIssuer', valueName: 'name', description: 'cert-manager ClusterIssuer for the Ingress TLS certificate', schema: (v) => v.dnsSubdomain('an issuer name') },
  { key: 'ingressClass', valueName: 'name', description: 'IngressClass name (default: the cluster default)', schema: (v) => v.dnsSubdomain('an IngressClass name') },
];



export const SCALE_FIELDS: Field[] = [
  { key: 'replicas', valueName: 'n', description: 'new replica count (refused when an HPA manages the workload)', schema: (v) => v.count(0) },
  { key: 'min', valueName: 'n', description: 'new HPA minimum', schema: (v) => v.count(1) },
  { key: 'max', valueName: 'n', description: 'new HPA maximum', schema: (v) => v.count(1) },
];
