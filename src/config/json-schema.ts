// `vh-deploy config schema`: the JSON Schema of the --config file, generated from the
// zod schemas the loader and the inputs use (zod 4 z.toJSONSchema), so editors complete
// and check the file (docs/cli.md) and the schema can never drift from the CLI.
import { z } from 'zod';
import { configFileSchema } from './configfile.js';
import { envName, type Field, fileKey, flagName } from './fields.js';
import { schemaOf } from './resolve.js';
import { configFields } from '../stacks/registry.js';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema> };

const toJson = (s: z.ZodType): JsonSchema => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

function describe(f: Field): string {
  const how = f.flagless ? 'set on the command line with --set' : `flag ${flagName(f.key)}, env ${envName(f.key)}`;
  const dflt = f.default !== undefined ? `; default ${String(f.default)}` : '';
  const secret = f.secret ? `; a secret: prefer ${fileKey(f.key)} or the env var (a config file is often committed)` : '';
  return `${f.description} (${how}${dflt}${secret})`;
}

export function configJsonSchema(): JsonSchema {
  // The loader's schema decides which keys exist and that no other key may (strict) ...
  const { $schema, ...base } = toJson(configFileSchema());
  const properties = { ...(base.properties ?? {}) };
  // ... and each field's own check says what its value may be (the loader passes values on
  // to those checks: a value the schema accepts is the value the CLI accepts).
  for (const f of configFields()) {
    if (properties[f.key]) {
      const { $schema: _s, ...own } = toJson(schemaOf(f));
      properties[f.key] = { ...own, description: describe(f) };
    }
    if (f.secret && properties[fileKey(f.key)]) properties[fileKey(f.key)] = { type: 'string', description: `file holding ${flagName(f.key)} (flag ${flagName(f.key)}-file, env ${envName(fileKey(f.key))})` };
  }
  return {
    $schema,
    title: 'vh-deploy config file',
    description: 'Option values for vh-deploy --config FILE: camelCase keys, shared by every command (docs/cli.md). Precedence: flag > env (VH_DEPLOY_*) > this file > recorded values > defaults.',
    ...base,
    properties,
  };
}
