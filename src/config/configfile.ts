// The --config file: YAML, flat camelCase keys shared by all commands (one file can
// drive `cloud`, `self-hosted` and `model-router` in CI). Treated as untrusted input:
// size-capped, binary refused, aliases bounded, unknown keys rejected.
import { readFileSync, statSync } from 'node:fs';
import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { fileKey } from './fields.js';
import { configFields, workloadNames } from '../stacks/registry.js';

const MAX_BYTES = 1024 * 1024;

export function configFileSchema() {
  const shape: Record<string, z.ZodType> = {};
  for (const f of configFields()) {
    shape[f.key] = z.unknown().optional();
    if (f.secret) shape[fileKey(f.key)] = z.string({ error: "expected a file path" }).optional();
  }
  shape.dryRun = z.union([z.boolean(), z.enum(['client', 'server', 'none'])], { error: 'expected client, server or none' }).optional();
  // One file may drive several commands: a section of any stack's workload is accepted
  // here (each command keeps its own), a name no stack has is a typo (docs/customising.md).
  const names = workloadNames();
  if (names.length) {
    const error = (iss: { code?: string; keys?: string[] }) =>
      iss.code === 'unrecognized_keys' ? `no workload ${(iss.keys ?? []).map((k) => JSON.stringify(k)).join(', ')}; the workloads: ${names.join(', ')}` : 'expected a mapping of workload names to settings';
    shape.workloads = z.strictObject(Object.fromEntries(names.map((n) => [n, z.unknown().optional()])), { error }).optional();
  }
  return z.strictObject(shape);
}

export function loadConfigFile(path: string): Record<string, unknown> {
  const where = `--config ${path}`;
  const doc = readYamlFile(path, where);
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new InputError(`${where}: expected a mapping of option names to values (e.g. "domain: posthog.example.com")`);
  const parsed = configFileSchema().safeParse(doc);
  if (!parsed.success) {
    // prettifyError gives "✖ Unrecognized key: "x"\n  → at y" per issue; fold each onto one line.
    const pretty = z.prettifyError(parsed.error).replace(/\n\s*→ at /g, ' at ').split('\n').map((l) => l.replace(/^✖ /, ''));
    throw new InputError(`${where}: ${pretty.join('; ')}`);
  }
  return parsed.data as Record<string, unknown>;
}

/**
 * A YAML file given on the command line (--config, --patch), as untrusted input:
 * size-capped, binary refused, aliases bounded; one line naming `where` on failure.
 */
export function readYamlFile(path: string, where: string): unknown {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new InputError(`${where}: not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${where}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (size > MAX_BYTES) throw new InputError(`${where}: the file is ${size} bytes; a config file may be at most ${MAX_BYTES} bytes`);
  const buf = readFileSync(path);
  if (buf.includes(0)) throw new InputError(`${where}: the file is binary, expected YAML`);
  const text = buf.toString('utf8');
  if (text.includes('\uFFFD')) throw new InputError(`${where}: the file is not valid UTF-8 text, expected YAML`);
  let doc: unknown;
  try {
    // Empty, or comments only (what `vh-deploy init` writes): js-yaml 5 refuses both as "no document".
    doc = text.split('\n').every((l) => /^\s*(#.*)?$/.test(l)) ? {} : load(text, { filename: path, schema: CORE_SCHEMA, maxAliases: 100 } as Parameters<typeof load>[1]);
  } catch (e) {
    const reason = e instanceof YAMLException ? e.reason : 'invalid YAML';
    const mark = e instanceof YAMLException && e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
    throw new InputError(`${where}: invalid YAML${mark}: ${reason}`);
  }
  return doc;
}
