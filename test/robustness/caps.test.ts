// User-supplied rules cannot stall a scan or flood a report: RE2 keeps each search linear, and
// every cap (matches per rule, matches per file, time per rule) that stops a rule says so.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../support/cli.js';
import { CONFIG, scanJson, token } from './support.js';

function rule(id: string, regex: string, keywords: string[], extra = ''): string {
  return `\n[[rules]]\nid = "${id}"\ndescription = "rule ${id}"\nprovider = "demo"\nseverity = "low"\nkeywords = ${JSON.stringify(keywords)}\nregex = '''${regex}'''\n${extra}`;
}

describe('match caps', () => {
  it('a rule matching 500 times in one file reports 200 and a cap-hit diagnostic naming rule, file and count', () => {
    const d = tempDir('kw-caps-');
    writeTree(d, { '.keywarden.toml': CONFIG, 'many.txt': Array.from({ length: 500 }, () => token()).join('\n') });
    const r = scanJson(['scan', d]);
    expect(r.code).toBe(1);
    expect(r.report.findings).toHaveLength(200);
    const caps = r.report.diagnostics.filter((x) => x.kind === 'cap-hit');
    expect(caps).toEqual([
      {
        kind: 'cap-hit',
        path: 'many.txt',
        level: 'warning',
        message: 'cap hit: rule demo-token in many.txt, 200 matches, further matches not reported (at most 200 matches per rule per file)',
      },
    ]);
  });

  it('all rules together stop at 1000 matches per file, with a diagnostic', () => {
    const d = tempDir('kw-caps-');
    let config = '[extend]\nuseDefault = false\n';
    const lines: string[] = [];
    for (let k = 0; k < 7; k++) {
      config += rule(`r${k}`, `\\b(k${k}x[0-9]{6})\\b`, [`k${k}x`]);
      for (let i = 0; i < 180; i++) lines.push(`k${k}x${String(i).padStart(6, '0')}`);
    }
    writeTree(d, { '.keywarden.toml': config, 'flood.txt': lines.join('\n') });
    const r = scanJson(['scan', d]);
    expect(r.code).toBe(1);
    expect(r.report.findings).toHaveLength(1000);
    expect(r.report.diagnostics.filter((x) => x.kind === 'cap-hit').map((x) => x.message)).toEqual([
      'cap hit: rule r5 in flood.txt, 100 matches, further matches not reported (at most 1000 matches per file, all rules together)',
    ]);
  });
});

describe('patterns that would stall a backtracking engine', () => {
  it('nested quantifiers run in linear time under RE2', () => {
    const d = tempDir('kw-redos-');
    writeTree(d, { '.keywarden.toml': `[extend]\nuseDefault = false\n${rule('nested', '((a+)+)c', ['aa'])}${rule('alt', '((a|aa)+)c', ['aa'])}` });
    writeFileSync(join(d, 'input.txt'), `${'a'.repeat(1_000_000)}!\n`);
    const r = scanJson(['scan', d]);
    expect(r.code).toBe(0);
    expect(r.report.stats.filesScanned).toBe(2);
  });

  it('a rule whose every match is rejected cannot turn match listing quadratic: its time budget stops it and says so', () => {
    // (a*b|a) finds each "a" only after scanning to the end of the run for a "b": n searches of
    // length n. With entropy 3 every match is rejected, so the match cap never stops it.
    const d = tempDir('kw-quadratic-');
    writeTree(d, {
      '.keywarden.toml': `[extend]\nuseDefault = false\n${rule('slow', '(a*b|a)', ['aaaa'], 'entropy = 3.0\n')}`,
      'input.txt': `${'a'.repeat(2_000_000)}\n`,
    });
    const r = scanJson(['scan', d]);
    expect(r.code).toBe(0);
    expect(r.report.diagnostics).toEqual([
      expect.objectContaining({ kind: 'cap-hit', path: 'input.txt', message: expect.stringMatching(/^cap hit: rule slow in input\.txt, 0 matches, further matches not reported \(the rule's pattern ran for more than \d+ ms/) }),
    ]);
  });
});
