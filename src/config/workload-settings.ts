// Per-workload settings and stack-wide settings (docs/customising.md): the zod checks of
// the config keys `workloads`, `imagePullSecrets`, `serviceAnnotations`,
// `ingressAnnotations` and `patches`. Loaded only when inputs are read (zod); the field
// table that names them is workload-fields.ts. What vh-deploy guarantees stays out of
// reach: its labels and annotations are refused here with the reason, the rest of its
// reserved fields (env names it sets, selectors, replicas under an HPA) by the overlay
// and the patches, which see the rendered plan.
import { z } from 'zod';
import type { WorkloadDecl } from '../manifests/overlay.js';

/** Prefixes vh-deploy owns on labels and annotations (selectors, revisions, config checksums). */
export const RESERVED_PREFIXES = ['app.kubernetes.io/', 'vh-deploy.io/'] as const;
const RESERVED_ANNOTATION_PREFIXES = ['vh-deploy.io/'] as const;

/** Kubernetes resource quantity: 500m, 2, 1.5, 1Gi, 512M, 1e3. */
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
/** A label or annotation key: optional DNS prefix, then a name of at most 63 characters. */
const QUALIFIED = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** An env var name as Kubernetes accepts it (C identifier plus '-' and '.'). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** `null` removes a default the template sets (e.g. `runAsUser: null`); absent keeps it. */
const opt = <T extends z.ZodType>(s: T) => s.nullable().optional();

const quantity = z
  .union([z.string(), z.number()], { error: 'expected a Kubernetes quantity such as 500m, 2 or 1Gi' })
  .transform((v) => String(v))
  .refine((v) => QUANTITY.test(v), { error: 'expected a Kubernetes quantity such as 500m, 2 or 1Gi' });

const dnsName = (what: string) => z.string({ error: `expected ${what}` }).refine((v) => v.length <= 253 && DNS_SUBDOMAIN.test(v), { error: `expected ${what}: lowercase letters, digits, '-' and '.'` });

const resourceList = z.record(
  z.string().refine((k) => QUALIFIED.test(k), { error: 'expected a resource name such as cpu, memory, ephemeral-storage or nvidia.com/gpu' }),
  quantity,
);
const resources = z.strictObject({ requests: opt(resourceList), limits: opt(resourceList), claims: opt(z.array(z.strictObject({ name: z.string() }))) });

const int = (what: string) => z.number({ error: `expected ${what}` }).int({ error: `expected ${what}` });
const uid = int('a user or group id (a whole number)').min(0, { error: 'expected a user or group id of 0 or more' });
const stringMap = (what: string, reserved: readonly string[], valueRule?: RegExp) =>
  z
    .record(
      z.string(),
      z.union([z.string(), z.number(), z.boolean()], { error: `expected a ${what} value (text)` }).transform((v) => String(v)).refine((v) => !valueRule || valueRule.test(v), {
        error: `expected a ${what} value: at most 63 letters, digits, '-', '_' or '.'`,
      }),
    )
    // Keys checked here, not as the record's key schema, so the message names the key.
    .superRefine((m, ctx) => {
      for (const k of Object.keys(m)) {
        const p = reserved.find((r) => k.startsWith(r));
        if (!QUALIFIED.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: `expected a ${what} key such as team or example.com/team` });
        else if (p) ctx.addIssue({ code: 'custom', path: [k], message: `${p}* ${what}s are reserved: vh-deploy sets them itself (selectors, revisions, config checksums rely on them)` });
      }
    });

const seccomp = z.strictObject({ type: z.enum(['RuntimeDefault', 'Localhost', 'Unconfined'], { error: 'expected RuntimeDefault, Localhost or Unconfined' }), localhostProfile: opt(z.string()) });
const seLinux = z.strictObject({ user: opt(z.string()), role: opt(z.string()), type: opt(z.string()), level: opt(z.string()) });
const appArmor = z.strictObject({ type: z.enum(['RuntimeDefault', 'Localhost', 'Unconfined']), localhostProfile: opt(z.string()) });

/** A container's securityContext; each key merges over the template's, null removes it. */
export const containerSecurityContext = z.strictObject({
  runAsUser: opt(uid),
  runAsGroup: opt(uid),
  runAsNonRoot: opt(z.boolean({ error: 'expected true or false' })),
  readOnlyRootFilesystem: opt(z.boolean({ error: 'expected true or false' })),
  allowPrivilegeEscalation: opt(z.boolean({ error: 'expected true or false' })),
  privileged: opt(z.boolean({ error: 'expected true or false' })),
  capabilities: opt(z.strictObject({ add: opt(z.array(z.string())), drop: opt(z.array(z.string())) })),
  seccompProfile: opt(seccomp),
  seLinuxOptions: opt(seLinux),
  appArmorProfile: opt(appArmor),
  procMount: opt(z.enum(['Default', 'Unmasked'])),
});

/** A pod's securityContext; each key merges over the template's, null removes it. */
export const podSecurityContext = z.strictObject({
  runAsUser: opt(uid),
  runAsGroup: opt(uid),
  runAsNonRoot: opt(z.boolean({ error: 'expected true or false' })),
  fsGroup: opt(uid),
  fsGroupChangePolicy: opt(z.enum(['OnRootMismatch', 'Always'])),
  supplementalGroups: opt(z.array(uid)),
  supplementalGroupsPolicy: opt(z.enum(['Merge', 'Strict'])),
  seccompProfile: opt(seccomp),
  seLinuxOptions: opt(seLinux),
  appArmorProfile: opt(appArmor),
  sysctls: opt(z.array(z.strictObject({ name: z.string(), value: z.string() }))),
});

const toleration = z.strictObject({
  key: opt(z.string()),
  operator: opt(z.enum(['Exists', 'Equal'], { error: 'expected Exists or Equal' })),
  value: opt(z.string()),
  effect: opt(z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], { error: 'expected NoSchedule, PreferNoSchedule or NoExecute' })),
  tolerationSeconds: opt(int('a whole number of seconds')),
});

const labelSelector = z.strictObject({
  matchLabels: opt(z.record(z.string(), z.string())),
  matchExpressions: opt(z.array(z.strictObject({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: opt(z.array(z.string())) }))),
});

/** Without a labelSelector, the overlay fills in the workload's own selector. */
const spreadConstraint = z.strictObject({
  maxSkew: int('a whole number of at least 1').min(1, { error: 'expected a whole number of at least 1' }),
  topologyKey: z.string({ error: 'expected a node label key such as topology.kubernetes.io/zone' }),
  whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway'], { error: 'expected DoNotSchedule or ScheduleAnyway' }),
  labelSelector: opt(labelSelector),
  minDomains: opt(int('a whole number')),
  matchLabelKeys: opt(z.array(z.string())),
  nodeAffinityPolicy: opt(z.enum(['Honor', 'Ignore'])),
  nodeTaintsPolicy: opt(z.enum(['Honor', 'Ignore'])),
});

/** The three affinity kinds; their inside is checked by the server's dry run. */
const affinity = z.strictObject({
  nodeAffinity: opt(z.record(z.string(), z.unknown())),
  podAffinity: opt(z.record(z.string(), z.unknown())),
  podAntiAffinity: opt(z.record(z.string(), z.unknown())),
});

const keyRef = z.strictObject({ name: dnsName('a ConfigMap or Secret name'), key: z.string(), optional: opt(z.boolean()) });
const valueFrom = z
  .strictObject({
    secretKeyRef: keyRef.optional(),
    configMapKeyRef: keyRef.optional(),
    fieldRef: z.strictObject({ fieldPath: z.string(), apiVersion: opt(z.string()) }).optional(),
    resourceFieldRef: z.strictObject({ resource: z.string(), containerName: opt(z.string()), divisor: opt(quantity) }).optional(),
  })
  .refine((v) => Object.values(v).filter((x) => x !== undefined).length === 1, { error: 'expected exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef' });

/**
 * Extra env vars, by name: a literal (text, number or boolean, passed as text) or
 * `{ valueFrom: … }`. A mapping rather than a list, so `--set workloads.web.env.X=1`
 * and layered config files merge by name.
 */
const envMap = z.record(
  z.string().refine((k) => ENV_NAME.test(k), { error: "expected an env var name: letters, digits, '_', '-' and '.', not starting with a digit" }),
  z.union([z.string(), z.number(), z.boolean(), z.strictObject({ valueFrom })], { error: 'expected a value (text) or { valueFrom: … }' }).transform((v) => (typeof v === 'object' ? v : String(v))),
);

const storage = z.strictObject({
  size: opt(quantity),
  className: opt(dnsName('a StorageClass name')),
});

export const workloadSettingsShape = {
  resources: opt(resources),
  nodeSelector: opt(z.record(z.string().refine((k) => QUALIFIED.test(k), { error: 'expected a node label key' }), z.string())),
  tolerations: opt(z.array(toleration)),
  affinity: opt(affinity),
  topologySpreadConstraints: opt(z.array(spreadConstraint)),
  env: opt(envMap),
  podAnnotations: opt(stringMap('pod annotation', RESERVED_ANNOTATION_PREFIXES)),
  podLabels: opt(stringMap('pod label', RESERVED_PREFIXES, LABEL_VALUE)),
  securityContext: opt(containerSecurityContext),
  podSecurityContext: opt(podSecurityContext),
  storage: opt(storage),
  replicas: opt(int('a whole number from 0 to 1000').min(0).max(1000)),
};

export type WorkloadSettings = {
  [K in keyof typeof workloadSettingsShape]?: z.output<(typeof workloadSettingsShape)[K]>;
};

/**
 * `workloads`: one section per workload the stack declares. Sections of another stack's
 * workloads are dropped (one config file may drive several commands; the config file
 * loader already refused names no stack has); `storage` and `replicas` only where the
 * workload has them.
 */
export function workloadsSchema(decls: readonly WorkloadDecl[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const d of decls) {
    shape[d.name] = z.strictObject(workloadSettingsShape).superRefine((s, ctx) => {
      if (s.storage != null && !d.storage) ctx.addIssue({ code: 'custom', path: ['storage'], message: `${d.name} has no volume of its own` });
      if (s.replicas != null && !d.replicasKey)
        ctx.addIssue({ code: 'custom', path: ['replicas'], message: `${d.name} runs ${d.kind === 'Job' ? 'as a Job' : 'one replica (a single-instance data store)'}; its replica count is not a setting` });
    }).optional();
  }
  return z.object(shape, { error: 'expected a mapping of workload names to settings' });
}

const pullSecretName = dnsName('a Secret name');
/** `imagePullSecrets: [regcred]` or the Kubernetes form `[{ name: regcred }]`; names come out. */
export const imagePullSecrets = z
  .array(z.union([pullSecretName, z.strictObject({ name: pullSecretName })], { error: 'expected a Secret name' }), { error: 'expected a list of Secret names' })
  .transform((l) => l.map((x) => (typeof x === 'string' ? x : x.name)));

export const serviceAnnotations = stringMap('Service annotation', RESERVED_ANNOTATION_PREFIXES);
export const ingressAnnotations = stringMap('Ingress annotation', RESERVED_ANNOTATION_PREFIXES);

const target = z.strictObject({ kind: z.string({ error: 'expected a kind such as Deployment' }), name: z.string({ error: 'expected an object name' }), namespace: z.string().optional() });
const op = z.looseObject({ op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test'], { error: 'expected add, remove, replace, move, copy or test' }), path: z.string({ error: 'expected a JSON pointer such as /spec/template/spec/priorityClassName' }) });

/**
 * `patches`: each one a target and exactly one of `merge` (RFC 7386 JSON merge patch),
 * `strategic` (Kubernetes' strategic merge: lists of named items merge by name) or
 * `json` (RFC 6902 operations).
 */
export const patches = z.array(
  z
    .strictObject({
      target,
      merge: z.record(z.string(), z.unknown(), { error: 'expected a mapping (a JSON merge patch)' }).optional(),
      strategic: z.record(z.string(), z.unknown(), { error: 'expected a mapping (a strategic merge patch)' }).optional(),
      json: z.array(op, { error: 'expected a list of JSON-6902 operations' }).optional(),
    })
    .refine((p) => [p.merge, p.strategic, p.json].filter((x) => x !== undefined).length === 1, { error: 'expected exactly one of merge, strategic, json' }),
  { error: 'expected a list of patches' },
);
export type Patch = z.output<typeof patches>[number];
