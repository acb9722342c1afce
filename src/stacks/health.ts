// Health checks a stack declares; run through the API server's service proxy by the
// deploy and verify commands. Pure descriptions plus pure response judges.
export interface HealthCheck {
  name: string;
  service: string;
  port: number;
  path: string;
  /** Returns a problem description, or undefined when the response is healthy. */
  judge(status: number, body: string): string | undefined;
}

export const expectStatus200 = (status: number): string | undefined => (status === 200 ? undefined : `HTTP ${status || 'no answer'}`);

/** A check that wants HTTP 200. */
export const statusCheck = (name: string, service: string, port: number, path: string): HealthCheck => ({ name, service, port, path, judge: expectStatus200 });

/** A check that wants HTTP 200 and a body with no problems (`label: a, b` otherwise). */
export function bodyCheck(name: string, service: string, port: number, path: string, label: string, problems: (body: string) => string[]): HealthCheck {
  return {
    name,
    service,
    port,
    path,
    judge: (status, body) => {
      if (status !== 200) return expectStatus200(status);
      const bad = problems(body);
      return bad.length ? `${label}: ${bad.join(', ')}` : undefined;
    },
  };
}

/** Prometheus text must expose each metric family (a HELP/TYPE line or a sample). */
export function missingMetrics(body: string, names: readonly string[]): string[] {
  return names.filter((n) => !new RegExp(`^(# (HELP|TYPE) )?${n}(_bucket|_sum|_count)?[ {]`, 'm').test(body));
}

/** PostHog's /_preflight JSON: which of the wired services report false. */
export function preflightProblems(body: string, keys: readonly string[]): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return ['not JSON'];
  }
  const o = (doc ?? {}) as Record<string, unknown>;
  return keys.filter((k) => o[k] !== true).map((k) => `${k}=${JSON.stringify(o[k] ?? null)}`);
}
