// Where a command works — kube context and namespace — and how it was chosen, so that
// every summary, report and hint names it (docs/day2.md, "Which namespace"). A hint is
// a command to paste as it is: it carries -n and --context whenever they were not
// the defaults. Loaded at start-up by engine-errors.ts: nothing heavy is imported.
import type { Command } from 'commander';
import { chooseNamespace, namespaceNote, type NamespaceOrigin } from '../config/namespace.js';
import type { Source } from '../config/resolve.js';
import type { KubeConfig } from '@kubernetes/client-node';

export interface Target {
  namespace: string;
  origin: NamespaceOrigin;
  context: string;
  /** `(from kubeconfig context X)`, `(default: …)`; '' when typed as a flag. */
  note: string;
  /** ` -n ux-int --context kind-x`: what a pasted command needs to reach the same place. */
  flags: string;
}

/** What the target is chosen from: the command's global inputs and the connected cluster. */
export interface TargetInputs {
  globals: { namespace?: string | undefined; context?: string | undefined };
  globalSources: Readonly<Record<string, Source>>;
}

/** The namespace the kubeconfig context names (`kubectl config set-context --current --namespace=X`). */
export function contextNamespace(cluster: { kc: KubeConfig; contextName: string }): string | undefined {
  return cluster.kc.getContextObject(cluster.contextName)?.namespace;
}

export function targetOf(inputs: TargetInputs, cluster: { kc: KubeConfig; contextName: string }, stackDefault: string): Target {
  const chosen = chooseNamespace({ given: inputs.globals.namespace, givenFrom: inputs.globalSources.namespace, contextNamespace: contextNamespace(cluster), stackDefault });
  const namespace = chosen.namespace ?? stackDefault;
  return { namespace, origin: chosen.origin, context: cluster.contextName, note: namespaceNote(chosen.origin, cluster.contextName), flags: hintFlags(inputs, chosen.origin === 'stack' ? undefined : namespace) };
}

/** ` -n NS --context C`: -n when the namespace is not the stack's default, --context when the user chose one. */
export function hintFlags(inputs: TargetInputs, namespace: string | undefined): string {
  return `${namespace !== undefined ? ` -n ${namespace}` : ''}${inputs.globals.context !== undefined ? ` --context ${inputs.globals.context}` : ''}`;
}

const remembered = new WeakMap<Command, string>();

/** The hint flags of a command's run, for the errors it throws (see pasteable). */
export function rememberTarget(cmd: Command, flags: string): void {
  remembered.set(cmd, flags);
}

/** The hint flags of a command: those remembered, else -n/--context as given on its command line or in env. */
export function flagsOf(cmd: Command | undefined): string {
  if (!cmd) return '';
  const known = remembered.get(cmd);
  if (known !== undefined) return known;
  const opts = cmd.optsWithGlobals() as { namespace?: string; context?: string };
  const given = (k: string) => ['cli', 'env'].includes(cmd.getOptionValueSourceWithGlobals(k) ?? '');
  return hintFlags({ globals: { ...(given('context') && { context: opts.context }) }, globalSources: {} }, given('namespace') ? opts.namespace : undefined);
}

/**
 * Every `vh-deploy …` command quoted in a message or hint, with the flags that make it
 * reach the same namespace and context (unless it names a namespace already). Pure.
 */
export function pasteable(text: string, flags: string): string {
  if (!flags) return text;
  return text.replace(/`vh-deploy ([^`]*)`/g, (all, rest: string) => (/(^|\s)(-n|--namespace)(\s|=)/.test(rest) ? all : `\`vh-deploy ${rest}${flags}\``));
}
