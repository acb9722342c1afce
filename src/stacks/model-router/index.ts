// `vh-deploy model-router`: the Model Router with its config and secrets wired so
// every env var resolves, HPA (3–10) or a fixed count, PDB, Service, optional Ingress,
// NetworkPolicy, and a ServiceMonitor only when the cluster has that API.
import { MODEL_ROUTER_FIELDS } from './fields.js';
import { MODEL_ROUTER_WORKLOADS } from './workloads.js';
import { modelRouterLegacy } from './legacy.js';
import { maskValue } from '../../manifests/finalize.js';
import { renderTemplate } from '../../manifests/template.js';
import type { KubeObject } from '../../k8s/types.js';
import { APP_NAMESPACE, CONNECTION_NAME, KEY_SECRET_ANNOTATION, cloudStack, connectionKey, keyShown, renderConnection } from '../posthog-connection/index.js';
import { bodyCheck, missingMetrics, statusCheck } from '../health.js';
import { defaultSecretKey, hasSecret, parseSecretRef, refKey, secretRefOf } from '../../config/secret-refs.js';
import type { Stack, SummaryRow } from '../stack.js';

/** One summary row per secret input kept in the user's own Secret. */
function secretRefRows(v: Record<string, unknown>): SummaryRow[] {
  return SECRET_ENV.flatMap((input): SummaryRow[] => {
    const ref = input === 'posthogApiKey' ? undefined : secretRefOf(v, input);
    return ref ? [[defaultSecretKey(input), `from Secret ${ref.name}, key ${ref.key}`, refKey(input)]] : [];
  });
}

export const MODEL_ROUTER = { name: 'model-router', httpPort: 8080, metricsPort: 9090 } as const;
/** Where a self-hosted PostHog (same cluster) answers. */
export const IN_CLUSTER_POSTHOG = 'http://posthog-web.posthog.svc.cluster.local:8000';

export const MODEL_ROUTER_METRICS = [
  'model_router_requests_total',
  'model_router_request_duration_seconds',
  'model_router_ab_test_exposures_total',
  'posthog_events_sent_total',
] as const;

export const HPA_DEFAULTS = { min: 3, max: 10 } as const;

/**
 * The URL with the password URL-encoded; with `password` given (`$(DB_PASSWORD)`), the
 * kubelet puts the password in at pod start (dependent env vars) and it is not encoded.
 */
export function databaseUrl(v: Record<string, unknown>, password = encodeURIComponent(v.dbPassword as string)): string {
  const enc = encodeURIComponent;
  return `postgres://${enc(v.dbUser as string)}:${password}@${v.dbHost as string}:${v.dbPort as number}/${enc(v.dbName as string)}?sslmode=${v.dbSslMode as string}`;
}

/** The secret inputs the pods read as env vars of the same name as the Secret key (dbPassword → DB_PASSWORD). */
const SECRET_ENV = ['dbPassword', 'redisPassword', 'openaiApiKey', 'anthropicApiKey', 'posthogApiKey'] as const;

/**
 * Env entries for the secret inputs given as existing Secrets (docs/day2.md, "Existing
 * Secrets"): each a secretKeyRef, which wins over the same name from envFrom. The
 * connection's key comes from the ConfigMap `cloud` wrote when this run gives no host.
 * DATABASE_URL follows DB_PASSWORD, which Kubernetes expands only when it is defined
 * earlier in the list (kubernetes.io "Define Dependent Environment Variables"). Pure.
 */
export function secretRefEnv(v: Record<string, unknown>, external: readonly KubeObject[] | undefined): Array<Record<string, unknown>> {
  const env: Array<Record<string, unknown>> = [];
  for (const input of SECRET_ENV) {
    let ref = secretRefOf(v, input);
    if (!ref && input === 'posthogApiKey' && v.posthogHost === undefined) {
      const named = external?.find((o) => o.kind === 'ConfigMap' && o.metadata.name === CONNECTION_NAME)?.metadata.annotations?.[KEY_SECRET_ANNOTATION];
      if (named) ref = parseSecretRef(named, input);
    }
    if (!ref) continue;
    env.push({ name: defaultSecretKey(input), valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
    if (input === 'dbPassword') env.push({ name: 'DATABASE_URL', value: databaseUrl(v, '$(DB_PASSWORD)') });
  }
  return env;
}

/**
 * The PostHog host the pods will really use: the one this run writes, else the stored
 * connection (written by `cloud` or an earlier run, read into ctx.external), else the
 * in-cluster PostHog. The NetworkPolicy's egress port follows it. Pure.
 */
export function connectionHost(v: Record<string, unknown>, external: readonly KubeObject[] | undefined): string {
  if (typeof v.posthogHost === 'string') return v.posthogHost;
  const cm = external?.find((o) => o.kind === 'ConfigMap' && o.metadata.name === CONNECTION_NAME);
  const stored = (cm?.data as Record<string, unknown> | undefined)?.POSTHOG_HOST;
  return typeof stored === 'string' && URL.canParse(stored) ? stored : IN_CLUSTER_POSTHOG;
}

function portOf(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

export function hpaOf(v: Record<string, unknown>): { min: number; max: number } | undefined {
  if (v.replicas !== undefined) return undefined;
  return { min: (v.minReplicas as number | undefined) ?? HPA_DEFAULTS.min, max: (v.maxReplicas as number | undefined) ?? HPA_DEFAULTS.max };
}

export const modelRouterStack: Stack = {
  command: {
    name: 'model-router',
    summary: 'deploy the Model Router (HPA, PDB, Service, Ingress, NetworkPolicy, ServiceMonitor)',
    examples: [
    'vh-deploy model-router --image registry.example.com/model-router:1.4.2 --db-host pg.data --db-user router \\\n      --db-password-file pg.txt --redis-addr redis.data:6379 --yes',
    'vh-deploy model-router --config prod.yaml --dry-run=server',
    ],
  },
  name: 'model-router',
  defaultNamespace: APP_NAMESPACE,
  fields: MODEL_ROUTER_FIELDS,
  workloads: MODEL_ROUTER_WORKLOADS,
  required: () => ['image', 'dbHost', 'dbUser', 'dbPassword', 'redisAddr'],
  // With --posthog-host the plan writes the connection that `cloud` owns.
  alsoLocks: (v) => (v.posthogHost !== undefined ? [cloudStack.name] : []),
  alternatives: [[['replicas'], ['minReplicas', 'maxReplicas']]],
  // Without --posthog-host the pods read the connection `cloud` (or an earlier run) wrote.
  readsExisting: (v) =>
    v.posthogHost !== undefined
      ? undefined
      : {
          name: CONNECTION_NAME,
          missing: (ns) => `--posthog-host: no PostHog connection in namespace ${ns} (ConfigMap/Secret ${CONNECTION_NAME}); run \`vh-deploy cloud\` first, or give --posthog-host and --posthog-api-key`,
        },
  // Without the key again, a re-run reads the connection the earlier run wrote.
  recallOnlyWith: { posthogHost: 'posthogApiKey' },
  legacy: modelRouterLegacy,
  check(v) {
    const errors: string[] = [];
    if (v.replicas !== undefined && (v.minReplicas !== undefined || v.maxReplicas !== undefined)) {
      errors.push('--replicas: a fixed count turns the HPA off; it cannot be combined with --min-replicas/--max-replicas');
    }
    const hpa = hpaOf(v);
    if (hpa && hpa.min > hpa.max) errors.push(`--min-replicas: ${hpa.min} is greater than --max-replicas ${hpa.max}`);
    if ((v.posthogHost === undefined) !== !hasSecret(v, 'posthogApiKey')) {
      errors.push(
        v.posthogHost === undefined
          ? '--posthog-api-key: give --posthog-host with it (or write the connection with `vh-deploy cloud`)'
          : '--posthog-host: give --posthog-api-key with it (or write the connection with `vh-deploy cloud`)',
      );
    }
    return errors;
  },
  reusedSecrets: [],
  version: (v) => {
    const image = v.image as string;
    const at = image.indexOf('@');
    return at >= 0 ? image.slice(at + 1) : image.slice(image.lastIndexOf(':') + 1);
  },
  health: () => [
    statusCheck('Model Router /health', MODEL_ROUTER.name, MODEL_ROUTER.httpPort, '/health'),
    statusCheck('Model Router /ready', MODEL_ROUTER.name, MODEL_ROUTER.httpPort, '/ready'),
    bodyCheck('Model Router /metrics', MODEL_ROUTER.name, MODEL_ROUTER.metricsPort, '/metrics', 'missing metrics', (body) => missingMetrics(body, MODEL_ROUTER_METRICS)),
  ],
  render(v, ctx) {
    const hpa = hpaOf(v);
    const [, redisPort] = /:(\d+)$/.exec(v.redisAddr as string) ?? [];
    const data = {
      namespace: ctx.namespace,
      image: v.image,
      replicas: hpa ? undefined : v.replicas,
      hpa,
      domain: v.domain,
      tlsIssuer: v.tlsIssuer,
      ingressClass: v.ingressClass,
      db: { host: v.dbHost, port: String(v.dbPort), name: v.dbName, user: v.dbUser, sslMode: v.dbSslMode },
      // Given as a Secret reference, neither is written (secretRefEnv).
      dbPassword: v.dbPassword,
      databaseUrl: v.dbPassword === undefined ? undefined : databaseUrl(v),
      redisAddr: v.redisAddr,
      redisPort: Number(redisPort),
      redisPassword: v.redisPassword,
      openaiApiKey: v.openaiApiKey,
      anthropicApiKey: v.anthropicApiKey,
      posthogPort: portOf(connectionHost(v, ctx.external)),
    };
    // The NetworkPolicy lists ports as numbers; the ConfigMap wants strings.
    const npData = { ...data, db: { ...data.db, port: v.dbPort } };
    const objects: KubeObject[] = [...renderTemplate('common/namespace.yaml', data)];
    if (v.posthogHost !== undefined) objects.push(...renderConnection(ctx.namespace, v.posthogHost as string, connectionKey(v)));
    objects.push(
      ...renderTemplate('model-router/configmap.yaml', data),
      ...renderTemplate('model-router/secret.yaml', data),
      ...renderTemplate('model-router/serviceaccount.yaml', data),
      ...renderTemplate('model-router/deployment.yaml', data),
      ...renderTemplate('model-router/service.yaml', data),
      ...(hpa ? renderTemplate('model-router/hpa.yaml', data) : []),
      ...renderTemplate('model-router/pdb.yaml', data),
      ...(v.domain ? renderTemplate('model-router/ingress.yaml', data) : []),
      ...renderTemplate('model-router/networkpolicy.yaml', npData),
      ...(ctx.capabilities.serviceMonitor ? renderTemplate('model-router/servicemonitor.yaml', data) : []),
    );
    const env = secretRefEnv(v, ctx.external);
    const container = objects
      .filter((o) => o.kind === 'Deployment' && o.metadata.name === MODEL_ROUTER.name)
      .flatMap((d) => ((d.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers))
      .find((c) => c.name === MODEL_ROUTER.name);
    if (container && env.length) container.env = [...env, ...((container.env as unknown[] | undefined) ?? [])];
    return objects;
  },
  summary(v, ctx) {
    const hpa = hpaOf(v);
    const rows: SummaryRow[] = [
      ['namespace', ctx.namespace],
      ['image', v.image as string, 'image'],
      ['replicas', hpa ? `HPA ${hpa.min}–${hpa.max}` : String(v.replicas), hpa ? ['minReplicas', 'maxReplicas'] : 'replicas'],
      ['PostHog', v.posthogHost ? `${v.posthogHost as string} (key ${keyShown(v)})` : `existing ConfigMap/Secret ${CONNECTION_NAME}`, 'posthogHost'],
      ['database', `${v.dbUser as string}@${v.dbHost as string}:${v.dbPort as number}/${v.dbName as string} (sslmode ${v.dbSslMode as string})`, ['dbHost', 'dbUser', 'dbPort', 'dbName', 'dbSslMode']],
      ['Redis', v.redisAddr as string, 'redisAddr'],
      ...secretRefRows(v),
      ['LLM keys', [hasSecret(v, 'openaiApiKey') ? 'OpenAI' : '', hasSecret(v, 'anthropicApiKey') ? 'Anthropic' : ''].filter(Boolean).join(', ') || 'none'],
      ['Ingress', v.domain ? `https://${v.domain as string}` : 'none', 'domain'],
      ['ServiceMonitor', ctx.capabilities.serviceMonitor ? 'yes' : 'no (monitoring.coreos.com not found)'],
    ];
    return rows;
  },
};
