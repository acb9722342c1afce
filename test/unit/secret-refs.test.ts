// Existing Secrets (--X-secret NAME[/KEY]): the twin fields, their resolution, what the
// render references instead of writing, and what carries over between runs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveInputs, type Layers } from '../../src/config/resolve.js';
import { parseSecretRef, secretRefs } from '../../src/config/secret-refs.js';
import { judgeSecretKey } from '../../src/actions/verify.js';
import { InputError } from '../../src/errors.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { MODEL_ROUTER_FIELDS } from '../../src/stacks/model-router/fields.js';
import { modelRouterStack } from '../../src/stacks/model-router/index.js';
import { CLOUD_FIELDS } from '../../src/stacks/posthog-connection/fields.js';
import { cloudStack, KEY_SECRET_ANNOTATION } from '../../src/stacks/posthog-connection/index.js';
import { offlineContext, recallValues, renderStack } from '../../src/stacks/stack.js';

const pwFile = join(mkdtempSync(join(tmpdir(), 'vh-refs-')), 'pw');
writeFileSync(pwFile, 'x-pw-2\n');
const layers = (l: Partial<Layers>): Layers => ({ flag: {}, env: {}, config: {}, ...l });
const base = { image: 'registry.example.com/model-router:1.4.2', dbHost: 'pg.data.svc', dbUser: 'router', redisAddr: 'redis.data.svc:6379' };
const resolveRouter = (l: Partial<Layers>) => resolveInputs({ fields: MODEL_ROUTER_FIELDS, layers: layers(l), required: () => modelRouterStack.required({}, false) });
const find = (objs: KubeObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name) as KubeObject & Record<string, any>;

describe('the -secret twins', () => {
  it('every secret input has one, with flag, env and config key', () => {
    const keys = MODEL_ROUTER_FIELDS.map((f) => f.key);
    for (const k of ['posthogApiKeySecret', 'dbPasswordSecret', 'redisPasswordSecret', 'openaiApiKeySecret', 'anthropicApiKeySecret']) expect(keys).toContain(k);
    expect(CLOUD_FIELDS.map((f) => f.key)).toContain('posthogApiKeySecret');
    expect(MODEL_ROUTER_FIELDS.find((f) => f.key === 'dbPasswordSecret')?.secret).toBeUndefined();
  });

  it('NAME takes the default key (the env var), NAME/KEY its own', () => {
    expect(parseSecretRef('pg', 'dbPassword')).toEqual({ name: 'pg', key: 'DB_PASSWORD' });
    expect(parseSecretRef('pg/password', 'dbPassword')).toEqual({ name: 'pg', key: 'password' });
  });

  it('a reference satisfies the required secret', async () => {
    const r = await resolveRouter({ flag: { ...base, dbPasswordSecret: 'pg-creds/password' } });
    expect(r.values.dbPassword).toBeUndefined();
    expect(secretRefs(MODEL_ROUTER_FIELDS, r.values)).toEqual([{ name: 'pg-creds', key: 'password', input: 'dbPasswordSecret' }]);
  });

  it('a value and a reference together are exit 2, in one layer or across layers', async () => {
    for (const l of [{ flag: { ...base, dbPassword: 'x-pw-1', dbPasswordSecret: 'pg' } }, { flag: { ...base, dbPasswordSecret: 'pg' }, env: { dbPassword: 'x-pw-1' } }, { flag: { ...base, dbPasswordSecret: 'pg' }, config: { dbPasswordFile: pwFile } }]) {
      const e = await resolveRouter(l).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).toBe('--db-password-secret: give --db-password or --db-password-secret, not both');
    }
  });

  it('a bad reference names the flag', async () => {
    const e = await resolveRouter({ flag: { ...base, dbPasswordSecret: 'Bad_Name/k' } }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/^--db-password-secret: expected NAME or NAME\/KEY/);
    const k = await resolveRouter({ flag: { ...base, dbPasswordSecret: 'ok/bad key' } }).catch((x: unknown) => x);
    expect((k as Error).message).toMatch(/^--db-password-secret: expected a Secret key after '\/'/);
  });
});

describe('rendering with references', () => {
  const values = { ...base, dbPort: 5432, dbName: 'model_router', dbSslMode: 'require', dbPasswordSecret: 'pg-creds/password', posthogHost: 'https://eu.i.posthog.com', posthogApiKeySecret: 'ph' };
  const objs = renderStack(modelRouterStack, values, offlineContext('ns'));

  it('the pods reference the Secrets; DATABASE_URL expands DB_PASSWORD defined before it', () => {
    const env = find(objs, 'Deployment', 'model-router').spec.template.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'pg-creds', key: 'password' } } },
      { name: 'DATABASE_URL', value: 'postgres://router:$(DB_PASSWORD)@pg.data.svc:5432/model_router?sslmode=require' },
      { name: 'POSTHOG_API_KEY', valueFrom: { secretKeyRef: { name: 'ph', key: 'POSTHOG_API_KEY' } } },
    ]);
  });

  it('no Secret vh-deploy writes holds them', () => {
    expect(Object.keys(find(objs, 'Secret', 'model-router-secrets').data ?? {}).sort()).toEqual([]);
    expect(Object.keys(find(objs, 'Secret', 'model-router-posthog').data ?? {})).toEqual([]);
    expect(find(objs, 'ConfigMap', 'model-router-posthog').metadata.annotations?.[KEY_SECRET_ANNOTATION]).toBe('ph/POSTHOG_API_KEY');
  });

  it('without a reference nothing changes (no env list)', () => {
    const plain = renderStack(modelRouterStack, { ...values, dbPasswordSecret: undefined, dbPassword: 'pw-123', posthogHost: undefined, posthogApiKeySecret: undefined }, offlineContext('ns'));
    expect(find(plain, 'Deployment', 'model-router').spec.template.spec.containers[0].env).toBeUndefined();
    expect(Object.keys(find(plain, 'Secret', 'model-router-secrets').data).sort()).toEqual(['DATABASE_URL', 'DB_PASSWORD']);
  });

  it('the key named by the connection `cloud` wrote reaches the pods', () => {
    const conn = renderStack(cloudStack, { region: 'eu', posthogApiKeySecret: 'ph-key/k' }, offlineContext('ns'));
    const cm = find(conn, 'ConfigMap', 'model-router-posthog');
    expect(Object.keys(find(conn, 'Secret', 'model-router-posthog').data ?? {})).toEqual([]);
    const r = renderStack(modelRouterStack, { ...values, posthogHost: undefined, posthogApiKeySecret: undefined }, { ...offlineContext('ns'), external: [cm] });
    expect(find(r, 'Deployment', 'model-router').spec.template.spec.containers[0].env.at(-1)).toEqual({ name: 'POSTHOG_API_KEY', valueFrom: { secretKeyRef: { name: 'ph-key', key: 'k' } } });
  });
});

describe('values persist with references', () => {
  it('a recorded reference carries over, and gives way to a value given now', () => {
    const recorded = { dbPasswordSecret: 'pg', posthogHost: 'https://eu.i.posthog.com', posthogApiKeySecret: 'ph' };
    expect(recallValues(modelRouterStack, recorded, {})).toEqual(recorded);
    expect(recallValues(modelRouterStack, recorded, { dbPassword: 'pw-1' })).toEqual({ posthogHost: 'https://eu.i.posthog.com', posthogApiKeySecret: 'ph' });
    // A key given now replaces the recorded reference; the host stays with it.
    expect(recallValues(modelRouterStack, recorded, { posthogApiKey: 'phc_x' })).toEqual({ dbPasswordSecret: 'pg', posthogHost: 'https://eu.i.posthog.com' });
    expect(recallValues(modelRouterStack, { posthogHost: 'https://eu.i.posthog.com' }, {})).toEqual({});
  });
});

describe('verify: an existing Secret the stack reads', () => {
  const u = { namespace: 'ns', name: 'pg', key: 'password', usedBy: 'Deployment/ns/model-router env DB_PASSWORD' };
  it('passes with its key, fails when it, its key or the right to read it is missing', () => {
    expect(judgeSecretKey(['password', 'user'], u)).toEqual({ status: 'pass', detail: 'Secret ns/pg has key password (Deployment/ns/model-router env DB_PASSWORD)' });
    expect(judgeSecretKey(['user'], u)).toEqual({ status: 'fail', detail: 'Secret ns/pg has no key password (Deployment/ns/model-router env DB_PASSWORD reads it); its keys: user' });
    expect(judgeSecretKey(undefined, u)).toEqual({ status: 'fail', detail: 'Secret ns/pg does not exist (Deployment/ns/model-router env DB_PASSWORD reads its key password)' });
    expect(judgeSecretKey('forbidden', u).status).toBe('fail');
  });
});
