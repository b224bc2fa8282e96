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
import { allBlobs, isFileMode, isShallow, rawChanges, reachableObjects, stagedBlobs, type BlobRef } from '../sources/git/objects.js';
import type { Diagnostic, DiagnosticKind, Finding, ScanResult } from '../types.js';
import { attribute, LOG_FORMAT, parseCommitHeader, type Occurrence } from './attribution.js';
import { scanBlobs, type BlobScanResult } from './blob-scan.js';
import { ScanWorkers } from './blob-dispatch.js';

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

/** Below this much work, worker start-up costs more than it saves. */
const IN_PROCESS_BYTES = 4 * 1024 * 1024;

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
      diagnostics.push({
        kind: 'git',
        level: 'warning',
        message: 'this is a shallow clone: history beyond its depth is not in the repository and was not scanned (fetch with --unshallow or fetch-depth: 0)',
      });
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
      diagnostics.push({
        kind: 'git',
        level: 'info',
        message: 'this repository has submodules: they are separate repositories whose history is not part of this scan (scan each with keywarden scan --history <path>)',
      });
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
    const args = ['log', scope.range, '--reverse', '--raw', '-z', '--no-abbrev', LOG_FORMAT];
    for await (const c of rawChanges(repo, args, signal)) {
      if ('header' in c) {
        commit = parseCommitHeader(c.header);
        continue;
      }
      if (!commit || !isFileMode(c.newMode) || c.status.startsWith('D')) continue;
      if ((c.status.startsWith('R') || c.status.startsWith('C')) && c.oldOid === c.newOid) continue;
      if (!occurrences.has(c.newOid)) occurrences.set(c.newOid, []);
      occurrences.get(c.newOid)!.push({ commit, path: c.path });
      if (!paths.has(c.newOid)) paths.set(c.newOid, c.path);
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
  const ruleSet = buildRuleSet(opts.config);
  const threads = Math.max(1, opts.threads ?? defaultThreads());
  // a full-history scan nearly always takes the worker path: its workers start while git lists
  // the objects (ranges and staged changes are often small, and a pre-commit hook must stay fast)
  let workers = threads > 1 && opts.scope.kind === 'all' ? new ScanWorkers(threads, { config: opts.config, redact: opts.redact }) : undefined;
  let p: Plan;
  try {
    p = await plan(opts);
  } catch (err) {
    workers?.terminate();
    throw err;
  }
  const totalBytes = p.blobs.reduce((a, b) => a + b.size, 0);
  const progress: HistoryProgress = { blobs: 0, bytes: 0, totalBlobs: p.blobs.length, totalBytes };

  let parts: BlobScanResult[];
  const diagnostics = [...p.diagnostics];
  try {
    if (threads === 1 || totalBytes < IN_PROCESS_BYTES || p.blobs.length < 2) {
      workers?.terminate();
      parts = [
        await scanBlobs(catFileBatch(opts.repo, p.blobs.map((b) => b.oid), { signal: opts.signal }), ruleSet.engine, ruleSet.meta, {
          redact: opts.redact,
          paths: p.paths,
          onTally: (t) => opts.onProgress?.({ ...progress, blobs: t.blobs, bytes: t.bytes }),
        }),
      ];
    } else {
      workers ??= new ScanWorkers(threads, { config: opts.config, redact: opts.redact });
      parts = await workers.scan({
        repo: opts.repo,
        shards: shard(p.blobs, threads),
        paths: p.paths,
        signal: opts.signal,
        onProgress: (blobs, bytes) => opts.onProgress?.({ ...progress, blobs, bytes }),
      });
    }
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    if (err instanceof GitError) {
      diagnostics.push({ kind: 'git', level: 'error', message: err.message });
      parts = [];
    } else throw err;
  }

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
    occurrences = results.length > 0 ? await attribute(opts.repo, new Set(results.map((r) => r.oid)), ['--all'], opts.signal) : new Map();
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
  for (const { oid, findings } of results) {
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
          continue;
        }
        if (staged) continue;
        existing.occurrences = (existing.occurrences ?? 0) + 1;
        if (allOccurrences && occurrence) existing.occurrenceList!.push(occurrence);
        if (existing.commit && o.commit && Date.parse(o.commit.date) < Date.parse(existing.commit.date)) {
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

