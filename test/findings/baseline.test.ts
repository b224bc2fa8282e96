import { describe, expect, it } from 'vitest';
import { KeywardenError } from '../../src/errors.js';
import {
  applyBaseline,
  createBaseline,
  emptyBaseline,
  isIsoDate,
  parseBaseline,
  pruneBaseline,
  serializeBaseline,
  updateBaseline,
  type Baseline,
  type BaselineScope,
} from '../../src/findings/baseline.js';
import { fingerprint, secretHash } from '../../src/findings/fingerprint.js';
import { redact } from '../../src/findings/redact.js';
import type { Finding } from '../../src/types.js';
import { SeededRandom } from '../support/example-generator.js';

const rng = new SeededRandom('baseline-unit');
const token = (): string => `dmo_${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 24)}`;

/** A finding as the engine builds it: fingerprint from the rule, the secret's hash and the path. */
function finding(secret: string, file: string, line = 1, ruleId = 'demo-token'): Finding {
  const hash = secretHash(secret);
  return {
    ruleId,
    description: 'Demo service token',
    severity: 'high',
    confidence: 'high',
    provider: 'demo',
    tags: [],
    file,
    line,
    column: 1,
    endLine: line,
    endColumn: 1 + secret.length,
    secret: redact(secret),
    redacted: true,
    secretHash: hash,
    entropy: 4,
    fingerprint: fingerprint(ruleId, hash, file),
    snippet: redact(secret),
  };
}

const ADDED = { added: '2025-03-01' };
const day = (s: string): Date => new Date(`${s}Z`);

/** The CONFIG_INVALID error parseBaseline throws for `text`, as "field: message" lines. */
function problemsOf(text: string): string[] {
  try {
    parseBaseline(text, 'kb.json');
  } catch (err) {
    expect(err).toBeInstanceOf(KeywardenError);
    const e = err as KeywardenError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('kb.json');
    for (const p of e.problems) expect(p.file).toBe('kb.json');
    return e.problems.map((p) => `${p.field}: ${p.message}`);
  }
  throw new Error('parseBaseline accepted an invalid document');
}

describe('createBaseline and serializeBaseline', () => {
  it('writes one entry per fingerprint, sorted by file, rule, fingerprint, and never the secret', () => {
    const [s1, s2, s3] = [token(), token(), token()];
    const findings = [
      finding(s1, 'src/z.js', 3),
      finding(s2, 'src/a.js', 9),
      finding(s1, 'src/z.js', 7), // the same secret twice in one file: one entry
      finding(s3, 'src/a.js', 1, 'another-rule'),
      finding(s3, 'src/a.js', 1),
    ];
    const b = createBaseline(findings, { ...ADDED, reason: 'test fixtures', owner: 'alice', expires: '2030-01-01' });
    expect(b.entries).toHaveLength(4);
    const keys = b.entries.map((e) => [e.file, e.ruleId, e.fingerprint]);
    const sorted = [...keys].sort((x, y) => (x.join('\0') < y.join('\0') ? -1 : 1));
    expect(keys).toEqual(sorted);
    expect(b.entries[0]).toEqual({
      fingerprint: findings[3]!.fingerprint,
      ruleId: 'another-rule',
      file: 'src/a.js',
      reason: 'test fixtures',
      owner: 'alice',
      expires: '2030-01-01',
      added: '2025-03-01',
    });
    const text = serializeBaseline(b);
    for (const s of [s1, s2, s3]) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(secretHash(s));
      expect(text).not.toContain(s.slice(0, 8));
    }
    expect(text).not.toContain('dmo_');
  });

  it('is 2-space JSON with one entry per line, a trailing newline, and round-trips', () => {
    const b = createBaseline([finding(token(), 'b.txt'), finding(token(), 'a.txt')], ADDED);
    const text = serializeBaseline(b);
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual(['{', '  "version": 1,', '  "entries": [']);
    expect(lines[3]).toMatch(/^ {4}\{ "fingerprint": "[0-9a-f]{32}", "ruleId": "demo-token", "file": "a\.txt", "added": "2025-03-01" \},$/);
    expect(lines[4]).toMatch(/^ {4}\{ .*"file": "b\.txt".* \}$/);
    expect(lines.slice(5)).toEqual(['  ]', '}', '']);
    expect(parseBaseline(text, 'kb.json')).toEqual(b);
    expect(serializeBaseline(emptyBaseline())).toBe('{\n  "version": 1,\n  "entries": []\n}\n');
  });

  it('gives the same bytes whatever order the findings come in', () => {
    const fs = Array.from({ length: 12 }, (_, i) => finding(token(), `dir${i % 3}/f${i % 5}.txt`, i + 1, i % 2 ? 'rule-b' : 'rule-a'));
    const a = serializeBaseline(createBaseline(fs, ADDED));
    const b = serializeBaseline(createBaseline([...fs].reverse(), ADDED));
    expect(b).toBe(a);
    const parsed = parseBaseline(a, 'kb.json');
    expect(serializeBaseline(parsed)).toBe(a);
    // a hand-edited or merged file in any order is written back sorted
    expect(serializeBaseline({ ...parsed, entries: [...parsed.entries].reverse() })).toBe(a);
  });
});

describe('updateBaseline', () => {
  it('adds entries for new findings and leaves existing entries, reason and expiry included, untouched', () => {
    const old = finding(token(), 'old.txt');
    const b0 = createBaseline([old], { added: '2024-01-01', reason: 'legacy', owner: 'alice', expires: '2031-01-01' });
    const fresh = finding(token(), 'new.txt');
    const { baseline, added } = updateBaseline(b0, [old, fresh], { added: '2025-03-01', reason: 'new one' });
    expect(added.map((e) => e.file)).toEqual(['new.txt']);
    expect(baseline.entries.find((e) => e.file === 'old.txt')).toEqual(b0.entries[0]);
    expect(baseline.entries.find((e) => e.file === 'new.txt')).toMatchObject({ reason: 'new one', added: '2025-03-01' });
    expect(baseline.entries.find((e) => e.file === 'new.txt')).not.toHaveProperty('owner');
  });

  it('changes nothing, byte for byte, when every finding is known', () => {
    const fs = [finding(token(), 'a.txt'), finding(token(), 'b.txt')];
    const b0 = createBaseline(fs, ADDED);
    const { baseline, added } = updateBaseline(b0, fs, { added: '2099-12-31', reason: 'other' });
    expect(added).toEqual([]);
    expect(serializeBaseline(baseline)).toBe(serializeBaseline(b0));
  });
});

describe('pruneBaseline', () => {
  it('removes only the entries no finding matches and returns them', () => {
    const [keep, gone] = [finding(token(), 'keep.txt'), finding(token(), 'gone.txt')];
    const b0 = createBaseline([keep, gone], ADDED);
    const { baseline, removed } = pruneBaseline(b0, [keep]);
    expect(removed.map((e) => e.file)).toEqual(['gone.txt']);
    expect(baseline.entries.map((e) => e.file)).toEqual(['keep.txt']);
    expect(pruneBaseline(baseline, [keep]).removed).toEqual([]);
  });

  it('keeps entries outside the scanned tree', () => {
    // the baseline sits one level above the scan root "sub"
    const scope: BaselineScope = {
      toBaselinePath: (f) => `sub/${f}`,
      covers: (p) => p.startsWith('sub/'),
    };
    const s = token();
    const b0 = createBaseline([finding(s, 'sub/x.txt'), finding(token(), 'other/y.txt'), finding(token(), 'sub/gone.txt')], ADDED);
    const { removed } = pruneBaseline(b0, [finding(s, 'x.txt')], scope);
    expect(removed.map((e) => e.file)).toEqual(['sub/gone.txt']);
  });
});

describe('applyBaseline', () => {
  const now = day('2025-06-15T12:00:00');

  it('suppresses covered findings, keeps the rest in order, and lists stale entries', () => {
    const [a, b, c] = [finding(token(), 'a.txt'), finding(token(), 'b.txt'), finding(token(), 'c.txt')];
    const staleOne = finding(token(), 'deleted.txt');
    const baseline = createBaseline([a, c, staleOne], ADDED);
    const r = applyBaseline([c, b, a], baseline, now);
    expect(r.findings).toEqual([b]);
    expect(r.suppressed).toBe(2);
    expect(r.stale.map((e) => e.file)).toEqual(['deleted.txt']);
    expect(r.expired).toEqual([]);
  });

  it('one entry covers every occurrence of its secret in its file, on any line', () => {
    const s = token();
    const baseline = createBaseline([finding(s, 'a.txt', 2)], ADDED);
    const r = applyBaseline([finding(s, 'a.txt', 40), finding(s, 'a.txt', 41)], baseline, now);
    expect(r.findings).toEqual([]);
    expect(r.suppressed).toBe(2);
  });

  it('does not cover the same secret in another file, nor another secret in the same file', () => {
    const s = token();
    const baseline = createBaseline([finding(s, 'a.txt')], ADDED);
    const other = [finding(s, 'copy.txt'), finding(token(), 'a.txt'), finding(s, 'a.txt', 1, 'another-rule')];
    const r = applyBaseline(other, baseline, now);
    expect(r.findings).toEqual(other);
    expect(r.suppressed).toBe(0);
    expect(r.stale).toHaveLength(1);
  });

  it('an expired entry lets its finding through and is listed as expired, from 00:00 UTC on its day', () => {
    const f = finding(token(), 'a.txt');
    const baseline = createBaseline([f], { ...ADDED, expires: '2025-06-15', owner: 'bob' });
    const before = applyBaseline([f], baseline, day('2025-06-14T23:59:59'));
    expect(before).toMatchObject({ findings: [], suppressed: 1, expired: [] });
    const after = applyBaseline([f], baseline, day('2025-06-15T00:00:01'));
    expect(after.findings).toEqual([f]);
    expect(after.suppressed).toBe(0);
    expect(after.expired).toEqual(baseline.entries);
    expect(after.stale).toEqual([]);
  });

  it('an expired entry that matches nothing is stale, not expired', () => {
    const baseline = createBaseline([finding(token(), 'gone.txt')], { ...ADDED, expires: '2020-01-01' });
    const r = applyBaseline([], baseline, now);
    expect(r.stale).toHaveLength(1);
    expect(r.expired).toEqual([]);
  });

  it('matches findings of a subdirectory scan against a baseline above it, by re-fingerprinting the path', () => {
    const s = token();
    const baseline = createBaseline([finding(s, 'sub/x.txt'), finding(token(), 'top.txt')], ADDED);
    const scope: BaselineScope = { toBaselinePath: (f) => `sub/${f}`, covers: (p) => p.startsWith('sub/') };
    const r = applyBaseline([finding(s, 'x.txt')], baseline, now, scope);
    expect(r.suppressed).toBe(1);
    expect(r.stale).toEqual([]); // top.txt was not scanned, so its entry is not judged
  });
});

describe('parseBaseline validation', () => {
  const good = (): Baseline => createBaseline([finding(token(), 'a.txt')], ADDED);
  const withEntry = (patch: Record<string, unknown>): string => {
    const b = good();
    return JSON.stringify({ version: 1, entries: [{ ...b.entries[0], ...patch }] });
  };

  it('names the line and column of a JSON syntax error', () => {
    const [p] = problemsOf('{\n  "version": 1,\n  "entries": [\n    { "fingerprint": "x" "ruleId": "r" }\n  ]\n}\n');
    expect(p).toMatch(/^line 4, column \d+: invalid JSON/);
  });

  it('recognises git merge conflict markers', () => {
    const text = serializeBaseline(good()).replace('  "entries": [\n', '  "entries": [\n<<<<<<< HEAD\n=======\n>>>>>>> branch\n');
    expect(problemsOf(text)).toEqual([expect.stringMatching(/^line 4: git merge conflict markers/)]);
  });

  it('rejects other versions and documents that are not baselines', () => {
    expect(problemsOf('{"version": 2, "entries": []}')).toEqual(['/version: unsupported version 2 (this keywarden reads version 1)']);
    expect(problemsOf('[]')).toEqual(['/: must be an object with "version" and "entries"']);
    expect(problemsOf('{"version": 1}')).toEqual(['/entries: is required']);
    expect(problemsOf('{"entries": {}, "extra": true}')).toEqual(['/extra: is not a known field', '/version: is required', '/entries: must be an array']);
  });

  it('reports every bad field of every entry at once', () => {
    const b = good();
    const text = JSON.stringify({
      version: 1,
      entries: [
        { ...b.entries[0], expires: '2025-02-30', expries: '2025-01-01' },
        { fingerprint: 'ABC', ruleId: '', added: 'yesterday', owner: 7 },
        { ...b.entries[0] },
        'not an entry',
        { ...b.entries[0], fingerprint: 'f'.repeat(32), secretHash: 'a'.repeat(64) },
      ],
    });
    expect(problemsOf(text)).toEqual([
      '/entries/0/expries: is not a known field',
      '/entries/0/expires: "2025-02-30" is not a date (YYYY-MM-DD)',
      '/entries/1/fingerprint: must be 32 lowercase hex digits, as in a report',
      '/entries/1/ruleId: must be a non-empty string',
      '/entries/1/file: is required',
      '/entries/1/owner: must be a string',
      '/entries/1/added: "yesterday" is not a date (YYYY-MM-DD)',
      '/entries/2/fingerprint: duplicates /entries/0 (one entry per finding)',
      '/entries/3: must be an object',
      '/entries/4/secretHash: is not stored in a baseline (the fingerprint identifies the finding); delete it',
    ]);
  });

  it('names the rule of a bad entry', () => {
    try {
      parseBaseline(withEntry({ added: undefined }), 'kb.json');
      expect.unreachable();
    } catch (err) {
      expect((err as KeywardenError).problems).toEqual([{ file: 'kb.json', ruleId: 'demo-token', field: '/entries/0/added', message: 'is required' }]);
    }
  });

  it('accepts a byte-order mark and optional fields', () => {
    expect(parseBaseline(`\uFEFF${withEntry({ reason: 'r', owner: 'o', expires: '2024-02-29' })}`, 'kb.json').entries[0]).toMatchObject({
      reason: 'r',
      owner: 'o',
      expires: '2024-02-29',
    });
  });

  it('isIsoDate accepts only real YYYY-MM-DD dates', () => {
    expect(['2024-02-29', '1999-12-31'].map(isIsoDate)).toEqual([true, true]);
    expect(['2023-02-29', '2024-13-01', '2024-1-01', '2024-01-01T00:00:00Z', ''].map(isIsoDate)).toEqual([false, false, false, false, false]);
  });
});
