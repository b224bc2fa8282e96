import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KeywardenError } from '../../errors.js';
import { verifyWithProviders, type VerifySessionOptions } from '../../providers/verify-session.js';
import type { VerificationSummary } from '../../providers/verify-findings.js';
import type { Finding } from '../../types.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';
import { writeFileAtomic, type CliIO } from '../io.js';

/** Tuning shared by `verify` and `scan --verify`, as typed on the command line. */
export interface VerifyTuningFlags {
  auditLog?: string;
  concurrency?: string;
  timeout?: string;
  retries?: string;
}

interface VerifyFlags extends VerifyTuningFlags {
  output?: string;
  root?: string;
}

export function verifyCommand(io: CliIO, setExit: (code: number) => void): Command {
  return new Command('verify')
    .description('ask each provider whether the secrets in a JSON report are live (read-only identity calls)')
    .argument('<report>', 'a report from `keywarden scan --format json`')
    .option('--root <dir>', 'the scan root the report\'s paths are relative to (default: the current directory)')
    .option('-o, --output <file>', 'write the updated report to a file instead of stdout')
    .option('--audit-log <file>', 'append the provider-call audit log here (default: $KEYWARDEN_AUDIT_LOG or ~/.local/state/keywarden/audit.jsonl)')
    .option('--concurrency <n>', 'credentials checked at once (default 8)')
    .option('--timeout <seconds>', 'timeout per provider call (default 10)')
    .option('--retries <n>', 'retries on rate limits, 5xx and network errors (default 3)')
    .action(async (report: string, flags: VerifyFlags) => {
      setExit(await runVerify(report, flags, io));
    });
}

async function runVerify(reportFile: string, flags: VerifyFlags, io: CliIO): Promise<number> {
  const tuning = parseVerifyTuning(flags, io);
  const path = resolve(io.cwd, reportFile);
  const report = await readReport(path);
  const { findings, summary, auditLog } = await verifyWithProviders(report.findings, {
    ...tuning,
    root: resolve(io.cwd, flags.root ?? '.'),
  });
  const out = `${JSON.stringify({ ...report.raw, findings, verification: summary }, null, 2)}\n`;
  if (flags.output) await writeFileAtomic(resolve(io.cwd, flags.output), out);
  else io.stdout(out);
  io.stderr(`${verificationSummaryLine(summary)}${auditLog ? ` Provider calls logged to ${auditLog}.` : ''}\n`);
  return verifyExitCode(summary);
}

/** 2 when a check could not be completed, else 1 when any secret is live, else 0. */
export function verifyExitCode(summary: VerificationSummary): number {
  if (summary.error > 0) return EXIT_ERROR;
  return summary.live > 0 ? EXIT_FINDINGS : EXIT_OK;
}

export function verificationSummaryLine(s: VerificationSummary): string {
  return `Verified: ${s.live} live, ${s.invalid} invalid, ${s.unknown} unknown, ${s.error} error.`;
}

/** Turns the shared flags into session options (root left to the caller). */
export function parseVerifyTuning(flags: VerifyTuningFlags, io: CliIO): Omit<VerifySessionOptions, 'root'> {
  const int = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new KeywardenError('USAGE', `${name}: "${v}" is not a whole number from ${min} to ${max}`);
    return n;
  };
  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    const s = Number(flags.timeout);
    if (!Number.isFinite(s) || s <= 0 || s > 600) throw new KeywardenError('USAGE', `--timeout: "${flags.timeout}" is not a number of seconds (up to 600)`);
    timeoutMs = Math.round(s * 1000);
  }
  return {
    env: io.env,
    cwd: io.cwd,
    ...(flags.auditLog !== undefined ? { auditLog: resolve(io.cwd, flags.auditLog) } : {}),
    concurrency: int('--concurrency', flags.concurrency, 1, 64),
    maxRetries: int('--retries', flags.retries, 0, 10),
    timeoutMs,
  };
}

const REQUIRED: Array<[keyof Finding, string]> = [
  ['ruleId', 'string'],
  ['provider', 'string'],
  ['file', 'string'],
  ['secret', 'string'],
  ['secretHash', 'string'],
  ['fingerprint', 'string'],
  ['redacted', 'boolean'],
  ['line', 'number'],
  ['column', 'number'],
  ['endLine', 'number'],
  ['endColumn', 'number'],
];

export async function readReport(path: string): Promise<{ raw: Record<string, unknown>; findings: Finding[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new KeywardenError('IO', `cannot read report ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new KeywardenError('USAGE', `${path} is not JSON: verify reads a report from \`keywarden scan --format json\``);
  }
  if (!raw || typeof raw !== 'object' || !Array.isArray((raw as { findings?: unknown }).findings)) {
    throw new KeywardenError('USAGE', `${path} has no "findings" array: verify reads a report from \`keywarden scan --format json\``);
  }
  const findings = (raw as { findings: unknown[] }).findings;
  const problems = findings.flatMap((f, i) => {
    if (!f || typeof f !== 'object') return [{ file: path, field: `/findings/${i}`, message: 'is not an object' }];
    return REQUIRED.filter(([k, t]) => typeof (f as Record<string, unknown>)[k] !== t).map(([k, t]) => ({
      file: path,
      field: `/findings/${i}/${k}`,
      message: `must be a ${t}`,
    }));
  });
  if (problems.length > 0) throw new KeywardenError('USAGE', `${path} is not a keywarden JSON report (${problems.length} problem${problems.length === 1 ? '' : 's'})`, problems);
  return { raw: raw as Record<string, unknown>, findings: findings as Finding[] };
}
