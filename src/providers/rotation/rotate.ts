// The rotation engine: create the replacement, store it where the application reads it, check it,
// and only then retire the old key. Every step is journaled before and after its side effect, so
// a re-run after a crash at any point completes the rotation or rolls it back. Invariants: a key
// that exists is never unknown to both the journal and the destination for longer than one call,
// the old key is never disabled before the new one is stored and works, and a key the destination
// may hold is never deleted.
import { setTimeout as delay } from 'node:timers/promises';
import { KeywardenError } from '../../errors.js';
import { secretHash } from '../../findings/fingerprint.js';
import type { Finding } from '../../types.js';
import { adminCredential } from '../admin-credentials.js';
import { ProviderCallError } from '../http-client.js';
import { openLifecycleSession, selectFindings, type LifecycleSessionOptions } from '../lifecycle-session.js';
import { lifecycleContext, LifecycleError } from '../lifecycle.js';
import type { Credential, LifecycleContext, PlannedCall, Provider, Rotator, RotationKeys } from '../types.js';
import { openDestination, type Destination } from './destinations.js';
import { journalPath, newRotationId, readJournal, writeJournal, type RotationJournal, type RotationStep } from './journal.js';
import { parseTarget } from './target.js';

export interface RotateOptions extends LifecycleSessionOptions {
  fingerprint: string;
  target: string;
  dryRun: boolean;
  journalDir: string;
  /** How long the old key stays inactive before it is deleted (AWS), in ms. */
  graceMs: number;
  /** Delete the inactive old key now, grace period or not. */
  finish?: boolean;
  /** Checks of the new key before giving up (IAM takes seconds to accept a new key). */
  verifyAttempts?: number;
  verifyDelayMs?: number;
  /** Called after each journaled step; a throw stops the run there, as a crash would (tests). */
  afterStep?: (step: RotationStep) => void | Promise<void>;
  now?: () => Date;
}

export type RotateStatus = 'planned' | 'done' | 'waiting' | 'rolled-back' | 'failed' | 'blocked';

export interface RotateResult {
  status: RotateStatus;
  step?: RotationStep;
  provider?: string;
  destination?: string;
  calls: PlannedCall[];
  messages: string[];
  journal: string;
  deleteOldAfter?: string;
  auditLog?: string;
}

/** Stops a run at a step, like a crash (only from afterStep). */
export class RotationAborted extends Error {}

export async function rotateFinding(findings: readonly Finding[], opts: RotateOptions): Promise<RotateResult> {
  const [finding] = selectFindings(findings, [opts.fingerprint], () => false);
  const f = finding!;
  const session = openLifecycleSession(findings, opts);
  const file = journalPath(opts.journalDir, f.fingerprint);
  const now = opts.now ?? (() => new Date());
  const messages: string[] = [];
  const result = (status: RotateStatus, extra: Partial<RotateResult> = {}): RotateResult => ({
    status,
    calls: [],
    messages,
    journal: file,
    ...(session.auditLog ? { auditLog: session.auditLog } : {}),
    ...extra,
  });

  const match = session.registry.match(f);
  const provider = 'reason' in match ? match.provider : match.provider;
  const rotator = provider?.rotation;
  if (!provider || !rotator) {
    messages.push(`${provider?.name ?? f.provider} keys cannot be rotated by keywarden; create a new key in the provider's console, update the application, then run keywarden revoke`);
    return result('blocked');
  }
  const resolved = await session.resolve(f);
  const old = 'cred' in resolved ? resolved.cred : undefined;
  const spec = parseTarget(opts.target);
  let journal = await readJournal(file);
  if (journal && journal.step === 'rolled-back') journal = undefined;
  if (journal && journal.target !== opts.target) {
    throw new KeywardenError('USAGE', `a rotation of this key to ${journal.target} is in progress (journal ${file}); re-run with --target ${journal.target} to finish it`);
  }
  if (!journal && !old) throw new KeywardenError('USAGE', `cannot rotate: ${'reason' in resolved ? resolved.reason : 'secret not recoverable'}`);
  const forKey: Credential = old ?? { ruleId: f.ruleId, secret: '', parts: {}, fingerprint: f.fingerprint, secretHash: f.secretHash };
  const dest = await openDestination(spec, {
    providerId: provider.id,
    parts: rotator.parts,
    old,
    oldSecretHash: f.secretHash,
    cwd: opts.cwd,
    env: opts.env,
    client: session.client,
    forKey,
  });

  if (!journal) {
    const why = rotator.unsupported(old!, opts.env);
    if (why) {
      messages.push(why);
      return result('blocked', { provider: provider.id });
    }
  }
  if (opts.dryRun) {
    const plan = rotator.plan(old ?? forKey, opts.env);
    const created = plan.findIndex((c) => /replacement/.test(c.description));
    plan.splice(created + 1, 0, ...dest.plan());
    if (journal) messages.push(`a rotation is in progress (step ${journal.step}); running again resumes it`);
    return result('planned', { provider: provider.id, destination: dest.label, calls: plan, step: journal?.step });
  }

  const ctx = lifecycleContext(session.client, provider, forKey, opts.env, 'rotate');
  const admin = adminCredential(provider.admin ?? { env: '\0none' }, opts.env, forKey);
  const run = new Run(opts, rotator, dest, ctx, file, messages, now, session.audit, provider);
  let j: RotationJournal =
    journal ??
    ({
      version: 1,
      rotationId: newRotationId(),
      fingerprint: f.fingerprint,
      ruleId: f.ruleId,
      provider: provider.id,
      oldSecretHash: f.secretHash,
      target: opts.target,
      startedAt: now().toISOString(),
      updatedAt: now().toISOString(),
      step: 'started',
      state: {},
      history: [],
    } satisfies RotationJournal);
  j.state.rotationId = j.rotationId;
  const keys: RotationKeys = { ...(old ? { old } : {}), ...(admin ? { admin } : {}) };
  try {
    if (!journal) await run.save(j, 'started');
    else messages.push(`resuming the rotation started ${j.startedAt} (step ${j.step})`);
    j = await run.drive(j, keys, old);
  } catch (err) {
    if (err instanceof RotationAborted || err instanceof KeywardenError) throw err;
    const reason = err instanceof LifecycleError || err instanceof ProviderCallError ? err.message : `${(err as Error)?.message ?? String(err)}`;
    messages.push(reason);
    await run.note(j, 'error', reason).catch(() => undefined);
    await session.audit.flush().catch(() => undefined);
    return result('failed', { provider: provider.id, destination: dest.label, step: j.step });
  }
  await session.audit.flush();
  const status: RotateStatus = j.step === 'done' ? 'done' : j.step === 'rolled-back' ? 'rolled-back' : j.step === 'old-disabled' ? 'waiting' : 'failed';
  return result(status, { provider: provider.id, destination: dest.label, step: j.step, ...(j.deleteOldAfter ? { deleteOldAfter: j.deleteOldAfter } : {}) });
}

class Run {
  constructor(
    private readonly opts: RotateOptions,
    private readonly rotator: Rotator,
    private readonly dest: Destination,
    private readonly ctx: LifecycleContext,
    private readonly file: string,
    private readonly messages: string[],
    private readonly now: () => Date,
    private readonly audit: { record: (e: import('../audit-log.js').AuditEntry) => void },
    private readonly provider: Provider,
  ) {}

  async save(j: RotationJournal, step: RotationStep, detail?: string): Promise<void> {
    j.step = step;
    j.updatedAt = this.now().toISOString();
    j.history.push({ time: j.updatedAt, step, ...(detail ? { detail } : {}) });
    await writeJournal(this.file, this.opts.journalDir, j);
    this.audit.record({ time: j.updatedAt, action: 'rotate', provider: this.provider.id, fingerprint: j.fingerprint, secretHash: j.oldSecretHash, result: step, ...(detail ? { detail } : {}) });
    await this.opts.afterStep?.(step);
  }

  async note(j: RotationJournal, kind: 'error' | 'note', detail: string): Promise<void> {
    j.updatedAt = this.now().toISOString();
    j.history.push({ time: j.updatedAt, step: kind, detail });
    await writeJournal(this.file, this.opts.journalDir, j);
  }

  private newCredential(j: RotationJournal, secret: string, parts: Record<string, string>): Credential {
    return { ruleId: j.ruleId, secret, parts, fingerprint: j.fingerprint, secretHash: j.oldSecretHash };
  }

  /** The new key as the destination holds it, if it does (hash-checked against the journal). */
  private async newFromDestination(j: RotationJournal): Promise<Credential | undefined> {
    const values = await this.dest.read().catch(() => undefined);
    if (!values || !values.secret || secretHash(values.secret) !== j.newSecretHash) return undefined;
    const { secret, ...parts } = values as Record<string, string>;
    return this.newCredential(j, secret!, parts);
  }

  private values(cred: Pick<Credential, 'secret' | 'parts'>): Record<string, string> {
    return Object.fromEntries(this.rotator.parts.map((p) => [p, p === 'secret' ? cred.secret : cred.parts[p]!]));
  }

  /** Rollback: put the old key back in the destination (if it may hold the new one), delete the new key. */
  private async rollBack(j: RotationJournal, keys: RotationKeys, why: string, destinationMayHoldNew: boolean): Promise<RotationJournal> {
    if (this.rotator.revokesOldOnCreate) {
      throw new LifecycleError(`${why}; ${this.provider.name} revoked the old key when it issued the new one, so the new key is kept${j.pendingSecret ? ' (in the journal until a re-run stores it)' : ''}`);
    }
    this.messages.push(`rolling back: ${why}`);
    if (destinationMayHoldNew) {
      if (!keys.old) throw new LifecycleError(`${why}; cannot roll back: the old key is no longer readable from the report's location, and the destination may hold the new key (${this.dest.label}); fix the cause and re-run`);
      await this.dest.write(this.values(keys.old));
    }
    if (j.newKeyId) await this.rotator.deleteNew(keys, this.ctx, j.state, j.newKeyId);
    delete j.pendingSecret;
    await this.save(j, 'rolled-back', why);
    return j;
  }

  private async verify(keys: RotationKeys & { new: Credential }, j: RotationJournal): Promise<{ ok: boolean; reason?: string }> {
    const attempts = Math.max(1, this.opts.verifyAttempts ?? 8);
    let last: { ok: boolean; reason?: string } = { ok: false };
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await delay(this.opts.verifyDelayMs ?? 2000);
      last = await this.rotator.verifyNew(keys, this.ctx, j.state);
      if (last.ok) return last;
    }
    return last;
  }

  async drive(j: RotationJournal, keys: RotationKeys, old: Credential | undefined): Promise<RotationJournal> {
    const needOld = (what: string): void => {
      if (!keys.old) throw new LifecycleError(`cannot ${what}: the leaked key is no longer readable at the report's location (hash mismatch or file gone)`);
    };
    for (let guard = 0; guard < 20; guard++) {
      switch (j.step) {
        case 'started': {
          needOld('prepare the rotation');
          Object.assign(j.state, await this.rotator.prepare(keys, this.ctx));
          await this.save(j, 'prepared');
          break;
        }
        case 'prepared': {
          needOld('create the replacement');
          await this.save(j, 'creating');
          const created = await this.rotator.create(keys, this.ctx, j.state);
          j.newKeyId = created.id;
          j.newSecretHash = secretHash(created.secret);
          keys.new = this.newCredential(j, created.secret, created.parts);
          // the old key is gone already: the new one must survive a crash before the destination has it
          if (this.rotator.revokesOldOnCreate) j.pendingSecret = { secret: created.secret, parts: created.parts };
          await this.save(j, 'created', `new key ${created.id}`);
          break;
        }
        case 'creating': {
          // a crash during create: the provider may have made a key the journal never named
          const orphan = await this.rotator.findOrphan(keys, this.ctx, j.state);
          if (orphan && this.rotator.revokesOldOnCreate) {
            throw new LifecycleError(`${this.provider.name} issued a new token and revoked the old one, but the run stopped before the new token was recorded; create a new token in ${this.provider.name} and update the application by hand`);
          }
          if (orphan) {
            this.messages.push(`deleting key ${orphan}, created by the interrupted run but never stored`);
            await this.rotator.deleteNew(keys, this.ctx, j.state, orphan);
            await this.note(j, 'note', `deleted orphan key ${orphan}`);
          }
          await this.save(j, 'prepared', 'retrying creation');
          break;
        }
        case 'created': {
          keys.new ??= j.pendingSecret ? this.newCredential(j, j.pendingSecret.secret, j.pendingSecret.parts) : undefined;
          if (!keys.new) {
            // a re-run: the destination holds the new key, or the run stopped before writing it
            const stored = await this.newFromDestination(j);
            if (stored) {
              keys.new = stored;
              await this.save(j, 'stored', 'found in the destination');
              break;
            }
            const readable = (await this.dest.read()) !== undefined;
            j = await this.rollBack(j, keys, 'the run stopped before the new key was stored', !readable);
            if (old) {
              j.step = 'prepared';
              j.newKeyId = undefined;
              j.newSecretHash = undefined;
              await this.save(j, 'prepared', 'starting over');
            }
            break;
          }
          try {
            await this.dest.write(this.values(keys.new));
          } catch (err) {
            const why = `writing ${this.dest.label} failed: ${(err as Error).message}`;
            // an env file write is atomic: it failed as a whole; a GitHub secret may be half written
            return this.rollBack(j, keys, why, (await this.dest.read()) === undefined);
          }
          delete j.pendingSecret;
          await this.save(j, 'stored');
          break;
        }
        case 'stored': {
          keys.new ??= await this.newFromDestination(j);
          if (!keys.new) return this.rollBack(j, keys, 'the new key cannot be read back from the destination to check it', true);
          const ok = await this.verify(keys as RotationKeys & { new: Credential }, j);
          if (!ok.ok) return this.rollBack(j, keys, `the new key does not work: ${ok.reason ?? 'check failed'}`, true);
          await this.save(j, 'verified');
          break;
        }
        case 'verified': {
          keys.new ??= await this.newFromDestination(j);
          await this.rotator.disableOld(keys, this.ctx, j.state);
          if (this.rotator.deleteOld) j.deleteOldAfter = new Date(this.now().getTime() + this.opts.graceMs).toISOString();
          await this.save(j, this.rotator.deleteOld ? 'old-disabled' : 'done');
          break;
        }
        case 'old-disabled': {
          const due = this.opts.finish || (j.deleteOldAfter !== undefined && this.now().getTime() >= Date.parse(j.deleteOldAfter));
          if (!due) {
            this.messages.push(`the old key is inactive; it will be deleted by a re-run (or rotate --finish) after ${j.deleteOldAfter}`);
            return j;
          }
          keys.new ??= await this.newFromDestination(j);
          await this.rotator.deleteOld!(keys, this.ctx, j.state);
          await this.save(j, 'done', 'old key deleted');
          break;
        }
        case 'done':
        case 'rolled-back':
          return j;
      }
    }
    throw new LifecycleError('rotation did not settle');
  }
}

