// The one way providers reach the network: endpoint checks, timeouts, retries with backoff,
// Retry-After and rate-limit headers, a per-provider concurrency limit, and an audit line per call.
import { setTimeout as delay } from 'node:timers/promises';
import type { AuditSink } from './audit-log.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter, rateLimitResetAt } from './backoff.js';
import { assertSafeEndpoint, endpointEnvName, endpointOverride, joinUrl } from './endpoint.js';
import { Semaphore } from './semaphore.js';
import type { Credential, Provider, ProviderHttp, ProviderRequest, ProviderResponse } from './types.js';
import { toolInfo } from '../version.js';

export interface ProviderClientOptions {
  env: NodeJS.ProcessEnv;
  audit: AuditSink;
  /** Per attempt, headers and body included (default 10 s). */
  timeoutMs?: number;
  /** Retries after the first attempt, on network errors, timeouts, 429 and 5xx (default 3). */
  maxRetries?: number;
  /** First backoff step; it doubles per retry (default 500 ms), up to maxDelayMs (default 8 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The longest Retry-After or rate-limit reset worth waiting for (default 60 s); beyond it, give up. */
  maxWaitMs?: number;
  /** Calls in flight to one provider at once (default 4). */
  perProviderConcurrency?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
}

/** A call that got no HTTP response in the end (network error, timeout, refused wait). */
export class ProviderCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderCallError';
  }
}

/** Largest response body read; identity endpoints answer in a few KiB. */
const MAX_BODY = 1024 * 1024;
const PLACEHOLDER = '<redacted>';

export class ProviderClient {
  private readonly semaphores = new Map<string, Semaphore>();
  /** Per provider: no call before this time (epoch ms), set by 429s and spent quotas. */
  private readonly blockedUntil = new Map<string, number>();
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;

  constructor(readonly opts: ProviderClientOptions) {
    this.fetchFn = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
  }

  /** HTTP bound to one provider and one credential (for the audit log and secret scrubbing). */
  http(provider: Provider, cred: Credential, action: string): ProviderHttp {
    const override = endpointOverride(provider.id, this.opts.env);
    return {
      overridden: override !== undefined,
      request: (req) => this.request(provider, cred, action, override, req),
    };
  }

  private semaphore(providerId: string): Semaphore {
    let s = this.semaphores.get(providerId);
    if (!s) {
      s = new Semaphore(this.opts.perProviderConcurrency ?? 4);
      this.semaphores.set(providerId, s);
    }
    return s;
  }

  private async request(
    provider: Provider,
    cred: Credential,
    action: string,
    override: string | undefined,
    req: ProviderRequest,
  ): Promise<ProviderResponse> {
    const base = override ?? req.base ?? provider.defaultEndpoint;
    assertSafeEndpoint(base, override !== undefined ? endpointEnvName(provider.id) : `${provider.name} endpoint`);
    const url = joinUrl(base, req.path);
    const scrub = scrubber(cred);
    const endpoint = scrub(`${req.method} ${base.replace(/\/+$/, '')}${req.displayPath ?? req.path}`);
    const maxRetries = this.opts.maxRetries ?? 3;
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    const entry = { action, provider: provider.id, fingerprint: cred.fingerprint, secretHash: cred.secretHash, method: req.method, endpoint };

    for (let attempt = 0; ; attempt++) {
      await this.waitForQuota(provider);
      const started = this.now();
      let response: { status: number; headers: Headers; text: string } | undefined;
      let failure: string | undefined;
      const release = await this.semaphore(provider.id).acquire();
      try {
        response = await this.send(url, req, timeoutMs);
      } catch (err) {
        failure = describeFailure(err, timeoutMs);
        if (this.opts.signal?.aborted) throw new ProviderCallError('cancelled');
      } finally {
        release();
      }
      const now = this.now();
      const resetAt = response ? rateLimitResetAt(response.headers, now) : undefined;
      const retryAfter = response ? parseRetryAfter(response.headers.get('retry-after'), now) : undefined;
      if (resetAt !== undefined) this.block(provider.id, resetAt);
      if (response?.status === 429 && retryAfter !== undefined) this.block(provider.id, now + retryAfter);

      const rateLimited = response !== undefined && (response.status === 429 || (response.status === 403 && resetAt !== undefined));
      const retryable = failure !== undefined || rateLimited || (response !== undefined && isRetryableStatus(response.status));
      let wait: number | undefined;
      let detail = failure;
      if (retryable && attempt < maxRetries) {
        wait = retryAfter ?? (rateLimited && resetAt !== undefined ? Math.max(0, resetAt - now) : undefined);
        wait ??= backoffDelay(attempt, this.opts.baseDelayMs ?? 500, this.opts.maxDelayMs ?? 8_000, this.opts.random);
        if (wait > (this.opts.maxWaitMs ?? 60_000)) {
          detail = `${detail ? `${detail}; ` : ''}provider asks to wait ${Math.ceil(wait / 1000)} s, more than the ${Math.ceil((this.opts.maxWaitMs ?? 60_000) / 1000)} s limit`;
          wait = undefined;
        } else {
          detail = `${detail ? `${detail}; ` : ''}${rateLimited ? 'rate limited' : response ? `HTTP ${response.status}` : 'failed'}: retrying in ${wait} ms`;
        }
      }
      this.opts.audit.record({
        time: new Date(now).toISOString(),
        ...entry,
        attempt: attempt + 1,
        ...(response ? { httpStatus: response.status } : {}),
        result: wait !== undefined ? 'retry' : failure !== undefined ? 'error' : 'ok',
        ...(detail ? { detail: scrub(detail) } : {}),
        durationMs: now - started,
      });
      if (wait !== undefined) {
        await delay(wait, undefined, { signal: this.opts.signal }).catch(() => {
          throw new ProviderCallError('cancelled');
        });
        continue;
      }
      if (!response) throw new ProviderCallError(scrub(detail ?? 'request failed'));
      const { status, headers, text } = response;
      return {
        status,
        headers,
        text,
        endpoint,
        rateLimited,
        json: () => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            return undefined;
          }
        },
      };
    }
  }

  private block(providerId: string, until: number): void {
    this.blockedUntil.set(providerId, Math.max(this.blockedUntil.get(providerId) ?? 0, until));
  }

  /** Waits while the provider's quota is spent; refuses a wait longer than maxWaitMs. */
  private async waitForQuota(provider: Provider): Promise<void> {
    const until = this.blockedUntil.get(provider.id);
    if (until === undefined) return;
    const wait = until - this.now();
    if (wait <= 0) return;
    const max = this.opts.maxWaitMs ?? 60_000;
    if (wait > max) throw new ProviderCallError(`${provider.name} rate limit reached; it resets in ${Math.ceil(wait / 1000)} s, more than the ${Math.ceil(max / 1000)} s limit`);
    await delay(wait, undefined, { signal: this.opts.signal }).catch(() => {
      throw new ProviderCallError('cancelled');
    });
  }

  private async send(url: URL, req: ProviderRequest, timeoutMs: number): Promise<{ status: number; headers: Headers; text: string }> {
    let headers: Record<string, string> = { 'user-agent': `keywarden/${toolInfo().version}`, accept: 'application/json', ...req.headers };
    if (req.sign) headers = req.sign(url, { method: req.method, headers, body: req.body });
    // fetch sets these from the URL and body itself (same values the signature covered)
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'host' || name.toLowerCase() === 'content-length') delete headers[name];
    }
    const signals = [AbortSignal.timeout(timeoutMs), ...(this.opts.signal ? [this.opts.signal] : [])];
    const signal = AbortSignal.any(signals);
    // never follow redirects: they could carry the credential headers to another host
    const res = await this.fetchFn(url, { method: req.method, headers, body: req.body, redirect: 'manual', signal });
    return { status: res.status, headers: res.headers, text: await readCapped(res) };
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= MAX_BODY) break;
  }
  return Buffer.concat(chunks).toString('utf8', 0, Math.min(size, MAX_BODY));
}

/** A failure in words, without the URL (which can hold a token, as Telegram's does). */
function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (e?.name === 'AbortError') return 'cancelled';
  const code = e?.cause?.code ?? e?.code;
  return code ? `network error: ${code}` : 'network error';
}

/** Replaces every part of the credential wherever it shows up in a string bound for logs. */
function scrubber(cred: Credential): (s: string) => string {
  const secrets = [cred.secret, ...Object.values(cred.parts)].filter((s) => s.length >= 4);
  const encoded = secrets.flatMap((s) => [s, encodeURIComponent(s)]);
  return (s) => encoded.reduce((acc, secret) => acc.split(secret).join(PLACEHOLDER), s);
}
