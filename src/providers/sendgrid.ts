// SendGrid: GET /v3/scopes lists what the key may do; 403 means live without that scope.
import { bearer, jsonObject, outcomeOf } from './outcome.js';
import { SENDGRID_ADMIN, sendgridRevoke, sendgridRotator } from './sendgrid-lifecycle.js';
import type { Credential, Provider, ProviderContext } from './types.js';

export const sendgridProvider: Provider = {
  id: 'sendgrid',
  name: 'SendGrid',
  defaultEndpoint: 'https://api.sendgrid.com',
  rules: { 'sendgrid-api-key': {} },
  credentialsNeeded: {
    verify: [{ kind: 'leaked', description: 'the API key' }],
    revoke: [{ kind: 'admin', env: SENDGRID_ADMIN.env, description: 'a key with the api_keys scopes from $SENDGRID_ADMIN_API_KEY, else the leaked key itself' }],
    rotate: [{ kind: 'admin', env: SENDGRID_ADMIN.env, description: 'a key with the api_keys scopes from $SENDGRID_ADMIN_API_KEY, else the leaked key itself' }],
  },
  admin: SENDGRID_ADMIN,
  revoke(cred, ctx, opts) {
    return sendgridRevoke(this, cred, ctx, opts);
  },
  get rotation() {
    return sendgridRotator(this);
  },
  async verify(cred: Credential, ctx: ProviderContext) {
    const res = await ctx.http.request({ method: 'GET', path: '/v3/scopes', headers: bearer(cred.secret) });
    return outcomeOf(res, {
      identity: (r) => {
        const scopes = jsonObject(r).scopes;
        return Array.isArray(scopes) ? { scopes: scopes.filter((s): s is string => typeof s === 'string').slice(0, 50), scopeCount: scopes.length } : undefined;
      },
    });
  },
};
