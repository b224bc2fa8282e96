import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { stripLeadingBoundary } from '../../src/engine/boundary.js';
import { KeywordPositions } from '../../src/engine/windows.js';
import { SeededRandom } from '../support/example-generator.js';
import { engineFor, scanText, spec } from '../support/rules.js';

/** Every match of `pattern` (with its \b) over `text`, as RE2 itself finds them. */
function reference(pattern: string, text: string): Array<[number, string]> {
  const re = new RE2(pattern, 'gm');
  const out: Array<[number, string]> = [];
  const buf = Buffer.from(text);
  for (let m = re.exec(buf); m; m = re.exec(buf)) {
    const groups = m as unknown as Array<Buffer | undefined>;
    out.push([m.index, String(groups[1] ?? groups[0])]);
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

describe('leading \\b moved out of the regex', () => {
  it('is moved only when a literal follows it', () => {
    expect(stripLeadingBoundary(String.raw`\b(dmo_[A-Z]{4})`)).toBe(String.raw`(dmo_[A-Z]{4})`);
    expect(stripLeadingBoundary(String.raw`(?i)\bdmo_[A-Z]{4}`)).toBe(String.raw`(?i)dmo_[A-Z]{4}`);
    expect(stripLeadingBoundary(String.raw`\b[A-Z]{4}`)).toBeUndefined();
    expect(stripLeadingBoundary(String.raw`x\bdmo_`)).toBeUndefined();
    expect(stripLeadingBoundary(String.raw`\b(?:ab|cd)x`)).toBeUndefined();
  });

  it('finds exactly what the original regex finds, on random text around word boundaries', () => {
    const rng = new SeededRandom('boundary');
    const pieces = ['dmo_', 'xdmo_', '_dmo_', '-dmo_', 'dmo_dmo_', 'ABCD', 'abcd', ' ', '\n', '.', 'é', '9'];
    const patterns = [String.raw`\b(dmo_[A-Za-z_]{4})`, String.raw`\b(dmo_[A-Za-z]{4})\b`, String.raw`(?i)\b(DMO_[a-z]{2,4})`];
    for (const pattern of patterns) {
      const e = engineFor([spec({ id: 'b', regex: pattern, keywords: ['dmo_'] })]);
      for (let i = 0; i < 300; i++) {
        let text = '';
        for (let k = 0; k < 12; k++) text += pieces[rng.bytes(1)[0]! % pieces.length];
        const got = scanText(e, text).map((m) => [m.matchStart, m.secret]);
        expect(got, `${pattern} on ${JSON.stringify(text)}`).toEqual(reference(pattern, text));
      }
    }
  });

  it('skips a long run of word characters in one step rather than one exec per byte', () => {
    const e = engineFor([spec({ id: 'b', regex: String.raw`\b(aa[a-z]{2})`, keywords: ['aa'] })]);
    expect(scanText(e, `x${'a'.repeat(100_000)} aabc`).map((m) => m.secret)).toEqual(['aabc']);
  });
});

describe('KeywordPositions', () => {
  it('finds every occurrence of every keyword in one pass, overlapping ones and case-insensitively', () => {
    const text = Buffer.from('pass password PASSWORD passpass xpassword passwor a_key SECRET_KEY');
    const kws = ['pass', 'password', 'key', '_key', 'secret_key', 'secret'];
    const p = new KeywordPositions(text, kws);
    const lower = text.toString('latin1').toLowerCase();
    for (const k of kws) {
      const expected: number[] = [];
      for (let i = lower.indexOf(k); i !== -1; i = lower.indexOf(k, i + 1)) expected.push(i);
      expect(p.of(k), k).toEqual(expected);
    }
    expect(p.of('password')).toEqual([5, 14, 33]);
  });

  it('gives up on a keyword too dense for windows, and not on the others', () => {
    const text = Buffer.from(`${'key '.repeat(1000)}datadog`);
    const p = new KeywordPositions(text, ['key', 'datadog']);
    expect(p.of('key')).toBeUndefined();
    expect(p.of('datadog')).toEqual([4000]);
  });
});
