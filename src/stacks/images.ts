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

/** An image reference as a container runtime reads it: Docker Hub's implied registry and `library/` filled in. Pure. */
export function splitImage(ref: string): { registry: string; path: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  let name = at >= 0 ? ref.slice(0, at) : ref;
  let tag: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  // The first component names a registry only when it looks like a host (docker/distribution reference rules).
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let path = hasRegistry ? name.slice(slash + 1) : name;
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return { registry, path, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

const suffix = (p: { tag?: string; digest?: string }) => `${p.tag !== undefined ? `:${p.tag}` : ''}${p.digest !== undefined ? `@${p.digest}` : ''}`;

/**
 * The same image from another registry (a mirror or pull-through cache, `HOST[/PATH]`):
 * the registry part is replaced; repository path, tag and digest are kept, so
 * `postgres:11.7-alpine` becomes `HOST/PATH/library/postgres:11.7-alpine`. Pure.
 */
export function withRegistry(ref: string, registry: string): string {
  const p = splitImage(ref);
  return `${registry.replace(/\/+$/, '')}/${p.path}${suffix(p)}`;
}

/** The same tag and digest from another repository (`--postgres-image REPOSITORY`). Pure. */
export function withRepository(ref: string, repository: string): string {
  return `${repository}${suffix(splitImage(ref))}`;
}
