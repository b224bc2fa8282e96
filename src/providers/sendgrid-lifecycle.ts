// SendGrid API keys by their own id: a key reads "SG.<api_key_id>.<secret>", so the id of THIS
// key comes from the key itself (and is checked with GET /v3/api_keys/{id}), never from a list.
import { adminCredential, adminLabel } from './admin-credentials.js';
import { baseFor, call, expectStatus, LEAKED_KEY, LifecycleError, NEW_KEY } from './lifecycle.js';
import { bearer, jsonObject, str } from './outcome.js';
import type { AdminSpec, Credential, LifecycleContext, LifecycleOutcome, Provider, RevokeOptions, Rotator, RotationKeys } from './types.js';

export const SENDGRID_ADMIN: AdminSpec = { env: 'SENDGRID_ADMIN_API_KEY' };
const ADMIN_LABEL = adminLabel(SENDGRID_ADMIN, 'API key with the api_keys scopes');

type Self = Pick<Provider, 'id' | 'defaultEndpoint'>;

export function sendgridKeyId(secret: string): string | undefined {
  return /^SG\.([\w-]{16,40})\.[\w-]{16,}$/.exec(secret)?.[1];
}

function pick(keys: RotationKeys, prefer: ReadonlyArray<keyof RotationKeys>): Credential {
  for (const k of prefer) if (keys[k]) return keys[k]!;
  throw new LifecycleError(`no SendGrid key to act with: set ${SENDGRID_ADMIN.env}`);
}

async function deleteKey(ctx: LifecycleContext, as: Credential, id: string): Promise<'deleted' | 'gone'> {
  const res = await ctx.http(as).request({ method: 'DELETE', path: `/v3/api_keys/${encodeURIComponent(id)}`, headers: bearer(as.secret) });
  if (res.status === 404) return 'gone';
  expectStatus(res, [204, 200], 'SendGrid API key deletion');
  return 'deleted';
}

export async function sendgridRevoke(self: Self, cred: Credential, ctx: LifecycleContext, opts: RevokeOptions): Promise<LifecycleOutcome> {
  const id = sendgridKeyId(cred.secret);
  if (!id) return { done: false, blocked: true, calls: [], reason: 'the key does not have the SG.<id>.<secret> form, so its id is unknown' };
  const admin = adminCredential(SENDGRID_ADMIN, ctx.env, cred);
  const who = admin ? ADMIN_LABEL : LEAKED_KEY;
  const base = baseFor(self, ctx.env);
  const calls = [
    call('GET', `${base}/v3/api_keys/{this key's id}`, "confirm the key's own id (from the key itself)", who),
    call('DELETE', `${base}/v3/api_keys/{this key's id}`, 'delete the key', who),
  ];
  if (opts.dryRun) return { done: false, calls };
  const as = admin ?? cred;
  const res = await ctx.http(as).request({ method: 'GET', path: `/v3/api_keys/${encodeURIComponent(id)}`, headers: bearer(as.secret) });
  if (res.status === 404) return { done: true, calls, reason: 'SendGrid has no key with this id: already deleted' };
  if (res.status === 401 && !admin) return { done: true, calls, reason: 'SendGrid no longer accepts the key (401)' };
  if (res.status === 403) throw new LifecycleError(`${admin ? 'the admin key' : 'the leaked key'} lacks the api_keys scopes (HTTP 403); set ${SENDGRID_ADMIN.env} to a key that has them`, 403);
  expectStatus(res, [200], 'SendGrid API key lookup');
  if (str(jsonObject(res).api_key_id) !== id) throw new LifecycleError('SendGrid answered for a different key id; nothing deleted');
  const out = await deleteKey(ctx, as, id);
  return { done: true, calls, ...(out === 'gone' ? { reason: 'already deleted' } : {}) };
}

export function sendgridRotator(self: Self): Rotator {
  return {
    parts: ['secret'],
    unsupported: (old) => (sendgridKeyId(old.secret) ? undefined : 'the key does not have the SG.<id>.<secret> form, so its id is unknown'),
    plan(old, env) {
      const admin = adminCredential(SENDGRID_ADMIN, env, old) !== undefined;
      const base = baseFor(self, env);
      return [
        call('GET', `${base}/v3/api_keys/{this key's id}`, "read the key's name and scopes", admin ? ADMIN_LABEL : LEAKED_KEY),
        call('POST', `${base}/v3/api_keys`, 'create the replacement with the same scopes', admin ? ADMIN_LABEL : LEAKED_KEY),
        call('GET', `${base}/v3/scopes`, 'check that the new key works', NEW_KEY),
        call('DELETE', `${base}/v3/api_keys/{this key's id}`, 'delete the old key', admin ? ADMIN_LABEL : NEW_KEY),
      ];
    },
    async prepare(keys, ctx, ) {
      const old = keys.old!;
      const id = sendgridKeyId(old.secret)!;
      const as = pick(keys, ['admin', 'old']);
      const res = await ctx.http(as).request({ method: 'GET', path: `/v3/api_keys/${encodeURIComponent(id)}`, headers: bearer(as.secret) });
      expectStatus(res, [200], 'SendGrid API key lookup');
      const b = jsonObject(res);
      if (str(b.api_key_id) !== id) throw new LifecycleError('SendGrid answered for a different key id');
      const scopes = Array.isArray(b.scopes) ? b.scopes.filter((s): s is string => typeof s === 'string') : [];
      return { oldKeyId: id, name: str(b.name) ?? 'api key', scopes };
    },
    async create(keys, ctx, state) {
      const as = pick(keys, ['admin', 'old']);
      const res = await ctx.http(as).request({
        method: 'POST',
        path: '/v3/api_keys',
        headers: { ...bearer(as.secret), 'content-type': 'application/json' },
        body: JSON.stringify({ name: `${String(state.name).slice(0, 60)} (keywarden ${state.rotationId})`, scopes: state.scopes }),
      });
      expectStatus(res, [201], 'SendGrid API key creation');
      const b = jsonObject(res);
      const secret = str(b.api_key);
      const id = str(b.api_key_id);
      if (!secret || !id) throw new LifecycleError('SendGrid created a key but sent no key');
      return { id, secret, parts: {} };
    },
    async findOrphan(keys, ctx, state) {
      const as = pick(keys, ['admin', 'old']);
      const res = await ctx.http(as).request({ method: 'GET', path: '/v3/api_keys?limit=500', headers: bearer(as.secret) });
      expectStatus(res, [200], 'SendGrid API key list');
      const result = jsonObject(res).result;
      const mine = Array.isArray(result) ? result.find((k) => String((k as { name?: unknown }).name ?? '').includes(`(keywarden ${state.rotationId})`)) : undefined;
      return str((mine as { api_key_id?: unknown } | undefined)?.api_key_id);
    },
    async verifyNew(keys, ctx) {
      const res = await ctx.http(keys.new).request({ method: 'GET', path: '/v3/scopes', headers: bearer(keys.new.secret) });
      return res.status === 200 ? { ok: true } : { ok: false, reason: `GET /v3/scopes with the new key -> HTTP ${res.status}` };
    },
    async disableOld(keys, ctx, state) {
      await deleteKey(ctx, pick(keys, ['admin', 'new']), state.oldKeyId as string);
    },
    async deleteNew(keys, ctx, _state, newId) {
      await deleteKey(ctx, pick(keys, ['admin', 'old', 'new']), newId);
    },
  };
}
