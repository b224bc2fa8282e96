// Anthropic: GET /v1/models for API keys; admin keys read their own organization (/v1/organizations/me).
import { ANTHROPIC_ADMIN, anthropicRevoke } from './anthropic-lifecycle.js';
import { jsonObject, outcomeOf, str } from './outcome.js';
import type { Credential, Provider, ProviderContext } from './types.js';

export const anthropicProvider: Provider = {
  id: 'anthropic',
  name: 'Anthropic',
  defaultEndpoint: 'https://api.anthropic.com',
  rules: { 'anthropic-api-key': {}, 'anthropic-admin-api-key': {} },
  unverifiable: { 'anthropic-oauth-token': 'Claude Code OAuth tokens have no documented read-only identity endpoint' },
  credentialsNeeded: {
    verify: [{ kind: 'leaked', description: 'the API or admin key' }],
    revoke: [{ kind: 'admin', env: ANTHROPIC_ADMIN.env, description: 'an organization admin key' }],
  },
  admin: ANTHROPIC_ADMIN,
  revoke(cred, ctx, opts) {
    return anthropicRevoke(this, cred, ctx, opts);
  },
  async verify(cred: Credential, ctx: ProviderContext) {
    const admin = cred.ruleId === 'anthropic-admin-api-key';
    const res = await ctx.http.request({
      method: 'GET',
      path: admin ? '/v1/organizations/me' : '/v1/models?limit=1',
      headers: { 'x-api-key': cred.secret, 'anthropic-version': '2023-06-01' },
    });
    return outcomeOf(res, {
      identity: (r) => {
        if (!admin) return undefined;
        const b = jsonObject(r);
        return { organization: str(b.name) ?? '', organizationId: str(b.id) ?? '' };
      },
    });
  },
};
