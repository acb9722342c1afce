// The CLI as a user runs it: a real process, real argv/env, exit codes and output.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { BIN, cliRunner, ROOT } from './support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vh-cli-'));
const run = cliRunner(tmp);

const KEY = 'phc_cliTESTcliTESTcliTEST012345';
const MR = ['--image', 'registry.example.com/model-router:1.4.2', '--db-host', 'pg.data', '--db-user', 'router', '--redis-addr', 'redis.data:6379'];

describe('help and version', () => {
  it('--help lists every command and the exit codes', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['cloud', 'self-hosted', 'model-router', 'verify', 'scale', 'upgrade', 'rollback', 'render']) expect(r.out).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(r.out).toContain('3    cluster unreachable, unauthorised or forbidden');
  });
  it.each(['cloud', 'self-hosted', 'model-router', 'render'])('%s --help has examples', (c) => {
    const r = run([c, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Examples?:\n {2}\$ vh-deploy/);
  });
  it('--version prints the package version', () => {
    const r = run(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});

describe('bad input: exit 2, one line naming the flag, nothing on stdout', () => {
  it.each([
    [['self-hosted', '--dry-run', '--yes', '--domain', 'bad domain'], /^error: --domain: expected a lowercase DNS name.*got "bad domain"$/],
    [['model-router', '--dry-run', '--yes', ...MR, '--db-password', 'x', '--replicas', '-1'], /^error: --replicas: expected a whole number from 0 to 1000; got "-1"$/],
    [['cloud', '--dry-run', '--yes', '--posthog-api-key', 'sk-x'], /^error: --posthog-api-key: expected a PostHog project API key.*got a value of 4 bytes$/],
    [['model-router', '--yes', ...MR.slice(0, 2).concat(['--image', 'registry.example.com/model-router:latest'])], /^error: --image: the latest tag is not reproducible/],
    [['cloud', '--yes', '--region', 'ap', '--posthog-api-key', KEY], /^error: --region: expected one of us, eu; got "ap"$/],
    [['cloud', '--yes', '--region', 'us', '--host', 'https://x.example.com', '--posthog-api-key', KEY], /^error: --host and --region are alternatives; give one$/],
    [['self-hosted', '--yes', '--domain', 'p.example.com', '--timeout', 'soon'], /^error: --timeout: expected a duration/],
    [['self-hosted', '--yes', '--domain', 'your-domain.com'], /^error: --domain: the domain is a placeholder/],
    [['self-hosted', '--yes', '--domain', 'p.example.com', '--unknown-flag'], /^error: unknown option '--unknown-flag'/],
    [['render', 'posthog-server'], /^error: render: unknown stack "posthog-server"/],
  ])('%j', (args, re) => {
    const r = run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')[0]).toMatch(re);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.out).toBe('');
  });
  it('without a TTY nothing prompts: every missing flag is listed at once', () => {
    const r = run(['model-router']);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('error: missing required values: --image, --db-host, --db-user, --db-password, --redis-addr');
  });
  it('a bad env var is named as such', () => {
    const r = run(['self-hosted', '--dry-run'], { VH_DEPLOY_DOMAIN: 'Not_A_Domain' });
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('error: --domain (from VH_DEPLOY_DOMAIN): expected a lowercase DNS name such as posthog.example.com; got "Not_A_Domain"');
  });
  it('secrets given on argv are never echoed, even when invalid', () => {
    const secret = 'phx_PERSONALpersonalPERSONAL99';
    const r = run(['cloud', '--yes', '--posthog-api-key', secret]);
    expect(r.code).toBe(2);
    expect(r.err + r.out).not.toContain(secret);
  });
});

describe('--dry-run / render print valid manifests with secrets masked', () => {
  it('self-hosted', () => {
    const r = run(['self-hosted', '--dry-run', '--yes', '--domain', 'posthog.example.com', '--tls-issuer', 'letsencrypt-prod']);
    expect(r.code).toBe(0);
    const docs = loadAll(r.out).filter(Boolean) as Array<{ kind: string; stringData?: Record<string, string> }>;
    expect(docs.length).toBeGreaterThan(15);
    const secret = docs.find((d) => d.kind === 'Secret')!;
    for (const v of Object.values(secret.stringData!)) expect(v).toMatch(/^<masked \(\d+ bytes\)>$/);
  });
  it('cloud with the key from env: the key appears nowhere', () => {
    const r = run(['cloud', '--dry-run', '--region', 'eu'], { VH_DEPLOY_POSTHOG_API_KEY: KEY, VH_DEPLOY_YES: 'true' });
    expect(r.code).toBe(0);
    expect(r.out + r.err).not.toContain(KEY);
    expect(r.out).toContain('POSTHOG_HOST: https://eu.i.posthog.com');
  });
  it('render model-router -o json prints one JSON List; secrets from files', () => {
    const pw = join(tmp, 'pw');
    writeFileSync(pw, 'file-password-123\n', { mode: 0o600 });
    const r = run(['-o', 'json', 'render', 'model-router', ...MR, '--db-password-file', pw]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { kind: string; items: Array<{ kind: string }> };
    expect(doc.kind).toBe('List');
    expect(doc.items.map((i) => i.kind)).toContain('Deployment');
    expect(r.out).not.toContain('file-password-123');
  });
  it('config file < env < flag, end to end', () => {
    const cfg = join(tmp, 'vh.yaml');
    writeFileSync(cfg, 'domain: config.example.com\ntlsIssuer: from-config\nstorageClass: from-config\n');
    const r = run(['self-hosted', '--config', cfg, '--dry-run', '--yes', '--tls-issuer', 'from-flag'], { VH_DEPLOY_STORAGE_CLASS: 'from-env' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('host: config.example.com');
    expect(r.out).toContain('cert-manager.io/cluster-issuer: from-flag');
    expect(r.out).toContain('storageClassName: from-env');
    expect(r.out).not.toContain('from-config\n');
  });
  it('VH_DEPLOY_SHOW_SECRETS=false does not show secrets (booleans from env are parsed)', () => {
    const r = run(['cloud', '--dry-run', '--yes', '--region', 'us', '--posthog-api-key', KEY], { VH_DEPLOY_SHOW_SECRETS: 'false' });
    expect(r.code).toBe(0);
    expect(r.out).not.toContain(KEY);
  });
});

describe('start-up cost', () => {
  // `--help` must not load @kubernetes/client-node (~400 ms), inquirer, ora or zod.
  // bin/ runs the esbuild bundle; esbuild's metafile (dist/bundle-meta.json) says which
  // source files went into each chunk and which chunks each one imports statically
  // or lazily. The heavy packages must sit only in chunks reached by `await import()`.
  const HEAVY = /node_modules\/(@kubernetes\/client-node|@inquirer\/[a-z-]+|ora|zod)\//;
  interface Meta { outputs: Record<string, { entryPoint?: string; inputs: Record<string, unknown>; imports: Array<{ path: string; kind: string; external?: boolean }> }> }
  const meta = (): Meta => JSON.parse(readFileSync(join(ROOT, 'dist/bundle-meta.json'), 'utf8')) as Meta;
  const staticGraph = (m: Meta) => {
    const entry = Object.keys(m.outputs).find((k) => m.outputs[k]!.entryPoint === 'src/main.ts')!;
    const seen = new Set<string>();
    const visit = (out: string) => {
      if (seen.has(out) || !m.outputs[out]) return;
      seen.add(out);
      for (const i of m.outputs[out]!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
    };
    visit(entry);
    return seen;
  };
  it('bin/ runs the bundle, whose static import graph holds none of the heavy packages', () => {
    expect(readFileSync(BIN, 'utf8')).toMatch(/^import \{ main \} from '\.\.\/dist\/bundle\/main\.js';$/m);
    const m = meta();
    const reached = staticGraph(m);
    expect(reached.has('dist/bundle/main.js')).toBe(true);
    const heavy = [...reached].filter((out) => Object.keys(m.outputs[out]!.inputs).some((i) => HEAVY.test(i)));
    expect(heavy).toEqual([]);
  });
  it('the heavy packages are in the bundle, in lazily imported chunks (the check above can fail)', () => {
    const m = meta();
    const withClient = Object.keys(m.outputs).filter((out) => Object.keys(m.outputs[out]!.inputs).some((i) => i.includes('node_modules/@kubernetes/client-node/')));
    expect(withClient.length).toBeGreaterThan(0);
    const reached = staticGraph(m);
    for (const f of withClient) expect(reached.has(f)).toBe(false);
    // ... and reached lazily: some chunk imports one of them dynamically, or through one that is.
    const lazyTargets = Object.values(m.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
    expect(lazyTargets.length).toBeGreaterThan(0);
  });
});
