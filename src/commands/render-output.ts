// Printing rendered manifests: YAML documents (or one JSON List), Secrets masked
// unless --show-secrets. Used by `render`, `--dry-run=client` and the diff preview.
import { dump } from 'js-yaml';
import type { KubeObject } from '../k8s/types.js';
import { maskForDisplay } from '../manifests/finalize.js';

export function manifestsText(objects: KubeObject[], o: { json: boolean; showSecrets: boolean }): string {
  const shown = maskForDisplay(objects, o.showSecrets);
  if (o.json) return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: shown }, null, 2)}\n`;
  return shown.map((obj) => `---\n${dump(obj, { lineWidth: -1, noRefs: true })}`).join('');
}
