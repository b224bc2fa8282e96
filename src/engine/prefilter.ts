// The keyword prefilter: which of the rule set's keywords a fragment holds (so only their rules
// run) and where (so rules without a literal to skip to run only around them). The native
// matcher (native/prefilter.cc, built by `npm ci`; AVX-512 or AVX2 where the CPU has it) answers both in
// one pass; without it, an RE2.Set answers "which" and a V8 alternation "where", two passes over
// every byte.
import { NATIVE_MAX_BYTES, nativeAddon, vectorAllowed, type NativeMatcher } from './native.js';
import { KeywordSet } from './regex.js';
import { densityLimit, KeywordPositions, type KeywordLocator, type KeywordRegexCache } from './windows.js';

export interface KeywordHits {
  /** Indices (into the prefilter's keywords) of the keywords present, ascending. */
  present: number[];
  /** Where the positional keywords occur. */
  positions: KeywordLocator;
}

export class Prefilter {
  readonly keywords: readonly string[];
  readonly native: boolean;
  private readonly positional: ReadonlySet<string>;
  private readonly matcher: NativeMatcher | undefined;
  private set: KeywordSet | undefined;
  private readonly regexCache: KeywordRegexCache = new Map();
  private readonly presentBytes: Uint8Array;

  /**
   * `keywords`: lowercase and distinct; `positional`: those whose positions `scan` must give;
   * `portable`: use RE2.Set even when the native matcher is built; `vector: false`: keep the
   * native matcher off its vector filter (AVX-512 or AVX2); `'avx2'`: the AVX2 one, for tests.
   */
  constructor(keywords: readonly string[], positional: ReadonlySet<string>, opts: { portable?: boolean; vector?: boolean | 'avx2' } = {}) {
    this.keywords = keywords;
    this.positional = positional;
    this.presentBytes = new Uint8Array(keywords.length);
    const lib = opts.portable ? undefined : nativeAddon();
    this.native = lib !== undefined && keywords.length > 0;
    if (lib && this.native) this.matcher = lib.compile([...keywords], keywords.map((k) => positional.has(k)), vectorAllowed() ? (opts.vector ?? true) : false);
  }

  scan(bytes: Buffer): KeywordHits {
    if (this.matcher && bytes.length <= NATIVE_MAX_BYTES) return this.scanNative(bytes);
    this.set ??= new KeywordSet(this.keywords);
    const present = this.set.match(bytes).sort((a, b) => a - b);
    const wanted = present.map((k) => this.keywords[k]!).filter((k) => this.positional.has(k));
    return { present, positions: new KeywordPositions(bytes, wanted, this.regexCache) };
  }

  private scanNative(bytes: Buffer): KeywordHits {
    const flags = this.presentBytes;
    const hits = nativeAddon()!.scan(this.matcher!, bytes, flags, densityLimit(bytes.length));
    // only when the thread is being torn down (or memory ran out) does the addon return nothing
    if (!hits) throw new Error('keyword prefilter: no result from the native matcher');
    const present: number[] = [];
    const found = new Map<string, number[] | undefined>();
    const n = hits[0]!;
    for (let i = 1; i <= n; i++) {
      const k = hits[i]!;
      present.push(k);
      // 2: occurs too often for its positions to be listed
      if (flags[k] === 2) found.set(this.keywords[k]!, undefined);
      else if (this.positional.has(this.keywords[k]!)) found.set(this.keywords[k]!, []);
    }
    for (let i = n + 1; i < hits.length; i += 2) found.get(this.keywords[hits[i]!]!)?.push(hits[i + 1]!);
    return { present, positions: { of: (kw) => (found.has(kw) ? found.get(kw) : []) } };
  }
}
