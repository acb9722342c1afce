// Issue 13: tables and lines that fit the terminal (src/ui/format.ts), the namespace's
// precedence (src/config/namespace.ts), pasteable hints (src/commands/target.ts), plan
// lines that say a shared note once, the spinner's clock, the deploy's next steps.
import { describe, expect, it } from 'vitest';
import { planLines } from '../../src/actions/deploy.js';
import { chooseNamespace, namespaceNote } from '../../src/config/namespace.js';
import { labelWithSource } from '../../src/config/sources.js';
import { hintFlags, pasteable } from '../../src/commands/target.js';
import { fit, plural, table, wrap } from '../../src/ui/format.js';
import { nextSteps } from '../../src/ui/printers/deploy.js';
import { verifyHeader } from '../../src/ui/printers/verify.js';
import { clockText, spinnerText } from '../../src/ui/progress.js';

const DETAIL = 'HPA model-router: 3 replicas within 3–10, but it has no metrics yet (metrics-server missing?); it scales on nothing until they come';
const rows = [
  ['✓', 'model-router', 'revision', 'revision 1 (deploy, 1.4.2)', '12 ms'],
  ['!', 'model-router', 'HPA model-router', DETAIL, '830 ms'],
];
const HEADER = [' ', 'STACK', 'CHECK', 'DETAIL', 'TIME'];

describe('table', () => {
  it('without a width (a pipe, -o wide) nothing is cut: the long column is padded to its longest cell', () => {
    const lines = table(HEADER, rows);
    expect(lines[2]).toBe(`!  model-router  HPA model-router  ${DETAIL}  830 ms`);
    expect(lines[1]).toBe(`✓  model-router  revision          revision 1 (deploy, 1.4.2)${' '.repeat(DETAIL.length - 26)}  12 ms`);
  });
  it('at 80 columns every row is one line of at most 80: the long column is cut with …, the others stay', () => {
    const lines = table(HEADER, rows, { width: 80, shrink: [3, 2] });
    expect(lines).toEqual([
      '   STACK         CHECK             DETAIL                                 TIME',
      '✓  model-router  revision          revision 1 (deploy, 1.4.2)             12 ms',
      '!  model-router  HPA model-router  HPA model-router: 3 replicas within …  830 ms',
    ]);
    expect(lines.map((l) => l.length)).toEqual([78, 79, 80]);
  });
  it('cuts the next column when the first reaches its minimum; a multi-line cell is one line', () => {
    const lines = table(['A', 'LONG', 'B'], [['x', 'first line\nsecond line', 'a fairly long last cell']], { width: 30, shrink: [2, 1] });
    expect(lines).toEqual(['A  LONG               B', 'x  first line secon…  a fairl…']);
    expect(lines.every((l) => l.length <= 30)).toBe(true);
  });
  it('colour codes do not count as width', () => {
    const red = '\u001b[31m✗\u001b[39m';
    expect(table(['S', 'D'], [[red, 'x'.repeat(40)]], { width: 20, shrink: [1] })[1]).toBe(`${red}  ${'x'.repeat(16)}…`);
  });
});

describe('fit and wrap', () => {
  it('fit cuts to the width with …', () => {
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('abc', 4)).toBe('abc');
    expect(fit('abcdef', undefined)).toBe('abcdef');
  });
  it('wrap breaks prose at spaces under its value column; a pipe gets it as it is', () => {
    const row = '  security         runAsNonRoot uid 65532 gid 65532, read-only root fs, no privilege escalation (default)';
    expect(wrap(row, 60).split('\n')).toEqual([
      '  security         runAsNonRoot uid 65532 gid 65532,',
      '                   read-only root fs, no privilege',
      '                   escalation (default)',
    ]);
    expect(wrap(row, undefined)).toBe(row);
    expect(wrap('short', 60)).toBe('short');
  });
  it('a quoted command is never broken (it is to be pasted); a word longer than the line is not cut', () => {
    const hint = 'hint: deploy it first with `vh-deploy model-router -n h13a-cloudonly --context vh-e2e`, or pass the namespace with -n';
    expect(wrap(hint, 60).split('\n')).toEqual(['hint: deploy it first with', '  `vh-deploy model-router -n h13a-cloudonly --context vh-e2e`,', '  or pass the namespace with -n']);
    expect(wrap(`see ${'x'.repeat(70)} now`, 60).split('\n')).toEqual(['see', `  ${'x'.repeat(70)}`, '  now']);
  });
  it('"1 warning", "2 warnings"', () => {
    expect([0, 1, 2].map((n) => plural(n, 'warning'))).toEqual(['0 warnings', '1 warning', '2 warnings']);
  });
});

describe('which namespace (flag > env > config > kubeconfig context > stack default)', () => {
  const base = { contextNamespace: 'ux-int', stackDefault: 'voicehelper-prod' };
  it.each([
    [{ given: 'a', givenFrom: 'flag' as const }, { namespace: 'a', origin: 'flag' }],
    [{ given: 'b', givenFrom: 'env' as const }, { namespace: 'b', origin: 'env' }],
    [{ given: 'c', givenFrom: 'config' as const }, { namespace: 'c', origin: 'config' }],
    [{}, { namespace: 'ux-int', origin: 'context' }],
  ])('%j → %j', (given, want) => {
    expect(chooseNamespace({ ...base, ...given })).toEqual(want);
  });
  it("the stack's default without a context namespace, or when the context says `default`", () => {
    expect(chooseNamespace({ stackDefault: 'posthog' })).toEqual({ namespace: 'posthog', origin: 'stack' });
    expect(chooseNamespace({ contextNamespace: 'default', stackDefault: 'posthog' })).toEqual({ namespace: 'posthog', origin: 'stack' });
    expect(chooseNamespace({ contextNamespace: 'default' })).toEqual({ namespace: undefined, origin: 'stack' });
  });
  it('says how it was chosen unless typed', () => {
    expect(['flag', 'env', 'config', 'context', 'stack'].map((o) => namespaceNote(o as never, 'kind-x'))).toEqual([
      '',
      '(from VH_DEPLOY_NAMESPACE)',
      '(from the config file)',
      '(from kubeconfig context kind-x)',
      '(default; -n to choose)',
    ]);
  });
});

describe('hints to paste', () => {
  it('-n unless the stack default, --context when chosen', () => {
    expect(hintFlags({ globals: { context: 'kind-x' }, globalSources: {} }, 'ux-int')).toBe(' -n ux-int --context kind-x');
    expect(hintFlags({ globals: {}, globalSources: {} }, undefined)).toBe('');
  });
  it('every quoted vh-deploy command gets the flags, unless it names a namespace', () => {
    expect(pasteable('see `vh-deploy history model-router`; try `vh-deploy rollback model-router --to-revision 3`', ' -n ux-int')).toBe(
      'see `vh-deploy history model-router -n ux-int`; try `vh-deploy rollback model-router --to-revision 3 -n ux-int`',
    );
    expect(pasteable('`vh-deploy verify -n other`', ' -n ux-int')).toBe('`vh-deploy verify -n other`');
    expect(pasteable('`vh-deploy verify`', '')).toBe('`vh-deploy verify`');
  });
});

describe('plan lines', () => {
  it('a note several new objects share is said once, above them', () => {
    const note = 'namespace ux-sh is created by this plan';
    expect(
      planLines([
        { ref: 'Namespace/ux-sh', action: 'new', lines: [] },
        { ref: 'ConfigMap/ux-sh/a', action: 'new', note, lines: [] },
        { ref: 'Secret/ux-sh/b', action: 'new', note, lines: [] },
        { ref: 'Deployment/other/c', action: 'changed', lines: ['~ spec.replicas: 2 → 3'] },
      ]),
    ).toEqual(['Namespace/ux-sh (new)', `2 new objects (${note}):`, '    ConfigMap/ux-sh/a', '    Secret/ux-sh/b', 'Deployment/other/c (changed)\n    ~ spec.replicas: 2 → 3']);
  });
  it('a note on one object stays on its line', () => {
    expect(planLines([{ ref: 'X/a', action: 'new', note: 'its CustomResourceDefinition is created by this plan', lines: [] }])).toEqual(['X/a (new; its CustomResourceDefinition is created by this plan)']);
  });
});

describe('progress and the end', () => {
  it('the spinner shows what it waits for, the elapsed time and the timeout, within the terminal', () => {
    expect(clockText(12_300, 300_000)).toBe('12 s of 5 min');
    expect(clockText(4_200, undefined)).toBe('4.2 s');
    const waiting = new Map([['Deployment/ns/model-router', '1 of 3 new replicas updated'], ['StatefulSet/ns/x', '0 of 1 ready']]);
    // eslint-disable-next-line no-control-regex
    const text = spinnerText(waiting, clockText(12_300, 300_000), 60).replace(/\u001b\[[0-9;]*m/g, '');
    expect(text).toBe('waiting for Deployment/ns/model… (+1 more) · 12 s of 5 min');
    expect(text.length).toBe(58);
  });
  it('a deploy ends with where to go next, with the flags of the run', () => {
    expect(nextSteps('model-router', ['https://router.example.com'], ' -n ux-int')).toEqual([
      'next:',
      '  https://router.example.com',
      '  vh-deploy verify model-router -n ux-int',
      '  vh-deploy history model-router -n ux-int',
    ]);
  });
  it("verify's header names the context and each stack's namespace", () => {
    const stacks = [{ stack: 'model-router', namespace: 'voicehelper-prod', revision: 1, revisionStatus: 'deployed' as const }];
    expect(verifyHeader({ context: 'kind-x', stacks }, '(default; -n to choose)')).toEqual(['verify: context kind-x, namespace voicehelper-prod (default; -n to choose)']);
    expect(verifyHeader({ context: 'kind-x', stacks: [...stacks, { ...stacks[0]!, stack: 'posthog', namespace: 'posthog' }] }, '')).toEqual([
      'verify: context kind-x',
      '  model-router in namespace voicehelper-prod',
      '  posthog in namespace posthog',
    ]);
  });
  it('a value in a message says where it came from unless it was a flag', () => {
    expect(labelWithSource('replicas', 3, 'env')).toBe('--replicas 3 (from VH_DEPLOY_REPLICAS)');
    expect(labelWithSource('min', 2, 'config')).toBe('--min 2 (from config key min)');
    expect(labelWithSource('max', 8, 'recorded', 4)).toBe('--max 8 (recorded in revision 4)');
    expect(labelWithSource('max', 8, 'flag')).toBe('--max 8');
  });
});

describe('where a value in a check message came from', () => {
  it('the first mention of each option not typed as a flag gets its origin', async () => {
    const { withSources } = await import('../../src/config/sources.js');
    expect(withSources('--host and --region are alternatives; give one', { host: 'flag', region: 'env' })).toBe('--host and --region (from VH_DEPLOY_REGION) are alternatives; give one');
    expect(withSources('--min-replicas 5 is greater than --max-replicas 3', { minReplicas: 'config', maxReplicas: 'recorded' }, 4)).toBe(
      '--min-replicas (from config key minReplicas) 5 is greater than --max-replicas (recorded in revision 4) 3',
    );
    // --max is not --max-replicas; a message that already says it is left alone
    expect(withSources('--max-replicas: too low', { max: 'env' })).toBe('--max-replicas: too low');
    expect(withSources('--region (from VH_DEPLOY_REGION): bad', { region: 'env' })).toBe('--region (from VH_DEPLOY_REGION): bad');
  });
});
