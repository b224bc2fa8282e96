// RFC 4180 CSV for spreadsheets and ad-hoc triage. The secret column is the finding's secret,
// redacted unless the user passed --no-redact.
import type { Finding } from '../types.js';
import { sortFindings } from './finding-view.js';
import type { Reporter } from './types.js';

export const CSV_COLUMNS = [
  'ruleId',
  'severity',
  'confidence',
  'file',
  'line',
  'column',
  'endLine',
  'endColumn',
  'secret',
  'fingerprint',
  'commit',
  'author',
  'date',
] as const;

/**
 * One field: a leading apostrophe defuses spreadsheet formulas (OWASP CSV injection: cells that
 * start with = + - @ or a tab/carriage return), then RFC 4180 quoting where needed.
 */
export function csvField(value: string | number | undefined): string {
  let s = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function row(f: Finding): string[] {
  return [
    f.ruleId,
    f.severity,
    f.confidence,
    f.file,
    f.line,
    f.column,
    f.endLine,
    f.endColumn,
    f.secret,
    f.fingerprint,
    f.commit?.sha,
    f.commit?.author,
    f.commit?.date,
  ].map(csvField);
}

export const csvReporter: Reporter = (result) =>
  [[...CSV_COLUMNS], ...sortFindings(result.findings).map(row)].map((r) => `${r.join(',')}\r\n`).join('');
