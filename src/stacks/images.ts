// Image references and version inputs of day-2 operations. Pure.
import { InputError } from '../errors.js';

/** `registry/name:old` or `registry/name@sha256:…` with a new tag or digest. Pure. */
export function withImageTag(ref: string, tag: string): string {
  const at = ref.indexOf('@');
  let name = at >= 0 ? ref.slice(0, at) : ref;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  return tag.startsWith('sha256:') ? `${name}@${tag}` : `${name}:${tag}`;
}

/** Checks a day-2 value with a field's validator; a bad one is an input error naming the flag. */
export function parsed<T>(schema: { safeParse(x: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } } }, flag: string, value: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new InputError(`${flag}: ${r.error.issues[0]?.message ?? 'invalid value'}; got ${JSON.stringify(value)}`);
  return r.data;
}
