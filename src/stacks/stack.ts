// A stack is templates plus a schema: the fields it takes, which are required, the
// checks across fields, and how values become template data. Nothing here talks to
// a cluster; the deploy pipeline gives `render` what it read (existing secrets,
// optional APIs) through the context.
import type { Field } from '../config/fields.js';
import { refKey, refOf } from '../config/secret-refs.js';
import type { HealthCheck } from './health.js';
import type { KubeObject } from '../k8s/types.js';
import type { LegacyStack } from './legacy.js';
import { addConfigChecksums, addStandardLabels, encodeSecrets } from '../manifests/finalize.js';
import { applyOverlay, type OverlaySettings, type WorkloadDecl } from '../manifests/overlay.js';
import { applyPatches, type PatchSpec } from '../manifests/patches.js';

export interface RenderContext {
  namespace: string;
  /** Decoded data of Secrets that already exist, so generated values are reused. */
  existingSecrets: Record<string, Record<string, string> | undefined>;
  /** Optional APIs found by discovery (offline render: none). */
  capabilities: { serviceMonitor: boolean };
  /** Objects the stack reads but another command owns (for config checksums). */
  external?: KubeObject[];
}

/** label, value, and the input keys the value comes from (first given one wins). */
export type SummaryRow = [label: string, value: string, keys?: string | readonly string[]];

export interface Stack {
  /** The command that deploys it, with its help. */
  command: { name: string; summary: string; examples: readonly string[] };
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
  /**
   * Human summary shown before the confirm prompt; never secret values. A row may name
   * the input keys it shows, so the summary can say where the value came from.
   */
  summary(values: Record<string, unknown>, ctx: RenderContext): SummaryRow[];
  /**
   * Other stacks whose objects this plan also writes: their locks are held too, taken
   * before this stack's own, so a run of that stack cannot interleave with this one.
   */
  alsoLocks?(values: Record<string, unknown>): string[];
  /**
   * A ConfigMap + Secret pair (same name) that another command owns and this render
   * reads, e.g. the PostHog connection the Model Router uses; `missing` is the one-line
   * input error when it is not there.
   */
  readsExisting?(values: Record<string, unknown>): { name: string; missing: (namespace: string) => string } | undefined;
  /**
   * Fields that are alternatives to each other, as groups of keys: a value the user
   * gives in one group drops the recorded values of the other groups (a given
   * --replicas replaces a recorded HPA range instead of clashing with it).
   */
  alternatives?: ReadonlyArray<ReadonlyArray<readonly string[]>>;
  /**
   * Recorded values that only mean something with a secret the user gives again
   * (secrets are never recorded): key → the secret field it needs.
   */
  recallOnlyWith?: Readonly<Record<string, string>>;
  /**
   * The workloads the per-workload settings (`workloads.NAME.…`) apply to, and where each
   * renders (docs/customising.md); the overlay applies them generically.
   */
  workloads?: readonly WorkloadDecl[];
  /** The objects deploy-posthog.sh made of this stack, for a take-over (src/stacks/NAME/legacy.ts; docs/adopt.md). */
  legacy?: LegacyStack;
}

/**
 * The recorded values that carry over into this run (docs/architecture.md, "Values
 * persist"): every non-secret field the user did not give, except run-only switches
 * (`recall: false`) and the alternatives of what was given. Pure.
 */
export function recallValues(stack: Stack, recorded: Record<string, unknown>, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of stack.fields) {
    // A merge field (per-workload settings) given this run still starts from its recorded value.
    if (f.secret || f.recall === false || (given[f.key] !== undefined && !f.merge) || recorded[f.key] === undefined) continue;
    out[f.key] = recorded[f.key];
  }
  for (const groups of stack.alternatives ?? []) {
    const chosen = groups.find((g) => g.some((k) => given[k] !== undefined));
    if (!chosen) continue;
    for (const g of groups) if (g !== chosen) for (const k of g) delete out[k];
  }
  // A recorded Secret reference gives way to a value given now (and a value is never recorded).
  for (const f of stack.fields) {
    const of = refOf(f);
    if (of && given[of] !== undefined) delete out[f.key];
  }
  // A Secret reference (given or recorded) is as good as the secret given again.
  const hasSecretNow = (k: string) => given[k] !== undefined || given[refKey(k)] !== undefined || out[refKey(k)] !== undefined;
  for (const [key, secret] of Object.entries(stack.recallOnlyWith ?? {})) if (!hasSecretNow(secret)) delete out[key];
  return out;
}

/** Renders a stack and applies the generic finishing steps, ready to apply. */
export function renderStack(stack: Stack, values: Record<string, unknown>, ctx: RenderContext): KubeObject[] {
  const objects = stack.render(values, ctx);
  // Settings, then patches, before the finishing steps: checksums see a patched ConfigMap,
  // and vh-deploy's labels are set last (docs/customising.md).
  applyOverlay(objects, stack.workloads ?? [], values as OverlaySettings);
  if (Array.isArray(values.patches)) applyPatches(objects, values.patches as PatchSpec[]);
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
