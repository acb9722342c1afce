// The inputs of `vh-deploy self-hosted` (flags, VH_DEPLOY_* env, config keys, prompts).
import { settingsFields } from '../../config/workload-fields.js';
import { POSTHOG_WORKLOADS } from './workloads.js';
import { askedField, INGRESS_FIELDS, RESET_VALUES, type Field } from '../../config/fields.js';

export const SELF_HOSTED_FIELDS: Field[] = [
  askedField({ key: 'domain', valueName: 'host', description: 'public host name of PostHog (Ingress host and SITE_URL)', schema: (v) => v.domain, ask: 'Public domain for PostHog (e.g. posthog.example.com)' }),
  ...INGRESS_FIELDS,
  { key: 'storageClass', valueName: 'name', description: 'StorageClass for the data volumes (default: the cluster default)', schema: (v) => v.dnsSubdomain('a StorageClass name') },
  { key: 'posthogVersion', valueName: 'tag', description: 'PostHog image tag or digest (pinned)', schema: (v) => v.imageTag },
  // Versions outside src/stacks/posthog/compat.ts are refused unless this is given; it is
  // recorded like any value, so a routine re-run keeps the untested version it allowed.
  { key: 'allowUntestedVersions', boolean: true, description: 'accept a --posthog-version without a tested set of companions (docs/compatibility.md); sets SKIP_SERVICE_VERSION_REQUIREMENTS=1', schema: (v) => v.bool },
  { key: 'posthogImage', valueName: 'repository', description: 'PostHog image repository, e.g. a mirror (default: posthog/posthog)', schema: (v) => v.imageRepository },
  { key: 'webReplicas', valueName: 'n', description: 'PostHog web replicas', schema: (v) => v.count(0), default: 2 },
  { key: 'workerReplicas', valueName: 'n', description: 'PostHog worker replicas', schema: (v) => v.count(0), default: 1 },
  { key: 'pluginsReplicas', valueName: 'n', description: 'PostHog plugin-server replicas', schema: (v) => v.count(0), default: 1 },
  ...settingsFields(POSTHOG_WORKLOADS),
  RESET_VALUES,
];
