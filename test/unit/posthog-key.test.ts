// `--check-key` against a PostHog stand-in on loopback: the real fetch, real HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, OperationError } from '../../src/errors.js';
import { assertKeyCheck, checkProjectKey } from '../../src/stacks/posthog-key.js';

const GOOD = 'phc_goodGOODgoodGOOD0123456789';
let server: Server;
let host: string;
const seen: Array<{ url: string; body: Record<string, unknown> }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      seen.push({ url: req.url ?? '', body });
      if (req.url === '/flags?v=2' && req.method === 'POST') {
        if (body.api_key === GOOD) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ flags: {}, errorsWhileComputingFlags: false, requestId: 'x' }));
        return res.writeHead(401, { 'content-type': 'text/plain' }).end('The provided API key is invalid or has expired.');
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('checkProjectKey', () => {
  it('a good key: POST /flags?v=2 with the key in the body only', async () => {
    const r = await checkProjectKey(host, GOOD);
    expect(r.ok).toBe(true);
    const last = seen.at(-1)!;
    expect(last.url).toBe('/flags?v=2');
    expect(last.body).toEqual({ api_key: GOOD, distinct_id: 'vh-deploy-healthcheck' });
  });
  it('a rejected key is bad input (exit 2) and the message never contains the key', async () => {
    const bad = 'phc_badBADbadBADbad0123456789';
    const r = await checkProjectKey(host, bad);
    expect(r).toMatchObject({ ok: false, reason: 'rejected' });
    expect(() => assertKeyCheck(r)).toThrow(InputError);
    try {
      assertKeyCheck(r);
    } catch (e) {
      expect((e as Error).message).toMatch(/^--posthog-api-key: PostHog at http:\/\/127\.0\.0\.1:\d+ rejected the key \(HTTP 401\)/);
      expect((e as Error).message).not.toContain(bad);
    }
  });
  it('a host that is not PostHog, or not there, is unreachable (exit 1)', async () => {
    const notPosthog = await checkProjectKey(`${host}/elsewhere`, GOOD);
    expect(notPosthog).toMatchObject({ ok: false, reason: 'unreachable' });
    expect(() => assertKeyCheck(notPosthog)).toThrow(OperationError);
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const closed = await checkProjectKey(`http://127.0.0.1:${port}`, GOOD, { timeoutMs: 2000 });
    expect(closed).toMatchObject({ ok: false, reason: 'unreachable' });
    expect((closed as { detail: string }).detail).toMatch(/ECONNREFUSED/);
  });
});
