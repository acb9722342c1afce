// `vh-deploy cloud`: the PostHog connection (ConfigMap + Secret) that the Model Router
// reads, pointing at PostHog Cloud or a custom host.
import { CLOUD_FIELDS } from './fields.js';
import { cloudLegacy } from './legacy.js';
import { renderTemplate } from '../../manifests/template.js';
import { maskValue } from '../../manifests/finalize.js';
import { secretRefOf, type SecretRef } from '../../config/secret-refs.js';
import type { Stack } from '../stack.js';

export const CLOUD_HOSTS = { us: 'https://us.i.posthog.com', eu: 'https://eu.i.posthog.com' } as const;
export const CONNECTION_NAME = 'model-router-posthog';
export const APP_NAMESPACE = 'voicehelper-prod';

export function cloudHost(values: Record<string, unknown>): string {
  if (typeof values.host === 'string') return values.host.replace(/\/+$/, '');
  return CLOUD_HOSTS[(values.region as 'us' | 'eu' | undefined) ?? 'us'];
}

/**
 * On the connection ConfigMap when the key stays in the user's own Secret
 * (`--posthog-api-key-secret`): `NAME/KEY`, which the Model Router's pods then read.
 */
export const KEY_SECRET_ANNOTATION = 'vh-deploy.io/posthog-api-key-secret';

/**
 * Renders the connection objects; shared with `model-router --posthog-host`. With a
 * Secret reference instead of a key, the connection Secret is written without the key
 * (so a key an earlier run wrote is removed) and the ConfigMap names the reference.
 */
export function renderConnection(namespace: string, posthogHost: string, key: string | SecretRef) {
  const ref = typeof key === 'string' ? undefined : key;
  const cm = renderTemplate('posthog-connection/configmap.yaml', { namespace, posthogHost });
  if (ref) for (const o of cm) o.metadata.annotations = { ...o.metadata.annotations, [KEY_SECRET_ANNOTATION]: `${ref.name}/${ref.key}` };
  return [...cm, ...renderTemplate('posthog-connection/secret.yaml', { namespace, posthogApiKey: ref ? undefined : key })];
}

/** The key as this run gives it: a value, or the user's Secret. */
export function connectionKey(values: Record<string, unknown>): string | SecretRef {
  return secretRefOf(values, 'posthogApiKey') ?? (values.posthogApiKey as string);
}

/** How a summary shows the key: a mask, or where it is kept. */
export function keyShown(values: Record<string, unknown>): string {
  const ref = secretRefOf(values, 'posthogApiKey');
  return ref ? `in Secret ${ref.name}, key ${ref.key}` : maskValue(values.posthogApiKey as string);
}

export const cloudStack: Stack = {
  command: {
    name: 'cloud',
    summary: 'connect the Model Router to PostHog Cloud (ConfigMap + Secret it reads)',
    examples: [
    'vh-deploy cloud                                   # asks for region and key',
    'VH_DEPLOY_POSTHOG_API_KEY=phc_… vh-deploy cloud --region eu --yes',
    'vh-deploy cloud --host https://posthog.internal.example.com --posthog-api-key-file key.txt --check-key',
    ],
  },
  name: 'posthog-connection',
  defaultNamespace: APP_NAMESPACE,
  fields: CLOUD_FIELDS,
  // No default region: an EU key sent to the US host "succeeds" against the wrong project.
  // Asked on a terminal; without one, --region or --host is required.
  required: (v) => (v.host === undefined ? ['region', 'posthogApiKey'] : ['posthogApiKey']),
  check: (v) => (v.host !== undefined && v.region !== undefined ? ['--host and --region are alternatives; give one'] : []),
  alternatives: [[['region'], ['host']]],
  reusedSecrets: [],
  legacy: cloudLegacy,
  version: () => undefined,
  health: () => [],
  render(values, ctx) {
    return [
      ...renderTemplate('common/namespace.yaml', { namespace: ctx.namespace }),
      ...renderConnection(ctx.namespace, cloudHost(values), connectionKey(values)),
    ];
  },
  summary: (values, ctx) => [
    ['namespace', ctx.namespace],
    ['PostHog host', cloudHost(values), ['host', 'region']],
    ['project API key', keyShown(values), 'posthogApiKeySecret'],
    ['objects', `ConfigMap/${CONNECTION_NAME}, Secret/${CONNECTION_NAME}`],
  ],
};
