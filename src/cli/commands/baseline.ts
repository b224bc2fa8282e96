import { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { BASELINE_FILE_NAME, baselineScope, readBaselineFile, writeBaselineFile } from '../../config/baseline-file.js';
import { findConfig, readConfigFile } from '../../config/config-file.js';
import { KeywardenError } from '../../errors.js';
import { createBaseline, emptyBaseline, isIsoDate, isoDay, pruneBaseline, updateBaseline, type EntryMeta } from '../../findings/baseline.js';
import { scanHistory } from '../../history/scan-history.js';
import { scanPaths } from '../../scan.js';
import { DEFAULT_MAX_FILE_SIZE } from '../../sources/filesystem.js';
import { gitTopLevel, isGitRepository } from '../../sources/git/repo.js';
import type { BaselineEntry, ScanResult } from '../../types.js';
import { EXIT_OK } from '../exit-codes.js';
import type { CliIO } from '../io.js';

type Operation = 'create' | 'update' | 'prune';

interface BaselineFlags {
  baseline?: string;
  config?: string;
  gitignore: boolean;
  history?: boolean;
  reason?: string;
  owner?: string;
  expires?: string;
  force?: boolean;
}

export function baselineCommand(io: CliIO, setExit: (code: number) => void): Command {
  const cmd = new Command('baseline').description(`accept the current findings in ${BASELINE_FILE_NAME}, so scans report only new ones`);
  const sub = (op: Operation, description: string): Command => {
    const c = cmd
      .command(op)
      .description(description)
      .argument('[path]', 'directory to scan (with --history: the repository)', '.')
      .option('-b, --baseline <file>', `baseline file (default: ${BASELINE_FILE_NAME} at the scanned root)`)
      .option('-c, --config <file>', 'configuration file (default: .keywarden.toml at the scanned root)')
      .option('--no-gitignore', 'scan files that .gitignore excludes too')
      .option('--history', 'scan every blob in the repository history (use the same mode for create, update and prune)');
    if (op !== 'prune') {
      c.option('--reason <text>', 'why these findings are accepted (recorded on new entries)')
        .option('--owner <text>', 'who answers for them (recorded on new entries)')
        .option('--expires <date>', 'YYYY-MM-DD: from this day on the new entries stop suppressing');
    }
    // subcommands do not inherit the settings main() gives top-level commands after the fact
    c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    return c.action(async (path: string, flags: BaselineFlags) => {
      setExit(await runBaseline(op, path, flags, io));
    });
  };
  sub('create', 'scan and write one entry per finding (refuses to replace an existing file without --force)').option(
    '--force',
    'replace an existing baseline',
  );
  sub('update', 'scan and add entries for new findings; existing entries stay as they are');
  sub('prune', 'scan and remove the entries that no longer match a finding');
  return cmd;
}

async function runBaseline(op: Operation, path: string, flags: BaselineFlags, io: CliIO): Promise<number> {
  const meta = entryMeta(flags, io);
  const target = await resolveTarget(path, flags, io);
  const file = flags.baseline !== undefined ? resolve(io.cwd, flags.baseline) : join(target.root, BASELINE_FILE_NAME);
  const shown = displayPath(file, io.cwd);
  if (op === 'create' && !flags.force && (await exists(file))) {
    throw new KeywardenError('USAGE', `${shown} already exists: use --force to replace it, or \`keywarden baseline update\` to add new findings`);
  }
  // read (and validate) before scanning, so a broken file fails fast; create --force replaces it unread
  const existing = op === 'create' ? undefined : await readBaselineFile(file);
  if (op === 'prune' && !existing) throw new KeywardenError('USAGE', `no baseline at ${shown} (create one with \`keywarden baseline create\`)`);

  const result = await target.scan();
  if (!result.complete) {
    const first = result.diagnostics.find((d) => d.level === 'error');
    throw new KeywardenError('IO', `scan incomplete (${first?.message ?? 'see diagnostics'}): ${shown} left unchanged`);
  }
  const scope = await baselineScope(file, target.root);
  const findings = result.findings;

  if (op === 'create') {
    const baseline = createBaseline(findings, meta, scope);
    await writeBaselineFile(file, baseline, { exclusive: !flags.force });
    io.stdout(`Wrote ${shown}: ${entries(baseline.entries.length)} for ${findings.length} finding${findings.length === 1 ? '' : 's'}.\n`);
  } else if (op === 'update') {
    const { baseline, added } = updateBaseline(existing ?? emptyBaseline(), findings, meta, scope);
    await writeBaselineFile(file, baseline);
    io.stdout(`${existing ? 'Updated' : 'Wrote'} ${shown}: added ${entries(added.length)} (${baseline.entries.length} in all).\n`);
    const stale = pruneBaseline(baseline, findings, scope).removed.length;
    if (stale > 0) io.stdout(`${entries(stale)} no longer ${stale === 1 ? 'matches' : 'match'} a finding: \`keywarden baseline prune\` removes ${stale === 1 ? 'it' : 'them'}.\n`);
  } else {
    const { baseline, removed } = pruneBaseline(existing!, findings, scope);
    await writeBaselineFile(file, baseline);
    io.stdout(`Pruned ${shown}: removed ${entries(removed.length)} that matched nothing (${baseline.entries.length} left).\n`);
    for (const e of removed) io.stdout(`  - ${describeEntry(e)}\n`);
  }
  if (meta.expires !== undefined && meta.expires <= isoDay(new Date())) {
    io.stderr(`keywarden: warning: --expires ${meta.expires} is not in the future: the new entries suppress nothing\n`);
  }
  return EXIT_OK;
}

const entries = (k: number): string => `${k} ${k === 1 ? 'entry' : 'entries'}`;

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function describeEntry(e: BaselineEntry): string {
  return `${e.ruleId} in ${e.file} (fingerprint ${e.fingerprint})`;
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

function entryMeta(flags: BaselineFlags, io: CliIO): EntryMeta {
  if (flags.expires !== undefined && !isIsoDate(flags.expires)) {
    throw new KeywardenError('USAGE', `--expires: "${flags.expires}" is not a date (YYYY-MM-DD)`);
  }
  return { added: today(io.env), reason: flags.reason, owner: flags.owner, expires: flags.expires };
}

/** Today (UTC), or the reproducible-builds SOURCE_DATE_EPOCH when it is set. */
function today(env: NodeJS.ProcessEnv): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return isoDay(new Date());
  if (!/^\d{1,12}$/.test(epoch)) throw new KeywardenError('USAGE', `SOURCE_DATE_EPOCH: "${epoch}" is not a number of seconds`);
  return isoDay(new Date(Number(epoch) * 1000));
}

interface Target {
  /** The directory findings' paths are relative to. */
  root: string;
  scan: () => Promise<ScanResult>;
}

async function resolveTarget(path: string, flags: BaselineFlags, io: CliIO): Promise<Target> {
  const abs = resolve(io.cwd, path);
  if (flags.history) {
    if (!(await isGitRepository(abs))) throw new KeywardenError('USAGE', `${abs} is not a git repository`);
    const root = (await gitTopLevel(abs)) ?? abs;
    return {
      root,
      scan: () => {
        const config = flags.config ? readConfigFile(resolve(io.cwd, flags.config)) : findConfig(root);
        const maxFileSize = config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
        return scanHistory({ repo: abs, root, scope: { kind: 'all' }, config, redact: true, maxFileSize });
      },
    };
  }
  const st = await stat(abs).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new KeywardenError('USAGE', `${path} is not a directory: a baseline covers a directory, the root its paths are relative to`);
  }
  return { root: abs, scan: () => scanPaths({ paths: [abs], cwd: io.cwd, gitignore: flags.gitignore, redact: true, configFile: flags.config }) };
}
