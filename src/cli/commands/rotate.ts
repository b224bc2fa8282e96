import { Command } from 'commander';
import { resolve } from 'node:path';
import { KeywardenError } from '../../errors.js';
import { defaultJournalDir } from '../../providers/rotation/journal.js';
import { rotateFinding, type RotateResult } from '../../providers/rotation/rotate.js';
import { canAsk, confirm } from '../confirm.js';
import { EXIT_ERROR, EXIT_OK } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { renderCall } from './revoke.js';
import { parseVerifyTuning, readReport } from './verify.js';

interface RotateFlags {
  report: string;
  fingerprint: string;
  target: string;
  yes?: boolean;
  finish?: boolean;
  grace: string;
  journalDir?: string;
  root?: string;
  format: string;
  verifyTimeout: string;
  auditLog?: string;
  timeout?: string;
  retries?: string;
}

export function rotateCommand(io: CliIO, setExit: (code: number) => void): Command {
  return new Command('rotate')
    .description('replace a leaked key: create a new one, write it where the application reads it, check it, then retire the old one (resumable)')
    .requiredOption('--report <file>', 'a report from `keywarden scan --format json`')
    .requiredOption('--fingerprint <fp>', 'the finding whose key to rotate (full fingerprint or a unique prefix of 8+ characters)')
    .requiredOption('--target <dest>', 'where the application reads the key: env:path/.env[#VAR] or github-secret:owner/repo#NAME (AWS: #SECRET_VAR,ID_VAR)')
    .option('-y, --yes', 'make the changes (without it: print the plan and change nothing, unless confirmed at a terminal)')
    .option('--finish', 'delete the old (inactive) key now instead of after the grace period')
    .option('--grace <duration>', 'how long the old key stays inactive before deletion: 0, 12h, 7d (AWS)', '7d')
    .option('--journal-dir <dir>', 'rotation journals (default: $KEYWARDEN_STATE_DIR/rotations or ~/.local/state/keywarden/rotations)')
    .option('--root <dir>', "the scan root the report's paths are relative to (default: the current directory)")
    .option('--format <format>', 'text or json', 'text')
    .option('--verify-timeout <seconds>', 'how long to keep checking the new key before rolling back (providers take seconds to accept new keys)', '30')
    .option('--audit-log <file>', 'append the provider-call audit log here (default: $KEYWARDEN_AUDIT_LOG or ~/.local/state/keywarden/audit.jsonl)')
    .option('--timeout <seconds>', 'timeout per provider call (default 10)')
    .option('--retries <n>', 'retries on rate limits, 5xx and network errors (default 3)')
    .action(async (flags: RotateFlags) => {
      setExit(await runRotate(flags, io));
    });
}

export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new KeywardenError('USAGE', `${flag}: "${text}" is not a duration (e.g. 0, 90s, 12h, 7d)`);
  return Math.round(Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 's']);
}

async function runRotate(flags: RotateFlags, io: CliIO): Promise<number> {
  if (flags.format !== 'text' && flags.format !== 'json') throw new KeywardenError('USAGE', `--format: "${flags.format}" is not text or json`);
  const verifySeconds = Number(flags.verifyTimeout);
  if (!Number.isFinite(verifySeconds) || verifySeconds < 0 || verifySeconds > 600) throw new KeywardenError('USAGE', `--verify-timeout: "${flags.verifyTimeout}" is not a number of seconds (0 to 600)`);
  const { findings } = await readReport(resolve(io.cwd, flags.report));
  const base = {
    ...parseVerifyTuning(flags, io),
    root: resolve(io.cwd, flags.root ?? '.'),
    fingerprint: flags.fingerprint,
    target: flags.target,
    journalDir: flags.journalDir ? resolve(io.cwd, flags.journalDir) : defaultJournalDir(io.env),
    graceMs: parseDuration(flags.grace, '--grace'),
    finish: flags.finish,
    verifyAttempts: Math.floor(verifySeconds / 2) + 1,
    verifyDelayMs: 2000,
  };
  const plan = await rotateFinding(findings, { ...base, dryRun: true });
  if (plan.status !== 'planned') return report(plan, flags, io);
  let yes = flags.yes === true;
  if (!yes && flags.format === 'text' && canAsk(io)) {
    io.stderr(render(plan));
    yes = await confirm('Rotate this key with these calls?');
    if (!yes) {
      io.stderr('Nothing was changed.\n');
      return EXIT_OK;
    }
  }
  if (!yes) {
    const code = report(plan, flags, io);
    if (flags.format === 'text') io.stderr('Dry run: nothing was changed. Run again with --yes to rotate.\n');
    return code;
  }
  return report(await rotateFinding(findings, { ...base, dryRun: false }), flags, io);
}

function report(r: RotateResult, flags: RotateFlags, io: CliIO): number {
  io.stdout(flags.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : render(r));
  return r.status === 'done' || r.status === 'waiting' || r.status === 'planned' ? EXIT_OK : EXIT_ERROR;
}

function render(r: RotateResult): string {
  const head: Record<RotateResult['status'], string> = {
    planned: 'Rotation plan (dry run)',
    done: 'Rotated: the new key is in place and the old key is gone',
    waiting: 'Rotated: the new key is in place; the old key is inactive',
    'rolled-back': 'Rolled back: the old key is still in place and active, the new key was deleted',
    failed: 'Rotation stopped',
    blocked: 'Cannot rotate',
  };
  const lines = [`${head[r.status]}${r.provider ? ` (${r.provider})` : ''}`];
  if (r.destination) lines.push(`  destination: ${r.destination}`);
  for (const c of r.calls) lines.push(`  ${renderCall(c)}`);
  for (const m of r.messages) lines.push(`  ${m}`);
  if (r.step && r.status !== 'done') lines.push(`  journal: ${r.journal} (step ${r.step})${r.status === 'failed' ? '; fix the cause and run the same command again to complete or roll back' : ''}`);
  if (r.auditLog && r.status !== 'planned') lines.push(`  provider calls logged to ${r.auditLog}`);
  return `${lines.join('\n')}\n`;
}
