// The CLI's words for the engine's failures. src/k8s/ says why it failed as data (an
// EngineReason, src/k8s/reasons.ts) in Kubernetes terms; the flags and commands that
// remedy it are named here, once for every command.
import type { Command } from 'commander';
import { VhError } from '../errors.js';
import { flagsOf, pasteable } from './target.js';
import { actionInCliTerms } from './action-errors.js';
import { workloadOf } from '../stacks/registry.js';
import { immutableFieldsMessage, kubeconfigProblemMessage, preflightFailure, reasonOf, scaleRefusalMessage, type EngineReason, type ScaleWords } from '../k8s/reasons.js';

/** What the CLI says instead of the engine: a message, a hint, or both. */
export interface CliWording {
  message?: string;
  hint?: string;
  details?: string[];
}

/** `vh-deploy scale`'s flags, for the engine's scale refusals. */
const SCALE_FLAGS: ScaleWords = {
  replicasPrefix: '--replicas: ',
  rangePrefix: '--min: ',
  replicas: '--replicas',
  giveReplicas: '--replicas N',
  range: '--min/--max',
  changeRangeBy: ' with --min/--max',
  max: '--max',
};

/** The CLI's wording for one reason; empty where the engine's own words stand. Pure. */
export function cliWording(r: EngineReason): CliWording {
  switch (r.reason) {
    case 'conflict':
      return { hint: 'another tool changed these fields since vh-deploy last applied them; undo that change, or re-run with --force-conflicts to take the fields over (their current values are overwritten)' };
    case 'waitTimeout':
      return { hint: 'raise --timeout if the rollout is slow, or look at the objects above' };
    case 'deleteTimeout':
      return { hint: 're-run the same command to go on (what is gone stays gone), or raise --timeout; remove a finalizer by hand only once you know why it is there' };
    case 'lockHeld':
      return { hint: 'wait for it to finish; if that process is gone, the lock expires by itself, or re-run with --force-unlock' };
    case 'lockLost':
      return r.takenOver ? { hint: 'another vh-deploy run took it over (--force-unlock); check what it changed' } : {};
    case 'scaleRefused':
      return { message: scaleRefusalMessage(r.refusal, SCALE_FLAGS) };
    case 'kubeconfigMissing':
      return { message: `--kubeconfig: file ${r.file} does not exist` };
    case 'noKubeconfig':
      return r.KUBECONFIG !== undefined
        ? { hint: 'fix KUBECONFIG or pass --kubeconfig FILE' }
        : { message: 'no kubeconfig found: no --kubeconfig, no KUBECONFIG, no ~/.kube/config, and not running in a cluster', hint: 'pass --kubeconfig FILE or set KUBECONFIG' };
    case 'kubeconfigProblem': {
      const origin = r.file !== undefined ? `--kubeconfig ${r.file}` : r.origin;
      const p = r.problem;
      if (p.kind === 'unknownContext') return { message: `--context: "${p.context}" is not in kubeconfig ${origin}; available: ${p.available.join(', ')}` };
      if (p.kind === 'noCurrentContext') return { message: `kubeconfig ${origin} has no current context; pass --context (available: ${p.available.join(', ')})` };
      return { message: kubeconfigProblemMessage(p, origin) };
    }
    case 'unauthorized':
      return { hint: 'refresh the credentials in your kubeconfig (expired token or certificate?) or pick another --context' };
    case 'apiServerLost':
      return { hint: 're-run the same command to resume: applying is idempotent, objects already applied are kept and the rest follow' };
    case 'preflightFailed': {
      if (!r.failed.some((c) => c.reason === 'namespaceTerminating')) return {};
      const messages = r.failed.map((c) => (c.reason === 'namespaceTerminating' ? `${c.message} with -n` : c.message));
      return { message: preflightFailure(r.context, messages), details: messages };
    }
    case 'immutableFields':
      // Bad input: the remedy goes in the message (exit-2 errors print no hint line).
      return {
        message: immutableFieldsMessage(
          r.lines,
          `re-run with --recreate: vh-deploy deletes ${r.objects.join(', ')} orphaning the pods and volume claims (they keep running), creates ${r.objects.length === 1 ? 'it' : 'them'} anew and waits${r.grow.length ? `, after growing ${r.grow.join(', ')}` : ''} (docs/day2.md, "Immutable fields")`,
        ),
      };
    case 'podSecurityContext': {
      const w = workloadOf(r.kind, r.name);
      return w
        ? { hint: `${r.hint}; vh-deploy sets it with workloads.${w}.podSecurityContext (the pod's: runAsUser, runAsGroup, runAsNonRoot, fsGroup) or workloads.${w}.securityContext (the container's), in the config file or with --set (docs/customising.md)` }
        : {};
    }
    case 'several': {
      // One hint per distinct remedy, in the order of the failures.
      const hints = r.parts.map((p) => (p.reason && cliWording(p.reason).hint) ?? p.hint).filter((h): h is string => !!h);
      return hints.length ? { hint: [...new Set(hints)].join('; ') } : {};
    }
  }
}

/**
 * Rewords an engine failure for the CLI, in place: the error keeps its class (and so
 * its exit code), stack and data; only what the user reads changes.
 */
export function inCliTerms<E>(e: E): E {
  const r = reasonOf(e);
  if (!r || !(e instanceof VhError)) return e;
  const w = cliWording(r);
  // VhError's hint and details are read-only to the code that throws; this is the one
  // place that rewrites them, for the user who reads them.
  Object.assign(e, { ...(w.message !== undefined && { message: w.message }), ...(w.hint !== undefined && { hint: w.hint }), ...(w.details && { details: w.details }) });
  return e;
}

/** The commands an error quotes, made pasteable for where this run worked (-n, --context), in place. */
function withTargetFlags<E>(e: E, flags: string): E {
  if (!flags || !(e instanceof Error)) return e;
  const hint = (e as Partial<VhError>).hint;
  Object.assign(e, { message: pasteable(e.message, flags), ...(hint !== undefined && { hint: pasteable(hint, flags) }) });
  return e;
}

/** A command's action, with whatever the engine or an action throws worded for the CLI. */
export function inCliTermsAction<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (e) {
      const cmd = args[args.length - 1] as Command | undefined;
      throw withTargetFlags(inCliTerms(actionInCliTerms(e)), flagsOf(typeof cmd?.optsWithGlobals === 'function' ? cmd : undefined));
    }
  };
}
