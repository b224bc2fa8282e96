import { compareFindings } from '../findings/order.js';
import pc from 'picocolors';
import type { BaselineSummary, Finding, ScanStats, Severity, Verification } from '../types.js';
import type { Reporter } from './types.js';

const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function skippedSummary(stats: ScanStats): string {
  const parts = Object.entries(stats.skipped)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${n} ${k}`);
  return parts.length > 0 ? `; skipped ${parts.join(', ')}` : '';
}

/** Human-readable report: one block per finding with a masked one-line code frame, then a summary. */
export const textReporter: Reporter = (result, meta) => {
  const c = pc.createColors(meta.color ?? false);
  const sev: Record<Severity, (s: string) => string> = {
    critical: (s) => c.bold(c.red(s)),
    high: c.red,
    medium: c.yellow,
    low: c.cyan,
    info: c.dim,
  };
  const lines: string[] = [];
  const sorted = [...result.findings].sort(compareFindings);
  for (const f of sorted) lines.push(...findingBlock(f, c, sev), '');
  for (const d of result.diagnostics) {
    const tag = d.level === 'error' ? c.red('error') : d.level === 'warning' ? c.yellow('warning') : c.dim('info');
    lines.push(`${tag}: ${d.message}`);
  }
  if (result.diagnostics.length > 0) lines.push('');
  if (result.baseline) lines.push(...baselineNotes(result.baseline));
  const s = result.stats;
  const counts = SEVERITY_ORDER.map((v) => [v, result.findings.filter((f) => f.severity === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`);
  const head =
    result.findings.length === 0
      ? c.green('No secrets found')
      : c.bold(`${result.findings.length} secret${result.findings.length === 1 ? '' : 's'} found`) + ` (${counts.join(', ')})`;
  lines.push(
    `${head} in ${s.blobsScanned !== undefined ? `${s.blobsScanned} blob${s.blobsScanned === 1 ? '' : 's'}` : `${s.filesScanned} file${s.filesScanned === 1 ? '' : 's'}`} (${formatBytes(s.bytesScanned)}), ${s.rulesLoaded} rule${s.rulesLoaded === 1 ? "" : "s"}, ${s.durationMs} ms${skippedSummary(s)}.`,
  );
  if (!result.complete) lines.push(c.red('The scan is incomplete: see the errors above.'));
  return `${lines.join('\n')}\n`;
};

function findingBlock(
  f: Finding,
  c: ReturnType<typeof pc.createColors>,
  sev: Record<Severity, (s: string) => string>,
): string[] {
  const out = [
    `${sev[f.severity](f.severity.toUpperCase().padEnd(8))} ${c.bold(f.ruleId)}  ${f.description}`,
    `  ${c.underline(`${f.file}:${f.line}:${f.column}`)}  secret ${c.bold(f.secret)}  entropy ${f.entropy.toFixed(2)}  confidence ${f.confidence}${f.encoding ? `  decoded from ${f.encoding.join(' > ')}` : ''}`,
  ];
  if (f.commit) {
    const more = f.occurrences && f.occurrences > 1 ? ` (${f.occurrences} occurrences)` : '';
    out.push(`  commit ${f.commit.sha.slice(0, 12)} by ${f.commit.author} <${f.commit.email}> on ${f.commit.date}${more}`);
  }
  if (f.snippet !== undefined) out.push(`  ${c.dim(`${String(f.line).padStart(5)} |`)} ${f.snippet.trim()}`);
  if (f.verification) out.push(`  ${verificationLine(f.verification, c)}`);
  out.push(`  ${c.dim(`fingerprint ${f.fingerprint}`)}`);
  return out;
}

/** "verified LIVE: GET https://api.github.com/user -> HTTP 200; login octocat" (never the secret). */
function verificationLine(v: Verification, c: ReturnType<typeof pc.createColors>): string {
  const status = v.status === 'live' ? c.bold(c.red('LIVE')) : v.status === 'invalid' ? c.green('invalid') : c.yellow(v.status);
  const e = v.evidence;
  const call = e.endpoint ? `${e.endpoint}${e.httpStatus !== undefined ? ` -> HTTP ${e.httpStatus}` : ''}` : undefined;
  const identity = e.identity
    ? Object.entries(e.identity)
        .map(([k, val]) => `${k} ${Array.isArray(val) ? val.join(',') : String(val)}`)
        .join(', ')
    : undefined;
  const details = [call, e.restricted ? 'restricted key' : undefined, identity, e.reason].filter(Boolean).join('; ');
  return `verified ${status}${details ? `: ${details}` : ''}`;
}

/** What the baseline hid, which expired entries let findings through, and which entries are stale. */
function baselineNotes(b: BaselineSummary): string[] {
  const out = [`note: ${b.file} suppressed ${b.suppressed} finding${b.suppressed === 1 ? '' : 's'}`];
  for (const e of b.expired) {
    out.push(`note: baseline entry for ${e.ruleId} in ${e.file} expired on ${e.expires}${e.owner ? ` (owner ${e.owner})` : ''}: its finding is reported again`);
  }
  const n = b.stale.length;
  if (n > 0) out.push(`note: ${n} baseline ${n === 1 ? 'entry matches' : 'entries match'} nothing: \`keywarden baseline prune\` removes ${n === 1 ? 'it' : 'them'}`);
  return out;
}
