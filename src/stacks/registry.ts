// The stacks vh-deploy deploys, one entry each (docs/architecture.md, "Stacks"). The CLI,
// `render`/`diff`, `verify all` and the config-file schema iterate this list. A stack's
// folder (src/stacks/NAME/) holds its fields, its render and health checks, its command
// help (index.ts) and its day-2 operations (day2.ts, loaded only by day-2 commands);
// its templates are in templates/NAME/.
import { GLOBAL_FIELDS, SCALE_FIELDS, type Field } from '../config/fields.js';
import { modelRouterStack } from './model-router/index.js';
import { cloudStack } from './posthog-connection/index.js';
import { posthogStack } from './posthog/index.js';
import type { Stack } from './stack.js';
import { settingsFields } from '../config/workload-fields.js';
import { matchesDecl } from '../manifests/overlay.js';

/** In the order `verify all` checks them and `--help` lists their commands. */
export const STACKS: readonly Stack[] = [cloudStack, posthogStack, modelRouterStack];

/** The stack a deploy command (`cloud`, `self-hosted`, `model-router`) deploys. */
export function stackByCommand(name: string): Stack | undefined {
  return STACKS.find((s) => s.command.name === name);
}

/**
 * The names a stack goes by on the command line, the same in every command (`render`,
 * `diff`, `init`, `verify`, `upgrade`, …): its own name, then its deploy command.
 */
export function stackNames(stack: Stack): string[] {
  return stack.name === stack.command.name ? [stack.name] : [stack.name, stack.command.name];
}

/** The stack a name given on the command line means (see stackNames). */
export function stackByName(name: string): Stack | undefined {
  return STACKS.find((s) => stackNames(s).includes(name));
}

/** `posthog (or self-hosted) | model-router | …`, for help texts and errors. */
export function stackNamesText(sep = ' | '): string {
  return STACKS.map((s) => {
    const [own, ...more] = stackNames(s);
    return more.length ? `${own} (or ${more.join(', ')})` : own!;
  }).join(sep);
}

/** Every workload name a stack declares (the sections a config file's `workloads` may hold). */
export function workloadNames(): string[] {
  return STACKS.flatMap((s) => (s.workloads ?? []).map((w) => w.name));
}

/** The workload (the key under `workloads`) a rendered object of some stack is, if any. */
export function workloadOf(kind: string, name: string): string | undefined {
  const o = { apiVersion: '', kind, metadata: { name } };
  return STACKS.flatMap((s) => s.workloads ?? []).find((d) => matchesDecl(o, d))?.name;
}

/** Every key a config file may hold (union over the commands), for its strict schema. */
export function configFields(): Field[] {
  const seen = new Map<string, Field>();
  for (const f of [...GLOBAL_FIELDS, ...STACKS.flatMap((s) => s.fields), ...SCALE_FIELDS]) if (!seen.has(f.key)) seen.set(f.key, f);
  // One file may hold the workload sections of every stack: the key's check covers them all.
  const workloads = settingsFields(STACKS.flatMap((s) => s.workloads ?? [])).find((f) => f.key === 'workloads');
  if (workloads && seen.has('workloads')) seen.set('workloads', workloads);
  return [...seen.values()];
}
