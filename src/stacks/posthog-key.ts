// Live check of a PostHog project API key: POST {host}/flags?v=2 with the key, as the
// SDKs do. 200 with `flags` = good key, 401 = bad key, anything else = unreachable.
// It records no event (the flags endpoint does not). The key travels only in the body.
import { InputError, OperationError } from '../errors.js';

export type KeyCheck = { ok: true; ms: number } | { ok: false; reason: 'rejected' | 'unreachable'; detail: string };

export async function checkProjectKey(host: string, key: string, o: { timeoutMs?: number; fetchImpl?: typeof fetch } = {}): Promise<KeyCheck> {
  const started = performance.now();
  const url = `${host.replace(/\/+$/, '')}/flags?v=2`;
  let res: Response;
  try {
    res = await (o.fetchImpl ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: key, distinct_id: 'vh-deploy-healthcheck' }),
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      redirect: 'error',
    });
  } catch (e) {
    const c = (e as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message ?? (e as Error).name;
    return { ok: false, reason: 'unreachable', detail: `no answer from ${url} (${cause})` };
  }
  const text = await res.text().catch(() => '');
  if (res.status === 401 || res.status === 403) return { ok: false, reason: 'rejected', detail: `PostHog at ${host} rejected the key (HTTP ${res.status})` };
  if (res.status === 200) {
    try {
      const doc = JSON.parse(text) as Record<string, unknown>;
      if (doc && typeof doc === 'object' && ('flags' in doc || 'featureFlags' in doc)) return { ok: true, ms: Math.round(performance.now() - started) };
    } catch {
      /* fall through */
    }
    return { ok: false, reason: 'unreachable', detail: `${url} answered 200 but not with PostHog flags JSON; is the host right?` };
  }
  return { ok: false, reason: 'unreachable', detail: `${url} answered HTTP ${res.status}` };
}

/** Throws the CLI error for a failed check: a rejected key is bad input (exit 2). */
export function assertKeyCheck(r: KeyCheck): void {
  if (r.ok) return;
  if (r.reason === 'rejected') throw new InputError(`--posthog-api-key: ${r.detail}; check the project API key in PostHog project settings`);
  throw new OperationError(`PostHog key check failed: ${r.detail}`, 'check --host/--region, or run without --check-key');
}
