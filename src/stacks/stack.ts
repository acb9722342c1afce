// A stack is templates plus a schema: the fields it takes, which are required, the
// checks across fields, and how values become template data. Nothing here talks to
// a cluster; the deploy pipeline gives `render` what it read (existing secrets,
// optional APIs) through the context.
import type { Field } from '../config/fields.js';
import type { HealthCheck } from './health.js';
import type { KubeObject } from '../k8s/types.js';
import { addConfigChecksums, addStandardLabels, encodeSecrets } from '../manifests/finalize.js';

export interface RenderContext {
  namespace: string;
  /** Decoded data of Secrets that already exist, so generated values are reused. */
  existingSecrets: Record<string, Record<string, string> | undefined>;
  /** Optional APIs found by discovery (offline render: none). */
  capabilities: { serviceMonitor: boolean };
  /** Objects the stack reads but another command owns (for config checksums). */
  external?: KubeObject[];
}

export interface Stack {
  /** Stack id used in labels, revisions, leases and `upgrade STACK`. */
  name: string;
  defaultNamespace: string;
  fields: Field[];
  /** Keys that must have a value; `interactive` lets a stack ask for values that have a fallback. */
  required(values: Record<string, unknown>, interactive: boolean): string[];
  /** Cross-field checks; each string is one error line (exit 2). */
  check(values: Record<string, unknown>): string[];
  /** Secrets whose existing data render() reuses (read before rendering). */
  reusedSecrets: string[];
  render(values: Record<string, unknown>, ctx: RenderContext): KubeObject[];
  /** The version recorded in labels and revisions (image tag). */
  version(values: Record<string, unknown>): string | undefined;
  /** HTTP checks through the API server's service proxy once the stack is ready. */
  health(values: Record<string, unknown>): HealthCheck[];
  /** Human summary shown before the confirm prompt; never secret values. */
  summary(values: Record<string, unknown>, ctx: RenderContext): Array<[string, string]>;
  /**
   * Other stacks whose objects this plan also writes: their locks are held too, taken
   * before this stack's own, so a run of that stack cannot interleave with this one.
   */
  alsoLocks?(values: Record<string, unknown>): string[];
}

/** Renders a stack and applies the generic finishing steps, ready to apply. */
export function renderStack(stack: Stack, values: Record<string, unknown>, ctx: RenderContext): KubeObject[] {
  const objects = stack.render(values, ctx);
  const version = stack.version(values);
  addStandardLabels(objects, { stack: stack.name, instance: stack.name, ...(version ? { version } : {}) });
  addConfigChecksums(objects, ctx.external);
  encodeSecrets(objects);
  return objects;
}

export const offlineContext = (namespace: string): RenderContext => ({
  namespace,
  existingSecrets: {},
  capabilities: { serviceMonitor: false },
});
