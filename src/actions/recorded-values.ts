// Values persist (docs/architecture.md, "Values persist"): a deploy starts from the
// non-secret values of the stack's last successful revision for every input the user
// does not give, so a routine re-run never undoes an upgrade, a scale or an earlier
// setting. Reading them is the run's first API call; it comes after every given value
// passed its check, and it writes nothing.
import { connect, type Cluster } from '../k8s/client.js';
import { lastSuccessful, listRevisions, sinceUninstall } from '../k8s/revisions.js';
import type { RecordedValues } from '../config/resolve.js';
import { recallValues, type Stack } from '../stacks/stack.js';
import type { Globals } from '../commands/inputs.js';
import type { FoundLegacy } from '../k8s/takeover.js';
import { detectLegacy, legacyValues } from './adopt-detect.js';

export interface RecordedValuesReader {
  /** For collectInputs: the values to start from, or undefined (client dry run, --reset-values, no revision). */
  read: (globals: Globals, given: Record<string, unknown>) => Promise<RecordedValues | undefined>;
  /** The connection opened for the read (reused by the deploy), or a new one. */
  cluster: () => Promise<Cluster>;
  /**
   * Why the recorded values could not be read (unreachable, forbidden), if they could
   * not. The deploy's preflight names every missing permission at once first; a run
   * that would write fails with this after it: deploying without knowing what was
   * recorded could undo an upgrade.
   */
  failure: () => unknown;
  /** Closes the connection when the run ends before the deploy took it over. */
  close: () => Promise<void>;
  /** The objects of a deploy-posthog.sh install found by read() (undefined when it did not look). */
  legacy: () => FoundLegacy[] | undefined;
}

/**
 * `namespaceOf`: the namespace the run works in, once connected (the kubeconfig
 * context's namespace may decide it; src/config/namespace.ts).
 */
export function recordedValuesReader(stack: Stack, namespaceOf: (cluster: Cluster, globals: Globals) => string): RecordedValuesReader {
  let opened: Promise<Cluster> | undefined;
  const close = async () => (await opened?.catch(() => undefined))?.close();
  let failure: unknown;
  let legacy: FoundLegacy[] | undefined;
  let globalsSeen: Globals | undefined;
  const open = (g: Globals) =>
    (opened ??= connect({
      ...(g.kubeconfig && { kubeconfig: g.kubeconfig }),
      ...(g.context && { context: g.context }),
      ...(g.namespace && { namespace: g.namespace }),
    }));
  return {
    async read(globals, given) {
      globalsSeen = globals;
      // A client dry run never contacts a cluster; --reset-values starts from the defaults.
      if (globals.dryRun === 'client' || given.resetValues === true) return undefined;
      try {
        const cluster = await open(globals);
        const namespace = namespaceOf(cluster, globals);
        // After an uninstall a deploy starts afresh (docs/day2.md, "Uninstall").
        const last = lastSuccessful(sinceUninstall(await listRevisions(cluster, namespace, stack.name)));
        if (!last) {
          // Never deployed by vh-deploy here: an install made by deploy-posthog.sh carries its values over (docs/adopt.md).
          legacy = await detectLegacy(cluster, stack, namespace);
          return legacy.length ? { revision: 0, adoptedFrom: `${stack.legacy!.tool}'s objects`, values: legacyValues(stack, legacy, given) } : undefined;
        }
        legacy = [];
        return { revision: last.revision, values: recallValues(stack, last.values, given) };
      } catch (e) {
        // Missing or bad inputs are reported first (exit 2), then the preflight; see failure().
        failure = e;
        return undefined;
      }
    },
    async cluster() {
      if (!globalsSeen) throw new Error('recordedValuesReader: cluster() before read()');
      return open(globalsSeen);
    },
    failure: () => failure,
    legacy: () => legacy,
    close,
  };
}
