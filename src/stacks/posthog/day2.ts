// Day-2 operations of the stack (scale, upgrade, where its secrets live). Loaded with the
// day-2 commands, not at start-up: the version checks pull in zod.
import { InputError } from '../../errors.js';
import type { StackOps } from '../day2.js';
import * as v from '../../config/validators.js';
import { parsed } from '../images.js';
import { posthogStack } from './index.js';
import { DEFAULT_ROW, untestedVersionProblem } from './compat.js';

/** Everything vh-deploy knows of this stack beyond rendering it: names, command, day-2 operations. */
export const posthogOps: StackOps = {
  stack: posthogStack,
  deployCommand: 'self-hosted',
  workloads: {
    web: { kind: 'Deployment', name: 'posthog-web', valueKeys: { replicas: 'webReplicas' } },
    worker: { kind: 'Deployment', name: 'posthog-worker', valueKeys: { replicas: 'workerReplicas' } },
    plugins: { kind: 'Deployment', name: 'posthog-plugins', valueKeys: { replicas: 'pluginsReplicas' } },
  },
  workloadAliases: { 'plugin-server': 'plugins', 'posthog-web': 'web', 'posthog-worker': 'worker', 'posthog-plugins': 'plugins' },
  // Generated secrets are reused by the render itself (Stack.reusedSecrets).
  secretSources: [],
  upgrade: {
    check(req) {
      if (req.imageTag !== undefined || req.image !== undefined) throw new InputError(`${req.image !== undefined ? '--image' : '--image-tag'}: is for model-router; for posthog give --posthog-version TAG`);
      if (req.version === undefined) throw new InputError(`--posthog-version: give the PostHog image tag or digest to upgrade to, e.g. --posthog-version ${DEFAULT_ROW.posthog}`);
      parsed(v.imageTag, '--posthog-version', req.version);
      // The same table as a deploy (compat.ts): companions follow the version's row.
      const problem = untestedVersionProblem('--posthog-version', req.version, req.allowUntestedVersions === true);
      if (problem) throw new InputError(problem);
    },
    // The choice is recorded with the version, so a routine re-run keeps both; a tested
    // version drops an earlier allowance (and SKIP_SERVICE_VERSION_REQUIREMENTS with it).
    apply: (values, req) => {
      const { allowUntestedVersions: _old, ...rest } = values;
      return { values: { ...rest, posthogVersion: req.version!, ...(req.allowUntestedVersions === true && { allowUntestedVersions: true }) }, version: req.version! };
    },
  },
  readsConnection: false,
};
