// Where a rule's regex needs to run. A rule led by a case-sensitive literal ("ghp_", "xoxb-")
// runs over the whole fragment: RE2 skips to the literal with memchr. Any other rule (a
// provider name for context, a case-insensitive key name) would make RE2's DFA walk every byte,
// so it runs only on the lines around its keywords' occurrences, unless they are so dense that one
// pass is cheaper.

/** Lines of context kept around a keyword occurrence on each side. */
const CONTEXT_LINES = 3;
/** Bytes of context at most on each side, for very long (minified) lines. */
const CONTEXT_BYTES = 1024;

/** The case-sensitive literal a pattern must start with ("" when none or case-insensitive). */
export function literalPrefix(pattern: string): string {
  let i = 0;
  let out = '';
  // skip leading word boundaries and group openers
  for (;;) {
    if (pattern.startsWith('\\b', i)) i += 2;
    else if (pattern.startsWith('(?:', i)) i += 3;
    else if (pattern[i] === '(' && pattern[i + 1] !== '?') i += 1;
    else break;
  }
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (/[A-Za-z0-9_\-/:@=&]/.test(c)) {
      out += c;
      i++;
    } else if (c === '\\' && /[.\-/_]/.test(pattern[i + 1] ?? '')) {
      out += pattern[i + 1];
      i += 2;
    } else break;
  }
  // a quantifier or alternation right after makes the last char (or all) optional
  const next = pattern[i];
  if (next === '?' || next === '*' || next === '{') out = out.slice(0, -1);
  if (next === '|' || /\|/.test(pattern.slice(0, i))) return '';
  return out;
}

/** A pattern that can span many lines (an explicit \n, (?s), [\s\S]) must see the whole fragment. */
export function spansLines(pattern: string): boolean {
  if (/\(\?[a-z]*s[a-z]*[:)]/.test(pattern) || /\[\\([sSwWdD])\\(?!\1)[sSwWdD]\]/.test(pattern)) return true;
  let inClass = false;
  let negated = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (pattern[i + 1] === 'n' && !(inClass && negated)) return true;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      negated = pattern[i + 1] === '^';
    }
  }
  return false;
}

export function needsWindows(pattern: string): boolean {
  return literalPrefix(pattern).length < 3 && !spansLines(pattern);
}

/** Occurrences of a fragment's keywords, found once per keyword however many rules share it. */
export class KeywordPositions {
  private lower: string | undefined;
  private readonly cache = new Map<string, number[] | undefined>();
  private readonly limit: number;

  constructor(private readonly bytes: Buffer) {
    this.limit = 16 + (bytes.length >> 9);
  }

  /** Byte offsets of `kw` (lowercase), or undefined when too dense for windows to pay off. */
  of(kw: string): number[] | undefined {
    if (this.cache.has(kw)) return this.cache.get(kw);
    // latin1 keeps one char per byte, so string offsets are byte offsets
    this.lower ??= this.bytes.toString('latin1').toLowerCase();
    let out: number[] | undefined = [];
    let i = this.lower.indexOf(kw);
    while (i !== -1) {
      out.push(i);
      if (out.length > this.limit) {
        out = undefined;
        break;
      }
      i = this.lower.indexOf(kw, i + kw.length);
    }
    this.cache.set(kw, out);
    return out;
  }
}

/**
 * Byte ranges [start, end) around the occurrences of `keywords`, merged. Returns undefined when
 * occurrences are too many for windows to pay off.
 */
export function keywordWindows(bytes: Buffer, positions: KeywordPositions, keywords: readonly string[]): Array<[number, number]> | undefined {
  const all: number[] = [];
  for (const kw of keywords) {
    const p = positions.of(kw);
    if (p === undefined) return undefined;
    for (const x of p) all.push(x);
  }
  if (all.length === 0) return [];
  if (keywords.length > 1) all.sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const p of all) {
    const start = contextStart(bytes, p);
    const end = contextEnd(bytes, p);
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

function contextStart(bytes: Buffer, pos: number): number {
  const floor = Math.max(0, pos - CONTEXT_BYTES);
  let i = pos;
  for (let n = 0; n <= CONTEXT_LINES; n++) {
    const nl = bytes.lastIndexOf(0x0a, i - 1);
    if (nl < floor) return nl === -1 && floor === 0 ? 0 : floor;
    i = nl;
  }
  return i + 1;
}

function contextEnd(bytes: Buffer, pos: number): number {
  const ceil = Math.min(bytes.length, pos + CONTEXT_BYTES);
  let i = pos;
  for (let n = 0; n <= CONTEXT_LINES; n++) {
    const nl = bytes.indexOf(0x0a, i);
    if (nl === -1 || nl >= ceil) return ceil;
    i = nl + 1;
  }
  return i;
}
