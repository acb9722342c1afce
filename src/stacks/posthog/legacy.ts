// What deploy-posthog.sh `self-hosted` made: `kubectl apply -f posthog-deployment.yaml`
// (haoyunlt/VoiceAssistant, deployments/k8s/posthog-deployment.yaml and deploy-posthog.sh,
// commit 36862495044c750fa51212185292b5d92feb0bff; fixture
// test/fixtures/deploy-posthog-sh/posthog-deployment.yaml). Its data stores are
// Deployments on claims `posthog-*-pvc`; vh-deploy's are StatefulSets whose claims are
// `data-posthog-*-0`: the volumes pass to those claims, never deleted (docs/adopt.md,
// "Data volumes").
import type { FoundLegacy, LegacyEntry } from '../../k8s/takeover.js';
import { containerImage, dataOf, defined, foundObject, ingressHost, LEGACY_TOOL, type LegacyStack } from '../legacy.js';
import { POSTHOG_SECRET, stackImages } from './index.js';

const STORES = [
  { name: 'posthog-postgres', claim: 'posthog-postgres-pvc', what: 'PostgreSQL', companion: 'postgres' },
  { name: 'posthog-redis', claim: 'posthog-redis-pvc', what: 'Redis', companion: 'redis' },
  { name: 'posthog-clickhouse', claim: 'posthog-clickhouse-pvc', what: 'ClickHouse', companion: 'clickhouse' },
] as const;

/** `postgres:14-alpine` → [14]; `clickhouse/clickhouse-server:23.8-alpine` → [23, 8]. Pure. */
export function versionOf(image: string | undefined): number[] | undefined {
  const tag = image?.slice(image.lastIndexOf(':') + 1);
  const m = tag ? /^(\d+)(?:\.(\d+))?/.exec(tag) : null;
  return m ? [Number(m[1]), ...(m[2] !== undefined ? [Number(m[2])] : [])] : undefined;
}

/** Whether data written by `from` may be opened by `to`: same or newer, by the parts that mark a format (PostgreSQL, Redis: major; ClickHouse: year.month). Pure. */
export function canOpen(from: number[], to: number[], parts: number): boolean {
  for (let i = 0; i < parts; i++) {
    const a = from[i] ?? 0;
    const b = to[i] ?? 0;
    if (a !== b) return a < b;
  }
  return true;
}

const stepsFor: Record<(typeof STORES)[number]['companion'], (ns: string) => string> = {
  postgres: (ns) =>
    `dump and restore instead: \`kubectl exec -n ${ns} deploy/posthog-postgres -- pg_dump -U posthog -Fc posthog > posthog.dump\`, deploy vh-deploy's PostHog into a new namespace (\`vh-deploy self-hosted -n NEW …\`), then \`kubectl exec -i -n NEW posthog-postgres-0 -- pg_restore -U posthog -d posthog --clean --if-exists < posthog.dump\``,
  redis: () => 'Redis holds PostHog\'s caches and queues, not its data: leave the old volume out (delete the claim once PostHog runs on vh-deploy\'s Redis)',
  clickhouse: (ns) =>
    `copy the events instead: from vh-deploy's ClickHouse in the new namespace, \`INSERT INTO posthog.sharded_events SELECT * FROM remote('posthog-clickhouse.${ns}.svc', posthog.sharded_events, 'posthog', PASSWORD)\` for each table, or re-ingest`,
};

export const posthogLegacy: LegacyStack = {
  tool: LEGACY_TOOL,
  entries: (namespace): LegacyEntry[] => [
    { apiVersion: 'v1', kind: 'Namespace', name: namespace, fate: 'take-over' },
    ...STORES.map((s): LegacyEntry => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: s.claim, fate: 'data', replacedBy: `data-${s.name}-0` })),
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'posthog-config', fate: 'take-over' },
    { apiVersion: 'v1', kind: 'Secret', name: 'posthog-secret', fate: 'replace', replacedBy: POSTHOG_SECRET },
    ...STORES.map((s): LegacyEntry => ({ apiVersion: 'apps/v1', kind: 'Deployment', name: s.name, labels: { app: s.name }, fate: 'replace', replacedBy: s.name, replacedByKind: 'StatefulSet', stopFirst: true })),
    ...[...STORES.map((s) => s.name), 'posthog-web'].map((name): LegacyEntry => ({ apiVersion: 'v1', kind: 'Service', name, fate: 'take-over' })),
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'posthog-web', labels: { app: 'posthog-web' }, fate: 'take-over' },
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'posthog-worker', labels: { app: 'posthog-worker' }, fate: 'take-over' },
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'posthog-ingress', fate: 'replace', replacedBy: 'posthog' },
  ],
  values(found) {
    const claim = foundObject(found, 'PersistentVolumeClaim', 'posthog-postgres-pvc');
    return defined({ ...ingressHost(foundObject(found, 'Ingress', 'posthog-ingress')), storageClass: (claim?.spec as { storageClassName?: string } | undefined)?.storageClassName });
  },
  secrets(found): Record<string, Record<string, string>> {
    const s = dataOf(foundObject(found, 'Secret', 'posthog-secret'));
    const keep = ['SECRET_KEY', 'POSTHOG_DB_PASSWORD', 'POSTHOG_REDIS_PASSWORD', 'CLICKHOUSE_PASSWORD'].filter((k) => s[k] !== undefined);
    return keep.length ? { [POSTHOG_SECRET]: Object.fromEntries(keep.map((k) => [k, s[k]!])) } : {};
  },
  dataProblems(found: readonly FoundLegacy[], values) {
    const ours = stackImages(values);
    const problems: string[] = [];
    for (const s of STORES) {
      if (!foundObject(found, 'PersistentVolumeClaim', s.claim)) continue;
      const theirs = containerImage(foundObject(found, 'Deployment', s.name), '');
      const [from, to] = [versionOf(theirs), versionOf(ours[s.companion])];
      const parts = s.companion === 'clickhouse' ? 2 : 1;
      if (!from || !to || canOpen(from, to, parts)) continue;
      const ns = foundObject(found, 'PersistentVolumeClaim', s.claim)?.metadata.namespace ?? 'posthog';
      problems.push(`PersistentVolumeClaim/${s.claim} holds ${s.what} ${from.slice(0, parts).join('.')} data (${theirs}); vh-deploy runs ${ours[s.companion]}, which cannot open data of a newer version (docs/compatibility.md): ${stepsFor[s.companion](ns)}`);
    }
    return problems;
  },
};
