import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Field } from '../../src/config/fields.js';
import { CLOUD_FIELDS } from '../../src/stacks/posthog-connection/fields.js';
import { MODEL_ROUTER_FIELDS } from '../../src/stacks/model-router/fields.js';
import { SELF_HOSTED_FIELDS } from '../../src/stacks/posthog/fields.js';
import { loadConfigFile } from '../../src/config/configfile.js';
import type { Prompter } from '../../src/config/prompts.js';
import { resolveInputs, type Layers } from '../../src/config/resolve.js';
import { InputError } from '../../src/errors.js';
import { modelRouterStack } from '../../src/stacks/model-router/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'vh-inputs-'));
const layers = (l: Partial<Layers>): Layers => ({ flag: {}, env: {}, config: {}, ...l });

async function errorOf(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('precedence: flag > env > config > prompt > default', () => {
  const fields = SELF_HOSTED_FIELDS;
  it('flag beats env and config', async () => {
    const r = await resolveInputs({
      fields,
      layers: layers({ flag: { domain: 'a.example.com' }, env: { domain: 'b.example.com' }, config: { domain: 'c.example.com' } }),
      required: () => ['domain'],
    });
    expect(r.values.domain).toBe('a.example.com');
    expect(r.sources.domain).toBe('flag');
  });
  it('env beats config', async () => {
    const r = await resolveInputs({ fields, layers: layers({ env: { domain: 'b.example.com' }, config: { domain: 'c.example.com' } }), required: () => [] });
    expect(r.values.domain).toBe('b.example.com');
    expect(r.sources.domain).toBe('env');
  });
  it('config beats prompt: no question is asked for a configured value', async () => {
    const asked: string[] = [];
    const prompter = fakePrompter({ input: (m) => (asked.push(m), 'p.example.com') });
    const r = await resolveInputs({ fields, layers: layers({ config: { domain: 'c.example.com' } }), required: () => ['domain'], prompter });
    expect(r.values.domain).toBe('c.example.com');
    expect(asked).toEqual([]);
  });
  it('prompt beats default, and defaults fill the rest', async () => {
    const r = await resolveInputs({
      fields: MODEL_ROUTER_FIELDS,
      layers: layers({ flag: { image: 'r.example.com/mr:1.0.0', dbHost: 'pg', dbUser: 'u', redisAddr: 'r:6379' } }),
      required: modelRouterStack.required,
      prompter: fakePrompter({ password: () => 's3cret-pass' }),
    });
    expect(r.values.dbPassword).toBe('s3cret-pass');
    expect(r.sources.dbPassword).toBe('prompt');
    expect(r.values.dbPort).toBe(5432);
    expect(r.sources.dbPort).toBe('default');
    expect(r.values.dbSslMode).toBe('require');
  });
  it('numbers from env/config strings are coerced and checked', async () => {
    const r = await resolveInputs({ fields: MODEL_ROUTER_FIELDS, layers: layers({ env: { dbPort: '6543' } }), required: () => [] });
    expect(r.values.dbPort).toBe(6543);
  });
});

describe('secrets', () => {
  it('reads --x-file and strips one trailing newline', async () => {
    const f = join(tmp, 'key.txt');
    writeFileSync(f, 'phc_abcdefghijklmnopqrstu0123\n');
    const r = await resolveInputs({ fields: CLOUD_FIELDS, layers: layers({ flag: { posthogApiKeyFile: f } }), required: () => ['posthogApiKey'] });
    expect(r.values.posthogApiKey).toBe('phc_abcdefghijklmnopqrstu0123');
  });
  it('a value and its -file at the same level is an error', async () => {
    const f = join(tmp, 'key2.txt');
    writeFileSync(f, 'phc_abcdefghijklmnopqrstu0123');
    const e = await errorOf(resolveInputs({ fields: CLOUD_FIELDS, layers: layers({ flag: { posthogApiKey: 'phc_abcdefghijklmnopqrstu9999', posthogApiKeyFile: f } }), required: () => [] }));
    expect(e.message).toContain('--posthog-api-key: give the value or --posthog-api-key-file, not both');
  });
  it('a missing -file names the flag and the path', async () => {
    const e = await errorOf(resolveInputs({ fields: CLOUD_FIELDS, layers: layers({ env: { posthogApiKeyFile: '/nonexistent/k' } }), required: () => [] }));
    expect(e.message).toBe('--posthog-api-key-file: cannot read "/nonexistent/k" (ENOENT)');
  });
  it('an invalid secret is described by size, never echoed', async () => {
    const bad = 'sk-this-is-not-a-posthog-key';
    const e = await errorOf(resolveInputs({ fields: CLOUD_FIELDS, layers: layers({ env: { posthogApiKey: bad } }), required: () => [] }));
    expect(e.message).toContain('--posthog-api-key (from VH_DEPLOY_POSTHOG_API_KEY)');
    expect(e.message).toContain(`a value of ${bad.length} bytes`);
    expect(e.message).not.toContain(bad);
  });
  it.each(['phc_YOUR_PROJECT_API_KEY_HERE', 'your-api-key', 'phx_abcdefghijklmnopqrstuvwxyz'])('rejects %s', async (key) => {
    const e = await errorOf(resolveInputs({ fields: CLOUD_FIELDS, layers: layers({ flag: { posthogApiKey: key } }), required: () => [] }));
    expect(e.message.split('\n')).toHaveLength(1);
    expect(e.message).toMatch(/^--posthog-api-key: /);
  });
});

describe('non-interactive', () => {
  it('lists every missing flag at once', async () => {
    const e = await errorOf(resolveInputs({ fields: MODEL_ROUTER_FIELDS, layers: layers({}), required: modelRouterStack.required }));
    expect(e.message).toBe('missing required values: --image, --db-host, --db-user, --db-password, --redis-addr');
  });
  it('collects every invalid value, one line each', async () => {
    const e = await errorOf(
      resolveInputs({ fields: MODEL_ROUTER_FIELDS, layers: layers({ flag: { image: 'mr:latest', dbPort: '70000', redisAddr: 'nope' } }), required: () => [] }),
    );
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^--image: the latest tag is not reproducible/);
    expect(lines[1]).toMatch(/^--db-port: expected a port between 1 and 65535; got "70000"/);
    expect(lines[2]).toMatch(/^--redis-addr: expected host:port/);
  });
});

describe('prompts validate with the same schema', () => {
  it('re-asks are the prompter’s job; a valid answer is parsed', async () => {
    let validateResult: true | string | undefined;
    const prompter = fakePrompter({
      input: (_m, validate) => {
        validateResult = validate?.('bad domain');
        return 'ok.example.com';
      },
    });
    const r = await resolveInputs({ fields: SELF_HOSTED_FIELDS, layers: layers({}), required: () => ['domain'], prompter });
    expect(validateResult).toBe('expected a lowercase DNS name such as posthog.example.com');
    expect(r.values.domain).toBe('ok.example.com');
  });
  it('select prompts offer the field choices', async () => {
    let seen: string[] = [];
    const prompter = fakePrompter({ select: (choices) => ((seen = choices), 'eu') });
    const r = await resolveInputs({ fields: CLOUD_FIELDS, layers: layers({ flag: { posthogApiKey: 'phc_abcdefghijklmnopqrstu0123' } }), required: () => ['region'], prompter });
    expect(seen).toEqual(['us', 'eu']);
    expect(r.values.region).toBe('eu');
  });
});

describe('config file', () => {
  const write = (name: string, content: string | Buffer) => {
    const p = join(tmp, name);
    writeFileSync(p, content);
    return p;
  };
  it('loads camelCase keys', () => {
    expect(loadConfigFile(write('ok.yaml', 'domain: p.example.com\ndbPort: 5433\nposthogApiKeyFile: /k\n'))).toEqual({ domain: 'p.example.com', dbPort: 5433, posthogApiKeyFile: '/k' });
  });
  it.each([
    ['unknown.yaml', 'domian: x.example.com\n', /Unrecognized key: "domian"/],
    ['bad.yaml', 'domain: [unclosed\n', /invalid YAML at line/],
    ['list.yaml', '- a\n- b\n', /expected a mapping/],
    ['scalar.yaml', 'just text\n', /expected a mapping/],
    ['dup.yaml', 'domain: a\ndomain: b\n', /invalid YAML/],
  ])('%s is refused in one line naming the file', (name, content, re) => {
    const p = write(name, content);
    expect(() => loadConfigFile(p)).toThrow(InputError);
    try {
      loadConfigFile(p);
    } catch (e) {
      expect((e as Error).message).toMatch(re);
      expect((e as Error).message).toContain(`--config ${p}`);
      expect((e as Error).message.split('\n')).toHaveLength(1);
    }
  });
  it('refuses binary and oversized files', () => {
    expect(() => loadConfigFile(write('bin.yaml', Buffer.from([0x64, 0x00, 0xff, 0x01])))).toThrow(/binary/);
    expect(() => loadConfigFile(write('big.yaml', `domain: ${'a'.repeat(2 * 1024 * 1024)}\n`))).toThrow(/at most 1048576 bytes/);
    expect(() => loadConfigFile(join(tmp, 'missing.yaml'))).toThrow(/cannot read the file \(ENOENT\)/);
  });
  it('a wrongly typed config value names the config key', async () => {
    const e = await errorOf(resolveInputs({ fields: MODEL_ROUTER_FIELDS, layers: layers({ config: { dbPort: 'five' } }), required: () => [] }));
    expect(e.message).toBe('--db-port (from config key dbPort): expected a port number; got "five"');
  });
});

function fakePrompter(o: {
  input?: (message: string, validate?: (v: string) => true | string) => string;
  password?: (message: string) => string;
  select?: (choices: string[]) => string;
}): Prompter {
  return {
    input: async (p) => o.input!(p.message, p.validate),
    password: async (p) => o.password!(p.message),
    select: async (p) => o.select!(p.choices.map((c) => c.value)),
    confirm: async () => true,
  };
}

export type { Field };

describe('--host: plain http only where no public host can be', async () => {
  const { baseUrl } = await import('../../src/config/validators.js');
  it.each(['http://posthog.internal:8443', 'http://posthog-web.posthog.svc:8000', 'http://posthog.ph.svc.cluster.local', 'http://127.0.0.1:8000', 'https://eu.i.posthog.com'])('accepts %s', (u) => {
    expect(baseUrl.safeParse(u).success).toBe(true);
  });
  it.each(['http://ph.example.com', 'http://internal.example.com', 'http://posthog.internal.example.com'])('refuses %s', (u) => {
    const r = baseUrl.safeParse(u);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('expected https:// (plain http is only accepted for in-cluster *.svc, *.internal and loopback addresses)');
  });
});
