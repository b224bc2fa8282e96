// Heroku: GET /account names the key's user. Revoking finds the OAuth authorization whose access
// token is THIS key (GET /oauth/authorizations) and deletes it; no match, no delete.
import { baseFor, call, expectStatus, LEAKED_KEY, LifecycleError } from './lifecycle.js';
import { bearer, jsonObject, outcomeOf, str } from './outcome.js';
import type { Credential, Provider, ProviderContext } from './types.js';

const HEADERS = { accept: 'application/vnd.heroku+json; version=3' };

export const herokuProvider: Provider = {
  id: 'heroku',
  name: 'Heroku',
  defaultEndpoint: 'https://api.heroku.com',
  rules: { 'heroku-api-key': {}, 'heroku-api-key-legacy': {} },
  credentialsNeeded: {
    verify: [{ kind: 'leaked', description: 'the API key' }],
    revoke: [{ kind: 'leaked', description: 'the API key itself (finds its own OAuth authorization)' }],
  },
  async verify(cred: Credential, ctx: ProviderContext) {
    const res = await ctx.http.request({ method: 'GET', path: '/account', headers: { ...HEADERS, ...bearer(cred.secret) } });
    return outcomeOf(res, { restricted: [], identity: (r) => ({ id: str(jsonObject(r).id) ?? '' }) });
  },
  async revoke(cred, ctx, opts) {
    const base = baseFor(herokuProvider, ctx.env);
    const calls = [
      call('GET', `${base}/oauth/authorizations`, "find the authorization whose token is this key", LEAKED_KEY),
      call('DELETE', `${base}/oauth/authorizations/{authorization id}`, 'delete the authorization (the key stops working)', LEAKED_KEY),
    ];
    if (opts.dryRun) return { done: false, calls };
    const list = await ctx.http(cred).request({ method: 'GET', path: '/oauth/authorizations', headers: { ...HEADERS, ...bearer(cred.secret) } });
    if (list.status === 401) return { done: true, calls, reason: 'Heroku no longer accepts the key (401)' };
    expectStatus(list, [200, 206], 'Heroku authorization list');
    const items = list.json();
    const mine = (Array.isArray(items) ? (items as Array<Record<string, unknown>>) : []).filter((a) => (a.access_token as { token?: unknown } | null)?.token === cred.secret);
    if (mine.length !== 1) throw new LifecycleError(mine.length === 0 ? 'no OAuth authorization carries this key as its token; revoke it in the account settings' : 'several authorizations carry this key; not guessing');
    const id = str(mine[0]!.id);
    if (!id) throw new LifecycleError('the authorization has no id');
    const res = await ctx.http(cred).request({ method: 'DELETE', path: `/oauth/authorizations/${encodeURIComponent(id)}`, headers: { ...HEADERS, ...bearer(cred.secret) } });
    expectStatus(res, [200], 'Heroku authorization deletion');
    return { done: true, calls };
  },
};
