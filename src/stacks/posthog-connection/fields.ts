// The inputs of `vh-deploy cloud` (flags, VH_DEPLOY_* env, config keys, prompts).
import { askedField, RESET_VALUES, ADOPT, type Field } from '../../config/fields.js';
import { withSecretRefs } from '../../config/secret-refs.js';

// --posthog-api-key-secret NAME[/KEY]: the key stays in a Secret the user keeps (docs/day2.md).
export const CLOUD_FIELDS: Field[] = withSecretRefs([
  {
    key: 'region',
    valueName: 'us|eu',
    choices: ['us', 'eu'],
    description: 'PostHog Cloud region: us → https://us.i.posthog.com, eu → https://eu.i.posthog.com; no default (asked on a terminal; otherwise required unless --host)',
    orElse: 'host',
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
  { key: 'host', valueName: 'url', description: 'custom PostHog host instead of a region (e.g. a reverse proxy); https, or plain http only to *.svc, *.internal or loopback', schema: (v) => v.baseUrl },
  askedField({ key: 'posthogApiKey', valueName: 'key', secret: true, description: 'PostHog project API key (phc_…)', schema: (v) => v.posthogProjectKey, ask: 'PostHog project API key (phc_…)' }),
  { key: 'checkKey', boolean: true, recall: false, description: 'check the key against PostHog (POST {host}/flags?v=2) before applying', schema: (v) => v.bool },
  RESET_VALUES,
  ADOPT,
]);
