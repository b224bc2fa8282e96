// AWS access keys through IAM: revoke (UpdateAccessKey Inactive, then DeleteAccessKey), rotation
// (CreateAccessKey, check with STS, retire the old key) and describe (age, last use). Acts with an
// admin credential from KEYWARDEN_AWS_ADMIN_* when set, else with a key of the same user (the
// leaked one, or after rotation the new one), which needs IAM permissions on its own user.
import { adminCredential, adminLabel } from './admin-credentials.js';
import { iam, parseAccessKeys, queryAction, userNameFromArn, xmlTag, IAM_BASE } from './aws-iam.js';
import { baseFor, call, LEAKED_KEY, LifecycleError, NEW_KEY } from './lifecycle.js';
import type { AdminSpec, Credential, KeyDescription, LifecycleContext, LifecycleOutcome, PlannedCall, Provider, RevokeOptions, Rotator, RotationKeys, RotationState } from './types.js';

export const AWS_ADMIN: AdminSpec = {
  env: 'KEYWARDEN_AWS_ADMIN_SECRET_ACCESS_KEY',
  parts: { accessKeyId: 'KEYWARDEN_AWS_ADMIN_ACCESS_KEY_ID', sessionToken: 'KEYWARDEN_AWS_ADMIN_SESSION_TOKEN' },
  optional: ['sessionToken'],
};
const ADMIN_LABEL = adminLabel(AWS_ADMIN, 'admin credential');
const TEMPORARY = 'a temporary (ASIA) key is an STS session credential: it cannot be deactivated or rotated; revoke the role\'s active sessions instead';

type Self = Pick<Provider, 'id' | 'defaultEndpoint'>;

function iamUrl(self: Self, env: NodeJS.ProcessEnv, action: string): string {
  return `${baseFor(self, env, IAM_BASE)}/ (${action})`;
}

/** NoSuchEntity: the key is already gone, which is what a delete or deactivate wants. */
function isGone(err: unknown): boolean {
  return err instanceof LifecycleError && err.httpStatus === 404;
}

async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isGone(err)) throw err;
  }
}

/** The user the leaked key belongs to, as admin calls need it (GetAccessKeyLastUsed names it). */
async function userOf(ctx: LifecycleContext, admin: Credential, accessKeyId: string): Promise<string> {
  const xml = await iam(ctx.http(admin), admin, 'GetAccessKeyLastUsed', { AccessKeyId: accessKeyId });
  const user = xmlTag(xml, 'UserName');
  if (!user) throw new LifecycleError('IAM GetAccessKeyLastUsed named no user for the key (a root access key?)');
  return user;
}

export async function awsRevoke(self: Self, cred: Credential, ctx: LifecycleContext, opts: RevokeOptions): Promise<LifecycleOutcome> {
  const keyId = cred.parts.accessKeyId!;
  if (keyId.startsWith('ASIA')) return { done: false, blocked: true, calls: [], reason: TEMPORARY };
  const admin = adminCredential(AWS_ADMIN, ctx.env, cred);
  const who = admin ? ADMIN_LABEL : LEAKED_KEY;
  const calls: PlannedCall[] = [];
  if (admin) calls.push(call('POST', iamUrl(self, ctx.env, 'GetAccessKeyLastUsed'), 'find the IAM user the key belongs to', who));
  calls.push(call('POST', iamUrl(self, ctx.env, 'UpdateAccessKey'), 'set the key Inactive (reversible)', who));
  const deleting = admin !== undefined && !opts.deactivateOnly;
  if (deleting) calls.push(call('POST', iamUrl(self, ctx.env, 'DeleteAccessKey'), 'delete the key', who));
  const note = opts.deactivateOnly
    ? 'left Inactive (--deactivate-only); delete it once nothing breaks'
    : admin
      ? undefined
      : `acting with the leaked key itself, which cannot delete itself once inactive; set ${AWS_ADMIN.parts!.accessKeyId} and ${AWS_ADMIN.env} to delete it`;
  if (opts.dryRun) return { done: false, calls, ...(note ? { reason: note } : {}) };

  const actor = admin ?? cred;
  try {
    const user = admin ? await userOf(ctx, admin, keyId) : undefined;
    await iam(ctx.http(actor), actor, 'UpdateAccessKey', { AccessKeyId: keyId, Status: 'Inactive', UserName: user });
    if (deleting) await ignoreGone(iam(ctx.http(actor), actor, 'DeleteAccessKey', { AccessKeyId: keyId, UserName: user }));
  } catch (err) {
    // the key cannot sign in any more: someone deleted or deactivated it already
    if (!admin && err instanceof LifecycleError && /InvalidClientTokenId/.test(err.message)) {
      return { done: true, calls, reason: 'AWS no longer accepts the key (InvalidClientTokenId): already deleted' };
    }
    if (isGone(err)) return { done: true, calls, reason: 'the key no longer exists (NoSuchEntity)' };
    throw err;
  }
  return { done: true, calls, ...(note ? { reason: note } : {}) };
}

export async function awsDescribe(self: Self, cred: Credential, ctx: LifecycleContext): Promise<KeyDescription> {
  const keyId = cred.parts.accessKeyId!;
  const admin = adminCredential(AWS_ADMIN, ctx.env, cred);
  const actor = admin ?? cred;
  const out: KeyDescription = { kind: keyId.startsWith('ASIA') ? 'temporary session key' : 'IAM user access key', evidence: {} };
  if (keyId.startsWith('ASIA')) return { ...out, evidence: { reason: 'temporary keys have no IAM metadata' } };
  const used = await queryAction(ctx.http(actor), 'iam', actor, 'GetAccessKeyLastUsed', { AccessKeyId: keyId });
  out.evidence = { endpoint: used.endpoint, httpStatus: used.status };
  if (used.status !== 200) {
    out.evidence.reason = `IAM GetAccessKeyLastUsed -> HTTP ${used.status}${xmlTag(used.text, 'Code') ? ` (${xmlTag(used.text, 'Code')})` : ''}; ${admin ? 'the admin credential' : 'the key'} may lack iam:GetAccessKeyLastUsed`;
    return out;
  }
  const user = xmlTag(used.text, 'UserName');
  if (user) out.owner = `IAM user ${user}`;
  const lastUsed = xmlTag(used.text, 'LastUsedDate');
  if (lastUsed) out.lastUsedAt = lastUsed;
  const list = await queryAction(ctx.http(actor), 'iam', actor, 'ListAccessKeys', { UserName: admin ? user : undefined });
  if (list.status === 200) {
    const me = parseAccessKeys(list.text).find((k) => k.accessKeyId === keyId);
    if (me?.createDate) out.createdAt = me.createDate;
    if (me) out.active = me.status === 'Active';
  }
  return out;
}

/** The first credential available in order of preference, or an error naming the admin variables. */
function actor(keys: RotationKeys, prefer: ReadonlyArray<keyof RotationKeys>, what: string): Credential {
  for (const k of prefer) if (keys[k]) return keys[k]!;
  throw new LifecycleError(`no credential to ${what} with: set ${AWS_ADMIN.parts!.accessKeyId} and ${AWS_ADMIN.env}`);
}

export function awsRotator(self: Self): Rotator {
  const userParam = (keys: RotationKeys, state: RotationState): string | undefined => (keys.admin ? (state.userName as string | undefined) : undefined);
  return {
    parts: ['accessKeyId', 'secret'],
    unsupported: (old) => (old.parts.accessKeyId?.startsWith('ASIA') ? TEMPORARY : undefined),
    plan(old, env) {
      const admin = adminCredential(AWS_ADMIN, env, old) !== undefined;
      const first = admin ? ADMIN_LABEL : LEAKED_KEY;
      const after = admin ? ADMIN_LABEL : NEW_KEY;
      const sts = `${baseFor(self, env, 'https://sts.amazonaws.com')}/ (GetCallerIdentity)`;
      return [
        ...(admin ? [call('POST', iamUrl(self, env, 'GetAccessKeyLastUsed'), 'find the IAM user the key belongs to', first)] : [call('POST', sts, 'find the IAM user the key belongs to', LEAKED_KEY)]),
        call('POST', iamUrl(self, env, 'ListAccessKeys'), "list the user's keys (AWS allows two)", first),
        call('POST', iamUrl(self, env, 'CreateAccessKey'), 'create the replacement key', first),
        call('POST', sts, 'check that the new key works and belongs to the same user', NEW_KEY),
        call('POST', iamUrl(self, env, 'UpdateAccessKey'), 'set the old key Inactive', after),
        call('POST', iamUrl(self, env, 'DeleteAccessKey'), 'delete the old key after the grace period', after),
      ];
    },
    async prepare(keys, ctx) {
      const old = keys.old!;
      const keyId = old.parts.accessKeyId!;
      let userName: string | undefined;
      let arn: string | undefined;
      if (keys.admin) {
        userName = await userOf(ctx, keys.admin, keyId);
      } else {
        const res = await queryAction(ctx.http(old), 'sts', old, 'GetCallerIdentity');
        if (res.status !== 200) throw new LifecycleError(`STS GetCallerIdentity -> HTTP ${res.status}: the leaked key does not work, so there is nothing to rotate`, res.status);
        arn = xmlTag(res.text, 'Arn');
        userName = userNameFromArn(arn);
        if (!userName) throw new LifecycleError(`the key belongs to ${arn ?? 'an unknown principal'}, not an IAM user: rotate it with an admin credential`);
      }
      const who = actor(keys, ['admin', 'old'], 'list keys');
      const existing = parseAccessKeys(await iam(ctx.http(who), who, 'ListAccessKeys', { UserName: keys.admin ? userName : undefined }));
      if (!existing.some((k) => k.accessKeyId === keyId)) throw new LifecycleError(`IAM user ${userName} has no access key with the leaked key's ID`);
      if (existing.length >= 2) {
        throw new LifecycleError(`IAM user ${userName} already has ${existing.length} access keys, the most AWS allows; delete the one that is not in use, then rotate again`);
      }
      return { userName, oldKeyId: keyId, existingKeys: existing.map((k) => k.accessKeyId), ...(arn ? { arn } : {}) };
    },
    async create(keys, ctx, state) {
      const who = actor(keys, ['admin', 'old'], 'create a key');
      const xml = await iam(ctx.http(who), who, 'CreateAccessKey', { UserName: userParam(keys, state) });
      const id = xmlTag(xml, 'AccessKeyId');
      const secret = xmlTag(xml, 'SecretAccessKey');
      if (!id || !secret) throw new LifecycleError('IAM CreateAccessKey answered without a key');
      return { id, secret, parts: { accessKeyId: id } };
    },
    async findOrphan(keys, ctx, state) {
      const who = actor(keys, ['admin', 'old'], 'list keys');
      const now = parseAccessKeys(await iam(ctx.http(who), who, 'ListAccessKeys', { UserName: userParam(keys, state) }));
      const known = new Set(state.existingKeys as string[]);
      return now.find((k) => !known.has(k.accessKeyId))?.accessKeyId;
    },
    async verifyNew(keys, ctx, state) {
      const res = await queryAction(ctx.http(keys.new), 'sts', keys.new, 'GetCallerIdentity');
      if (res.status !== 200) return { ok: false, reason: `STS GetCallerIdentity with the new key -> HTTP ${res.status}${xmlTag(res.text, 'Code') ? ` (${xmlTag(res.text, 'Code')})` : ''}` };
      const user = userNameFromArn(xmlTag(res.text, 'Arn'));
      if (state.userName && user !== state.userName) return { ok: false, reason: `the new key belongs to ${user ?? 'another principal'}, not IAM user ${state.userName}` };
      return { ok: true };
    },
    async disableOld(keys, ctx, state) {
      const who = actor(keys, ['admin', 'new', 'old'], 'deactivate the old key');
      await ignoreGone(iam(ctx.http(who), who, 'UpdateAccessKey', { AccessKeyId: state.oldKeyId as string, Status: 'Inactive', UserName: userParam(keys, state) }));
    },
    async deleteOld(keys, ctx, state) {
      const who = actor(keys, ['admin', 'new'], 'delete the old key');
      await ignoreGone(iam(ctx.http(who), who, 'DeleteAccessKey', { AccessKeyId: state.oldKeyId as string, UserName: userParam(keys, state) }));
    },
    async deleteNew(keys, ctx, state, newId) {
      const who = actor(keys, ['admin', 'old', 'new'], 'delete the new key');
      await ignoreGone(iam(ctx.http(who), who, 'DeleteAccessKey', { AccessKeyId: newId, UserName: userParam(keys, state) }));
    },
  };
}
