import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { anchoredWindows, anchoredWindowsFlat, anchorKeyword, KeywordPositions, keywordWindows, keywordWindowsFlat, needsWindows } from '../../src/engine/windows.js';
import { nativeAddon } from '../../src/engine/native.js';
import { literalPrefix, spansLines } from '../../src/engine/regex-syntax.js';

describe('literalPrefix', () => {
  it('finds case-sensitive literal prefixes RE2 can skip to', () => {
    expect(literalPrefix(String.raw`\b(ghp_[0-9A-Za-z]{36})\b`)).toBe('ghp_');
    expect(literalPrefix(String.raw`(?:xoxb-)[0-9]{10}`)).toBe('xoxb-');
    expect(literalPrefix(String.raw`sk_live_[0-9a-z]{24}`)).toBe('sk_live_');
    expect(literalPrefix(String.raw`(?i)password\s*=`)).toBe('');
    expect(literalPrefix(String.raw`(?:ghp|gho)_x`)).toBe('');
    expect(literalPrefix(String.raw`abc?d`)).toBe('ab');
  });
});

describe('spansLines', () => {
  it('detects patterns that cross lines', () => {
    expect(spansLines(String.raw`kind: Secret\r?\n(?:[^\n]*\n){0,60}data`)).toBe(true);
    expect(spansLines(String.raw`(?s)BEGIN.{1,900}END`)).toBe(true);
    expect(spansLines(String.raw`BEGIN[\s\S]{1,900}END`)).toBe(true);
    expect(spansLines(String.raw`server=[^;'"\r\n]{1,256};pwd=(\w+)`)).toBe(false);
    // a ']' first in a class is a member: the class below still excludes line breaks
    expect(spansLines(String.raw`key=[^]\r\n]{1,64}`)).toBe(false);
    expect(needsWindows(String.raw`(?i)datadog[\w.-]{0,20}key\s*=\s*([a-f0-9]{32})`)).toBe(true);
    expect(needsWindows(String.raw`\b(ghp_[0-9A-Za-z]{36})\b`)).toBe(false);
  });
});

describe('keywordWindows', () => {
  const text = 'line one\nline two\nthe datadog key\nline four\nline five\nline six\nline seven\nline eight\n';
  const bytes = Buffer.from(text);
  it('covers the keyword line and three lines each side, on line boundaries', () => {
    const w = keywordWindows(bytes, new KeywordPositions(bytes, ['datadog']), ['datadog'])!;
    expect(w).toHaveLength(1);
    expect(text.slice(w[0]![0], w[0]![1])).toBe('line one\nline two\nthe datadog key\nline four\nline five\nline six\n');
  });
  it('returns no windows when the keyword is absent, and undefined when occurrences are dense', () => {
    expect(keywordWindows(bytes, new KeywordPositions(bytes, ['absent']), ['absent'])).toEqual([]);
    const dense = 'key '.repeat(1000);
    expect(keywordWindows(Buffer.from(dense), new KeywordPositions(Buffer.from(dense), ['key']), ['key'])).toBeUndefined();
  });
  it('caps context on very long lines', () => {
    const long = `${'x'.repeat(5000)}datadog${'y'.repeat(5000)}`;
    const [[a, b]] = keywordWindows(Buffer.from(long), new KeywordPositions(Buffer.from(long), ['datadog']), ['datadog'])! as [[number, number]];
    expect(a).toBe(5000 - 1024);
    expect(b).toBe(5000 + 1024);
  });
});

describe('anchorKeyword', () => {
  it('is the longest keyword the literal lead starts with, for rules that stay on one line', () => {
    expect(anchorKeyword(String.raw`rediss?://[a-z]{1,9}:([a-z]{3,})@`, ['redis'])).toBe('redis');
    expect(anchorKeyword(String.raw`xoxb-[0-9]{10}`, ['xox', 'xoxb-', 'slack'])).toBe('xoxb-');
    expect(anchorKeyword(String.raw`AKIA[0-9A-Z]{16}`, ['akia'])).toBe('akia');
  });
  it('is undefined without a literal lead, for a keyword inside the literal, or across lines', () => {
    expect(anchorKeyword(String.raw`(?i)redis://x`, ['redis'])).toBeUndefined();
    expect(anchorKeyword(String.raw`sk_live_[0-9a-z]{24}`, ['live'])).toBeUndefined();
    expect(anchorKeyword(String.raw`-----BEGIN[\s\S]{1,64}END`, ['-----begin'])).toBeUndefined();
  });
});

describe('anchoredWindows', () => {
  it('runs from each occurrence to the end of its context, merging overlaps', () => {
    const bytes = Buffer.from('a redis b\nc\nd\ne\nf\ng redis h\n');
    expect(anchoredWindows(bytes, [2])).toEqual([[2, 16]]);
    expect(anchoredWindows(bytes, [2, 20])).toEqual([[2, 16], [20, 28]]);
    expect(anchoredWindows(bytes, [2, 4])).toEqual([[2, 16]]);
  });
});

describe('keywordWindows on many occurrences', () => {
  it('covers the context of every occurrence, on short and long (minified) lines alike', () => {
    const pieces = fc.oneof(fc.constant('datadog'), fc.constant('\n'), fc.constant('x'.repeat(700)), fc.string({ maxLength: 30 }));
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 60 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (parts, before, after) => {
        const bytes = Buffer.from(parts.join(''));
        const windows = keywordWindows(bytes, new KeywordPositions(bytes, ['datadog']), ['datadog'], { before, after });
        if (windows === undefined) return; // too dense: the whole fragment is searched
        const text = bytes.toString('latin1');
        for (let p = text.indexOf('datadog'); p !== -1; p = text.indexOf('datadog', p + 1)) {
          // the occurrence's own context, computed alone
          const [[s, e]] = keywordWindows(bytes, { of: () => [p] }, ['datadog'], { before, after })! as [[number, number]];
          expect(windows.some(([ws, we]) => ws <= s && e <= we)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('flat windows (computed by the native addon where it is built)', () => {
  it('are the windows keywordWindows and anchoredWindows compute, on short and long lines, CRLF, several keywords', () => {
    expect(typeof nativeAddon()?.windows).toBe(process.env.KEYWARDEN_NATIVE === '0' ? 'undefined' : 'function');
    const keywords = ['datadog', 'key', 'dog'];
    const pieces = fc.oneof(fc.constantFrom(...keywords, '\n', '\r\n', 'x'.repeat(700), 'y'.repeat(1100)), fc.string({ maxLength: 30 }));
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 80 }),
        fc.subarray(keywords, { minLength: 1 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        (parts, kws, before, after) => {
          const bytes = Buffer.from(parts.join(''), 'latin1');
          const positions = new KeywordPositions(bytes, kws);
          const expected = keywordWindows(bytes, positions, kws, { before, after });
          const flat = keywordWindowsFlat(bytes, positions, kws, { before, after });
          expect(flat === undefined ? undefined : [...flat]).toEqual(expected?.flat());
          const at = positions.of(kws[0]!);
          if (at) expect([...anchoredWindowsFlat(bytes, at)]).toEqual(anchoredWindows(bytes, at).flat());
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('join windows exactly as far apart as the merge gap and no further, and cut long lines at the same byte', () => {
    const flat = (text: string, before = 0, after = 0) => {
      const bytes = Buffer.from(text, 'latin1');
      const positions = new KeywordPositions(bytes, ['datadog']);
      const expected = keywordWindows(bytes, positions, ['datadog'], { before, after })!.flat();
      expect([...keywordWindowsFlat(bytes, positions, ['datadog'], { before, after })!]).toEqual(expected);
      return expected;
    };
    // the second window starts 8 + filler bytes after the first one's start, 160 bytes after its end
    expect(flat(`datadog\n${'f'.repeat(159)}\ndatadog\n`)).toEqual([0, 176]);
    expect(flat(`datadog\n${'f'.repeat(160)}\ndatadog\n`)).toEqual([0, 8, 169, 177]);
    // a line longer than the context: cut 1,024 bytes either side of the occurrence
    const long = `${'a'.repeat(2000)}datadog${'b'.repeat(2000)}\n`;
    expect(flat(long, 2, 2)).toEqual([2000 - 1024, 2000 + 1024]);
    // an occurrence later on the same (short) line adds nothing; on a long line it has its own context
    expect(flat('x datadog y datadog z\n')).toEqual([0, 22]);
    // ([0, 1024) and [483, 1515): within the merge gap, joined)
    expect(flat(`datadog${'c'.repeat(1500)}datadog\n`)).toEqual([0, 1515]);
  });
});

