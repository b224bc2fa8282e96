// GitLab personal access tokens rotate themselves: POST /personal_access_tokens/self/rotate issues
// the new token and revokes the old one in the same call, so there is no window with both, and no
// old key to disable afterwards; the engine must store the new token before anything else.
import { baseFor, call, expectStatus, LEAKED_KEY, LifecycleError, NEW_KEY } from './lifecycle.js';
import { jsonObject, str } from './outcome.js';
import type { Provider, Rotator } from './types.js';

/** How long the new token lives (GitLab would default to a week). */
export const GITLAB_TOKEN_DAYS = 90;

export function gitlabRotator(self: Pick<Provider, 'id' | 'defaultEndpoint'>): Rotator {
  return {
    parts: ['secret'],
    revokesOldOnCreate: true,
    unsupported: (old) => (old.ruleId.startsWith('gitlab-ci-job-token') ? 'CI job tokens cannot be rotated; they expire with their job' : undefined),
    plan(_old, env) {
      const base = `${baseFor(self, env)}/api/v4/personal_access_tokens/self`;
      return [
        call('GET', base, 'read the token (id, scopes, expiry)', LEAKED_KEY),
        call('POST', `${base}/rotate`, `issue the replacement (expires in ${GITLAB_TOKEN_DAYS} days); GitLab revokes the old token in the same call`, LEAKED_KEY),
        call('GET', base, 'check that the new token works', NEW_KEY),
      ];
    },
    async prepare(keys, ctx) {
      const old = keys.old!;
      const res = await ctx.http(old).request({ method: 'GET', path: '/api/v4/personal_access_tokens/self', headers: { 'private-token': old.secret } });
      expectStatus(res, [200], 'GitLab token lookup');
      const b = jsonObject(res);
      if (b.active === false || b.revoked === true) throw new LifecycleError('GitLab reports the token as revoked or inactive: nothing to rotate');
      return { tokenId: str(b.id), userId: str(b.user_id), name: str(b.name) };
    },
    async create(keys, ctx) {
      const old = keys.old!;
      const expires = new Date(Date.now() + GITLAB_TOKEN_DAYS * 86_400_000).toISOString().slice(0, 10);
      const res = await ctx.http(old).request({
        method: 'POST',
        path: `/api/v4/personal_access_tokens/self/rotate?expires_at=${expires}`,
        headers: { 'private-token': old.secret },
      });
      expectStatus(res, [200], 'GitLab token rotation');
      const b = jsonObject(res);
      const token = str(b.token);
      if (!token) throw new LifecycleError('GitLab rotated the token but sent no new token');
      return { id: str(b.id) ?? '', secret: token, parts: {}, oldRevoked: true };
    },
    async findOrphan(keys, ctx) {
      // a rotation that went through revoked the old token: the old one answering means it did not
      const old = keys.old;
      if (!old) return undefined;
      const res = await ctx.http(old).request({ method: 'GET', path: '/api/v4/personal_access_tokens/self', headers: { 'private-token': old.secret } });
      if (res.status === 200 && jsonObject(res).active !== false) return undefined;
      return 'unknown';
    },
    async verifyNew(keys, ctx, state) {
      const res = await ctx.http(keys.new).request({ method: 'GET', path: '/api/v4/personal_access_tokens/self', headers: { 'private-token': keys.new.secret } });
      if (res.status !== 200) return { ok: false, reason: `GitLab answered HTTP ${res.status} for the new token` };
      const b = jsonObject(res);
      if (state.userId && str(b.user_id) !== state.userId) return { ok: false, reason: 'the new token belongs to another user' };
      return b.active === false ? { ok: false, reason: 'GitLab reports the new token inactive' } : { ok: true };
    },
    async disableOld() {
      // GitLab revoked it when it issued the new one
    },
    async deleteNew(keys, ctx) {
      // only reachable when the new token could not be stored anywhere: never revoke it then (it is the only key left)
      void keys;
      void ctx;
      throw new LifecycleError('GitLab already revoked the old token; the new one is the only working key and is kept');
    },
  };
}
