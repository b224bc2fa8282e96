// The orchestrator: options -> sources -> engine -> findings -> ScanResult. Returns data; the CLI
// decides what to print and which exit code that means.
import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { findConfig, readConfigFile, type KeywardenConfig } from './config/config-file.js';
import { describeCap, describeDecodeLimit } from './engine/caps.js';
import { buildFindings, type RuleMeta } from './findings/build.js';
import { buildRuleSet, type RuleSet } from './rules.js';
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
}

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

/** Runs the engine over every item of a source and collects findings, diagnostics and stats. */
export async function scanSource(
  source: AsyncIterable<SourceItem>,
  ruleSet: RuleSet,
  opts: { redact: boolean; onProgress?: (s: Readonly<ScanStats>) => void },
): Promise<ScanResult> {
  const started = performance.now();
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [];
  const stats = emptyStats(ruleSet.engine.rules.length);
  for await (const item of source) {
    if (item.kind === 'fragment') {
      const { fragment } = item;
      if (ruleSet.engine.isPathAllowlisted(fragment.path)) {
        stats.skipped.allowlisted = (stats.skipped.allowlisted ?? 0) + 1;
        continue;
      }
      stats.filesScanned++;
      stats.bytesScanned += fragment.bytes.length;
      const r = ruleSet.engine.scan(fragment);
      if (r.matches.length > 0) {
        findings.push(...buildFindings(fragment, r.matches, r.lines, ruleSet.meta, { redact: opts.redact }));
      }
      if (r.decodeLimited) diagnostics.push({ kind: 'cap-hit', path: fragment.path, level: 'warning', message: describeDecodeLimit(fragment.path) });
      for (const cap of r.caps) {
        diagnostics.push({ kind: 'cap-hit', path: fragment.path, level: 'warning', message: describeCap(cap, fragment.path) });
      }
    } else if (item.kind === 'skipped') {
      stats.skipped[item.reason] = (stats.skipped[item.reason] ?? 0) + 1;
      if (item.diagnostic) diagnostics.push(item.diagnostic);
    } else {
      diagnostics.push(item.diagnostic);
    }
    opts.onProgress?.(stats);
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
  });
  const result = await scanSource(source, ruleSet, { redact: opts.redact ?? true, onProgress: opts.onProgress });
  return { ...result, root, rules: [...ruleSet.meta.values()] };
}
