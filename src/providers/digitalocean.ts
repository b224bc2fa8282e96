// DigitalOcean: GET /v2/account; a scoped token without account:read gets 403 (live).
import { call, expectStatus, LEAKED_KEY } from './lifecycle.js';
import { endpointOverride } from './endpoint.js';
import { bearer, jsonObject, outcomeOf, str } from './outcome.js';

/** The OAuth server, where tokens are revoked (not the API host). */
const OAUTH_BASE = 'https://cloud.digitalocean.com';
import type { Credential, Provider, ProviderContext } from './types.js';

export const digitaloceanProvider: Provider = {
  id: 'digitalocean',
  name: 'DigitalOcean',
  defaultEndpoint: 'https://api.digitalocean.com',
  rules: { 'digitalocean-personal-access-token': {}, 'digitalocean-oauth-token': {} },
  unverifiable: { 'digitalocean-refresh-token': 'checking a refresh token means a refresh grant, which rotates it; not done' },
  credentialsNeeded: {
    verify: [{ kind: 'leaked', description: 'the token itself' }],
    revoke: [{ kind: 'leaked', description: 'the token itself (POST cloud.digitalocean.com/v1/oauth/revoke)' }],
  },
  async revoke(cred, ctx, opts) {
    const base = endpointOverride(digitaloceanProvider.id, ctx.env) ?? OAUTH_BASE;
    const calls = [call('POST', `${base}/v1/oauth/revoke`, 'revoke the token', LEAKED_KEY)];
    if (opts.dryRun) return { done: false, calls };
    const res = await ctx.http(cred).request({
      method: 'POST',
      path: '/v1/oauth/revoke',
      base: OAUTH_BASE,
      headers: { ...bearer(cred.secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: cred.secret }).toString(),
    });
    if (res.status === 401) return { done: true, calls, reason: 'DigitalOcean no longer accepts the token (401)' };
    expectStatus(res, [200, 204], 'DigitalOcean token revocation');
    return { done: true, calls };
  },
  async verify(cred: Credential, ctx: ProviderContext) {
    const res = await ctx.http.request({ method: 'GET', path: '/v2/account', headers: bearer(cred.secret) });
    return outcomeOf(res, {
      identity: (r) => {
        const a = (jsonObject(r).account ?? {}) as Record<string, unknown>;
        return { uuid: str(a.uuid) ?? '', status: str(a.status) ?? '' };
      },
    });
  },
};
