// `vh-deploy cloud`: the PostHog connection (ConfigMap + Secret) that the Model Router
// reads, pointing at PostHog Cloud or a custom host.
import { CLOUD_FIELDS } from './fields.js';
import { renderTemplate } from '../../manifests/template.js';
import { maskValue } from '../../manifests/finalize.js';
import type { Stack } from '../stack.js';

export const CLOUD_HOSTS = { us: 'https://us.i.posthog.com', eu: 'https://eu.i.posthog.com' } as const;
export const CONNECTION_NAME = 'model-router-posthog';
export const APP_NAMESPACE = 'voicehelper-prod';

export function cloudHost(values: Record<string, unknown>): string {
  if (typeof values.host === 'string') return values.host.replace(/\/+$/, '');
  return CLOUD_HOSTS[(values.region as 'us' | 'eu' | undefined) ?? 'us'];
}

/** Renders the connection objects; shared with `model-router --posthog-host`. */
export function renderConnection(namespace: string, posthogHost: string, posthogApiKey: string) {
  return [
    ...renderTemplate('posthog-connection/configmap.yaml', { namespace, posthogHost }),
    ...renderTemplate('posthog-connection/secret.yaml', { namespace, posthogApiKey }),
  ];
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
  // The region is asked for at a prompt; without one it falls back to us.
  required: (v, interactive) => (interactive && v.host === undefined ? ['region', 'posthogApiKey'] : ['posthogApiKey']),
  check: (v) => (v.host !== undefined && v.region !== undefined ? ['--host and --region are alternatives; give one'] : []),
  alternatives: [[['region'], ['host']]],
  reusedSecrets: [],
  version: () => undefined,
  health: () => [],
  render(values, ctx) {
    return [
      ...renderTemplate('common/namespace.yaml', { namespace: ctx.namespace }),
      ...renderConnection(ctx.namespace, cloudHost(values), values.posthogApiKey as string),
    ];
  },
  summary: (values, ctx) => [
    ['namespace', ctx.namespace],
    ['PostHog host', cloudHost(values), ['host', 'region']],
    ['project API key', maskValue(values.posthogApiKey as string)],
    ['objects', `ConfigMap/${CONNECTION_NAME}, Secret/${CONNECTION_NAME}`],
  ],
};
