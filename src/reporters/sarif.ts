// SARIF 2.1.0 for GitHub code scanning and other SARIF consumers. Never carries a raw secret:
// messages show the redacted form even with --no-redact, fingerprints are hashes, and no
// committer identity is recorded.
import type { RuleMeta } from '../findings/build.js';
import type { Confidence, Diagnostic, Finding, Severity } from '../types.js';
import { redactedSecret, sortFindings, wellFormed } from './finding-view.js';
import type { Reporter } from './types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SRCROOT = '%SRCROOT%';
/** Key of the partial fingerprint; bump the version if the fingerprint's recipe changes. */
export const FINGERPRINT_KEY = 'keywarden/v1';

type Level = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, Level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
// GitHub code scanning buckets these: >= 9.0 critical, >= 7.0 high, >= 4.0 medium, else low.
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };
const PROBLEM_SEVERITY: Record<Level, string> = { error: 'error', warning: 'warning', note: 'recommendation' };
const PRECISION: Record<Confidence, string> = { high: 'high', medium: 'medium', low: 'low' };

export const sarifReporter: Reporter = (result, meta) => {
  const rules = ruleList(result.findings, meta.rules ?? []);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const notifications = result.diagnostics.filter((d) => d.level !== 'info').map(notification);
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: meta.tool.name,
            version: meta.tool.version,
            semanticVersion: meta.tool.version,
            informationUri: meta.tool.informationUri,
            rules: rules.map(ruleDescriptor),
          },
        },
        invocations: [
          {
            executionSuccessful: result.complete,
            ...(result.baseline ? { properties: { baselineSuppressed: result.baseline.suppressed } } : {}),
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        originalUriBaseIds: {
          [SRCROOT]: { description: { text: 'The root of the scan: finding paths are relative to it.' } },
        },
        columnKind: 'utf16CodeUnits',
        results: sortFindings(result.findings).map((f) => sarifResult(f, index.get(f.ruleId)!)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};

/** Rules the scan ran with (when known), plus any rule a finding names that is not among them. */
function ruleList(findings: readonly Finding[], known: readonly RuleMeta[]): RuleMeta[] {
  const byId = new Map<string, RuleMeta>();
  for (const r of known) byId.set(r.id, r);
  for (const f of findings) {
    if (!byId.has(f.ruleId)) {
      byId.set(f.ruleId, {
        id: f.ruleId,
        description: f.description,
        severity: f.severity,
        confidence: f.confidence,
        provider: f.provider,
        tags: f.tags,
      });
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function sentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * SARIF's "friendly name": one PascalCase identifier ("github-pat" -> "GithubPat"). It must differ
 * from the id even ignoring case (SARIF1001), so a one-word id gets a suffix ("jwt" -> "JwtSecret").
 */
export function ruleName(id: string): string {
  const name = id
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
  return name.toLowerCase() === id.toLowerCase() ? `${name}Secret` : name;
}

function ruleDescriptor(r: RuleMeta) {
  const level = LEVEL[r.severity];
  return {
    id: r.id,
    name: ruleName(r.id),
    shortDescription: { text: sentence(r.description) },
    fullDescription: {
      text: sentence(`${r.description}: a ${r.provider} credential committed to source code (keywarden rule ${r.id}, ${r.severity} severity)`),
    },
    help: { text: helpText(r), markdown: helpMarkdown(r) },
    defaultConfiguration: { level },
    properties: {
      tags: [...new Set(['security', 'secret', r.provider, ...r.tags])],
      precision: PRECISION[r.confidence],
      'security-severity': SECURITY_SEVERITY[r.severity],
      'problem.severity': PROBLEM_SEVERITY[level],
    },
  };
}

function helpSteps(r: RuleMeta): string[] {
  return [
    `Revoke or rotate this ${r.provider} credential first, and give its users the new one: once pushed, treat it as compromised even if the commit is later removed.`,
    'Remove it from the code and load it at run time from a secret manager or an environment variable.',
    'Remove it from git history (git filter-repo or BFG Repo-Cleaner), force-push, and have collaborators re-clone; forks and caches may keep copies, which is why revoking comes first.',
  ];
}

const FALSE_POSITIVE =
  'If it is not a real secret (a test fixture or an example), add `keywarden:allow` and the reason to the line. To accept existing findings while you clean them up, record them in the baseline (`keywarden baseline update`) so that only new secrets fail the build.';

function helpText(r: RuleMeta): string {
  return [
    `${sentence(r.description)} keywarden found a value that looks like a ${r.provider} credential (rule ${r.id}).`,
    '',
    'To remediate:',
    ...helpSteps(r).map((s, i) => `${i + 1}. ${s}`),
    '',
    FALSE_POSITIVE.replaceAll('`', ''),
  ].join('\n');
}

function helpMarkdown(r: RuleMeta): string {
  return [
    `**${sentence(r.description)}** keywarden found a value that looks like a ${r.provider} credential (rule \`${r.id}\`).`,
    '',
    '### Remediation',
    '',
    ...helpSteps(r).map((s, i) => `${i + 1}. ${s}`),
    '',
    '### False positives',
    '',
    FALSE_POSITIVE,
  ].join('\n');
}

/**
 * A relative URI reference for a scan-relative path: each segment percent-encoded, so a ':' in the
 * first segment cannot read as a scheme and '#', '?', '%' or spaces keep their literal meaning.
 */
export function pathToUri(path: string): string {
  return wellFormed(path).split('/').map(encodeURIComponent).join('/');
}

function artifactLocation(path: string) {
  if (path.startsWith('/')) return { uri: `file://${pathToUri(path)}` };
  if (/^[A-Za-z]:\//.test(path)) return { uri: `file:///${path.slice(0, 2)}${pathToUri(path.slice(2))}` };
  return { uri: pathToUri(path), uriBaseId: SRCROOT };
}

function sarifResult(f: Finding, ruleIndex: number) {
  const commit = f.commit ? ` It was introduced in commit ${f.commit.sha.slice(0, 12)}.` : '';
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${sentence(f.description)} Secret '${redactedSecret(f)}' (${f.severity} severity, ${f.confidence} confidence).${decoded(f)}${commit}${verified(f)}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(f.file),
          region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: {
      confidence: f.confidence,
      entropy: Math.round(f.entropy * 1000) / 1000,
      ...(f.encoding ? { encoding: f.encoding } : {}),
      ...(f.commit ? { commit: f.commit.sha, commitDate: f.commit.date } : {}),
      ...(f.occurrences !== undefined ? { occurrences: f.occurrences } : {}),
      ...(f.verification
        ? {
            verification: f.verification.status,
            verificationCheckedAt: f.verification.checkedAt,
            ...(f.verification.evidence.endpoint ? { verificationEndpoint: f.verification.evidence.endpoint } : {}),
            ...(f.verification.evidence.httpStatus !== undefined ? { verificationHttpStatus: f.verification.evidence.httpStatus } : {}),
          }
        : {}),
    },
  };
}

/** " Found after decoding percent, then base64." (the region is the encoded text), for the result message. */
function decoded(f: Finding): string {
  return f.encoding ? ` Found after decoding ${f.encoding.join(', then ')}.` : '';
}

/** " Verified live by its provider." and the like, for the result message. */
function verified(f: Finding): string {
  const v = f.verification;
  if (!v) return '';
  if (v.status === 'live') return ` Verified live by its provider${v.evidence.restricted ? ' (restricted key)' : ''}: revoke it.`;
  if (v.status === 'invalid') return ' Its provider rejects it (invalid).';
  return ` Verification ${v.status}${v.evidence.reason ? `: ${v.evidence.reason}` : ''}.`;
}

function notification(d: Diagnostic) {
  return {
    level: d.level === 'error' ? 'error' : 'warning',
    message: { text: sentence(d.message) },
    properties: { kind: d.kind, ...(d.path !== undefined ? { path: d.path } : {}) },
  };
}
