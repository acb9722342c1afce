/// <reference path="../cluster/inject.d.ts" />
// Issue 13: the on-call experience in an 80×24 terminal. `verify all`, `history` and a
// deploy plan run in a pseudo-terminal of 80 columns: no line is longer than that, one
// line per check and per revision; a pipe and `-o wide` are never cut; the plan says
// "namespace X is created by this plan" once; the spinner shows the elapsed time and
// the timeout; a deploy ends with where to go next.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteNamespaces } from '../cluster/e2e-helpers.js';
import { readKubeconfig } from './support/kubeconfigs.js';
import { cli, created, kc, kubeconfig, nsName, routerArgs, routerEnv, KEY } from './support/day2.js';
import { columns, runInPty, type PtyResult } from './support/pty.js';

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

const context = readKubeconfig(kubeconfig)['current-context']!;
const fits = (r: PtyResult, width = 80) => expect(r.lines.filter((l) => columns(l) > width), r.text).toEqual([]);
const pty = (args: string[], o: { answer?: { expect: string; send: string } } = {}) => runInPty(args, { cols: 80, kubeconfig, env: routerEnv, ...o });

describe('readable at 80 columns', () => {
  let ns: string;
  let deployOut: string;
  beforeAll(async () => {
    ns = nsName('e2e-fit80');
    const c = await cli(['cloud', '-n', ns, '--region', 'eu', '--yes'], { VH_DEPLOY_POSTHOG_API_KEY: KEY });
    expect(c.code, c.err).toBe(0);
    const r = await cli(routerArgs(ns, { extra: ['--domain', 'router.example.com'] }));
    expect(r.code, r.err).toBe(0);
    deployOut = r.out;
    // A second revision for history.
    const s = await cli(['scale', 'model-router/model-router', '-n', ns, '--min', '2', '--max', '4']);
    expect(s.code, s.err).toBe(0);
  }, 180_000);

  it('verify all: every line fits in 80 columns, one line per check, the header names namespace and context', async () => {
    const json = JSON.parse((await cli(['verify', 'all', '-n', ns, '-o', 'json'])).out) as { checks: Array<{ check: string; detail: string }> };
    const r = await pty(['verify', 'all', '-n', ns]);
    expect(r.code, r.text).toBe(0);
    fits(r);
    expect(r.lines[0]).toBe(`verify: context ${context}, namespace ${ns}`);
    const rows = r.lines.filter((l) => /^[✓✗!] {2}/.test(l));
    expect(rows.map((l) => l.split(/ {2,}/)[2])).toEqual(json.checks.map((c) => c.check));
    // Each DETAIL is the check's whole detail, or its beginning cut with …; some are cut.
    const details = rows.map((l) => l.split(/ {2,}/).slice(3, -1).join('  '));
    details.forEach((d, i) => expect(d.endsWith('…') ? json.checks[i]!.detail.startsWith(d.slice(0, -1)) : d === json.checks[i]!.detail, `${d} / ${json.checks[i]!.detail}`).toBe(true));
    expect(details.filter((d) => d.endsWith('…')).length).toBeGreaterThan(0);
    expect(r.lines.filter(Boolean).at(-1)).toMatch(/^\d+ passed, (1 warning|\d+ warnings), 0 failed \(\d+\.\d s\)$/);
  });

  it('verify through a pipe and with -o wide: nothing is cut', async () => {
    const json = JSON.parse((await cli(['verify', 'all', '-n', ns, '-o', 'json'])).out) as { checks: Array<{ check: string; detail: string }> };
    const piped = await cli(['verify', 'all', '-n', ns]);
    const wide = await pty(['verify', 'all', '-n', ns, '-o', 'wide']);
    for (const c of json.checks) {
      expect(piped.out).toContain(c.detail);
      // A terminal wraps a long line itself: join the screen lines back before looking.
      expect(wide.text.replace(/\r\n/g, '')).toContain(c.detail);
    }
  });

  it('history: every line fits, one line per revision, the header names namespace and context', async () => {
    const r = await pty(['history', 'model-router', '-n', ns]);
    expect(r.code, r.text).toBe(0);
    fits(r);
    expect(r.lines[0]).toBe(`history of model-router: namespace ${ns}, context ${context}`);
    expect(r.lines.filter((l) => /^\d+ +\d{4}-\d\d-\d\d /.test(l)).map((l) => l.split(/ +/)[0])).toEqual(['1', '2']);
  });

  it('a deploy plan into a new namespace: every line fits; "namespace X is created by this plan" is said once', async () => {
    const fresh = nsName('e2e-fit80-new');
    const args = routerArgs(fresh, { extra: ['--posthog-host', 'https://eu.i.posthog.com', '--dry-run=server', '--verbose'] });
    const r = await runInPty(args, { cols: 80, kubeconfig, env: { ...routerEnv, VH_DEPLOY_POSTHOG_API_KEY: KEY } });
    expect(r.code, r.text).toBe(0);
    fits(r);
    expect(r.text.split(`namespace ${fresh} is created by this plan`)).toHaveLength(2);
    expect(r.lines).toContain(`    Deployment/${fresh}/model-router`);
  });

  it('the spinner shows the elapsed time and the timeout; the report ends with where to go next', async () => {
    const r = await pty(routerArgs(ns, { image: 'registry.example.com/model-router:1.4.3', extra: ['--domain', 'router.example.com'] }));
    expect(r.code, r.text).toBe(0);
    fits(r);
    // (A line longer than 80 columns is broken at a space: join them back to read it.)
    expect(r.lines.join(' ').replace(/ +/g, ' ')).toMatch(/applying \d+ objects, each once what it waits for is ready \(timeout 1 min 30 s\)/);
    expect(r.lines.some((l) => / · \d+\.\d s of 1 min 30 s$/.test(l))).toBe(true);
    const next = ['next:', '  http://router.example.com', `  vh-deploy verify model-router -n ${ns}`, `  vh-deploy history model-router -n ${ns}`];
    expect(r.lines.join('\n')).toContain(next.join('\n'));
    expect(deployOut.split('\n')).toEqual(expect.arrayContaining([`model-router ready in namespace ${ns}, context ${context}`, ...next]));
  });
});
