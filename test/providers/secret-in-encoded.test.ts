import { describe, expect, it } from 'vitest';
import { secretHash } from '../../src/findings/fingerprint.js';
import { redact } from '../../src/findings/redact.js';
import { secretInEncoded } from '../../src/providers/secret-source.js';
import { SeededRandom } from '../support/example-generator.js';

const rng = new SeededRandom('secret-in-encoded');
const token = `dmo_${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 32)}`;

describe('secret recovery for findings found after decoding', () => {
  const finding = (encoding: string[]) => ({ secret: redact(token), secretHash: secretHash(token), encoding });

  it('finds the secret inside base64 text by its hash and redacted prefix', () => {
    const encoded = Buffer.from(`export API_TOKEN=${token}\n`).toString('base64');
    expect(secretInEncoded(encoded, finding(['base64']))).toBe(token);
  });

  it('follows nested encodings (base64 of percent-encoded text)', () => {
    const inner = `config=${encodeURIComponent(`{"token":"${token}"}`)}`;
    const encoded = Buffer.from(inner).toString('base64');
    expect(secretInEncoded(encoded, finding(['base64', 'percent']))).toBe(token);
  });

  it('returns nothing when the encoded text no longer holds the secret', () => {
    const encoded = Buffer.from(`export API_TOKEN=${token.slice(0, -1)}X\n`).toString('base64');
    expect(secretInEncoded(encoded, finding(['base64']))).toBeUndefined();
  });
});
