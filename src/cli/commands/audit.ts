import { Command } from 'commander';
import { resolve } from 'node:path';
import { findConfig, readConfigFile } from '../../config/config-file.js';
import { KeywardenError } from '../../errors.js';
import { auditFindings, DEFAULT_MAX_AGE_DAYS, type AuditItem } from '../../providers/audit-session.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { parseVerifyTuning, readReport } from './verify.js';

interface AuditFlags {
  report: string;
  fingerprint?: string[];
  maxAgeDays?: string;
  config?: string;
  root?: string;
  format: string;
  auditLog?: string;
  timeout?: string;
  retries?: string;
}

export function auditCommand(io: CliIO, setExit: (code: number) => void): Command {
  return new Command('audit')
    .description('report the hygiene of the live keys in a report: age, last use, expiry, scopes; flags keys over policy (read-only calls)')
    .requiredOption('--report <file>', 'a report from `keywarden scan --format json`')
    .option('--fingerprint <fp...>', 'only these findings (default: every finding not verified invalid)')
    .option('--max-age-days <n>', `keys older than this (or unused this long) are flagged (default: [audit] maxAgeDays in .keywarden.toml, else ${DEFAULT_MAX_AGE_DAYS})`)
    .option('-c, --config <file>', 'configuration file (default: .keywarden.toml at the root)')
    .option('--root <dir>', "the scan root the report's paths are relative to (default: the current directory)")
    .option('--format <format>', 'text or json', 'text')
    .option('--audit-log <file>', 'append the provider-call audit log here')
    .option('--timeout <seconds>', 'timeout per provider call (default 10)')
    .option('--retries <n>', 'retries on rate limits, 5xx and network errors (default 3)')
    .action(async (flags: AuditFlags) => {
      setExit(await runAudit(flags, io));
    });
}

async function runAudit(flags: AuditFlags, io: CliIO): Promise<number> {
  if (flags.format !== 'text' && flags.format !== 'json') throw new KeywardenError('USAGE', `--format: "${flags.format}" is not text or json`);
  const root = resolve(io.cwd, flags.root ?? '.');
  let maxAgeDays: number;
  if (flags.maxAgeDays !== undefined) {
    maxAgeDays = Number(flags.maxAgeDays);
    if (!Number.isInteger(maxAgeDays) || maxAgeDays < 1 || maxAgeDays > 3650) throw new KeywardenError('USAGE', `--max-age-days: "${flags.maxAgeDays}" is not a whole number of days from 1 to 3650`);
  } else {
    const config = flags.config ? readConfigFile(resolve(io.cwd, flags.config)) : findConfig(root);
    maxAgeDays = config.audit?.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS;
  }
  const { findings } = await readReport(resolve(io.cwd, flags.report));
  const { items, auditLog } = await auditFindings(findings, { ...parseVerifyTuning(flags, io), root, maxAgeDays, fingerprints: flags.fingerprint });
  if (flags.format === 'json') io.stdout(`${JSON.stringify({ policy: { maxAgeDays }, items }, null, 2)}\n`);
  else io.stdout(render(items, maxAgeDays));
  const flagged = items.filter((i) => i.flags.length > 0).length;
  io.stderr(`Audited ${items.length} key${items.length === 1 ? '' : 's'}: ${flagged} flagged.${auditLog ? ` Provider calls logged to ${auditLog}.` : ''}\n`);
  if (items.some((i) => i.status === 'error')) return EXIT_ERROR;
  return flagged > 0 ? EXIT_FINDINGS : EXIT_OK;
}

function render(items: AuditItem[], maxAgeDays: number): string {
  const lines = [`Key hygiene (policy: ${maxAgeDays} days)`];
  for (const i of items) {
    lines.push(`  ${i.ruleId} (${i.provider}) at ${i.file}:${i.line}, fingerprint ${i.fingerprints.join(', ')}`);
    const d = i.description;
    if (d) {
      const facts = [
        d.owner ? `owner ${d.owner}` : undefined,
        d.kind,
        i.ageDays !== undefined ? `${i.ageDays} days old` : undefined,
        i.lastUsedDaysAgo !== undefined ? `last used ${i.lastUsedDaysAgo} days ago` : d.lastUsedAt === undefined ? undefined : `last used ${d.lastUsedAt}`,
        d.expiresAt ? `expires ${d.expiresAt}` : undefined,
        d.scopes ? `scopes ${d.scopes.join(', ') || '(none)'}` : undefined,
      ].filter(Boolean);
      if (facts.length) lines.push(`    ${facts.join('; ')}`);
    }
    if (i.flags.length) lines.push(`    flags: ${i.flags.join(', ')}`);
    if (i.reason) lines.push(`    ${i.status === 'error' ? 'error' : 'note'}: ${i.reason}`);
    lines.push(`    recommendation: ${i.recommendation}`);
  }
  return `${lines.join('\n')}\n`;
}
