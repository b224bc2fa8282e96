// What the CI reporters (SARIF, JUnit, CSV, GitHub) share: one order and one view of a finding.
import { redact } from '../findings/redact.js';
import { compareFindings } from '../findings/order.js';
import type { Finding, Severity } from '../types.js';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** By file, position, rule and fingerprint: stable output whatever order the scan produced. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/**
 * The secret as CI-facing reports show it: always redacted, even with --no-redact, because these
 * reports end up in code-scanning alerts, build logs and test dashboards that others can read.
 */
export function redactedSecret(f: Finding): string {
  return f.redacted ? f.secret : redact(f.secret);
}

/** "2 secrets found (1 critical, 1 medium)" or "No secrets found". */
export function findingCount(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No secrets found';
  const counts = SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return `${findings.length} secret${findings.length === 1 ? '' : 's'} found (${counts.join(', ')})`;
}

/** Replaces lone UTF-16 surrogates (from undecodable file names), which URIs and XML cannot carry. */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** `file:line:column` as people and editors read it. */
export function position(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}`;
}
