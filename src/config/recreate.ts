// `--recreate`: consent to delete and create anew what the plan cannot change in place
// (immutable fields, src/k8s/immutable.ts), orphaning its pods and volume claims, which
// keep running (docs/day2.md, "Immutable fields"). A switch of one run, never recalled.
import type { Field } from './fields.js';

export const RECREATE: Field = {
  key: 'recreate',
  boolean: true,
  recall: false,
  description: "delete and create anew the objects whose immutable fields the plan changes (a StatefulSet's volume size, a selector); their pods and volume claims keep running",
  schema: (v) => v.bool,
};
