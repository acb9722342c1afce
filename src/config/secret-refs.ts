// Existing Secrets (docs/day2.md, "Existing Secrets"): every secret input X has a twin
// `--X-secret NAME[/KEY]` (VH_DEPLOY_X_SECRET, config key xSecret) naming a Secret that
// already holds the value (External Secrets, Sealed Secrets, Vault). vh-deploy then
// references it from the pods instead of writing the value into a Secret of its own.
// The twin is a plain, non-secret field: it is validated, shown and recorded like any
// other (a revision keeps the name and key, never a value). Pure; no zod at load time.
import { flagName, type Field } from './fields.js';

/** A field that names an existing Secret for the secret field `refOf`. */
export interface SecretRefField extends Field {
  refOf: string;
}

export interface SecretRef {
  name: string;
  key: string;
}

/** The key a referenced Secret holds the value under by default: the env var the pods read (dbPassword → DB_PASSWORD). */
export const defaultSecretKey = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

export const refKey = (key: string) => `${key}Secret`;

/** The secret field a field refers to, when it is a `-secret` twin. */
export const refOf = (f: Field): string | undefined => (f as Partial<SecretRefField>).refOf;

/** Adds, after each secret field, its `-secret` twin. */
export function withSecretRefs(fields: readonly Field[]): Field[] {
  return fields.flatMap((f) => {
    if (!f.secret) return [f];
    const twin: SecretRefField = {
      key: refKey(f.key),
      valueName: 'name[/key]',
      refOf: f.key,
      description: `existing Secret holding ${flagName(f.key)} (key ${defaultSecretKey(f.key)} unless NAME/KEY); referenced by the pods, never read or copied`,
      schema: (v) => v.secretRef,
    };
    return [f, twin];
  });
}

/** `NAME[/KEY]` → the Secret and key (the field's default key when none is given). Pure. */
export function parseSecretRef(value: string, forKey: string): SecretRef {
  const i = value.indexOf('/');
  return i < 0 ? { name: value, key: defaultSecretKey(forKey) } : { name: value.slice(0, i), key: value.slice(i + 1) };
}

/** The Secret reference given for secret field `key`, if any. */
export function secretRefOf(values: Record<string, unknown>, key: string): SecretRef | undefined {
  const v = values[refKey(key)];
  return typeof v === 'string' ? parseSecretRef(v, key) : undefined;
}

/** The secret field has a value or a Secret reference. */
export const hasSecret = (values: Record<string, unknown>, key: string) => values[key] !== undefined || values[refKey(key)] !== undefined;

/** Every Secret reference given, with the input it stands for. */
export function secretRefs(fields: readonly Field[], values: Record<string, unknown>): Array<SecretRef & { input: string }> {
  return fields.flatMap((f) => {
    const of = refOf(f);
    const ref = of ? secretRefOf(values, of) : undefined;
    return ref ? [{ ...ref, input: f.key }] : [];
  });
}

/**
 * A value (or -file) and a Secret reference for the same input, in any layer: one line
 * each (exit 2). Which one to use is the user's choice, not a precedence rule's.
 */
export function bothGiven(fields: readonly Field[], given: ReadonlySet<string>): string[] {
  return fields.flatMap((f) => {
    const of = refOf(f);
    return of && given.has(f.key) && given.has(of) ? [`${flagName(f.key)}: give ${flagName(of)} or ${flagName(f.key)}, not both`] : [];
  });
}
