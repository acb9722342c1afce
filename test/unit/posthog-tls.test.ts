// TLS without cert-manager (issue 10): SITE_URL and the Ingress agree. --tls-issuer
// (cert-manager), --tls-secret NAME (an existing kubernetes.io/tls Secret) or an explicit
// --insecure-http (SITE_URL http://…, a warning in the summary); without any of them a
// non-interactive run is exit 2 naming the three, and a terminal asks.
import { describe, expect, it } from 'vitest';
import type { Prompter } from '../../src/config/prompts.js';
import { resolveInputs } from '../../src/config/resolve.js';
import { ingressTlsSecrets } from '../../src/k8s/references.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { SELF_HOSTED_FIELDS } from '../../src/stacks/posthog/fields.js';
import { posthogStack } from '../../src/stacks/posthog/index.js';
import { offlineContext, recallValues, renderStack } from '../../src/stacks/stack.js';
import { cliRunner } from './support/cli.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const render = (v: Record<string, unknown>) => renderStack(posthogStack, { domain: 'p.example.com', ...v }, offlineContext('ph'));
const siteUrl = (objs: KubeObject[]) => (objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'posthog-config')!.data as Record<string, string>).SITE_URL;
const ingress = (objs: KubeObject[]) => objs.find((o) => o.kind === 'Ingress')!;

describe('what each choice renders', () => {
  it('--tls-issuer: https, cert-manager annotation, Secret posthog-tls', () => {
    const objs = render({ tlsIssuer: 'le' });
    expect(siteUrl(objs)).toBe('https://p.example.com');
    expect(ingress(objs).metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe('le');
    expect((ingress(objs).spec as any).tls).toEqual([{ hosts: ['p.example.com'], secretName: 'posthog-tls' }]);
  });
  it('--tls-secret: https, the named Secret, no cert-manager annotation; preflight will look for it', () => {
    const objs = render({ tlsSecret: 'my-cert' });
    expect(siteUrl(objs)).toBe('https://p.example.com');
    expect(ingress(objs).metadata.annotations?.['cert-manager.io/cluster-issuer']).toBeUndefined();
    expect((ingress(objs).spec as any).tls).toEqual([{ hosts: ['p.example.com'], secretName: 'my-cert' }]);
    expect(ingressTlsSecrets(objs, 'ph')).toEqual([{ namespace: 'ph', name: 'my-cert', usedBy: 'Ingress/ph/posthog' }]);
    // cert-manager's Secret is not looked for: it writes it.
    expect(ingressTlsSecrets(render({ tlsIssuer: 'le' }), 'ph')).toEqual([]);
  });
  it('--insecure-http (or that answer at the prompt): http, no TLS on the Ingress, a warning in the summary', () => {
    for (const v of [{ insecureHttp: true }, { tls: 'insecure-http' }]) {
      const objs = render(v);
      expect(siteUrl(objs)).toBe('http://p.example.com');
      expect((ingress(objs).spec as any).tls).toEqual([]);
      const rows = posthogStack.summary({ domain: 'p.example.com', ...v }, offlineContext('ph'));
      expect(rows.find((r) => r[0] === 'public URL')?.[1]).toBe('http://p.example.com');
      expect(rows.find((r) => r[0] === 'TLS')?.[1]).toMatch(/^WARNING: none, plain HTTP \(--insecure-http\)/);
    }
  });
});

describe('the choice is made, and only one', () => {
  const check = (v: Record<string, unknown>) => posthogStack.check({ domain: 'p.example.com', ...v });
  it('none: one error naming the three choices', () => {
    expect(check({})).toEqual([
      'self-hosted: choose how PostHog is served (its login cookies need HTTPS): --tls-issuer NAME (a cert-manager ClusterIssuer issues the certificate), --tls-secret NAME (an existing kubernetes.io/tls Secret), or --insecure-http (plain HTTP, SITE_URL http://…)',
    ]);
  });
  it('two: refused', () => {
    expect(check({ tlsIssuer: 'le', tlsSecret: 'c' })).toEqual(['--tls-issuer and --tls-secret are alternatives (cert-manager writes its own Secret); give one']);
    expect(check({ insecureHttp: true, tlsSecret: 'c' })).toEqual(['--insecure-http serves PostHog without TLS; leave it out, or leave out --tls-secret']);
  });
  it('one: fine', () => {
    for (const v of [{ tlsIssuer: 'le' }, { tlsSecret: 'c' }, { insecureHttp: true }]) expect(check(v)).toEqual([]);
  });
  it('a choice given now replaces the one recorded earlier', () => {
    expect(recallValues(posthogStack, { insecureHttp: true, domain: 'p.example.com' }, { tlsSecret: 'c' })).toEqual({ domain: 'p.example.com' });
    expect(recallValues(posthogStack, { tlsIssuer: 'le' }, { insecureHttp: true })).toEqual({});
    expect(recallValues(posthogStack, { tlsIssuer: 'le' }, {})).toEqual({ tlsIssuer: 'le' });
  });
});

describe('on a terminal the choice is asked for, then the name it needs', () => {
  const prompter = (answers: { select: string; input?: string }, asked: string[]): Prompter => ({
    select: async (o) => (asked.push(o.message), answers.select),
    input: async (o) => (asked.push(o.message), answers.input ?? ''),
    password: async () => '',
    confirm: async () => true,
  });
  const resolve = (answers: { select: string; input?: string }, asked: string[]) =>
    resolveInputs({
      fields: SELF_HOSTED_FIELDS,
      layers: { flag: { domain: 'p.example.com' }, env: {}, config: {} },
      required: (v) => posthogStack.required(v, true),
      prompter: prompter(answers, asked),
    });
  it('secret → the Secret name', async () => {
    const asked: string[] = [];
    const r = await resolve({ select: 'secret', input: 'my-cert' }, asked);
    expect(asked).toEqual(['PostHog needs HTTPS for its login cookies. How should it be served?', 'an existing TLS Secret (type kubernetes.io/tls) in the namespace for the Ingress, instead of --tls-issuer']);
    expect(r.values.tlsSecret).toBe('my-cert');
    expect(posthogStack.check(r.values)).toEqual([]);
  });
  it('insecure-http → nothing more', async () => {
    const asked: string[] = [];
    const r = await resolve({ select: 'insecure-http' }, asked);
    expect(asked).toHaveLength(1);
    expect(r.values.tls).toBe('insecure-http');
    expect(siteUrl(render(r.values))).toBe('http://p.example.com');
  });
  it('not asked without a terminal', () => {
    expect(posthogStack.required({ domain: 'p.example.com' }, false)).toEqual(['domain']);
  });
});

describe('the CLI (dist/ built)', () => {
  const run = cliRunner(mkdtempSync(join(tmpdir(), 'vh-tls-')));
  it('no choice, non-interactive: exit 2 before any API call, naming the three', () => {
    const r = run(['self-hosted', '--yes', '--domain', 'p.example.com', '--kubeconfig', '/nonexistent']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')[0]).toBe(
      'error: self-hosted: choose how PostHog is served (its login cookies need HTTPS): --tls-issuer NAME (a cert-manager ClusterIssuer issues the certificate), --tls-secret NAME (an existing kubernetes.io/tls Secret), or --insecure-http (plain HTTP, SITE_URL http://…)',
    );
    expect(r.out).toBe('');
  });
  it('--tls-secret with a bad name is exit 2', () => {
    const r = run(['render', 'self-hosted', '--domain', 'p.example.com', '--tls-secret', 'Bad_Name']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --tls-secret: /);
  });
});
