// A JWT is three base64url parts; the first two decode to JSON objects and the header names an alg.
function decodeJsonPart(part: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

export function isStructurallyValidJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const header = decodeJsonPart(parts[0]!);
  const payload = decodeJsonPart(parts[1]!);
  if (!header || typeof header !== 'object' || Array.isArray(header)) return false;
  if (typeof (header as Record<string, unknown>).alg !== 'string') return false;
  if (!payload || typeof payload !== 'object') return false;
  // "alg": "none" tokens carry no signature and grant nothing on a correct server.
  if ((header as Record<string, unknown>).alg === 'none') return false;
  return parts[2]!.length >= 16 && /^[A-Za-z0-9_-]+$/.test(parts[2]!);
}
