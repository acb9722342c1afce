// The output format for the entry point's error path (docs/architecture.md rule 8): with
// JSON chosen however (flag, VH_DEPLOY_OUTPUT, config file), stdout is one JSON document
// even when the command failed before it could print its own.
import type { Command } from 'commander';
import { envName, GLOBAL_FIELDS } from '../config/fields.js';
import { resolveInputs } from '../config/resolve.js';
import { readConfig, type Globals } from './inputs.js';
import { readLayers } from './options.js';

const OUTPUT_FIELD = GLOBAL_FIELDS.find((f) => f.key === 'output')!;

/**
 * The output format for the entry point's error path, resolved as collectInputs
 * resolves it (same layers, same check: flag > env > config > default), so that a
 * failure honours JSON however it was chosen. Never throws: a config file that
 * cannot be read still leaves flag and env; a value that fails its check means text.
 */
export async function outputFormat(cmd: Command): Promise<Globals['output']> {
  let config: Record<string, unknown> = {};
  try {
    config = readConfig(cmd);
  } catch {
    // The command reports the config error itself.
  }
  const layers = readLayers(cmd, [OUTPUT_FIELD], config);
  // commander reads env values only after a command's options parsed; when that parse failed, it never did.
  const env = process.env[envName(OUTPUT_FIELD.key)];
  if (layers.flag[OUTPUT_FIELD.key] === undefined && layers.env[OUTPUT_FIELD.key] === undefined && env !== undefined) layers.env[OUTPUT_FIELD.key] = env;
  try {
    return (await resolveInputs({ fields: [OUTPUT_FIELD], layers, required: () => [] })).values[OUTPUT_FIELD.key] as Globals['output'];
  } catch {
    return 'text';
  }
}
