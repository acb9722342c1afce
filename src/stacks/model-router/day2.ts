// Day-2 operations of the stack (scale, upgrade, where its secrets live). Loaded with the
// day-2 commands, not at start-up: the version checks pull in zod.
import { InputError } from '../../errors.js';
import type { StackOps } from '../day2.js';
import * as v from '../../config/validators.js';
import { parsed, withImageTag } from '../images.js';
import { modelRouterStack } from './index.js';
import { CONNECTION_NAME } from '../posthog-connection/index.js';

/** Everything vh-deploy knows of this stack beyond rendering it: names, command, day-2 operations. */
export const modelRouterOps: StackOps = {
  stack: modelRouterStack,
  deployCommand: 'model-router',
  workloads: { 'model-router': { kind: 'Deployment', name: 'model-router', valueKeys: { replicas: 'replicas', min: 'minReplicas', max: 'maxReplicas' } } },
  defaultWorkload: 'model-router',
  secretSources: [
    { key: 'dbPassword', secret: 'model-router-secrets', dataKey: 'DB_PASSWORD' },
    { key: 'redisPassword', secret: 'model-router-secrets', dataKey: 'REDIS_PASSWORD' },
    { key: 'openaiApiKey', secret: 'model-router-secrets', dataKey: 'OPENAI_API_KEY' },
    { key: 'anthropicApiKey', secret: 'model-router-secrets', dataKey: 'ANTHROPIC_API_KEY' },
    { key: 'posthogApiKey', secret: CONNECTION_NAME, dataKey: 'POSTHOG_API_KEY', when: (values) => values.posthogHost !== undefined },
  ],
  upgrade: {
    check(req) {
      if (req.version !== undefined) throw new InputError('--posthog-version: is for posthog; for model-router give --image-tag TAG or --image REF');
      if ((req.imageTag === undefined) === (req.image === undefined)) throw new InputError('--image-tag: give either --image-tag TAG or --image REF');
      if (req.image !== undefined) parsed(v.imageRef, '--image', req.image);
      else parsed(v.imageTag, '--image-tag', req.imageTag!);
    },
    apply(values, req) {
      const image = req.image ?? withImageTag(values.image as string, req.imageTag!);
      const next = { ...values, image };
      return { values: next, version: modelRouterStack.version(next) ?? image };
    },
  },
  readsConnection: true,
};
