// JUnit XML for CI test dashboards: one failing test case per finding, one passing test case when
// nothing was found (so the dashboard shows a green test), one erroring test case per scan error.
import type { Diagnostic, Finding } from '../types.js';
import { findingCount, position, redactedSecret, sortFindings, wellFormed } from './finding-view.js';
import type { Reporter } from './types.js';

/** Characters XML 1.0 cannot carry at all, even as references: replaced, not escaped. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * Escapes text for XML. In attribute values, line breaks and tabs become character references
 * too, so attribute-value normalisation cannot turn them into spaces; in element content only CR
 * does (a parser would fold CRLF into LF).
 */
export function xmlEscape(s: string, inAttribute = true): string {
  return wellFormed(s)
    .replace(NOT_XML, '\uFFFD')
    .replace(inAttribute ? /[&<>"'\t\n\r]/g : /[&<>\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');
}

function findingCase(f: Finding): string {
  const where = position(f);
  const secret = redactedSecret(f);
  const details = [
    `${f.description} (rule ${f.ruleId})`,
    `location: ${where}${f.endLine !== f.line ? ` to line ${f.endLine}` : ''}`,
    `secret: ${secret}`,
    `severity: ${f.severity}, confidence: ${f.confidence}`,
    ...(f.commit ? [`commit: ${f.commit.sha} (${f.commit.date})`] : []),
    `fingerprint: ${f.fingerprint}`,
  ].join('\n');
  return [
    `    <testcase${attrs({ classname: f.file, name: `${f.ruleId} at ${where}`, file: f.file, line: f.line })}>`,
    `      <failure${attrs({ message: `${where}: ${f.ruleId}: ${f.description}: ${secret}`, type: f.ruleId })}>${xmlEscape(details, false)}</failure>`,
    '    </testcase>',
  ].join('\n');
}

function errorCase(d: Diagnostic): string {
  return [
    `    <testcase${attrs({ classname: 'keywarden', name: `scan ${d.kind}${d.path !== undefined ? `: ${d.path}` : ''}` })}>`,
    `      <error${attrs({ message: d.message, type: d.kind })}>${xmlEscape(d.message, false)}</error>`,
    '    </testcase>',
  ].join('\n');
}

export const junitReporter: Reporter = (result, meta) => {
  const findings = sortFindings(result.findings);
  const errors = result.diagnostics.filter((d) => d.level === 'error');
  const cases = findings.map(findingCase);
  if (findings.length === 0) {
    cases.push(`    <testcase${attrs({ classname: 'keywarden', name: 'no secrets found' })}/>`);
  }
  cases.push(...errors.map(errorCase));
  const counts = {
    tests: cases.length,
    failures: findings.length,
    errors: errors.length,
    skipped: 0,
    time: (result.stats.durationMs / 1000).toFixed(3),
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: meta.tool.name, ...counts })}>`,
    `  <testsuite${attrs({ name: `${meta.tool.name} secret scan`, ...counts })}>`,
    '    <properties>',
    `      <property${attrs({ name: 'tool.version', value: meta.tool.version })}/>`,
    `      <property${attrs({ name: 'complete', value: String(result.complete) })}/>`,
    `      <property${attrs({ name: 'summary', value: findingCount(result.findings) })}/>`,
    ...(result.baseline ? [`      <property${attrs({ name: 'baseline.suppressed', value: result.baseline.suppressed })}/>`] : []),
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
};
