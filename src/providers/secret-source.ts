// Getting a finding's raw secret back without ever taking it from argv or a redacted report:
// re-read it at its location (working-tree file, or the git blob for history findings) and
// accept it only if its hash is the finding's secretHash.
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { DecodeBudget, DEFAULT_DECODE_LIMITS, findEncodedSpans } from '../engine/decode.js';
import { MASK } from '../findings/redact.js';
import { secretHash } from '../findings/fingerprint.js';
import { catFileBatch } from '../sources/git/cat-file.js';
import type { Finding, Location } from '../types.js';

export type SecretLookup = { ok: true; secret: string } | { ok: false; reason: string };

export interface SecretSource {
  secretOf(f: Finding): Promise<SecretLookup>;
  /** The text of the file or blob the finding is in (for partner identifiers), if readable. */
  textOf(f: Finding): Promise<string | undefined>;
}

/** Which file or blob a finding is in: findings in the same unit can pair. */
export function sourceUnit(f: Pick<Finding, 'file' | 'blob'>): string {
  return f.blob ? `blob:${f.blob}` : `file:${f.file}`;
}

/** The text at a location (1-based line and column in UTF-16 units; endColumn exclusive). */
export function textAt(text: string, loc: Location): string | undefined {
  const lines = text.split('\n');
  const first = lines[loc.line - 1];
  const last = lines[loc.endLine - 1];
  if (first === undefined || last === undefined || loc.endLine < loc.line) return undefined;
  if (loc.line === loc.endLine) return first.slice(loc.column - 1, loc.endColumn - 1);
  return [first.slice(loc.column - 1), ...lines.slice(loc.line, loc.endLine - 1), last.slice(0, loc.endColumn - 1)].join('\n');
}

/**
 * Secrets from their source locations under `root` (the scan root: paths in the report are
 * relative to it). A report written with --no-redact supplies its own secrets, hash-checked too.
 */
export function locationSecrets(root: string): SecretSource {
  const texts = new Map<string, Promise<{ text: string } | { reason: string }>>();

  const load = (f: Finding): Promise<{ text: string } | { reason: string }> => {
    const key = sourceUnit(f);
    let p = texts.get(key);
    if (!p) {
      p = f.blob ? readBlob(root, f.blob) : readWorkingFile(root, f.file);
      texts.set(key, p);
    }
    return p;
  };

  return {
    async secretOf(f) {
      if (!f.redacted && secretHash(f.secret) === f.secretHash) return { ok: true, secret: f.secret };
      const loaded = await load(f);
      if ('reason' in loaded) return { ok: false, reason: loaded.reason };
      const candidate = textAt(loaded.text, f);
      if (candidate === undefined) return { ok: false, reason: `${describeUnit(f)} no longer has line ${f.line}` };
      if (secretHash(candidate) !== f.secretHash) {
        const decoded = f.encoding?.length ? secretInEncoded(candidate, f) : undefined;
        if (decoded !== undefined) return { ok: true, secret: decoded };
        return { ok: false, reason: `the secret at ${f.file}:${f.line}:${f.column} has changed since the scan (hash mismatch)` };
      }
      return { ok: true, secret: candidate };
    },
    async textOf(f) {
      const loaded = await load(f);
      return 'text' in loaded ? loaded.text : undefined;
    },
  };
}

function describeUnit(f: Finding): string {
  return f.blob ? `blob ${f.blob.slice(0, 12)} (${f.file})` : f.file;
}

async function readWorkingFile(root: string, file: string): Promise<{ text: string } | { reason: string }> {
  const abs = resolve(root, file);
  const rel = relative(root, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return { reason: `${file} is outside the scan root ${root}` };
  try {
    return { text: (await readFile(abs)).toString('utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { reason: code === 'ENOENT' ? `${file} no longer exists under ${root}` : `${file} cannot be read (${code ?? 'error'})` };
  }
}

async function readBlob(repo: string, oid: string): Promise<{ text: string } | { reason: string }> {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(oid)) return { reason: `"${oid}" is not a git object id` };
  try {
    for await (const item of catFileBatch(repo, [oid])) {
      if ('missing' in item) return { reason: `blob ${oid.slice(0, 12)} is not in the repository at ${repo}` };
      return { text: item.bytes.toString('utf8') };
    }
    return { reason: `git cat-file returned nothing for blob ${oid.slice(0, 12)}` };
  } catch (err) {
    return { reason: `cannot read blob ${oid.slice(0, 12)} from ${repo}: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** Longest secret looked for inside decoded text. */
const MAX_DECODED_SECRET = 2048;

/**
 * A finding found after decoding is located at the encoded text; its secret is somewhere in
 * what that text decodes to. Decode it the same way the engine did (as many layers as the
 * finding's encoding chain) and find the substring whose hash is the finding's, starting with the
 * redacted prefix the report shows.
 */
export function secretInEncoded(encoded: string, f: Pick<Finding, 'secret' | 'secretHash' | 'encoding'>): string | undefined {
  const prefix = f.secret.endsWith(MASK) ? f.secret.slice(0, -MASK.length) : '';
  // a fully masked secret is shorter than 10 characters (see redact.ts)
  const longest = prefix === '' ? 9 : MAX_DECODED_SECRET;
  let layer: Buffer[] = [Buffer.from(encoded)];
  for (let depth = 0; depth < (f.encoding?.length ?? 0); depth++) {
    const next: Buffer[] = [];
    for (const b of layer) {
      for (const span of findEncodedSpans(b, new DecodeBudget(DEFAULT_DECODE_LIMITS, b.length))) next.push(span.decoded);
    }
    layer = next;
    for (const b of layer) {
      const text = b.toString('utf8');
      for (let at = text.indexOf(prefix); at !== -1; at = text.indexOf(prefix, at + 1)) {
        for (let end = at + Math.max(prefix.length, 1); end <= Math.min(text.length, at + longest); end++) {
          const cand = text.slice(at, end);
          if (secretHash(cand) === f.secretHash) return cand;
        }
      }
    }
  }
  return undefined;
}
