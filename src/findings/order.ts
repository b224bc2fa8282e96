// The order findings are reported in: by file, position and rule, then by fingerprint, so two
// findings at one place (two secrets at the same line and column in two versions of a file, in a
// history scan) come out in the same order however the scan was split across threads.
import type { Finding } from '../types.js';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareFindings(a: Finding, b: Finding): number {
  return cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.ruleId, b.ruleId) || cmp(a.fingerprint, b.fingerprint);
}
