// A minimal list+watch loop over raw requests. client-node 1.4's Watch has no
// timeout (a dead connection hangs forever, kubernetes-client/javascript src/watch.ts sets no timeout), so this owns the
// whole lifecycle: list, watch from the list's resourceVersion with bookmarks and a
// server-side timeout, a client idle timeout, and a fresh list after every
// disconnect or 410 Gone (with backoff when disconnects repeat quickly). A full
// re-list makes missed events harmless: the caller always gets the whole state.
import { KubeAccessError, httpError } from './api-error.js';
import { sleep, type Cluster } from './client.js';
import { listCollection } from './discovery.js';
import { rec, str, type KubeObject } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchSpec {
  apiVersion: string;
  kind: string;
  /** Collection path, e.g. /apis/apps/v1/namespaces/prod/deployments. */
  collection: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Server-side timeoutSeconds of each watch request; default 60-90 s (spread). */
  timeoutSeconds?: number;
}

export interface WatchHandlers {
  /** The full current state after each (re)list. */
  onSync(items: KubeObject[]): void;
  onEvent(type: WatchEventType, obj: KubeObject): void;
  /** Unrecoverable: 401/403/404 on the collection. The loop stops. */
  onFatal(err: Error): void;
  /** Diagnostics (tests, verbose output): each list and each watch start/end. */
  onTrace?(what: 'list' | 'watch' | 'closed' | 'gone' | 'error', detail?: string): void;
}

export interface WatchHandle {
  stop(): void;
  /** Resolves when the loop has stopped. */
  done: Promise<void>;
}

const MAX_BACKOFF_MS = 5_000;

function isFatal(e: unknown): boolean {
  if (e instanceof KubeAccessError) return true;
  const status = (e as { status?: unknown }).status;
  return status === 404 || status === 400;
}

export function startWatch(cluster: Cluster, spec: WatchSpec, h: WatchHandlers): WatchHandle {
  const ctl = new AbortController();
  const signal = ctl.signal;
  const timeoutSeconds = spec.timeoutSeconds ?? 60 + Math.floor(Math.random() * 30);
  const selectors = { labelSelector: spec.labelSelector, fieldSelector: spec.fieldSelector };

  const list = async (): Promise<string> => {
    h.onTrace?.('list', spec.collection);
    const { items, resourceVersion } = await listCollection(cluster, spec.collection, spec.apiVersion, spec.kind, { ...selectors, signal });
    if (!signal.aborted) h.onSync(items);
    return resourceVersion;
  };

  /** Streams one watch; resolves with why it ended. */
  const watchOnce = async (rv: string): Promise<'closed' | 'gone'> => {
    h.onTrace?.('watch', `${spec.collection} rv=${rv}`);
    const res = await cluster.stream(spec.collection, {
      query: { ...selectors, watch: 1, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds },
      signal,
      // A healthy watch ends at timeoutSeconds; silence well past that means a dead connection.
      idleTimeoutMs: (timeoutSeconds + 30) * 1000,
    });
    if (res.status !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of res.body) chunks.push(c as Buffer);
      if (res.status === 410) return 'gone';
      throw httpError(cluster, 'GET', spec.collection, { watch: 1 }, res.status, Buffer.concat(chunks).toString('utf8'));
    }
    let buf = '';
    let ended: 'closed' | 'gone' = 'closed';
    try {
      for await (const chunk of res.body) {
        buf += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const ev = rec(JSON.parse(line));
          const type = str(ev.type);
          const obj = rec(ev.object);
          if (type === 'BOOKMARK') continue; // only moves resourceVersion; we re-list on reconnect anyway
          if (type === 'ERROR') {
            // 410 Expired/Gone: our resourceVersion is too old; anything else: start over too.
            ended = 'gone';
            res.abort();
            return ended;
          }
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
            const o = obj as unknown as KubeObject;
            o.apiVersion ??= spec.apiVersion;
            o.kind ??= spec.kind;
            if (!signal.aborted) h.onEvent(type, o);
          }
        }
      }
    } catch (e) {
      if (signal.aborted) return 'closed';
      throw e;
    }
    return ended;
  };

  const done = (async () => {
    let failures = 0;
    while (!signal.aborted) {
      const started = Date.now();
      try {
        const rv = await list();
        if (signal.aborted) break;
        const why = await watchOnce(rv);
        h.onTrace?.(why);
        // Re-list right away after a normal end; back off only if watches end at once repeatedly.
        failures = Date.now() - started > 1_000 ? 0 : failures + 1;
      } catch (e) {
        if (signal.aborted) break;
        if (isFatal(e)) {
          h.onFatal(e as Error);
          return;
        }
        h.onTrace?.('error', (e as Error).message);
        failures++;
      }
      // Stopped while backing off: the loop condition ends it.
      if (failures > 0) await sleep(Math.min(200 * 2 ** (failures - 1), MAX_BACKOFF_MS), signal).catch(() => undefined);
    }
  })();

  return { stop: () => ctl.abort(), done };
}
