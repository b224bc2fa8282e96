// The baseline: findings a team has accepted, one entry per fingerprint (rule + secret hash + path,
// no line number), so moving code keeps its entry while the same secret in another file, or another
// secret on an accepted line, is still reported. Modelled on ESLint's suppressions file: stable
// sorted JSON, prune, unused entries reported. Pure functions; reading and writing live in config/.
import { KeywardenError, type ProblemDetail } from '../errors.js';
import type { BaselineEntry, Finding } from '../types.js';
import { fingerprint } from './fingerprint.js';

export const BASELINE_VERSION = 1;

export interface Baseline {
  version: typeof BASELINE_VERSION;
  entries: BaselineEntry[];
}

/** What a new entry records besides the finding's identity. */
export interface EntryMeta {
  /** YYYY-MM-DD. */
  added: string;
  reason?: string;
  owner?: string;
  /** YYYY-MM-DD. */
  expires?: string;
}

export interface BaselineApplication {
  /** Findings no live entry covers, in their original order. */
  findings: Finding[];
  suppressed: number;
  /** Entries in the scanned tree that matched no finding. */
  stale: BaselineEntry[];
  /** Expired entries that matched a finding (which is therefore reported again). */
  expired: BaselineEntry[];
}

export function emptyBaseline(): Baseline {
  return { version: BASELINE_VERSION, entries: [] };
}

/** YYYY-MM-DD of a date, in UTC. */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(t) && isoDay(new Date(t)) === s;
}

/** An entry stops suppressing at 00:00 UTC on its `expires` day. */
export function isExpired(entry: BaselineEntry, now: Date): boolean {
  return entry.expires !== undefined && Date.parse(`${entry.expires}T00:00:00Z`) < now.getTime();
}

/**
 * Where the scan root sits relative to the baseline file. Entry paths are relative to the baseline
 * file's directory (like a .gitignore's patterns), so one baseline serves scans of any directory
 * under it; when the file sits at the scan root, entry paths are the findings' paths.
 */
export interface BaselineScope {
  /** A finding's path (relative to the scan root) as the baseline writes it. */
  toBaselinePath(file: string): string;
  /** Whether the scan covered a baseline path, so an entry there that matched nothing is stale. */
  covers(baselinePath: string): boolean;
}

export const SAME_ROOT: BaselineScope = {
  toBaselinePath: (file) => file,
  covers: (p) => !p.startsWith('../'),
};

/** A finding's path and fingerprint as seen from the baseline file's directory. */
export function baselineKey(f: Finding, scope: BaselineScope): { file: string; fingerprint: string } {
  const file = scope.toBaselinePath(f.file);
  return { file, fingerprint: file === f.file ? f.fingerprint : fingerprint(f.ruleId, f.secretHash, file) };
}

function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  // code-unit order, not localeCompare: the file must sort the same on every machine
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return cmp(a.file, b.file) || cmp(a.ruleId, b.ruleId) || cmp(a.fingerprint, b.fingerprint);
}

function newEntry(f: Finding, scope: BaselineScope, meta: EntryMeta): BaselineEntry {
  const key = baselineKey(f, scope);
  const entry: BaselineEntry = { fingerprint: key.fingerprint, ruleId: f.ruleId, file: key.file, added: meta.added };
  if (meta.reason !== undefined) entry.reason = meta.reason;
  if (meta.owner !== undefined) entry.owner = meta.owner;
  if (meta.expires !== undefined) entry.expires = meta.expires;
  return entry;
}

/** One entry per distinct fingerprint among the findings. */
export function createBaseline(findings: readonly Finding[], meta: EntryMeta, scope: BaselineScope = SAME_ROOT): Baseline {
  return updateBaseline(emptyBaseline(), findings, meta, scope).baseline;
}

/** Adds entries for findings the baseline does not know; existing entries stay exactly as they are. */
export function updateBaseline(
  baseline: Baseline,
  findings: readonly Finding[],
  meta: EntryMeta,
  scope: BaselineScope = SAME_ROOT,
): { baseline: Baseline; added: BaselineEntry[] } {
  const known = new Set(baseline.entries.map((e) => e.fingerprint));
  const added: BaselineEntry[] = [];
  for (const f of findings) {
    const entry = newEntry(f, scope, meta);
    if (known.has(entry.fingerprint)) continue;
    known.add(entry.fingerprint);
    added.push(entry);
  }
  return { baseline: { version: BASELINE_VERSION, entries: [...baseline.entries, ...added].sort(compareEntries) }, added: added.sort(compareEntries) };
}

/** Removes the entries in the scanned tree that no finding matches any more. */
export function pruneBaseline(
  baseline: Baseline,
  findings: readonly Finding[],
  scope: BaselineScope = SAME_ROOT,
): { baseline: Baseline; removed: BaselineEntry[] } {
  const found = new Set(findings.map((f) => baselineKey(f, scope).fingerprint));
  const removed = baseline.entries.filter((e) => !found.has(e.fingerprint) && scope.covers(e.file));
  const gone = new Set(removed);
  return { baseline: { version: BASELINE_VERSION, entries: baseline.entries.filter((e) => !gone.has(e)) }, removed };
}

/** Drops the findings live entries cover; an expired entry lets its finding through and is listed. */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline, now: Date, scope: BaselineScope = SAME_ROOT): BaselineApplication {
  const byFingerprint = new Map(baseline.entries.map((e) => [e.fingerprint, e]));
  const matched = new Set<BaselineEntry>();
  const kept: Finding[] = [];
  let suppressed = 0;
  for (const f of findings) {
    const entry = byFingerprint.get(baselineKey(f, scope).fingerprint);
    if (entry) matched.add(entry);
    if (entry && !isExpired(entry, now)) suppressed++;
    else kept.push(f);
  }
  return {
    findings: kept,
    suppressed,
    stale: baseline.entries.filter((e) => !matched.has(e) && scope.covers(e.file)),
    expired: baseline.entries.filter((e) => matched.has(e) && isExpired(e, now)),
  };
}

const ENTRY_FIELDS = ['fingerprint', 'ruleId', 'file', 'reason', 'owner', 'expires', 'added'] as const;

/**
 * Sorted by file, rule and fingerprint, one entry per line, 2-space indentation, trailing newline:
 * the same findings always give the same bytes, and adding or removing an entry touches one line.
 */
export function serializeBaseline(baseline: Baseline): string {
  const lines = [...baseline.entries].sort(compareEntries).map((e) => {
    const fields = ENTRY_FIELDS.filter((k) => e[k] !== undefined).map((k) => `${JSON.stringify(k)}: ${JSON.stringify(e[k])}`);
    return `    { ${fields.join(', ')} }`;
  });
  const entries = lines.length === 0 ? '[]' : `[\n${lines.join(',\n')}\n  ]`;
  return `{\n  "version": ${BASELINE_VERSION},\n  "entries": ${entries}\n}\n`;
}

/** Parses and validates a baseline document; every problem is reported at once, naming the field. */
export function parseBaseline(text: string, file: string): Baseline {
  const body = text.replace(/^\uFEFF/, '');
  const conflict = /^(?:<{7}|={7}|>{7})(?: |$)/m.exec(body);
  if (conflict) {
    throw invalid(file, [
      { file, field: `line ${lineColumn(body, conflict.index).line}`, message: 'git merge conflict markers: keep both sides\' entries, delete the markers, then run `keywarden baseline update` to re-sort' },
    ]);
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    const at = pos ? lineColumn(body, Number(pos[1])) : undefined;
    throw invalid(file, [
      { file, field: at ? `line ${at.line}, column ${at.column}` : undefined, message: `invalid JSON: ${message.replace(/ in JSON at position .*$/, '')}` },
    ]);
  }
  return validateBaseline(data, file);
}

function lineColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

function invalid(file: string, problems: ProblemDetail[]): KeywardenError {
  return new KeywardenError('CONFIG_INVALID', `${file}: invalid baseline`, problems);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a parsed document against the version 1 format. */
export function validateBaseline(data: unknown, file: string): Baseline {
  const problems: ProblemDetail[] = [];
  const problem = (field: string, message: string, ruleId?: string): void => {
    problems.push({ file, ruleId, field, message });
  };
  if (!isRecord(data)) {
    problem('/', 'must be an object with "version" and "entries"');
    throw invalid(file, problems);
  }
  for (const k of Object.keys(data)) if (k !== 'version' && k !== 'entries') problem(`/${k}`, 'is not a known field');
  if (data.version === undefined) problem('/version', 'is required');
  else if (data.version !== BASELINE_VERSION) problem('/version', `unsupported version ${JSON.stringify(data.version)} (this keywarden reads version ${BASELINE_VERSION})`);
  if (!Array.isArray(data.entries)) {
    problem('/entries', data.entries === undefined ? 'is required' : 'must be an array');
    throw invalid(file, problems);
  }
  const seen = new Map<string, number>();
  data.entries.forEach((raw: unknown, i: number) => {
    const at = `/entries/${i}`;
    if (!isRecord(raw)) {
      problem(at, 'must be an object');
      return;
    }
    const ruleId = typeof raw.ruleId === 'string' ? raw.ruleId : undefined;
    const p = (field: string, message: string): void => problem(`${at}/${field}`, message, ruleId);
    for (const k of Object.keys(raw)) {
      if ((ENTRY_FIELDS as readonly string[]).includes(k)) continue;
      p(k, k === 'secretHash' ? 'is not stored in a baseline (the fingerprint identifies the finding); delete it' : 'is not a known field');
    }
    if (typeof raw.fingerprint !== 'string' || !/^[0-9a-f]{32}$/.test(raw.fingerprint)) {
      p('fingerprint', raw.fingerprint === undefined ? 'is required' : 'must be 32 lowercase hex digits, as in a report');
    } else if (seen.has(raw.fingerprint)) {
      p('fingerprint', `duplicates /entries/${seen.get(raw.fingerprint)} (one entry per finding)`);
    } else seen.set(raw.fingerprint, i);
    for (const k of ['ruleId', 'file'] as const) {
      if (typeof raw[k] !== 'string' || raw[k] === '') p(k, raw[k] === undefined ? 'is required' : 'must be a non-empty string');
    }
    for (const k of ['reason', 'owner'] as const) {
      if (raw[k] !== undefined && typeof raw[k] !== 'string') p(k, 'must be a string');
    }
    for (const k of ['expires', 'added'] as const) {
      const v = raw[k];
      if (v === undefined) {
        if (k === 'added') p(k, 'is required');
      } else if (typeof v !== 'string' || !isIsoDate(v)) p(k, `${JSON.stringify(v)} is not a date (YYYY-MM-DD)`);
    }
  });
  if (problems.length > 0) throw invalid(file, problems);
  return { version: BASELINE_VERSION, entries: data.entries as BaselineEntry[] };
}
