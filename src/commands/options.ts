// Builds commander options from the field tables and reads back, per field, which
// layer (flag or env) gave its value. commander applies flag > env itself through
// Option.env(); the config file and prompts are layered on by config/resolve.ts.
import { type Command, Option } from 'commander';
import { envName, type Field, fileKey, flagName, kebab } from '../config/fields.js';
import type { Layers } from '../config/resolve.js';

export function addFieldOptions(cmd: Command, fields: Field[]): Command {
  for (const f of fields) {
    // Config keys without a flag (the settings): --set and --patch give them (settings-options.ts).
    if (f.flagless) continue;
    const long = `${flagName(f.key)}${f.valueName ? ` <${f.valueName}>` : ''}`;
    const flags = f.short ? `${f.short}, ${long}` : long;
    let desc = f.description;
    if (f.choices) desc += ` (${f.choices.join('|')})`;
    if (f.default !== undefined) desc += ` (default: ${String(f.default)})`;
    if (f.secret) desc += `; prefer ${envName(f.key)} or ${flagName(f.key)}-file (argv is visible to other users)`;
    cmd.addOption(new Option(flags, desc).env(envName(f.key)));
    if (f.secret) {
      cmd.addOption(new Option(`${flagName(f.key)}-file <path>`, `read ${flagName(f.key)} from a file`).env(envName(fileKey(f.key))));
    }
  }
  return cmd;
}

/**
 * Values by layer. commander only knows that a boolean env var is *present*
 * (VH_DEPLOY_YES=false would mean yes), so the raw env text is passed on and the
 * field's check (stringbool) decides.
 */
export function readLayers(cmd: Command, fields: Field[], config: Record<string, unknown>): Layers {
  const opts = cmd.optsWithGlobals() as Record<string, unknown>;
  const layers: Layers = { flag: {}, env: {}, config };
  for (const f of fields) {
    for (const key of f.secret ? [f.key, fileKey(f.key)] : [f.key]) {
      const src = cmd.getOptionValueSourceWithGlobals(key);
      if (src !== 'cli' && src !== 'env') continue;
      let value = opts[key];
      if (f.boolean && key === f.key && src === 'env') value = process.env[envName(key)] ?? '';
      (src === 'cli' ? layers.flag : layers.env)[key] = value;
    }
  }
  return layers;
}

export const optionName = (key: string) => `--${kebab(key)}`;
