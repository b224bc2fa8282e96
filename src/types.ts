// The data model shared by every layer. Type-only: no runtime code here.

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type Confidence = 'high' | 'medium' | 'low';
export type ValidatorName = 'github-checksum' | 'npm-checksum' | 'gitlab-routable' | 'jwt' | 'jwt-without-alg';
export type RegexTarget = 'secret' | 'match' | 'line';

/** An allowlist as written in a rule file or config (patterns still uncompiled). */
export interface AllowlistSpec {
  regexes?: string[];
  regexTarget?: RegexTarget;
  stopwords?: string[];
  paths?: string[];
}

export interface RuleExample {
  tp?: string;
  fp?: string;
  path?: string;
}

/** A rule as written in rules/*.toml (after schema validation). */
export interface RuleSpec {
  id: string;
  description: string;
  regex: string;
  keywords: string[];
  secretGroup?: number;
  entropy?: number;
  validator?: ValidatorName;
  path?: string;
  /**
   * Lines around a keyword occurrence that a match can reach. A rule without a literal lead runs
   * on those lines only (3 and 3 unless it says otherwise); a rule that gives a window runs on
   * its lines whatever its regex (a provider URL with an optional scheme, a multi-line block that
   * ends at its keyword).
   */
  window?: { before?: number; after?: number };
  severity: Severity;
  confidence?: Confidence;
  provider: string;
  tags?: string[];
  /**
   * Ids of the gitleaks rules this rule covers. Absent: the rule covers the gitleaks rule of the
   * same id, if there is one ([] covers none). See gitleaksIdsOf.
   */
  gitleaks?: string[];
  allowlist?: AllowlistSpec;
  /** More allowlists, each with its own regexTarget; any one that matches drops the finding. */
  allowlists?: AllowlistSpec[];
  examples?: RuleExample[];
  /** Where the rule was loaded from, for error messages. */
  source?: string;
  /** Shipped with keywarden (compiled by its test suite, so compiled lazily at run time). */
  bundled?: boolean;
}

/** A unit of bytes to scan: a file, a blob, staged content. */
export interface Fragment {
  bytes: Buffer;
  /** Path relative to the scan root, forward slashes. */
  path: string;
}

/** What the engine reports: a rule matched and every rule-level check passed. */
export interface Match {
  ruleId: string;
  /** Byte offsets of the secret within the fragment. */
  start: number;
  end: number;
  /** Byte offsets of the whole regex match. */
  matchStart: number;
  matchEnd: number;
  secret: string;
  entropy: number;
  /** 1-based; columns count UTF-16 code units like SARIF's default columnKind. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /**
   * Set when the secret was found in decoded text: the encodings undone, outermost first (e.g.
   * ["percent", "base64"]). Offsets and location are then those of the encoded span in the fragment.
   */
  encoding?: string[];
}

export interface Location {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Finding extends Location {
  ruleId: string;
  description: string;
  severity: Severity;
  confidence: Confidence;
  provider: string;
  tags: string[];
  file: string;
  /** Redacted unless the user asked for --no-redact. */
  secret: string;
  redacted: boolean;
  /** sha256 of the raw secret (domain-separated), never reversible for a real key. */
  secretHash: string;
  entropy: number;
  /** Stable identity: rule + secret hash + path (no line number). */
  fingerprint: string;
  /** Found in decoded text: the encodings undone, outermost first; the location is the encoded span. */
  encoding?: string[];
  /** The matched line with every known secret on it masked (unless --no-redact). */
  snippet?: string;
  /** History scans: the commit that first introduced this secret at this path. */
  commit?: CommitInfo;
  /** History scans: the blob the location refers to. */
  blob?: string;
  /** History scans: how many (commit, blob) occurrences carry this secret at this path. */
  occurrences?: number;
  /** History scans with --all-occurrences: every commit and path that contains it. */
  occurrenceList?: Array<{ commit: string; path: string }>;
  /** Set by `scan --verify` / `keywarden verify`: whether the provider still accepts the secret. */
  verification?: Verification;
}

export type VerificationStatus = 'live' | 'invalid' | 'unknown' | 'error';

/** The outcome of asking a provider's read-only identity endpoint about a finding's secret. */
export interface Verification {
  status: VerificationStatus;
  /** ISO 8601 time of the check. */
  checkedAt: string;
  evidence: VerificationEvidence;
}

/** What the check saw: never the secret, nor any header that carried it. */
export interface VerificationEvidence {
  /** The provider module that checked it. */
  provider?: string;
  /** Method and URL called, with any secret in the path replaced by a placeholder. */
  endpoint?: string;
  httpStatus?: number;
  /** Live, but the key lacks the permission the identity endpoint needs (e.g. a restricted key). */
  restricted?: boolean;
  /** Harmless identity facts the provider returned: account login, scopes, account id. */
  identity?: Record<string, string | number | boolean | string[]>;
  /** Why the status is what it is, in a sentence. */
  reason?: string;
  /** Fingerprint of the finding this one was paired with (two-part credentials). */
  pairedWith?: string;
}

export interface CommitInfo {
  sha: string;
  author: string;
  email: string;
  date: string;
  message?: string;
}

export type DiagnosticKind =
  | 'unreadable'
  | 'too-large'
  | 'binary'
  | 'symlink'
  | 'not-found'
  | 'special-file'
  | 'allowlisted'
  | 'config'
  | 'git'
  | 'lfs'
  | 'missing-object'
  | 'unreachable'
  /** Text transcoded before scanning (UTF-16), or a file name that is not UTF-8. */
  | 'encoding'
  /** A match cap or time budget stopped a rule early: later matches were not reported. */
  | 'cap-hit';

export interface Diagnostic {
  kind: DiagnosticKind;
  path?: string;
  message: string;
  /** An error-level diagnostic makes the scan incomplete (exit 2). */
  level: 'error' | 'warning' | 'info';
}

export interface ScanStats {
  filesScanned: number;
  /** History scans: unique blobs read. */
  blobsScanned?: number;
  bytesScanned: number;
  skipped: Partial<Record<DiagnosticKind, number>>;
  rulesLoaded: number;
  findings: number;
  durationMs: number;
  /** Findings a baseline suppressed (set when a baseline was applied). */
  baselined?: number;
}

/** One accepted finding in .keywarden-baseline.json. Never holds the secret, nor any part of it. */
export interface BaselineEntry {
  /** The finding's fingerprint (rule + secret hash + path, no line number). */
  fingerprint: string;
  ruleId: string;
  /** Path relative to the baseline file's directory, forward slashes. */
  file: string;
  reason?: string;
  owner?: string;
  /** YYYY-MM-DD: from 00:00 UTC that day the entry no longer suppresses its finding. */
  expires?: string;
  /** YYYY-MM-DD the entry was added. */
  added: string;
}

/** What applying a baseline to a scan did, for reports. */
export interface BaselineSummary {
  /** The baseline file (relative to the scan root when inside it). */
  file: string;
  /** Findings the baseline suppressed. */
  suppressed: number;
  /** Entries in the scanned tree that matched no finding: `keywarden baseline prune` removes them. */
  stale: BaselineEntry[];
  /** Entries past their expiry that matched a finding: those findings are reported again. */
  expired: BaselineEntry[];
}

export interface ScanResult {
  findings: Finding[];
  diagnostics: Diagnostic[];
  stats: ScanStats;
  /** false when something that should have been scanned was not (exit 2). */
  complete: boolean;
  /** Set when a baseline was applied to the findings. */
  baseline?: BaselineSummary;
}
