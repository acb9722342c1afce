// The settings every stack with workloads takes (docs/customising.md): config-file keys
// without flags of their own, set on the command line by `--set path=value` and
// `--patch FILE`. Plain data like every field table (their checks are built lazily, so
// `--help` never loads zod); the checks are in workload-settings.ts.
import type { Field } from './fields.js';
import type { WorkloadDecl } from '../manifests/overlay.js';

/** The root keys `--set` may set. */
export const SETTINGS_KEYS = ['workloads', 'imagePullSecrets', 'serviceAnnotations', 'ingressAnnotations'] as const;

export function settingsFields(decls: readonly WorkloadDecl[]): Field[] {
  return [
    {
      key: 'workloads',
      flagless: true,
      merge: true,
      description: `per-workload settings: ${decls.map((d) => d.name).join(', ')} (resources, nodeSelector, tolerations, affinity, env, securityContext, …; docs/customising.md)`,
      schema: (v) => v.workloadsSchema(decls),
    },
    { key: 'imagePullSecrets', flagless: true, description: 'Secrets every pod pulls its images with', schema: (v) => v.imagePullSecrets },
    { key: 'serviceAnnotations', flagless: true, merge: true, description: 'annotations on every Service', schema: (v) => v.serviceAnnotations },
    { key: 'ingressAnnotations', flagless: true, merge: true, description: 'annotations on the Ingress', schema: (v) => v.ingressAnnotations },
    { key: 'patches', flagless: true, description: 'patches applied to the rendered objects: a list of {target: {kind, name}, merge | strategic | json} (docs/customising.md); on the command line --patch FILE', schema: (v) => v.patches },
  ];
}
