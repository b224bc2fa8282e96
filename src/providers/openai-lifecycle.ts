// OpenAI through the Admin API (admin key from $OPENAI_ADMIN_KEY): find THIS key by its masked
// value (unique match or nothing), delete it; rotate service-account keys by adding a key to the
// same service account. User keys cannot be created through the API.
import { adminCredential, adminLabel, matchesMaskedKey } from './admin-credentials.js';
import { baseFor, call, expectStatus, LifecycleError, NEW_KEY } from './lifecycle.js';
import { bearer, jsonObject, str } from './outcome.js';
import type { AdminSpec, Credential, LifecycleContext, LifecycleOutcome, Provider, RevokeOptions, Rotator } from './types.js';

export const OPENAI_ADMIN: AdminSpec = { env: 'OPENAI_ADMIN_KEY' };
const ADMIN_LABEL = adminLabel(OPENAI_ADMIN);
const MAX_PAGES = 50;

type Self = Pick<Provider, 'id' | 'defaultEndpoint'>;

interface Located {
  /** undefined for an organization admin key. */
  projectId?: string;
  keyId: string;
  ownerType?: string;
  serviceAccountId?: string;
}

/** Every item of a paginated list (data, has_more, last_id; ?after=). */
async function listAll(ctx: LifecycleContext, admin: Credential, path: string): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await ctx.http(admin).request({ method: 'GET', path: `${path}?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`, headers: bearer(admin.secret) });
    expectStatus(res, [200], `OpenAI ${path.split('?')[0]}`);
    const b = jsonObject(res);
    if (Array.isArray(b.data)) out.push(...(b.data as Array<Record<string, unknown>>));
    after = b.has_more === true ? str(b.last_id) : undefined;
    if (!after) break;
  }
  return out;
}

async function locate(ctx: LifecycleContext, admin: Credential, cred: Credential): Promise<Located> {
  const hits: Located[] = [];
  if (cred.ruleId === 'openai-admin-api-key') {
    for (const k of await listAll(ctx, admin, '/v1/organization/admin_api_keys')) {
      if (typeof k.redacted_value === 'string' && matchesMaskedKey(cred.secret, k.redacted_value) && str(k.id)) hits.push({ keyId: str(k.id)! });
    }
  } else {
    for (const p of await listAll(ctx, admin, '/v1/organization/projects')) {
      const projectId = str(p.id);
      if (!projectId) continue;
      for (const k of await listAll(ctx, admin, `/v1/organization/projects/${encodeURIComponent(projectId)}/api_keys`)) {
        if (typeof k.redacted_value !== 'string' || !matchesMaskedKey(cred.secret, k.redacted_value) || !str(k.id)) continue;
        const owner = (k.owner ?? {}) as { type?: unknown; service_account?: { id?: unknown } };
        hits.push({ projectId, keyId: str(k.id)!, ownerType: str(owner.type), serviceAccountId: str(owner.service_account?.id) });
      }
    }
  }
  if (hits.length === 0) throw new LifecycleError('no key in the organization matches this key (checked by its masked value): already deleted, or another organization');
  if (hits.length > 1) throw new LifecycleError(`${hits.length} keys in the organization have the same masked value; not guessing which one is this key`);
  return hits[0]!;
}

function keyPath(l: Pick<Located, 'projectId' | 'keyId'>): string {
  return l.projectId ? `/v1/organization/projects/${encodeURIComponent(l.projectId)}/api_keys/${encodeURIComponent(l.keyId)}` : `/v1/organization/admin_api_keys/${encodeURIComponent(l.keyId)}`;
}

async function deleteKey(ctx: LifecycleContext, admin: Credential, l: Pick<Located, 'projectId' | 'keyId'>): Promise<'deleted' | 'gone'> {
  const res = await ctx.http(admin).request({ method: 'DELETE', path: keyPath(l), headers: bearer(admin.secret) });
  if (res.status === 404) return 'gone';
  expectStatus(res, [200, 204], 'OpenAI key deletion');
  return 'deleted';
}

function needAdmin(env: NodeJS.ProcessEnv, cred: Credential): Credential {
  const admin = adminCredential(OPENAI_ADMIN, env, cred);
  if (!admin) throw new LifecycleError(`OpenAI keys are managed with an admin key: set ${OPENAI_ADMIN.env}`);
  return admin;
}

export async function openaiRevoke(self: Self, cred: Credential, ctx: LifecycleContext, opts: RevokeOptions): Promise<LifecycleOutcome> {
  const base = baseFor(self, ctx.env);
  const isAdminKey = cred.ruleId === 'openai-admin-api-key';
  const calls = isAdminKey
    ? [
        call('GET', `${base}/v1/organization/admin_api_keys`, 'find this admin key by its masked value', ADMIN_LABEL),
        call('DELETE', `${base}/v1/organization/admin_api_keys/{key id}`, 'delete the key', ADMIN_LABEL),
      ]
    : [
        call('GET', `${base}/v1/organization/projects`, 'list projects', ADMIN_LABEL),
        call('GET', `${base}/v1/organization/projects/{project}/api_keys`, 'find this key by its masked value (a unique match, or nothing is deleted)', ADMIN_LABEL),
        call('DELETE', `${base}/v1/organization/projects/{project}/api_keys/{key id}`, 'delete the key', ADMIN_LABEL),
      ];
  const admin = adminCredential(OPENAI_ADMIN, ctx.env, cred);
  if (!admin) return { done: false, blocked: true, calls, reason: `needs an admin key: set ${OPENAI_ADMIN.env}` };
  if (opts.dryRun) return { done: false, calls };
  const l = await locate(ctx, admin, cred);
  const out = await deleteKey(ctx, admin, l);
  return { done: true, calls, ...(out === 'gone' ? { reason: 'already deleted' } : {}) };
}

export function openaiRotator(self: Self): Rotator {
  return {
    parts: ['secret'],
    unsupported(old, env) {
      if (old.ruleId === 'openai-admin-api-key') return 'admin keys cannot be created through the API; create one in the dashboard, then revoke this one';
      if (!adminCredential(OPENAI_ADMIN, env, old)) return `OpenAI keys are rotated with an admin key: set ${OPENAI_ADMIN.env}`;
      return undefined;
    },
    plan(_old, env) {
      const base = baseFor(self, env);
      return [
        call('GET', `${base}/v1/organization/projects`, 'list projects', ADMIN_LABEL),
        call('GET', `${base}/v1/organization/projects/{project}/api_keys`, 'find this key (it must belong to a service account)', ADMIN_LABEL),
        call('POST', `${base}/v1/organization/projects/{project}/service_accounts/{service account}/api_keys`, 'create the replacement for the same service account', ADMIN_LABEL),
        call('GET', `${base}/v1/models`, 'check that the new key works', NEW_KEY),
        call('DELETE', `${base}/v1/organization/projects/{project}/api_keys/{old key id}`, 'delete the old key', ADMIN_LABEL),
      ];
    },
    async prepare(keys, ctx) {
      const admin = keys.admin ?? needAdmin(ctx.env, keys.old!);
      const l = await locate(ctx, admin, keys.old!);
      if (l.ownerType !== 'service_account' || !l.serviceAccountId) {
        throw new LifecycleError('this key belongs to a user; the Admin API only creates service account keys. Create a new key in the dashboard, then revoke this one');
      }
      return { projectId: l.projectId, oldKeyId: l.keyId, serviceAccountId: l.serviceAccountId };
    },
    async create(keys, ctx, state) {
      const admin = keys.admin ?? needAdmin(ctx.env, keys.old!);
      const res = await ctx.http(admin).request({
        method: 'POST',
        path: `/v1/organization/projects/${encodeURIComponent(String(state.projectId))}/service_accounts/${encodeURIComponent(String(state.serviceAccountId))}/api_keys`,
        headers: { ...bearer(admin.secret), 'content-type': 'application/json' },
        body: JSON.stringify({ name: `keywarden ${state.rotationId}` }),
      });
      expectStatus(res, [200, 201], 'OpenAI service account key creation');
      const b = jsonObject(res);
      const secret = str(b.value);
      const id = str(b.id);
      if (!secret || !id) throw new LifecycleError('OpenAI created a key but sent no key');
      return { id, secret, parts: {} };
    },
    async findOrphan(keys, ctx, state) {
      const admin = keys.admin ?? needAdmin(ctx.env, keys.old!);
      const list = await listAll(ctx, admin, `/v1/organization/projects/${encodeURIComponent(String(state.projectId))}/api_keys`);
      return str(list.find((k) => k.name === `keywarden ${state.rotationId}`)?.id);
    },
    async verifyNew(keys, ctx) {
      const res = await ctx.http(keys.new).request({ method: 'GET', path: '/v1/models', headers: bearer(keys.new.secret) });
      return res.status === 200 ? { ok: true } : { ok: false, reason: `GET /v1/models with the new key -> HTTP ${res.status}` };
    },
    async disableOld(keys, ctx, state) {
      const admin = keys.admin ?? needAdmin(ctx.env, keys.new ?? keys.old!);
      await deleteKey(ctx, admin, { projectId: state.projectId as string, keyId: state.oldKeyId as string });
    },
    async deleteNew(keys, ctx, state, newId) {
      const admin = keys.admin ?? needAdmin(ctx.env, keys.new ?? keys.old!);
      await deleteKey(ctx, admin, { projectId: state.projectId as string, keyId: newId });
    },
  };
}
