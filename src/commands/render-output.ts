// Printing rendered manifests: YAML documents (or one JSON List), Secrets masked
// unless --show-secrets. Used by `render`, `--dry-run=client` and the diff preview.
import { dump } from 'js-yaml';
import type { Cluster } from '../k8s/client.js';
import type { KubeObject } from '../k8s/types.js';
import { maskForDisplay } from '../manifests/finalize.js';
import { offlineContext, renderStack, type RenderContext, type Stack } from '../stacks/stack.js';
import type { Ui } from '../ui/output.js';

export function manifestsText(objects: KubeObject[], o: { json: boolean; showSecrets: boolean }): string {
  const shown = maskForDisplay(objects, o.showSecrets);
  if (o.json) return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: shown }, null, 2)}\n`;
  return shown.map((obj) => `---\n${dump(obj, { lineWidth: -1, noRefs: true })}`).join('');
}

export interface RenderRequest {
  stack: Stack;
  values: Record<string, unknown>;
  namespace: string;
  json: boolean;
  showSecrets: boolean;
  /** Opens the cluster: asked only with --show-secrets, for the generated secrets that are really there. */
  cluster: () => Promise<Cluster>;
  /** Where stdout goes: a terminal, or a pipe or file (`kubectl apply -f -`, `> x.yaml`). */
  stdoutIsTty: boolean;
}

/**
 * `render` / `--dry-run=client` (docs/cli.md, "render and diff"): without --show-secrets
 * nothing contacts a cluster and Secret values are masked, which is said on stderr when
 * the output goes where it could be applied. With --show-secrets the generated secrets
 * are read from the cluster, so the values shown are the ones deployed; when they cannot
 * be (no cluster, nothing deployed yet) stderr says the values are new.
 */
export async function printRendered(r: RenderRequest, ui: Ui): Promise<void> {
  let ctx: RenderContext = offlineContext(r.namespace);
  if (r.showSecrets && r.stack.reusedSecrets.length > 0) ctx = { ...ctx, existingSecrets: await liveSecrets(r, ui) };
  const objects = renderStack(r.stack, r.values, ctx);
  const text = manifestsText(objects, { json: r.json, showSecrets: r.showSecrets });
  // --show-secrets asks for the values: the output filter (redact) would mask them again.
  if (r.showSecrets) process.stdout.write(text);
  else ui.raw(text);
  if (!r.showSecrets && !r.stdoutIsTty && objects.some((o) => o.kind === 'Secret')) {
    ui.warn('Secret values are masked ("<masked (N bytes)>"): do not apply this output with kubectl, it would set those words as the values; deploy with vh-deploy, or render with --show-secrets');
  }
}

async function liveSecrets(r: RenderRequest, ui: Ui): Promise<RenderContext['existingSecrets']> {
  const names = r.stack.reusedSecrets.join(', ');
  let cluster: Cluster | undefined;
  try {
    cluster = await r.cluster();
    const { readReusedSecrets } = await import('../actions/plan.js');
    const found = await readReusedSecrets(cluster, r.stack, r.namespace);
    const missing = r.stack.reusedSecrets.filter((n) => !found[n]);
    if (missing.length) ui.warn(`no Secret ${missing.join(', ')} in namespace ${r.namespace} of context ${cluster.contextName} yet: its values shown are new random values, which a deploy would create`);
    else ui.note(`Secret values shown are the ones deployed: ${names} in namespace ${r.namespace} of context ${cluster.contextName}`);
    return found;
  } catch (e) {
    const { failureLine } = await import('../actions/lifecycle.js');
    ui.warn(`could not read ${names} from the cluster (${failureLine(e)}): the Secret values shown are new random values, not the ones deployed`);
    return {};
  } finally {
    cluster?.close();
  }
}
