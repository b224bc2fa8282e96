// GitHub Actions workflow commands: one annotation per finding, then a plain summary line.
// Everything that comes from the scanned tree (paths, messages) is escaped the way the runner
// expects, so a crafted file name cannot end the command early or inject another one.
import type { Diagnostic, Finding, Severity } from '../types.js';
import { findingCount, position, redactedSecret, sortFindings } from './finding-view.js';
import type { Reporter } from './types.js';

const COMMAND: Record<Severity, 'error' | 'warning'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'warning',
  info: 'warning',
};

/** The command's message (after the second `::`). */
export function escapeData(s: string): string {
  return s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** A `key=value` property value: also `:` and `,`, which delimit properties. */
export function escapeProperty(s: string): string {
  return escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

function command(name: string, props: Record<string, string | number | undefined>, message: string): string {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}

function annotation(f: Finding): string {
  // columns are only allowed when the annotation stays on one line
  const oneLine = f.line === f.endLine;
  const commit = f.commit ? `\nIntroduced in commit ${f.commit.sha.slice(0, 12)} (${f.commit.date}).` : '';
  return command(
    COMMAND[f.severity],
    {
      file: f.file,
      line: f.line,
      endLine: f.endLine,
      col: oneLine ? f.column : undefined,
      endColumn: oneLine ? f.endColumn : undefined,
      title: `${f.description} (${f.ruleId})`,
    },
    `${f.severity} severity, ${f.confidence} confidence: secret ${redactedSecret(f)} at ${position(f)}.${commit}\n` +
      'Revoke or rotate it, then remove it from the code and its history; mark false positives with keywarden:allow.',
  );
}

function diagnosticCommand(d: Diagnostic): string {
  return command(d.level === 'error' ? 'error' : 'warning', { title: `keywarden: ${d.kind}` }, d.message);
}

export const githubReporter: Reporter = (result, meta) => {
  const lines = sortFindings(result.findings).map(annotation);
  lines.push(...result.diagnostics.filter((d) => d.level !== 'info').map(diagnosticCommand));
  const s = result.stats;
  const [n, unit] = s.blobsScanned !== undefined ? [s.blobsScanned, 'blob'] : [s.filesScanned, 'file'];
  const scanned = `${n} ${unit}${n === 1 ? '' : 's'}`;
  const baselined = result.baseline ? ` The baseline suppressed ${result.baseline.suppressed}.` : '';
  const incomplete = result.complete ? '' : ' The scan is incomplete: see the errors above.';
  lines.push(`${meta.tool.name}: ${findingCount(result.findings)} in ${scanned}.${baselined}${incomplete}`);
  return `${lines.join('\n')}\n`;
};
