#!/usr/bin/env node
// npm run bench: speed figures as ratios against kubectl, Helm or bare Node in the same run
// (never absolute thresholds in tests). Starts (or reuses) the local control plane;
// with VH_E2E_REUSE_CLUSTER=1 it only uses a running one and never starts or stops it.
//
//   1. start-up: `vh-deploy --help` vs `node -e 0`
//   2. apply: the rendered self-hosted stack, vh-deploy --no-wait vs
//      `kubectl apply --server-side -f` of the same manifests (fresh namespaces)
//   3. apply + ready: vh-deploy (ordered apply, waits, health) vs kubectl apply
//      followed by `kubectl rollout status`/`kubectl wait` for every workload
//   4. ready latency: last pod Ready → the wait engine reporting ready (median of N)
//   5. peak RSS of a full self-hosted deploy
//   6. scaling: apply time of 1×, 5×, 10× copies of the model-router stack
//   7. Helm v4 as the peer (scripts/build-helm.sh), on a chart whose template is what
//      `vh-deploy render --show-secrets` prints: deploy to ready, a second run with nothing
//      changed, a broken image — once directly and once through scripts/delay-proxy.mjs
//      (+25 ms each way), which also counts both tools' sequential round trips.
//
// env: BENCH_RUNS (samples per row, 5), BENCH_HELM_FAIL_RUNS (helm broken-image samples, 1),
//      BENCH_DELAY_MS (one-way delay of the proxy, 25), BENCH_ONLY=helm (section 7 only)
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/vh-deploy.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HELM_FAIL_RUNS = Number(process.env.BENCH_HELM_FAIL_RUNS ?? 1);
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 25);
const LOAD_START = loadavg().map((l) => Number(l.toFixed(2)));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const log = (s) => process.stderr.write(`${s}\n`);

/** Times a command; it must exit 0, or, with fail, exit non-zero (a failure run). */
function timeRun(cmd, args, env = {}, { fail = false } = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (fail ? r.status === 0 : r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stderr.slice(-2000)}`);
  return { ms, out: r.stdout };
}

/** scripts/delay-proxy.mjs in front of the API server; ask('reset' | 'stats') over IPC. */
async function startProxy(server, delayMs) {
  const u = new URL(server);
  const child = fork(join(ROOT, 'scripts/delay-proxy.mjs'), ['--connect', `${u.hostname}:${u.port}`, '--delay', String(delayMs)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise((res, rej) => {
    child.once('message', (m) => res(m.port));
    child.once('exit', (code) => rej(new Error(`delay-proxy exited ${code}`)));
  });
  const ask = (msg) => new Promise((res) => {
    child.once('message', res);
    child.send(msg);
  });
  return { port, ask, stop: () => child.kill() };
}

/** Runs a command under /usr/bin/time -v to read its peak RSS. */
function peakRss(cmd, args, env) {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}\n${r.stderr.slice(-2000)}`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return m ? Number(m[1]) / 1024 : NaN;
}

// ---- cluster -------------------------------------------------------------------------
if (process.env.VH_E2E_REUSE_CLUSTER === '1') {
  // Shared cluster (others' e2e runs use it): never start, restart or clean it up from here.
  const st = spawnSync('bash', [join(ROOT, 'test/cluster/status.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (st.status !== 0) {
    log('bench: VH_E2E_REUSE_CLUSTER=1 but no cluster is running (start one with npm run cluster:up)');
    process.exit(1);
  }
} else {
  log('starting (or reusing) the local control plane …');
  execFileSync('bash', [join(ROOT, 'test/cluster/up.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const info = JSON.parse(readFileSync(join(ROOT, '.cluster/cluster.json'), 'utf8'));
const KUBECONFIG = info.kubeconfig;
const KUBECTL = join(info.binDir, 'kubectl');
const env = { KUBECONFIG, CI: 'true' };
const kubectl = (...args) => timeRun(KUBECTL, args, env);
const rand = () => Math.random().toString(36).slice(2, 8);
/** Deletes the namespaces of a finished row and waits until they are gone, so the next
 *  row's samples do not share the controllers with their garbage collection. */
const settle = (nss) => {
  if (!nss.length) return;
  spawnSync(KUBECTL, ['delete', 'namespace', '--ignore-not-found', '--timeout=180s', ...nss], { env: { ...process.env, ...env }, stdio: 'ignore' });
};
const created = [];
const results = {};
// Control-plane pids at start and end: a fault test on the shared cluster restarts them,
// and the samples taken meanwhile are not figures of either tool.
const PID_FILES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'];
const cpPids = () => PID_FILES.map((n) => { try { return readFileSync(join(ROOT, '.cluster/pids', `${n}.pid`), 'utf8').trim(); } catch { return ''; } }).join(',');
const PIDS_START = cpPids();
/** Runs one sample; if a control-plane component restarted meanwhile (a fault test on the
 *  shared cluster), waits for the cluster and takes the sample again (up to 3 times). */
async function stable(what, fn) {
  for (let attempt = 1; ; attempt++) {
    const before = cpPids();
    let err;
    try {
      const res = await fn();
      if (cpPids() === before) return res;
    } catch (e) {
      if (cpPids() === before) throw e;
      err = e;
    }
    if (attempt >= 3) throw err ?? new Error(`${what}: the control plane kept restarting`);
    log(`${what}: a control-plane component restarted meanwhile (a fault test?); taking the sample again`);
    for (let i = 0; i < 60 && spawnSync('bash', [join(ROOT, 'test/cluster/status.sh'), '--quiet']).status !== 0; i++) await new Promise((r) => setTimeout(r, 2000));
    // A whole new cluster (new address and certificates) invalidates the proxy and the samples so far.
    if (JSON.parse(readFileSync(join(ROOT, '.cluster/cluster.json'), 'utf8')).server !== info.server) throw new Error('the cluster was restarted with a new address during the bench: run it again');
  }
}
let helmDir, proxy;

try {
  // ---- 1. start-up ---------------------------------------------------------------------
  const help = [], bare = [];
  for (let i = 0; i < 15; i++) {
    bare.push(timeRun(process.execPath, ['-e', '0']).ms);
    help.push(timeRun(process.execPath, [BIN, '--help']).ms);
  }
  results.startup = { help: median(help), node: median(bare), ratio: median(help) / median(bare), goal: '≤ 1.5×' };
  log(`start-up: vh-deploy --help ${fmt(results.startup.help)} vs node -e 0 ${fmt(results.startup.node)}`);

  if (process.env.BENCH_ONLY !== 'helm') {
    // ---- 2 + 3. apply, and apply + ready ---------------------------------------------------
    const dir = mkdtempSync(join(tmpdir(), 'vh-bench-'));
    const apply = { vh: [], kubectl: [] }, full = { vh: [], kubectl: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const mode of ['apply', 'full']) {
        const nsV = `bench-v-${rand()}`, nsK = `bench-k-${rand()}`;
        created.push(nsV, nsK);
        // kubectl gets the very same manifests, secrets included (file mode 0600, removed below).
        const file = join(dir, `${nsK}.yaml`);
        const rendered = timeRun(process.execPath, [BIN, 'render', 'self-hosted', '-n', nsK, '--domain', 'posthog.bench.example.com', '--insecure-http', '--show-secrets']).out;
        writeFileSync(file, rendered, { mode: 0o600 });
        const vhArgs = [BIN, 'self-hosted', '-n', nsV, '--yes', '--domain', 'posthog.bench.example.com', '--insecure-http', '--timeout', '3m', ...(mode === 'apply' ? ['--no-wait'] : [])];
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
      const { modelRouterStack } = await import(join(ROOT, 'dist/stacks/model-router/index.js'));
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
    results.peakRssMb = { value: peakRss(process.execPath, [BIN, 'self-hosted', '-n', nsR, '--yes', '--domain', 'posthog.bench.example.com', '--insecure-http'], env), goal: '< 150 MB' };
  }

  // ---- 7. Helm v4 as the peer, directly and at a 50 ms round trip -----------------------
  {
    settle([...created]); // what the sections above left
    const HELM = execFileSync('bash', [join(ROOT, 'scripts/build-helm.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
    helmDir = mkdtempSync(join(tmpdir(), 'vh-bench-helm-'));
    // Helm's own state in a throwaway home, not the user's.
    const helmEnv = { HELM_CACHE_HOME: join(helmDir, 'cache'), HELM_CONFIG_HOME: join(helmDir, 'config'), HELM_DATA_HOME: join(helmDir, 'data') };
    const helmVersion = execFileSync(HELM, ['version', '--short'], { encoding: 'utf8', env: { ...process.env, ...helmEnv } }).trim();
    const MR_IMAGE = 'registry.example.com/model-router:1.4.2';
    const BAD_IMAGE = 'e2e.invalid/fail-imagepull:1.0.0'; // the kwok stage answers ImagePullBackOff
    const stacks = {
      'self-hosted': { args: (ns) => ['self-hosted', '-n', ns, '--domain', 'posthog.bench.example.com', '--insecure-http'], env: {} },
      'model-router': {
        // --posthog-host + key: the render then holds the connection objects too (self-contained chart)
        args: (ns, image = MR_IMAGE) => ['model-router', '-n', ns, '--image', image, '--db-host', 'pg.data.svc', '--db-user', 'router', '--redis-addr', 'redis.data.svc:6379', '--posthog-host', 'https://eu.i.posthog.com'],
        env: { VH_DEPLOY_DB_PASSWORD: 'bench-db-pw', VH_DEPLOY_POSTHOG_API_KEY: 'phc_benchBENCHbenchBENCH0000', VH_DEPLOY_OPENAI_API_KEY: 'sk-benchopenaikeyopenaikey0000' },
      },
    };
    /** A chart whose one template is exactly the rendered stack, secrets and Namespace included.
     *  Helm stores its release record in the namespace before it applies anything, hence
     *  `install --create-namespace`; it then adopts the chart's Namespace object (Helm 4). */
    function chartFor(stack, ns, image) {
      const s = stacks[stack];
      const rendered = timeRun(process.execPath, [BIN, 'render', ...s.args(ns, image), '--show-secrets'], s.env).out;
      if (rendered.includes('{{')) throw new Error('rendered manifests contain {{ — Helm would read it as a template');
      const dir = join(helmDir, ns);
      mkdirSync(join(dir, 'templates'), { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: bench-${stack}\nversion: 0.1.0\n`);
      writeFileSync(join(dir, 'templates/stack.yaml'), rendered, { mode: 0o600 });
      return dir;
    }
    const helmArgs = (verb, ns, chart, timeout) => [verb, ns, chart, '-n', ns, ...(verb === 'install' ? ['--create-namespace'] : []), '--wait', '--wait-for-jobs', '--timeout', timeout];

    const rtMedian = (rts) => (rts.length ? { requests: median(rts.map((x) => x.turns)), sequential: median(rts.map((x) => x.sequential)), connections: median(rts.map((x) => x.connections)) } : undefined);
    async function peerRows(label, kubeconfig, proxy) {
      const vhEnv = (s) => ({ KUBECONFIG: kubeconfig, CI: 'true', ...s.env });
      const hEnv = { KUBECONFIG: kubeconfig, ...helmEnv };
      /** Runs fn; through the proxy also returns the round trips it counted meanwhile. */
      const counted = async (fn) => {
        if (!proxy) return { ...fn(), rt: undefined };
        await proxy.ask('reset');
        const res = fn();
        return { ...res, rt: await proxy.ask('stats') };
      };
      const out = {};
      const rowNs = [];
      for (const stack of Object.keys(stacks)) {
        const s = stacks[stack];
        const t = { vh: [], helm: [], vhNoop: [], helmNoop: [] };
        const rts = { vh: [], helm: [], vhNoop: [], helmNoop: [] };
        for (let i = 0; i < RUNS; i++) {
          const sample = await stable(`${label} ${stack} #${i + 1}`, async () => {
            const tag = stack === 'self-hosted' ? 'sh' : 'mr';
            const nsV = `bench-${tag}-v-${rand()}`, nsH = `bench-${tag}-h-${rand()}`;
            created.push(nsV, nsH);
            rowNs.push(nsV, nsH);
            const chart = chartFor(stack, nsH);
            const vhRun = () => timeRun(process.execPath, [BIN, ...s.args(nsV), '--yes', '--timeout', '3m'], vhEnv(s));
            // Alternate who goes first, so a busy moment of the shared machine favours neither.
            const order = i % 2 ? ['helm', 'vh'] : ['vh', 'helm'];
            const got = {};
            for (const phase of ['first', 'again']) {
              for (const who of order) {
                got[phase === 'first' ? who : `${who}Noop`] = await counted(who === 'helm'
                  ? () => timeRun(HELM, helmArgs(phase === 'first' ? 'install' : 'upgrade', nsH, chart, '3m'), hEnv)
                  : vhRun);
              }
            }
            return got;
          });
          for (const [key, { ms, rt }] of Object.entries(sample)) {
            t[key].push(ms);
            if (rt) rts[key].push(rt);
          }
          log(`${label} ${stack} #${i + 1}: deploy vh-deploy ${fmt(t.vh.at(-1))} / helm install ${fmt(t.helm.at(-1))}; ` +
            `again: vh-deploy ${fmt(t.vhNoop.at(-1))} / helm upgrade ${fmt(t.helmNoop.at(-1))}`);
        }
        settle(rowNs.splice(0));
        out[stack] = {
          deploy: { vh: median(t.vh), helm: median(t.helm) },
          noop: { vh: median(t.vhNoop), helm: median(t.helmNoop) },
          roundTrips: Object.fromEntries(Object.entries(rts).map(([k, v]) => [k, rtMedian(v)])),
          samples: { vh: t.vh, helm: t.helm, vhNoop: t.vhNoop, helmNoop: t.helmNoop },
        };
      }
      // Broken image: vh-deploy fails on the pod's ImagePullBackOff; Helm's --wait has no
      // such rule and waits out its timeout, so its few samples differ by well under 1 %.
      const s = stacks['model-router'];
      const vhFail = [], helmFail = [], vhFailRt = [];
      for (let i = 0; i < RUNS; i++) {
        const { ms, rt } = await stable(`${label} broken image, vh-deploy #${i + 1}`, () => {
          const ns = `bench-bad-v-${rand()}`;
          created.push(ns);
          rowNs.push(ns);
          return counted(() => timeRun(process.execPath, [BIN, ...s.args(ns, BAD_IMAGE), '--yes', '--timeout', '90s'], vhEnv(s), { fail: true }));
        });
        vhFail.push(ms);
        if (rt) vhFailRt.push(rt);
      }
      for (let i = 0; i < HELM_FAIL_RUNS; i++) {
        helmFail.push(await stable(`${label} broken image, helm #${i + 1}`, () => {
          const ns = `bench-bad-h-${rand()}`;
          created.push(ns);
          rowNs.push(ns);
          return timeRun(HELM, helmArgs('install', ns, chartFor('model-router', ns, BAD_IMAGE), '90s'), hEnv, { fail: true }).ms;
        }));
      }
      settle(rowNs.splice(0));
      out.broken = { vh: median(vhFail), helm: median(helmFail), helmSamples: helmFail.length, samples: { vh: vhFail, helm: helmFail }, roundTrips: { vh: rtMedian(vhFailRt) } };
      log(`${label} broken image: vh-deploy ${fmt(out.broken.vh)} / helm ${fmt(out.broken.helm)}`);
      return out;
    }

    const direct = await peerRows('loopback', KUBECONFIG);
    // The same rows through the delaying proxy, with a copy of the kubeconfig pointed at it.
    proxy = await startProxy(info.server, DELAY_MS);
    const slowKc = join(helmDir, 'delayed.kubeconfig');
    const kcText = readFileSync(KUBECONFIG, 'utf8');
    if (!kcText.includes(info.server)) throw new Error(`kubeconfig does not name ${info.server}`);
    writeFileSync(slowKc, kcText.replaceAll(info.server, `https://127.0.0.1:${proxy.port}`), { mode: 0o600 });
    const delayed = await peerRows(`+${2 * DELAY_MS} ms RTT`, slowKc, proxy);
    results.helm = { version: helmVersion, runs: RUNS, rttMs: 2 * DELAY_MS, direct, delayed };
  }
} finally {
  proxy?.stop();
  if (helmDir) rmSync(helmDir, { recursive: true, force: true });
  if (created.length) spawnSync(KUBECTL, ['delete', 'namespace', '--wait=false', '--ignore-not-found', ...created], { env: { ...process.env, ...env }, stdio: 'ignore' });
}

const r = results;
const row = (...cells) => `| ${cells.join(' | ')} |`;
const x = (v) => `${v.toFixed(v < 0.1 ? 3 : 2)}×`;
const tables = [];
if (r.apply) {
  tables.push([
    '| measure | vh-deploy | baseline | ratio / value | goal |',
    '|---|---|---|---|---|',
    row('`--help` vs `node -e 0`', fmt(r.startup.help), fmt(r.startup.node), x(r.startup.ratio), r.startup.goal),
    row('apply self-hosted (`--no-wait`) vs `kubectl apply --server-side`', fmt(r.apply.vh), fmt(r.apply.kubectl), x(r.apply.ratio), r.apply.goal),
    row('apply + ready vs kubectl apply + rollout status/wait', fmt(r.applyAndReady.vh), fmt(r.applyAndReady.kubectl), x(r.applyAndReady.ratio), '—'),
    row('last pod Ready → reported ready (median)', fmt(r.readyLatency.median), '—', `${r.readyLatency.samples} samples`, r.readyLatency.goal),
    row('peak RSS, full self-hosted deploy', `${r.peakRssMb.value.toFixed(0)} MB`, '—', '—', r.peakRssMb.goal),
    row(`apply ${r.scaling[10].objects} objects (10× model-router) vs ${r.scaling[1].objects} (1×)`, fmt(r.scaling[10].ms), fmt(r.scaling[1].ms), `${x(r.scaling.ratio10)} (5×: ${fmt(r.scaling[5].ms)})`, r.scaling.goal),
    row(`apply ${r.scaling[10].objects} objects: in-process engine vs \`kubectl apply --server-side\` (context)`, fmt(r.scaling[10].ms), fmt(r.scaling.kubectl10), x(r.scaling[10].ms / r.scaling.kubectl10), '—'),
  ].join('\n'));
}
if (r.helm) {
  const { direct: d, delayed: l, rttMs } = r.helm;
  const met = (ok) => (ok ? '✓' : '✗');
  const peer = (name, pick, goal) => {
    const a = pick(d), b = pick(l);
    const ra = a.vh / a.helm, rb = b.vh / b.helm;
    return row(name, fmt(a.vh), fmt(a.helm), x(ra), fmt(b.vh), fmt(b.helm), x(rb), `≤ ${goal}×`, `${met(ra <= goal)} / ${met(rb <= goal)}`);
  };
  const su = r.startup;
  const mrNoop = l['model-router'].noop.vh;
  tables.push([
    `vh-deploy vs Helm ${r.helm.version}, medians of ${r.helm.runs} (Helm broken image: ${d.broken.helmSamples} / ${l.broken.helmSamples}); right: through a proxy adding ${rttMs} ms per round trip`,
    '',
    `| figure | vh-deploy | helm | ratio | vh-deploy @${rttMs} ms | helm @${rttMs} ms | ratio @${rttMs} ms | goal | met (loopback / ${rttMs} ms) |`,
    '|---|---|---|---|---|---|---|---|---|',
    peer('self-hosted, deploy to ready (`helm install --wait --wait-for-jobs`)', (m) => m['self-hosted'].deploy, 0.8),
    peer('model-router, deploy to ready', (m) => m['model-router'].deploy, 0.8),
    peer('self-hosted, second run, nothing changed (`helm upgrade`)', (m) => m['self-hosted'].noop, 0.4),
    peer('model-router, second run, nothing changed', (m) => m['model-router'].noop, 0.4),
    peer('broken image, time to a failed exit (helm `--timeout 90s`)', (m) => m.broken, 0.02),
    row('`vh-deploy --help` / `node -e 0`', fmt(su.help), fmt(su.node), x(su.ratio), '(no API call)', '', '', '≤ 1.5×', met(su.ratio <= 1.5)),
    row(`model-router second run at ${rttMs} ms, health checks included`, '', '', '', fmt(mrNoop), '', '', '≤ 1000 ms', met(mrNoop <= 1000)),
  ].join('\n'));
  // Round trips, counted by the proxy (scripts/delay-proxy.mjs): vh-deploy speaks HTTP/1.1
  // on a few keep-alive connections, so a turn is a request (or a TLS handshake); Helm
  // multiplexes HTTP/2 on one connection, so parallel requests merge into one turn and only
  // the sequential count compares.
  const rtRow = (name, vh, helm) => row(name, vh?.requests ?? '—', vh?.sequential ?? '—', helm?.sequential ?? '—');
  const sh = l['self-hosted'].roundTrips, mr = l['model-router'].roundTrips;
  tables.push([
    `Round trips at ${rttMs} ms, medians, counted by the delaying proxy`,
    '',
    '| run | vh-deploy requests | vh-deploy sequential round trips | helm sequential round trips |',
    '|---|---|---|---|',
    rtRow('self-hosted deploy (helm install)', sh.vh, sh.helm),
    rtRow('self-hosted second run (helm upgrade)', sh.vhNoop, sh.helmNoop),
    rtRow('model-router deploy (helm install)', mr.vh, mr.helm),
    rtRow('model-router second run (helm upgrade)', mr.vhNoop, mr.helmNoop),
    rtRow('broken image, vh-deploy to its failed exit', l.broken.roundTrips.vh, undefined),
  ].join('\n'));
}
// The machine is shared (other e2e runs): say how busy it was, next to the figures.
results.loadavg = { start: LOAD_START, end: loadavg().map((l) => Number(l.toFixed(2))) };
results.controlPlaneRestarted = cpPids() !== PIDS_START;
if (results.controlPlaneRestarted) tables.push('WARNING: a control-plane component restarted during the bench (a fault test on the shared cluster?): run it again.');
process.stdout.write(`${tables.join('\n\n')}\n\nload average (1/5/15 min) at start ${LOAD_START.join(' ')}, at end ${results.loadavg.end.join(' ')}\n`);
writeFileSync(join(ROOT, '.cluster/bench.json'), JSON.stringify(results, null, 2));
