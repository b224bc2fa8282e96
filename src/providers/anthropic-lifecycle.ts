// Anthropic API keys through the Admin API (admin key from $ANTHROPIC_ADMIN_KEY): find THIS key by
// its partial_key_hint (a unique match or nothing), then set it inactive. The Admin API cannot
// create keys, so Anthropic keys are revoked here, not rotated.
import { adminCredential, adminLabel, matchesMaskedKey } from './admin-credentials.js';
import { baseFor, call, expectStatus, LifecycleError } from './lifecycle.js';
import { jsonObject, str } from './outcome.js';
import type { AdminSpec, Credential, LifecycleContext, LifecycleOutcome, Provider, RevokeOptions } from './types.js';

export const ANTHROPIC_ADMIN: AdminSpec = { env: 'ANTHROPIC_ADMIN_KEY' };
const ADMIN_LABEL = adminLabel(ANTHROPIC_ADMIN);
const MAX_PAGES = 50;

function headers(admin: Credential, json = false): Record<string, string> {
  return { 'x-api-key': admin.secret, 'anthropic-version': '2023-06-01', ...(json ? { 'content-type': 'application/json' } : {}) };
}

async function locate(ctx: LifecycleContext, admin: Credential, cred: Credential): Promise<{ id: string; status?: string }> {
  const hits: Array<{ id: string; status?: string }> = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await ctx.http(admin).request({ method: 'GET', path: `/v1/organizations/api_keys?limit=1000${after ? `&after_id=${encodeURIComponent(after)}` : ''}`, headers: headers(admin) });
    expectStatus(res, [200], 'Anthropic API key list');
    const b = jsonObject(res);
    for (const k of Array.isArray(b.data) ? (b.data as Array<Record<string, unknown>>) : []) {
      if (typeof k.partial_key_hint === 'string' && matchesMaskedKey(cred.secret, k.partial_key_hint) && str(k.id)) hits.push({ id: str(k.id)!, status: str(k.status) });
    }
    after = b.has_more === true ? str(b.last_id) : undefined;
    if (!after) break;
  }
  const live = hits.filter((h) => h.status !== 'archived');
  if (live.length === 0) throw new LifecycleError('no key in the organization matches this key (checked by its partial key hint): already archived, or another organization');
  if (live.length > 1) throw new LifecycleError(`${live.length} keys have the same partial key hint; not guessing which one is this key`);
  return live[0]!;
}

export async function anthropicRevoke(self: Pick<Provider, 'id' | 'defaultEndpoint'>, cred: Credential, ctx: LifecycleContext, opts: RevokeOptions): Promise<LifecycleOutcome> {
  if (cred.ruleId === 'anthropic-admin-api-key') return { done: false, blocked: true, calls: [], reason: 'admin keys can only be deleted in the Console' };
  const base = baseFor(self, ctx.env);
  const calls = [
    call('GET', `${base}/v1/organizations/api_keys`, 'find this key by its partial key hint (a unique match, or nothing changes)', ADMIN_LABEL),
    call('POST', `${base}/v1/organizations/api_keys/{key id}`, 'set the key inactive', ADMIN_LABEL),
  ];
  const admin = adminCredential(ANTHROPIC_ADMIN, ctx.env, cred);
  if (!admin) return { done: false, blocked: true, calls, reason: `needs an admin key: set ${ANTHROPIC_ADMIN.env}` };
  if (opts.dryRun) return { done: false, calls };
  const key = await locate(ctx, admin, cred);
  if (key.status === 'inactive') return { done: true, calls, reason: 'the key was already inactive' };
  const res = await ctx.http(admin).request({ method: 'POST', path: `/v1/organizations/api_keys/${encodeURIComponent(key.id)}`, headers: headers(admin, true), body: JSON.stringify({ status: 'inactive' }) });
  expectStatus(res, [200], 'Anthropic API key update');
  if (str(jsonObject(res).status) !== 'inactive') throw new LifecycleError('Anthropic did not report the key inactive');
  return { done: true, calls };
}
