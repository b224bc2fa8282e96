// GitHub: GET /user (the token's own account; X-OAuth-Scopes lists classic scopes);
// installation tokens, which have no user, list one repository they can see instead.
import { baseFor, call, expectStatus, LEAKED_KEY, NO_CREDENTIAL } from './lifecycle.js';
import { bearer, jsonObject, outcomeOf, scopesHeader, str } from './outcome.js';
import type { Credential, KeyDescription, LifecycleContext, Provider, ProviderContext } from './types.js';

/** Token kinds POST /credentials/revoke accepts (classic and fine-grained PATs, OAuth, user-to-server, refresh). */
const REVOCABLE = /^(?:ghp_|github_pat_|gho_|ghu_|ghr_)/;
/** GitHub allows 1000 tokens per request and 60 requests an hour. */
const REVOKE_BATCH = 1000;

const HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
const USER_TOKENS = ['github-pat', 'github-oauth-token', 'github-app-user-token', 'github-fine-grained-pat', 'github-legacy-token'];
const INSTALLATION_TOKENS = ['github-app-installation-token', 'github-app-installation-token-jwt'];

export const githubProvider: Provider = {
  id: 'github',
  name: 'GitHub',
  defaultEndpoint: 'https://api.github.com',
  rules: Object.fromEntries([...USER_TOKENS, ...INSTALLATION_TOKENS].map((id) => [id, {}])),
  credentialsNeeded: {
    verify: [{ kind: 'leaked', description: 'the token itself' }],
    revoke: [{ kind: 'leaked', description: 'the tokens themselves, sent unauthenticated to POST /credentials/revoke (installation tokens: DELETE /installation/token with the token)' }],
    describe: [{ kind: 'leaked', description: 'the token itself (GET /user and its X-OAuth-Scopes header)' }],
  },
  revokeBatch: {
    max: REVOKE_BATCH,
    accepts: (cred) => REVOCABLE.test(cred.secret),
    async run(creds, ctx, opts) {
      const calls = [call('POST', `${baseFor(githubProvider, ctx.env)}/credentials/revoke`, `revoke ${creds.length} token${creds.length === 1 ? '' : 's'} in one request (GitHub notifies their owners)`, NO_CREDENTIAL)];
      if (opts.dryRun) return { done: false, calls };
      // the list goes in the body; the "as" credential only names what to scrub from logs
      const as: Credential = { ...creds[0]!, parts: Object.fromEntries(creds.map((c, i) => [`t${i}`, c.secret])) };
      const res = await ctx.http(as).request({
        method: 'POST',
        path: '/credentials/revoke',
        headers: { ...HEADERS, 'content-type': 'application/json' },
        body: JSON.stringify({ credentials: creds.map((c) => c.secret) }),
      });
      expectStatus(res, [202], 'GitHub credential revocation');
      return { done: true, calls, reason: 'GitHub accepted the request (202); revocation is asynchronous' };
    },
  },
  async revoke(cred, ctx, opts) {
    if (!INSTALLATION_TOKENS.includes(cred.ruleId)) {
      return { done: false, blocked: true, calls: [], reason: 'GitHub\'s revocation API does not accept this kind of token; revoke it in the settings of the account or app that issued it' };
    }
    const calls = [call('DELETE', `${baseFor(githubProvider, ctx.env)}/installation/token`, 'revoke the installation token', LEAKED_KEY)];
    if (opts.dryRun) return { done: false, calls };
    const res = await ctx.http(cred).request({ method: 'DELETE', path: '/installation/token', headers: { ...HEADERS, ...bearer(cred.secret) } });
    if (res.status === 401) return { done: true, calls, reason: 'GitHub no longer accepts the token (401)' };
    expectStatus(res, [204], 'GitHub installation token revocation');
    return { done: true, calls };
  },
  async describe(cred: Credential, ctx: LifecycleContext): Promise<KeyDescription> {
    const res = await ctx.http(cred).request({ method: 'GET', path: '/user', headers: { ...HEADERS, ...bearer(cred.secret) } });
    const evidence = { endpoint: res.endpoint, httpStatus: res.status };
    if (res.status !== 200) return { evidence: { ...evidence, reason: `GET /user -> HTTP ${res.status}` } };
    const scopes = scopesHeader(res, 'x-oauth-scopes');
    const expires = res.headers.get('github-authentication-token-expiration');
    const expiresAt = expires ? new Date(expires.replace(' UTC', 'Z').replace(' ', 'T')).toISOString() : undefined;
    return {
      owner: str(jsonObject(res).login),
      kind: cred.secret.startsWith('github_pat_') ? 'fine-grained personal access token' : cred.secret.startsWith('ghp_') ? 'classic personal access token' : 'user token',
      ...(scopes ? { scopes } : {}),
      ...(expiresAt && !Number.isNaN(Date.parse(expiresAt)) ? { expiresAt } : {}),
      active: true,
      evidence,
    };
  },
  async verify(cred: Credential, ctx: ProviderContext) {
    if (INSTALLATION_TOKENS.includes(cred.ruleId)) {
      const res = await ctx.http.request({ method: 'GET', path: '/installation/repositories?per_page=1', headers: { ...HEADERS, ...bearer(cred.secret) } });
      return outcomeOf(res, {
        identity: (r) => ({ kind: 'app installation', repositories: Number(jsonObject(r).total_count ?? 0) }),
      });
    }
    const res = await ctx.http.request({ method: 'GET', path: '/user', headers: { ...HEADERS, ...bearer(cred.secret) } });
    return outcomeOf(res, {
      identity: (r) => {
        const body = jsonObject(r);
        const scopes = scopesHeader(r, 'x-oauth-scopes');
        return { login: str(body.login) ?? '', type: str(body.type) ?? '', ...(scopes ? { scopes } : {}) };
      },
    });
  },
};
