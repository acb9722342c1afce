// Which namespace a command works in, and how that came about (docs/day2.md, "Which
// namespace"). Pure: what the user gave, the kubeconfig context's namespace and the
// stack's default in; the namespace and its origin out.
import { envName } from './fields.js';
import type { Source } from './resolve.js';

/** flag, env, config: the user chose it; context: the kubeconfig context's namespace; stack: the stack's default. */
export type NamespaceOrigin = 'flag' | 'env' | 'config' | 'context' | 'stack';

export interface ChosenNamespace {
  /** undefined only when no stack default applies (`verify all`: each stack's own). */
  namespace: string | undefined;
  origin: NamespaceOrigin;
}

/**
 * flag > VH_DEPLOY_NAMESPACE > config file > the kubeconfig context's namespace > the
 * stack's default. A context namespace of `default` does not count: many kubeconfig
 * writers put it in every context, so it says nothing about where a stack runs.
 */
export function chooseNamespace(o: { given?: string | undefined; givenFrom?: Source | undefined; contextNamespace?: string | undefined; stackDefault?: string | undefined }): ChosenNamespace {
  if (o.given !== undefined) return { namespace: o.given, origin: o.givenFrom === 'env' || o.givenFrom === 'config' ? o.givenFrom : 'flag' };
  if (o.contextNamespace && o.contextNamespace !== 'default') return { namespace: o.contextNamespace, origin: 'context' };
  return { namespace: o.stackDefault, origin: 'stack' };
}

/** How the namespace was chosen, after its name: '' when typed as a flag. */
export function namespaceNote(origin: NamespaceOrigin, context: string): string {
  switch (origin) {
    case 'flag':
      return '';
    case 'env':
      return `(from ${envName('namespace')})`;
    case 'config':
      return '(from the config file)';
    case 'context':
      return `(from kubeconfig context ${context})`;
    case 'stack':
      return '(default; -n to choose)';
  }
}
