// A rule's keyword windows searched gathered into one buffer (one RE2 call for all of them) must
// give exactly the matches of one search per window: the engine with gathering is compared with
// the engine without it, on every default rule's examples mixed into filler and keyword lines,
// and on rules built to hit the edges (a match that starts on the newline before its window, one
// that runs past its window's end, \A).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRules, defaultRuleFiles, readRuleFile } from '../../src/config/load-rules.js';
import { Engine } from '../../src/engine/detect.js';
import { nativeAddon } from '../../src/engine/native.js';
import { expandExample } from '../support/example-generator.js';
import { engineFor, spec } from '../support/rules.js';

function matchesOf(engine: Engine, text: string) {
  return engine.scan({ bytes: Buffer.from(text, 'utf8'), path: 'src/app.txt' }).matches;
}

describe('gathered keyword windows', () => {
  it('are used where the native addon is built (KEYWARDEN_NATIVE=0 keeps one search per window)', () => {
    expect(typeof nativeAddon()?.gather).toBe(process.env.KEYWARDEN_NATIVE === '0' ? 'undefined' : 'function');
  });

  it('find what one search per window finds, with every default rule, on examples mixed into keyword-heavy text', () => {
    const specs = defaultRuleFiles().flatMap((f) => readRuleFile(f));
    const rules = compileRules(specs);
    const gathered = new Engine(rules);
    const apart = new Engine(rules, { gather: false });
    const examples = specs.flatMap((s) => (s.examples ?? []).map((e, i) => expandExample(e.tp ?? e.fp ?? '', `${s.id}/${i}`).text));
    // words that are keywords of windowed rules, in lines that mostly do not match
    const filler = [
      'the token is read later from the environment',
      'const token = getToken();',
      'secret: short',
      'password = os.environ["PASSWORD"]',
      '  api_key: ${API_KEY}',
      '<secret>',
      '',
      '# credentials go in the vault, not here',
      'sessionKey=',
      'x'.repeat(300),
    ];
    const line = fc.oneof(fc.constantFrom(...filler), fc.constantFrom(...examples), fc.string({ maxLength: 30 }));
    fc.assert(
      fc.property(fc.array(line, { minLength: 5, maxLength: 60 }), fc.constantFrom('\n', '\r\n', ''), (lines, eol) => {
        const text = lines.join(eol === '' ? '\n' : eol) + eol;
        expect(matchesOf(gathered, text)).toEqual(matchesOf(apart, text));
      }),
      { numRuns: 300 },
    );
  });

  it('search a window alone where a match starts on the newline before it or runs past its end', () => {
    const rules = [
      // the class before the token can take the newline that precedes a window in the gathered buffer
      spec({ id: 'edge-start', keywords: ['tok'], regex: String.raw`(?:^|[^a-z])(tok[0-9]{6})`, window: { before: 0, after: 0 } }),
      // \s runs on over line ends: past the window's end into the next one, when gathered
      spec({ id: 'edge-end', keywords: ['val'], regex: String.raw`val\s+(\d{4})`, window: { before: 0, after: 0 } }),
      // \A holds at each window's start when searched alone: never gathered
      spec({ id: 'edge-begin', keywords: ['beg'], regex: String.raw`\A[^\n]*beg([0-9]{5})`, window: { before: 0, after: 0 } }),
      // a leading \b is moved out of the regex and checked against the fragment's bytes
      spec({ id: 'edge-boundary', keywords: ['kw_'], regex: String.raw`\b(kw_[0-9]{4})`, window: { before: 0, after: 0 } }),
    ];
    const gathered = engineFor(rules);
    const apart = engineFor(rules, { gather: false });
    // lines longer than the gap across which windows are merged: every keyword line is its own window
    const filler = Array.from({ length: 12 }, (_, i) => `filler line ${i} `.padEnd(200, '.'));
    const text = [
      'tok123456 at a line start',
      ...filler.slice(0, 2),
      'x tok234567 inside',
      ...filler.slice(2, 4),
      'tok345678',
      ...filler.slice(4, 6),
      'val',
      filler[6],
      '1234 then val 9999',
      filler[7],
      'val 5678 on one line',
      ...filler.slice(8, 10),
      'beg12345 first',
      ...filler.slice(10),
      'beg23456 later',
      'xkw_1111 then kw_2222',
      filler[0],
      'kw_3333',
      filler[1],
      'akw_4444',
      filler[2],
      'kw_5555xkw_6666 (kw_7777)',
      'tok456789 last',
    ].join('\n');
    const found = matchesOf(gathered, text);
    expect(found).toEqual(matchesOf(apart, text));
    const bySecret = (id: string) => found.filter((m) => m.ruleId === id).map((m) => m.secret);
    expect(bySecret('edge-start')).toEqual(['tok123456', 'tok234567', 'tok345678', 'tok456789']);
    // gathered, "val" alone on its line runs on into the next window's "1234" (a filler line away
    // in the file); per window it does not
    expect(bySecret('edge-end')).toEqual(['9999', '5678']);
    expect(bySecret('edge-begin')).toEqual(['12345', '23456']);
    expect(bySecret('edge-boundary')).toEqual(['kw_2222', 'kw_3333', 'kw_5555', 'kw_7777']);
  });
});
