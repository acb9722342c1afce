import { describe, expect, it } from 'vitest';
import { rulesAllow, type ResourceRule } from '../../src/k8s/preflight.js';

const req = (verb: string, group: string, resource: string) => ({ verb, group, resource, namespace: 'ns' });

describe('rulesAllow (SelfSubjectRulesReview rules, RBAC wildcards)', () => {
  const admin: ResourceRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }];
  const editor: ResourceRule[] = [
    { verbs: ['get', 'list', 'watch', 'create', 'patch'], apiGroups: ['apps'], resources: ['deployments', 'statefulsets'] },
    { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
    { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['only-this-one'] },
  ];
  it('wildcards allow everything', () => {
    expect(rulesAllow(admin, req('patch', 'apps', 'deployments'))).toBe(true);
    expect(rulesAllow(admin, req('get', '', 'pods/log'))).toBe(true);
  });
  it('verb, group and resource must all match', () => {
    expect(rulesAllow(editor, req('patch', 'apps', 'deployments'))).toBe(true);
    expect(rulesAllow(editor, req('delete', 'apps', 'deployments'))).toBe(false);
    expect(rulesAllow(editor, req('patch', '', 'deployments'))).toBe(false);
    expect(rulesAllow(editor, req('patch', 'apps', 'daemonsets'))).toBe(false);
  });
  it('subresources are exact; a name-restricted rule never answers for the whole kind', () => {
    expect(rulesAllow(editor, req('get', '', 'pods/log'))).toBe(true);
    expect(rulesAllow(editor, req('get', '', 'pods'))).toBe(false);
    expect(rulesAllow(editor, req('get', '', 'secrets'))).toBe(false);
  });
  it('no rules, no access', () => {
    expect(rulesAllow([], req('get', '', 'configmaps'))).toBe(false);
  });
});
