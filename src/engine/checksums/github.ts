// GitHub (ghp_, gho_, ghu_, ghs_, ghr_) and npm (npm_) tokens end in a 6-character base62
// CRC32 of the 30 random characters that precede it (GitHub's token format announcement, 2021).
import { toBase62 } from './base62.js';
import { crc32 } from './crc32.js';

const PREFIXED = /^(gh[pousr]_|npm_)([0-9A-Za-z]{30})([0-9A-Za-z]{6})$/;

export function hasValidBase62Crc(token: string): boolean {
  const m = PREFIXED.exec(token);
  if (!m) return false;
  return toBase62(crc32(m[2]!), 6) === m[3];
}

/** Builds a checksum-valid token from a prefix ("ghp_", "npm_") and 30 base62 characters. */
export function withBase62Crc(prefix: string, random30: string): string {
  return `${prefix}${random30}${toBase62(crc32(random30), 6)}`;
}
