#!/usr/bin/env node
// A TCP proxy that delays every chunk by a fixed time in each direction, so a client on
// this machine sees the API server as if it were remote: --delay 25 is a 50 ms round trip,
// what a laptop deploying to a cloud cluster typically sees. Bytes pass through unchanged
// (TLS stays end to end); it listens on loopback only. Used by `npm run bench`.
//
//   usage: node scripts/delay-proxy.mjs --connect 127.0.0.1:PORT [--delay 25] [--port-file F]
//
// It also counts round trips, for the bench. A "turn" is one request/response exchange on a
// connection: it opens when the client sends after the server last spoke (or first), and
// closes when the server's next bytes reach the proxy at least --delay after the request
// did (earlier bytes cannot be the answer: the request was still in flight). The TLS
// handshake is a turn too. Turns that overlap in time ran in parallel; the longest chain
// of turns each starting after the previous one ended is the number of sequential round
// trips on the critical path. When started with an IPC channel (child_process.fork), it
// answers 'reset' and 'stats' messages.
import net from 'node:net';
import fs from 'node:fs';

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const loopback = (h) => /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1' || h === 'localhost';
const m = /^(.+):(\d+)$/.exec(arg('--connect') ?? '');
if (!m) {
  console.error('delay-proxy: --connect HOST:PORT is required');
  process.exit(2);
}
const target = { host: m[1], port: Number(m[2]) };
// Loopback on both sides: this is a test tool for the local control plane, not a relay.
if (!loopback(target.host)) {
  console.error(`delay-proxy: refusing to forward to non-loopback address ${target.host}`);
  process.exit(2);
}
const delay = Number(arg('--delay') ?? 25);
if (!Number.isFinite(delay) || delay < 0 || delay > 10_000) {
  console.error(`delay-proxy: bad --delay ${arg('--delay')}`);
  process.exit(2);
}
const portFile = arg('--port-file');

let turns = []; // [start, end] in ms (performance.now), end = when the answer reaches the client
let connections = 0;
let bytes = 0;

// Timers of equal duration fire in creation order, so each direction keeps its byte order.
const later = (fn) => setTimeout(fn, delay);

const server = net.createServer({ noDelay: true }, (client) => {
  connections++;
  const upstream = net.connect({ ...target, noDelay: true });
  let open = null; // start of this connection's open turn
  client.on('data', (buf) => {
    bytes += buf.length;
    if (open === null) open = performance.now();
    later(() => upstream.destroyed || upstream.write(buf));
  });
  upstream.on('data', (buf) => {
    bytes += buf.length;
    const now = performance.now();
    if (open !== null && now - open >= delay) {
      turns.push([open, now + delay]);
      open = null;
    }
    later(() => client.destroyed || client.write(buf));
  });
  client.on('end', () => later(() => upstream.end()));
  upstream.on('end', () => later(() => client.end()));
  const close = () => later(() => {
    client.destroy();
    upstream.destroy();
  });
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});

/** Longest chain of turns in which each starts after the previous one ended (greedy by end). */
function sequential(ts) {
  let count = 0;
  let lastEnd = -Infinity;
  for (const [s, e] of [...ts].sort((a, b) => a[1] - b[1])) {
    if (s >= lastEnd) {
      count++;
      lastEnd = e;
    }
  }
  return count;
}

process.on('message', (msg) => {
  if (msg === 'reset') {
    turns = [];
    connections = 0;
    bytes = 0;
    process.send({ reset: true });
  } else if (msg === 'stats') {
    process.send({ turns: turns.length, sequential: sequential(turns), connections, bytes });
  }
});

server.on('error', (err) => {
  console.error(`delay-proxy: ${err.message}`);
  process.exit(1);
});
server.listen({ host: '127.0.0.1', port: Number(arg('--port') ?? 0) }, () => {
  const { port } = server.address();
  if (portFile) {
    fs.writeFileSync(`${portFile}.tmp`, String(port));
    fs.renameSync(`${portFile}.tmp`, portFile);
  }
  if (process.send) process.send({ port });
  console.error(`delay-proxy: 127.0.0.1:${port} -> ${target.host}:${target.port}, +${delay} ms each way`);
});
const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop); // the bench that forked us is gone
