// Hugging Face: GET /api/whoami-v2 names the token's user or organization and its role.
import { bearer, jsonObject, outcomeOf, str } from './outcome.js';
import type { Credential, Provider, ProviderContext } from './types.js';

export const huggingfaceProvider: Provider = {
  id: 'huggingface',
  name: 'Hugging Face',
  defaultEndpoint: 'https://huggingface.co',
  rules: { 'huggingface-access-token': {}, 'huggingface-organization-api-token': {} },
  credentialsNeeded: { verify: [{ kind: 'leaked', description: 'the access token' }] },
  async verify(cred: Credential, ctx: ProviderContext) {
    const res = await ctx.http.request({ method: 'GET', path: '/api/whoami-v2', headers: bearer(cred.secret) });
    return outcomeOf(res, {
      identity: (r) => {
        const b = jsonObject(r);
        const token = ((b.auth as { accessToken?: { role?: unknown } } | undefined)?.accessToken ?? {}) as { role?: unknown };
        return { name: str(b.name) ?? '', type: str(b.type) ?? '', role: str(token.role) ?? '' };
      },
    });
  },
};
