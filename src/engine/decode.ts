// Secrets hidden behind an encoding: base64 of a .env file, a percent-encoded URL, hex, \u escapes
// in JSON. Finds encoded spans cheaply and decodes them so the engine can scan the result. Pure
// and synchronous; every fragment gets a budget (decoded bytes, spans) so that hostile input (a
// huge base64 blob, base64 of base64 of ...) costs bounded memory and time.

import { NATIVE_MAX_BYTES, nativeAddon, vectorAllowed } from './native.js';

export type Encoding = 'base64' | 'base64url' | 'hex' | 'percent' | 'escape';

/** An encoded run of the searched buffer and the bytes it decodes to. */
export interface EncodedSpan {
  /** Byte offsets of the encoded text. */
  start: number;
  end: number;
  encoding: Encoding;
  decoded: Buffer;
}

export interface DecodeLimits {
  /** Layers of encoding decoded at most (base64 of percent-encoded text is two). 0 turns decoding off. */
  maxDepth: number;
  /** Decoded bytes per fragment, all layers together; also at most twice the fragment's size. */
  maxBytes: number;
  /** Encoded spans decoded per fragment, all layers together. */
  maxSpans: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxDepth: 3, maxBytes: 4 * 1024 * 1024, maxSpans: 1000 };

/** Shortest base64 run tried: 24 decoded bytes, about the shortest keyword plus secret. */
export const MIN_BASE64 = 32;
/** Shortest hex run tried (16 decoded bytes). */
export const MIN_HEX = 32;
/** Percent-encoded and escaped runs need this many %XX / \uXXXX sequences. */
const MIN_ESCAPES = 2;
/** Decoded text must be at least this printable (ASCII or whitespace) to be worth scanning. */
const PRINTABLE_SHARE = 0.9;
/** How much of a long run is decoded to decide whether it is text. */
const SAMPLE_CHARS = 1024;
/** Longest percent-encoded or escaped run considered (longer ones are cut). */
const MAX_RUN = 64 * 1024;

/** What a fragment may still spend on decoding. */
export class DecodeBudget {
  bytes: number;
  spans: number;
  /** Set when a limit stopped decoding: some encoded text was not scanned. */
  exhausted = false;

  constructor(limits: DecodeLimits, fragmentLength: number) {
    this.bytes = Math.min(limits.maxBytes, 2 * fragmentLength);
    this.spans = limits.maxSpans;
  }

  /** Whether another span may be decoded. */
  open(): boolean {
    if (this.spans > 0 && this.bytes > 0) return true;
    this.exhausted = true;
    return false;
  }

  spend(decodedBytes: number): void {
    this.spans--;
    this.bytes -= decodedBytes;
  }

  /** At most this many of `wanted` decoded bytes fit; a shortfall marks the budget exhausted. */
  fit(wanted: number): number {
    if (wanted <= this.bytes) return wanted;
    this.exhausted = true;
    return Math.max(0, this.bytes);
  }
}

function table(chars: string): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Both base64 alphabets: a run of these is a base64 or base64url candidate. */
const B64 = table(`${ALNUM}+/-_`);
const HEX = table('0123456789abcdefABCDEF');
/** Characters that may stand unencoded next to %XX in a URL or form value. */
const URLISH = table(`${ALNUM}-._~!$&*+,;=:@/?#[]%`);
/**
 * The first character of every 4-character base64 group holds the top 6 bits of a byte: for
 * printable ASCII or \t \n \r that byte is 0x20-0x7e or 0x09-0x0d, so the character is one of these.
 */
const B64_TEXT_LEAD = table('CDIJKLMNOPQRSTUVWXYZabcdef');
const NL = 0x0a;
const CR = 0x0d;
const PERCENT = 0x25;
const BACKSLASH = 0x5c;

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Whether `b` reads as text: mostly printable ASCII and whitespace. */
export function isMostlyPrintable(b: Uint8Array, from = 0, to = b.length): boolean {
  const n = to - from;
  if (n <= 0) return false;
  let bad = 0;
  const allowed = Math.floor(n * (1 - PRINTABLE_SHARE));
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if ((c < 0x20 && c !== 0x09 && c !== NL && c !== CR) || c > 0x7e) {
      if (++bad > allowed) return false;
    }
  }
  return true;
}

/**
 * Encoded spans in `bytes`, in order of position, decoded. Spends `budget`; stops early when it
 * runs out. Percent-encoded and escaped runs win over base64/hex runs inside them (decoding them
 * reveals those to the next layer whole).
 */
export function findEncodedSpans(bytes: Buffer, budget: DecodeBudget): EncodedSpan[] {
  const out: EncodedSpan[] = [];
  if (bytes.length === 0) return out;
  escapedRuns(bytes, PERCENT, percentRun, budget, out);
  escapedRuns(bytes, BACKSLASH, escapeRun, budget, out);
  if (out.length > 1) out.sort((a, b) => a.start - b.start);
  const taken = out.length;
  base64Runs(bytes, out.slice(0, taken), budget, out);
  if (out.length > taken) out.sort((a, b) => a.start - b.start);
  return out;
}

/** Decodes the run around `at`, not reaching back before `floor` (the previous run's end). */
type RunDecoder = (bytes: Buffer, at: number, floor: number, budget: DecodeBudget) => EncodedSpan | number;

/**
 * Visits each occurrence of `marker` (found with memchr, so text without one costs nearly nothing);
 * `decodeRun` returns a span or the offset to resume searching from.
 */
function escapedRuns(bytes: Buffer, marker: number, decodeRun: RunDecoder, budget: DecodeBudget, out: EncodedSpan[]): void {
  let i = bytes.indexOf(marker);
  let floor = 0;
  while (i !== -1) {
    if (!budget.open()) return;
    const r = decodeRun(bytes, i, floor, budget);
    let next: number;
    if (typeof r === 'number') next = Math.max(r, i + 1);
    else {
      out.push(r);
      budget.spend(r.decoded.length);
      next = r.end;
    }
    floor = next;
    i = next < bytes.length ? bytes.indexOf(marker, next) : -1;
  }
}

function isPercentHex(bytes: Buffer, i: number): boolean {
  return bytes[i] === PERCENT && hexVal(bytes[i + 1] ?? 0) >= 0 && hexVal(bytes[i + 2] ?? 0) >= 0;
}

/** A run of URL characters around the %XX at `at`, with at least MIN_ESCAPES of them. */
function percentRun(bytes: Buffer, at: number, prevEnd: number, budget: DecodeBudget): EncodedSpan | number {
  if (!isPercentHex(bytes, at)) return at + 1;
  let start = at;
  const floor = Math.max(prevEnd, at - MAX_RUN);
  while (start > floor && URLISH[bytes[start - 1]!] === 1) start--;
  let end = at;
  let escapes = 0;
  const ceil = Math.min(bytes.length, start + MAX_RUN);
  while (end < ceil) {
    if (isPercentHex(bytes, end)) {
      escapes++;
      end += 3;
    } else if (URLISH[bytes[end]!] === 1) end++;
    else break;
  }
  if (escapes < MIN_ESCAPES) return end;
  const decoded = Buffer.allocUnsafe(budget.fit(end - start));
  let n = 0;
  for (let i = start; i < end && n < decoded.length; ) {
    if (isPercentHex(bytes, i)) {
      decoded[n++] = (hexVal(bytes[i + 1]!) << 4) | hexVal(bytes[i + 2]!);
      i += 3;
    } else decoded[n++] = bytes[i++]!;
  }
  if (!isMostlyPrintable(decoded, 0, n)) return end;
  return { start, end, encoding: 'percent', decoded: decoded.subarray(0, n) };
}

/** Characters that end an escaped string: quotes, line ends, NUL. */
function endsString(c: number): boolean {
  return c === 0x22 || c === 0x27 || c === 0x60 || c === NL || c === CR || c === 0;
}

/** \uXXXX or \xXX at `i`: its code point and length, or undefined. */
function codeEscape(bytes: Buffer, i: number): [number, number] | undefined {
  const kind = bytes[i + 1];
  const digits = kind === 0x75 ? 4 : kind === 0x78 ? 2 : 0; // u, x
  if (digits === 0 || i + 2 + digits > bytes.length) return undefined;
  let cp = 0;
  for (let k = 0; k < digits; k++) {
    const v = hexVal(bytes[i + 2 + k]!);
    if (v < 0) return undefined;
    cp = (cp << 4) | v;
  }
  return [cp, 2 + digits];
}

const SIMPLE_ESCAPES: Record<number, number> = { 0x6e: NL, 0x72: CR, 0x74: 0x09 }; // \n \r \t

/** The string contents around the \u or \x escape at `at`, with at least MIN_ESCAPES ASCII ones. */
function escapeRun(bytes: Buffer, at: number, prevEnd: number, budget: DecodeBudget): EncodedSpan | number {
  // start only at a printable ASCII escape: unicode ranges in regexes ([\u0300-\u036f]) and ANSI
  // colours (\u001b) are common and never hide a secret
  const first = codeEscape(bytes, at);
  if (!first || first[0] < 0x20 || first[0] > 0x7e) return at + 1;
  let start = at;
  const floor = Math.max(prevEnd, at - MAX_RUN);
  while (start > floor) {
    const c = bytes[start - 1]!;
    if (!endsString(c)) start--;
    // an escaped quote does not end the string
    else if (c !== NL && c !== CR && c !== 0 && start - 2 >= floor && bytes[start - 2] === BACKSLASH) start -= 2;
    else break;
  }
  const ceil = Math.min(bytes.length, start + MAX_RUN);
  const chars: number[] = [];
  let ascii = 0;
  let end = start;
  while (end < ceil) {
    const c = bytes[end]!;
    if (c === BACKSLASH && end + 1 < ceil) {
      const code = codeEscape(bytes, end);
      if (code) {
        let [cp, len] = code;
        // a UTF-16 surrogate pair written as two \u escapes
        if (cp >= 0xd800 && cp <= 0xdbff && bytes[end + len] === BACKSLASH) {
          const low = codeEscape(bytes, end + len);
          if (low && low[0] >= 0xdc00 && low[0] <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low[0] - 0xdc00);
            len += low[1];
          }
        }
        if (cp < 0x80) ascii++;
        chars.push(cp);
        end += len;
        continue;
      }
      const next = bytes[end + 1]!;
      chars.push(SIMPLE_ESCAPES[next] ?? next);
      end += 2;
      continue;
    }
    if (endsString(c)) break;
    chars.push(c);
    end++;
  }
  if (ascii < MIN_ESCAPES) return end;
  // raw bytes >= 0x80 are UTF-8 already: keep them as they are, encode decoded code points
  const parts: Buffer[] = [];
  let raw: number[] = [];
  let size = 0;
  for (let k = 0; k < chars.length; k++) {
    const cp = chars[k]!;
    if (cp < 0x80) {
      raw.push(cp);
      size++;
    } else {
      if (raw.length > 0) parts.push(Buffer.from(raw));
      raw = [];
      const b = Buffer.from(String.fromCodePoint(cp), 'utf8');
      parts.push(b);
      size += b.length;
    }
  }
  if (raw.length > 0) parts.push(Buffer.from(raw));
  const decoded = Buffer.concat(parts).subarray(0, budget.fit(size));
  if (!isMostlyPrintable(decoded)) return end;
  return { start, end, encoding: 'escape', decoded };
}

/**
 * Runs of at least MIN_BASE64 base64 characters, found by probing every MIN_BASE64-th byte and
 * walking back to the previous non-base64 byte (a longer run must contain a probed byte): on source
 * code, whose runs are short identifiers, this reads a fraction of the bytes. Each run is then
 * tried as hex (when it is all hex digits) or base64, and kept when it decodes to text.
 */
function base64Runs(bytes: Buffer, skip: readonly EncodedSpan[], budget: DecodeBudget, out: EncodedSpan[]): void {
  const native = nativeAddon();
  const runs = (native && bytes.length <= NATIVE_MAX_BYTES ? native.base64Runs(bytes, MIN_BASE64, vectorAllowed()) : undefined) ?? portableBase64Runs(bytes, MIN_BASE64);
  let s = 0; // next span of `skip` that may overlap
  for (let i = 0; i < runs.length; i += 2) {
    const start = runs[i]!;
    const end = runs[i + 1]!;
    while (s < skip.length && skip[s]!.end <= start) s++;
    if (s < skip.length && skip[s]!.start < end) continue;
    if (!budget.open()) return;
    const span = decodeRun(bytes, start, end, budget);
    if (span) {
      out.push(span);
      budget.spend(span.decoded.length);
    }
  }
}

/** [start, end, ...] of the maximal runs of base64 characters at least `min` long (what the addon computes). */
export function portableBase64Runs(bytes: Uint8Array, min: number): number[] {
  const runs: number[] = [];
  const len = bytes.length;
  let p = min - 1;
  while (p < len) {
    let q = p;
    const stop = p - min;
    while (q > stop && B64[bytes[q]!] === 1) q--;
    if (q !== stop) {
      p = q + min;
      continue;
    }
    let start = stop + 1;
    while (start > 0 && B64[bytes[start - 1]!] === 1) start--;
    let end = p + 1;
    while (end < len && B64[bytes[end]!] === 1) end++;
    runs.push(start, end);
    p = end + min;
  }
  return runs;
}

/** Hex or base64 text decoded, or undefined when it is neither or does not decode to text. */
function decodeRun(bytes: Buffer, start: number, end: number, budget: DecodeBudget): EncodedSpan | undefined {
  let from = start;
  // 0x-prefixed hex
  if (bytes[from] === 0x30 && bytes[from + 1] === 0x78) from += 2;
  let hex = true;
  for (let i = from; i < end && hex; i++) hex = HEX[bytes[i]!] === 1;
  if (hex && end - from >= MIN_HEX) return decodeHex(bytes, from, end, budget);
  return decodeBase64(bytes, start, end, budget);
}

function decodeHex(bytes: Buffer, from: number, end: number, budget: DecodeBudget): EncodedSpan | undefined {
  if ((end - from) % 2 !== 0) return undefined;
  // a printable byte's high nibble is 2-7: hashes and ids fail within a few pairs
  let misses = 0;
  for (let i = from; i < Math.min(end, from + 32); i += 2) {
    const hi = hexVal(bytes[i]!);
    if (hi < 2 || hi > 7) {
      const lo = hexVal(bytes[i + 1]!);
      if (!(hi === 0 && (lo === 9 || lo === 0xa || lo === 0xd)) && ++misses > 1) return undefined;
    }
  }
  const wanted = (end - from) / 2;
  const n = Math.min(wanted, Math.max(0, budget.bytes));
  const decoded = Buffer.from(bytes.toString('latin1', from, from + 2 * n), 'hex');
  if (!isMostlyPrintable(decoded)) return undefined;
  if (n < wanted) budget.exhausted = true;
  return { start: from, end, encoding: 'hex', decoded };
}

function decodeBase64(bytes: Buffer, start: number, end: number, budget: DecodeBudget): EncodedSpan | undefined {
  // cheap test before decoding anything: the first groups must lead with a text byte
  let misses = 0;
  for (let i = start; i < Math.min(end, start + 32); i += 4) {
    if (B64_TEXT_LEAD[bytes[i]!] !== 1 && ++misses > 1) return undefined;
  }
  let std = false;
  let url = false;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === 0x2b || c === 0x2f) std = true; // + /
    else if (c === 0x2d || c === 0x5f) url = true; // - _
  }
  // both alphabets at once: an identifier or a path, not base64
  if (std && url) return undefined;
  let full = end;
  while (full < bytes.length && full - end < 2 && bytes[full] === 0x3d) full++; // = padding
  const runChars = end - start;
  const budgetChars = Math.floor((Math.max(0, budget.bytes) * 4) / 3) & ~3;
  const whole = runChars <= budgetChars;
  const chars = whole ? runChars : budgetChars;
  if (chars < 4) {
    budget.exhausted = true; // no room left for this run
    return undefined;
  }
  const sampleEnd = start + Math.min(chars, SAMPLE_CHARS);
  const head = Buffer.from(bytes.toString('latin1', start, sampleEnd), 'base64');
  if (!isMostlyPrintable(head)) return undefined;
  let decoded = head;
  if (sampleEnd < start + chars) {
    decoded = Buffer.from(bytes.toString('latin1', start, whole ? full : start + chars), 'base64');
    if (!isMostlyPrintable(decoded)) return undefined;
  }
  if (!whole) budget.exhausted = true;
  return { start, end: full, encoding: url ? 'base64url' : 'base64', decoded };
}
