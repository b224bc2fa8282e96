// Where a rule's regex needs to run. A rule led by a case-sensitive literal ("ghp_", "xoxb-")
// runs over the whole fragment: RE2 skips to the literal with memchr. Any other rule (a
// provider name for context, a case-insensitive key name) would make RE2's DFA walk every byte,
// so it runs only on the lines around its keywords' occurrences, unless they are so dense that one
// pass is cheaper.

import { NATIVE_MAX_BYTES, nativeAddon } from './native.js';
import { escapeLiteral, literalPrefix, spansLines } from './regex-syntax.js';

/** Lines of context kept around a keyword occurrence on each side, unless a rule says fewer. */
export const CONTEXT_LINES = 3;
/** Bytes of context at most on each side, for very long (minified) lines. */
const CONTEXT_BYTES = 1024;

export function needsWindows(pattern: string): boolean {
  return literalPrefix(pattern).length < 3 && !spansLines(pattern);
}

/** Windows closer than this are searched as one (one RE2 call costs ~200 ns, ~1.3 ns a byte). */
const MERGE_GAP = 160;

/** Bytes a match starting at a keyword may run on for, at most (a long JWT fits). */
const ANCHORED_BYTES = 64 * 1024;

/**
 * For a rule led by a literal that starts with one of its keywords (`rediss?://` and "redis"),
 * that keyword: every match starts where it occurs, so the rule runs from each occurrence to the
 * end of its context instead of over the whole fragment, where RE2's skip to the literal is slow
 * for literals led by a common byte. Undefined for rules that may span lines or have no such keyword.
 */
export function anchorKeyword(pattern: string, keywords: readonly string[]): string | undefined {
  if (spansLines(pattern)) return undefined;
  const lead = literalPrefix(pattern).toLowerCase();
  if (lead.length < 3) return undefined;
  let best: string | undefined;
  for (const k of keywords) if (lead.startsWith(k) && k.length > (best?.length ?? 0)) best = k;
  return best;
}

/** Ranges from each position to the end of its context (as keywordWindows' ends), merged. */
export function anchoredWindows(bytes: Buffer, positions: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const p of positions) {
    const end = contextEnd(bytes, p, ANCHORED_BYTES);
    const last = out[out.length - 1];
    if (last && p <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([p, end]);
  }
  return out;
}

/**
 * Windows as the engine passes them on (and to the native gather): [start, end, start, end, ...].
 * The flat forms below are computed by the native addon where it is built, with the same result
 * as the functions above (the tests compare them); they return views of scratch memory, valid
 * until the next call.
 */
export type FlatWindows = Int32Array | Float64Array;

let scratchPositions = new Int32Array(1024);
let scratchWindows = new Int32Array(2048);
const NO_WINDOWS = new Int32Array(0);

// (a fragment past NATIVE_MAX_BYTES has offsets an Int32Array cannot hold: a Float64Array does)
function flatten(windows: ReadonlyArray<readonly [number, number]>): FlatWindows {
  return Float64Array.from(windows.flat());
}

function nativeWindows(bytes: Buffer, n: number, before: number, after: number, maxBytes: number, mergeGap: number, anchored: boolean): FlatWindows {
  if (n === 0) return NO_WINDOWS;
  if (scratchWindows.length < 2 * n) scratchWindows = new Int32Array(Math.max(2 * n, 2 * scratchWindows.length));
  const count = nativeAddon()!.windows(bytes, scratchPositions, n, before, after, maxBytes, mergeGap, anchored, scratchWindows);
  return scratchWindows.subarray(0, 2 * count);
}

function positionsRoom(n: number): void {
  if (scratchPositions.length < n) {
    const bigger = new Int32Array(Math.max(n, 2 * scratchPositions.length));
    bigger.set(scratchPositions);
    scratchPositions = bigger;
  }
}

/** keywordWindows, flat. */
export function keywordWindowsFlat(
  bytes: Buffer,
  positions: KeywordLocator,
  keywords: readonly string[],
  lines: { before: number; after: number } = { before: CONTEXT_LINES, after: CONTEXT_LINES },
): FlatWindows | undefined {
  if (!nativeAddon() || bytes.length > NATIVE_MAX_BYTES) {
    const w = keywordWindows(bytes, positions, keywords, lines);
    return w && flatten(w);
  }
  let n = 0;
  for (const kw of keywords) {
    const p = positions.of(kw);
    if (p === undefined) return undefined;
    positionsRoom(n + p.length);
    for (const x of p) scratchPositions[n++] = x;
  }
  if (keywords.length > 1) scratchPositions.subarray(0, n).sort();
  return nativeWindows(bytes, n, lines.before, lines.after, CONTEXT_BYTES, MERGE_GAP, false);
}

/** anchoredWindows, flat. */
export function anchoredWindowsFlat(bytes: Buffer, positions: readonly number[]): FlatWindows {
  if (!nativeAddon() || bytes.length > NATIVE_MAX_BYTES) return flatten(anchoredWindows(bytes, positions));
  positionsRoom(positions.length);
  for (let i = 0; i < positions.length; i++) scratchPositions[i] = positions[i]!;
  return nativeWindows(bytes, positions.length, 0, CONTEXT_LINES, ANCHORED_BYTES, 0, true);
}

/** Where a fragment's keywords occur: byte offsets, or undefined when too dense to list. */
export interface KeywordLocator {
  of(kw: string): number[] | undefined;
}

/** Beyond this many occurrences of one keyword, windows stop paying off: one pass is cheaper. */
export function densityLimit(length: number): number {
  return 16 + (length >> 7);
}

/** Compiled keyword alternations, by keyword set: fragments tend to share a handful of sets. */
export type KeywordRegexCache = Map<string, { re: RegExp; prefixes: Map<string, string[]> }>;

const REGEX_CACHE_LIMIT = 256;


/**
 * Where a fragment's keywords occur, all found in one pass: a V8 alternation over the fragment
 * lowercased as latin1 (one char per byte, so string offsets are byte offsets). One pass per
 * keyword cost ~0.5 ns/byte each, and a large file with secrets of many providers in it has
 * twenty-odd keywords present.
 */
export class KeywordPositions implements KeywordLocator {
  private found: Map<string, number[] | undefined> | undefined;

  /** `keywords`: lowercase, the only ones `of` will be asked about. */
  constructor(
    private readonly bytes: Buffer,
    private readonly keywords: readonly string[],
    private readonly cache: KeywordRegexCache = new Map(),
  ) {}

  /** Byte offsets of `kw`, or undefined when too dense for windows to pay off. */
  of(kw: string): number[] | undefined {
    this.found ??= this.locateAll();
    return this.found.has(kw) ? this.found.get(kw) : [];
  }

  private compiled(): { re: RegExp; prefixes: Map<string, string[]> } {
    const sorted = [...new Set(this.keywords)].sort();
    const key = sorted.join('\0');
    let c = this.cache.get(key);
    if (!c) {
      // longest first, so "password" wins over "pass" at the same offset; the shorter one is
      // then recorded from `prefixes`
      const byLength = [...sorted].sort((a, b) => b.length - a.length);
      const prefixes = new Map<string, string[]>();
      for (const k of sorted) prefixes.set(k, sorted.filter((o) => o !== k && k.startsWith(o)));
      c = { re: new RegExp(byLength.map(escapeLiteral).join('|'), 'g'), prefixes };
      if (this.cache.size >= REGEX_CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, c);
    }
    return c;
  }

  private locateAll(): Map<string, number[] | undefined> {
    const out = new Map<string, number[] | undefined>(this.keywords.map((k) => [k, []]));
    if (this.keywords.length === 0) return out;
    const limit = densityLimit(this.bytes.length);
    const lower = this.bytes.toString('latin1').toLowerCase();
    const { re, prefixes } = this.compiled();
    let dense = 0;
    const add = (k: string, p: number): void => {
      const list = out.get(k);
      if (!list) return;
      list.push(p);
      if (list.length > limit) {
        out.set(k, undefined);
        dense++;
      }
    };
    re.lastIndex = 0;
    for (let m = re.exec(lower); m !== null; m = re.exec(lower)) {
      const p = m.index;
      add(m[0], p);
      for (const k of prefixes.get(m[0])!) add(k, p);
      if (dense === out.size) break;
      re.lastIndex = p + 1; // overlapping occurrences ("secret_key" holds "_key") count too
    }
    return out;
  }
}

/**
 * Byte ranges [start, end) around the occurrences of `keywords`, merged. Returns undefined when
 * occurrences are too many for windows to pay off.
 */
export function keywordWindows(
  bytes: Buffer,
  positions: KeywordLocator,
  keywords: readonly string[],
  lines: { before: number; after: number } = { before: CONTEXT_LINES, after: CONTEXT_LINES },
): Array<[number, number]> | undefined {
  const all: number[] = [];
  for (const kw of keywords) {
    const p = positions.of(kw);
    if (p === undefined) return undefined;
    for (const x of p) all.push(x);
  }
  if (all.length === 0) return [];
  if (keywords.length > 1) all.sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  // an occurrence later on the line of the previous one has a context inside the previous one's
  // (same lines; a start cut at CONTEXT_BYTES only moves later), unless CONTEXT_BYTES cut the
  // previous one's end short (a long line): then it is computed anew
  let lineEnd = -1;
  let reuse = false;
  for (const p of all) {
    if (reuse && p < lineEnd) continue;
    const nl = bytes.indexOf(0x0a, p);
    lineEnd = nl === -1 ? bytes.length : nl;
    const start = contextStart(bytes, p, lines.before);
    const end = contextEnd(bytes, p, CONTEXT_BYTES, lines.after);
    reuse = end < p + CONTEXT_BYTES;
    const last = out[out.length - 1];
    // a search costs about as much as scanning MERGE_GAP bytes: join windows closer than that
    if (last && start <= last[1] + MERGE_GAP) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

function contextStart(bytes: Buffer, pos: number, lines: number): number {
  const floor = Math.max(0, pos - CONTEXT_BYTES);
  let i = pos;
  for (let n = 0; n <= lines; n++) {
    // at 0 there is nothing before; lastIndexOf(x, -1) would search from the end of the buffer
    const nl = i > 0 ? bytes.lastIndexOf(0x0a, i - 1) : -1;
    if (nl < floor) return nl === -1 && floor === 0 ? 0 : floor;
    i = nl;
  }
  return i + 1;
}

function contextEnd(bytes: Buffer, pos: number, maxBytes: number, lines = CONTEXT_LINES): number {
  const ceil = Math.min(bytes.length, pos + maxBytes);
  let i = pos;
  for (let n = 0; n <= lines; n++) {
    const nl = bytes.indexOf(0x0a, i);
    if (nl === -1 || nl >= ceil) return ceil;
    i = nl + 1;
  }
  return i;
}
