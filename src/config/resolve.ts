// Input resolution (docs/architecture.md, "Inputs"): flag > env (VH_DEPLOY_*) > config
// file > prompt > the stack's last recorded value > default. commander already applies flag > env (via Option.env); this module adds the
// config file, -file twins of secrets, validation, prompting and defaults. Everything
// here runs before the first API call, so a bad value can never reach the cluster.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { envName, type Field, fieldLabel, fileKey, flagName } from './fields.js';
import type { Prompter } from './prompts.js';
import * as validators from './validators.js';
import { bothGiven, refKey, refOf } from './secret-refs.js';

const built = new WeakMap<Field, z.ZodType>();
/** The field's zod check, built on first use (fields are plain data; see fields.ts). */
export function schemaOf(f: Field): z.ZodType {
  let s = built.get(f);
  if (!s) built.set(f, (s = f.schema(validators)));
  return s;
}

/** `adopted`: read from the objects of an install being taken over (docs/adopt.md). */
export type Source = 'flag' | 'env' | 'config' | 'prompt' | 'recorded' | 'adopted' | 'default';

/** The non-secret values of a stack's last successful revision. */
export interface RecordedValues {
  revision: number;
  values: Record<string, unknown>;
  /** Not a revision: the values were read from objects being taken over, described here (e.g. `deploy-posthog.sh's objects`). */
  adoptedFrom?: string;
}

export interface Layers {
  flag: Record<string, unknown>;
  env: Record<string, unknown>;
  config: Record<string, unknown>;
}

export interface Resolved {
  values: Record<string, unknown>;
  sources: Record<string, Source>;
  /** The revision whose values filled what the user did not give. */
  recordedFrom?: number;
}

interface Raw {
  value: unknown;
  source: Source;
  file?: string;
}

const ORDER: Array<keyof Layers> = ['flag', 'env', 'config'];

function sourceName(f: Field, raw: Raw): string {
  const viaFile = raw.file !== undefined;
  const key = viaFile ? fileKey(f.key) : f.key;
  if (raw.source === 'env') return envName(key);
  if (raw.source === 'config') return `config key ${key}`;
  if (raw.source === 'prompt') return 'prompt';
  if (f.flagless) return '--set';
  return viaFile ? `${flagName(f.key)}-file` : flagName(f.key);
}

/** What the user gave, for an error line: never a secret value. */
export function describeGiven(f: Field, value: unknown): string {
  if (f.secret) return typeof value === 'string' ? `a value of ${Buffer.byteLength(value)} bytes` : 'a non-text value';
  // Never serialise a list or mapping: YAML aliases can make a tiny file a huge tree.
  if (value !== null && typeof value === 'object') return Array.isArray(value) ? 'a list' : 'a mapping';
  // A URL's password is a secret even in a non-secret field (https://user:pass@host).
  const s = typeof value === 'string' ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:***@') : JSON.stringify(value);
  const shown = s.length > 60 ? `${s.slice(0, 57)}...` : s;
  return JSON.stringify(shown);
}

function issueMessage(err: z.ZodError): string {
  return err.issues[0]?.message ?? 'invalid value';
}

/**
 * The key path of the first issue inside a mapping field (`workloads.web.resources.limits.cpu`),
 * and the value found there, so the line names the leaf that is wrong, not the whole tree.
 */
function issueAt(f: Field, value: unknown, err: z.ZodError): { label: string; value: unknown } {
  const path = err.issues[0]?.path ?? [];
  let at: unknown = value;
  for (const p of path) at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
  const label = path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : `${s}.${String(p)}`), fieldLabel(f));
  return { label, value: at };
}

/** One line naming the field, where the value came from, what was given and what is expected. */
export function invalidLine(f: Field, raw: Raw, err: z.ZodError): string {
  const where = sourceName(f, raw);
  const at = issueAt(f, raw.value, err);
  const label = where === at.label ? where : `${at.label} (from ${where})`;
  return `${label}: ${issueMessage(err)}; got ${describeGiven(f, at.value)}`;
}

/**
 * Layers of a `merge` field (Helm's values): mappings merge key by key, anything else
 * in the upper layer replaces; `null` is kept (it removes a template default later). Pure.
 */
export function mergeLayers(lower: unknown, upper: unknown): unknown {
  if (upper === null || typeof upper !== 'object' || Array.isArray(upper) || lower === null || typeof lower !== 'object' || Array.isArray(lower)) return upper;
  const out: Record<string, unknown> = { ...(lower as Record<string, unknown>) };
  for (const [k, v] of Object.entries(upper)) if (v !== undefined) out[k] = mergeLayers(out[k], v);
  return out;
}

/** Picks each field's highest-precedence raw value, reading -file twins of secrets. */
export function gather(fields: Field[], layers: Layers, readFile: (p: string) => string = defaultReadFile): { raw: Map<string, Raw>; errors: string[] } {
  const raw = new Map<string, Raw>();
  const errors: string[] = [];
  for (const f of fields) {
    if (f.merge) {
      // Every layer counts, the lower ones first; the source is the highest that gave something.
      const given = [...ORDER].reverse().filter((source) => layers[source][f.key] !== undefined);
      if (given.length) raw.set(f.key, { value: given.reduce<unknown>((acc, source) => mergeLayers(acc, layers[source][f.key]), undefined), source: given.at(-1)! });
      continue;
    }
    for (const source of ORDER) {
      const layer = layers[source];
      const direct = layer[f.key];
      const file = f.secret ? layer[fileKey(f.key)] : undefined;
      if (direct === undefined && file === undefined) continue;
      if (direct !== undefined && file !== undefined) {
        errors.push(`${flagName(f.key)}: give the value or ${flagName(f.key)}-file, not both (both set via ${source})`);
      } else if (file !== undefined) {
        if (typeof file !== 'string' || file === '') {
          errors.push(`${flagName(f.key)}-file: expected a file path`);
        } else {
          try {
            raw.set(f.key, { value: readFile(file), source, file });
          } catch (e) {
            errors.push(`${flagName(f.key)}-file: cannot read ${JSON.stringify(file)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
          }
        }
      } else {
        raw.set(f.key, { value: direct, source });
      }
      break;
    }
  }
  return { raw, errors };
}

function defaultReadFile(p: string): string {
  // Secret files usually end with a newline (echo > file); it is never part of the secret.
  return readFileSync(p, 'utf8').replace(/\r?\n$/, '');
}

export interface ResolveOptions {
  fields: Field[];
  layers: Layers;
  /** Keys that must have a value once flags, env, config and prompts are done. */
  required: (values: Record<string, unknown>) => string[];
  /** Present when prompting is allowed. */
  prompter?: Prompter;
  readFile?: (p: string) => string;
  /**
   * The recorded values to start from, given what the user gave (already validated):
   * called after every given value passed its check, before prompts, so a recorded
   * value is never asked for again. Returns only the keys that may carry over.
   */
  recorded?: (given: Record<string, unknown>) => Promise<RecordedValues | undefined>;
}

export async function resolveInputs(o: ResolveOptions): Promise<Resolved> {
  const byKey = new Map(o.fields.map((f) => [f.key, f]));
  const { raw, errors } = gather(o.fields, o.layers, o.readFile);
  errors.push(...bothGiven(o.fields, new Set(raw.keys())));
  const values: Record<string, unknown> = {};
  const sources: Record<string, Source> = {};
  for (const [key, r] of raw) {
    const f = byKey.get(key)!;
    const parsed = schemaOf(f).safeParse(r.value);
    if (parsed.success) {
      values[key] = parsed.data;
      sources[key] = r.source;
    } else {
      errors.push(invalidLine(f, r, parsed.error));
    }
  }
  if (errors.length) throw new InputError(errors.join('\n'));

  const recorded = o.recorded ? await o.recorded({ ...values }) : undefined;
  if (recorded) {
    for (const [key, value] of Object.entries(recorded.values)) {
      const f = byKey.get(key);
      if (!f || value === undefined || (values[key] !== undefined && !f.merge)) continue;
      // A merge field given this run goes over its recorded value: one --set keeps the rest.
      const merged = values[key] !== undefined ? mergeLayers(value, values[key]) : value;
      // A value an older vh-deploy recorded may fail today's check: say where it came from.
      const parsed = schemaOf(f).safeParse(merged);
      if (!parsed.success) {
        const at = issueAt(f, merged, parsed.error);
        errors.push(`${at.label} (${recorded.adoptedFrom ? `read from ${recorded.adoptedFrom}` : `recorded in revision ${recorded.revision}`}): ${issueMessage(parsed.error)}; got ${describeGiven(f, at.value)}`);
        continue;
      }
      values[key] = parsed.data;
      sources[key] ??= recorded.adoptedFrom ? 'adopted' : 'recorded';
    }
    if (errors.length) throw new InputError(errors.join('\n'), `give the value with its flag, or start from the defaults with --reset-values`);
  }

  // A secret input named by its Secret reference (`--X-secret`) is given.
  const refs = new Set(o.fields.map(refOf).filter((k) => k !== undefined));
  const absent = (k: string) => values[k] === undefined && !(refs.has(k) && values[refKey(k)] !== undefined);
  let missing = o.required(values).filter(absent);
  // An answer may make another value required (self-hosted's TLS choice, then the issuer
  // or Secret name it needs): ask again until nothing new is missing, each key once.
  const asked = new Set<string>();
  while (o.prompter) {
    const next = missing.filter((k) => !asked.has(k));
    if (!next.length) break;
    for (const key of next) {
      const f = byKey.get(key)!;
      asked.add(key);
      values[key] = await ask(o.prompter, f);
      sources[key] = 'prompt';
    }
    missing = o.required(values).filter(absent);
  }
  if (missing.length) {
    const names = missing.map((k) => flagName(k) + (byKey.get(k)?.orElse ? ` or ${flagName(byKey.get(k)!.orElse!)}` : '')).join(', ');
    throw new InputError(
      `missing required ${missing.length === 1 ? 'value' : 'values'}: ${names}`,
      `give them as flags, as ${missing.map((k) => envName(k)).join('/')} env vars, or in a --config file`,
    );
  }
  for (const f of o.fields) {
    if (values[f.key] === undefined && f.default !== undefined) {
      values[f.key] = schemaOf(f).parse(f.default);
      sources[f.key] = 'default';
    }
  }
  return { values, sources, ...(recorded && Object.values(sources).includes('recorded') && { recordedFrom: recorded.revision }) };
}

/** Asks for one field, validating at the prompt with the same schema as flags. */
export async function ask(p: Prompter, f: Field): Promise<unknown> {
  const validate = (s: string): true | string => {
    const r = schemaOf(f).safeParse(s);
    return r.success ? true : issueMessage(r.error);
  };
  const spec = f.prompt ?? { kind: f.secret ? 'password' : 'input', message: f.description };
  let answer: unknown;
  if (spec.kind === 'select') answer = await p.select({ message: spec.message, choices: spec.choices });
  else if (spec.kind === 'confirm') answer = await p.confirm({ message: spec.message });
  else if (spec.kind === 'password') answer = await p.password({ message: spec.message, validate });
  else answer = await p.input({ message: spec.message, validate });
  return schemaOf(f).parse(answer);
}
