import { describe, expect, it } from 'vitest';
import { isJwtWithoutAlg, isStructurallyValidJwt } from '../../../src/engine/checksums/jwt.js';

const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const signature = 'c2lnbmF0dXJlLW5vdC1yZWFsLWF0LWFsbA';
const token = (header: unknown, payload: unknown = { sub: 'x' }, sig = signature): string =>
  `${part(header)}.${part(payload)}.${sig}`;

describe('jwt validators', () => {
  it('a header naming an alg is a JWT, and not one without alg', () => {
    const t = token({ alg: 'HS256', typ: 'JWT' });
    expect(isStructurallyValidJwt(t)).toBe(true);
    expect(isJwtWithoutAlg(t)).toBe(false);
  });

  it('a JSON header without alg is told apart', () => {
    const t = token({ typ: 'JWT', kid: 'k1' });
    expect(isStructurallyValidJwt(t)).toBe(false);
    expect(isJwtWithoutAlg(t)).toBe(true);
  });

  it('alg "none", non-JSON parts, array headers and short signatures are neither', () => {
    for (const t of [
      token({ alg: 'none' }),
      token(['typ']),
      token({ typ: 'JWT' }, { sub: 'x' }, 'short'),
      `eyJub3Rqc29u.${part({ sub: 'x' })}.${signature}`,
      `${part({ typ: 'JWT' })}.${part({ sub: 'x' })}`,
    ]) {
      expect(isStructurallyValidJwt(t), t).toBe(false);
      expect(isJwtWithoutAlg(t), t).toBe(false);
    }
  });
});
