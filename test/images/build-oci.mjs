#!/usr/bin/env node
// Turns a root filesystem directory into an OCI image archive that
// `ctr -n k8s.io images import` accepts, with no registry and no Docker.
//
//   node test/images/build-oci.mjs --rootfs DIR --name REF --config CONFIG.json --out IMAGE.tar
//
// CONFIG.json is the image config's `config` object (User, WorkingDir, Env, Entrypoint,
// Cmd, ExposedPorts, Labels), as in the OCI image spec:
// https://github.com/opencontainers/image-spec/blob/main/config.md
//
// The archive is an OCI image layout (https://github.com/opencontainers/image-spec/blob/main/image-layout.md):
// `oci-layout`, `index.json` whose one manifest carries the annotation
// `io.containerd.image.name` (containerd names the imported image after it), a config
// blob and one gzip layer of the whole rootfs. Owners and modes are taken from the
// rootfs as they are on disk (numeric), so a directory chowned to 999 in the rootfs is
// owned by 999 in the container. Timestamps are zeroed, so the same rootfs gives the
// same digests.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';

const { values } = parseArgs({
  options: {
    rootfs: { type: 'string' },
    name: { type: 'string' },
    config: { type: 'string' },
    out: { type: 'string' },
  },
});
for (const k of ['rootfs', 'name', 'config', 'out']) {
  if (!values[k]) {
    console.error(`build-oci: --${k} is required (usage: --rootfs DIR --name REF --config CONFIG.json --out IMAGE.tar)`);
    process.exit(2);
  }
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const work = mkdtempSync(path.join(os.tmpdir(), 'vh-oci-'));
try {
  const blobs = path.join(work, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const putBlob = (buf) => {
    const digest = sha256(buf);
    writeFileSync(path.join(blobs, digest), buf);
    return { digest: `sha256:${digest}`, size: buf.length };
  };

  // One layer: the whole rootfs, numeric owners, zeroed times, sorted (reproducible).
  const layerGz = execFileSync(
    'tar',
    ['--numeric-owner', '--sort=name', '--mtime=@0', '-C', values.rootfs, '-czf', '-', '.'],
    { maxBuffer: 1 << 30 },
  );
  const layer = putBlob(layerGz);
  const diffId = `sha256:${sha256(gunzipSync(layerGz))}`;

  const imageConfig = {
    created: '1970-01-01T00:00:00Z',
    architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
    os: 'linux',
    config: JSON.parse(readFileSync(values.config, 'utf8')),
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'test/images/build-oci.mjs' }],
  };
  const config = putBlob(Buffer.from(JSON.stringify(imageConfig)));
  const manifest = putBlob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    ),
  );
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...manifest,
        platform: { architecture: imageConfig.architecture, os: 'linux' },
        annotations: { 'io.containerd.image.name': values.name, 'org.opencontainers.image.ref.name': values.name.split(':').pop() },
      },
    ],
  };
  writeFileSync(path.join(work, 'index.json'), JSON.stringify(index));
  writeFileSync(path.join(work, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
  execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '-C', work, '-cf', path.resolve(values.out), 'oci-layout', 'index.json', 'blobs']);
  console.log(`${values.name} ${manifest.digest} -> ${values.out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
