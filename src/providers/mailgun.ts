// Mailgun: GET /v3/domains?limit=1 with basic auth api:<key>, on the US and then the EU region.
// A domain sending key may only send (403 here): live.
import { basic, jsonObject, outcomeOf } from './outcome.js';
import type { Credential, Provider, ProviderContext, VerifyOutcome } from './types.js';

const REGIONS = ['https://api.mailgun.net', 'https://api.eu.mailgun.net'];

export const mailgunProvider: Provider = {
  id: 'mailgun',
  name: 'Mailgun',
  defaultEndpoint: REGIONS[0]!,
  rules: { 'mailgun-api-key': {} },
  unverifiable: { 'mailgun-webhook-signing-key': 'a webhook signing key signs events; it does not authenticate to the API' },
  credentialsNeeded: { verify: [{ kind: 'leaked', description: 'the API key' }] },
  async verify(cred: Credential, ctx: ProviderContext): Promise<VerifyOutcome> {
    let last: VerifyOutcome | undefined;
    for (const base of ctx.http.overridden ? [undefined] : REGIONS) {
      const res = await ctx.http.request({ method: 'GET', path: '/v3/domains?limit=1', headers: basic('api', cred.secret), ...(base ? { base } : {}) });
      last = outcomeOf(res, {
        identity: (r) => ({ domains: Number(jsonObject(r).total_count ?? 0), ...(base ? { region: base === REGIONS[1] ? 'eu' : 'us' } : {}) }),
      });
      if (last.status !== 'invalid') return last;
    }
    return last!;
  },
};
