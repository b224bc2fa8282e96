// Properties of the engine over generated input: it never throws, every offset it reports lies
// inside the fragment and agrees with its line/column, and a secret is found at the same place
// whatever lines surround it (the engine runs some rules only on windows around keywords, so
// this is where "independent of chunking" can break).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultRuleFiles, readRuleFile } from '../../src/config/load-rules.js';
import type { Engine } from '../../src/engine/detect.js';
import { buildRuleSet } from '../../src/rules.js';
import type { Match, RuleSpec } from '../../src/types.js';
import { expandExample } from '../support/example-generator.js';

const NUM_RUNS = Number(process.env.KW_PROPERTY_RUNS ?? 150);

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Demo rules through the same path a config takes (src/rules.ts): one literal-led, one windowed, one multi-line. */
const demoRules: RuleSpec[] = [
  { id: 'demo-token', description: 'demo token', provider: 'demo', severity: 'high', confidence: 'high', keywords: ['dmo_'], regex: String.raw`\b(dmo_[A-Za-z0-9]{24})\b` },
  { id: 'demo-assignment', description: 'demo assignment', provider: 'demo', severity: 'medium', confidence: 'low', keywords: ['demo_secret'], regex: String.raw`(?i)demo_secret\s*[:=]\s*"([A-Za-z0-9]{20,40})"` },
  { id: 'demo-block', description: 'demo block', provider: 'demo', severity: 'high', confidence: 'high', keywords: ['-----begin demo'], regex: String.raw`(-----BEGIN DEMO-----[\s\S]{8,400}?-----END DEMO-----)` },
];

const demo = buildRuleSet({ useDefaultRules: false, ruleFiles: [], rules: demoRules, disabledRules: [] }).engine;
const bundled = buildRuleSet({ useDefaultRules: true, ruleFiles: [], rules: [], disabledRules: [] }).engine;

const keywords = [...new Set([...demoRules, ...defaultRuleFiles().flatMap(readRuleFile)].flatMap((r) => r.keywords))];

/** Bytes that look like source: arbitrary bytes mixed with rule keywords, quotes, separators, line breaks. */
const sourceLike = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
      fc.constantFrom(...keywords).map((k) => Buffer.from(k)),
      fc.constantFrom('\n', '\r\n', ' = "', '": "', "'", '=', ':', ' ', '\t', '\u00e9', '\u{1F511}', '\uFFFD').map((s) => Buffer.from(s)),
      fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 8, maxLength: 64 }).map((s) => Buffer.from(s)),
    ),
    { maxLength: 60 },
  )
  .map((parts) => Buffer.concat(parts));

function checkMatch(bytes: Buffer, m: Match): void {
  expect(m.matchStart).toBeGreaterThanOrEqual(0);
  expect(m.start).toBeGreaterThanOrEqual(m.matchStart);
  expect(m.end).toBeGreaterThan(m.start);
  expect(m.matchEnd).toBeGreaterThanOrEqual(m.end);
  expect(m.matchEnd).toBeLessThanOrEqual(bytes.length);
  expect(m.secret).toBe(bytes.toString('utf8', m.start, m.end));
  // line and column agree with the byte offset
  const before = bytes.subarray(0, m.start);
  const line = before.filter((b) => b === 0x0a).length + 1;
  const lineStart = before.lastIndexOf(0x0a) + 1;
  expect(m.line).toBe(line);
  expect(m.column).toBe(bytes.toString('utf8', lineStart, m.start).length + 1);
  expect(m.endLine).toBeGreaterThanOrEqual(m.line);
  expect(m.endColumn).toBeGreaterThanOrEqual(1);
}

function scan(engine: Engine, bytes: Buffer, path = 'src/app.txt'): Match[] {
  return engine.scan({ bytes, path }).matches;
}

describe('engine properties', () => {
  it('never throws on arbitrary bytes, with the bundled rules and with demo rules', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (raw) => {
        const bytes = Buffer.from(raw);
        for (const e of [bundled, demo]) for (const m of scan(e, bytes)) checkMatch(bytes, m);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('reports offsets inside the fragment that agree with line and column, on source-like input', () => {
    fc.assert(
      fc.property(sourceLike, (bytes) => {
        for (const e of [bundled, demo]) for (const m of scan(e, bytes)) checkMatch(bytes, m);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  // Lines around the secret: any bytes but a line break, and none that spell a demo keyword.
  const otherLine = fc
    .uint8Array({ maxLength: 300 })
    .map((b) => Buffer.from(b.filter((x) => x !== 0x0a)))
    .filter((b) => !/dmo_|demo_secret|-----begin demo|-----end demo/i.test(b.toString('latin1')));

  const secretLine = fc.oneof(
    fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 24, maxLength: 24 }).map((s) => ({ rule: 'demo-token', line: `x = dmo_${s};`, secret: `dmo_${s}`, at: 4 })),
    fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 20, maxLength: 40 }).map((s) => ({ rule: 'demo-assignment', line: `DEMO_SECRET: "${s}"`, secret: s, at: 14 })),
  );

  it('finds a secret at the same line, column and byte offset whatever lines surround it', () => {
    fc.assert(
      fc.property(fc.array(otherLine, { maxLength: 40 }), secretLine, fc.array(otherLine, { maxLength: 40 }), fc.boolean(), (before, s, after, crlf) => {
        const eol = Buffer.from(crlf ? '\r\n' : '\n');
        const lines = [...before, Buffer.from(s.line), ...after];
        const bytes = Buffer.concat(lines.flatMap((l) => [l, eol]));
        const offset = before.reduce((a, l) => a + l.length + eol.length, 0) + s.at;
        const found = scan(demo, bytes).filter((m) => m.ruleId === s.rule);
        expect(found.map((m) => [m.secret, m.start, m.line])).toEqual([[s.secret, offset, before.length + 1]]);
        // and the same as when the line is scanned alone
        const [alone] = scan(demo, Buffer.from(s.line)).filter((m) => m.ruleId === s.rule);
        expect(found[0]!.start - offset).toBe(alone!.start - s.at);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('finds a secret in a very long line at the same offset whatever the filler around it', () => {
    fc.assert(
      fc.property(fc.nat({ max: 200_000 }), fc.nat({ max: 200_000 }), secretLine, (pre, post, s) => {
        const bytes = Buffer.concat([Buffer.alloc(pre, ';'), Buffer.from(` ${s.line} `), Buffer.alloc(post, ';')]);
        const found = scan(demo, bytes).filter((m) => m.ruleId === s.rule);
        expect(found.map((m) => [m.start, m.line])).toEqual([[pre + 1 + s.at, 1]]);
      }),
      { numRuns: 30 },
    );
  });

  it('finds a multi-line secret whatever lines surround it', () => {
    fc.assert(
      fc.property(fc.array(otherLine, { maxLength: 20 }), fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 8, maxLength: 60 }), fc.array(otherLine, { maxLength: 20 }), (before, body, after) => {
        const block = `-----BEGIN DEMO-----\n${body}\n-----END DEMO-----`;
        const bytes = Buffer.concat([...before.flatMap((l) => [l, Buffer.from('\n')]), Buffer.from(block), ...after.flatMap((l) => [Buffer.from('\n'), l])]);
        const found = scan(demo, bytes).filter((m) => m.ruleId === 'demo-block');
        expect(found.map((m) => [m.secret, m.line, m.endLine])).toEqual([[block, before.length + 1, before.length + 3]]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  // Every bundled rule's own true-positive examples, placed among printable filler lines.
  const tpExamples = defaultRuleFiles()
    .flatMap(readRuleFile)
    .flatMap((r) => (r.examples ?? []).flatMap((e, i) => (e.tp !== undefined ? [{ rule: r.id, path: e.path ?? 'src/app.txt', ...expandExample(e.tp, `${r.id}#tp${i}`) }] : [])));
  const filler = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ,.;()'), maxLength: 120 });

  it('finds every bundled rule example at the same position among arbitrary filler lines', () => {
    fc.assert(
      fc.property(fc.constantFrom(...tpExamples), fc.array(filler, { maxLength: 15 }), fc.array(filler, { maxLength: 15 }), (ex, before, after) => {
        const alone = bundled.scan({ bytes: Buffer.from(ex.text), path: ex.path }).matches.filter((m) => m.ruleId === ex.rule);
        const text = [...before, ex.text, ...after].join('\n');
        const shift = Buffer.byteLength(before.map((l) => `${l}\n`).join(''));
        const found = bundled.scan({ bytes: Buffer.from(text), path: ex.path }).matches.filter((m) => m.ruleId === ex.rule);
        expect(found.map((m) => [m.secret, m.start - shift, m.line - before.length])).toEqual(alone.map((m) => [m.secret, m.start, m.line]));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
