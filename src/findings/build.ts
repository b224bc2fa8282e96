// Match (engine output) -> Finding (what reports show): inline ignores, fingerprints, redaction.
import type { LineIndex } from '../engine/location.js';
import type { Confidence, Finding, Fragment, Match, Severity } from '../types.js';
import { fingerprint, secretHash } from './fingerprint.js';
import { INLINE_ALLOW } from './inline-ignore.js';
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
    // searched as bytes: decoding a megabyte line once per match would dominate a minified file
    return !fragment.bytes.subarray(from, to).includes(INLINE_ALLOW);
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
      // located at the encoded span; the fingerprint is still that of the decoded secret
      ...(m.encoding ? { encoding: m.encoding } : {}),
      snippet: snippet(fragment, m, kept, lines, opts),
    });
  }
  return out;
}

/** The first line of the match, every secret on it masked, cut to a window around the secret. */
function snippet(fragment: Fragment, m: Match, all: Match[], lines: LineIndex, opts: BuildOptions): string {
  const lineNo = m.line - 1;
  const [ls, le] = lines.lineRange(lineNo);
  const width = opts.snippetWidth ?? 160;
  if (le - ls > LONG_LINE_BYTES) return longLineSnippet(fragment.bytes, m, all, ls, le, width, opts.redact);
  const text = fragment.bytes.toString('utf8', ls, le);
  const spans = all
    .filter((o) => o.line - 1 <= lineNo && o.endLine - 1 >= lineNo)
    .map((o) => ({
      start: o.line - 1 === lineNo ? o.column - 1 : 0,
      end: o.endLine - 1 === lineNo ? o.endColumn - 1 : text.length,
      secret: o.secret,
    }));
  const shown = opts.redact ? maskCopies(maskSpans(text, spans), all) : text;
  if (shown.length <= width) return shown;
  const at = Math.max(0, m.column - 1 - Math.floor(width / 3));
  return `${at > 0 ? '…' : ''}${shown.slice(at, at + width)}…`;
}

/** Above this many bytes a line (a minified file's only line) is decoded and masked only around the secret. */
const LONG_LINE_BYTES = 8192;

/**
 * A long line is cut to bytes around the secret before decoding and masking, so building snippets
 * costs the same on a 50 MB line as on a short one. The cut reaches past what is shown by the
 * longest secret, so every secret or copy that shows lies whole inside it and is masked whole.
 */
function longLineSnippet(bytes: Buffer, m: Match, all: Match[], ls: number, le: number, width: number, redactOn: boolean): string {
  const longest = all.reduce((n, o) => Math.max(n, o.end - o.start), 0);
  const reach = 4 * width + longest; // 4: the most bytes one UTF-16 code unit takes
  let from = Math.max(ls, m.start - reach);
  let to = Math.min(le, m.start + reach);
  while (from > ls && (bytes[from]! & 0xc0) === 0x80) from--; // start and end on character boundaries
  while (to < le && (bytes[to]! & 0xc0) === 0x80) to++;
  const text = bytes.toString('utf8', from, to);
  const chars = (a: number, b: number): number => (b <= a ? 0 : bytes.toString('utf8', a, b).length);
  const spans = all
    .filter((o) => o.start < to && o.end > from)
    .map((o) => ({ start: chars(from, Math.max(o.start, from)), end: chars(from, Math.min(o.end, to)), secret: o.secret }));
  const shown = redactOn ? maskCopies(maskSpans(text, spans), all) : text;
  const at = Math.max(0, chars(from, m.start) - Math.floor(width / 3));
  return `${at > 0 || from > ls ? '…' : ''}${shown.slice(at, at + width)}${at + width < shown.length || to < le ? '…' : ''}`;
}

/**
 * Another copy of a found secret on the line (or of one line of a multi-line secret) is the same
 * secret: masked too, though no rule matched it there.
 */
function maskCopies(text: string, matches: Match[]): string {
  let out = text;
  for (const m of matches) {
    for (const part of m.secret.split(/\r?\n/)) {
      if (part.length >= 8 && out.includes(part)) out = out.replaceAll(part, redact(part));
    }
  }
  return out;
}
