// Datadog: GET /api/v1/validate checks an API key; /api/v2/validate_keys checks an application key
// with its API key. Keys belong to one site, so the documented sites are tried in turn.
import { outcomeOf } from './outcome.js';
import type { Credential, Provider, ProviderContext, VerifyOutcome } from './types.js';

const SITES = [
  'https://api.datadoghq.com',
  'https://api.datadoghq.eu',
  'https://api.us3.datadoghq.com',
  'https://api.us5.datadoghq.com',
  'https://api.ap1.datadoghq.com',
  'https://api.ap2.datadoghq.com',
  'https://api.ddog-gov.com',
];

export const datadogProvider: Provider = {
  id: 'datadog',
  name: 'Datadog',
  defaultEndpoint: SITES[0]!,
  rules: {
    'datadog-api-key': {},
    'datadog-app-key': { partners: [{ part: 'apiKey', ruleIds: ['datadog-api-key'], label: 'Datadog API key' }] },
  },
  credentialsNeeded: {
    verify: [
      { kind: 'leaked', description: 'the API key, or the application key' },
      { kind: 'partner', description: 'for an application key: its API key, from the same file' },
    ],
  },
  async verify(cred: Credential, ctx: ProviderContext): Promise<VerifyOutcome> {
    const app = cred.ruleId === 'datadog-app-key';
    const headers: Record<string, string> = app ? { 'dd-api-key': cred.parts.apiKey!, 'dd-application-key': cred.secret } : { 'dd-api-key': cred.secret };
    const path = app ? '/api/v2/validate_keys' : '/api/v1/validate';
    let last: VerifyOutcome | undefined;
    for (const base of ctx.http.overridden ? [undefined] : SITES) {
      const res = await ctx.http.request({ method: 'GET', path, headers, ...(base ? { base } : {}) });
      const body = res.json() as { valid?: unknown } | undefined;
      last = outcomeOf(res, { invalid: [401, 403], restricted: [], identity: () => (base ? { site: new URL(base).host } : undefined) });
      if (last.status === 'live' && !app && body && body.valid === false) last = { status: 'invalid', evidence: { ...last.evidence, identity: undefined, reason: 'Datadog: valid=false' } };
      if (last.status !== 'invalid') return last;
    }
    return { ...last!, evidence: { ...last!.evidence, reason: ctx.http.overridden ? last!.evidence.reason : `rejected on every Datadog site (${SITES.length})` } };
  },
};
