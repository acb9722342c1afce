// Day-2 operations of the stack (scale, upgrade, where its secrets live). Loaded with the
// day-2 commands, not at start-up: the version checks pull in zod.
import type { StackOps } from '../day2.js';
import { cloudStack, CONNECTION_NAME } from './index.js';

/** Everything vh-deploy knows of this stack beyond rendering it: names, command, day-2 operations. */
export const connectionOps: StackOps = {
  stack: cloudStack,
  deployCommand: 'cloud',
  workloads: {},
  secretSources: [{ key: 'posthogApiKey', secret: CONNECTION_NAME, dataKey: 'POSTHOG_API_KEY' }],
  readsConnection: true,
};
