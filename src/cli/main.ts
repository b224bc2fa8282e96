import { Command, CommanderError } from 'commander';
import { toolInfo } from '../version.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { processIO, type CliIO } from './io.js';
import { renderError } from './render-error.js';

type CommandFactory = (io: CliIO, setExit: (code: number) => void) => Command;

// Each command's module (and what it imports: hooks, providers, reporters) loads only when that
// command runs: the pre-commit hook pays for `scan` alone.
const COMMANDS: Record<string, () => Promise<CommandFactory>> = {
  scan: async () => (await import('./commands/scan.js')).scanCommand,
  rules: async () => (await import('./commands/rules.js')).rulesCommand,
  hook: async () => (await import('./commands/hook.js')).hookCommand,
  baseline: async () => (await import('./commands/baseline.js')).baselineCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  revoke: async () => (await import('./commands/revoke.js')).revokeCommand,
  rotate: async () => (await import('./commands/rotate.js')).rotateCommand,
  audit: async () => (await import('./commands/audit.js')).auditCommand,
};

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
  // the first word that is not an option names the command; help, typos and `help CMD` load all
  const first = argv.find((a) => !a.startsWith('-'));
  const names = first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS);
  for (const name of names) program.addCommand((await COMMANDS[name]!())(io, setExit));
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
