/// <reference path="./inject.d.ts" />
// vitest globalSetup for the e2e project: starts the real control plane (test/cluster/up.sh)
// once per run and stops it afterwards (test/cluster/down.sh).
//
// - VH_E2E_REUSE_CLUSTER=1 and a cluster is already up: reuse it, and leave it running.
// - otherwise: a leftover cluster is stopped, a fresh one is started, and torn down at the end
//   (VH_E2E_KEEP_CLUSTER=1 leaves it running for inspection).
// If the control plane cannot start, setup throws with the failing component's log tail:
// the suite fails loudly, it never skips.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const clusterDir = path.dirname(fileURLToPath(import.meta.url));

interface ClusterInfo {
  server: string;
  kubeconfig: string;
  limitedKubeconfig: string;
  netns: string;
  binDir: string;
  podServerSocket: string;
}

function run(script: string, args: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [path.join(clusterDir, script), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env },
    });
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      if (process.env.VH_E2E_VERBOSE === '1') process.stderr.write(d);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      output += `\n[global-setup] ${script} did not finish within ${timeoutMs / 1000}s; killing it\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 1, output: `${output}\n${err.message}` });
    });
  });
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const reuse = process.env.VH_E2E_REUSE_CLUSTER === '1';
  const keep = process.env.VH_E2E_KEEP_CLUSTER === '1';
  let startedHere = true;

  if (reuse && (await run('status.sh', ['--quiet'], 30_000)).code === 0) {
    startedHere = false;
  } else {
    // --fresh: a cluster left over from an earlier (crashed) run is replaced by a clean one.
    // The limit covers a cold build of the binaries (test/cluster/build.sh) as well.
    const up = await run('up.sh', ['--fresh'], 60 * 60_000);
    if (up.code !== 0) {
      throw new Error(
        `e2e control plane failed to start (test/cluster/up.sh exited ${up.code}).\n${tail(up.output, 120)}`,
      );
    }
  }

  const stateDir = path.resolve(clusterDir, '../../.cluster');
  const info = JSON.parse(
    readFileSync(process.env.VH_E2E_STATE_DIR ? path.join(process.env.VH_E2E_STATE_DIR, 'cluster.json') : path.join(stateDir, 'cluster.json'), 'utf8'),
  ) as ClusterInfo;

  provide('kubeconfig', info.kubeconfig);
  provide('limitedKubeconfig', info.limitedKubeconfig);
  provide('podServerSocket', info.podServerSocket);
  provide('clusterBinDir', info.binDir);
  provide('clusterNetns', info.netns);
  process.env.VH_E2E_KUBECONFIG = info.kubeconfig;
  process.env.VH_E2E_LIMITED_KUBECONFIG = info.limitedKubeconfig;
  process.env.VH_E2E_POD_SERVER_SOCKET = info.podServerSocket;
  process.env.VH_E2E_BIN_DIR = info.binDir;
  process.env.VH_E2E_NETNS = info.netns;

  return async () => {
    if (!startedHere || keep) return;
    const down = await run('down.sh', [], 120_000);
    if (down.code !== 0) {
      throw new Error(`test/cluster/down.sh failed (exit ${down.code}):\n${tail(down.output, 40)}`);
    }
  };
}
