// The orchestrator: options -> sources -> engine -> findings -> ScanResult. Returns data; the CLI
// decides what to print and which exit code that means.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { relative, resolve, sep } from 'node:path';
import { findConfig, readConfigFile, type KeywardenConfig } from './config/config-file.js';
import type { RuleMeta } from './findings/build.js';
import { buildRuleSet, type RuleSet } from './rules.js';
import { FragmentPool, poolAvailable } from './workers/fragment-pool.js';
import { scanFragment } from './findings/scan-fragment.js';
import { DEFAULT_MAX_FILE_SIZE, filesystemSource, type WalkTarget } from './sources/filesystem.js';
import type { SourceItem } from './sources/types.js';
import type { Diagnostic, Finding, ScanResult, ScanStats } from './types.js';

export interface ScanOptions {
  /** Files or directories; default ["."]. */
  paths?: string[];
  cwd?: string;
  /** Honour .gitignore in git work trees (default true). */
  gitignore?: boolean;
  /** Redact secrets in findings (default true). */
  redact?: boolean;
  /** Explicit config file; otherwise .keywarden.toml at the scanned root. */
  configFile?: string;
  maxFileSize?: number;
  /** Called for every item a source yields, for progress displays. */
  onProgress?: (stats: Readonly<ScanStats>) => void;
  /** Aborting stops the scan at the next file; the scan then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Worker threads for the engine once the scan is big enough to pay for them; default one per core, 1 scans in-process. */
  threads?: number;
}

/** Bytes scanned in-process before worker threads start: below this, starting them costs more. */
const IN_PROCESS_BYTES = 4 * 1024 * 1024;

export interface ResolvedScan {
  root: string;
  targets: WalkTarget[];
  config: KeywardenConfig;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/** Works out the scan root (for relative paths and config lookup) and the targets. */
export async function resolveScan(opts: ScanOptions): Promise<ResolvedScan> {
  const cwd = opts.cwd ?? process.cwd();
  const paths = opts.paths && opts.paths.length > 0 ? opts.paths : ['.'];
  const abs = paths.map((p) => resolve(cwd, p));
  let root = cwd;
  if (abs.length === 1) {
    const st = await stat(abs[0]!).catch(() => undefined);
    if (st?.isDirectory()) root = abs[0]!;
  }
  const targets = abs.map((a) => ({ abs: a, rel: toPosix(relative(root, a)) }));
  const config = opts.configFile ? readConfigFile(resolve(cwd, opts.configFile)) : findConfig(root);
  return { root, targets, config };
}

export function emptyStats(rulesLoaded: number): ScanStats {
  return { filesScanned: 0, bytesScanned: 0, skipped: {}, rulesLoaded, findings: 0, durationMs: 0 };
}

/**
 * Runs the engine over every item of a source and collects findings, diagnostics and stats. A
 * fragment's bytes are done with before the next item is pulled, so a source may reuse them.
 */
export async function scanSource(
  source: AsyncIterable<SourceItem>,
  ruleSet: RuleSet,
  opts: {
    redact: boolean;
    onProgress?: (s: Readonly<ScanStats>) => void;
    /** Hand fragments to worker threads (each with its own rule set built from `config`) once the scan passes a few MiB. */
    parallel?: { threads: number; config: KeywardenConfig; signal?: AbortSignal };
  },
): Promise<ScanResult> {
  const started = performance.now();
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [];
  const stats = emptyStats(ruleSet.engine.rules.length);
  const parallel = opts.parallel && opts.parallel.threads > 1 && poolAvailable() ? opts.parallel : undefined;
  let pool: FragmentPool | undefined;
  try {
    for await (const item of source) {
      if (item.kind === 'fragment') {
        const { fragment } = item;
        if (ruleSet.engine.isPathAllowlisted(fragment.path)) {
          stats.skipped.allowlisted = (stats.skipped.allowlisted ?? 0) + 1;
          continue;
        }
        stats.filesScanned++;
        stats.bytesScanned += fragment.bytes.length;
        if (!pool && parallel && stats.bytesScanned > IN_PROCESS_BYTES) {
          pool = new FragmentPool(parallel.threads, { config: parallel.config, redact: opts.redact }, parallel.signal);
        }
        if (pool) await pool.add(fragment);
        else {
          const out = scanFragment(fragment, ruleSet.engine, ruleSet.meta, { redact: opts.redact });
          findings.push(...out.findings);
          diagnostics.push(...out.diagnostics);
        }
      } else if (item.kind === 'skipped') {
        stats.skipped[item.reason] = (stats.skipped[item.reason] ?? 0) + 1;
        if (item.diagnostic) diagnostics.push(item.diagnostic);
      } else {
        diagnostics.push(item.diagnostic);
      }
      opts.onProgress?.(stats);
    }
    if (pool) {
      // fragments the workers scanned come after the in-process ones, in source order
      for (const out of await pool.finish()) {
        findings.push(...out.findings);
        diagnostics.push(...out.diagnostics);
      }
    }
  } finally {
    await pool?.terminate();
  }
  stats.findings = findings.length;
  stats.durationMs = Math.round(performance.now() - started);
  return { findings, diagnostics, stats, complete: !diagnostics.some((d) => d.level === 'error') };
}

/** Scans files and directories on disk. Throws KeywardenError for configuration problems. */
export async function scanPaths(opts: ScanOptions = {}): Promise<ScanResult & { root: string; rules: RuleMeta[] }> {
  const { root, targets, config } = await resolveScan(opts);
  const ruleSet = buildRuleSet(config);
  const source = filesystemSource(targets, {
    gitignore: opts.gitignore ?? true,
    maxFileSize: opts.maxFileSize ?? config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
    excludePath: (rel) => ruleSet.engine.isPathAllowlisted(rel),
    signal: opts.signal,
    // scanSource scans each fragment (or copies it into a worker batch) before pulling the next
    reuseBuffer: true,
  });
  const threads = opts.threads ?? availableParallelism();
  const result = await scanSource(source, ruleSet, {
    redact: opts.redact ?? true,
    onProgress: opts.onProgress,
    parallel: { threads, config, signal: opts.signal },
  });
  return { ...result, root, rules: [...ruleSet.meta.values()] };
}
