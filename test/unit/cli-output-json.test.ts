// With JSON output chosen however (-o json, VH_DEPLOY_OUTPUT, `output: json` in the
// --config file), stdout is exactly one JSON document even when the command fails
// before printing its own: { ok: false, exitCode, error }. commander's own error
// text (unknown option, missing argument) goes to stderr. Runs the CLI as a process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner } from './support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vh-cli-json-'));
const run = cliRunner(tmp);

/** stdout must be one JSON document and nothing else (JSON.parse fails on a second one). */
function oneDocument(out: string): { ok: boolean; exitCode: number; error: string } {
  expect(out.trim()).not.toBe('');
  return JSON.parse(out) as { ok: boolean; exitCode: number; error: string };
}

// A kubeconfig that parses but names no context: the connection fails (exit 3)
// before any network call.
const DEAD = join(tmp, 'dead-kubeconfig');
writeFileSync(DEAD, 'apiVersion: v1\nkind: Config\n');
const JSON_CONFIG = join(tmp, 'json.yaml');
writeFileSync(JSON_CONFIG, 'output: json\n');
const TEXT_CONFIG = join(tmp, 'text.yaml');
writeFileSync(TEXT_CONFIG, 'output: text\n');
const BAD_CONFIG = join(tmp, 'bad.yaml');
writeFileSync(BAD_CONFIG, 'output: json\ndomain: [unclosed\n');

describe('JSON chosen by env or config file: a failure before the report is one JSON document', () => {
  it.each([
    ['VH_DEPLOY_OUTPUT=json', ['verify', 'all', '--kubeconfig', DEAD], { VH_DEPLOY_OUTPUT: 'json' }],
    ['output: json in --config', ['verify', 'all', '--kubeconfig', DEAD, '--config', JSON_CONFIG], {}],
    ['the flag beats the config file', ['verify', 'all', '--kubeconfig', DEAD, '-o', 'json', '--config', TEXT_CONFIG], {}],
    ['env beats the config file', ['verify', 'all', '--kubeconfig', DEAD, '--config', TEXT_CONFIG], { VH_DEPLOY_OUTPUT: 'json' }],
  ])('%s: exit 3, the error in one document', (_name, args, env) => {
    const r = run(args, env);
    expect(r.code).toBe(3);
    const doc = oneDocument(r.out);
    expect(doc).toEqual({ ok: false, exitCode: 3, error: `kubeconfig --kubeconfig ${DEAD} defines no contexts` });
    expect(r.err).toContain('error: kubeconfig');
  });

  it('env says json but the flag says text: no document', () => {
    const r = run(['verify', 'all', '--kubeconfig', DEAD, '-o', 'text'], { VH_DEPLOY_OUTPUT: 'json' });
    expect(r.code).toBe(3);
    expect(r.out).toBe('');
  });

  it('an input error (exit 2) with JSON from env', () => {
    const r = run(['self-hosted', '--yes', '--domain', 'p.example.com', '--timeout', 'soon'], { VH_DEPLOY_OUTPUT: 'json' });
    expect(r.code).toBe(2);
    const doc = oneDocument(r.out);
    expect(doc.ok).toBe(false);
    expect(doc.exitCode).toBe(2);
    expect(doc.error).toMatch(/^--timeout: expected a duration/);
  });
});

describe("commander's own errors: the text on stderr, one document on stdout", () => {
  it.each([
    ['unknown option, -o json', ['-o', 'json', 'verify', '--bogus'], {}, "unknown option '--bogus'"],
    ['unknown option, env', ['verify', '--bogus'], { VH_DEPLOY_OUTPUT: 'json' }, "unknown option '--bogus'"],
    ['unknown option, config file', ['verify', '--config', JSON_CONFIG, '--bogus'], {}, "unknown option '--bogus'"],
    ['missing argument of a command', ['scale'], { VH_DEPLOY_OUTPUT: 'json' }, "missing required argument 'target'"],
    // The global option itself fails to parse: commander never reads the env then.
    ['missing value of a global option', ['verify', '--kubeconfig'], { VH_DEPLOY_OUTPUT: 'json' }, "option '--kubeconfig <path>' argument missing"],
    ['unknown command', ['verfiy'], { VH_DEPLOY_OUTPUT: 'json' }, "unknown command 'verfiy'\n(Did you mean verify?)"],
  ])('%s', (_name, args, env, message) => {
    const r = run(args, env);
    expect(r.code).toBe(2);
    expect(oneDocument(r.out)).toEqual({ ok: false, exitCode: 2, error: message });
    expect(r.err).toBe(`error: ${message}\n`);
  });

  it('without JSON, stdout stays empty', () => {
    const r = run(['verify', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')[0]).toBe("error: unknown option '--bogus'");
  });
});

describe('a config file that cannot be read: flag and env still choose JSON', () => {
  it.each([
    ['invalid YAML, JSON from env', ['verify', 'all', '--config', BAD_CONFIG], { VH_DEPLOY_OUTPUT: 'json' }, /^--config .*bad\.yaml: invalid YAML at line 3/],
    ['invalid YAML, JSON from the flag', ['verify', 'all', '-o', 'json', '--config', BAD_CONFIG], {}, /^--config .*bad\.yaml: invalid YAML at line 3/],
    ['missing file, JSON from env', ['verify', 'all', '--config', join(tmp, 'nope.yaml')], { VH_DEPLOY_OUTPUT: 'json' }, /^--config .*nope\.yaml: cannot read the file \(ENOENT\)$/],
  ])('%s', (_name, args, env, re) => {
    const r = run(args, env);
    expect(r.code).toBe(2);
    const doc = oneDocument(r.out);
    expect(doc.ok).toBe(false);
    expect(doc.exitCode).toBe(2);
    expect(doc.error).toMatch(re);
  });
});
