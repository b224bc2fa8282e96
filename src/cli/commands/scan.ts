import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { findConfig, parseSize, readConfigFile, type KeywardenConfig } from '../../config/config-file.js';
import { scanHistory, type HistoryProgress, type HistoryScope } from '../../history/scan-history.js';
import { DEFAULT_MAX_FILE_SIZE } from '../../sources/filesystem.js';
import { detectCiRange, shallowFixHint, type CiRange } from '../../sources/git/ci-range.js';
import { commitExists, isShallow } from '../../sources/git/objects.js';
import { gitTopLevel, isGitRepository } from '../../sources/git/repo.js';
import { KeywardenError, formatProblem, type ProblemDetail } from '../../errors.js';
import { applyBaselineToResult } from '../../config/baseline-file.js';
import type { RuleMeta } from '../../findings/build.js';
import { githubReporter } from '../../reporters/github.js';
import { REPORTERS } from '../../reporters/index.js';
import { scanPaths } from '../../scan.js';
import type { Confidence, ScanResult, Severity } from '../../types.js';
import { toolInfo } from '../../version.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';
import { writeFileAtomic, type CliIO } from '../io.js';
import { onInterrupt } from '../signals.js';

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const CONFIDENCES: Confidence[] = ['high', 'medium', 'low'];

interface ScanFlags {
  history?: boolean;
  staged?: boolean;
  range?: string;
  sinceCommit?: string;
  threads?: string;
  allOccurrences?: boolean;
  format: string;
  output?: string;
  failOn: Severity;
  minConfidence: Confidence;
  baseline?: string | false;
  redact: boolean;
  gitignore: boolean;
  config?: string;
  maxFileSize?: string;
  color?: boolean;
  verify?: boolean;
  auditLog?: string;
  verifyConcurrency?: string;
  verifyTimeout?: string;
}

export function scanCommand(io: CliIO, setExit: (code: number) => void): Command {
  return new Command('scan')
    .description('scan files and directories for leaked secrets')
    .argument('[paths...]', 'files or directories to scan (with --history/--staged/--range: the repository)', ['.'])
    .option('--history', 'scan every blob reachable from every ref (in CI: the pull-request or push range)')
    .option('--range <A..B>', 'scan only blobs introduced by commits in this range ("auto": from the CI environment; "all": full history)')
    .option('--since-commit <sha>', 'same as --range <sha>..HEAD')
    .option('--staged', 'scan what is staged for the next commit (the pre-commit hook)')
    .option('--threads <n>', 'worker threads running the engine (default: one per core; 1 scans in one thread)')
    .option('--all-occurrences', 'history: list every commit and path that contains each secret')
    .addOption(new Option('-f, --format <format>', 'report format').choices(Object.keys(REPORTERS)).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that makes the scan fail (exit 1)').choices(SEVERITIES).default('low'))
    .addOption(new Option('--min-confidence <level>', 'report only findings at least this confident (high: distinctive prefix or checksum; low: generic)').choices(CONFIDENCES).default('low'))
    .option('--baseline <file>', 'accepted findings to leave out (default: .keywarden-baseline.json at the scanned root, if present)')
    .option('--no-baseline', 'report every finding, ignoring any baseline')
    .option('--no-redact', 'show secrets in full in the report (never the default)')
    .option('--no-gitignore', 'scan files that .gitignore excludes too')
    .option('-c, --config <file>', 'configuration file (default: .keywarden.toml at the scanned root)')
    .option('--max-file-size <size>', 'skip files larger than this (e.g. 10MiB)')
    .option('--color', 'force colour in the text report')
    .option('--no-color', 'no colour in the text report')
    .option('--verify', "ask each finding's provider whether the secret is live (read-only identity calls)")
    .option('--audit-log <file>', 'with --verify: append the provider-call audit log here')
    .option('--verify-concurrency <n>', 'with --verify: credentials checked at once (default 8)')
    .option('--verify-timeout <seconds>', 'with --verify: timeout per provider call (default 10)')
    .action(async (paths: string[], flags: ScanFlags) => {
      setExit(await runScan(paths, flags, io));
    });
}

async function runScan(paths: string[], flags: ScanFlags, io: CliIO): Promise<number> {
  let maxFileSize: number | undefined;
  if (flags.maxFileSize !== undefined) {
    maxFileSize = parseSize(flags.maxFileSize);
    if (maxFileSize === undefined) {
      throw new KeywardenError('USAGE', `--max-file-size: "${flags.maxFileSize}" is not a size (e.g. 10MiB, 512KB)`);
    }
  }
  const gitScope = await resolveGitScope(paths, flags, io);
  const progress = await progressDisplay(io, flags, gitScope !== undefined);
  const interrupt = onInterrupt(io.stderr);
  let result: ScanResult & { root: string; rules: RuleMeta[] };
  try {
    result = gitScope
      ? await scanHistory({
          repo: gitScope.repo,
          root: gitScope.root,
          scope: gitScope.scope,
          config: gitScope.config,
          redact: flags.redact,
          maxFileSize: maxFileSize ?? gitScope.config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
          threads: flags.threads !== undefined ? parseThreads(flags.threads) : undefined,
          allOccurrences: flags.allOccurrences,
          onProgress: progress?.update,
          signal: interrupt.signal,
        })
      : await scanPaths({
          paths,
          cwd: io.cwd,
          gitignore: flags.gitignore,
          redact: flags.redact,
          configFile: flags.config,
          maxFileSize,
          threads: flags.threads !== undefined ? parseThreads(flags.threads) : undefined,
          signal: interrupt.signal,
        });
  } catch (err) {
    // an interrupted scan reports nothing: a partial report could pass for a clean one
    if (interrupt.signal.aborted) return interrupt.exitCode()!;
    throw err;
  } finally {
    progress?.stop();
    interrupt.dispose();
  }
  if (interrupt.signal.aborted) return interrupt.exitCode()!;
  if (flags.baseline !== false) {
    const file = typeof flags.baseline === 'string' ? resolve(io.cwd, flags.baseline) : undefined;
    result = await applyBaselineToResult(result, file, result.root, new Date());
  }
  result = withMinConfidence(result, flags.minConfidence);
  if (flags.verify) {
    // the secrets are re-read from the scanned files and blobs (hash-checked), so the findings
    // stay redacted throughout. Provider code loads only here: scans without --verify (the
    // pre-commit hook's) never pay for it.
    const [{ verifyWithProviders }, { parseVerifyTuning, verificationSummaryLine }] = await Promise.all([
      import('../../providers/verify-session.js'),
      import('./verify.js'),
    ]);
    const tuning = parseVerifyTuning({ auditLog: flags.auditLog, concurrency: flags.verifyConcurrency, timeout: flags.verifyTimeout }, io);
    const verified = await verifyWithProviders(result.findings, { ...tuning, root: result.root });
    result = { ...result, findings: verified.findings };
    io.stderr(`${verificationSummaryLine(verified.summary)}\n`);
  } else if (flags.auditLog !== undefined || flags.verifyConcurrency !== undefined || flags.verifyTimeout !== undefined) {
    throw new KeywardenError('USAGE', '--audit-log, --verify-concurrency and --verify-timeout need --verify');
  }
  // what a translated gitleaks config could not carry over (path scans read the config inside
  // scanPaths, so it is read again here: a small file, parsed once more)
  const configWarnings = gitScope ? gitScope.config.warnings : flags.config ? readConfigFile(resolve(io.cwd, flags.config)).warnings : undefined;
  result = withConfigWarnings(result, configWarnings);
  const reporter = REPORTERS[flags.format]!;
  const color = flags.color ?? (!flags.output && io.stdoutIsTTY && !io.env.NO_COLOR);
  const meta = { tool: toolInfo(), color, rules: result.rules };
  const report = reporter(result, meta);
  if (flags.output) {
    await writeFileAtomic(flags.output, report);
    io.stderr(`${summaryLine(result)} Report written to ${flags.output}.\n`);
  } else {
    io.stdout(report);
  }
  // Under GitHub Actions, findings also become annotations on the pull request whenever stdout is
  // free for them: after a text report, or when the report went to --output (so one scan gives the
  // action both its SARIF file and the annotations). A machine-readable report on stdout stays
  // parseable.
  const stdoutFree = flags.format === 'text' || flags.output !== undefined;
  if (io.env.GITHUB_ACTIONS === 'true' && flags.format !== 'github' && stdoutFree && (result.findings.length > 0 || !result.complete)) {
    io.stdout(githubReporter(result, meta));
  }
  return exitCodeFor(result, io, flags.failOn);
}

/** Drops findings less confident than `min` (after the baseline, so its entries are not reported stale). */
function withMinConfidence<R extends ScanResult>(result: R, min: Confidence): R {
  const threshold = CONFIDENCES.indexOf(min);
  const findings = result.findings.filter((f) => CONFIDENCES.indexOf(f.confidence) <= threshold);
  if (findings.length === result.findings.length) return result;
  return { ...result, findings, stats: { ...result.stats, findings: findings.length } };
}

/** Config translation warnings become report diagnostics, so every format carries them. */
function withConfigWarnings<R extends ScanResult>(result: R, warnings: ProblemDetail[] | undefined): R {
  if (!warnings?.length) return result;
  const diagnostics = warnings.map((p) => ({ kind: 'config' as const, path: p.file, level: 'warning' as const, message: formatProblem(p) }));
  return { ...result, diagnostics: [...diagnostics, ...result.diagnostics] };
}

function parseThreads(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new KeywardenError('USAGE', `--threads: "${v}" is not a number of threads (1-256)`);
  return n;
}

interface GitScope {
  repo: string;
  /** Where the config and the baseline are looked up. */
  root: string;
  scope: HistoryScope;
  config: KeywardenConfig;
}

/** Works out which git scan the flags ask for, failing closed on anything ambiguous or missing. */
async function resolveGitScope(paths: string[], flags: ScanFlags, io: CliIO): Promise<GitScope | undefined> {
  const wantsRange = flags.range !== undefined || flags.sinceCommit !== undefined;
  if (!flags.history && !flags.staged && !wantsRange) return undefined;
  if (flags.staged && (flags.history || wantsRange)) throw new KeywardenError('USAGE', '--staged cannot be combined with --history, --range or --since-commit');
  if (flags.range !== undefined && flags.sinceCommit !== undefined) throw new KeywardenError('USAGE', 'use either --range or --since-commit');
  if (paths.length > 1) throw new KeywardenError('USAGE', 'a git scan takes one repository path');
  const repo = resolve(io.cwd, paths[0] ?? '.');
  if (!(await isGitRepository(repo))) throw new KeywardenError('USAGE', `${repo} is not a git repository`);
  const workTree = await gitTopLevel(repo);
  const top = workTree ?? repo;
  const config = flags.config ? readConfigFile(resolve(io.cwd, flags.config)) : findConfig(top);
  if (flags.staged) {
    // a bare repository has no index: "nothing staged" would be a silent pass
    if (!workTree) throw new KeywardenError('USAGE', `--staged needs a work tree; ${repo} is a bare repository (use --history or --range)`);
    return { repo, root: top, scope: { kind: 'staged' }, config };
  }

  let range = flags.sinceCommit !== undefined ? `${flags.sinceCommit}..HEAD` : flags.range;
  let provider: CiRange['provider'] | undefined;
  if (range === 'all') return { repo, root: top, scope: { kind: 'all' }, config };
  if (range === undefined || range === 'auto') {
    const ci = detectCiRange(io.env);
    if (ci === undefined) {
      if (range === 'auto') throw new KeywardenError('USAGE', '--range auto: no supported CI environment (GitHub Actions, GitLab CI) detected');
      return { repo, root: top, scope: { kind: 'all' }, config };
    }
    if (!ci.ok) throw new KeywardenError('GIT', `cannot determine the commit range to scan: ${ci.reason}`);
    provider = ci.range.provider;
    range = `${ci.range.base}..${ci.range.head}`;
    io.stderr(`keywarden: ${ci.range.provider} ${ci.range.event}: scanning ${range}\n`);
  }
  const m = /^(.*?)(\.\.\.?)(.*)$/.exec(range);
  const ends = m ? [m[1] || 'HEAD', m[3] || 'HEAD'] : [range];
  for (const rev of ends) {
    if (rev.startsWith('-')) throw new KeywardenError('USAGE', `invalid revision "${rev}"`);
    if (!(await commitExists(repo, rev))) {
      const shallow = await isShallow(repo);
      throw new KeywardenError(
        'GIT',
        shallow
          ? `commit ${rev} is not in this shallow clone, so the range cannot be scanned: ${shallowFixHint(provider)}`
          : `unknown revision "${rev}" in range ${range}`,
      );
    }
  }
  return { repo, root: top, scope: { kind: 'range', range }, config };
}

/** A live display on a TTY stderr when the report does not go to the terminal. */
async function progressDisplay(io: CliIO, flags: ScanFlags, history: boolean) {
  const reportToTerminal = !flags.output;
  if (!history || !io.stderrIsTTY || reportToTerminal || io.env.CI) return undefined;
  // loaded only here: ora costs tens of milliseconds to import, on every pre-commit run otherwise
  const { default: ora } = await import('ora');
  const spinner = ora({ text: 'listing blobs', stream: process.stderr }).start();
  const started = Date.now();
  return {
    update: (p: HistoryProgress): void => {
      const secs = (Date.now() - started) / 1000;
      spinner.text = `${p.blobs}/${p.totalBlobs} blobs, ${(p.bytes / 1e6).toFixed(0)}/${(p.totalBytes / 1e6).toFixed(0)} MB, ${(p.bytes / 1e6 / Math.max(secs, 0.001)).toFixed(0)} MB/s`;
    },
    stop: (): void => {
      spinner.stop();
    },
  };
}

function summaryLine(result: ScanResult): string {
  const n = result.findings.length;
  return n === 0 ? 'No secrets found.' : `${n} secret${n === 1 ? '' : 's'} found.`;
}

/**
 * Info findings (identifiers, publishable keys: worth knowing about, not secrets on their own) do
 * not fail a scan unless `failOn` is 'info'.
 */
export function exitCodeFor(result: ScanResult, io: CliIO, failOn: Severity = 'low'): number {
  if (!result.complete) {
    const errors = result.diagnostics.filter((d) => d.level === 'error');
    io.stderr(`keywarden: scan incomplete: ${errors[0]?.message ?? 'see report'}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}\n`);
    return EXIT_ERROR;
  }
  const threshold = SEVERITIES.indexOf(failOn);
  return result.findings.some((f) => SEVERITIES.indexOf(f.severity) <= threshold) ? EXIT_FINDINGS : EXIT_OK;
}
