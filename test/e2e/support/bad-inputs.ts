// The bad-input corpus (issue 6): flags, env vars, config files and kubeconfigs that
// must each be refused with the exit code of docs/architecture.md rule 8, one `error: ` line naming
// the culprit, no stack trace, and nothing written. Shared by
// test/unit/proof-bad-input.test.ts (no cluster: KUBECONFIG points at a dead port, so an
// input that slipped through would show up as exit 3) and
// test/e2e/proof-bad-input.test.ts (the same cases against the real API server with a
// fresh namespace, which must still not exist afterwards).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BadInput {
  id: string;
  /** argv; `{{name}}` is replaced by the path of the file `name` from `files`. */
  args: string[];
  env?: Record<string, string>;
  files?: Record<string, string | Buffer>;
  code: number;
  /** Must match the first stderr line that starts with `error: `. */
  culprit: RegExp;
  /** A value that must appear nowhere in the output (a secret given with the bad input). */
  secret?: string;
}

export const KEY = 'phc_badInputBADinputBAD012345';
const MR = ['--image', 'registry.example.com/model-router:1.4.2', '--db-host', 'pg.data', '--db-user', 'router', '--redis-addr', 'redis.data:6379', '--posthog-host', 'https://eu.i.posthog.com'];
const MR_ENV = { VH_DEPLOY_DB_PASSWORD: 'bad-input-db-password-1', VH_DEPLOY_POSTHOG_API_KEY: KEY };
const CLOUD_ENV = { VH_DEPLOY_POSTHOG_API_KEY: KEY };

/** YAML "billion laughs": 9 levels of 9 aliases (81 aliases, under js-yaml's limit of 100) = 9^9 strings. */
export function yamlBomb(key: string): string {
  const lines = [`${key}:`, '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) lines.push(`  l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(',')}]`);
  return `${lines.join('\n')}\n`;
}

function kubeconfig(o: { server?: string; context?: string; current?: string | null; user?: string | null }): string {
  const server = o.server ?? 'https://127.0.0.1:1';
  const ctx = o.context ?? 'dead';
  const users = o.user === null ? '[]' : `[{name: ${o.user ?? 'u'}, user: {token: not-a-real-token-0000}}]`;
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: c, cluster: {server: "${server}"}}]`,
    `users: ${users}`,
    `contexts: [{name: ${ctx}, context: {cluster: c, user: ${o.user === null ? 'ghost' : (o.user ?? 'u')}}}]`,
    ...(o.current === null ? [] : [`current-context: ${o.current ?? ctx}`]),
    '',
  ].join('\n');
}

/** A kubeconfig whose server is a port nothing listens on: reaching the cluster would be exit 3. */
export const DEAD_KUBECONFIG = kubeconfig({});

export const BAD_INPUTS: BadInput[] = [
  // ---- flags: self-hosted -------------------------------------------------------------
  { id: 'flag --domain with a space', args: ['self-hosted', '--yes', '--domain', 'bad domain'], code: 2, culprit: /^error: --domain: expected a lowercase DNS name.*got "bad domain"$/ },
  { id: 'flag --domain placeholder', args: ['self-hosted', '--yes', '--domain', 'your-domain.com'], code: 2, culprit: /^error: --domain: the domain is a placeholder/ },
  { id: 'flag --domain single label', args: ['self-hosted', '--yes', '--domain', 'localhost'], code: 2, culprit: /^error: --domain: .*got "localhost"$/ },
  { id: 'flag --domain upper case', args: ['self-hosted', '--yes', '--domain', 'PostHog.Example.com'], code: 2, culprit: /^error: --domain: / },
  { id: 'flag --posthog-version latest', args: ['self-hosted', '--yes', '--domain', 'p.example.com', '--posthog-version', 'latest'], code: 2, culprit: /^error: --posthog-version: the latest tag is not reproducible/ },
  { id: 'flag --posthog-version outside the compatibility table', args: ['self-hosted', '--yes', '--domain', 'p.example.com', '--posthog-version', 'release-1.44.0'], code: 2, culprit: /^error: --posthog-version: "release-1\.44\.0" is not a PostHog version .*supported: release-1\.43\.0, release-1\.42\.0 .*--allow-untested-versions/ },
  { id: 'flag --tls-issuer with a space', args: ['self-hosted', '--yes', '--domain', 'p.example.com', '--tls-issuer', 'Bad Issuer'], code: 2, culprit: /^error: --tls-issuer: expected an issuer name/ },
  { id: 'flag --storage-class upper case', args: ['self-hosted', '--yes', '--domain', 'p.example.com', '--storage-class', 'FAST'], code: 2, culprit: /^error: --storage-class: / },
  { id: 'flag --ingress-class underscore', args: ['self-hosted', '--yes', '--domain', 'p.example.com', '--ingress-class', 'nginx_int'], code: 2, culprit: /^error: --ingress-class: / },
  { id: 'flag --posthog-image upper case', args: ['self-hosted', '--yes', '--domain', 'p.example.com', '--posthog-image', 'Registry/PostHog'], code: 2, culprit: /^error: --posthog-image: / },
  // Issue 10: mirrors keep the table's tags; TLS is a choice, made once.
  { id: 'flag --image-registry with a scheme', args: ['self-hosted', '--yes', '--domain', 'p.example.com', '--insecure-http', '--image-registry', 'https://mirror.example.com'], code: 2, culprit: /^error: --image-registry: expected an image repository without tag/ },
  { id: 'flag --postgres-image with a tag', args: ['self-hosted', '--yes', '--domain', 'p.example.com', '--insecure-http', '--postgres-image', 'postgres:15'], code: 2, culprit: /^error: --postgres-image: expected an image repository without tag/ },
  { id: 'flag --tls-secret upper case', args: ['self-hosted', '--yes', '--domain', 'p.example.com', '--tls-secret', 'My_Cert'], code: 2, culprit: /^error: --tls-secret: / },
  { id: 'self-hosted without a TLS choice', args: ['self-hosted', '--yes', '--domain', 'p.example.com'], code: 2, culprit: /^error: self-hosted: choose how PostHog is served .*--tls-issuer NAME .*--tls-secret NAME .*--insecure-http / },
  { id: 'flag --tls-issuer and --tls-secret together', args: ['self-hosted', '--yes', '--domain', 'p.example.com', '--tls-issuer', 'le', '--tls-secret', 'cert'], code: 2, culprit: /^error: --tls-issuer and --tls-secret are alternatives/ },
  { id: 'flag --insecure-http with --tls-issuer', args: ['self-hosted', '--yes', '--domain', 'p.example.com', '--tls-issuer', 'le', '--insecure-http'], code: 2, culprit: /^error: --insecure-http serves PostHog without TLS/ },
  // ---- flags: cloud -----------------------------------------------------------------------
  // Issue 13, item 2: no silent US default without a terminal.
  { id: 'cloud without --region or --host', args: ['cloud', '--yes'], env: CLOUD_ENV, code: 2, culprit: /^error: missing required value: --region or --host$/ },
  { id: 'flag --region unknown', args: ['cloud', '--yes', '--region', 'ap'], env: CLOUD_ENV, code: 2, culprit: /^error: --region: expected one of us, eu; got "ap"$/ },
  { id: 'flag --region and --host together', args: ['cloud', '--yes', '--region', 'us', '--host', 'https://ph.example.com'], env: CLOUD_ENV, code: 2, culprit: /^error: --host and --region are alternatives/ },
  { id: 'flag --host ftp://', args: ['cloud', '--yes', '--host', 'ftp://ph.example.com'], env: CLOUD_ENV, code: 2, culprit: /^error: --host: expected an http:\/\/ or https:\/\/ URL/ },
  { id: 'flag --host with credentials (password not echoed)', args: ['cloud', '--yes', '--host', 'https://admin:hunter2-url-pass@ph.example.com'], env: CLOUD_ENV, code: 2, culprit: /^error: --host: the URL must not contain credentials/, secret: 'hunter2-url-pass' },
  { id: 'flag --host plain http to the internet', args: ['cloud', '--yes', '--host', 'http://ph.example.com'], env: CLOUD_ENV, code: 2, culprit: /^error: --host: expected https:\/\// },
  { id: 'flag --host with a query', args: ['cloud', '--yes', '--host', 'https://ph.example.com/?x=1'], env: CLOUD_ENV, code: 2, culprit: /^error: --host: the URL must not contain a query/ },
  { id: 'flag --posthog-api-key not phc_', args: ['cloud', '--yes', '--region', 'us', '--posthog-api-key', 'sk-notaposthogkey123456'], code: 2, culprit: /^error: --posthog-api-key: expected a PostHog project API key.*got a value of 23 bytes$/, secret: 'sk-notaposthogkey123456' },
  { id: 'flag --posthog-api-key personal key', args: ['cloud', '--yes', '--region', 'us', '--posthog-api-key', 'phx_PERSONALpersonal0123456789'], code: 2, culprit: /^error: --posthog-api-key: that is a personal or secret PostHog key/, secret: 'phx_PERSONALpersonal0123456789' },
  { id: 'flag --posthog-api-key placeholder', args: ['cloud', '--yes', '--region', 'us', '--posthog-api-key', 'phc_YOUR_PROJECT_API_KEY'], code: 2, culprit: /^error: --posthog-api-key: the PostHog API key is a placeholder/ },
  { id: 'flag key and key-file together', args: ['cloud', '--yes', '--region', 'us', '--posthog-api-key', KEY, '--posthog-api-key-file', '{{key.txt}}'], files: { 'key.txt': `${KEY}\n` }, code: 2, culprit: /^error: --posthog-api-key: give the value or --posthog-api-key-file, not both/, secret: KEY },
  { id: 'flag --posthog-api-key-file missing', args: ['cloud', '--yes', '--region', 'us', '--posthog-api-key-file', '/nonexistent/vh-key.txt'], code: 2, culprit: /^error: --posthog-api-key-file: cannot read "\/nonexistent\/vh-key.txt" \(ENOENT\)$/ },
  { id: 'flag --posthog-api-key-file empty', args: ['cloud', '--yes', '--region', 'us', '--posthog-api-key-file', '{{empty-key.txt}}'], files: { 'empty-key.txt': '' }, code: 2, culprit: /^error: --posthog-api-key \(from --posthog-api-key-file\): .*got a value of 0 bytes$/ },
  { id: 'flag --posthog-api-key-file is a directory', args: ['cloud', '--yes', '--region', 'us', '--posthog-api-key-file', '/tmp'], code: 2, culprit: /^error: --posthog-api-key-file: cannot read "\/tmp" \(EISDIR\)$/ },
  // ---- flags: model-router ----------------------------------------------------------------
  { id: 'flag --image untagged', args: ['model-router', '--yes', ...MR, '--image', 'registry.example.com/model-router'], env: MR_ENV, code: 2, culprit: /^error: --image: expected a tag or digest/ },
  { id: 'flag --image :latest', args: ['model-router', '--yes', ...MR, '--image', 'registry.example.com/model-router:latest'], env: MR_ENV, code: 2, culprit: /^error: --image: the latest tag is not reproducible/ },
  { id: 'flag --image upper case', args: ['model-router', '--yes', ...MR, '--image', 'Registry/MR:1'], env: MR_ENV, code: 2, culprit: /^error: --image: expected an image reference/ },
  { id: 'flag --image short digest', args: ['model-router', '--yes', ...MR, '--image', 'registry.example.com/mr@sha256:abc'], env: MR_ENV, code: 2, culprit: /^error: --image: expected a digest of the form/ },
  { id: 'flag --image with YAML/JSON injection', args: ['model-router', '--yes', ...MR, '--image', 'r.example.com/mr:1\n    securityContext: {privileged: true}'], env: MR_ENV, code: 2, culprit: /^error: --image: / },
  { id: 'flag --replicas negative', args: ['model-router', '--yes', ...MR, '--replicas', '-1'], env: MR_ENV, code: 2, culprit: /^error: --replicas: expected a whole number from 0 to 1000; got "-1"$/ },
  { id: 'flag --replicas too many', args: ['model-router', '--yes', ...MR, '--replicas', '1001'], env: MR_ENV, code: 2, culprit: /^error: --replicas: expected a whole number from 0 to 1000; got "1001"$/ },
  { id: 'flag --replicas not a number', args: ['model-router', '--yes', ...MR, '--replicas', 'three'], env: MR_ENV, code: 2, culprit: /^error: --replicas: .*got "three"$/ },
  { id: 'flag --min-replicas 0', args: ['model-router', '--yes', ...MR, '--min-replicas', '0'], env: MR_ENV, code: 2, culprit: /^error: --min-replicas: expected a whole number from 1 to 1000; got "0"$/ },
  { id: 'flag --max-replicas fraction', args: ['model-router', '--yes', ...MR, '--max-replicas', '1.5'], env: MR_ENV, code: 2, culprit: /^error: --max-replicas: .*got "1.5"$/ },
  { id: 'flag --min-replicas above --max-replicas', args: ['model-router', '--yes', ...MR, '--min-replicas', '5', '--max-replicas', '2'], env: MR_ENV, code: 2, culprit: /^error: --min-replicas: 5 is greater than --max-replicas 2$/ },
  { id: 'flag --db-port out of range', args: ['model-router', '--yes', ...MR, '--db-port', '70000'], env: MR_ENV, code: 2, culprit: /^error: --db-port: expected a port between 1 and 65535; got "70000"$/ },
  { id: 'flag --db-port not a number', args: ['model-router', '--yes', ...MR, '--db-port', 'pg'], env: MR_ENV, code: 2, culprit: /^error: --db-port: .*got "pg"$/ },
  { id: 'flag --db-host with a space', args: ['model-router', '--yes', ...MR, '--db-host', 'pg data'], env: MR_ENV, code: 2, culprit: /^error: --db-host: expected a host name or IP address; got "pg data"$/ },
  { id: 'flag --db-user with SQL', args: ['model-router', '--yes', ...MR, '--db-user', "router';DROP TABLE x;--"], env: MR_ENV, code: 2, culprit: /^error: --db-user: expected a user name/ },
  { id: 'flag --db-name with a space', args: ['model-router', '--yes', ...MR, '--db-name', 'model router'], env: MR_ENV, code: 2, culprit: /^error: --db-name: expected a database name/ },
  { id: 'flag --db-ssl-mode unknown', args: ['model-router', '--yes', ...MR, '--db-ssl-mode', 'maybe'], env: MR_ENV, code: 2, culprit: /^error: --db-ssl-mode: expected one of disable, require, verify-ca, verify-full; got "maybe"$/ },
  { id: 'flag --redis-addr without port', args: ['model-router', '--yes', ...MR, '--redis-addr', 'redis.data'], env: MR_ENV, code: 2, culprit: /^error: --redis-addr: expected host:port/ },
  { id: 'flag --redis-addr port out of range', args: ['model-router', '--yes', ...MR, '--redis-addr', 'redis.data:99999'], env: MR_ENV, code: 2, culprit: /^error: --redis-addr: expected host:port/ },
  { id: 'flag --openai-api-key placeholder', args: ['model-router', '--yes', ...MR, '--openai-api-key', 'sk-...'], env: MR_ENV, code: 2, culprit: /^error: --openai-api-key: the OpenAI API key is a placeholder/ },
  { id: 'flag --anthropic-api-key malformed', args: ['model-router', '--yes', ...MR, '--anthropic-api-key', 'sk-short-anthropic'], env: MR_ENV, code: 2, culprit: /^error: --anthropic-api-key: expected an Anthropic API key.*got a value of 18 bytes$/, secret: 'sk-short-anthropic' },
  { id: 'flag --posthog-host javascript:', args: ['model-router', '--yes', ...MR, '--posthog-host', 'javascript:alert(1)'], env: MR_ENV, code: 2, culprit: /^error: --posthog-host: expected an http:\/\/ or https:\/\/ URL/ },
  { id: 'flag --db-password too long', args: ['model-router', '--yes', ...MR, '--db-password', 'p'.repeat(513)], env: { VH_DEPLOY_POSTHOG_API_KEY: KEY }, code: 2, culprit: /^error: --db-password: expected at most 512 characters; got a value of 513 bytes$/, secret: 'p'.repeat(513) },
  { id: 'missing required values (all listed at once)', args: ['model-router', '--yes'], code: 2, culprit: /^error: missing required values: --image, --db-host, --db-user, --db-password, --redis-addr$/ },
  // ---- flags: global --------------------------------------------------------------------
  { id: 'flag -n not a DNS label', args: ['cloud', '--yes', '--region', 'us', '-n', 'Voice_Helper'], env: CLOUD_ENV, code: 2, culprit: /^error: --namespace: expected a namespace name.*got "Voice_Helper"$/ },
  { id: 'flag -n longer than 63', args: ['cloud', '--yes', '--region', 'us', '-n', 'n'.repeat(64)], env: CLOUD_ENV, code: 2, culprit: /^error: --namespace: expected a namespace name/ },
  { id: 'flag -o yaml', args: ['cloud', '--yes', '--region', 'us', '-o', 'yaml'], env: CLOUD_ENV, code: 2, culprit: /^error: --output: expected one of text, json, wide; got "yaml"$/ },
  { id: 'flag --timeout words', args: ['cloud', '--yes', '--region', 'us', '--timeout', 'soon'], env: CLOUD_ENV, code: 2, culprit: /^error: --timeout: expected a duration.*got "soon"$/ },
  { id: 'flag --timeout 0s', args: ['cloud', '--yes', '--region', 'us', '--timeout', '0s'], env: CLOUD_ENV, code: 2, culprit: /^error: --timeout: expected a duration.*got "0s"$/ },
  { id: 'flag --timeout 25h', args: ['cloud', '--yes', '--region', 'us', '--timeout', '25h'], env: CLOUD_ENV, code: 2, culprit: /^error: --timeout: expected a duration.*at most 24h.*got "25h"$/ },
  { id: 'flag --dry-run=maybe', args: ['cloud', '--yes', '--region', 'us', '--dry-run=maybe'], env: CLOUD_ENV, code: 2, culprit: /^error: --dry-run: expected client, server or none; got "maybe"$/ },
  { id: 'flag --kubeconfig empty string', args: ['cloud', '--yes', '--region', 'us', '--kubeconfig', ''], env: CLOUD_ENV, code: 2, culprit: /^error: option '--kubeconfig <path>' argument '' is invalid\. The value is empty/ },
  { id: 'flag --context with a space', args: ['cloud', '--yes', '--region', 'us', '--context', 'my context'], env: CLOUD_ENV, code: 2, culprit: /^error: --context: expected a kubeconfig context name; got "my context"$/ },
  { id: 'unknown flag', args: ['cloud', '--yes', '--region', 'us', '--regoin', 'eu'], env: CLOUD_ENV, code: 2, culprit: /^error: unknown option '--regoin'/ },
  { id: 'unknown command', args: ['deploy-everything'], code: 2, culprit: /^error: unknown command 'deploy-everything'/ },
  { id: 'render of an unknown stack', args: ['render', 'posthog-server'], code: 2, culprit: /^error: render: unknown stack "posthog-server"/ },
  { id: 'diff of an unknown stack', args: ['diff', 'everything'], code: 2, culprit: /^error: diff: unknown stack "everything"/ },
  // ---- day-2 commands -------------------------------------------------------------------
  { id: 'scale: unknown workload', args: ['scale', 'model-router/nope', '--replicas', '2'], code: 2, culprit: /^error: STACK\/WORKLOAD: model-router has no workload "nope"; expected model-router\/model-router$/ },
  { id: 'scale: unknown stack', args: ['scale', 'nope/x', '--replicas', '2'], code: 2, culprit: /^error: STACK\/WORKLOAD: unknown stack "nope"/ },
  { id: 'scale: --replicas negative', args: ['scale', 'model-router/model-router', '--replicas', '-3'], code: 2, culprit: /^error: --replicas: expected a whole number from 0 to 1000; got "-3"$/ },
  { id: 'scale: nothing to change', args: ['scale', 'model-router/model-router'], code: 2, culprit: /^error: --replicas: give --replicas N/ },
  { id: 'scale: --min above --max', args: ['scale', 'model-router/model-router', '--min', '5', '--max', '2'], code: 2, culprit: /^error: --min 5 is greater than --max 2$/ },
  // Issue 13, item 8: a value left in the environment says where it came from.
  { id: 'scale: VH_DEPLOY_REPLICAS left in env with --min', args: ['scale', 'model-router/model-router', '--min', '4'], env: { VH_DEPLOY_REPLICAS: '3' }, code: 2, culprit: /^error: --replicas 3 \(from VH_DEPLOY_REPLICAS\) and --min 4 are alternatives; give one \(unset VH_DEPLOY_REPLICAS\)$/ },
  { id: 'upgrade: --image-tag latest', args: ['upgrade', 'model-router', '--image-tag', 'latest'], code: 2, culprit: /^error: --image-tag: the latest tag is not reproducible/ },
  { id: 'upgrade: no version given', args: ['upgrade', 'model-router'], code: 2, culprit: /^error: --image-tag: give either --image-tag TAG or --image REF$/ },
  { id: 'upgrade: --image-tag and --image together', args: ['upgrade', 'model-router', '--image-tag', '1.2.3', '--image', 'registry.example.com/mr:1.2.3'], code: 2, culprit: /^error: --image-tag: give either --image-tag TAG or --image REF$/ },
  { id: 'upgrade: unknown stack', args: ['upgrade', 'postgres', '--image-tag', '1.2.3'], code: 2, culprit: /^error: stack: unknown stack "postgres"/ },
  { id: 'upgrade: posthog --posthog-version malformed', args: ['upgrade', 'posthog', '--posthog-version', 'bad tag!'], code: 2, culprit: /^error: --posthog-version: expected an image tag .*got "bad tag!"$/ },
  { id: 'upgrade: posthog --posthog-version outside the compatibility table', args: ['upgrade', 'posthog', '--posthog-version', 'release-1.44.0'], code: 2, culprit: /^error: --posthog-version: "release-1\.44\.0" is not a PostHog version .*supported: release-1\.43\.0, release-1\.42\.0/ },
  { id: 'upgrade: model-router --posthog-version (PostHog only)', args: ['upgrade', 'model-router', '--posthog-version', '1.2.3'], code: 2, culprit: /^error: --posthog-version: is for posthog/ },
  { id: 'upgrade: the old --version TAG form', args: ['upgrade', 'posthog', '--version', 'release-1.42.0'], code: 2, culprit: /^error: --version prints vh-deploy's version and takes no value; to upgrade PostHog give --posthog-version TAG/ },
  { id: 'upgrade: --version with an unset variable', args: ['upgrade', 'posthog', '--version', '--yes'], code: 2, culprit: /^error: --version prints vh-deploy's version/ },
  { id: 'rollback: --to-revision not a number', args: ['rollback', 'model-router', '--to-revision', 'abc'], code: 2, culprit: /^error: --to-revision: expected a revision number .*got "abc"$/ },
  { id: 'rollback: --to-revision 0', args: ['rollback', 'model-router', '--to-revision', '0'], code: 2, culprit: /^error: --to-revision: expected a revision number .*got "0"$/ },
  { id: 'rollback: unknown stack', args: ['rollback', 'nope'], code: 2, culprit: /^error: stack: unknown stack "nope"/ },
  { id: 'history: unknown stack', args: ['history', 'nope'], code: 2, culprit: /^error: stack: unknown stack "nope"/ },
  { id: 'history: --revision negative', args: ['history', 'model-router', '--revision', '-1'], code: 2, culprit: /^error: --revision: expected a revision number .*got "-1"$/ },
  { id: 'verify: unknown stack', args: ['verify', 'nope'], code: 2, culprit: /^error: stack: unknown stack "nope"/ },
  { id: 'flag --lock-wait words', args: ['cloud', '--yes', '--region', 'us', '--lock-wait', 'forever'], env: CLOUD_ENV, code: 2, culprit: /^error: --lock-wait: expected a duration .*got "forever"$/ },
  { id: 'env VH_DEPLOY_FORCE_UNLOCK not a boolean', args: ['cloud', '--yes', '--region', 'us'], env: { ...CLOUD_ENV, VH_DEPLOY_FORCE_UNLOCK: 'maybe' }, code: 2, culprit: /^error: --force-unlock \(from VH_DEPLOY_FORCE_UNLOCK\): expected true or false; got "maybe"$/ },
  // ---- env vars ---------------------------------------------------------------------------
  { id: 'env VH_DEPLOY_DOMAIN invalid', args: ['self-hosted', '--yes'], env: { VH_DEPLOY_DOMAIN: 'Not_A_Domain' }, code: 2, culprit: /^error: --domain \(from VH_DEPLOY_DOMAIN\): expected a lowercase DNS name.*got "Not_A_Domain"$/ },
  { id: 'env VH_DEPLOY_YES not a boolean', args: ['cloud', '--region', 'us'], env: { ...CLOUD_ENV, VH_DEPLOY_YES: 'perhaps' }, code: 2, culprit: /^error: --yes \(from VH_DEPLOY_YES\): expected true or false; got "perhaps"$/ },
  { id: 'env VH_DEPLOY_TIMEOUT words', args: ['cloud', '--yes', '--region', 'us'], env: { ...CLOUD_ENV, VH_DEPLOY_TIMEOUT: 'forever' }, code: 2, culprit: /^error: --timeout \(from VH_DEPLOY_TIMEOUT\): expected a duration/ },
  { id: 'env VH_DEPLOY_REGION unknown', args: ['cloud', '--yes'], env: { ...CLOUD_ENV, VH_DEPLOY_REGION: 'mars' }, code: 2, culprit: /^error: --region \(from VH_DEPLOY_REGION\): expected one of us, eu; got "mars"$/ },
  { id: 'env VH_DEPLOY_DRY_RUN unknown', args: ['cloud', '--yes', '--region', 'us'], env: { ...CLOUD_ENV, VH_DEPLOY_DRY_RUN: 'sideways' }, code: 2, culprit: /^error: --dry-run: expected client, server or none; got "sideways"$/ },
  { id: 'env VH_DEPLOY_REPLICAS not a number', args: ['model-router', '--yes', ...MR], env: { ...MR_ENV, VH_DEPLOY_REPLICAS: 'many' }, code: 2, culprit: /^error: --replicas \(from VH_DEPLOY_REPLICAS\): .*got "many"$/ },
  { id: 'env VH_DEPLOY_OUTPUT xml', args: ['cloud', '--yes', '--region', 'us'], env: { ...CLOUD_ENV, VH_DEPLOY_OUTPUT: 'xml' }, code: 2, culprit: /^error: --output \(from VH_DEPLOY_OUTPUT\): expected one of text, json, wide; got "xml"$/ },
  { id: 'env VH_DEPLOY_NAMESPACE invalid', args: ['cloud', '--yes', '--region', 'us'], env: { ...CLOUD_ENV, VH_DEPLOY_NAMESPACE: 'Prod' }, code: 2, culprit: /^error: --namespace \(from VH_DEPLOY_NAMESPACE\): / },
  { id: 'env VH_DEPLOY_POSTHOG_API_KEY_FILE missing', args: ['cloud', '--yes', '--region', 'us'], env: { VH_DEPLOY_POSTHOG_API_KEY_FILE: '/nonexistent/key' }, code: 2, culprit: /^error: --posthog-api-key-file: cannot read "\/nonexistent\/key" \(ENOENT\)$/ },
  { id: 'env VH_DEPLOY_DB_PASSWORD with a line break', args: ['model-router', '--yes', ...MR], env: { VH_DEPLOY_POSTHOG_API_KEY: KEY, VH_DEPLOY_DB_PASSWORD: 'line1-secret\nline2-secret' }, code: 2, culprit: /^error: --db-password \(from VH_DEPLOY_DB_PASSWORD\): the password must not contain line breaks or NUL; got a value of 25 bytes$/, secret: 'line1-secret' },
  { id: 'env VH_DEPLOY_POSTHOG_API_KEY placeholder', args: ['cloud', '--yes', '--region', 'us'], env: { VH_DEPLOY_POSTHOG_API_KEY: 'phc_YOUR_KEY_HERE' }, code: 2, culprit: /^error: --posthog-api-key \(from VH_DEPLOY_POSTHOG_API_KEY\): the PostHog API key is a placeholder/ },
  // ---- config files -----------------------------------------------------------------------
  { id: 'config malformed YAML', args: ['self-hosted', '--yes', '--config', '{{bad.yaml}}'], files: { 'bad.yaml': 'domain: [unclosed\n' }, code: 2, culprit: /^error: --config \S+bad\.yaml: invalid YAML at line 2, column 1: / },
  { id: 'config duplicate key', args: ['self-hosted', '--yes', '--config', '{{dup.yaml}}'], files: { 'dup.yaml': 'domain: a.example.com\ndomain: b.example.com\n' }, code: 2, culprit: /^error: --config \S+dup\.yaml: invalid YAML at line 2.*duplicated mapping key$/ },
  { id: 'config wrong type (number for domain)', args: ['self-hosted', '--yes', '--config', '{{num.yaml}}'], files: { 'num.yaml': 'domain: 5\n' }, code: 2, culprit: /^error: --domain \(from config key domain\): .*got "5"$/ },
  { id: 'config wrong type (string for replicas)', args: ['model-router', '--yes', ...MR, '--config', '{{rep.yaml}}'], env: MR_ENV, files: { 'rep.yaml': 'replicas: three\n' }, code: 2, culprit: /^error: --replicas \(from config key replicas\): .*got "three"$/ },
  { id: 'config wrong type (mapping for domain)', args: ['self-hosted', '--yes', '--config', '{{map.yaml}}'], files: { 'map.yaml': 'domain: {host: p.example.com}\n' }, code: 2, culprit: /^error: --domain \(from config key domain\): .*got a mapping$/ },
  { id: 'config unknown key', args: ['self-hosted', '--yes', '--config', '{{unknown.yaml}}'], files: { 'unknown.yaml': 'domain: p.example.com\ndomian: q.example.com\n' }, code: 2, culprit: /^error: --config \S+unknown\.yaml: Unrecognized key: "domian"$/ },
  { id: 'config of 10 MB', args: ['self-hosted', '--yes', '--config', '{{big.yaml}}'], files: { 'big.yaml': `domain: p.example.com\n${'# padding padding padding padding padding padding\n'.repeat(210_000)}` }, code: 2, culprit: /^error: --config \S+big\.yaml: the file is \d+ bytes; a config file may be at most 1048576 bytes$/ },
  { id: 'config binary garbage', args: ['self-hosted', '--yes', '--config', '{{garbage.bin}}'], files: { 'garbage.bin': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)) }, code: 2, culprit: /^error: --config \S+garbage\.bin: the file is binary, expected YAML$/ },
  { id: 'config invalid UTF-8', args: ['self-hosted', '--yes', '--config', '{{latin1.yaml}}'], files: { 'latin1.yaml': Buffer.from('domain: caf\xe9.example.com\n', 'latin1') }, code: 2, culprit: /^error: --config \S+latin1\.yaml: the file is not valid UTF-8 text/ },
  { id: 'config empty file (then --domain is missing)', args: ['self-hosted', '--yes', '--config', '{{empty.yaml}}'], files: { 'empty.yaml': '' }, code: 2, culprit: /^error: missing required value: --domain$/ },
  { id: 'config a list, not a mapping', args: ['self-hosted', '--yes', '--config', '{{list.yaml}}'], files: { 'list.yaml': '- domain: p.example.com\n' }, code: 2, culprit: /^error: --config \S+list\.yaml: expected a mapping of option names to values/ },
  { id: 'config a scalar, not a mapping', args: ['self-hosted', '--yes', '--config', '{{scalar.yaml}}'], files: { 'scalar.yaml': 'p.example.com\n' }, code: 2, culprit: /^error: --config \S+scalar\.yaml: expected a mapping/ },
  { id: 'config YAML bomb under a valid key', args: ['self-hosted', '--yes', '--config', '{{bomb.yaml}}'], files: { 'bomb.yaml': yamlBomb('domain') }, code: 2, culprit: /^error: --domain \(from config key domain\): .*got a mapping$/ },
  { id: 'config more aliases than allowed', args: ['self-hosted', '--yes', '--config', '{{aliases.yaml}}'], files: { 'aliases.yaml': `domain: &d p.example.com\ntlsIssuer: x\n${Array.from({ length: 150 }, (_, i) => `# ${i}\n`).join('')}ingressClass: [${Array.from({ length: 150 }, () => '*d').join(',')}]\n` }, code: 2, culprit: /^error: --config \S+aliases\.yaml: invalid YAML .*maxAliases/ },
  { id: 'config custom YAML tag', args: ['self-hosted', '--yes', '--config', '{{tag.yaml}}'], files: { 'tag.yaml': 'domain: !!js/function "function () { return 1 }"\n' }, code: 2, culprit: /^error: --config \S+tag\.yaml: invalid YAML .*unknown .*tag/ },
  { id: 'config file missing', args: ['self-hosted', '--yes', '--config', '/nonexistent/vh.yaml'], code: 2, culprit: /^error: --config \/nonexistent\/vh\.yaml: cannot read the file \(ENOENT\)$/ },
  { id: 'config is a directory', args: ['self-hosted', '--yes', '--config', '/tmp'], code: 2, culprit: /^error: --config \/tmp: not a regular file$/ },
  { id: 'config dryRun unknown', args: ['cloud', '--yes', '--region', 'us', '--config', '{{dry.yaml}}'], env: CLOUD_ENV, files: { 'dry.yaml': 'dryRun: maybe\n' }, code: 2, culprit: /^error: --config \S+dry\.yaml: expected client, server or none at dryRun$/ },
  { id: 'config -file key not a path', args: ['cloud', '--yes', '--region', 'us', '--config', '{{kf.yaml}}'], files: { 'kf.yaml': 'posthogApiKeyFile: 5\n' }, code: 2, culprit: /^error: --config \S+kf\.yaml: expected a file path at posthogApiKeyFile$/ },
  { id: 'config timeout negative', args: ['cloud', '--yes', '--region', 'us', '--config', '{{neg.yaml}}'], env: CLOUD_ENV, files: { 'neg.yaml': 'timeout: -5\n' }, code: 2, culprit: /^error: --timeout \(from config key timeout\): expected a duration/ },
  { id: 'config secret value invalid (not echoed)', args: ['cloud', '--yes', '--region', 'us', '--config', '{{sec.yaml}}'], files: { 'sec.yaml': 'posthogApiKey: sk-config-secret-value-0001\n' }, code: 2, culprit: /^error: --posthog-api-key \(from config key posthogApiKey\): .*got a value of 27 bytes$/, secret: 'sk-config-secret-value-0001' },
  // ---- kubeconfigs that need no server ------------------------------------------------------
  { id: 'kubeconfig --kubeconfig missing file', args: ['cloud', '--yes', '--region', 'us', '--kubeconfig', '/nonexistent/kubeconfig'], env: CLOUD_ENV, code: 2, culprit: /^error: --kubeconfig: file \/nonexistent\/kubeconfig does not exist$/ },
  { id: 'kubeconfig empty file', args: ['cloud', '--yes', '--region', 'us', '--kubeconfig', '{{empty.kubeconfig}}'], env: CLOUD_ENV, files: { 'empty.kubeconfig': '' }, code: 2, culprit: /^error: kubeconfig --kubeconfig \S+empty\.kubeconfig could not be read: the file is empty$/ },
  { id: 'kubeconfig garbage', args: ['cloud', '--yes', '--region', 'us', '--kubeconfig', '{{garbage.kubeconfig}}'], env: CLOUD_ENV, files: { 'garbage.kubeconfig': 'clusters: [\n' }, code: 2, culprit: /^error: kubeconfig --kubeconfig \S+garbage\.kubeconfig could not be read: / },
  { id: 'kubeconfig is a directory', args: ['cloud', '--yes', '--region', 'us', '--kubeconfig', '/tmp'], env: CLOUD_ENV, code: 2, culprit: /^error: kubeconfig --kubeconfig \/tmp could not be read: EISDIR/ },
  { id: 'KUBECONFIG names no existing file', args: ['cloud', '--yes', '--region', 'us'], env: { ...CLOUD_ENV, KUBECONFIG: '/nonexistent/a:/nonexistent/b' }, code: 3, culprit: /^error: no kubeconfig found: KUBECONFIG=\/nonexistent\/a:\/nonexistent\/b names no existing file$/ },
  { id: 'kubeconfig wrong --context', args: ['cloud', '--yes', '--region', 'us', '--kubeconfig', '{{dead.kubeconfig}}', '--context', 'prod'], env: CLOUD_ENV, files: { 'dead.kubeconfig': DEAD_KUBECONFIG }, code: 2, culprit: /^error: --context: "prod" is not in kubeconfig .*dead\.kubeconfig; available: dead$/ },
  { id: 'kubeconfig without current-context', args: ['cloud', '--yes', '--region', 'us', '--kubeconfig', '{{nocurrent.kubeconfig}}'], env: CLOUD_ENV, files: { 'nocurrent.kubeconfig': kubeconfig({ current: null }) }, code: 2, culprit: /^error: kubeconfig .*nocurrent\.kubeconfig has no current context; pass --context \(available: dead\)$/ },
  { id: 'kubeconfig context names a missing user', args: ['cloud', '--yes', '--region', 'us', '--kubeconfig', '{{nouser.kubeconfig}}'], env: CLOUD_ENV, files: { 'nouser.kubeconfig': kubeconfig({ user: null }) }, code: 3, culprit: /^error: context "dead" refers to user "ghost", which is not in / },
  { id: 'kubeconfig unreachable server', args: ['cloud', '--yes', '--region', 'us', '--kubeconfig', '{{dead.kubeconfig}}'], env: CLOUD_ENV, files: { 'dead.kubeconfig': DEAD_KUBECONFIG }, code: 3, culprit: /^error: cannot reach the API server at https:\/\/127\.0\.0\.1:1 \(context "dead"\): connection refused$/ },
  { id: 'kubeconfig unreachable server (model-router, -o json)', args: ['-o', 'json', 'model-router', '--yes', ...MR, '--kubeconfig', '{{dead.kubeconfig}}'], env: MR_ENV, files: { 'dead.kubeconfig': DEAD_KUBECONFIG }, code: 3, culprit: /^error: cannot reach the API server at https:\/\/127\.0\.0\.1:1 \(context "dead"\)/ },
];

/** Writes the case's files into `dir` and returns argv and env with `{{name}}` replaced by paths. */
export function materialize(c: BadInput, dir: string): { args: string[]; env: Record<string, string> } {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), content, { mode: 0o600 });
  const sub = (s: string) => s.replace(/\{\{([^}]+)\}\}/g, (_, name: string) => join(dir, name));
  return { args: c.args.map(sub), env: Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, sub(v)])) };
}

/** Whether the case already chooses the namespace (so the e2e replay must not add -n). */
export function setsNamespace(c: BadInput): boolean {
  return c.args.includes('-n') || c.args.includes('--namespace') || 'VH_DEPLOY_NAMESPACE' in (c.env ?? {});
}
