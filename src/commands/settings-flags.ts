// Reads `--set`, `--set-string` and `--patch` into the input layers (docs/customising.md),
// before validation: `--set` builds the flag layer's settings tree, `--patch FILE` its
// `patches`, and `workloads.NAME.replicas` becomes the stack's replica field (one value,
// one source: `workloads.web.replicas` is `--web-replicas`).
import type { Command } from 'commander';
import { readYamlFile } from '../config/configfile.js';
import { flagName } from '../config/fields.js';
import type { Layers } from '../config/resolve.js';
import { parseSetArgument, setPath, typedValue } from '../config/set-values.js';
import { SETTINGS_KEYS } from '../config/workload-fields.js';
import { InputError } from '../errors.js';
import type { WorkloadDecl } from '../manifests/overlay.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The `--set`/`--set-string` arguments as one settings tree. Pure. */
export function setTree(sets: ReadonlyArray<{ arg: string; asString: boolean }>, decls: readonly WorkloadDecl[], stackName: string): Obj {
  const tree: Obj = {};
  for (const { arg, asString } of sets) {
    const flag = asString ? '--set-string' : '--set';
    for (const a of parseSetArgument(arg, flag)) {
      const where = `${flag} ${a.text}`;
      const [root, workload] = a.path;
      if (!(SETTINGS_KEYS as readonly unknown[]).includes(root)) {
        const hint = typeof root === 'string' && /^[a-z][A-Za-z]*$/.test(root) ? `; for an option use its flag (${flagName(root)})` : '';
        throw new InputError(`${where}: ${JSON.stringify(root)} is not a setting; --set sets ${SETTINGS_KEYS.join(', ')}${hint}`);
      }
      if (root === 'workloads' && !decls.some((d) => d.name === workload)) {
        throw new InputError(`${where}: ${stackName} has no workload ${JSON.stringify(workload ?? '')}; its workloads: ${decls.map((d) => d.name).join(', ')}`);
      }
      setPath(tree, a.path, typedValue(a.value, asString), where);
    }
  }
  return tree;
}

/** The patches of `--patch` files, in order: each file a YAML list of patches (or one patch). */
export function readPatchFiles(paths: readonly string[]): unknown[] {
  return paths.flatMap((p) => {
    const doc = readYamlFile(p, `--patch ${p}`);
    if (Array.isArray(doc)) return doc;
    if (isObj(doc)) return [doc];
    throw new InputError(`--patch ${p}: expected a YAML list of patches (each with target and one of merge, strategic, json)`);
  });
}

/**
 * `workloads.NAME.replicas` moved to the stack's replica field in the same layer; both
 * given in one layer with different values is exit 2. Returns a new layer.
 */
export function liftReplicas(layer: Obj, decls: readonly WorkloadDecl[], where: string): Obj {
  if (!isObj(layer.workloads)) return layer;
  const workloads: Obj = { ...layer.workloads };
  const out: Obj = { ...layer, workloads };
  for (const d of decls) {
    const w = workloads[d.name];
    if (!d.replicasKey || !isObj(w) || w.replicas === undefined) continue;
    const { replicas, ...rest } = w;
    if (out[d.replicasKey] !== undefined && String(out[d.replicasKey]) !== String(replicas)) {
      throw new InputError(`workloads.${d.name}.replicas (${where}): ${flagName(d.replicasKey)} is the same setting and is given too, with another value`);
    }
    // null in a setting removes a template default; for a count it means "not given".
    if (replicas !== null) out[d.replicasKey] = replicas;
    workloads[d.name] = rest;
  }
  return out;
}

/** Adds the settings flags to the layers read from the command (a new Layers). */
export function withSettingsFlags(cmd: Command, layers: Layers, decls: readonly WorkloadDecl[], stackName: string): Layers {
  const opts = cmd.opts() as { set?: string[]; setString?: string[]; patch?: string[] };
  const sets = [...(opts.set ?? []).map((arg) => ({ arg, asString: false })), ...(opts.setString ?? []).map((arg) => ({ arg, asString: true }))];
  // commander keeps the order within each option only; --set-string wins over --set on one path, as in Helm.
  const flag: Obj = { ...layers.flag, ...setTree(sets, decls, stackName) };
  const env: Obj = { ...layers.env };
  if (opts.patch?.length) (cmd.getOptionValueSource('patch') === 'env' ? env : flag).patches = readPatchFiles(opts.patch);
  return { flag: liftReplicas(flag, decls, 'from --set'), env, config: liftReplicas(layers.config, decls, 'from the config file') };
}

