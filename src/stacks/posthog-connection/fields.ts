// The inputs of `vh-deploy cloud` (flags, VH_DEPLOY_* env, config keys, prompts).
import { askedField, RESET_VALUES, type Field } from '../../config/fields.js';

export const CLOUD_FIELDS: Field[] = [
  {
    key: 'region',
    valueName: 'us|eu',
    choices: ['us', 'eu'],
    description: 'PostHog Cloud region (us → https://us.i.posthog.com, eu → https://eu.i.posthog.com)',
    schema: (v) => v.oneOf(['us', 'eu']),
    prompt: {
      kind: 'select',
      message: 'PostHog Cloud region',
      choices: [
        { value: 'us', name: 'US (us.i.posthog.com)' },
        { value: 'eu', name: 'EU (eu.i.posthog.com)' },
      ],
    },
  },
  { key: 'host', valueName: 'url', description: 'custom PostHog host instead of a region (e.g. a reverse proxy)', schema: (v) => v.baseUrl },
  askedField({ key: 'posthogApiKey', valueName: 'key', secret: true, description: 'PostHog project API key (phc_…)', schema: (v) => v.posthogProjectKey, ask: 'PostHog project API key (phc_…)' }),
  { key: 'checkKey', boolean: true, recall: false, description: 'check the key against PostHog (POST {host}/flags?v=2) before applying', schema: (v) => v.bool },
  RESET_VALUES,
];
