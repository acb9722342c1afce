// Kubeconfigs with bad credentials for the e2e proof suites, made with openssl: a client
// certificate from another CA, an expired certificate from the cluster's own CA, a bogus
// bearer token, a CA that does not match the server's certificate.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dump, load } from 'js-yaml';

interface KubeconfigDoc {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  users: Array<{ name: string; user: Record<string, unknown> }>;
  contexts: Array<{ name: string; context: Record<string, unknown> }>;
  'current-context'?: string;
  [k: string]: unknown;
}

export function readKubeconfig(file: string): KubeconfigDoc {
  return load(readFileSync(file, 'utf8')) as KubeconfigDoc;
}

/** The harness keeps its CA in .cluster/pki next to the kubeconfig. */
export function pkiDirOf(kubeconfig: string): string {
  return join(dirname(kubeconfig), 'pki');
}

const b64 = (file: string) => readFileSync(file).toString('base64');

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(dir: string, name: string): string {
  const key = join(dir, `${name}.key`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], dir);
  return key;
}

/** A fresh self-signed CA in `dir`. */
export function makeCa(dir: string, name = 'other-ca'): { crt: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const key = newKey(dir, name);
  const crt = join(dir, `${name}.crt`);
  openssl(['req', '-x509', '-new', '-key', key, '-subj', `/CN=${name}`, '-days', '2', '-out', crt, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'], dir);
  return { crt, key };
}

/**
 * A client certificate for `subject` signed by `ca`, valid from `start` to `end`
 * (openssl ca dates, YYYYMMDDHHMMSSZ), so an already expired one can be made.
 */
export function clientCert(dir: string, name: string, ca: { crt: string; key: string }, subject: string, dates?: { start: string; end: string }, server = false): { crt: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const key = newKey(dir, name);
  const csr = join(dir, `${name}.csr`);
  const crt = join(dir, `${name}.crt`);
  openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr], dir);
  const db = join(dir, `${name}-ca`);
  mkdirSync(db, { recursive: true });
  writeFileSync(join(db, 'index.txt'), '');
  writeFileSync(join(db, 'serial'), `${Date.now().toString(16).padStart(16, '0')}\n`);
  writeFileSync(
    join(db, 'ca.cnf'),
    [
      '[ ca ]',
      'default_ca = d',
      '[ d ]',
      `database = ${join(db, 'index.txt')}`,
      `new_certs_dir = ${db}`,
      `serial = ${join(db, 'serial')}`,
      'default_md = sha256',
      'policy = p',
      'unique_subject = no',
      'copy_extensions = none',
      'default_days = 2',
      '[ p ]',
      'organizationName = optional',
      'commonName = supplied',
      '[ ext ]',
      'basicConstraints = CA:FALSE',
      'keyUsage = critical,digitalSignature',
      server ? 'extendedKeyUsage = serverAuth' : 'extendedKeyUsage = clientAuth',
      ...(server ? ['subjectAltName = IP:127.0.0.1'] : []),
      '',
    ].join('\n'),
  );
  openssl(['ca', '-batch', '-config', join(db, 'ca.cnf'), '-cert', ca.crt, '-keyfile', ca.key, '-in', csr, '-out', crt, '-extensions', 'ext', '-notext', ...(dates ? ['-startdate', dates.start, '-enddate', dates.end] : [])], dir);
  return { crt, key };
}

/**
 * A copy of the admin kubeconfig with its user (or cluster CA) replaced. `user` is a
 * kubeconfig user entry, e.g. `{ token: 'x' }` or client-certificate-data/-key-data.
 */
export function variantKubeconfig(base: string, file: string, o: { user?: Record<string, unknown>; caData?: string; contextName?: string }): string {
  const doc = readKubeconfig(base);
  if (o.user) doc.users[0]!.user = o.user;
  if (o.caData) doc.clusters[0]!.cluster['certificate-authority-data'] = o.caData;
  if (o.contextName) {
    doc.contexts[0]!.name = o.contextName;
    doc['current-context'] = o.contextName;
  }
  writeFileSync(file, dump(doc), { mode: 0o600 });
  return file;
}

/** A TLS server certificate for 127.0.0.1 signed by `ca`. */
export function serverCert(dir: string, name: string, ca: { crt: string; key: string }): { crt: string; key: string } {
  return clientCert(dir, name, ca, `/CN=${name}`, undefined, true);
}

export function certUser(cert: { crt: string; key: string }): Record<string, unknown> {
  return { 'client-certificate-data': b64(cert.crt), 'client-key-data': b64(cert.key) };
}

export function caData(ca: { crt: string }): string {
  return b64(ca.crt);
}

/** Merges several kubeconfigs' first entries under new context names into one file. */
export function mergedKubeconfig(file: string, entries: Array<{ from: string; context: string }>, current: string): string {
  const docs = entries.map((e) => ({ e, doc: readKubeconfig(e.from) }));
  const out: KubeconfigDoc = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [], 'current-context': current };
  for (const { e, doc } of docs) {
    out.clusters.push({ name: `${e.context}-cluster`, cluster: doc.clusters[0]!.cluster });
    out.users.push({ name: `${e.context}-user`, user: doc.users[0]!.user });
    out.contexts.push({ name: e.context, context: { cluster: `${e.context}-cluster`, user: `${e.context}-user` } });
  }
  writeFileSync(file, dump(out), { mode: 0o600 });
  return file;
}
