import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Prefilter } from '../../src/engine/prefilter.js';
import { nativeAddon, vectorAllowed } from '../../src/engine/native.js';
import { portableBase64Runs } from '../../src/engine/decode.js';

// Keywords of every shape the rules use: two-byte, three-byte, prefixes of one another,
// punctuation that the native matcher's case fold merges with other bytes ('_' with DEL, '@'
// with '`'), digits.
const KEYWORDS = ['$2', 'pwd', 'aws', 'pass', 'password', '_password', 'token', 'ghp_', 'xoxb-', 'sk_live_', 'a@b', 'eyj', 'datadog', '8q~'];
const POSITIONAL = new Set(['pass', 'password', '_password', 'token', 'datadog', '$2', 'a@b']);

// the native matcher (on its AVX-512 or AVX2 filter where the CPU has one), the native matcher's
// scalar loop, the portable prefilter, and the native matcher on its AVX2 filter (where the CPU has
// AVX2, even with AVX-512 there)
const PREFILTERS = [
  new Prefilter(KEYWORDS, POSITIONAL),
  new Prefilter(KEYWORDS, POSITIONAL, { vector: false }),
  new Prefilter(KEYWORDS, POSITIONAL, { portable: true }),
  new Prefilter(KEYWORDS, POSITIONAL, { vector: 'avx2' }),
];

function all(bytes: Buffer): Array<{ present: string[]; positions: Record<string, number[] | undefined> }> {
  return PREFILTERS.map((p) => {
    const hits = p.scan(bytes);
    const present = hits.present.map((k) => KEYWORDS[k]!);
    const positions: Record<string, number[] | undefined> = {};
    for (const k of present) if (POSITIONAL.has(k)) positions[k] = hits.positions.of(k);
    return { present, positions };
  });
}

describe('keyword prefilter', () => {
  it('is the native matcher after npm ci (KEYWARDEN_NATIVE=0 selects the portable one)', () => {
    expect(new Prefilter(KEYWORDS, POSITIONAL).native).toBe(process.env.KEYWARDEN_NATIVE !== '0');
  });

  it('keeps the native matcher off its vector paths with KEYWARDEN_VECTOR=0', () => {
    const saved = process.env.KEYWARDEN_VECTOR;
    try {
      process.env.KEYWARDEN_VECTOR = '0';
      expect(vectorAllowed()).toBe(false);
      delete process.env.KEYWARDEN_VECTOR;
      expect(vectorAllowed()).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.KEYWARDEN_VECTOR;
      else process.env.KEYWARDEN_VECTOR = saved;
    }
  });

  it('finds keywords case-insensitively, overlapping, at both ends of the buffer', () => {
    const text = Buffer.from('$2 PASSWORD=x DB_Password: y\nTOKEN token_pass=1 DataDog\x7fpassword a`b A@B pw$2');
    const [native, scalar, portable, avx2] = all(text);
    expect(native).toEqual(portable);
    expect(scalar).toEqual(portable);
    expect(avx2).toEqual(portable);
    expect(native!.present).toEqual(['$2', 'pass', 'password', '_password', 'token', 'a@b', 'datadog']);
    expect(native!.positions.password).toEqual([3, 17, 56]);
    expect(native!.positions.pass).toEqual([3, 17, 41, 56]);
    expect(native!.positions['$2']).toEqual([0, 75]);
    expect(native!.positions['a@b']).toEqual([69]);
  });

  it('stops listing a keyword that is too dense for windows to pay off', () => {
    const dense = Buffer.from('token '.repeat(400));
    const [native, scalar, portable, avx2] = all(dense);
    expect(native!.positions.token).toBeUndefined();
    expect(scalar!.positions.token).toBeUndefined();
    expect(portable!.positions.token).toBeUndefined();
    expect(avx2!.positions.token).toBeUndefined();
    expect(native!.present).toEqual(['token']);
  });

  it('agrees with the portable prefilter on arbitrary bytes', () => {
    const pieces = fc.oneof(
      fc.constantFrom(...KEYWORDS, ...KEYWORDS.map((k) => k.toUpperCase()), '\n', ' ', '\x00', '\xff', '\x7f', '`'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
        const [native, scalar, portable, avx2] = all(Buffer.from(parts.join(''), 'latin1'));
        expect(native).toEqual(portable);
        expect(scalar).toEqual(portable);
        expect(avx2).toEqual(portable);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds keywords across the vector filter\'s 64-byte blocks and in the scalar tail', () => {
    // every keyword, in both cases, starting at each offset around the block boundaries
    for (const kw of KEYWORDS) {
      for (const word of [kw, kw.toUpperCase()]) {
        for (let at = 55; at < 140; at++) {
          const bytes = Buffer.alloc(at + word.length + (at % 9), '.');
          bytes.write(word, at, 'latin1');
          const [native, scalar, portable, avx2] = all(bytes);
          expect(native).toEqual(portable);
          expect(scalar).toEqual(portable);
          expect(avx2).toEqual(portable);
          expect(native!.present).toContain(kw);
        }
      }
    }
  });

  it('agrees with the portable prefilter on long text (many vector blocks)', () => {
    const pieces = fc.oneof(fc.constantFrom(...KEYWORDS, ...KEYWORDS.map((k) => k.toUpperCase()), '\n', '\xff'), fc.string({ minLength: 20, maxLength: 90 }));
    fc.assert(
      fc.property(fc.array(pieces, { minLength: 10, maxLength: 80 }), (parts) => {
        const [native, scalar, portable, avx2] = all(Buffer.from(parts.join(''), 'latin1'));
        expect(native).toEqual(portable);
        expect(scalar).toEqual(portable);
        expect(avx2).toEqual(portable);
      }),
      { numRuns: 500 },
    );
  });
});

describe('native base64 runs', () => {
  it('are the portable ones, on arbitrary text', () => {
    const native = nativeAddon();
    if (process.env.KEYWARDEN_NATIVE === '0') expect(native).toBeUndefined();
    else expect(native).toBeDefined();
    const chars = fc.constantFrom('A', 'z', '0', '+', '/', '-', '_', '=', ' ', '\n', '.', '"', '\xff');
    fc.assert(
      fc.property(fc.array(fc.oneof(chars, fc.string({ maxLength: 40 })), { maxLength: 60 }), fc.integer({ min: 1, max: 40 }), (parts, min) => {
        const bytes = Buffer.from(parts.join(''), 'latin1');
        const expected = portableBase64Runs(bytes, min);
        if (native) expect([...native.base64Runs(bytes, min)!]).toEqual(expected);
        if (native) expect([...native.base64Runs(bytes, min, false)!]).toEqual(expected);
        // every run is maximal and long enough
        for (let i = 0; i < expected.length; i += 2) expect(expected[i + 1]! - expected[i]!).toBeGreaterThanOrEqual(min);
      }),
      { numRuns: 3000 },
    );
  });

  it('are the portable ones at the engine\'s minimum of 32 (the vector path), over many 64-byte blocks', () => {
    const native = nativeAddon();
    const b64 = fc.stringMatching(/^[A-Za-z0-9+/_-]{1,150}$/);
    const gap = fc.constantFrom(' ', '=', '\n', '.', '\x80', '\xff', '\x00', '"');
    fc.assert(
      fc.property(fc.array(fc.tuple(b64, gap), { maxLength: 40 }), fc.boolean(), (parts, trailing) => {
        let text = parts.map(([run, g]) => run + g).join('');
        if (trailing && text.length > 0) text = text.slice(0, -1);
        const bytes = Buffer.from(text, 'latin1');
        const expected = portableBase64Runs(bytes, 32);
        if (native) {
          expect([...native.base64Runs(bytes, 32)!]).toEqual(expected);
          expect([...native.base64Runs(bytes, 32, false)!]).toEqual(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('finds a run touching either end of the buffer', () => {
    const run = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=';
    const bytes = Buffer.from(`${run.slice(0, 32)} x ${run.slice(0, 33)}`);
    expect(portableBase64Runs(bytes, 32)).toEqual([0, 32, 35, 68]);
    if (nativeAddon()) expect([...nativeAddon()!.base64Runs(bytes, 32)!]).toEqual([0, 32, 35, 68]);
  });
});
