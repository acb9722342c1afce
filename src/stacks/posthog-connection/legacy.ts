// What deploy-posthog.sh `cloud` made: the ConfigMap and Secret of its heredoc
// (`model-router-posthog-config`, `model-router-posthog-secret`), and those of
// posthog-cloud-config.yaml, which its comments tell the user to `kubectl apply -f`
// (`model-router-config-cloud`, `model-router-secret-cloud`). Source: haoyunlt/VoiceAssistant,
// deployments/k8s/deploy-posthog.sh (deploy_cloud) and deployments/k8s/posthog-cloud-config.yaml,
// commit 36862495044c750fa51212185292b5d92feb0bff; fixture test/fixtures/deploy-posthog-sh/cloud.yaml.
// vh-deploy's connection is one ConfigMap + Secret named model-router-posthog (docs/adopt.md).
import type { LegacyEntry } from '../../k8s/takeover.js';
import { dataOf, defined, foundObject, LEGACY_TOOL, type LegacyStack } from '../legacy.js';
import { CONNECTION_NAME } from './index.js';

const PAIRS = [
  ['model-router-posthog-config', 'model-router-posthog-secret'],
  ['model-router-config-cloud', 'model-router-secret-cloud'],
] as const;

export const cloudLegacy: LegacyStack = {
  tool: LEGACY_TOOL,
  entries: (namespace): LegacyEntry[] => [
    { apiVersion: 'v1', kind: 'Namespace', name: namespace, fate: 'take-over' },
    ...PAIRS.flatMap(([cm, secret]): LegacyEntry[] => [
      { apiVersion: 'v1', kind: 'ConfigMap', name: cm, fate: 'replace', replacedBy: CONNECTION_NAME },
      { apiVersion: 'v1', kind: 'Secret', name: secret, fate: 'replace', replacedBy: CONNECTION_NAME },
    ]),
  ],
  // The host as the script wrote it (app.posthog.com / eu.posthog.com still answer): the
  // take-over changes where events go only when the user gives --region or --host.
  values(found) {
    for (const [cm, secret] of PAIRS) {
      const host = dataOf(foundObject(found, 'ConfigMap', cm)).POSTHOG_HOST;
      const key = dataOf(foundObject(found, 'Secret', secret)).POSTHOG_API_KEY;
      if (host || key) return defined({ host, posthogApiKey: key });
    }
    return {};
  },
};
