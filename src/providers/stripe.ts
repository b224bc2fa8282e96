// Stripe: GET /v1/account with the key. A restricted key without that permission gets 403: live.
import { bearer, jsonObject, outcomeOf, str } from './outcome.js';
import type { Credential, Provider, ProviderContext } from './types.js';

export const stripeProvider: Provider = {
  id: 'stripe',
  name: 'Stripe',
  defaultEndpoint: 'https://api.stripe.com',
  rules: { 'stripe-live-secret-key': {}, 'stripe-live-restricted-key': {}, 'stripe-test-secret-key': {} },
  unverifiable: { 'stripe-webhook-secret': 'a webhook signing secret signs events; it does not authenticate to the API' },
  credentialsNeeded: { verify: [{ kind: 'leaked', description: 'the secret or restricted key' }] },
  async verify(cred: Credential, ctx: ProviderContext) {
    const res = await ctx.http.request({ method: 'GET', path: '/v1/account', headers: bearer(cred.secret) });
    return outcomeOf(res, {
      identity: (r) => {
        const b = jsonObject(r);
        return { account: str(b.id) ?? '', livemode: /^(sk|rk)_live_/.test(cred.secret) };
      },
    });
  },
};
