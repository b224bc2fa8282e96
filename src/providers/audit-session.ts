// audit: for each live key, what its provider says about it (owner, scopes, age, last use), held
// against a policy: older than maxAgeDays, unused that long, never expiring, or over-privileged.
import { KeywardenError } from '../errors.js';
import type { Finding } from '../types.js';
import { ProviderCallError } from './http-client.js';
import { credentialIdentity, openLifecycleSession, selectFindings, type LifecycleSessionOptions } from './lifecycle-session.js';
import { lifecycleContext, LifecycleError } from './lifecycle.js';
import type { KeyDescription } from './types.js';

export const DEFAULT_MAX_AGE_DAYS = 90;

/** Scopes that give a key far more than an application usually needs. */
const BROAD_SCOPES: Record<string, readonly string[]> = {
  github: ['repo', 'admin:org', 'delete_repo', 'admin:enterprise', 'admin:repo_hook', 'admin:org_hook', 'admin:public_key', 'admin:gpg_key', 'write:packages', 'delete:packages', 'site_admin', 'workflow', 'user'],
  gitlab: ['api', 'sudo', 'admin_mode', 'write_repository', 'write_registry', 'manage_runner'],
};

export type AuditFlag = 'too-old' | 'unused' | 'no-expiry' | 'over-privileged' | 'expired' | 'inactive';

export interface AuditItem {
  fingerprints: string[];
  ruleId: string;
  provider: string;
  file: string;
  line: number;
  status: 'described' | 'not-described' | 'error';
  description?: KeyDescription;
  ageDays?: number;
  lastUsedDaysAgo?: number;
  flags: AuditFlag[];
  broadScopes?: string[];
  recommendation: string;
  reason?: string;
}

export interface AuditSessionOptions extends LifecycleSessionOptions {
  maxAgeDays: number;
  fingerprints?: readonly string[];
  now?: () => Date;
}

export async function auditFindings(findings: readonly Finding[], opts: AuditSessionOptions): Promise<{ items: AuditItem[]; auditLog?: string }> {
  const chosen = selectFindings(findings, opts.fingerprints, (f) => f.verification?.status !== 'invalid');
  const session = openLifecycleSession(findings, opts);
  const now = (opts.now ?? (() => new Date()))().getTime();
  const items: AuditItem[] = [];
  const seen = new Map<string, AuditItem>();
  for (const f of chosen) {
    const resolved = await session.resolve(f);
    const base = { fingerprints: [f.fingerprint], ruleId: f.ruleId, provider: resolved.provider?.id ?? f.provider, file: f.file, line: f.line, flags: [] as AuditFlag[] };
    if ('reason' in resolved) {
      items.push({ ...base, status: 'not-described', reason: resolved.reason, recommendation: 'check it by hand' });
      continue;
    }
    const { provider, cred } = resolved;
    const id = credentialIdentity(provider, cred);
    if (seen.has(id)) {
      seen.get(id)!.fingerprints.push(f.fingerprint);
      continue;
    }
    if (!provider.describe) {
      const item: AuditItem = { ...base, status: 'not-described', reason: `keywarden cannot read ${provider.name} key metadata`, recommendation: "check its age and scopes in the provider's console" };
      items.push(item);
      seen.set(id, item);
      continue;
    }
    let item: AuditItem;
    try {
      const d = await provider.describe(cred, lifecycleContext(session.client, provider, cred, opts.env, 'describe'));
      item = assess({ ...base, status: 'described', description: d, recommendation: '' }, provider.id, opts.maxAgeDays, now);
    } catch (err) {
      if (err instanceof KeywardenError) throw err;
      const reason = err instanceof LifecycleError || err instanceof ProviderCallError ? err.message : `${provider.name}: ${(err as Error)?.message ?? String(err)}`;
      item = { ...base, status: 'error', reason, recommendation: 'run audit again' };
    }
    session.audit.record({
      time: new Date().toISOString(),
      action: 'describe',
      provider: provider.id,
      fingerprint: cred.fingerprint,
      secretHash: cred.secretHash,
      result: item.status,
      ...(item.flags.length ? { detail: item.flags.join(', ') } : item.reason ? { detail: item.reason } : {}),
    });
    items.push(item);
    seen.set(id, item);
  }
  await session.audit.flush();
  return { items, ...(session.auditLog ? { auditLog: session.auditLog } : {}) };
}

function daysBetween(iso: string | undefined, now: number): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : Math.floor((now - t) / 86_400_000);
}

/** Flags and a recommendation from the description and the policy. */
export function assess(item: AuditItem, providerId: string, maxAgeDays: number, now: number): AuditItem {
  const d = item.description!;
  if (d.evidence.httpStatus !== undefined && d.evidence.httpStatus >= 400 && !d.scopes && !d.createdAt) {
    return { ...item, status: 'not-described', reason: d.evidence.reason ?? `HTTP ${d.evidence.httpStatus}`, recommendation: d.evidence.httpStatus === 401 ? 'the provider no longer accepts the key: nothing to do' : 'check it by hand' };
  }
  const flags: AuditFlag[] = [];
  const ageDays = daysBetween(d.createdAt, now);
  const lastUsedDaysAgo = daysBetween(d.lastUsedAt, now);
  if (d.active === false) flags.push('inactive');
  if (ageDays !== undefined && ageDays > maxAgeDays) flags.push('too-old');
  if (lastUsedDaysAgo !== undefined && lastUsedDaysAgo > maxAgeDays) flags.push('unused');
  if (d.expiresAt && Date.parse(d.expiresAt) < now) flags.push('expired');
  if (!d.expiresAt && (providerId === 'github' || providerId === 'gitlab') && d.active !== false) flags.push('no-expiry');
  const broad = (d.scopes ?? []).filter((s) => BROAD_SCOPES[providerId]?.includes(s));
  if (broad.length > 0) flags.push('over-privileged');
  const advice: string[] = [];
  if (flags.includes('inactive')) advice.push('it is inactive: delete it');
  else if (flags.includes('unused')) advice.push(`unused for ${lastUsedDaysAgo} days: revoke it (keywarden revoke)`);
  else if (flags.includes('too-old')) advice.push(`${ageDays} days old, over the ${maxAgeDays}-day policy: rotate it (keywarden rotate)`);
  if (flags.includes('over-privileged')) {
    advice.push(
      providerId === 'github'
        ? `scopes ${broad.join(', ')} reach far beyond one application: replace it with a fine-grained token limited to the repositories and permissions it needs`
        : `scopes ${broad.join(', ')} are broad: replace it with a token scoped to what it needs (e.g. read_api, read_repository)`,
    );
  }
  if (flags.includes('no-expiry')) advice.push('it never expires: give its replacement an expiry date');
  if (flags.includes('expired')) advice.push('it has expired: remove it from where it is used');
  if (item.ruleId === 'aws-access-key-id' || providerId === 'aws') {
    if (!d.createdAt && !d.lastUsedAt) advice.push('IAM metadata unavailable: set KEYWARDEN_AWS_ADMIN_* to read age and last use');
  }
  return {
    ...item,
    flags,
    ...(ageDays !== undefined ? { ageDays } : {}),
    ...(lastUsedDaysAgo !== undefined ? { lastUsedDaysAgo } : {}),
    ...(broad.length ? { broadScopes: broad } : {}),
    recommendation: advice.length > 0 ? advice.join('; ') : 'within policy: no action',
  };
}
