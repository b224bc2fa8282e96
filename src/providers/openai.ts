// OpenAI: GET /v1/models for project, service-account and user keys; admin keys list one project.
import { OPENAI_ADMIN, openaiRevoke, openaiRotator } from './openai-lifecycle.js';
import { bearer, jsonObject, outcomeOf, str } from './outcome.js';
import type { Credential, Provider, ProviderContext } from './types.js';

export const openaiProvider: Provider = {
  id: 'openai',
  name: 'OpenAI',
  defaultEndpoint: 'https://api.openai.com',
  rules: { 'openai-project-api-key': {}, 'openai-service-account-api-key': {}, 'openai-user-api-key': {}, 'openai-admin-api-key': {} },
  credentialsNeeded: {
    verify: [{ kind: 'leaked', description: 'the API key' }],
    revoke: [{ kind: 'admin', env: OPENAI_ADMIN.env, description: 'an organization admin key' }],
    rotate: [{ kind: 'admin', env: OPENAI_ADMIN.env, description: 'an organization admin key (service account keys only)' }],
  },
  admin: OPENAI_ADMIN,
  revoke(cred, ctx, opts) {
    return openaiRevoke(this, cred, ctx, opts);
  },
  get rotation() {
    return openaiRotator(this);
  },
  async verify(cred: Credential, ctx: ProviderContext) {
    const admin = cred.ruleId === 'openai-admin-api-key';
    const res = await ctx.http.request({ method: 'GET', path: admin ? '/v1/organization/projects?limit=1' : '/v1/models', headers: bearer(cred.secret) });
    return outcomeOf(res, {
      identity: (r) => {
        const org = r.headers.get('openai-organization') ?? undefined;
        const data = jsonObject(r).data;
        return { ...(org ? { organization: org } : {}), ...(Array.isArray(data) && admin ? { project: str((data[0] as { id?: unknown })?.id) ?? '' } : {}) };
      },
    });
  },
};
