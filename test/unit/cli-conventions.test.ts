// Issue 13, items 4-7 and "Conventions users expect", as a user runs the CLI: a real
// process (bin/vh-deploy.js over dist/), no terminal, CI=true. Each `it` of the numbered
// problems failed on the tree before the fix (README, Development: the suite's checks).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { BIN, cliRunner, ROOT } from './support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vh-conv-'));
const run = cliRunner(tmp);
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const KEY = 'phc_convTESTconvTESTconvTEST0123';
/** A kubeconfig whose API server does not answer (port 1 on loopback: refused at once). */
const UNREACHABLE = join(tmp, 'unreachable.kubeconfig');
writeFileSync(
  UNREACHABLE,
  `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:1' } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
);
/** js-yaml 5 refuses a file of comments only; the config loader reads it as {}. */
const loadDoc = (text: string): unknown => (text.split('\n').every((l) => /^\s*(#.*)?$/.test(l)) ? {} : load(text));

describe('4. flags that mean one thing', () => {
  it('--version prints only the tool version', () => {
    const r = run(['--version']);
    expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: `${VERSION}\n` });
  });
  it('`upgrade posthog --version $UNSET --yes -o json` is exit 2, not the tool version', () => {
    const r = run(['upgrade', 'posthog', '--version', '--yes', '-o', 'json']);
    expect(r.code).toBe(2);
    expect(r.out).not.toContain(VERSION);
    expect((JSON.parse(r.out) as { error: string }).error).toMatch(/^--version prints vh-deploy's version.*--posthog-version/);
  });
  it('`upgrade posthog --version TAG` is exit 2 pointing at --posthog-version', () => {
    const r = run(['upgrade', 'posthog', '--version', 'release-1.42.0', '--yes']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')[0]).toMatch(/^error: --version prints vh-deploy's version.*--posthog-version/);
  });
  it('upgrade --help names --posthog-version, --image-tag and --image', () => {
    const r = run(['upgrade', '--help']);
    expect(r.code).toBe(0);
    for (const f of ['--posthog-version <tag>', '--image-tag <tag>', '--image <ref>']) expect(r.out).toContain(f);
    expect(r.out).not.toMatch(/--version <tag>/);
  });
  it.each([
    [['self-hosted', '--dry-run', '--yes', '--domain', 'posthog.example.com', '--config', ''], {}, '--config'],
    [['self-hosted', '--dry-run', '--yes', '--domain', '   '], {}, '--domain'],
    [['history', 'posthog', '--revision', ' '], {}, '--revision'],
    [['upgrade', 'model-router', '--image-tag', '', '--yes'], {}, '--image-tag'],
    [['self-hosted', '--dry-run', '--yes'], { VH_DEPLOY_DOMAIN: ' ' }, '--domain'],
  ])('an empty or blank value is exit 2 naming the flag: %j %j', (args, env, flag) => {
    const r = run(args as string[], env as Record<string, string>);
    expect(r.code).toBe(2);
    const line = r.err.trim().split('\n')[0]!;
    expect(line).toContain(flag);
    expect(line).toMatch(/empty/);
    expect(r.out).toBe('');
  });
});

describe('4. an empty value in the environment', () => {
  it('is exit 2 naming the variable, but never hides --help', () => {
    const bad = run(['history', 'posthog'], { VH_DEPLOY_NAMESPACE: '' });
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe("error: option '-n, --namespace <ns>' value '' from env 'VH_DEPLOY_NAMESPACE' is invalid. The value is empty: give a value, or leave the option out.");
    for (const args of [['--help'], ['history', '--help'], ['help', 'history']]) {
      const r = run(args, { VH_DEPLOY_NAMESPACE: '' });
      expect({ args, code: r.code }).toEqual({ args, code: 0 });
      expect(r.out).toContain('Usage: vh-deploy');
    }
  });
});

describe('5. --dry-run takes its mode only as --dry-run=MODE', () => {
  it('`vh-deploy --dry-run self-hosted` renders (a bare --dry-run means client), no help', () => {
    const r = run(['--dry-run', 'self-hosted', '--yes', '--domain', 'posthog.example.com', '--insecure-http']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^---\napiVersion: v1\nkind: Namespace/);
    expect(r.err).not.toContain('Usage:');
  });
  it('--dry-run=client works anywhere on the line', () => {
    const r = run(['self-hosted', '--yes', '--domain', 'posthog.example.com', '--insecure-http', '--dry-run=client']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('kind: Deployment');
  });
  it('`--dry-run server` (a space) is exit 2 pointing at --dry-run=server', () => {
    const r = run(['self-hosted', '--yes', '--domain', 'posthog.example.com', '--dry-run', 'server']);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/^error: --dry-run takes its mode as --dry-run=server/);
  });
  it('an unknown mode is exit 2', () => {
    const r = run(['self-hosted', '--yes', '--domain', 'posthog.example.com', '--dry-run=maybe']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--dry-run: expected client, server or none; got "maybe"/);
  });
});

describe('6. render for pipes', () => {
  it('masked secrets going to a pipe: a warning on stderr', () => {
    const r = run(['render', 'cloud', '--region', 'eu'], { VH_DEPLOY_POSTHOG_API_KEY: KEY });
    expect(r.code).toBe(0);
    expect(r.out).toContain('kind: Secret');
    expect(r.err).toMatch(/warning: Secret values are masked .*not apply this output/);
    expect(r.out + r.err).not.toContain(KEY);
  });
  it('--show-secrets without a reachable cluster says the secrets are new', () => {
    const r = run(['render', 'self-hosted', '--domain', 'posthog.example.com', '--insecure-http', '--show-secrets', '--kubeconfig', UNREACHABLE]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: .*new random values/);
  });
});

describe('7. diff: stack names as in every command', () => {
  it.each(['posthog', 'self-hosted', 'posthog-connection', 'cloud', 'model-router'])('render %s is a known stack', (name) => {
    const r = run(['render', name, '--help']);
    expect(r.code).toBe(0);
  });
  it('diff posthog is not refused as an unknown stack', () => {
    const r = run(['diff', 'posthog', '--domain', 'posthog.example.com', '--insecure-http', '--kubeconfig', UNREACHABLE]);
    expect(r.err).not.toMatch(/unknown stack/);
    expect(r.code).toBe(3); // the cluster is what is missing, not the name
  });
  it('diff --help documents --exit-code', () => {
    const r = run(['diff', '--help']);
    expect(r.out).toMatch(/--exit-code/);
  });
});

describe('conventions: completion, init, config schema, help', () => {
  it.each(['bash', 'zsh', 'fish'])('completion %s prints a script naming every command', (shell) => {
    const r = run(['completion', shell]);
    expect(r.code).toBe(0);
    for (const c of ['cloud', 'self-hosted', 'model-router', 'verify', 'upgrade', 'rollback', 'history', 'render', 'diff', 'init', 'completion']) expect(r.out).toContain(c);
  });
  it('completion bash completes commands, options and stack names in a real bash', () => {
    const script = join(tmp, 'vh.bash');
    writeFileSync(script, run(['completion', 'bash']).out);
    const complete = (words: string[]) => {
      const r = spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE='${words.join(' ')}'; _vh_deploy_completion; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return r.stdout.trim().split('\n');
    };
    expect(complete(['vh-deploy', 'sel'])).toEqual(['self-hosted']);
    expect(complete(['vh-deploy', 'self-hosted', '--dom'])).toEqual(['--domain']);
    expect(complete(['vh-deploy', 'upgrade', ''])).toEqual(expect.arrayContaining(['posthog', 'model-router']));
    expect(complete(['vh-deploy', 'upgrade', 'posthog', '--posthog-v'])).toEqual(['--posthog-version']);
    expect(complete(['vh-deploy', 'self-hosted', '-o', ''])).toEqual(expect.arrayContaining(['text', 'json']));
    expect(complete(['vh-deploy', 'self-hosted', '-o', 'js'])).toEqual(['json']);
    expect(complete(['vh-deploy', 'render', 'posthog', '--dom'])).toEqual(['--domain']);
    expect(complete(['vh-deploy', 'config', 's'])).toEqual(['schema']);
    expect(complete(['vh-deploy', 'scale', 'posthog/w'])).toEqual(['posthog/web', 'posthog/worker']);
  });
  // The generated scripts are loaded in the real shells, never skipped: test/cluster/ci-prereqs.sh
  // installs zsh and fish, and a machine without one fails here saying which to install.
  const needShell = (shell: string) => expect(spawnSync(shell, ['-c', 'exit 0']).status, `${shell} is not installed (bash test/cluster/ci-prereqs.sh installs it)`).toBe(0);
  it('completion fish: fish parses it and completes commands, options and values', () => {
    needShell('fish');
    const script = join(tmp, 'vh.fish');
    writeFileSync(script, run(['completion', 'fish']).out);
    const complete = (line: string) => {
      const r = spawnSync('fish', ['--no-config', '-c', `source ${script}; complete -C'${line}'`], { encoding: 'utf8', env: { PATH: process.env.PATH!, HOME: tmp } });
      expect(r.stderr).toBe('');
      return r.stdout.trim().split('\n').map((l) => l.split('\t')[0]);
    };
    expect(complete('vh-deploy sel')).toEqual(['self-hosted']);
    expect(complete('vh-deploy render posthog --dom')).toEqual(['--domain']);
    expect(complete('vh-deploy upgrade ')).toEqual(expect.arrayContaining(['posthog', 'model-router']));
    expect(complete('vh-deploy -o ')).toEqual(expect.arrayContaining(['json', 'text']));
  });
  it('completion zsh: zsh parses it', () => {
    needShell('zsh');
    const script = join(tmp, 'vh.zsh');
    writeFileSync(script, run(['completion', 'zsh']).out);
    const r = spawnSync('zsh', ['-n', script], { encoding: 'utf8' });
    expect({ code: r.status, err: r.stderr }).toEqual({ code: 0, err: '' });
  });
  it('completion with an unknown shell is exit 2', () => {
    const r = run(['completion', 'tcsh']);
    expect(r.code).toBe(2);
  });
  it('config schema is a JSON Schema that accepts what init writes and rejects a misspelled key', () => {
    const r = run(['config', 'schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.out) as Record<string, unknown>;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const file = join(tmp, 'self-hosted.yaml');
    const init = run(['init', 'self-hosted', file]);
    expect(init.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    // As written (every key commented out) and with every key uncommented.
    expect(validate(loadDoc(text))).toBe(true);
    const uncommented = text.replace(/^# ([a-zA-Z]+: \S.*)$/gm, '$1');
    const doc = load(uncommented) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['namespace', 'webReplicas', 'allowUntestedVersions', 'timeout', 'output']));
    expect(text).toMatch(/^# domain:$/m);
    // Keys without a flag of their own say where else they come from.
    expect(text).toMatch(/on the command line --patch FILE\n# patches:$/m);
    expect(text).toMatch(/annotations on every Service \(or --set\)\n# serviceAnnotations:$/m);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...doc, domian: 'posthog.example.com' })).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('domian');
    expect(validate({ output: 'yaml' })).toBe(false);
  });
  it('the config init writes, uncommented and filled in, deploys with --dry-run', () => {
    const file = join(tmp, 'mr.yaml');
    expect(run(['init', 'model-router', file]).code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=/m);
    expect(text).toMatch(/^# Required\b/m);
    expect(text).toMatch(/VH_DEPLOY_DB_PASSWORD/);
    const filled = `${text}\nimage: registry.example.com/model-router:1.4.2\ndbHost: pg.data\ndbUser: router\nredisAddr: redis.data:6379\n`;
    const cfg = join(tmp, 'mr-filled.yaml');
    writeFileSync(cfg, filled);
    const r = run(['model-router', '--config', cfg, '--dry-run', '--yes'], { VH_DEPLOY_DB_PASSWORD: 'a-password-123' });
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.out).toContain('image: registry.example.com/model-router:1.4.2');
    // As written (every key commented out), the CLI reads it as an empty config.
    const empty = run(['model-router', '--config', file, '--dry-run', '--yes']);
    expect(empty.err.trim()).toBe('error: missing required values: --image, --db-host, --db-user, --db-password, --redis-addr');
  });
  it('init refuses to overwrite without --force', () => {
    const file = join(tmp, 'again.yaml');
    writeFileSync(file, 'domain: keep.example.com\n');
    const r = run(['init', 'self-hosted', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/already exists.*--force/);
    expect(readFileSync(file, 'utf8')).toBe('domain: keep.example.com\n');
    expect(run(['init', 'self-hosted', file, '--force']).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^# domain:/m);
  });
  it('init with an unknown stack is exit 2 and writes nothing', () => {
    const file = join(tmp, 'nothing.yaml');
    const r = run(['init', 'posthog-server', file]);
    expect(r.code).toBe(2);
    expect(existsSync(file)).toBe(false);
  });
  it('a subcommand --help lists the global options once, compactly', () => {
    const r = run(['history', '--help']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').length).toBeLessThan(30);
    expect(r.out).toMatch(/Global options \(vh-deploy --help\):/);
    expect(r.out).toContain('--namespace');
    expect(r.out).not.toContain('Global Options:');
    expect(BIN).toBeTruthy();
  });
});
