// npm: GET /-/whoami on the public registry names the token's user.
import { baseFor, call, expectStatus, LEAKED_KEY } from './lifecycle.js';
import { bearer, jsonObject, outcomeOf, str } from './outcome.js';
import type { Credential, Provider, ProviderContext } from './types.js';

const PRIVATE = 'the token belongs to a registry named in the config line, not necessarily registry.npmjs.org';

export const npmProvider: Provider = {
  id: 'npm',
  name: 'npm',
  defaultEndpoint: 'https://registry.npmjs.org',
  rules: { 'npm-access-token': {}, 'npm-legacy-auth-token': {} },
  unverifiable: { 'npmrc-auth': PRIVATE, 'yarnrc-npm-auth': PRIVATE, 'npm-npmrc-basic-auth': PRIVATE },
  credentialsNeeded: {
    verify: [{ kind: 'leaked', description: 'the access token' }],
    revoke: [{ kind: 'leaked', description: 'the access token itself (DELETE /-/npm/v1/tokens/token/<token>)' }],
  },
  async revoke(cred, ctx, opts) {
    // the registry's token API accepts the token itself where it takes a token key
    const calls = [call('DELETE', `${baseFor(npmProvider, ctx.env)}/-/npm/v1/tokens/token/<token>`, 'delete the token', LEAKED_KEY)];
    if (opts.dryRun) return { done: false, calls };
    const res = await ctx.http(cred).request({
      method: 'DELETE',
      path: `/-/npm/v1/tokens/token/${encodeURIComponent(cred.secret)}`,
      displayPath: '/-/npm/v1/tokens/token/<token>',
      headers: bearer(cred.secret),
    });
    if (res.status === 401) return { done: true, calls, reason: 'the registry no longer accepts the token (401)' };
    expectStatus(res, [200, 204], 'npm token deletion');
    return { done: true, calls };
  },
  async verify(cred: Credential, ctx: ProviderContext) {
    const res = await ctx.http.request({ method: 'GET', path: '/-/whoami', headers: bearer(cred.secret) });
    return outcomeOf(res, { identity: (r) => ({ username: str(jsonObject(r).username) ?? '' }) });
  },
};
