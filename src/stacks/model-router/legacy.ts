// What deploy-posthog.sh `model-router` made: `kubectl apply -f model-router-deployment.yaml`
// (haoyunlt/VoiceAssistant, deployments/k8s/model-router-deployment.yaml and
// deployments/k8s/deploy-posthog.sh, commit 36862495044c750fa51212185292b5d92feb0bff;
// fixture: test/fixtures/deploy-posthog-sh/). Every object is labelled or named
// `model-router`; what becomes of each is in docs/adopt.md.
import type { LegacyEntry } from '../../k8s/takeover.js';
import { containerImage, dataOf, defined, foundObject, ingressHost, LEGACY_TOOL, type LegacyStack } from '../legacy.js';

const APP = { app: 'model-router' };

export const modelRouterLegacy: LegacyStack = {
  tool: LEGACY_TOOL,
  entries: (namespace): LegacyEntry[] => [
    // `kubectl create namespace … --dry-run=client -o yaml | kubectl apply -f -`
    { apiVersion: 'v1', kind: 'Namespace', name: namespace, fate: 'take-over' },
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'model-router-config', fate: 'take-over' },
    { apiVersion: 'v1', kind: 'Secret', name: 'model-router-secret', fate: 'replace', replacedBy: 'model-router-secrets' },
    // selector app=model-router → app.kubernetes.io/name+instance: re-created without downtime
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'model-router', labels: APP, fate: 'take-over' },
    { apiVersion: 'v1', kind: 'Service', name: 'model-router', labels: APP, fate: 'take-over' },
    { apiVersion: 'v1', kind: 'ServiceAccount', name: 'model-router-sa', fate: 'replace', replacedBy: 'model-router' },
    { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'model-router-hpa', fate: 'replace', replacedBy: 'model-router' },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', name: 'model-router-pdb', fate: 'replace', replacedBy: 'model-router' },
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'model-router-ingress', fate: 'replace', replacedBy: 'model-router' },
    { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', name: 'model-router', labels: APP, fate: 'take-over' },
  ],
  values(found) {
    const config = dataOf(foundObject(found, 'ConfigMap', 'model-router-config'));
    const secret = dataOf(foundObject(found, 'Secret', 'model-router-secret'));
    const deployment = foundObject(found, 'Deployment', 'model-router');
    const hpa = foundObject(found, 'HorizontalPodAutoscaler', 'model-router-hpa');
    const hpaSpec = (hpa?.spec ?? {}) as { minReplicas?: number; maxReplicas?: number };
    const posthog = config.POSTHOG_ENABLED !== 'false' && config.POSTHOG_HOST && secret.POSTHOG_API_KEY;
    return defined({
      image: containerImage(deployment, 'model-router'),
      dbHost: config.DB_HOST,
      dbPort: config.DB_PORT,
      dbName: config.DB_NAME,
      dbUser: config.DB_USER,
      dbSslMode: config.DB_SSL_MODE,
      redisAddr: config.REDIS_ADDR,
      dbPassword: secret.DB_PASSWORD,
      redisPassword: secret.REDIS_PASSWORD,
      openaiApiKey: secret.OPENAI_API_KEY,
      anthropicApiKey: secret.ANTHROPIC_API_KEY,
      ...(posthog && { posthogHost: config.POSTHOG_HOST, posthogApiKey: secret.POSTHOG_API_KEY }),
      ...(hpa ? { minReplicas: hpaSpec.minReplicas, maxReplicas: hpaSpec.maxReplicas } : { replicas: (deployment?.spec as { replicas?: number } | undefined)?.replicas }),
      ...ingressHost(foundObject(found, 'Ingress', 'model-router-ingress')),
    });
  },
};
