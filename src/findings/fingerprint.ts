import { createHash } from 'node:crypto';

/** Domain-separated SHA-256 of a secret: identifies it without storing it. */
export function secretHash(secret: string): string {
  return createHash('sha256').update('keywarden/secret/v1\0').update(secret, 'utf8').digest('hex');
}

/**
 * A finding's stable identity: the rule, the secret's hash and the path. No line number, so moving
 * code does not churn it; no committer identity, so squashes and rebases keep it.
 */
export function fingerprint(ruleId: string, hash: string, path: string): string {
  return createHash('sha256')
    .update(`keywarden/fingerprint/v1\0${ruleId}\0${hash}\0${path}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
}
