#!/usr/bin/env node
// npm run bench: speed figures as ratios against kubectl or bare Node in the same run
// (never absolute thresholds in tests). Starts (or reuses) the local control plane.
//
//   1. start-up: `vh-deploy --help` vs `node -e 0`
//   2. apply: the rendered self-hosted stack, vh-deploy --no-wait vs
//      `kubectl apply --server-side -f` of the same manifests (fresh namespaces)
//   3. apply + ready: vh-deploy (ordered apply, waits, health) vs kubectl apply
//      followed by `kubectl rollout status`/`kubectl wait` for every workload
//   4. ready latency: last pod Ready → the wait engine reporting ready (median of N)
//   5. peak RSS of a full self-hosted deploy
//   6. scaling: apply time of 1×, 5×, 10× copies of the model-router stack
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/vh-deploy.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const log = (s) => process.stderr.write(`${s}\n`);

function timeRun(cmd, args, env = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  return { ms, out: r.stdout };
}

/** Runs a command under /usr/bin/time -v to read its peak RSS. */
function peakRss(cmd, args, env) {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}\n${r.stderr.slice(-2000)}`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return m ? Number(m[1]) / 1024 : NaN;
}

// ---- cluster -------------------------------------------------------------------------
log('starting (or reusing) the local control plane …');
execFileSync('bash', [join(ROOT, 'test/cluster/up.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
const info = JSON.parse(readFileSync(join(ROOT, '.cluster/cluster.json'), 'utf8'));
const KUBECONFIG = info.kubeconfig;
const KUBECTL = join(info.binDir, 'kubectl');
const env = { KUBECONFIG, CI: 'true' };
const kubectl = (...args) => timeRun(KUBECTL, args, env);
const rand = () => Math.random().toString(36).slice(2, 8);
const created = [];
const results = {};

try {
  // ---- 1. start-up ---------------------------------------------------------------------
  const help = [], bare = [];
  for (let i = 0; i < 15; i++) {
    bare.push(timeRun(process.execPath, ['-e', '0']).ms);
    help.push(timeRun(process.execPath, [BIN, '--help']).ms);
  }
  results.startup = { help: median(help), node: median(bare), ratio: median(help) / median(bare), goal: '≤ 2×' };
  log(`start-up: vh-deploy --help ${fmt(results.startup.help)} vs node -e 0 ${fmt(results.startup.node)}`);

  // ---- 2 + 3. apply, and apply + ready ---------------------------------------------------
  const dir = mkdtempSync(join(tmpdir(), 'vh-bench-'));
  const apply = { vh: [], kubectl: [] }, full = { vh: [], kubectl: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const mode of ['apply', 'full']) {
      const nsV = `bench-v-${rand()}`, nsK = `bench-k-${rand()}`;
      created.push(nsV, nsK);
      // kubectl gets the very same manifests, secrets included (file mode 0600, removed below).
      const file = join(dir, `${nsK}.yaml`);
      const rendered = timeRun(process.execPath, [BIN, 'render', 'self-hosted', '-n', nsK, '--domain', 'posthog.bench.example.com', '--show-secrets']).out;
      writeFileSync(file, rendered, { mode: 0o600 });
      const vhArgs = [BIN, 'self-hosted', '-n', nsV, '--yes', '--domain', 'posthog.bench.example.com', '--timeout', '3m', ...(mode === 'apply' ? ['--no-wait'] : [])];
      const k0 = performance.now();
      kubectl('apply', '--server-side', '--field-manager=bench', '-f', file);
      if (mode === 'full') {
        for (const sts of ['posthog-postgres', 'posthog-redis', 'posthog-clickhouse', 'posthog-kafka']) kubectl('rollout', 'status', '-n', nsK, `statefulset/${sts}`, '--timeout=3m');
        kubectl('wait', '-n', nsK, '--for=condition=complete', 'job', '--all', '--timeout=3m');
        for (const d of ['posthog-web', 'posthog-worker', 'posthog-plugins']) kubectl('rollout', 'status', '-n', nsK, `deployment/${d}`, '--timeout=3m');
      }
      const kMs = performance.now() - k0;
      const vMs = timeRun(process.execPath, vhArgs, env).ms;
      (mode === 'apply' ? apply : full).kubectl.push(kMs);
      (mode === 'apply' ? apply : full).vh.push(vMs);
      log(`${mode} #${i + 1}: vh-deploy ${fmt(vMs)} vs kubectl ${fmt(kMs)}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  results.apply = { vh: median(apply.vh), kubectl: median(apply.kubectl), ratio: median(apply.vh) / median(apply.kubectl), goal: '≤ 0.5×' };
  results.applyAndReady = { vh: median(full.vh), kubectl: median(full.kubectl), ratio: median(full.vh) / median(full.kubectl) };

  // ---- 4. ready latency ----------------------------------------------------------------
  const { connect } = await import(join(ROOT, 'dist/k8s/client.js'));
  const { applyObjects } = await import(join(ROOT, 'dist/k8s/apply.js'));
  const { waitForObjects } = await import(join(ROOT, 'dist/k8s/wait.js'));
  const { startWatch } = await import(join(ROOT, 'dist/k8s/watch.js')).catch(() => ({}));
  const cluster = await connect({ kubeconfig: KUBECONFIG });
  const lat = [];
  const ns = `bench-lat-${rand()}`;
  created.push(ns);
  await applyObjects(cluster, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);
  for (let i = 0; i < Math.max(RUNS * 2, 10); i++) {
    const name = `lat-${i}`;
    const dep = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
      spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.example.com/bench:1.0.0' }] } } },
    };
    // Watch pods ourselves to stamp the moment the last one turns Ready.
    let lastReady = 0;
    const readyPods = new Set();
    const ac = new AbortController();
    const podWatch = (async () => {
      const res = await cluster.stream(`/api/v1/namespaces/${ns}/pods`, { query: { watch: 'true', labelSelector: `app=${name}` }, signal: ac.signal }).catch(() => undefined);
      if (!res) return;
      let buf = '';
      res.body.setEncoding('utf8');
      res.body.on('data', (d) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
          try {
            const ev = JSON.parse(line);
            const pod = ev.object;
            const ready = (pod?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
            if (ready && !readyPods.has(pod.metadata.name)) { readyPods.add(pod.metadata.name); lastReady = performance.now(); }
          } catch { /* partial line */ }
        }
      });
      ac.signal.addEventListener('abort', () => res.abort());
    })();
    await new Promise((r) => setTimeout(r, 100)); // let the pod watch start first
    await applyObjects(cluster, [dep]);
    await waitForObjects(cluster, [dep], { timeoutMs: 60_000 });
    const done = performance.now();
    ac.abort();
    await podWatch.catch(() => {});
    if (readyPods.size >= 3) lat.push(done - lastReady);
  }
  cluster.close();
  results.readyLatency = { median: median(lat), samples: lat.length, goal: '< 250 ms' };
  log(`ready latency: median ${fmt(results.readyLatency.median)} over ${lat.length}`);

  // ---- 4b. scaling: apply time for 1×, 5×, 10× copies of the model-router stack ---------
  // The engine in-process (one plan, each copy in its own namespace), dry run + ordered
  // apply without waiting, so the figure is about the number of objects.
  {
    const { renderStack, offlineContext } = await import(join(ROOT, 'dist/stacks/stack.js'));
    const { modelRouterStack } = await import(join(ROOT, 'dist/stacks/model-router.js'));
    const { deploy } = await import(join(ROOT, 'dist/k8s/deploy.js'));
    const values = {
      image: 'registry.example.com/model-router:1.4.2', dbHost: 'pg', dbPort: 5432, dbName: 'db', dbUser: 'u', dbPassword: 'bench-pw', dbSslMode: 'require',
      redisAddr: 'redis:6379', posthogHost: 'https://eu.i.posthog.com', posthogApiKey: 'phc_benchBENCHbenchBENCH0000',
    };
    const c2 = await connect({ kubeconfig: KUBECONFIG });
    const perCopy = renderStack(modelRouterStack, values, offlineContext('x')).length;
    const scaling = {};
    for (const copies of [1, 5, 10]) {
      const times = [];
      for (let run = 0; run < 3; run++) {
        const objects = [];
        for (let i = 0; i < copies; i++) {
          const ns = `bench-s${copies}-${rand()}`;
          created.push(ns);
          objects.push(...renderStack(modelRouterStack, values, offlineContext(ns)));
        }
        const t = performance.now();
        await deploy(c2, objects, { wait: false });
        times.push(performance.now() - t);
      }
      scaling[copies] = { objects: perCopy * copies, ms: median(times) };
      log(`scaling ${copies}×: ${scaling[copies].objects} objects in ${fmt(scaling[copies].ms)}`);
    }
    c2.close();
    // Context for the 10× figure: kubectl applying the same 110 objects (fresh namespaces).
    const { dump } = await import('js-yaml');
    const kDir = mkdtempSync(join(tmpdir(), 'vh-bench-scaling-'));
    const kTimes = [];
    for (let run = 0; run < 3; run++) {
      const objects = [];
      for (let i = 0; i < 10; i++) {
        const ns = `bench-sk-${rand()}`;
        created.push(ns);
        objects.push(...renderStack(modelRouterStack, values, offlineContext(ns)));
      }
      const file = join(kDir, `scaling-${run}.yaml`);
      writeFileSync(file, objects.map((o) => dump(o)).join('---\n'), { mode: 0o600 });
      kTimes.push(kubectl('apply', '--server-side', '--field-manager=bench', '-f', file).ms);
    }
    rmSync(kDir, { recursive: true, force: true });
    const kubectl10 = median(kTimes);
    log(`scaling 10× with kubectl apply --server-side: ${fmt(kubectl10)}`);
    results.scaling = { ...scaling, ratio10: scaling[10].ms / scaling[1].ms, kubectl10, goal: '10× objects in < 4× the time' };
  }

  // ---- 5. peak RSS of a full self-hosted deploy ----------------------------------------
  const nsR = `bench-rss-${rand()}`;
  created.push(nsR);
  results.peakRssMb = { value: peakRss(process.execPath, [BIN, 'self-hosted', '-n', nsR, '--yes', '--domain', 'posthog.bench.example.com'], env), goal: '< 150 MB' };
} finally {
  if (created.length) spawnSync(KUBECTL, ['delete', 'namespace', '--wait=false', ...created], { env: { ...process.env, ...env }, stdio: 'ignore' });
}

const r = results;
const row = (name, a, b, ratio, goal) => `| ${name} | ${a} | ${b} | ${ratio} | ${goal} |`;
const table = [
  '| measure | vh-deploy | baseline | ratio / value | goal |',
  '|---|---|---|---|---|',
  row('`--help` vs `node -e 0`', fmt(r.startup.help), fmt(r.startup.node), `${r.startup.ratio.toFixed(2)}×`, r.startup.goal),
  row('apply self-hosted (`--no-wait`) vs `kubectl apply --server-side`', fmt(r.apply.vh), fmt(r.apply.kubectl), `${r.apply.ratio.toFixed(2)}×`, r.apply.goal),
  row('apply + ready vs kubectl apply + rollout status/wait', fmt(r.applyAndReady.vh), fmt(r.applyAndReady.kubectl), `${r.applyAndReady.ratio.toFixed(2)}×`, '—'),
  row('last pod Ready → reported ready (median)', fmt(r.readyLatency.median), '—', `${r.readyLatency.samples} samples`, r.readyLatency.goal),
  row('peak RSS, full self-hosted deploy', `${r.peakRssMb.value.toFixed(0)} MB`, '—', '—', r.peakRssMb.goal),
  row(`apply ${r.scaling[10].objects} objects (10× model-router) vs ${r.scaling[1].objects} (1×)`, fmt(r.scaling[10].ms), fmt(r.scaling[1].ms), `${r.scaling.ratio10.toFixed(2)}× (5×: ${fmt(r.scaling[5].ms)})`, r.scaling.goal),
  row(`apply ${r.scaling[10].objects} objects: in-process engine vs \`kubectl apply --server-side\` (context)`, fmt(r.scaling[10].ms), fmt(r.scaling.kubectl10), `${(r.scaling[10].ms / r.scaling.kubectl10).toFixed(2)}×`, '—'),
].join('\n');
process.stdout.write(`${table}\n`);
writeFileSync(join(ROOT, '.cluster/bench.json'), JSON.stringify(results, null, 2));
