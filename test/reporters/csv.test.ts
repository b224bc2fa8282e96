import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvField, csvReporter } from '../../src/reporters/csv.js';
import { finding, META, parseCsv, scanResult, TRICKY_FILES, trickyFindings } from './support.js';

const HEADER = ['ruleId', 'severity', 'confidence', 'file', 'line', 'column', 'endLine', 'endColumn', 'secret', 'fingerprint', 'commit', 'author', 'date'];

/** Undoes the formula defusing, for comparing a cell with the value it came from. */
const undefuse = (cell: string): string => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

describe('csv reporter', () => {
  it('writes a header row and one CRLF-terminated record per finding', () => {
    const commit = { sha: 'e'.repeat(40), author: 'Jane Doe', email: 'jane@example.com', date: '2024-01-02T03:04:05Z' };
    const text = csvReporter(scanResult([finding(), finding({ file: 'b.txt', commit })]), META);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(HEADER);
    expect([...CSV_COLUMNS]).toEqual(HEADER);
    expect(rows.slice(1)).toEqual([
      ['demo-token', 'high', 'high', 'b.txt', '2', '28', '2', '56', 'dmo_*****', '0123456789abcdef0123456789abcdef', 'e'.repeat(40), 'Jane Doe', '2024-01-02T03:04:05Z'],
      ['demo-token', 'high', 'high', 'src/app.js', '2', '28', '2', '56', 'dmo_*****', '0123456789abcdef0123456789abcdef', '', '', ''],
    ]);
    expect(text).not.toContain('jane@example.com');
  });

  it('writes only the header when nothing was found', () => {
    expect(csvReporter(scanResult([]), META)).toBe(`${HEADER.join(',')}\r\n`);
  });

  it('quotes commas, quotes and line breaks so every tricky file name reads back exactly', () => {
    const rows = parseCsv(csvReporter(scanResult(trickyFindings()), META));
    expect(rows.every((r) => r.length === HEADER.length)).toBe(true);
    expect(rows.slice(1).map((r) => undefuse(r[3]!)).sort()).toEqual([...TRICKY_FILES].sort());
  });

  it('defuses spreadsheet formulas in any cell that starts with = + - @, tab or CR', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('\rx')).toBe(`"'\rx"`);
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(undefined)).toBe('');
    const rows = parseCsv(
      csvReporter(
        scanResult([finding({ file: '=cmd|calc.txt', secret: '+dmo*****', commit: { sha: 'a'.repeat(40), author: '@evil', email: 'e@x', date: '-1' } })]),
        META,
      ),
    );
    for (const cell of rows[1]!) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(rows[1]![3]).toBe("'=cmd|calc.txt");
    expect(rows[1]![11]).toBe("'@evil");
  });

  it('shows the secret only as the finding carries it: redacted unless --no-redact', () => {
    const raw = 'dmo_Zq8Xw2Lp0Vn4Rt6Yb1Mc3Kd5';
    expect(csvReporter(scanResult([finding()]), META)).not.toContain(raw);
    expect(parseCsv(csvReporter(scanResult([finding({ secret: raw, redacted: false })]), META))[1]![8]).toBe(raw);
  });
});
