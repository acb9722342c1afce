// test/images/build-oci.mjs: the archive containerd imports for the real node. Checks the
// OCI layout that `ctr images import` relies on — the name annotation, the config's
// user/workdir/entrypoint, digests that match the blobs, a diff_id of the uncompressed
// layer — and that owners and modes in the rootfs survive (the contract images depend on
// /root being 0700 and data directories belonging to their uid).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const BUILDER = path.resolve(import.meta.dirname, '../../test/images/build-oci.mjs');
const work = mkdtempSync(path.join(tmpdir(), 'vh-oci-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function build(config: object): { out: string; blob: (digest: string) => Buffer; index: { manifests: Array<{ digest: string; annotations: Record<string, string> }> } } {
  const rootfs = path.join(work, 'rootfs');
  mkdirSync(path.join(rootfs, 'root'), { recursive: true });
  mkdirSync(path.join(rootfs, 'data'), { recursive: true });
  writeFileSync(path.join(rootfs, 'root', 'prog'), '#!/bin/sh\necho hi\n');
  chmodSync(path.join(rootfs, 'root', 'prog'), 0o755);
  chmodSync(path.join(rootfs, 'root'), 0o700);
  writeFileSync(path.join(work, 'config.json'), JSON.stringify(config));
  const out = path.join(work, 'image.tar');
  execFileSync(process.execPath, [BUILDER, '--rootfs', rootfs, '--name', 'vh-contract.local/test:1', '--config', path.join(work, 'config.json'), '--out', out]);
  const layout = path.join(work, 'layout');
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(layout);
  execFileSync('tar', ['-xf', out, '-C', layout]);
  const blob = (digest: string) => readFileSync(path.join(layout, 'blobs', 'sha256', digest.replace('sha256:', '')));
  return { out, blob, index: JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) };
}

describe('build-oci.mjs', () => {
  const { blob, index } = build({ User: '1001', WorkingDir: '/root/', Entrypoint: ['./prog'], Env: ['A=1'] });

  it('one manifest named by io.containerd.image.name, each blob matching its digest', () => {
    expect(index.manifests).toHaveLength(1);
    const m = index.manifests[0]!;
    expect(m.annotations['io.containerd.image.name']).toBe('vh-contract.local/test:1');
    const manifest = JSON.parse(blob(m.digest).toString()) as { config: { digest: string; size: number }; layers: Array<{ digest: string; size: number; mediaType: string }> };
    expect(`sha256:${sha(blob(m.digest))}`).toBe(m.digest);
    expect(`sha256:${sha(blob(manifest.config.digest))}`).toBe(manifest.config.digest);
    expect(manifest.layers.map((l) => [l.mediaType, `sha256:${sha(blob(l.digest))}` === l.digest, blob(l.digest).length === l.size])).toEqual([
      ['application/vnd.oci.image.layer.v1.tar+gzip', true, true],
    ]);
  });

  it('the config carries User, WorkingDir, Entrypoint and Env, and the diff_id of the uncompressed layer', () => {
    const manifest = JSON.parse(blob(index.manifests[0]!.digest).toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
    const config = JSON.parse(blob(manifest.config.digest).toString()) as { config: Record<string, unknown>; rootfs: { diff_ids: string[] }; os: string };
    expect(config.config).toEqual({ User: '1001', WorkingDir: '/root/', Entrypoint: ['./prog'], Env: ['A=1'] });
    expect(config.os).toBe('linux');
    expect(config.rootfs.diff_ids).toEqual([`sha256:${sha(gunzipSync(blob(manifest.layers[0]!.digest)))}`]);
  });

  it('modes in the rootfs survive: /root 0700, the program 0755', () => {
    const manifest = JSON.parse(blob(index.manifests[0]!.digest).toString()) as { layers: Array<{ digest: string }> };
    const layerTar = path.join(work, 'layer.tar');
    writeFileSync(layerTar, gunzipSync(blob(manifest.layers[0]!.digest)));
    const listing = execFileSync('tar', ['-tvf', layerTar, '--numeric-owner'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(listing).toMatch(/^drwx------ \d+\/\d+ +0 1970-01-01 00:00 \.\/root\/$/m);
    expect(listing).toMatch(/^-rwxr-xr-x \d+\/\d+ +\d+ 1970-01-01 00:00 \.\/root\/prog$/m);
  });

  it('the same rootfs gives the same manifest digest (zeroed times, sorted entries)', () => {
    const first = index.manifests[0]!.digest;
    expect(build({ User: '1001', WorkingDir: '/root/', Entrypoint: ['./prog'], Env: ['A=1'] }).index.manifests[0]!.digest).toBe(first);
  });
});
