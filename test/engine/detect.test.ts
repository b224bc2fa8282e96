import { describe, expect, it } from 'vitest';
import { KeywardenError } from '../../src/errors.js';
import { compileAllowlist } from '../../src/engine/compile.js';
import { withBase62Crc } from '../../src/engine/checksums/github.js';
import { SeededRandom } from '../support/example-generator.js';
import { engineFor, scanText, spec } from '../support/rules.js';

// Synthetic values generated at test time, so the repository holds no secret-like literal.
const rng = new SeededRandom('detect-tests');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const v16 = rng.chars(ALNUM, 16);
const v12 = rng.chars(ALNUM, 12);
const v8 = rng.chars(ALNUM, 8);

const tokenRule = spec({ id: 'demo-token', regex: String.raw`\b(dmo_[A-Za-z0-9]{20})\b`, keywords: ['dmo_'], confidence: 'high' });
const sample = 'dmo_' + 'Ab3dE6gH9jK2mN5pQ8sT';

describe('Engine.scan', () => {
  it('reports the secret group with 1-based line and column (given a token on line 2, col 9)', () => {
    const e = engineFor([tokenRule]);
    const [m, ...rest] = scanText(e, `first\nconst a=${sample};\n`);
    expect(rest).toEqual([]);
    expect(m).toMatchObject({ ruleId: 'demo-token', secret: sample, line: 2, column: 9, endLine: 2, endColumn: 9 + sample.length });
  });

  it('counts columns in UTF-16 code units after multi-byte characters', () => {
    const e = engineFor([tokenRule]);
    const [m] = scanText(e, `héllo→ ${sample}`);
    expect(m!.column).toBe(8);
    expect(m!.start).toBe(Buffer.byteLength('héllo→ '));
  });

  it('does not run a rule whose keywords are absent (prefilter), even if its regex would match', () => {
    const e = engineFor([spec({ id: 'kw-gated', regex: String.raw`(secret[0-9]{4})`, keywords: ['zzz'] })]);
    expect(scanText(e, 'secret1234')).toEqual([]);
    expect(scanText(e, 'zzz secret1234').map((m) => m.secret)).toEqual(['secret1234']);
  });

  it('matches keywords case-insensitively', () => {
    const e = engineFor([spec({ id: 'ci', regex: String.raw`(?i)apikey=([a-z0-9]{12})`, keywords: ['apikey'] })]);
    expect(scanText(e, 'APIKEY=abcdef123456').map((m) => m.secret)).toEqual(['abcdef123456']);
  });

  it('drops secrets below the rule entropy floor', () => {
    const e = engineFor([spec({ id: 'ent', regex: String.raw`pw=([a-z0-9]{12})`, keywords: ['pw='], entropy: 3 })]);
    expect(scanText(e, 'pw=aaaaaaaaaaaa')).toEqual([]);
    expect(scanText(e, 'pw=k3j9x0q2m7zt')).toHaveLength(1);
  });

  it('drops a token that fails its checksum validator and keeps one that passes', () => {
    const e = engineFor([
      spec({ id: 'gh', regex: String.raw`\b(ghp_[A-Za-z0-9]{36})\b`, keywords: ['ghp_'], validator: 'github-checksum' }),
    ]);
    const good = withBase62Crc('ghp_', rng.chars(ALNUM, 30));
    const bad = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    expect(scanText(e, `t=${good}`).map((m) => m.secret)).toEqual([good]);
    expect(scanText(e, `t=${bad}`)).toEqual([]);
  });

  it('applies rule allowlists: stopwords, regexes on the secret, the line, and paths', () => {
    const e = engineFor([
      spec({
        id: 'al',
        regex: String.raw`key=([A-Za-z0-9]{16})`,
        keywords: ['key='],
        allowlist: { stopwords: ['example'], paths: [String.raw`^fixtures/`] },
      }),
      spec({
        id: 'al-line',
        regex: String.raw`tok=([A-Za-z0-9]{16})`,
        keywords: ['tok='],
        allowlist: { regexes: ['(?i)#\\s*test'], regexTarget: 'line' },
      }),
    ]);
    expect(scanText(e, 'key=EXAMPLEabcdefghi')).toEqual([]);
    expect(scanText(e, `key=${v16}`, 'fixtures/a.txt')).toEqual([]);
    expect(scanText(e, `key=${v16}`, 'src/a.txt')).toHaveLength(1);
    expect(scanText(e, `tok=${v16} # test`)).toEqual([]);
    expect(scanText(e, `tok=${v16}`)).toHaveLength(1);
  });

  it('applies global allowlists from configuration', () => {
    const problems: never[] = [];
    const allow = compileAllowlist({ stopwords: ['dummy'] }, problems, {})!;
    const e = engineFor([spec({ id: 'g', regex: String.raw`k=([a-z]{10})`, keywords: ['k='] })], { allowlists: [allow] });
    expect(scanText(e, 'k=dummyvalue')).toEqual([]);
    expect(e.isPathAllowlisted('x')).toBe(false);
  });

  it('keeps only the most confident rule when a generic rule overlaps a specific one', () => {
    const e = engineFor([
      tokenRule,
      spec({ id: 'generic', regex: String.raw`(?i)token\s*=\s*"([^"]{8,})"`, keywords: ['token'], confidence: 'low' }),
    ]);
    expect(scanText(e, `token = "${sample}"`).map((m) => m.ruleId)).toEqual(['demo-token']);
    expect(scanText(e, `token = "${v12}"`).map((m) => m.ruleId)).toEqual(['generic']);
  });

  it('honours path-scoped rules', () => {
    const e = engineFor([spec({ id: 'netrc', regex: String.raw`password\s+(\S{6,})`, keywords: ['password'], path: String.raw`(?:^|/)\.netrc$` })]);
    expect(scanText(e, `machine h login u password ${v8}`, 'home/.netrc')).toHaveLength(1);
    expect(scanText(e, `machine h login u password ${v8}`, 'README.md')).toEqual([]);
  });

  it('matches ^ and $ at line boundaries', () => {
    const e = engineFor([spec({ id: 'anch', regex: String.raw`^SECRET=(\w{10})$`, keywords: ['secret='] })]);
    expect(scanText(e, 'x\nSECRET=abcdefghij\r\ny').map((m) => m.secret)).toEqual([]);
    expect(scanText(e, 'x\nSECRET=abcdefghij\ny').map((m) => m.secret)).toEqual(['abcdefghij']);
  });

  it('spans multi-line secrets with end line and column', () => {
    const e = engineFor([spec({ id: 'pem', regex: String.raw`(-----BEGIN KEY-----[\s\S]{1,200}?-----END KEY-----)`, keywords: ['-----begin'] })]);
    const [m] = scanText(e, 'a\n-----BEGIN KEY-----\nabc\n-----END KEY-----\n');
    expect(m).toMatchObject({ line: 2, column: 1, endLine: 4, endColumn: 18 });
  });

  it('caps matches per rule per fragment and says which rule hit the cap', () => {
    const e = engineFor([tokenRule], { maxMatchesPerRule: 3 });
    const text = Array.from({ length: 10 }, (_, i) => `dmo_${String(i).padStart(20, 'x')}`).join('\n');
    const r = e.scan({ bytes: Buffer.from(text), path: 'f' });
    expect(r.matches).toHaveLength(3);
    expect(r.capped).toEqual(['demo-token']);
  });

  it('finds a literal-led rule from its keyword\'s occurrences, sparse or dense, and not without them', () => {
    const e = engineFor([tokenRule]);
    const filler = 'const x = 1;\n'.repeat(200);
    expect(scanText(e, `${filler}a=${sample}\n${filler}`).map((m) => m.secret)).toEqual([sample]);
    // "dmo_" too often for positions to be listed: the rule runs over the whole fragment
    const dense = 'dmo_ '.repeat(2000);
    expect(scanText(e, `${dense}\nb=${sample}\n`).map((m) => m.secret)).toEqual([sample]);
    // a keyword occurrence in another case does not make the case-sensitive literal match
    expect(scanText(e, `DMO_${sample.slice(4)}\n`)).toEqual([]);
  });

  it('survives invalid UTF-8 and NUL bytes in input', () => {
    const e = engineFor([tokenRule]);
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xc3]), Buffer.from(` ${sample} `), Buffer.from([0x80])]);
    expect(scanText(e, bytes).map((m) => m.secret)).toEqual([sample]);
  });
});

describe('rule compilation errors', () => {
  it('rejects lookaround and backreferences with a message naming the rule and field', () => {
    for (const regex of ['(?=abc)x', '(?<!a)b', String.raw`(a)\1`]) {
      try {
        engineFor([spec({ id: 'bad-one', regex, keywords: ['x'], source: 'rules/x.toml' })]);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(KeywardenError);
        const p = (err as KeywardenError).problems[0]!;
        expect(p).toMatchObject({ file: 'rules/x.toml', ruleId: 'bad-one', field: 'regex' });
        expect(p.message).toMatch(/not supported/);
      }
    }
  });

  it('collects every problem: duplicate ids, bad secretGroup, bad allowlist regex', () => {
    try {
      engineFor([
        spec({ id: 'dup', regex: 'a(b)', keywords: ['ab'] }),
        spec({ id: 'dup', regex: 'a(b)', keywords: ['ab'] }),
        spec({ id: 'grp', regex: 'a(b)', keywords: ['ab'], secretGroup: 3 }),
        spec({ id: 'alx', regex: 'a(b)', keywords: ['ab'], allowlist: { regexes: ['(unclosed'] } }),
      ]);
      expect.unreachable();
    } catch (err) {
      const fields = (err as KeywardenError).problems.map((p) => `${p.ruleId}:${p.field}`);
      expect(fields).toEqual(['dup:id', 'grp:secretGroup', 'alx:allowlist/regexes/0']);
    }
  });
});

describe('groupCount', async () => {
  const { groupCount } = await import('../../src/engine/regex-syntax.js');
  it('counts capturing groups only', () => {
    expect(groupCount('a(b)(?:c)(?i)(?P<n>d)[(]\\(x\\)')).toBe(2);
    expect(groupCount('(?<name>x)(y)')).toBe(2);
    expect(groupCount('[^]()](z)')).toBe(1);
  });
});
