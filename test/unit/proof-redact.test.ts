// Proof, part 2 without a cluster (issue 6): the output filter masks every encoding of a
// secret, and --show-secrets (render / --dry-run only) really shows the values.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, redact, registerSecret } from '../../src/ui/redact.js';
import { BIN } from '../e2e/support/cli.js';
import { leaks } from '../e2e/support/proof.js';

afterEach(() => clearSecrets());

describe('redact: every form a secret can take in output', () => {
  const secret = 'p@ss "quoted" \\ back/slash+1';
  it.each([
    ['raw', (s: string) => `error: ${s}`],
    ['base64', (s: string) => `data: ${Buffer.from(s).toString('base64')}`],
    ['URL-encoded (a DSN)', (s: string) => `postgres://u:${encodeURIComponent(s)}@db:5432/x`],
    ['JSON-escaped (-o json, error documents)', (s: string) => JSON.stringify({ ok: false, error: `bad: ${s}` })],
  ])('%s', (_name, wrap) => {
    registerSecret(secret);
    const out = redact(wrap(secret));
    expect(leaks(out, { secret })).toEqual([]);
    expect(out).toMatch(/<redacted \d+ bytes>/);
  });
});

describe('--show-secrets', () => {
  const home = mkdtempSync(join(tmpdir(), 'vh-proof-show-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH!, HOME: home, CI: 'true', VH_DEPLOY_DB_PASSWORD: 'show-me-password-42' }, timeout: 20_000 });
  const args = ['render', 'model-router', '--image', 'registry.example.com/mr:1.0.0', '--db-host', 'pg', '--db-user', 'u', '--redis-addr', 'r:6379', '--posthog-host', 'https://eu.i.posthog.com', '--posthog-api-key', 'phc_showSHOWshow0123456789'];
  it('prints the values it was asked to print (the output filter does not mask them again)', () => {
    const r = run([...args, '--show-secrets']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('DB_PASSWORD: show-me-password-42');
    expect(r.stdout).toContain('phc_showSHOWshow0123456789');
  });
  it('without it, no value appears in any form', () => {
    const r = run([...args, '-o', 'json']);
    expect(r.status).toBe(0);
    expect(leaks(r.stdout + r.stderr, { db: 'show-me-password-42', key: 'phc_showSHOWshow0123456789' })).toEqual([]);
  });
});
