// Twilio: GET /2010-04-01/Accounts/{AccountSid}.json with HTTP basic auth, as Account SID + auth
// token or API key SID + secret. The SIDs are identifiers found near the secret. A standard API key
// may not read the Account resource (403): live.
import { basic, jsonObject, outcomeOf, str } from './outcome.js';
import type { Credential, PartnerSpec, Provider, ProviderContext } from './types.js';

const ACCOUNT_SID: PartnerSpec = { part: 'accountSid', pattern: /\b(AC[0-9a-f]{32})\b/, label: 'Twilio Account SID (AC...)' };
const API_KEY_SID: PartnerSpec = { part: 'apiKeySid', pattern: /\b(SK[0-9a-f]{32})\b/, label: 'Twilio API key SID (SK...)' };

export const twilioProvider: Provider = {
  id: 'twilio',
  name: 'Twilio',
  defaultEndpoint: 'https://api.twilio.com',
  rules: {
    'twilio-auth-token': { partners: [ACCOUNT_SID] },
    'twilio-api-key-secret': { partners: [API_KEY_SID, ACCOUNT_SID] },
  },
  credentialsNeeded: {
    verify: [
      { kind: 'leaked', description: 'the auth token or API key secret' },
      { kind: 'partner', description: 'the Account SID (and the API key SID for an API key), from the same file' },
    ],
  },
  async verify(cred: Credential, ctx: ProviderContext) {
    const account = cred.parts.accountSid!;
    const user = cred.parts.apiKeySid ?? account;
    const res = await ctx.http.request({ method: 'GET', path: `/2010-04-01/Accounts/${account}.json`, headers: basic(user, cred.secret) });
    return outcomeOf(res, {
      identity: (r) => {
        const b = jsonObject(r);
        return { account: str(b.sid) ?? '', status: str(b.status) ?? '', type: str(b.type) ?? '' };
      },
    });
  },
};
