// Issue 13, item 2: no silent default that changes meaning. Without a terminal `cloud`
// needs --region or --host (exit 2, one line naming both, nothing sent); the defaults
// that matter are in --help (the PostHog version, the namespace, --timeout) and in the
// summary, marked as defaults.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner } from './support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vh-cli-defaults-'));
const run = cliRunner(tmp);
const KEY = 'phc_cliDEFAULTScliDEFAULTS0123';
// A kubeconfig whose server nothing listens on: an input that got past the checks would be exit 3.
const dead = join(tmp, 'dead.kubeconfig');
writeFileSync(dead, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: dead, context: {cluster: c, user: u}}]\ncurrent-context: dead\n');

describe('cloud without a terminal', () => {
  it('with only a key: exit 2, one line naming --region and --host, before any API call', () => {
    const r = run(['cloud', '--yes'], { VH_DEPLOY_POSTHOG_API_KEY: KEY, KUBECONFIG: dead });
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe('error: missing required value: --region or --host');
    expect(r.err).not.toContain('127.0.0.1:1');
  });
  it('render too: no host is picked silently', () => {
    const r = run(['render', 'cloud', '--posthog-api-key', KEY]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe('error: missing required value: --region or --host');
  });
  it('with --region eu, the EU host', () => {
    const r = run(['render', 'cloud', '--region', 'eu', '--posthog-api-key', KEY]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('POSTHOG_HOST: https://eu.i.posthog.com');
  });
});

describe('a value that came from the environment says so (item 8)', () => {
  it('a VH_DEPLOY_REGION left in the shell, with --host: the message names where --region came from', () => {
    const r = run(['cloud', '--yes', '--host', 'https://ph.example.com'], { VH_DEPLOY_POSTHOG_API_KEY: KEY, VH_DEPLOY_REGION: 'eu', KUBECONFIG: dead });
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('error: --host and --region (from VH_DEPLOY_REGION) are alternatives; give one');
  });
});

describe('defaults in --help', () => {
  it('cloud --help says the region has no default', () => {
    expect(run(['cloud', '--help']).out).toMatch(/--region <us\|eu>\s+PostHog Cloud region: us → https:\/\/us\.i\.posthog\.com, eu → https:\/\/eu\.i\.posthog\.com; no default \(asked on a terminal; otherwise required unless --host\)/);
  });
  it("each stack command names its namespace default and what overrides it", () => {
    expect(run(['cloud', '--help']).out).toContain("Namespace: voicehelper-prod unless -n, VH_DEPLOY_NAMESPACE, the config file or the\nkubeconfig context's namespace says otherwise");
    expect(run(['self-hosted', '--help']).out).toContain('Namespace: posthog unless -n');
  });
  it('self-hosted --help names the default PostHog version; --timeout and -o name theirs', () => {
    const sh = run(['self-hosted', '--help']).out.replace(/\s+/g, ' ');
    expect(sh).toMatch(/--posthog-version <tag> PostHog image tag or digest \(pinned; default: release-1\.43\.0, docs\/compatibility\.md\)/);
    const top = run(['--help']).out.replace(/\s+/g, ' ');
    expect(top).toContain('(default: 5m)');
    expect(top).toMatch(/-o, --output <format> output format \(wide: text whose tables are not cut to the terminal width\) \(text\|json\|wide\) \(default: text\)/);
  });
});
