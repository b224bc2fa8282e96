// The rotation journal: one JSON file per key being rotated, rewritten atomically (temp file, fsync,
// rename) before and after every side effect, so a re-run knows exactly where a rotation stopped.
// It holds ids and hashes, never a secret, with one exception: a GitLab token between GitLab
// issuing it (which revokes the old one) and the destination holding it; the file is mode 0600 in
// a 0700 directory and the token is dropped from it as soon as the destination has it.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KeywardenError } from '../../errors.js';
import type { RotationState } from '../types.js';

export type RotationStep =
  /** Journal written, nothing done at the provider. */
  | 'started'
  /** Read-only lookups done (state filled). */
  | 'prepared'
  /** About to create the new key: a crash from here on may have left a key the journal does not name. */
  | 'creating'
  /** The new key exists (newKeyId); the destination may not hold it yet. */
  | 'created'
  /** The destination holds the new key. */
  | 'stored'
  /** The new key works. */
  | 'verified'
  /** The old key is disabled (AWS: Inactive, deleted after the grace period). */
  | 'old-disabled'
  | 'done'
  | 'rolled-back';

export interface JournalEvent {
  time: string;
  step: RotationStep | 'error' | 'note';
  detail?: string;
}

export interface RotationJournal {
  version: 1;
  /** Random id; names the new key at providers that take a name, to find it after a crash. */
  rotationId: string;
  fingerprint: string;
  ruleId: string;
  provider: string;
  /** Hash of the leaked secret (as in the report). */
  oldSecretHash: string;
  /** The --target as given (no secret in it). */
  target: string;
  startedAt: string;
  updatedAt: string;
  step: RotationStep;
  state: RotationState;
  newKeyId?: string;
  newSecretHash?: string;
  /** GitLab only, briefly: see the file comment. */
  pendingSecret?: { secret: string; parts: Record<string, string> };
  /** ISO time after which the inactive old key is deleted. */
  deleteOldAfter?: string;
  history: JournalEvent[];
}

/** $XDG_STATE_HOME/keywarden/rotations (or ~/.local/state/..., %LOCALAPPDATA% on Windows). */
export function defaultJournalDir(env: NodeJS.ProcessEnv): string {
  if (env.KEYWARDEN_STATE_DIR) return join(env.KEYWARDEN_STATE_DIR, 'rotations');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'keywarden', 'rotations');
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'keywarden', 'rotations');
}

export function journalPath(dir: string, fingerprint: string): string {
  if (!/^[0-9a-f]{8,64}$/.test(fingerprint)) throw new KeywardenError('USAGE', `"${fingerprint}" is not a fingerprint`);
  return join(dir, `${fingerprint}.json`);
}

export function newRotationId(): string {
  return randomBytes(6).toString('hex');
}

export async function readJournal(file: string): Promise<RotationJournal | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeywardenError('IO', `cannot read rotation journal ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const j = JSON.parse(text) as RotationJournal;
    if (j.version !== 1 || typeof j.step !== 'string' || typeof j.fingerprint !== 'string') throw new Error('bad shape');
    return j;
  } catch {
    throw new KeywardenError('IO', `rotation journal ${file} is damaged; inspect it before removing it (it may name a new key that exists)`);
  }
}

/** Writes the journal durably: temp file (0600) + fsync + rename + directory fsync. */
export async function writeJournal(file: string, dir: string, j: RotationJournal): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${j.fingerprint}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(j, null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(dir);
}

export async function removeJournal(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Makes a rename durable (a no-op where directories cannot be opened, e.g. Windows). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // best effort
  }
}
