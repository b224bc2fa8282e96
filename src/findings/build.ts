// Match (engine output) -> Finding (what reports show): inline ignores, fingerprints, redaction.
import type { LineIndex } from '../engine/location.js';
import type { Confidence, Finding, Fragment, Match, Severity } from '../types.js';
import { fingerprint, secretHash } from './fingerprint.js';
import { isInlineAllowed } from './inline-ignore.js';
import { maskSpans, redact } from './redact.js';

export interface RuleMeta {
  id: string;
  description: string;
  severity: Severity;
  confidence: Confidence;
  provider: string;
  tags: string[];
}

export interface BuildOptions {
  redact: boolean;
  /** Longest snippet shown around a secret, in characters. */
  snippetWidth?: number;
}

export function buildFindings(
  fragment: Fragment,
  matches: Match[],
  lines: LineIndex,
  rules: ReadonlyMap<string, RuleMeta>,
  opts: BuildOptions,
): Finding[] {
  const out: Finding[] = [];
  const kept = matches.filter((m) => {
    const [from] = lines.lineRange(m.line - 1);
    const [, to] = lines.lineRange(m.endLine - 1);
    return !isInlineAllowed(fragment.bytes.toString('utf8', from, to));
  });
  for (const m of kept) {
    const rule = rules.get(m.ruleId)!;
    const hash = secretHash(m.secret);
    out.push({
      ruleId: m.ruleId,
      description: rule.description,
      severity: rule.severity,
      confidence: rule.confidence,
      provider: rule.provider,
      tags: rule.tags,
      file: fragment.path,
      line: m.line,
      column: m.column,
      endLine: m.endLine,
      endColumn: m.endColumn,
      secret: opts.redact ? redact(m.secret) : m.secret,
      redacted: opts.redact,
      secretHash: hash,
      entropy: m.entropy,
      fingerprint: fingerprint(m.ruleId, hash, fragment.path),
      snippet: snippet(fragment, m, kept, lines, opts),
    });
  }
  return out;
}

/** The first line of the match, every secret on it masked, cut to a window around the secret. */
function snippet(fragment: Fragment, m: Match, all: Match[], lines: LineIndex, opts: BuildOptions): string {
  const lineNo = m.line - 1;
  const [ls, le] = lines.lineRange(lineNo);
  const text = fragment.bytes.toString('utf8', ls, le);
  const spans = all
    .filter((o) => o.line - 1 <= lineNo && o.endLine - 1 >= lineNo)
    .map((o) => ({
      start: o.line - 1 === lineNo ? o.column - 1 : 0,
      end: o.endLine - 1 === lineNo ? o.endColumn - 1 : text.length,
      secret: o.secret,
    }));
  const shown = opts.redact ? maskSpans(text, spans) : text;
  const width = opts.snippetWidth ?? 160;
  if (shown.length <= width) return shown;
  const at = Math.max(0, m.column - 1 - Math.floor(width / 3));
  return `${at > 0 ? '…' : ''}${shown.slice(at, at + width)}…`;
}
