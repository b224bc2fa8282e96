// The engine's part of keywarden's native addon (native/prefilter.cc): the keyword prefilter, the
// base64-run finder and window helpers. Everything it does has a portable fallback, used when it
// was not built or when KEYWARDEN_NATIVE=0 asks for the portable path (which the tests compare it
// against).
import { loadNativeAddon } from '../native-addon.js';

export interface NativeMatcher {
  readonly __brand: 'matcher';
}

export interface NativeAddon {
  /**
   * `vector: false` keeps the matcher off the vector filter it uses where the CPU has one (AVX-512
   * VBMI, see `vectorFilter`, else AVX2); `'avx2'` asks for the AVX2 one even where AVX-512 is
   * there (where the CPU has AVX2, see `avx2Filter`). The tests compare the paths.
   */
  compile(keywords: string[], positional: boolean[], vector?: boolean | 'avx2'): NativeMatcher;
  /**
   * [n, the n keywords present ascending, then keyword, offset, ... of the positional ones];
   * `present` gets 1 (or 2: too dense to list) per keyword present.
   */
  scan(matcher: NativeMatcher, bytes: Uint8Array, present: Uint8Array, limit: number): Int32Array | undefined;
  /** [start, end, ...] of the maximal runs of base64 characters at least `minLength` long. */
  base64Runs(bytes: Uint8Array, minLength: number, vector?: boolean): Int32Array | undefined;
  /**
   * Copies `count` windows bytes[windows[2i], windows[2i + 1]) into `out`, each followed by a
   * newline; returns the length written, or -1 (a window out of range, or `out` too small).
   */
  gather(bytes: Uint8Array, windows: Int32Array, count: number, out: Uint8Array): number;
  /**
   * The windows around the first `count` ascending positions, as windows.ts's keywordWindows (or
   * anchoredWindows, `anchored`) computes them, written [start, end, ...] into `out`; returns how many.
   */
  windows(
    bytes: Uint8Array,
    positions: Int32Array,
    count: number,
    before: number,
    after: number,
    maxBytes: number,
    mergeGap: number,
    anchored: boolean,
    out: Int32Array,
  ): number;
  /** 0 and the offset after every newline. */
  lineStarts(bytes: Uint8Array): Int32Array | undefined;
  /** Whether this CPU has the AVX-512 VBMI instructions of the fastest paths (else AVX2, where it has that). */
  readonly vectorFilter: boolean;
  /** Whether this CPU can run the AVX2 filter (compile's `'avx2'`). */
  readonly avx2Filter: boolean;
}

/**
 * Whether the addon may use its vector paths (AVX-512, AVX2) where the CPU has them:
 * KEYWARDEN_VECTOR=0 keeps it on its scalar loops (same results; for measuring them end to end).
 */
export function vectorAllowed(): boolean {
  return process.env.KEYWARDEN_VECTOR !== '0';
}

/** Offsets cross as 32-bit integers: longer inputs take the portable path. */
export const NATIVE_MAX_BYTES = 0x7fffffff;

/** The addon, or undefined when it was not built or KEYWARDEN_NATIVE=0. */
export function nativeAddon(): NativeAddon | undefined {
  return loadNativeAddon() as NativeAddon | undefined;
}
