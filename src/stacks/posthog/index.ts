// `vh-deploy self-hosted`: PostHog in the cluster with what it needs to work —
// PostgreSQL, Redis, ClickHouse (embedded Keeper), a Kafka-compatible broker, one
// migration Job, then web, worker and plugin-server. PostHog no longer supports
// Kubernetes self-hosting; the README says so and recommends `cloud`.
import { posthogLegacy } from './legacy.js';
import { randomBytes } from 'node:crypto';
import { SELF_HOSTED_FIELDS } from './fields.js';
import { POSTHOG_WORKLOADS } from './workloads.js';
import { podSettingsKey } from '../../manifests/overlay.js';
import { shortHash } from '../../manifests/finalize.js';
import { renderTemplate } from '../../manifests/template.js';
import type { KubeObject } from '../../k8s/types.js';
import { bodyCheck, preflightProblems, statusCheck } from '../health.js';
import type { Stack, SummaryRow } from '../stack.js';
import { companionImages, DEFAULT_ROW, untestedVersionProblem, type Companion } from './compat.js';
import { withRegistry, withRepository } from '../images.js';
import { TLS_ALTERNATIVES, tlsData, tlsProblems, tlsRequired, tlsSummary } from './tls.js';

/**
 * Pinned versions that belong together: the default row of the compatibility table
 * (compat.ts), a combination PostHog's own chart ran. Never `latest` (defect P3 of the
 * old manifest).
 */
export const POSTHOG_DEFAULT_VERSION = DEFAULT_ROW.posthog;
export const POSTHOG_IMAGES = companionImages(POSTHOG_DEFAULT_VERSION);

export const POSTHOG_SECRET = 'posthog-secrets';
export const POSTHOG_WEB_SERVICE = { name: 'posthog-web', port: 8000 } as const;

/** Generated secrets: name → bytes of randomness (base64url-encoded). */
const GENERATED: Record<string, number> = {
  SECRET_KEY: 48, // Django SECRET_KEY: 64 characters
  POSTHOG_DB_PASSWORD: 32,
  POSTHOG_REDIS_PASSWORD: 32,
  CLICKHOUSE_PASSWORD: 32,
  ENCRYPTION_SALT_KEYS: 24, // PostHog wants 32 base64url characters
};

/**
 * Existing values win: a re-run or an upgrade must never rotate a database password
 * (the data volume keeps the old one) — a Helm complaint this tool does not repeat.
 */
export function posthogSecrets(existing: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, bytes] of Object.entries(GENERATED)) {
    const have = existing?.[key];
    out[key] = have && have.length > 0 ? have : randomBytes(bytes).toString('base64url');
  }
  return out;
}

export const POSTHOG_REPOSITORY = 'posthog/posthog';

export function posthogImage(version: string, repository = POSTHOG_REPOSITORY): string {
  return version.startsWith('sha256:') ? `${repository}@${version}` : `${repository}:${version}`;
}

const versionOf = (v: Record<string, unknown>) => (v.posthogVersion as string | undefined) ?? POSTHOG_DEFAULT_VERSION;

export const COMPANIONS: readonly Companion[] = ['postgres', 'redis', 'clickhouse', 'kafka', 'zookeeper'];
/** The input key of a companion's repository: `postgresImage` (--postgres-image). */
export const companionKey = (c: Companion) => `${c}Image`;

/**
 * Every image of the stack: the version's row of the compatibility table (the pins: tags
 * stay), each pulled from the repository the user named for it, or else through
 * --image-registry (a mirror), or else as published. Pure.
 */
export function stackImages(v: Record<string, unknown>): Record<Companion | 'posthog', string> {
  const version = versionOf(v);
  const mirror = v.imageRegistry as string | undefined;
  const table = companionImages(version);
  const out = {} as Record<Companion | 'posthog', string>;
  for (const c of COMPANIONS) {
    const repository = v[companionKey(c)] as string | undefined;
    out[c] = repository ? withRepository(table[c], repository) : mirror ? withRegistry(table[c], mirror) : table[c];
  }
  const repository = (v.posthogImage as string | undefined) ?? (mirror ? withRegistry(POSTHOG_REPOSITORY, mirror) : POSTHOG_REPOSITORY);
  out.posthog = posthogImage(version, repository);
  return out;
}
const imageOf = (v: Record<string, unknown>) => stackImages(v).posthog;

const FILES = [
  'posthog/configmap.yaml',
  'posthog/secret.yaml',
  'posthog/postgres.yaml',
  'posthog/redis.yaml',
  'posthog/clickhouse.yaml',
  'posthog/kafka.yaml',
  'posthog/migrate-job.yaml',
  'posthog/web.yaml',
  'posthog/worker.yaml',
  'posthog/plugins.yaml',
  'posthog/ingress.yaml',
];

export const posthogStack: Stack = {
  command: {
    name: 'self-hosted',
    summary: 'deploy PostHog into the cluster (unsupported by PostHog upstream; prefer `cloud`)',
    examples: [
    'vh-deploy self-hosted --domain posthog.example.com --tls-issuer letsencrypt-prod',
    'vh-deploy self-hosted --domain posthog.example.com --tls-secret posthog-cert --image-registry mirror.example.com/hub',
    'vh-deploy self-hosted --domain posthog.example.com --insecure-http --dry-run   # plain HTTP; print manifests, secrets masked',
    ],
  },
  name: 'posthog',
  defaultNamespace: 'posthog',
  fields: SELF_HOSTED_FIELDS,
  workloads: POSTHOG_WORKLOADS,
  required: (values, interactive) => ['domain', ...tlsRequired(values, interactive)],
  check: (values) => {
    const problem = untestedVersionProblem('--posthog-version', versionOf(values), values.allowUntestedVersions === true);
    return [...(problem ? [problem] : []), ...tlsProblems(values)];
  },
  alternatives: [TLS_ALTERNATIVES],
  reusedSecrets: [POSTHOG_SECRET],
  legacy: posthogLegacy,
  version: versionOf,
  // PostHog's own probes: /_livez (process up), /_readyz?role=web (postgres + cache),
  // /_preflight (is everything wired: kafka, plugins, clickhouse, ...).
  health: () => {
    const { name, port } = POSTHOG_WEB_SERVICE;
    return [
      statusCheck('PostHog /_livez', name, port, '/_livez'),
      statusCheck('PostHog /_readyz?role=web', name, port, '/_readyz?role=web'),
      bodyCheck('PostHog /_preflight', name, port, '/_preflight', 'not ready', (body) => preflightProblems(body, ['db', 'redis', 'clickhouse', 'kafka', 'plugins', 'celery'])),
    ];
  },
  render(values, ctx) {
    const images = stackImages(values);
    const data = {
      namespace: ctx.namespace,
      domain: values.domain,
      tlsIssuer: values.tlsIssuer,
      ...tlsData(values),
      ingressClass: values.ingressClass,
      storageClass: values.storageClass,
      images,
      // The Job's pod template is immutable: its settings (workloads.migrate, pull secrets) name a new Job.
      migrateSuffix: shortHash(images.posthog + podSettingsKey(values, 'migrate')),
      replicas: { web: values.webReplicas ?? 2, worker: values.workerReplicas ?? 1, plugins: values.pluginsReplicas ?? 1 },
      secrets: posthogSecrets(ctx.existingSecrets[POSTHOG_SECRET]),
      // PostHog 1.4x exits 1 outside its service-version ranges; the user chose to run an
      // untested version, so its check must not stop the pods (docs/compatibility.md).
      skipVersionCheck: values.allowUntestedVersions === true ? '1' : undefined,
    };
    const objects: KubeObject[] = [...renderTemplate('common/namespace.yaml', data)];
    for (const f of FILES) objects.push(...renderTemplate(f, data));
    return objects;
  },
  summary: (values, ctx) => [
    ['namespace', ctx.namespace],
    ['public URL', tlsData(values).siteUrl, 'domain'],
    ['PostHog version', versionOf(values), 'posthogVersion'],
    ['versions', values.allowUntestedVersions === true ? `untested allowed (SKIP_SERVICE_VERSION_REQUIREMENTS=1; companions of ${DEFAULT_ROW.posthog} unless the version has its own)` : 'a tested set (docs/compatibility.md)', 'allowUntestedVersions'],
    ['PostHog image', imageOf(values), ['posthogImage', 'imageRegistry']],
    ['image registry', (values.imageRegistry as string | undefined) ?? 'none (each image from where it is published)', 'imageRegistry'],
    ...COMPANIONS.filter((c) => values[companionKey(c)] !== undefined).map((c): SummaryRow => [`${c} image`, stackImages(values)[c], companionKey(c)]),
    tlsSummary(values),
    ['storage class', (values.storageClass as string | undefined) ?? '(cluster default)', 'storageClass'],
    ['replicas', `web ${String(values.webReplicas ?? 2)}, worker ${String(values.workerReplicas ?? 1)}, plugins ${String(values.pluginsReplicas ?? 1)}`, ['webReplicas', 'workerReplicas', 'pluginsReplicas']],
    ['secrets', ctx.existingSecrets[POSTHOG_SECRET] ? 'reused from the cluster' : 'generated (kept in the cluster)'],
  ],
};
