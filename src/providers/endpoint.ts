// Base URLs: the provider's own, or KEYWARDEN_<PROVIDER>_ENDPOINT; secrets only travel over https
// (plain http only to this machine, for test doubles and local proxies).
import { isIP } from 'node:net';
import { KeywardenError, type ProblemDetail } from '../errors.js';

export function endpointEnvName(providerId: string): string {
  return `KEYWARDEN_${providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_ENDPOINT`;
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/** Why a base URL may not carry a secret, or undefined when it may. */
export function endpointProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (u.username || u.password) return 'credentials in the URL are not allowed';
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:') {
    return isLoopbackHost(u.hostname) ? undefined : `plain http is only allowed for loopback addresses (127.0.0.0/8, ::1, localhost); use https for ${u.host}`;
  }
  return `unsupported protocol ${u.protocol} (use https)`;
}

/** Throws if a base URL may not carry a secret. */
export function assertSafeEndpoint(url: string, source: string): void {
  const problem = endpointProblem(url);
  if (problem) throw new KeywardenError('CONFIG_INVALID', `${source}: ${problem}`);
}

/** The override for a provider, validated, without a trailing slash; undefined when not set. */
export function endpointOverride(providerId: string, env: NodeJS.ProcessEnv): string | undefined {
  const name = endpointEnvName(providerId);
  const value = env[name]?.trim();
  if (!value) return undefined;
  assertSafeEndpoint(value, name);
  return value.replace(/\/+$/, '');
}

/** Checks every provider's override at once, so a bad one fails before any call is made. */
export function checkEndpointOverrides(providerIds: readonly string[], env: NodeJS.ProcessEnv): void {
  const problems: ProblemDetail[] = [];
  for (const id of providerIds) {
    const name = endpointEnvName(id);
    const value = env[name]?.trim();
    if (!value) continue;
    const problem = endpointProblem(value);
    if (problem) problems.push({ field: name, message: problem });
  }
  if (problems.length > 0) {
    throw new KeywardenError(
      'CONFIG_INVALID',
      problems.length === 1 ? `${problems[0]!.field}: ${problems[0]!.message}` : `${problems.length} provider endpoints are not allowed`,
      problems,
    );
  }
}

/** Joins a base URL and a path ("/user?x=1"), keeping any path prefix of the base. */
export function joinUrl(base: string, path: string): URL {
  return new URL(base.replace(/\/+$/, '') + path);
}
