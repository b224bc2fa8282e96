// GitLab: GET /personal_access_tokens/self describes the calling token (scopes, expiry, active);
// a CI job token reads its own job. KEYWARDEN_GITLAB_ENDPOINT points at a self-managed instance.
import { gitlabRotator } from './gitlab-rotation.js';
import { baseFor, call, expectStatus, LEAKED_KEY } from './lifecycle.js';
import { jsonObject, outcomeOf, str } from './outcome.js';
import type { Credential, KeyDescription, LifecycleContext, Provider, ProviderContext, VerifyOutcome } from './types.js';

const JOB_TOKEN = 'CI job tokens expire with their job; cancel the job instead';

const NOT_READ_ONLY = 'GitLab has no read-only endpoint that accepts this kind of token';

export const gitlabProvider: Provider = {
  id: 'gitlab',
  name: 'GitLab',
  defaultEndpoint: 'https://gitlab.com',
  rules: { 'gitlab-pat': {}, 'gitlab-pat-routable': {}, 'gitlab-ci-job-token': {}, 'gitlab-ci-job-token-jwt': {} },
  unverifiable: {
    'gitlab-runner-token': 'verifying a runner token (POST /runners/verify) updates the runner; not done',
    'gitlab-runner-token-routable': 'verifying a runner token (POST /runners/verify) updates the runner; not done',
    'gitlab-runner-registration-token': NOT_READ_ONLY,
    'gitlab-deploy-token': 'deploy tokens authenticate git and registry access only, not the API',
    'gitlab-deploy-token-routable': 'deploy tokens authenticate git and registry access only, not the API',
    'gitlab-oauth-app-secret': 'checking an OAuth application secret needs a token grant; not done',
    'gitlab-feed-token': NOT_READ_ONLY,
    'gitlab-incoming-mail-token': NOT_READ_ONLY,
    'gitlab-pipeline-trigger-token': 'the only call that accepts a trigger token starts a pipeline',
  },
  credentialsNeeded: {
    verify: [{ kind: 'leaked', description: 'the token itself' }],
    revoke: [{ kind: 'leaked', description: 'the token itself (DELETE /personal_access_tokens/self)' }],
    rotate: [{ kind: 'leaked', description: 'the token itself, with the api or self_rotate scope' }],
    describe: [{ kind: 'leaked', description: 'the token itself' }],
  },
  async revoke(cred, ctx, opts) {
    if (cred.ruleId.startsWith('gitlab-ci-job-token')) return { done: false, blocked: true, calls: [], reason: JOB_TOKEN };
    const calls = [call('DELETE', `${baseFor(gitlabProvider, ctx.env)}/api/v4/personal_access_tokens/self`, 'revoke the token', LEAKED_KEY)];
    if (opts.dryRun) return { done: false, calls };
    const res = await ctx.http(cred).request({ method: 'DELETE', path: '/api/v4/personal_access_tokens/self', headers: { 'private-token': cred.secret } });
    if (res.status === 401) return { done: true, calls, reason: 'GitLab no longer accepts the token (401): already revoked or expired' };
    expectStatus(res, [204], 'GitLab token revocation');
    return { done: true, calls };
  },
  async describe(cred: Credential, ctx: LifecycleContext): Promise<KeyDescription> {
    if (cred.ruleId.startsWith('gitlab-ci-job-token')) return { kind: 'CI job token', evidence: { reason: JOB_TOKEN } };
    const res = await ctx.http(cred).request({ method: 'GET', path: '/api/v4/personal_access_tokens/self', headers: { 'private-token': cred.secret } });
    const evidence = { endpoint: res.endpoint, httpStatus: res.status };
    if (res.status !== 200) return { evidence: { ...evidence, reason: `HTTP ${res.status}` } };
    const b = jsonObject(res);
    const scopes = Array.isArray(b.scopes) ? b.scopes.filter((s): s is string => typeof s === 'string') : undefined;
    return {
      owner: str(b.user_id) ? `user ${str(b.user_id)}` : undefined,
      kind: 'personal access token',
      ...(scopes ? { scopes } : {}),
      ...(str(b.created_at) ? { createdAt: str(b.created_at) } : {}),
      ...(str(b.expires_at) ? { expiresAt: str(b.expires_at) } : {}),
      ...(str(b.last_used_at) ? { lastUsedAt: str(b.last_used_at) } : {}),
      active: b.active !== false && b.revoked !== true,
      evidence,
    };
  },
  get rotation() {
    return gitlabRotator(this);
  },
  async verify(cred: Credential, ctx: ProviderContext): Promise<VerifyOutcome> {
    if (cred.ruleId.startsWith('gitlab-ci-job-token')) {
      const res = await ctx.http.request({ method: 'GET', path: '/api/v4/job', headers: { 'job-token': cred.secret } });
      return outcomeOf(res, {
        identity: (r) => {
          const b = jsonObject(r);
          return { job: str(b.id) ?? '', status: str(b.status) ?? '' };
        },
      });
    }
    const res = await ctx.http.request({ method: 'GET', path: '/api/v4/personal_access_tokens/self', headers: { 'private-token': cred.secret } });
    const out = outcomeOf(res, {
      identity: (r) => {
        const b = jsonObject(r);
        return {
          name: str(b.name) ?? '',
          userId: str(b.user_id) ?? '',
          ...(Array.isArray(b.scopes) ? { scopes: b.scopes.filter((s): s is string => typeof s === 'string') } : {}),
          ...(str(b.expires_at) ? { expiresAt: str(b.expires_at)! } : {}),
        };
      },
    });
    const body = jsonObject(res);
    if (out.status === 'live' && (body.active === false || body.revoked === true)) {
      return { status: 'invalid', evidence: { ...out.evidence, reason: 'GitLab reports the token as revoked or inactive' } };
    }
    return out;
  },
};
