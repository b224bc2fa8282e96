import { Command, CommanderError } from 'commander';
import { toolInfo } from '../version.js';
import { scanCommand } from './commands/scan.js';
import { rulesCommand } from './commands/rules.js';
import { hookCommand } from './commands/hook.js';
import { baselineCommand } from './commands/baseline.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { processIO, type CliIO } from './io.js';
import { renderError } from './render-error.js';

/** Runs the CLI and returns the exit code; never calls process.exit itself. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = EXIT_OK;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command('keywarden')
    .description('Find leaked secrets in files and git history; gate commits and CI on them.')
    .version(toolInfo().version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program.addCommand(scanCommand(io, setExit));
  program.addCommand(rulesCommand(io, setExit));
  program.addCommand(hookCommand(io, setExit));
  program.addCommand(baselineCommand(io, setExit));
  // every command and subcommand reports usage errors through the same path (exit 2)
  const configure = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    cmd.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exitCode 0 through the same path
      return err.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    io.stderr(renderError(err));
    return EXIT_ERROR;
  }
}
