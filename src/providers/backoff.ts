// When to try again: Retry-After first, then provider rate-limit headers, else exponential backoff.

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP-date; undefined if absent or bad. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * When a provider says its quota is spent (remaining 0), the time it resets, as epoch ms.
 * GitHub, GitLab and Discord send x-ratelimit-* / ratelimit-* headers; reset is either epoch
 * seconds or seconds from now (IETF draft), told apart by size.
 */
export function rateLimitResetAt(headers: Headers, now: number): number | undefined {
  const remaining = headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining');
  if (remaining === null || Number(remaining.trim()) > 0 || remaining.trim() === '') return undefined;
  const after = headers.get('x-ratelimit-reset-after');
  if (after !== null && /^\d+(\.\d+)?$/.test(after.trim())) return now + Math.round(Number(after) * 1000);
  const reset = headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset');
  if (reset === null || !/^\d+(\.\d+)?$/.test(reset.trim())) return undefined;
  const n = Number(reset);
  return n > 1e9 ? Math.round(n * 1000) : now + Math.round(n * 1000);
}

/** Exponential backoff with "equal jitter": half the step fixed, half random, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(step / 2 + random() * (step / 2));
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}
