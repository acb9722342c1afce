// The compatibility contract of `self-hosted`: for each PostHog version vh-deploy offers,
// the companion images PostHog itself ran with it, each with its public source. A version
// outside this table is refused (exit 2) unless the user passes --allow-untested-versions.
// Why: PostHog 1.4x exits 1 at start outside its service-version ranges
// (posthog/settings/service_requirements.py), so a stack that is not one of these rows
// never finishes on a real cluster. docs/compatibility.md says how each row was checked.
// Pure data and pure functions; no zod, so `--help` can load it.

/** One public source: repository, file, commit (and what it says). */
export interface Source {
  repo: string;
  path: string;
  commit: string;
  says: string;
}

export type Companion = 'postgres' | 'redis' | 'clickhouse' | 'kafka' | 'zookeeper';

export interface CompanionPin {
  /** The image vh-deploy deploys. */
  image: string;
  /** The image PostHog's chart (or compose stack) ran. */
  ran: string;
  /** `same image`, or why a different build of the same version is used. */
  basis: string;
  /** The range the PostHog version accepts at start-up, where it checks one. */
  accepted?: string;
  sources: Source[];
}

export interface CompatRow {
  /** The posthog/posthog tag. */
  posthog: string;
  source: Source;
  companions: Record<Companion, CompanionPin>;
}

const CHART = 'PostHog/charts-clickhouse';
const CHART_1_42 = 'c0d3c6e96ec2047e5ec86c425d9c93ec92b6688b'; // 2022-11-30 "Release 1.42.0 (#638)", chart 30.0.0
const CHART_1_43 = '41487c3f7b31894be74f9a57a7dabe54d3dc4568'; // 2023-01-16 "chore: 1.43.0 upgrade (#664)", chart 30.3.0
const CHART_CH_22_8 = 'e55f371cdb53a548e490da523dd446e89d8455b8'; // 2023-01-18 "Upgrade to Clickhouse 22.8.11.15 (#663)", chart 30.3.1

// Both versions check PostgreSQL and Redis the same way (quoted verbatim in the start-up
// error of PostHog/charts-clickhouse#412 and the file below).
const PG_RANGE = '>=11.0.0,<=14.1.0';
const REDIS_RANGE = '>=5.0.0,<=6.3.0';
const requirements = (says: string): Source => ({
  repo: CHART,
  path: 'issue #412 (2022-06-02): the start-up error of posthog/settings/service_requirements.py (PostHog/posthog; the check was removed by PostHog/posthog#16484, 2023-07-11)',
  commit: 'issue thread',
  says,
});

// The bundled sub-charts (charts/posthog/charts/*.tgz) are byte-identical at both chart
// commits (same git blobs), so PostgreSQL, Redis, Kafka and ZooKeeper are the same.
function dataStores(commit: string): Omit<Record<Companion, CompanionPin>, 'clickhouse'> {
  return {
    postgres: {
      image: 'postgres:11.7-alpine',
      ran: 'bitnami/postgresql:11.7.0-debian-10-r9',
      basis: 'same PostgreSQL version (11.7), official image (Bitnami moved its versioned tags to bitnamilegacy in 2025)',
      accepted: PG_RANGE,
      sources: [
        { repo: CHART, path: 'charts/posthog/charts/postgresql-8.6.1.tgz → postgresql/values.yaml', commit, says: 'image bitnami/postgresql tag 11.7.0-debian-10-r9' },
        requirements(`postgresql supported_version "${PG_RANGE}"`),
      ],
    },
    redis: {
      image: 'redis:6.2.7-alpine',
      ran: 'bitnami/redis:6.2.7-debian-10-r0',
      basis: 'same Redis version (6.2.7); redis:6.2.7-alpine is the image of PostHog\'s own compose stack (PostHog/posthog#9564, fixed by #9620)',
      accepted: REDIS_RANGE,
      sources: [
        { repo: CHART, path: 'charts/posthog/charts/redis-16.8.9.tgz → redis/values.yaml', commit, says: 'image bitnami/redis tag 6.2.7-debian-10-r0' },
        { repo: 'PostHog/posthog', path: 'posthog/settings/service_requirements.py', commit: 'not pinned (the 1.4x-era text, next to the PostgreSQL range of issue #412)', says: `redis supported_version "${REDIS_RANGE}"` },
      ],
    },
    kafka: {
      image: 'docker.io/bitnamilegacy/kafka:2.8.1-debian-10-r99',
      ran: 'bitnami/kafka:2.8.1-debian-10-r99',
      basis: 'same image; Bitnami moved it from docker.io/bitnami to docker.io/bitnamilegacy in 2025 (no official Apache Kafka image of 2.8 exists)',
      sources: [{ repo: CHART, path: 'charts/posthog/charts/kafka-14.9.3.tgz → kafka/values.yaml', commit, says: 'image bitnami/kafka tag 2.8.1-debian-10-r99, podSecurityContext.fsGroup 1001' }],
    },
    zookeeper: {
      image: 'zookeeper:3.7.0',
      ran: 'bitnami/zookeeper:3.7.0-debian-10-r70',
      basis: 'same ZooKeeper version (3.7.0), official image (the one PostHog\'s compose stack ran)',
      sources: [{ repo: CHART, path: 'charts/posthog/charts/zookeeper-7.0.5.tgz → zookeeper/values.yaml', commit, says: 'image bitnami/zookeeper tag 3.7.0-debian-10-r70' }],
    },
  };
}

/** Newest first; the first row is the default. */
export const COMPAT: readonly CompatRow[] = [
  {
    posthog: 'release-1.43.0',
    source: { repo: CHART, path: 'charts/posthog/values.yaml, Chart.yaml', commit: CHART_1_43, says: 'image.default ":release-1.43.0", appVersion 1.43.0 (the default until 9e170ef8, 2023-10-20)' },
    companions: {
      ...dataStores(CHART_1_43),
      clickhouse: {
        image: 'clickhouse/clickhouse-server:22.8.11.15',
        ran: 'clickhouse/clickhouse-server:22.8.11.15',
        basis: 'same image; the chart default with release-1.43.0 from chart 30.3.1 (2023-01-18) to 2023-10-20, and what PostHog Cloud ran then (PR #663)',
        sources: [
          { repo: CHART, path: 'charts/posthog/values.yaml (clickhouse.image.tag)', commit: CHART_CH_22_8, says: 'tag "22.8.11.15" with image.default ":release-1.43.0"; PR #663: 1.42.0 refused it (">=21.6.0,<22.4.0"), merged once 1.43.0 was out' },
        ],
      },
    },
  },
  {
    posthog: 'release-1.42.0',
    source: { repo: CHART, path: 'charts/posthog/values.yaml, Chart.yaml', commit: CHART_1_42, says: 'image.default ":release-1.42.0"' },
    companions: {
      ...dataStores(CHART_1_42),
      clickhouse: {
        image: 'clickhouse/clickhouse-server:22.3.13.80',
        ran: 'clickhouse/clickhouse-server:22.3.13.80',
        basis: 'same image',
        accepted: '>=21.6.0,<22.4.0',
        sources: [
          { repo: CHART, path: 'charts/posthog/values.yaml (clickhouse.image.tag)', commit: CHART_1_42, says: 'tag "22.3.13.80"' },
          { repo: CHART, path: 'pull request #663 (comment of 2023-01-09)', commit: CHART_CH_22_8, says: 'the 1.42.0 image: "Expected range: >=21.6.0,<22.4.0"' },
        ],
      },
    },
  },
];

export const DEFAULT_ROW: CompatRow = COMPAT[0]!;

export const SUPPORTED_VERSIONS: readonly string[] = COMPAT.map((r) => r.posthog);

export function compatRow(version: string): CompatRow | undefined {
  return COMPAT.find((r) => r.posthog === version);
}

/** The images a version runs with: its row's, or the default row's for an untested version. */
export function companionImages(version: string): Record<Companion, string> {
  const row = compatRow(version) ?? DEFAULT_ROW;
  const out = {} as Record<Companion, string>;
  for (const [k, pin] of Object.entries(row.companions) as Array<[Companion, CompanionPin]>) out[k] = pin.image;
  return out;
}

/** One error line for a version outside the table (the flag is named by the caller); undefined when fine. */
export function untestedVersionProblem(flag: string, version: string, allowed: boolean): string | undefined {
  if (allowed || compatRow(version)) return undefined;
  return `${flag}: ${JSON.stringify(version)} is not a PostHog version vh-deploy has a tested set of companions for; supported: ${SUPPORTED_VERSIONS.join(', ')} (see docs/compatibility.md). To run it anyway with the companions of ${DEFAULT_ROW.posthog}, add --allow-untested-versions (sets SKIP_SERVICE_VERSION_REQUIREMENTS=1)`;
}
