import { Command } from 'commander';
import { resolve } from 'node:path';
import { KeywardenError } from '../../errors.js';
import { revokeFindings, type RevokeItem, type RevokeResult } from '../../providers/revoke-session.js';
import type { PlannedCall } from '../../providers/types.js';
import { canAsk, confirm } from '../confirm.js';
import { EXIT_ERROR, EXIT_OK } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { parseVerifyTuning, readReport } from './verify.js';

interface RevokeFlags {
  report: string;
  fingerprint?: string[];
  yes?: boolean;
  root?: string;
  format: string;
  deactivateOnly?: boolean;
  auditLog?: string;
  timeout?: string;
  retries?: string;
}

export function revokeCommand(io: CliIO, setExit: (code: number) => void): Command {
  return new Command('revoke')
    .description('revoke leaked keys through their providers\' APIs (a dry run unless --yes or confirmed at a terminal)')
    .requiredOption('--report <file>', 'a report from `keywarden scan --format json` (secrets are re-read from their locations, hash-checked)')
    .option('--fingerprint <fp...>', 'only these findings (full fingerprints or unique prefixes of 8+ characters); default: every finding not verified invalid')
    .option('-y, --yes', 'make the calls (without it: print them and change nothing, unless confirmed at a terminal)')
    .option('--root <dir>', "the scan root the report's paths are relative to (default: the current directory)")
    .option('--format <format>', 'text or json', 'text')
    .option('--deactivate-only', 'AWS: set keys Inactive and stop there (delete them later)')
    .option('--audit-log <file>', 'append the provider-call audit log here (default: $KEYWARDEN_AUDIT_LOG or ~/.local/state/keywarden/audit.jsonl)')
    .option('--timeout <seconds>', 'timeout per provider call (default 10)')
    .option('--retries <n>', 'retries on rate limits, 5xx and network errors (default 3)')
    .action(async (flags: RevokeFlags) => {
      setExit(await runRevoke(flags, io));
    });
}

async function runRevoke(flags: RevokeFlags, io: CliIO): Promise<number> {
  if (flags.format !== 'text' && flags.format !== 'json') throw new KeywardenError('USAGE', `--format: "${flags.format}" is not text or json`);
  const { findings } = await readReport(resolve(io.cwd, flags.report));
  const base = { ...parseVerifyTuning(flags, io), root: resolve(io.cwd, flags.root ?? '.'), fingerprints: flags.fingerprint, deactivateOnly: flags.deactivateOnly };
  const plan = await revokeFindings(findings, { ...base, dryRun: true });
  const actionable = plan.items.filter((i) => i.status === 'planned').length;
  let yes = flags.yes === true;
  if (!yes && actionable > 0 && flags.format === 'text' && canAsk(io)) {
    io.stderr(renderRevoke(plan, true));
    yes = await confirm(`Revoke ${actionable} key${actionable === 1 ? '' : 's'} with these calls?`);
    if (!yes) {
      io.stderr('Nothing was revoked.\n');
      return EXIT_OK;
    }
  }
  if (!yes) {
    io.stdout(flags.format === 'json' ? json(plan, true) : renderRevoke(plan, true));
    if (flags.format === 'text') io.stderr(actionable > 0 ? 'Dry run: nothing was revoked. Run again with --yes to make these calls.\n' : 'Nothing to revoke.\n');
    return EXIT_OK;
  }
  const done = await revokeFindings(findings, { ...base, dryRun: false });
  io.stdout(flags.format === 'json' ? json(done, false) : renderRevoke(done, false));
  const count = (s: RevokeItem['status']): number => done.items.filter((i) => i.status === s).length;
  io.stderr(`Revoked ${count('revoked')}, skipped ${count('skipped')}, failed ${count('failed')}.${done.auditLog ? ` Provider calls logged to ${done.auditLog}.` : ''}\n`);
  return count('failed') + count('skipped') > 0 ? EXIT_ERROR : EXIT_OK;
}

function json(r: RevokeResult, dryRun: boolean): string {
  return `${JSON.stringify({ dryRun, items: r.items }, null, 2)}\n`;
}

export function renderCall(c: PlannedCall): string {
  return `${c.method} ${c.endpoint}  [as: ${c.credential}]  ${c.description}`;
}

function renderRevoke(r: RevokeResult, dryRun: boolean): string {
  const lines = [dryRun ? `Revocation plan (dry run): ${r.items.length} key${r.items.length === 1 ? '' : 's'}` : 'Revocation'];
  for (const i of r.items) {
    const label = dryRun ? (i.status === 'planned' ? 'would revoke' : 'cannot revoke') : i.status;
    lines.push(`  ${label}: ${i.ruleId} (${i.provider}) at ${i.file}:${i.line}, fingerprint ${i.fingerprints.join(', ')}`);
    for (const c of i.calls) lines.push(`    ${renderCall(c)}`);
    if (i.reason) lines.push(`    ${i.status === 'failed' ? 'error' : 'note'}: ${i.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
