/// <reference path="../cluster/inject.d.ts" />
// Issue 13, item 3: the namespace is always in view, and the kubeconfig context's
// namespace counts (as for kubectl and Helm). Precedence: -n > VH_DEPLOY_NAMESPACE >
// config file > the context's namespace > the stack's default (docs/day2.md, "Which
// namespace"). Hints are commands to paste as they are: -n and --context included.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteNamespaces } from '../cluster/e2e-helpers.js';
import { runCli } from './support/cli.js';
import { readKubeconfig } from './support/kubeconfigs.js';
import { cli, created, deployRouter, kc, kubeconfig, nsName, routerArgs, routerEnv } from './support/day2.js';
import { runInPty } from './support/pty.js';

const tmp = mkdtempSync(join(tmpdir(), 'vh-ns-view-'));
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await deleteNamespaces(kc, created);
});

const context = readKubeconfig(kubeconfig)['current-context']!;

/** The e2e kubeconfig with `namespace: ns` on its context (`kubectl config set-context --current --namespace=ns`). */
function withContextNamespace(ns: string): string {
  const doc = readKubeconfig(kubeconfig);
  for (const c of doc.contexts) if (c.name === doc['current-context']) c.context.namespace = ns;
  const file = join(tmp, `${ns}.kubeconfig`);
  writeFileSync(file, dump(doc), { mode: 0o600 });
  return file;
}

describe('the namespace in view', () => {
  let ns: string;
  let ctxKubeconfig: string;
  beforeAll(async () => {
    ns = await deployRouter('e2e-nsview');
    // A second revision, so there is one to roll back to.
    const r = await cli(routerArgs(ns, { image: 'registry.example.com/model-router:1.4.3' }));
    expect(r.code, r.err).toBe(0);
    ctxKubeconfig = withContextNamespace(ns);
  }, 180_000);

  it("history without -n reads the context's namespace and says so", async () => {
    const r = await runCli(['history', 'model-router'], { kubeconfig: ctxKubeconfig });
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n')[0]).toBe(`history of model-router: namespace ${ns} (from kubeconfig context ${context}), context ${context}`);
    expect(r.out).toMatch(/^2 +\S+ \S+ +deployed +model-router +1\.4\.3 /m);
    const json = JSON.parse((await runCli(['history', 'model-router', '-o', 'json'], { kubeconfig: ctxKubeconfig })).out) as { namespace: string; context: string };
    expect(json).toMatchObject({ namespace: ns, context });
  });

  it('precedence: -n > VH_DEPLOY_NAMESPACE > config file > context namespace', async () => {
    const other = nsName('e2e-nsview-none');
    const config = join(tmp, 'ns.yaml');
    writeFileSync(config, `namespace: ${other}\n`);
    const notHere = (r: { code: number | null; err: string }) => {
      expect(r.code).toBe(1);
      expect(r.err).toContain(`error: no revision of model-router is recorded in namespace ${other}`);
    };
    notHere(await runCli(['history', 'model-router', '--config', config], { kubeconfig: ctxKubeconfig }));
    notHere(await runCli(['history', 'model-router'], { kubeconfig: ctxKubeconfig, env: { VH_DEPLOY_NAMESPACE: other } }));
    // env over the config file, the flag over both
    const env = await runCli(['history', 'model-router', '--config', config], { kubeconfig: ctxKubeconfig, env: { VH_DEPLOY_NAMESPACE: ns } });
    expect(env.code, env.err).toBe(0);
    expect(env.out.split('\n')[0]).toBe(`history of model-router: namespace ${ns} (from VH_DEPLOY_NAMESPACE), context ${context}`);
    const flag = await runCli(['history', 'model-router', '-n', ns, '--config', config], { kubeconfig: ctxKubeconfig, env: { VH_DEPLOY_NAMESPACE: other } });
    expect(flag.code, flag.err).toBe(0);
    expect(flag.out.split('\n')[0]).toBe(`history of model-router: namespace ${ns}, context ${context}`);
  });

  it("rollback --yes without -n acts in the context's namespace (not the stack default) and says where it came from", async () => {
    const r = await runCli(['rollback', 'model-router', '--yes'], { kubeconfig: ctxKubeconfig, env: routerEnv });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`model-router in namespace ${ns} (from kubeconfig context ${context}), context ${context}: revision 2`);
  });

  it("the confirmation of a mutating command names the namespace and that it was not given (context's namespace, stack default)", async () => {
    const byContext = await runInPty(['rollback', 'model-router', '--to-revision', '2'], { cols: 200, kubeconfig: ctxKubeconfig, env: routerEnv, answer: { expect: '?', send: 'n\r' } });
    expect(byContext.text).toContain(`Roll model-router back to revision 2 in namespace ${ns} (from kubeconfig context ${context}), context ${context}?`);
    expect(byContext.code).toBe(130);
    // The stack's default: shown as such in the summary and the confirmation; declined, nothing is written.
    const byDefault = await runInPty(['cloud', '--region', 'eu'], { cols: 200, kubeconfig, env: { VH_DEPLOY_POSTHOG_API_KEY: 'phc_nsviewNSVIEWnsview0123456' }, answer: { expect: '?', send: 'n\r' } });
    expect(byDefault.text).toMatch(/ {2}namespace +voicehelper-prod \(default; -n to choose\)/);
    expect(byDefault.text).toContain(`Apply 3 objects to namespace voicehelper-prod (default; -n to choose) in context ${context}?`);
    expect(byDefault.code).toBe(130);
  });

  it('hints carry -n and --context as given, so they can be pasted', async () => {
    const single = await deployRouter('e2e-nsview-one');
    const r = await cli(['rollback', 'model-router', '-n', single, '--context', context]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`hint: name a revision with --to-revision N (see \`vh-deploy history model-router -n ${single} --context ${context}\`)`);
    // A namespace with the connection but no Model Router yet.
    const empty = nsName('e2e-nsview-cloud');
    expect((await cli(['cloud', '-n', empty, '--region', 'us', '--yes'], { VH_DEPLOY_POSTHOG_API_KEY: 'phc_nsviewNSVIEWnsview0123456' })).code).toBe(0);
    const u = await cli(['upgrade', 'model-router', '-n', empty, '--image-tag', '1.4.3']);
    expect(u.code).toBe(1);
    expect(u.err).toContain(`hint: deploy it first with \`vh-deploy model-router -n ${empty}\``);
  });
});
