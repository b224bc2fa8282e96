export const INLINE_ALLOW = 'keywarden:allow';

/** A line (or any line of a multi-line match) carrying `keywarden:allow` yields no finding. */
export function isInlineAllowed(linesText: string): boolean {
  return linesText.includes(INLINE_ALLOW);
}
