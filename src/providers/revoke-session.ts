// revoke: each chosen finding's key, resolved to its provider and credential, revoked through the
// provider's API (GitHub's in batches). A dry run makes no call at all and lists the calls it would make.
import { KeywardenError } from '../errors.js';
import type { Finding } from '../types.js';
import { ProviderCallError } from './http-client.js';
import { credentialIdentity, openLifecycleSession, selectFindings, type LifecycleSessionOptions } from './lifecycle-session.js';
import { lifecycleContext, LifecycleError } from './lifecycle.js';
import type { Credential, LifecycleOutcome, PlannedCall, Provider, RevokeOptions } from './types.js';

export type RevokeStatus = 'planned' | 'revoked' | 'skipped' | 'failed';

export interface RevokeItem {
  /** Every finding that shows this key. */
  fingerprints: string[];
  ruleId: string;
  provider: string;
  file: string;
  line: number;
  status: RevokeStatus;
  calls: PlannedCall[];
  reason?: string;
}

export interface RevokeSessionOptions extends LifecycleSessionOptions {
  dryRun: boolean;
  fingerprints?: readonly string[];
  deactivateOnly?: boolean;
}

export interface RevokeResult {
  items: RevokeItem[];
  auditLog?: string;
}

interface Target {
  item: RevokeItem;
  provider: Provider;
  cred: Credential;
}

export async function revokeFindings(findings: readonly Finding[], opts: RevokeSessionOptions): Promise<RevokeResult> {
  // without fingerprints: every finding not already known to be dead
  const chosen = selectFindings(findings, opts.fingerprints, (f) => f.verification?.status !== 'invalid');
  const session = openLifecycleSession(findings, opts);
  const items: RevokeItem[] = [];
  const targets = new Map<string, Target>();
  for (const f of chosen) {
    const resolved = await session.resolve(f);
    const base = { fingerprints: [f.fingerprint], ruleId: f.ruleId, provider: resolved.provider?.id ?? f.provider, file: f.file, line: f.line, calls: [] };
    if ('reason' in resolved) {
      items.push({ ...base, status: 'skipped', reason: resolved.reason });
      continue;
    }
    const key = credentialIdentity(resolved.provider, resolved.cred);
    const same = targets.get(key);
    if (same) {
      same.item.fingerprints.push(f.fingerprint);
      continue;
    }
    const item: RevokeItem = { ...base, status: 'planned' };
    items.push(item);
    targets.set(key, { item, provider: resolved.provider, cred: resolved.cred });
  }

  const revokeOpts: RevokeOptions = { dryRun: opts.dryRun, deactivateOnly: opts.deactivateOnly };
  const settle = (t: Target, outcome: LifecycleOutcome): void => {
    t.item.calls = outcome.calls;
    if (outcome.reason) t.item.reason = outcome.reason;
    t.item.status = opts.dryRun ? (outcome.blocked ? 'skipped' : 'planned') : outcome.done ? 'revoked' : 'skipped';
  };
  const fail = (t: Target, err: unknown): void => {
    if (err instanceof KeywardenError) throw err;
    t.item.status = 'failed';
    t.item.reason = err instanceof LifecycleError || err instanceof ProviderCallError ? err.message : `${t.provider.name}: ${(err as Error)?.message ?? String(err)}`;
  };

  // batches first (GitHub: up to 1000 tokens a request, 60 requests an hour)
  const batched = new Map<Provider, Target[]>();
  const single: Target[] = [];
  for (const t of targets.values()) {
    if (t.provider.revokeBatch?.accepts(t.cred)) batched.set(t.provider, [...(batched.get(t.provider) ?? []), t]);
    else single.push(t);
  }
  for (const [provider, list] of batched) {
    const batch = provider.revokeBatch!;
    for (let i = 0; i < list.length; i += batch.max) {
      const chunk = list.slice(i, i + batch.max);
      const ctx = lifecycleContext(session.client, provider, chunk[0]!.cred, opts.env, 'revoke');
      try {
        const outcome = await batch.run(chunk.map((t) => t.cred), ctx, revokeOpts);
        for (const t of chunk) settle(t, outcome);
      } catch (err) {
        for (const t of chunk) fail(t, err);
      }
    }
  }
  for (const t of single) {
    if (!t.provider.revoke) {
      t.item.status = 'skipped';
      t.item.reason = `keywarden cannot revoke ${t.provider.name} keys through an API; revoke it in the provider's console`;
      continue;
    }
    try {
      settle(t, await t.provider.revoke(t.cred, lifecycleContext(session.client, t.provider, t.cred, opts.env, 'revoke'), revokeOpts));
    } catch (err) {
      fail(t, err);
    }
  }
  if (!opts.dryRun) {
    for (const t of targets.values()) {
      session.audit.record({
        time: new Date().toISOString(),
        action: 'revoke',
        provider: t.provider.id,
        fingerprint: t.cred.fingerprint,
        secretHash: t.cred.secretHash,
        result: t.item.status,
        ...(t.item.reason ? { detail: t.item.reason } : {}),
      });
    }
  }
  await session.audit.flush();
  return { items, ...(session.auditLog ? { auditLog: session.auditLog } : {}) };
}
