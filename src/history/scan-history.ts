// History, range and staged scans: every unique blob read once through `git cat-file --batch`,
// scanned in worker threads, attributed to the commit that introduced it afterwards.
import { availableParallelism } from 'node:os';
import type { KeywardenConfig } from '../config/config-file.js';
import type { RuleMeta } from '../findings/build.js';
import { fingerprint } from '../findings/fingerprint.js';
import { compareFindings } from '../findings/order.js';
import { buildRuleSet, type RuleSet } from '../rules.js';
import { catFileBatch, GitError } from '../sources/git/cat-file.js';
import { GIT_MEMORY_OPTIONS } from '../sources/git/run-git.js';
import { allBlobs, countBlobs, isFileMode, isShallow, rawChanges, reachableBlobs, reachableObjects, stagedBlobs, storedKiB, type BlobRef } from '../sources/git/objects.js';
import { osPipesAvailable } from '../sources/git/os-pipe.js';
import type { Diagnostic, DiagnosticKind, Finding, ScanResult } from '../types.js';
import { attribute, AttributionLog, LOG_FORMAT, parseCommitHeader, type Occurrence } from './attribution.js';
import { scanBlobs, type BlobScanResult } from './blob-scan.js';
import { ScanWorkers, type PipedBlob } from './blob-dispatch.js';

export type HistoryScope = { kind: 'all' } | { kind: 'range'; range: string } | { kind: 'staged' };

export interface HistoryProgress {
  blobs: number;
  bytes: number;
  totalBlobs: number;
  totalBytes: number;
}

export interface HistoryScanOptions {
  repo: string;
  /** The work tree's top level (or the repository for a bare one): reports are relative to it. */
  root?: string;
  scope: HistoryScope;
  config: KeywardenConfig;
  redact: boolean;
  maxFileSize: number;
  /** Worker threads; 1 scans in-process. Default: one per core. */
  threads?: number;
  allOccurrences?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: HistoryProgress) => void;
}

const SHALLOW_WARNING: Diagnostic = {
  kind: 'git',
  level: 'warning',
  message: 'this is a shallow clone: history beyond its depth is not in the repository and was not scanned (fetch with --unshallow or fetch-depth: 0)',
};

const SUBMODULES_NOTE: Diagnostic = {
  kind: 'git',
  level: 'info',
  message: 'this repository has submodules: they are separate repositories whose history is not part of this scan (scan each with keywarden scan --history <path>)',
};

/** Below this much work, worker start-up costs more than it saves. */
const IN_PROCESS_BYTES = 4 * 1024 * 1024;

/**
 * Whether a repository is small enough on disk (compressed, so its blobs are likely below
 * IN_PROCESS_BYTES) to be planned first, and then probably scanned in-process; the workers,
 * already loading, are stopped then. Unknown sizes count as large.
 */
async function smallStore(repo: string): Promise<boolean> {
  const kib = await storedKiB(repo);
  return kib !== undefined && kib * 1024 < IN_PROCESS_BYTES / 4;
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 16));
}

interface Plan {
  blobs: BlobRef[];
  /** Known before scanning (range, staged); the 'all' scope attributes afterwards. */
  occurrences?: Map<string, Occurrence[]>;
  /** Paths known for blobs before scanning, so path-scoped rules can gate the scan itself. */
  paths?: Map<string, string>;
  skipped: Partial<Record<DiagnosticKind, number>>;
  diagnostics: Diagnostic[];
}

async function sizesOf(repo: string, oids: string[], signal?: AbortSignal): Promise<BlobRef[]> {
  if (oids.length === 0) return [];
  const out: BlobRef[] = [];
  for await (const item of catFileCheck(repo, oids, signal)) out.push(item);
  return out;
}

async function* catFileCheck(repo: string, oids: string[], signal?: AbortSignal): AsyncGenerator<BlobRef> {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const child = spawn('git', [...GIT_MEMORY_OPTIONS, '-C', repo, 'cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    signal,
  });
  child.on('error', () => undefined);
  child.stdin.on('error', () => undefined);
  child.stdin.end(`${oids.join('\n')}\n`);
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    const [oid, type, size] = line.split(' ');
    if (type === 'missing') yield { oid: oid!, size: -1 };
    else if (type === 'blob') yield { oid: oid!, size: Number(size) };
  }
}

async function plan(opts: HistoryScanOptions): Promise<Plan> {
  const { repo, scope, maxFileSize, signal } = opts;
  const skipped: Plan['skipped'] = {};
  const diagnostics: Diagnostic[] = [];
  const keep = (refs: BlobRef[]): BlobRef[] =>
    refs.filter((b) => {
      if (b.size < 0) {
        skipped['missing-object'] = (skipped['missing-object'] ?? 0) + 1;
        diagnostics.push({ kind: 'missing-object', level: 'error', message: `git object ${b.oid} is missing` });
        return false;
      }
      if (b.size > maxFileSize) {
        skipped['too-large'] = (skipped['too-large'] ?? 0) + 1;
        return false;
      }
      return true;
    });

  if (scope.kind === 'all') {
    if (await isShallow(repo)) {
      diagnostics.push(SHALLOW_WARNING);
    }
    // Reachability and a path per blob come from one cheap walk, run alongside the listing:
    // unreachable blobs (dangling, never committed) are not read, a missing object fails the scan,
    // and a path lets path-scoped rules and path allowlists gate the scan itself.
    const reach = new Map<string, string>();
    let submodules = false;
    const walking = (async () => {
      for await (const o of reachableObjects(repo, signal)) {
        if (o.path === '.gitmodules') submodules = true;
        if (o.missing) {
          skipped['missing-object'] = (skipped['missing-object'] ?? 0) + 1;
          diagnostics.push({ kind: 'missing-object', level: 'error', message: `git object ${o.oid} is reachable but missing` });
        } else reach.set(o.oid, o.path ?? '');
      }
    })();
    const listed: BlobRef[] = [];
    for await (const b of allBlobs(repo, signal)) listed.push(b);
    await walking;
    if (submodules) {
      diagnostics.push(SUBMODULES_NOTE);
    }
    const blobs = listed.filter((b) => {
      if (b.size < 0 || reach.has(b.oid)) return true;
      skipped.unreachable = (skipped.unreachable ?? 0) + 1;
      return false;
    });
    const paths = new Map<string, string>();
    for (const b of blobs) {
      const p = reach.get(b.oid);
      if (p) paths.set(b.oid, p);
    }
    return { blobs: keep(blobs), paths, skipped, diagnostics };
  }

  const occurrences = new Map<string, Occurrence[]>();
  const paths = new Map<string, string>();
  if (scope.kind === 'staged') {
    for (const b of await stagedBlobs(repo, signal)) {
      if (!occurrences.has(b.oid)) occurrences.set(b.oid, []);
      occurrences.get(b.oid)!.push({ path: b.path });
      if (!paths.has(b.oid)) paths.set(b.oid, b.path);
    }
  } else {
    let commit: Occurrence['commit'] | undefined;
    let order = 0;
    const args = ['log', scope.range, '--reverse', '--raw', '-z', '--no-abbrev', LOG_FORMAT];
    for await (const batch of rawChanges(repo, args, signal)) {
      for (const c of batch) {
        if ('header' in c) {
          commit = parseCommitHeader(c.header);
          order++;
          continue;
        }
        if (!commit || !isFileMode(c.newMode) || c.status.startsWith('D')) continue;
        if ((c.status.startsWith('R') || c.status.startsWith('C')) && c.oldOid === c.newOid) continue;
        if (!occurrences.has(c.newOid)) occurrences.set(c.newOid, []);
        occurrences.get(c.newOid)!.push({ commit, path: c.path, order });
        if (!paths.has(c.newOid)) paths.set(c.newOid, c.path);
      }
    }
  }
  // A blob seen at several paths cannot be path-gated before scanning.
  for (const [oid, occ] of occurrences) if (new Set(occ.map((o) => o.path)).size > 1) paths.delete(oid);
  const blobs = keep(await sizesOf(repo, [...occurrences.keys()], signal));
  return { blobs, occurrences, paths, skipped, diagnostics };
}

/** Contiguous slices of roughly equal bytes, keeping pack order within each (locality). */
export function shard(blobs: BlobRef[], n: number): BlobRef[][] {
  const total = blobs.reduce((a, b) => a + b.size, 0);
  const per = total / n;
  const out: BlobRef[][] = [[]];
  let acc = 0;
  for (const b of blobs) {
    if (acc >= per && out.length < n) {
      out.push([]);
      acc = 0;
    }
    out[out.length - 1]!.push(b);
    acc += b.size;
  }
  return out.filter((s) => s.length > 0);
}

export async function scanHistory(opts: HistoryScanOptions): Promise<ScanResult & { root: string; rules: RuleMeta[] }> {
  const started = performance.now();
  const threads = Math.max(1, opts.threads ?? defaultThreads());
  // a full-history scan nearly always takes the worker path: its workers start first, and load
  // while this thread does (ranges and staged changes are often small, and a pre-commit hook must
  // stay fast)
  let workers = threads > 1 && opts.scope.kind === 'all' ? new ScanWorkers(threads, { config: opts.config, redact: opts.redact }) : undefined;
  let ruleSet: RuleSet;
  try {
    ruleSet = buildRuleSet(opts.config);
  } catch (err) {
    workers?.terminate();
    throw err;
  }
  return scanWith(opts, ruleSet, workers, threads, started);
}

/** The log walk for attribution, started now; undefined (attribution walks after the scan) when no temporary file can be made. */
function startAttributionLog(opts: HistoryScanOptions): AttributionLog | undefined {
  try {
    return new AttributionLog(opts.repo, ['--all'], opts.signal);
  } catch {
    return undefined;
  }
}

async function scanWith(
  opts: HistoryScanOptions,
  ruleSet: RuleSet,
  workers: ScanWorkers | undefined,
  threads: number,
  started: number,
): Promise<ScanResult & { root: string; rules: RuleMeta[] }> {
  let p: Plan | undefined;
  let parts: BlobScanResult[];
  let log: AttributionLog | undefined;
  const diagnostics: Diagnostic[] = [];
  try {
    try {
      if (workers && opts.scope.kind === 'all' && osPipesAvailable() && !(await smallStore(opts.repo))) {
        // the walk streams into the workers' gits: reading starts with the first blob listed; and
        // git walks the log for attribution while the blobs are scanned
        log = startAttributionLog(opts);
        p = { blobs: [], skipped: {}, diagnostics };
        parts = await scanAllStreamed(opts, workers, ruleSet, p);
      } else {
        p = await plan(opts);
        diagnostics.push(...p.diagnostics);
        parts = await scanPlanned(opts, p, workers, ruleSet, threads);
      }
    } catch (err) {
      workers?.terminate();
      if (opts.signal?.aborted) throw err;
      if (!(err instanceof GitError)) throw err;
      diagnostics.push({ kind: 'git', level: 'error', message: err.message });
      parts = [];
      p ??= { blobs: [], skipped: {}, diagnostics: [] };
    }
    return await finish(opts, ruleSet, p, parts, diagnostics, started, log);
  } finally {
    log?.dispose();
  }
}

/** Scans a planned list of blobs: in-process when small (or one thread), else in the workers. */
async function scanPlanned(opts: HistoryScanOptions, p: Plan, workers: ScanWorkers | undefined, ruleSet: RuleSet, threads: number): Promise<BlobScanResult[]> {
  const totalBytes = p.blobs.reduce((a, b) => a + b.size, 0);
  const progress: HistoryProgress = { blobs: 0, bytes: 0, totalBlobs: p.blobs.length, totalBytes };
  if (threads === 1 || totalBytes < IN_PROCESS_BYTES || p.blobs.length < 2) {
    workers?.terminate();
    const items = catFileBatch(opts.repo, p.blobs.map((b) => b.oid), { signal: opts.signal });
    return [
      await scanBlobs(items, ruleSet.engine, ruleSet.meta, {
        redact: opts.redact,
        paths: p.paths,
        onTally: (t) => opts.onProgress?.({ ...progress, blobs: t.blobs, bytes: t.bytes }),
      }),
    ];
  }
  workers ??= new ScanWorkers(threads, { config: opts.config, redact: opts.redact });
  return workers.scan({
    repo: opts.repo,
    shards: shard(p.blobs, threads),
    paths: p.paths,
    signal: opts.signal,
    onProgress: (blobs, bytes) => opts.onProgress?.({ ...progress, blobs, bytes }),
  });
}

/**
 * A full-history scan fed by the walk as it goes: each reachable blob's size and first path come
 * from `git rev-list --objects --all` piped into `git cat-file --batch-check`, and each blob goes
 * to a worker's git as soon as it is listed. Skips and diagnostics are recorded on `p`.
 */
async function scanAllStreamed(opts: HistoryScanOptions, workers: ScanWorkers, ruleSet: RuleSet, p: Plan): Promise<BlobScanResult[]> {
  const { repo, maxFileSize, signal } = opts;
  const skip = (k: DiagnosticKind): void => {
    p.skipped[k] = (p.skipped[k] ?? 0) + 1;
  };
  const shallow = isShallow(repo);
  // unreachable blobs (dangling, never committed) are never read; counted for the report
  const stored = countBlobs(repo, signal);
  stored.catch(() => undefined);
  const progress: HistoryProgress = { blobs: 0, bytes: 0, totalBlobs: 0, totalBytes: 0 };
  let listed = 0;
  let submodules = false;
  const listing = reachableBlobs(repo, signal);
  if (!listing) throw new GitError('could not make a pipe between git rev-list and git cat-file (too many open files?)');
  async function* admitted(): AsyncGenerator<PipedBlob> {
    for await (const b of listing!) {
      if ('missing' in b) {
        skip('missing-object');
        p.diagnostics.push({ kind: 'missing-object', level: 'error', message: `git object ${b.oid} is reachable but missing` });
        continue;
      }
      listed++;
      if (b.path === '.gitmodules') submodules = true;
      if (b.size > maxFileSize) {
        skip('too-large');
        continue;
      }
      // path-scoped rules and path allowlists gate as in a file scan (by the first path git saw)
      if (b.path && ruleSet.engine.isPathAllowlisted(b.path)) {
        skip('allowlisted');
        continue;
      }
      progress.totalBlobs++;
      progress.totalBytes += b.size;
      yield b;
    }
  }
  const parts = await workers.scanPiped(admitted(), {
    repo,
    signal,
    onProgress: (blobs, bytes) => opts.onProgress?.({ ...progress, blobs, bytes }),
  });
  if (await shallow) p.diagnostics.unshift(SHALLOW_WARNING);
  if (submodules) p.diagnostics.push(SUBMODULES_NOTE);
  const unreachable = (await stored.catch(() => listed)) - listed;
  if (unreachable > 0) p.skipped.unreachable = (p.skipped.unreachable ?? 0) + unreachable;
  return parts;
}

async function finish(
  opts: HistoryScanOptions,
  ruleSet: RuleSet,
  p: Plan,
  parts: BlobScanResult[],
  diagnostics: Diagnostic[],
  started: number,
  log: AttributionLog | undefined,
): Promise<ScanResult & { root: string; rules: RuleMeta[] }> {
  const skipped = { ...p.skipped };
  let blobs = 0;
  let bytes = 0;
  for (const part of parts) {
    blobs += part.blobs;
    bytes += part.bytes;
    diagnostics.push(...part.diagnostics);
    for (const [k, n] of Object.entries(part.skipped)) skipped[k as DiagnosticKind] = (skipped[k as DiagnosticKind] ?? 0) + (n ?? 0);
  }
  const results = parts.flatMap((x) => x.results);
  if (skipped.lfs) {
    const n = skipped.lfs;
    diagnostics.push({ kind: 'lfs', level: 'info', message: `${n} Git LFS pointer${n === 1 ? '' : 's'}: the content lives outside git and was not scanned (scan a checkout with the LFS files fetched)` });
  }

  let occurrences = p.occurrences;
  if (!occurrences) {
    const wanted = new Set(results.map((r) => r.oid));
    occurrences = wanted.size === 0 ? new Map() : log ? await log.attribute(wanted) : await attribute(opts.repo, wanted, ['--all'], opts.signal);
  }
  const findings = groupFindings(results, occurrences, ruleSet, opts.scope.kind === 'staged', opts.allOccurrences ?? false, skipped);

  const stats = {
    filesScanned: blobs,
    blobsScanned: blobs,
    bytesScanned: bytes,
    skipped,
    rulesLoaded: ruleSet.engine.rules.length,
    findings: findings.length,
    durationMs: Math.round(performance.now() - started),
  };
  return {
    findings,
    diagnostics,
    stats,
    complete: !diagnostics.some((d) => d.level === 'error'),
    root: opts.root ?? opts.repo,
    rules: [...ruleSet.meta.values()],
  };
}

/**
 * One finding per (rule, secret, path): the earliest commit that introduced it there, with the
 * number of (commit, blob) occurrences. Blobs no commit reaches are dropped and counted.
 */
function groupFindings(
  results: BlobScanResult['results'],
  occurrences: Map<string, Occurrence[]>,
  ruleSet: RuleSet,
  staged: boolean,
  allOccurrences: boolean,
  skipped: Partial<Record<DiagnosticKind, number>>,
): Finding[] {
  const groups = new Map<string, Finding>();
  const orders = new Map<string, number>();
  // blobs in the order the walk first met them, whatever order the workers scanned them in, so
  // occurrence lists and ties come out the same every time
  const first = (oid: string): number => (occurrences.get(oid) ?? []).reduce((m, o) => Math.min(m, o.order ?? 0), Infinity);
  const ordered = results.map((r) => ({ r, at: first(r.oid) })).sort((a, b) => a.at - b.at || (a.r.oid < b.r.oid ? -1 : a.r.oid > b.r.oid ? 1 : 0));
  for (const { oid, findings } of ordered.map((x) => x.r)) {
    const occ = occurrences.get(oid);
    if (!occ || occ.length === 0) {
      skipped.unreachable = (skipped.unreachable ?? 0) + 1;
      continue;
    }
    for (const f of findings) {
      for (const o of occ) {
        if (!ruleSet.engine.acceptsPath(f.ruleId, o.path)) continue;
        const key = `${f.ruleId}\0${f.secretHash}\0${o.path}`;
        const existing = groups.get(key);
        const occurrence = o.commit ? { commit: o.commit.sha, path: o.path } : undefined;
        if (!existing) {
          const nf: Finding = {
            ...f,
            file: o.path,
            fingerprint: fingerprint(f.ruleId, f.secretHash, o.path),
            ...(o.commit ? { commit: o.commit, blob: oid, occurrences: 1 } : {}),
          };
          if (allOccurrences && occurrence) nf.occurrenceList = [occurrence];
          groups.set(key, nf);
          orders.set(key, o.order ?? 0);
          continue;
        }
        if (staged) continue;
        existing.occurrences = (existing.occurrences ?? 0) + 1;
        if (allOccurrences && occurrence) existing.occurrenceList!.push(occurrence);
        // the earliest commit, by date and, between commits of one date, by the walk's order
        // (blobs arrive in whatever order the workers scanned them)
        const d = o.commit ? Date.parse(o.commit.date) : NaN;
        const e = existing.commit ? Date.parse(existing.commit.date) : NaN;
        if (existing.commit && o.commit && (d < e || (d === e && (o.order ?? 0) < (orders.get(key) ?? 0)))) {
          orders.set(key, o.order ?? 0);
          Object.assign(existing, {
            line: f.line,
            column: f.column,
            endLine: f.endLine,
            endColumn: f.endColumn,
            snippet: f.snippet,
            commit: o.commit,
            blob: oid,
          });
        }
      }
    }
  }
  return [...groups.values()].sort(compareFindings);
}

