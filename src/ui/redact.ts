// Last line of defence for docs/architecture.md rule 3: every secret value the process learns
// (flags, files, prompts, generated or read from the cluster) is registered here, and
// everything written to stdout/stderr passes through redact().
const secrets = new Set<string>();

export function registerSecret(value: unknown): void {
  if (typeof value === 'string' && value.length >= 4) {
    secrets.add(value);
    // The same value may surface base64-encoded (Secret data) or URL-encoded (DSNs).
    secrets.add(Buffer.from(value, 'utf8').toString('base64'));
    const enc = encodeURIComponent(value);
    if (enc !== value) secrets.add(enc);
    // ... or JSON-escaped (a value with " or \ inside a JSON document: -o json, error documents).
    const json = JSON.stringify(value).slice(1, -1);
    if (json !== value) secrets.add(json);
  }
}

export function redact(text: string): string {
  let out = text;
  // Longest first, so a value that contains another is replaced whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(`<redacted ${Buffer.byteLength(s)} bytes>`);
  }
  return out;
}

export function clearSecrets(): void {
  secrets.clear();
}
