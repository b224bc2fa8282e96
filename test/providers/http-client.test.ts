// The HTTP client every provider goes through: https except on loopback, retries with backoff on
// 5xx / 429 / network errors, Retry-After and rate-limit headers, timeouts, concurrency limits,
// no redirects, and one audit line per call.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { KeywardenError } from '../../src/errors.js';
import { MemoryAuditLog } from '../../src/providers/audit-log.js';
import { backoffDelay, parseRetryAfter, rateLimitResetAt } from '../../src/providers/backoff.js';
import { checkEndpointOverrides, endpointProblem, isLoopbackHost } from '../../src/providers/endpoint.js';
import { ProviderCallError, ProviderClient, type ProviderClientOptions } from '../../src/providers/http-client.js';
import type { Credential, Provider } from '../../src/providers/types.js';
import { startFake, type FakeProvider } from '../support/fake-providers/server.js';
import { credentials } from './support.js';

const c = credentials('http-client-test');

const testProvider: Provider = {
  id: 'github',
  name: 'GitHub',
  defaultEndpoint: 'https://api.github.com',
  rules: {},
  credentialsNeeded: {},
  verify: async () => ({ status: 'unknown', evidence: {} }),
};

function cred(): Credential {
  return { ruleId: 'github-pat', secret: `ghp_${c.alnum(36)}`, parts: {}, fingerprint: 'fp-1', secretHash: 'h-1' };
}

function client(fake: FakeProvider, opts: Partial<ProviderClientOptions> = {}) {
  const audit = new MemoryAuditLog();
  const cl = new ProviderClient({
    env: { KEYWARDEN_GITHUB_ENDPOINT: fake.url },
    audit,
    timeoutMs: 1000,
    baseDelayMs: 5,
    maxDelayMs: 20,
    maxWaitMs: 3000,
    ...opts,
  });
  return { cl, audit };
}

describe('endpoints', () => {
  it('accepts https anywhere and plain http only on loopback', () => {
    expect(endpointProblem('https://api.example.com')).toBeUndefined();
    for (const ok of ['http://127.0.0.1:8080', 'http://127.45.6.7', 'http://localhost:9', 'http://[::1]:8080']) expect(endpointProblem(ok)).toBeUndefined();
    for (const bad of ['http://example.com', 'http://10.0.0.1:8080', 'http://128.0.0.1', 'http://[::2]', 'http://localhost.evil.com', 'ftp://127.0.0.1']) {
      expect(endpointProblem(bad), bad).toBeDefined();
    }
    expect(endpointProblem('https://user:pw@api.example.com')).toMatch(/credentials in the URL/);
    expect(isLoopbackHost('[::1]')).toBe(true);
  });

  it('rejects a non-loopback http override before any call, naming the variable', () => {
    let err: unknown;
    try {
      checkEndpointOverrides(['github', 'gitlab'], { KEYWARDEN_GITLAB_ENDPOINT: 'http://gitlab.internal' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KeywardenError);
    expect((err as KeywardenError).message).toMatch(/^KEYWARDEN_GITLAB_ENDPOINT: plain http is only allowed for loopback/);
  });
});

describe('backoff arithmetic', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('reads a spent quota from GitHub-style (epoch) and IETF-style (delta) headers', () => {
    const now = 1_900_000_000_000;
    expect(rateLimitResetAt(new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000060' }), now)).toBe(1_900_000_060_000);
    expect(rateLimitResetAt(new Headers({ 'ratelimit-remaining': '0', 'ratelimit-reset': '30' }), now)).toBe(now + 30_000);
    expect(rateLimitResetAt(new Headers({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '1900000060' }), now)).toBeUndefined();
  });

  it('doubles the step per attempt, with jitter inside [step/2, step], up to the cap', () => {
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(400);
    expect(backoffDelay(10, 100, 1000, () => 1)).toBe(1000);
  });
});

describe('ProviderClient', () => {
  it('retries 5xx with backoff, then returns the success; each attempt is audited', async () => {
    const fake = await startFake(() => ({ status: 200, body: { login: 'x' } }));
    try {
      fake.inject({ status: 503, body: 'busy' }, { status: 502, body: 'bad gateway' });
      const { cl, audit } = client(fake);
      const res = await cl.http(testProvider, cred(), 'verify').request({ method: 'GET', path: '/user' });
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ login: 'x' });
      expect(fake.requests).toHaveLength(3);
      expect(audit.entries.map((e) => [e.attempt, e.httpStatus, e.result])).toEqual([
        [1, 503, 'retry'],
        [2, 502, 'retry'],
        [3, 200, 'ok'],
      ]);
      expect(audit.entries[0]!.detail).toMatch(/^HTTP 503: retrying in \d+ ms$/);
    } finally {
      await fake.close();
    }
  });

  it('gives up after maxRetries and hands back the last 5xx', async () => {
    const fake = await startFake(() => ({ status: 500, body: 'down' }));
    try {
      const { cl } = client(fake, { maxRetries: 2 });
      const res = await cl.http(testProvider, cred(), 'verify').request({ method: 'GET', path: '/user' });
      expect(res.status).toBe(500);
      expect(fake.requests).toHaveLength(3);
    } finally {
      await fake.close();
    }
  });

  it('waits as long as Retry-After says on a 429 (seconds and HTTP date)', async () => {
    const fake = await startFake(() => ({ status: 200, body: {} }));
    try {
      fake.inject({ status: 429, headers: { 'retry-after': '1' } }, { status: 429, headers: { 'retry-after': new Date(Date.now() + 3000).toUTCString() } });
      const { cl, audit } = client(fake);
      const res = await cl.http(testProvider, cred(), 'verify').request({ method: 'GET', path: '/user' });
      expect(res.status).toBe(200);
      expect(audit.entries[0]!.detail).toBe('rate limited: retrying in 1000 ms');
      const second = Number(/retrying in (\d+) ms/.exec(audit.entries[1]!.detail!)![1]);
      // an HTTP date has whole seconds: about 2 s are left after the first 1 s wait
      expect(second).toBeGreaterThan(0);
      expect(second).toBeLessThanOrEqual(3000);
    } finally {
      await fake.close();
    }
  });

  it('does not wait longer than maxWaitMs: a long Retry-After ends as a rate-limited response', async () => {
    const fake = await startFake(() => ({ status: 200, body: {} }));
    try {
      fake.inject({ status: 429, headers: { 'retry-after': '3600' } });
      const { cl, audit } = client(fake);
      const res = await cl.http(testProvider, cred(), 'verify').request({ method: 'GET', path: '/user' });
      expect(res.status).toBe(429);
      expect(res.rateLimited).toBe(true);
      expect(fake.requests).toHaveLength(1);
      expect(audit.entries[0]!.detail).toMatch(/wait 3600 s, more than the 3 s limit/);
    } finally {
      await fake.close();
    }
  });

  it('treats a GitHub 403 with x-ratelimit-remaining 0 as a rate limit and waits for the reset', async () => {
    const fake = await startFake(() => ({ status: 200, body: {} }));
    try {
      const reset = Math.ceil(Date.now() / 1000) + 1;
      fake.inject({ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, body: { message: 'API rate limit exceeded' } });
      const { cl, audit } = client(fake);
      const res = await cl.http(testProvider, cred(), 'verify').request({ method: 'GET', path: '/user' });
      expect(res.status).toBe(200);
      expect(audit.entries[0]).toMatchObject({ httpStatus: 403, result: 'retry' });
      expect(audit.entries[0]!.detail).toMatch(/^rate limited: retrying in \d+ ms$/);
    } finally {
      await fake.close();
    }
  });

  it('a spent quota holds back other calls to the same provider until it resets', async () => {
    const fake = await startFake(() => ({ status: 200, body: {} }));
    try {
      fake.inject({ status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) } });
      const { cl } = client(fake);
      const http = cl.http(testProvider, cred(), 'verify');
      expect((await http.request({ method: 'GET', path: '/user' })).status).toBe(200);
      await expect(http.request({ method: 'GET', path: '/user' })).rejects.toThrow(/GitHub rate limit reached; it resets in \d+ s/);
      expect(fake.requests).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it('times out a hanging provider, retries, and reports the timeout', async () => {
    const fake = await startFake(() => ({ status: 200, body: {}, hang: true }));
    try {
      const { cl, audit } = client(fake, { timeoutMs: 100, maxRetries: 1 });
      await expect(cl.http(testProvider, cred(), 'verify').request({ method: 'GET', path: '/user' })).rejects.toThrow(new ProviderCallError('timed out after 100 ms'));
      expect(fake.requests).toHaveLength(2);
      expect(audit.entries.map((e) => e.result)).toEqual(['retry', 'error']);
    } finally {
      await fake.close();
    }
  });

  it('retries network errors (connection refused) and then fails with the error code', async () => {
    // a port nobody listens on: bind, note the port, close
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const audit = new MemoryAuditLog();
    const cl = new ProviderClient({ env: { KEYWARDEN_GITHUB_ENDPOINT: `http://127.0.0.1:${port}` }, audit, baseDelayMs: 5, maxDelayMs: 10, maxRetries: 2 });
    await expect(cl.http(testProvider, cred(), 'verify').request({ method: 'GET', path: '/user' })).rejects.toThrow(/network error: ECONNREFUSED/);
    expect(audit.entries).toHaveLength(3);
  });

  it('returns a malformed JSON body as text; json() gives undefined', async () => {
    const fake = await startFake(() => ({ status: 200, body: '{"login": "x", oops' }));
    try {
      const { cl } = client(fake);
      const res = await cl.http(testProvider, cred(), 'verify').request({ method: 'GET', path: '/user' });
      expect(res.text).toBe('{"login": "x", oops');
      expect(res.json()).toBeUndefined();
    } finally {
      await fake.close();
    }
  });

  it('never follows a redirect (it could carry the credential to another host)', async () => {
    const fake = await startFake((req) => (req.path === '/user' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200, body: {} }));
    try {
      const { cl } = client(fake);
      const res = await cl.http(testProvider, cred(), 'verify').request({ method: 'GET', path: '/user', headers: { authorization: 'Bearer x' } });
      expect(res.status).toBe(302);
      expect(fake.requests.map((r) => r.path)).toEqual(['/user']);
    } finally {
      await fake.close();
    }
  });

  it('keeps at most perProviderConcurrency calls in flight to one provider', async () => {
    const fake = await startFake(() => ({ status: 200, body: {} }));
    try {
      fake.setLatency(30);
      const { cl } = client(fake, { perProviderConcurrency: 2 });
      await Promise.all(Array.from({ length: 8 }, () => cl.http(testProvider, cred(), 'verify').request({ method: 'GET', path: '/user' })));
      expect(fake.requests).toHaveLength(8);
      expect(fake.maxInFlight()).toBe(2);
    } finally {
      await fake.close();
    }
  });

  it('refuses a non-loopback http endpoint at call time too', async () => {
    const audit = new MemoryAuditLog();
    const cl = new ProviderClient({ env: { KEYWARDEN_GITHUB_ENDPOINT: 'http://api.example.com' }, audit });
    expect(() => cl.http(testProvider, cred(), 'verify')).toThrow(/plain http is only allowed for loopback/);
    expect(audit.entries).toHaveLength(0);
  });

  it('puts no secret into the audit log, even when the path carries one', async () => {
    const fake = await startFake(() => ({ status: 200, body: {} }));
    try {
      const { cl, audit } = client(fake);
      const k = cred();
      await cl.http(testProvider, k, 'verify').request({ method: 'GET', path: `/bot${k.secret}/getMe`, headers: { authorization: `Bearer ${k.secret}` } });
      expect(fake.requests[0]!.path).toContain(k.secret);
      expect(JSON.stringify(audit.entries)).not.toContain(k.secret);
      expect(audit.entries[0]!.endpoint).toBe(`GET ${fake.url}/bot<redacted>/getMe`);
      expect(JSON.stringify(audit.entries)).not.toMatch(/authorization/i);
    } finally {
      await fake.close();
    }
  });
});
