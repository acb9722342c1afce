// How self-hosted PostHog is served. PostHog's login sets secure cookies when SITE_URL is
// https, so an Ingress without TLS behind an https SITE_URL makes login fail. There are
// three honest choices, and the user makes one (docs/compatibility.md, "TLS"):
//   --tls-issuer NAME   cert-manager issues the certificate (Secret posthog-tls);
//   --tls-secret NAME   an existing kubernetes.io/tls Secret (preflight checks it);
//   --insecure-http     no TLS at all: SITE_URL http://…, a warning in the summary.
// On a terminal the choice is asked for; otherwise no choice is exit 2 naming all three.
// Pure data and functions (no zod: --help loads the fields).
import type { Field } from '../../config/fields.js';
import type { SummaryRow } from '../stack.js';

export const TLS_CHOICES = ['issuer', 'secret', 'insecure-http'] as const;

export const TLS_FIELDS: Field[] = [
  { key: 'tlsSecret', valueName: 'name', description: 'an existing TLS Secret (type kubernetes.io/tls) in the namespace for the Ingress, instead of --tls-issuer', schema: (v) => v.dnsSubdomain('a Secret name') },
  {
    key: 'insecureHttp',
    boolean: true,
    description: 'serve PostHog over plain HTTP without TLS (SITE_URL http://…); its login cookies then travel unencrypted',
    schema: (v) => v.bool,
  },
  // Only asked on a terminal when none of the three flags is given; the answer then asks
  // for the issuer or Secret name. No flag of its own: the flags above are the choice.
  {
    key: 'tls',
    flagless: true,
    choices: TLS_CHOICES,
    description: 'how PostHog is served when no TLS flag is given: issuer (--tls-issuer), secret (--tls-secret) or insecure-http (--insecure-http)',
    schema: (v) => v.oneOf(TLS_CHOICES),
    prompt: {
      kind: 'select',
      message: 'PostHog needs HTTPS for its login cookies. How should it be served?',
      choices: [
        { value: 'issuer', name: 'HTTPS, certificate from a cert-manager ClusterIssuer (--tls-issuer)' },
        { value: 'secret', name: 'HTTPS with an existing kubernetes.io/tls Secret (--tls-secret)' },
        { value: 'insecure-http', name: 'plain HTTP, no TLS (--insecure-http; login cookies unencrypted)' },
      ],
    },
  },
];

/** Given alone, each drops what an earlier run recorded for the others (Stack.alternatives). */
export const TLS_ALTERNATIVES: ReadonlyArray<readonly string[]> = [['tlsIssuer'], ['tlsSecret'], ['insecureHttp', 'tls']];

const chosen = (v: Record<string, unknown>) => Boolean(v.tlsIssuer) || Boolean(v.tlsSecret) || v.insecureHttp === true;

/** The plain-HTTP choice, by flag or at the prompt. Pure. */
export const insecureHttp = (v: Record<string, unknown>) => v.insecureHttp === true || (!v.tlsIssuer && !v.tlsSecret && v.tls === 'insecure-http');

/** What must still be asked on a terminal: the choice, then the name it needs. Pure. */
export function tlsRequired(v: Record<string, unknown>, interactive: boolean): string[] {
  if (chosen(v) || !interactive) return [];
  if (v.tls === undefined) return ['tls'];
  return v.tls === 'issuer' ? ['tlsIssuer'] : v.tls === 'secret' ? ['tlsSecret'] : [];
}

/** One error line per problem (exit 2). Pure. */
export function tlsProblems(v: Record<string, unknown>): string[] {
  if (v.tlsIssuer && v.tlsSecret) return ['--tls-issuer and --tls-secret are alternatives (cert-manager writes its own Secret); give one'];
  if (v.insecureHttp === true && (v.tlsIssuer || v.tlsSecret)) return [`--insecure-http serves PostHog without TLS; leave it out, or leave out ${v.tlsIssuer ? '--tls-issuer' : '--tls-secret'}`];
  if (!chosen(v) && v.tls !== 'insecure-http') {
    return ['self-hosted: choose how PostHog is served (its login cookies need HTTPS): --tls-issuer NAME (a cert-manager ClusterIssuer issues the certificate), --tls-secret NAME (an existing kubernetes.io/tls Secret), or --insecure-http (plain HTTP, SITE_URL http://…)'];
  }
  return [];
}

/** Template data: SITE_URL and the Ingress's TLS Secret (none for plain HTTP). Pure. */
export function tlsData(v: Record<string, unknown>): { siteUrl: string; tlsSecretName?: string } {
  const domain = v.domain as string;
  if (insecureHttp(v)) return { siteUrl: `http://${domain}` };
  const tlsSecretName = v.tlsIssuer ? 'posthog-tls' : (v.tlsSecret as string | undefined);
  return { siteUrl: `https://${domain}`, ...(tlsSecretName && { tlsSecretName }) };
}

/** The summary's TLS row; plain HTTP is a warning. Pure. */
export function tlsSummary(v: Record<string, unknown>): SummaryRow {
  if (v.tlsIssuer) return ['TLS', `cert-manager issuer ${v.tlsIssuer as string} (Secret posthog-tls)`, 'tlsIssuer'];
  if (v.tlsSecret) return ['TLS', `existing Secret ${v.tlsSecret as string}`, 'tlsSecret'];
  return ['TLS', 'WARNING: none, plain HTTP (--insecure-http): PostHog\'s login cookies and API keys travel unencrypted', ['insecureHttp', 'tls']];
}
