// Slack: auth.test says who a token belongs to; Slack answers 200 with ok:false for bad tokens.
import { baseFor, call, expectStatus, LEAKED_KEY, LifecycleError } from './lifecycle.js';
import { jsonObject, outcomeOf, scopesHeader, str } from './outcome.js';
import type { Credential, Provider, ProviderContext, VerifyOutcome } from './types.js';

const INVALID = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_such_token']);
const WEBHOOK = 'checking a webhook means posting to it; not done';

export const slackProvider: Provider = {
  id: 'slack',
  name: 'Slack',
  defaultEndpoint: 'https://slack.com',
  rules: { 'slack-bot-token': {}, 'slack-user-token': {}, 'slack-workspace-app-token': {}, 'slack-legacy-token': {}, 'slack-config-access-token': {} },
  unverifiable: {
    'slack-app-token': 'app-level tokens only open Socket Mode connections; no read-only identity call',
    'slack-config-refresh-token': 'checking a refresh token means a refresh grant, which rotates it; not done',
    'slack-webhook-url': WEBHOOK,
    'slack-workflow-webhook-url': WEBHOOK,
  },
  credentialsNeeded: {
    verify: [{ kind: 'leaked', description: 'the token itself' }],
    revoke: [{ kind: 'leaked', description: 'the token itself (auth.revoke)' }],
  },
  async revoke(cred, ctx, opts) {
    const calls = [call('POST', `${baseFor(slackProvider, ctx.env)}/api/auth.revoke`, 'revoke the token', LEAKED_KEY)];
    if (opts.dryRun) return { done: false, calls };
    const res = await ctx.http(cred).request({
      method: 'POST',
      path: '/api/auth.revoke',
      headers: { authorization: `Bearer ${cred.secret}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expectStatus(res, [200], 'Slack auth.revoke');
    const b = jsonObject(res);
    if (b.ok === true) return { done: true, calls, ...(b.revoked === false ? { reason: 'Slack says the token was not revoked' } : {}) };
    const error = str(b.error) ?? 'unknown_error';
    if (INVALID.has(error)) return { done: true, calls, reason: `Slack no longer accepts the token (${error})` };
    throw new LifecycleError(`Slack auth.revoke: ${error}`);
  },
  async verify(cred: Credential, ctx: ProviderContext): Promise<VerifyOutcome> {
    const res = await ctx.http.request({
      method: 'POST',
      path: '/api/auth.test',
      headers: { authorization: `Bearer ${cred.secret}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    const out = outcomeOf(res, {
      identity: (r) => {
        const b = jsonObject(r);
        const scopes = scopesHeader(r, 'x-oauth-scopes');
        return { team: str(b.team) ?? '', user: str(b.user) ?? '', teamId: str(b.team_id) ?? '', ...(scopes ? { scopes } : {}) };
      },
    });
    if (out.status !== 'live' || out.evidence.restricted) return out;
    const body = res.json() as { ok?: unknown; error?: unknown } | undefined;
    if (!body || typeof body !== 'object') return { status: 'error', evidence: { ...out.evidence, identity: undefined, reason: 'Slack answered with a body that is not JSON' } };
    if (body.ok === true) return out;
    const error = typeof body.error === 'string' ? body.error : 'unknown_error';
    const evidence = { endpoint: out.evidence.endpoint, httpStatus: out.evidence.httpStatus };
    if (INVALID.has(error)) return { status: 'invalid', evidence: { ...evidence, reason: `Slack: ${error}` } };
    if (error === 'ratelimited') return { status: 'error', evidence: { ...evidence, reason: 'Slack: ratelimited' } };
    return { status: 'unknown', evidence: { ...evidence, reason: `Slack: ${error}` } };
  },
};
