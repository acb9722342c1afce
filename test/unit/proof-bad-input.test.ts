// Proof, part 1 (issue 6): the bad-input corpus without a cluster. Every case runs the
// real CLI as a child process. KUBECONFIG points at a port nothing listens on, so an input
// that slipped past validation would end as exit 3 (unreachable), not 2. The same table
// runs against the real API server in test/e2e/proof-bad-input.test.ts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Field } from '../../src/config/fields.js';
import { MODEL_ROUTER_FIELDS } from '../../src/stacks/model-router/fields.js';
import { CLOUD_FIELDS } from '../../src/stacks/posthog-connection/fields.js';
import { SELF_HOSTED_FIELDS } from '../../src/stacks/posthog/fields.js';
import type { Prompter } from '../../src/config/prompts.js';
import { ask, schemaOf } from '../../src/config/resolve.js';
import { BAD_INPUTS, DEAD_KUBECONFIG, materialize } from '../e2e/support/bad-inputs.js';
import { BIN } from '../e2e/support/cli.js';
import { errorLine, leaks, STACK_FRAME } from '../e2e/support/proof.js';

const tmp = mkdtempSync(join(tmpdir(), 'vh-proof-bad-'));
const deadKubeconfig = join(tmp, 'dead.kubeconfig');
writeFileSync(deadKubeconfig, DEAD_KUBECONFIG, { mode: 0o600 });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH!, HOME: tmp, CI: 'true', KUBECONFIG: deadKubeconfig, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe(`bad-input corpus without a cluster (${BAD_INPUTS.length} cases)`, () => {
  it('has at least 50 cases, each with a unique id', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(BAD_INPUTS.map((c) => c.id)).size).toBe(BAD_INPUTS.length);
  });

  it.concurrent.each(BAD_INPUTS.map((c, i) => [c.id, c, i] as const))('%s', async (_id, c, i) => {
    const { args, env } = materialize(c, join(tmp, `case-${i}`));
    const r = await run(args, env);
    const line = errorLine(r.err);
    expect({ code: r.code, line }, r.err).toEqual({ code: c.code, line: expect.stringMatching(c.culprit) });
    // One message, no trace: every stderr line is the error (one line per problem) or its hint.
    // (commander adds its own "(Did you mean --region?)" to an unknown option.)
    for (const l of r.err.split('\n').filter(Boolean)) expect(l).toMatch(/^(error|hint): |^\(Did you mean /);
    expect(r.err + r.out).not.toMatch(STACK_FRAME);
    // Nothing on stdout, except the one JSON document of -o json.
    if (args.includes('json')) expect(JSON.parse(r.out)).toMatchObject({ ok: false, exitCode: c.code });
    else expect(r.out).toBe('');
    if (c.secret) expect(leaks(r.out + r.err, { secret: c.secret })).toEqual([]);
  });

  it('without a TTY and outside CI nothing prompts: a missing value is an error, not a hang', async () => {
    const r = await run(['cloud', '--region', 'us'], { CI: 'false' });
    expect(r.code).toBe(2);
    expect(errorLine(r.err)).toBe('error: missing required value: --posthog-api-key');
  });

  it('a reader that goes away (`| head -1`) ends the output quietly, without a stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'render', 'self-hosted', '--domain', 'p.example.com', '--insecure-http'], {
      env: { PATH: process.env.PATH!, HOME: tmp, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(err).not.toMatch(STACK_FRAME);
    // Nothing but the warning that masked Secrets went to a pipe (docs/cli.md, "render and diff").
    expect(err.replace(/^warning: Secret values are masked .*\n/, '')).toBe('');
    expect(code).toBe(0);
  });
});

/**
 * Prompt answers go through the same checks as flags (config/resolve.ts `ask`): a scripted
 * prompter plays a user who first types a bad answer, sees the message, then a good one.
 */
function scripted(answers: string[]): Prompter & { rejected: string[] } {
  const rejected: string[] = [];
  const next = (validate?: (v: string) => true | string) => {
    for (;;) {
      const a = answers.shift();
      if (a === undefined) throw new Error('the prompt asked again after the last scripted answer');
      const ok = validate ? validate(a) : true;
      if (ok === true) return Promise.resolve(a);
      rejected.push(ok);
    }
  };
  return {
    rejected,
    input: (o) => next(o.validate),
    password: (o) => next(o.validate),
    select: (o) => next((v) => o.choices.some((c) => c.value === v) || 'not a choice'),
    confirm: () => Promise.resolve(true),
  };
}

const field = (fields: Field[], key: string) => fields.find((f) => f.key === key)!;
const PROMPT_CASES: Array<[string, Field, string, string, RegExp]> = [
  ['domain with a space', field(SELF_HOSTED_FIELDS, 'domain'), 'bad domain', 'posthog.example.com', /^expected a lowercase DNS name/],
  ['domain placeholder', field(SELF_HOSTED_FIELDS, 'domain'), 'your-domain.com', 'posthog.example.com', /placeholder/],
  ['image :latest', field(MODEL_ROUTER_FIELDS, 'image'), 'registry.example.com/mr:latest', 'registry.example.com/mr:1.2.3', /latest tag is not reproducible/],
  ['image untagged', field(MODEL_ROUTER_FIELDS, 'image'), 'registry.example.com/mr', 'registry.example.com/mr:1.2.3', /expected a tag or digest/],
  ['database host with a space', field(MODEL_ROUTER_FIELDS, 'dbHost'), 'pg data', 'pg.data', /expected a host name/],
  ['database user with SQL', field(MODEL_ROUTER_FIELDS, 'dbUser'), "x';--", 'router', /expected a user name/],
  ['empty database password', field(MODEL_ROUTER_FIELDS, 'dbPassword'), '', 'a-real-password', /expected a non-empty password/],
  ['redis address without port', field(MODEL_ROUTER_FIELDS, 'redisAddr'), 'redis.data', 'redis.data:6379', /expected host:port/],
  ['PostHog personal key', field(CLOUD_FIELDS, 'posthogApiKey'), 'phx_personalPERSONAL0123456789', 'phc_projectPROJECT0123456789', /personal or secret PostHog key/],
  ['region not offered', field(CLOUD_FIELDS, 'region'), 'ap', 'eu', /not a choice/],
];

describe(`bad prompt answers (${PROMPT_CASES.length} cases): refused at the prompt with the flag's message, then asked again`, () => {
  it.each(PROMPT_CASES)('%s', async (_name, f, bad, good, message) => {
    const p = scripted([bad, good]);
    await expect(ask(p, f)).resolves.toEqual(schemaOf(f).parse(good));
    expect(p.rejected).toHaveLength(1);
    expect(p.rejected[0]).toMatch(message);
    // The prompt's message is the flag's message (one check for all four input paths).
    if (f.key !== 'region') expect(p.rejected[0]).toBe(schemaOf(f).safeParse(bad).error?.issues[0]?.message);
    // A secret typed at a prompt is never part of the message.
    if (f.secret && bad) expect(p.rejected[0]).not.toContain(bad);
  });
});
