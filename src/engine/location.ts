import type { Location } from '../types.js';
import { NATIVE_MAX_BYTES, nativeAddon } from './native.js';

const NL = 0x0a;

/**
 * Maps byte offsets of one fragment to 1-based lines and columns. Built lazily, only for
 * fragments that have a match; columns count UTF-16 code units (SARIF's default columnKind).
 */
export class LineIndex {
  private starts: ArrayLike<number> | undefined;

  constructor(private readonly bytes: Buffer) {}

  private lineStarts(): ArrayLike<number> {
    // natively with memchr: from JS, one indexOf call per line cost ~80 us on a 32 KB file
    if (!this.starts && this.bytes.length <= NATIVE_MAX_BYTES) this.starts = nativeAddon()?.lineStarts(this.bytes);
    if (!this.starts) {
      const starts = [0];
      let i = this.bytes.indexOf(NL);
      while (i !== -1) {
        starts.push(i + 1);
        i = this.bytes.indexOf(NL, i + 1);
      }
      this.starts = starts;
    }
    return this.starts;
  }

  /** 0-based index of the line containing byte `offset`. */
  lineOf(offset: number): number {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Byte range [start, end) of 0-based line `line`, without its line terminator. */
  lineRange(line: number): [number, number] {
    const starts = this.lineStarts();
    const start = starts[line] ?? this.bytes.length;
    let end = line + 1 < starts.length ? starts[line + 1]! - 1 : this.bytes.length;
    if (end > start && this.bytes[end - 1] === 0x0d) end--;
    return [start, end];
  }

  /** The last column computed, so matches along one long (minified) line decode it once, not once each. */
  private last = { line: -1, offset: 0, column: 1 };

  private column(line: number, offset: number): number {
    const start = this.lineStarts()[line] ?? 0;
    const last = this.last;
    let column: number;
    // resuming is exact only from a character boundary (not a UTF-8 continuation byte)
    if (last.line === line && offset >= last.offset && (this.bytes[last.offset]! & 0xc0) !== 0x80) {
      column = last.column + this.bytes.toString('utf8', last.offset, offset).length;
    } else {
      column = this.bytes.toString('utf8', start, offset).length + 1;
    }
    if ((this.bytes[offset]! & 0xc0) !== 0x80) this.last = { line, offset, column };
    return column;
  }

  locate(start: number, end: number): Location {
    const line = this.lineOf(start);
    // The end position points at the last character of the secret (inclusive line) and the
    // column just past it (exclusive column), as SARIF regions do.
    const endLine = this.lineOf(Math.max(start, end - 1));
    return {
      line: line + 1,
      column: this.column(line, start),
      endLine: endLine + 1,
      endColumn: this.column(endLine, end),
    };
  }
}
