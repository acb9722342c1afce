// The inputs of `vh-deploy model-router` (flags, VH_DEPLOY_* env, config keys, prompts).
import { settingsFields } from '../../config/workload-fields.js';
import { MODEL_ROUTER_WORKLOADS } from './workloads.js';
import { askedField, INGRESS_FIELDS, RESET_VALUES, ADOPT, type Field } from '../../config/fields.js';
import { RECREATE } from '../../config/recreate.js';
import { withSecretRefs } from '../../config/secret-refs.js';

// Each secret input also takes an existing Secret: --db-password-secret NAME[/KEY] (docs/day2.md).
export const MODEL_ROUTER_FIELDS: Field[] = withSecretRefs([
  askedField({ key: 'image', valueName: 'ref', description: 'Model Router image with a tag or digest (e.g. registry.example.com/model-router:1.4.2)', schema: (v) => v.imageRef, ask: 'Model Router image (registry/name:tag or @sha256:…)' }),
  { key: 'replicas', valueName: 'n', description: 'fixed replica count (turns the HPA off)', schema: (v) => v.count(0) },
  { key: 'minReplicas', valueName: 'n', description: 'HPA minimum replicas (default 3)', schema: (v) => v.count(1) },
  { key: 'maxReplicas', valueName: 'n', description: 'HPA maximum replicas (default 10)', schema: (v) => v.count(1) },
  { key: 'domain', valueName: 'host', description: 'public host name; adds an Ingress with TLS', schema: (v) => v.domain },
  ...INGRESS_FIELDS,
  { key: 'posthogHost', valueName: 'url', description: 'PostHog host (default: the connection written by `cloud`, or the in-cluster PostHog)', schema: (v) => v.baseUrl },
  { key: 'posthogApiKey', valueName: 'key', secret: true, description: 'PostHog project API key (phc_…)', schema: (v) => v.posthogProjectKey },
  askedField({ key: 'dbHost', valueName: 'host', description: 'PostgreSQL host', schema: (v) => v.hostName, ask: 'PostgreSQL host' }),
  { key: 'dbPort', valueName: 'port', description: 'PostgreSQL port', schema: (v) => v.port, default: 5432 },
  { key: 'dbSslMode', valueName: 'mode', choices: ['disable', 'require', 'verify-ca', 'verify-full'], description: 'PostgreSQL sslmode', schema: (v) => v.oneOf(['disable', 'require', 'verify-ca', 'verify-full']), default: 'require' },
  { key: 'dbName', valueName: 'name', description: 'PostgreSQL database', schema: (v) => v.plainName('a database name'), default: 'model_router' },
  askedField({ key: 'dbUser', valueName: 'user', description: 'PostgreSQL user', schema: (v) => v.plainName('a user name'), ask: 'PostgreSQL user' }),
  askedField({ key: 'dbPassword', valueName: 'password', secret: true, description: 'PostgreSQL password', schema: (v) => v.password, ask: 'PostgreSQL password' }),
  askedField({ key: 'redisAddr', valueName: 'host:port', description: 'Redis address', schema: (v) => v.hostPort, ask: 'Redis address (host:port)' }),
  { key: 'redisPassword', valueName: 'password', secret: true, description: 'Redis password (if Redis requires one)', schema: (v) => v.password },
  { key: 'openaiApiKey', valueName: 'key', secret: true, description: 'OpenAI API key', schema: (v) => v.openaiKey },
  { key: 'anthropicApiKey', valueName: 'key', secret: true, description: 'Anthropic API key', schema: (v) => v.anthropicKey },
  ...settingsFields(MODEL_ROUTER_WORKLOADS),
  RESET_VALUES,
  ADOPT,
  RECREATE,
]);
