// Evidence for a failure message: recent Events of the objects involved and the
// last log lines of a failing container. Best effort: any error here is swallowed,
// because the failure being explained matters more than the explanation (and
// clusters without kubelets, like the e2e one, have no logs at all).
import type { Cluster } from './client.js';
import { arr, num, rec, str } from './types.js';

export interface EventLine {
  time: number;
  text: string;
}

/** One Event as a line: `Warning BackOff Pod/web-1: Back-off pulling image "x" (x4)`. Pure. */
export function formatEvent(e: Record<string, unknown>): EventLine {
  const io = rec(e.involvedObject);
  const md = rec(e.metadata);
  const t = str(e.lastTimestamp) ?? str(e.eventTime) ?? str(rec(e.series).lastObservedTime) ?? str(md.creationTimestamp) ?? '';
  const count = num(e.count) ?? num(rec(e.series).count) ?? 1;
  const msg = (str(e.message) ?? '').trim().replace(/\s+/g, ' ');
  const text = `${str(e.type) ?? 'Normal'} ${str(e.reason) ?? ''} ${str(io.kind) ?? ''}/${str(io.name) ?? ''}: ${msg}${count > 1 ? ` (x${count})` : ''}`;
  return { time: Date.parse(t) || 0, text };
}

/** The last `limit` events about any of the named objects in a namespace. */
export async function recentEvents(cluster: Cluster, namespace: string, names: readonly string[], limit = 6): Promise<string[]> {
  const lines: EventLine[] = [];
  await Promise.all(
    [...new Set(names)].map(async (name) => {
      try {
        const res = await cluster.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
          query: { fieldSelector: `involvedObject.name=${name}` },
          timeoutMs: 5_000,
          retry: false,
        });
        if (res.status !== 200) return;
        for (const e of arr(rec(res.json()).items)) lines.push(formatEvent(rec(e)));
      } catch {
        /* best effort */
      }
    }),
  );
  return lines
    .sort((a, b) => a.time - b.time)
    .slice(-limit)
    .map((l) => l.text);
}

/**
 * The last `limit` Warning events about one pod (the kubelet's probe failures and
 * back-offs, the scheduler's refusals): one list call, bounded by `timeoutMs`.
 */
export async function podWarnings(cluster: Cluster, namespace: string, pod: string, opts: { limit?: number; timeoutMs?: number } = {}): Promise<string[]> {
  try {
    const res = await cluster.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
      query: { fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod},type=Warning` },
      timeoutMs: opts.timeoutMs ?? 3_000,
      retry: false,
    });
    if (res.status !== 200) return [];
    return arr(rec(res.json()).items)
      .map((e) => formatEvent(rec(e)))
      .sort((a, b) => a.time - b.time)
      .slice(-(opts.limit ?? 2))
      .map((l) => l.text);
  } catch {
    return [];
  }
}

/** The last lines a container logged (previous instance first when it crashed). */
export async function lastLogLines(
  cluster: Cluster,
  namespace: string,
  pod: string,
  container: string | undefined,
  opts: { previous?: boolean; lines?: number } = {},
): Promise<string[]> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
  for (const previous of opts.previous ? [true, false] : [false]) {
    try {
      const res = await cluster.request('GET', path, {
        query: { container, tailLines: opts.lines ?? 20, previous: previous || undefined },
        accept: '*/*',
        timeoutMs: 5_000,
        retry: false,
      });
      if (res.status !== 200) continue;
      const out = res.text.split('\n').filter((l) => l.trim() !== '');
      if (out.length) return out.slice(-(opts.lines ?? 20));
    } catch {
      /* best effort */
    }
  }
  return [];
}
