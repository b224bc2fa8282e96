export const MASK = '*****';

/**
 * What a report shows of a secret: at most a short prefix (enough to tell a ghp_ token from an
 * AKIA key), never its length, never more than a fifth of it, nothing at all for short secrets.
 */
export function redact(secret: string, maxVisible = 4): string {
  const chars = [...secret];
  if (chars.length < 10) return MASK;
  const visible = Math.min(maxVisible, Math.floor(chars.length / 5));
  // never reveal a line break or more than one line of a multi-line secret
  const prefix = chars.slice(0, visible).join('').split(/[\r\n]/)[0]!;
  return prefix + MASK;
}

/** Replaces every [start, end) span (UTF-16 offsets into `text`) with the redacted form. */
export function maskSpans(text: string, spans: Array<{ start: number; end: number; secret: string }>): string {
  const sorted = [...spans].sort((a, b) => b.start - a.start);
  let out = text;
  let lastStart = Infinity;
  for (const s of sorted) {
    const end = Math.min(s.end, lastStart);
    if (end <= s.start) continue;
    out = out.slice(0, s.start) + redact(s.secret) + out.slice(end);
    lastStart = s.start;
  }
  return out;
}
