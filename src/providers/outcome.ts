// Turning an identity endpoint's response into a verification status, the same way for every provider.
import type { ProviderResponse, VerifyOutcome } from './types.js';

export type Identity = Record<string, string | number | boolean | string[]>;

export interface OutcomeRules {
  /** Statuses that mean the key is not accepted (default 401). */
  invalid?: readonly number[];
  /** Statuses that mean live but without the permission this endpoint needs (default 403). */
  restricted?: readonly number[];
  /** Harmless identity facts from a successful response. */
  identity?: (res: ProviderResponse) => Identity | undefined;
}

/** 2xx live; `invalid` invalid; `restricted` live and restricted; rate limits and 5xx error; anything else unknown. */
export function outcomeOf(res: ProviderResponse, rules: OutcomeRules = {}): VerifyOutcome {
  const base = { endpoint: res.endpoint, httpStatus: res.status };
  if (res.rateLimited) return { status: 'error', evidence: { ...base, reason: 'rate limited by the provider; try again later' } };
  if (res.status >= 200 && res.status < 300) {
    const identity = rules.identity ? safeIdentity(() => rules.identity!(res)) : undefined;
    return { status: 'live', evidence: { ...base, ...(identity ? { identity } : {}) } };
  }
  if ((rules.invalid ?? [401]).includes(res.status)) return { status: 'invalid', evidence: { ...base, reason: 'the provider rejected the credential' } };
  if ((rules.restricted ?? [403]).includes(res.status)) {
    return { status: 'live', evidence: { ...base, restricted: true, reason: 'the key is accepted but lacks the permission this endpoint needs' } };
  }
  if (res.status >= 500) return { status: 'error', evidence: { ...base, reason: `the provider failed (HTTP ${res.status})` } };
  if (res.status >= 300 && res.status < 400) return { status: 'unknown', evidence: { ...base, reason: 'the provider redirected; redirects are not followed' } };
  return { status: 'unknown', evidence: { ...base, reason: `unexpected HTTP ${res.status}` } };
}

function safeIdentity(fn: () => Identity | undefined): Identity | undefined {
  try {
    const id = fn();
    if (!id) return undefined;
    const out: Identity = {};
    for (const [k, v] of Object.entries(id)) if (v !== undefined && v !== null && v !== '') out[k] = v;
    return Object.keys(out).length > 0 ? out : undefined;
  } catch {
    return undefined;
  }
}

/** The JSON body as an object, or {} when it is not one (malformed bodies give no identity). */
export function jsonObject(res: ProviderResponse): Record<string, unknown> {
  const v = res.json();
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** A comma-separated scopes header (GitHub X-OAuth-Scopes, Slack x-oauth-scopes) as a list. */
export function scopesHeader(res: ProviderResponse, name: string): string[] | undefined {
  const v = res.headers.get(name);
  if (v === null) return undefined;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}` };
}
