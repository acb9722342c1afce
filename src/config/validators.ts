// Value validators shared by flags, env vars, config files and prompts. Each is a zod
// schema whose messages say what is expected, so one error line can name the flag,
// what was given and what was wanted (docs/architecture.md rule 1).
import { z } from 'zod';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Values copied from the old manifests/README that must never reach a cluster. */
const PLACEHOLDERS: RegExp[] = [
  /^your[-_]/i,
  /your[-_](api[-_]?key|password|secret|registry|domain|project)/i,
  /YOUR_/,
  /^phc_YOUR/i,
  /^sk-\.\.\.$/,
  /\.\.\.$/,
  /change[-_]?me/i,
  /^<.*>$/,
  /^x{3,}$/i,
  /example[-_]?(key|password|secret)/i,
];

export function isPlaceholder(v: string): boolean {
  return PLACEHOLDERS.some((re) => re.test(v.trim()));
}

const notPlaceholder = (what: string) => (v: string) =>
  !isPlaceholder(v) || `${what} is a placeholder from the old manifests; give the real value`;

/** Checks that stop at the first failure, so the user sees the most useful message. */
function check<T extends z.ZodType<string>>(base: T, ...rules: Array<(v: string) => true | string>) {
  return base.superRefine((v, ctx) => {
    for (const rule of rules) {
      const r = rule(v);
      if (r !== true) {
        ctx.addIssue({ code: 'custom', message: r });
        return;
      }
    }
  });
}

export const dnsLabel = (what = 'a DNS-1123 label') =>
  check(z.string(), (v) =>
    (v.length <= 63 && DNS_LABEL.test(v)) || `expected ${what}: lowercase letters, digits and '-', at most 63 characters`,
  );

export const dnsSubdomain = (what = 'a DNS-1123 name') =>
  check(z.string(), (v) =>
    (v.length <= 253 && v.split('.').every((l) => l.length <= 63 && DNS_LABEL.test(l))) ||
    `expected ${what}: lowercase letters, digits, '-' and '.'`,
  );

/** A public host name such as posthog.example.com (at least two labels). */
export const domain = check(
  z.string(),
  notPlaceholder('the domain'),
  (v) =>
    (v.length <= 253 && v.includes('.') && v.split('.').every((l) => l.length <= 63 && DNS_LABEL.test(l))) ||
    'expected a lowercase DNS name such as posthog.example.com',
);

export const port = z.coerce
  .number({ error: 'expected a port number' })
  .int({ error: 'expected a whole port number' })
  .min(1, { error: 'expected a port between 1 and 65535' })
  .max(65535, { error: 'expected a port between 1 and 65535' });

export const count = (min: number, max = 1000) =>
  z.coerce
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int({ error: `expected a whole number from ${min} to ${max}` })
    .min(min, { error: `expected a whole number from ${min} to ${max}` })
    .max(max, { error: `expected a whole number from ${min} to ${max}` });

/** host:port, e.g. redis.data.svc.cluster.local:6379 */
export const hostPort = check(z.string(), notPlaceholder('the address'), (v) => {
  const m = /^([a-z0-9.-]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(v);
  return (!!m && Number(m[2]) >= 1 && Number(m[2]) <= 65535) || 'expected host:port, e.g. redis.data.svc:6379';
});

export const hostName = check(
  z.string(),
  notPlaceholder('the host'),
  (v) => (/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(v) && v.length <= 253) || 'expected a host name or IP address',
);

/** An http(s) base URL without credentials, query or fragment. */
export const baseUrl = check(z.string(), notPlaceholder('the URL'), (v) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return 'expected an absolute URL such as https://us.i.posthog.com';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'expected an http:// or https:// URL';
  if (u.username || u.password) return 'the URL must not contain credentials';
  if (u.search || u.hash) return 'the URL must not contain a query or fragment';
  // Plain http would carry the API key unencrypted: only to in-cluster services, loopback,
  // and *.internal (the top-level domain ICANN reserved in 2024 for private networks,
  // which no public host can have).
  if (u.protocol === 'http:' && !/\.(svc(\.cluster\.local)?|internal)$/.test(u.hostname) && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(u.hostname))
    return 'expected https:// (plain http is only accepted for in-cluster *.svc, *.internal and loopback addresses)';
  return true;
});

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** A container image reference pinned by tag or digest; `latest` is refused. */
export const imageRef = check(z.string(), notPlaceholder('the image'), (v) => {
  const at = v.indexOf('@');
  const name = at >= 0 ? v.slice(0, at) : v;
  const digest = at >= 0 ? v.slice(at + 1) : undefined;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > lastSlash ? name.slice(colon + 1) : undefined;
  const repo = colon > lastSlash ? name.slice(0, colon) : name;
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._/-][a-z0-9]+)*)*$/.test(repo))
    return 'expected an image reference such as registry.example.com/model-router:1.4.2';
  if (digest !== undefined && !DIGEST.test(digest)) return 'expected a digest of the form @sha256:<64 hex>';
  if (tag !== undefined && !TAG.test(tag)) return 'expected a valid image tag';
  if (digest === undefined && tag === undefined) return 'expected a tag or digest (e.g. :1.4.2 or @sha256:…); an untagged image means latest';
  if (digest === undefined && tag === 'latest') return 'the latest tag is not reproducible; pin a version tag or digest';
  return true;
});

/** An image repository without tag or digest (for registry mirrors). */
export const imageRepository = check(z.string(), notPlaceholder('the image repository'), (v) =>
  /^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._/-][a-z0-9]+)*)*$/.test(v) || 'expected an image repository without tag, e.g. registry.example.com/posthog/posthog',
);

/** An image tag or digest on its own (for --posthog-version / --image-tag). */
export const imageTag = check(z.string(), (v) => {
  if (v === 'latest') return 'the latest tag is not reproducible; pin a version tag or digest';
  return TAG.test(v) || DIGEST.test(v) || 'expected an image tag (e.g. 1.4.2) or digest (sha256:<64 hex>)';
});

/** PostHog project API key (phc_…). Personal (phx_) and secret (phs_) keys are refused. */
export const posthogProjectKey = check(z.string(), notPlaceholder('the PostHog API key'), (v) => {
  if (/^ph[xs]_/.test(v)) return 'that is a personal or secret PostHog key; give the project API key (phc_…)';
  if (/^phc_[A-Za-z0-9]{16,}$/.test(v)) return true;
  return 'expected a PostHog project API key: phc_ followed by at least 16 letters or digits';
});

export const openaiKey = check(z.string(), notPlaceholder('the OpenAI API key'), (v) =>
  /^sk-[A-Za-z0-9_-]{20,}$/.test(v) || 'expected an OpenAI API key (sk-… with at least 20 more characters)',
);

export const anthropicKey = check(z.string(), notPlaceholder('the Anthropic API key'), (v) =>
  /^sk-ant-[A-Za-z0-9_-]{20,}$/.test(v) || 'expected an Anthropic API key (sk-ant-…)',
);

export const password = check(
  z.string(),
  notPlaceholder('the password'),
  (v) => v.length > 0 || 'expected a non-empty password',
  (v) => v.length <= 512 || 'expected at most 512 characters',
  (v) => !/[\r\n\0]/.test(v) || 'the password must not contain line breaks or NUL',
);

/** `NAME[/KEY]`: an existing Secret (DNS-1123 name) and a key in it (docs/day2.md, "Existing Secrets"). */
export const secretRef = check(z.string(), (v) => {
  const [name, key, ...rest] = v.split('/');
  if (rest.length || !name || name.length > 253 || !name.split('.').every((l) => l.length <= 63 && DNS_LABEL.test(l))) {
    return "expected NAME or NAME/KEY: a Secret name (lowercase letters, digits, '-' and '.') and optionally a key";
  }
  return key === undefined || (key.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(key)) || "expected a Secret key after '/': letters, digits, '-', '_' and '.'";
});

export const plainName = (what: string) =>
  check(z.string(), notPlaceholder(what), (v) => /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/.test(v) || `expected ${what}: letters, digits, '_', '.', '-'`);

/** Durations as people type them for --timeout: 90s, 5m, 1h30m, or plain seconds. */
export function parseDuration(v: string): number | undefined {
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const re = /(\d+)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    consumed += m[0].length;
  }
  return consumed === s.length && consumed > 0 ? total : undefined;
}

export const duration = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v * 1000 : parseDuration(v);
    if (ms === undefined || ms <= 0 || ms > 24 * 3_600_000) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration such as 90s, 5m or 1h (at most 24h)' });
      return z.NEVER;
    }
    return ms;
  });

/** Booleans from env vars and config files: true/false/1/0/yes/no/on/off. */
export const bool = z.union([z.boolean(), z.stringbool({ error: 'expected true or false' })], { error: 'expected true or false' });

/** --lock-wait: 0 (fail at once) or a duration up to an hour. */
export const lockWait = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = v === 0 || v === '0' ? 0 : typeof v === 'number' ? v * 1000 : parseDuration(v);
  if (ms === undefined || ms > 3_600_000) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 0, 30s or 5m (at most 1h)' });
    return z.NEVER;
  }
  return ms;
});

export const filePath = check(z.string(), (v) => (v.length > 0 && v.length <= 4096 && !v.includes('\0')) || 'expected a file path');

export const contextName = check(z.string(), (v) => (v.length > 0 && v.length <= 253 && !/[\s\0]/.test(v)) || 'expected a kubeconfig context name');

export const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` });

// The settings of docs/customising.md (per-workload, stack-wide, patches).
export { workloadsSchema, imagePullSecrets, serviceAnnotations, ingressAnnotations, patches } from './workload-settings.js';
