// The inputs of `vh-deploy self-hosted` (flags, VH_DEPLOY_* env, config keys, prompts).
import { settingsFields } from '../../config/workload-fields.js';
import { DEFAULT_ROW } from './compat.js';
import { POSTHOG_WORKLOADS } from './workloads.js';
import { TLS_FIELDS } from './tls.js';
import { askedField, INGRESS_FIELDS, RESET_VALUES, ADOPT, type Field } from '../../config/fields.js';
import { RECREATE } from '../../config/recreate.js';

export const SELF_HOSTED_FIELDS: Field[] = [
  askedField({ key: 'domain', valueName: 'host', description: 'public host name of PostHog (Ingress host and SITE_URL)', schema: (v) => v.domain, ask: 'Public domain for PostHog (e.g. posthog.example.com)' }),
  ...INGRESS_FIELDS,
  ...TLS_FIELDS,
  { key: 'storageClass', valueName: 'name', description: 'StorageClass for the data volumes (default: the cluster default)', schema: (v) => v.dnsSubdomain('a StorageClass name') },
  { key: 'posthogVersion', valueName: 'tag', description: `PostHog image tag or digest (pinned; default: ${DEFAULT_ROW.posthog}, docs/compatibility.md)`, schema: (v) => v.imageTag },
  // Versions outside src/stacks/posthog/compat.ts are refused unless this is given; it is
  // recorded like any value, so a routine re-run keeps the untested version it allowed.
  { key: 'allowUntestedVersions', boolean: true, description: 'accept a --posthog-version without a tested set of companions (docs/compatibility.md); sets SKIP_SERVICE_VERSION_REQUIREMENTS=1', schema: (v) => v.bool },
  { key: 'posthogImage', valueName: 'repository', description: 'PostHog image repository, e.g. a mirror (default: posthog/posthog)', schema: (v) => v.imageRepository },
  // Production clusters pull through private registries; the tags stay those of the
  // compatibility table (docs/compatibility.md, "Mirrors").
  { key: 'imageRegistry', valueName: 'host[/path]', description: 'pull every default image from this registry (a mirror): the registry part is replaced, repository path and tag kept (postgres:11.7-alpine → HOST/PATH/library/postgres:11.7-alpine)', schema: (v) => v.imageRepository },
  ...Object.entries({ postgres: 'PostgreSQL', redis: 'Redis', clickhouse: 'ClickHouse', kafka: 'Kafka', zookeeper: 'ZooKeeper' }).map(
    ([c, name]): Field => ({ key: `${c}Image`, valueName: 'repository', description: `${name} image repository, without tag (the tag is the compatibility table's)`,
      // `name:15` passes as host:port, but a repository needs a path after a registry port.
      schema: (v) => v.imageRepository.refine((r) => !/^[^/]+:\d+$/.test(r), `expected an image repository without tag, e.g. registry.example.com/library/${c}`) }),
  ),
  { key: 'webReplicas', valueName: 'n', description: 'PostHog web replicas', schema: (v) => v.count(0), default: 2 },
  { key: 'workerReplicas', valueName: 'n', description: 'PostHog worker replicas', schema: (v) => v.count(0), default: 1 },
  { key: 'pluginsReplicas', valueName: 'n', description: 'PostHog plugin-server replicas', schema: (v) => v.count(0), default: 1 },
  ...settingsFields(POSTHOG_WORKLOADS),
  RESET_VALUES,
  ADOPT,
  RECREATE,
];
