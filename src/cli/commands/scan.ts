import { Command, Option } from 'commander';
import { parseSize } from '../../config/config-file.js';
import { KeywardenError } from '../../errors.js';
import { jsonReporter } from '../../reporters/json.js';
import { textReporter } from '../../reporters/text.js';
import type { Reporter } from '../../reporters/types.js';
import { scanPaths } from '../../scan.js';
import type { ScanResult } from '../../types.js';
import { toolInfo } from '../../version.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';
import { writeFileAtomic, type CliIO } from '../io.js';

const REPORTERS: Record<string, Reporter> = { text: textReporter, json: jsonReporter };

interface ScanFlags {
  format: string;
  output?: string;
  redact: boolean;
  gitignore: boolean;
  config?: string;
  maxFileSize?: string;
  color?: boolean;
}

export function scanCommand(io: CliIO, setExit: (code: number) => void): Command {
  return new Command('scan')
    .description('scan files and directories for leaked secrets')
    .argument('[paths...]', 'files or directories to scan', ['.'])
    .addOption(new Option('-f, --format <format>', 'report format').choices(Object.keys(REPORTERS)).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--no-redact', 'show secrets in full in the report (never the default)')
    .option('--no-gitignore', 'scan files that .gitignore excludes too')
    .option('-c, --config <file>', 'configuration file (default: .keywarden.toml at the scanned root)')
    .option('--max-file-size <size>', 'skip files larger than this (e.g. 10MiB)')
    .option('--color', 'force colour in the text report')
    .option('--no-color', 'no colour in the text report')
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
  const result = await scanPaths({
    paths,
    cwd: io.cwd,
    gitignore: flags.gitignore,
    redact: flags.redact,
    configFile: flags.config,
    maxFileSize,
  });
  const reporter = REPORTERS[flags.format]!;
  const color = flags.color ?? (!flags.output && io.stdoutIsTTY && !io.env.NO_COLOR);
  const report = reporter(result, { tool: toolInfo(), color });
  if (flags.output) {
    await writeFileAtomic(flags.output, report);
    io.stderr(`${summaryLine(result)} Report written to ${flags.output}.\n`);
  } else {
    io.stdout(report);
  }
  return exitCodeFor(result, io);
}

function summaryLine(result: ScanResult): string {
  const n = result.findings.length;
  return n === 0 ? 'No secrets found.' : `${n} secret${n === 1 ? '' : 's'} found.`;
}

export function exitCodeFor(result: ScanResult, io: CliIO): number {
  if (!result.complete) {
    const errors = result.diagnostics.filter((d) => d.level === 'error');
    io.stderr(`keywarden: scan incomplete: ${errors[0]?.message ?? 'see report'}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}\n`);
    return EXIT_ERROR;
  }
  return result.findings.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}
