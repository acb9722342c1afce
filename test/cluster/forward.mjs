#!/usr/bin/env node
// Byte-level TCP/unix-socket forwarder (no dependencies). Two of them carry the API
// server across network namespaces through a unix socket, with no network traffic:
//   in the namespace:  unix:$RUN/apiserver.sock      -> tcp:127.0.0.1:6443
//   in the host:       tcp:127.0.0.1:<port>          -> unix:$RUN/apiserver.sock
// usage: node forward.mjs --listen unix:PATH|tcp:127.0.0.1:PORT --connect unix:PATH|tcp:HOST:PORT
//        [--port-file FILE]   (writes the bound TCP port, useful with port 0)
import net from 'node:net';
import fs from 'node:fs';

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
function parse(spec, what) {
  if (!spec) throw new Error(`missing --${what}`);
  if (spec.startsWith('unix:')) return { path: spec.slice(5) };
  const m = /^tcp:(.+):(\d+)$/.exec(spec);
  if (!m) throw new Error(`bad --${what} ${spec}`);
  return { host: m[1], port: Number(m[2]) };
}

const listen = parse(arg('--listen'), 'listen');
const connect = parse(arg('--connect'), 'connect');
const portFile = arg('--port-file');

// Never listen on anything but loopback.
if (listen.host !== undefined && !/^127\.\d+\.\d+\.\d+$/.test(listen.host) && listen.host !== '::1') {
  console.error(`forward: refusing to listen on non-loopback address ${listen.host}`);
  process.exit(2);
}
if (listen.path) fs.rmSync(listen.path, { force: true });

// noDelay on both legs: with Nagle on, a small write that follows another (TLS records,
// HTTP/2 frames) waits for the peer's delayed ACK, adding ~40 ms stalls to some requests
// that a real cluster connection does not have (it would skew tests and benchmarks).
const server = net.createServer({ noDelay: true }, (client) => {
  const upstream = net.connect({ ...connect, noDelay: true });
  client.pipe(upstream);
  upstream.pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});
server.on('error', (err) => {
  console.error(`forward: ${err.message}`);
  process.exit(1);
});
server.listen(listen, () => {
  const addr = server.address();
  if (listen.path) fs.chmodSync(listen.path, 0o600);
  const where = typeof addr === 'string' ? addr : `${addr.address}:${addr.port}`;
  if (portFile && typeof addr === 'object') {
    fs.writeFileSync(`${portFile}.tmp`, String(addr.port));
    fs.renameSync(`${portFile}.tmp`, portFile);
  }
  console.error(`forward: listening on ${where}, forwarding to ${JSON.stringify(connect)}`);
});
const stop = () => process.exit(0); // open connections die with us
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
