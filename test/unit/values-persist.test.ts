// Values persist (docs/architecture.md, "Values persist"): what a run takes from the
// stack's last successful revision, and how the summary names where a value came from.
import { describe, expect, it } from 'vitest';
import { MODEL_ROUTER_FIELDS } from '../../src/stacks/model-router/fields.js';
import { SELF_HOSTED_FIELDS } from '../../src/stacks/posthog/fields.js';
import type { Prompter } from '../../src/config/prompts.js';
import { resolveInputs, type Layers, type RecordedValues } from '../../src/config/resolve.js';
import { sourceNote } from '../../src/config/sources.js';
import { InputError } from '../../src/errors.js';
import { modelRouterStack } from '../../src/stacks/model-router/index.js';
import { cloudStack } from '../../src/stacks/posthog-connection/index.js';
import { posthogStack } from '../../src/stacks/posthog/index.js';
import { recallValues } from '../../src/stacks/stack.js';

const layers = (l: Partial<Layers>): Layers => ({ flag: {}, env: {}, config: {}, ...l });
const noPrompts: Prompter = {
  input: async (p) => { throw new Error(`asked: ${p.message}`); },
  password: async (p) => { throw new Error(`asked: ${p.message}`); },
  select: async (p) => { throw new Error(`asked: ${p.message}`); },
  confirm: async (p) => { throw new Error(`asked: ${p.message}`); },
};

describe('recallValues: which recorded values carry over', () => {
  const recorded = { image: 'r.example.com/mr:1.5.0', minReplicas: 2, maxReplicas: 8, dbHost: 'pg', dbUser: 'u', redisAddr: 'r:6379', dbPort: 5432, posthogHost: 'https://ph.example.com', checkKey: true, resetValues: true };
  it('everything the user did not give, except run-only switches', () => {
    expect(recallValues(modelRouterStack, recorded, { dbPassword: 'x' })).toEqual({ image: 'r.example.com/mr:1.5.0', minReplicas: 2, maxReplicas: 8, dbHost: 'pg', dbUser: 'u', redisAddr: 'r:6379', dbPort: 5432 });
  });
  it('a given value wins over the recorded one', () => {
    expect(recallValues(modelRouterStack, recorded, { image: 'r.example.com/mr:2.0.0' }).image).toBeUndefined();
  });
  it('a given --replicas drops the recorded HPA range, and a given --min-replicas the recorded fixed count', () => {
    const fromHpa = recallValues(modelRouterStack, recorded, { replicas: 2 });
    expect([fromHpa.minReplicas, fromHpa.maxReplicas]).toEqual([undefined, undefined]);
    const fromFixed = recallValues(modelRouterStack, { ...recorded, minReplicas: undefined, maxReplicas: undefined, replicas: 4 }, { minReplicas: 3 });
    expect(fromFixed.replicas).toBeUndefined();
  });
  it('a recorded --posthog-host carries over only with its key given again (secrets are never recorded)', () => {
    expect(recallValues(modelRouterStack, recorded, {}).posthogHost).toBeUndefined();
    expect(recallValues(modelRouterStack, recorded, { posthogApiKey: 'phc_x' }).posthogHost).toBe('https://ph.example.com');
  });
  it('cloud: a given --host drops the recorded region and the other way round', () => {
    expect(recallValues(cloudStack, { region: 'eu' }, { host: 'https://ph.example.com' })).toEqual({});
    expect(recallValues(cloudStack, { host: 'https://ph.example.com' }, { region: 'us' })).toEqual({});
    expect(recallValues(cloudStack, { region: 'eu' }, {})).toEqual({ region: 'eu' });
  });
  it('a secret is never recalled, even if a record held one', () => {
    expect(recallValues(modelRouterStack, { dbPassword: 'leaked' }, {})).toEqual({});
  });
});

describe('resolveInputs with recorded values: flag > env > config > prompt > recorded > default', () => {
  const rec = (values: Record<string, unknown>, revision = 4): (() => Promise<RecordedValues>) => async () => ({ revision, values });
  it('a recorded version fills what the user did not give; defaults only what is left', async () => {
    const r = await resolveInputs({
      fields: SELF_HOSTED_FIELDS,
      layers: layers({ flag: { domain: 'p.example.com' } }),
      required: () => ['domain'],
      recorded: rec({ posthogVersion: 'release-1.43.1', webReplicas: 4 }),
    });
    expect(r.values).toMatchObject({ domain: 'p.example.com', posthogVersion: 'release-1.43.1', webReplicas: 4, workerReplicas: 1 });
    expect(r.sources).toMatchObject({ domain: 'flag', posthogVersion: 'recorded', webReplicas: 'recorded', workerReplicas: 'default' });
    expect(r.recordedFrom).toBe(4);
  });
  it('flag, env and config all beat the recorded value', async () => {
    const r = await resolveInputs({
      fields: SELF_HOSTED_FIELDS,
      layers: layers({ flag: { domain: 'a.example.com' }, env: { posthogVersion: 'release-1.44.0' }, config: { webReplicas: 3 } }),
      required: () => ['domain'],
      recorded: rec({ domain: 'old.example.com', posthogVersion: 'release-1.43.1', webReplicas: 4 }),
    });
    expect(r.values).toMatchObject({ domain: 'a.example.com', posthogVersion: 'release-1.44.0', webReplicas: 3 });
    expect(r.recordedFrom).toBeUndefined(); // nothing came from the record
  });
  it('a required value that was recorded is neither missing nor asked for', async () => {
    const r = await resolveInputs({
      fields: MODEL_ROUTER_FIELDS,
      layers: layers({ env: { dbPassword: 'pw-from-env' } }),
      required: (v) => modelRouterStack.required(v, true),
      prompter: noPrompts,
      recorded: rec({ image: 'r.example.com/mr:1.5.0', dbHost: 'pg', dbUser: 'u', redisAddr: 'r:6379' }),
    });
    expect(r.values.image).toBe('r.example.com/mr:1.5.0');
    expect(r.sources.image).toBe('recorded');
  });
  it('the recorded callback sees only validated given values, and is not reached when one is invalid', async () => {
    let called = 0;
    await expect(
      resolveInputs({ fields: SELF_HOSTED_FIELDS, layers: layers({ flag: { domain: 'Bad_Domain' } }), required: () => [], recorded: async () => (called++, undefined) }),
    ).rejects.toBeInstanceOf(InputError);
    expect(called).toBe(0);
  });
  it('a recorded value that fails today\'s check is one line naming the field and the revision', async () => {
    const p = resolveInputs({ fields: SELF_HOSTED_FIELDS, layers: layers({ flag: { domain: 'p.example.com' } }), required: () => [], recorded: rec({ webReplicas: -1 }, 7) });
    await expect(p).rejects.toThrow(/^--web-replicas \(recorded in revision 7\): expected a whole number from 0 to 1000; got "-1"$/);
  });
});

describe('sourceNote', () => {
  const sources = { image: 'recorded', dbHost: 'flag', dbPort: 'default', redisAddr: 'env', domain: 'config' } as const;
  it.each([
    ['image', '(from revision 4)'],
    ['dbHost', ''],
    ['dbPort', '(default)'],
    ['redisAddr', '(from VH_DEPLOY_REDIS_ADDR)'],
    ['domain', '(from the config file)'],
    ['posthogVersion', '(default)'],
    [['dbHost', 'image'], '(from revision 4)'],
  ] as const)('%j → %j', (keys, note) => {
    expect(sourceNote(keys, sources, 4)).toBe(note);
  });
  it('a row without keys has no note', () => {
    expect(sourceNote(undefined, sources, 4)).toBe('');
  });
  it('every summary row of self-hosted with a recorded version says so', () => {
    const rows = posthogStack.summary({ domain: 'p.example.com', posthogVersion: 'release-1.43.1' }, { namespace: 'posthog', existingSecrets: {}, capabilities: { serviceMonitor: false } });
    const version = rows.find(([label]) => label === 'PostHog version')!;
    expect(version[1]).toBe('release-1.43.1');
    expect(sourceNote(version[2], { posthogVersion: 'recorded' }, 4)).toBe('(from revision 4)');
  });
});
