// Shared by revoke, rotate and audit: HTTP acting with one credential on behalf of a finding, and
// failures that say which call went wrong without carrying any secret.
import { endpointEnvName } from './endpoint.js';
import type { ProviderClient } from './http-client.js';
import type { Credential, LifecycleContext, PlannedCall, Provider, ProviderResponse } from './types.js';

/** Who authenticates a call, as plans and outcomes print it. */
export const LEAKED_KEY = 'the leaked key itself';
export const NEW_KEY = 'the new key';
export const NO_CREDENTIAL = 'none (unauthenticated)';

/** A lifecycle call that did not do what it should; the message names the call, never a secret. */
export class LifecycleError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'LifecycleError';
  }
}

/**
 * A context whose calls are audited under `action` for the finding `forKey`, whichever credential
 * they act with; every credential it acts with is scrubbed from what is logged.
 */
export function lifecycleContext(client: ProviderClient, provider: Provider, forKey: Credential, env: NodeJS.ProcessEnv, action: string): LifecycleContext {
  return {
    env,
    http: (as) =>
      client.http(provider, { ...as, parts: { ...as.parts, ...(as === forKey ? {} : { leaked: forKey.secret, ...prefixed(forKey.parts) }) }, fingerprint: forKey.fingerprint, secretHash: forKey.secretHash }, action),
  };
}

function prefixed(parts: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [`leaked.${k}`, v]));
}

/** Throws unless the response status is one of `ok`; the message names the call and the provider's error. */
export function expectStatus(res: ProviderResponse, ok: readonly number[], what: string): void {
  if (ok.includes(res.status)) return;
  throw new LifecycleError(`${what}: ${res.endpoint} -> HTTP ${res.status}${providerMessage(res)}`, res.status);
}

/** A short error text from the body (JSON message/error fields, or an AWS <Code>), never the raw body. */
export function providerMessage(res: ProviderResponse): string {
  const code = /<Code>([^<]{1,80})<\/Code>/.exec(res.text)?.[1];
  if (code) return ` (${code})`;
  const body = res.json() as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return '';
  const pick = (v: unknown): string | undefined => {
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return pick(v[0]);
    if (v && typeof v === 'object') return pick((v as Record<string, unknown>).message ?? (v as Record<string, unknown>).error);
    return undefined;
  };
  const msg = pick(body.message ?? body.error ?? body.errors ?? body.error_description);
  return msg ? ` (${msg.slice(0, 160)})` : '';
}

export function call(method: PlannedCall['method'], endpoint: string, description: string, credential: string): PlannedCall {
  return { method, endpoint, description, credential };
}

/** A provider base URL for plans: the override when set, else the default. */
export function baseFor(provider: Pick<Provider, 'id' | 'defaultEndpoint'>, env: NodeJS.ProcessEnv, own?: string): string {
  return (env[endpointEnvName(provider.id)]?.trim() || own || provider.defaultEndpoint).replace(/\/+$/, '');
}
