// The result of an uninstall (src/actions/uninstall.ts) as text or the one JSON document:
// what went, what was kept (with the kubectl command that removes it), what was left
// alone and why, and what is left in the namespace.
import { skipText, type NamespaceState, type UninstallResult } from '../../actions/uninstall.js';
import type { ObjectKey } from '../../k8s/types.js';
import type { Ui } from '../output.js';

const RESOURCE: Readonly<Record<string, string>> = { PersistentVolumeClaim: 'pvc', PersistentVolume: 'pv', Secret: 'secret' };

/** One `kubectl delete` per kind and namespace for the objects kept, names sorted. Pure. */
export function removeCommands(keys: readonly ObjectKey[]): string[] {
  const groups = new Map<string, { kind: string; namespace?: string; names: string[] }>();
  for (const k of keys) {
    const id = `${k.kind}|${k.namespace ?? ''}`;
    const g = groups.get(id) ?? { kind: k.kind, ...(k.namespace && { namespace: k.namespace }), names: [] };
    g.names.push(k.name);
    groups.set(id, g);
  }
  return [...groups.values()].map((g) => `kubectl delete ${RESOURCE[g.kind] ?? g.kind.toLowerCase()}${g.namespace ? ` -n ${g.namespace}` : ''} ${g.names.sort().join(' ')}`);
}

/** What the report says of the namespace after the data went. Pure. */
export function namespaceLines(s: NamespaceState, stack: string): string[] {
  if (!s.checked) return [`namespace ${s.name} kept (could not list what it holds)`];
  if (s.otherCount > 0) return [`namespace ${s.name} kept: it holds ${s.otherCount} other object${s.otherCount === 1 ? '' : 's'} (${s.others.join(', ')}${s.otherCount > s.others.length ? ', …' : ''})`];
  if (!s.createdByVhDeploy) return [`namespace ${s.name} kept: vh-deploy did not create it`];
  return [
    `namespace ${s.name} was created by vh-deploy and now holds only the history of ${stack} (its revision records); to remove it and that history:`,
    `  kubectl delete namespace ${s.name}`,
  ];
}

export function printUninstall(ui: Ui, r: UninstallResult, durationMs: number): void {
  const data = r.kept.filter((k) => k.reason === 'volumeClaim' || k.reason === 'generatedSecret');
  const commands = removeCommands(data.map((k) => k.key));
  if (ui.json) {
    ui.document({
      ok: r.ok,
      dryRun: r.dryRun,
      stack: r.stack,
      namespace: r.namespace,
      deleteData: r.deleteData,
      ...(r.revision !== undefined && { revision: r.revision }),
      ...(r.alreadyUninstalled !== undefined && { alreadyUninstalled: r.alreadyUninstalled }),
      deleted: r.deleted,
      kept: r.kept.map((k) => ({ ref: k.ref, reason: k.reason })),
      removeKept: commands,
      skipped: r.skipped.map((s) => ({ ref: s.ref, reason: skipText(s.reason) })),
      replaced: r.replaced,
      absent: r.absent,
      readers: r.readers,
      ...(r.namespaceState && { namespaceState: r.namespaceState }),
      durationMs,
    });
    return;
  }
  if (r.alreadyUninstalled !== undefined) ui.out(`${r.stack} was already uninstalled from namespace ${r.namespace} (revision ${r.alreadyUninstalled}); nothing to delete`);
  else if (r.dryRun) ui.out(`would uninstall ${r.stack} from namespace ${r.namespace}: ${r.deleted.length} to delete (dry run; nothing written)`);
  else ui.out(`${r.stack} uninstalled from namespace ${r.namespace} (recorded as revision ${r.revision}): ${r.deleted.length} deleted (${(durationMs / 1000).toFixed(1)} s)`);
  for (const s of r.skipped) ui.out(`left alone: ${s.ref} (${skipText(s.reason)})`);
  for (const x of r.replaced) ui.out(`left alone: ${x} (re-created by someone else during the uninstall)`);
  if (data.length) {
    ui.out(`${r.dryRun ? 'would keep' : 'kept'} (data): ${data.map((k) => k.ref).join(', ')}`);
    ui.out(`to delete the data too: vh-deploy uninstall ${r.stack} -n ${r.namespace} --delete-data, or:`);
    for (const c of commands) ui.out(`  ${c}`);
  }
  if (r.namespaceState) for (const l of namespaceLines(r.namespaceState, r.stack)) ui.out(l);
}
