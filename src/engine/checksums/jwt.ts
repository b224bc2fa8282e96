// A JWT is three base64url parts: a header and a payload that decode to JSON objects, and a
// signature. RFC 7515 requires the header to name an alg; tokens of that shape without one (custom
// or nonstandard signed tokens) are told apart so a rule can report them at lower confidence.
function decodeJsonPart(part: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The decoded header of a JWT-shaped token (JSON header and payload, a signature), else undefined. */
function jwtHeader(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = decodeJsonPart(parts[0]!);
  const payload = decodeJsonPart(parts[1]!);
  if (!header || typeof header !== 'object' || Array.isArray(header)) return undefined;
  if (!payload || typeof payload !== 'object') return undefined;
  if (!(parts[2]!.length >= 16 && /^[A-Za-z0-9_-]+$/.test(parts[2]!))) return undefined;
  return header as Record<string, unknown>;
}

export function isStructurallyValidJwt(token: string): boolean {
  const alg = jwtHeader(token)?.alg;
  // "alg": "none" tokens carry no signature and grant nothing on a correct server.
  return typeof alg === 'string' && alg !== 'none';
}

/** JWT-shaped, signature part present, but the header names no alg at all. */
export function isJwtWithoutAlg(token: string): boolean {
  const header = jwtHeader(token);
  return header !== undefined && !('alg' in header);
}
