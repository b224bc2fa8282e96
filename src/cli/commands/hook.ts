import { Command } from 'commander';
import { resolve } from 'node:path';
import { installGlobalHook, installHook, type InstallAction, type PlacedHook } from '../../hooks/install.js';
import { isGitRepository } from '../../sources/git/repo.js';
import { resolveRuntime } from '../../hooks/node-resolution.js';
import { selfTest, type SelfTestResult } from '../../hooks/self-test.js';
import { globalHookStatus, hookStatus, type HookStatus } from '../../hooks/status.js';
import { uninstallGlobalHook, uninstallHook, type RemovedHook } from '../../hooks/uninstall.js';
import { EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';
import type { CliIO } from '../io.js';

interface HookFlags {
  global?: boolean;
  selfTest?: boolean;
}

const ACTION_TEXT: Record<InstallAction, string> = {
  created: 'installed',
  inserted: 'installed at the top of the existing hook',
  chained: 'installed; the existing hook was kept and runs after the scan',
  updated: 'updated',
  unchanged: 'already installed, up to date',
};

function describePlaced(p: PlacedHook, scope = ''): string {
  const chained = p.chained ? ` (the previous hook is now ${p.chained})` : '';
  return `keywarden pre-commit hook${scope} ${ACTION_TEXT[p.action]}: ${p.file}${chained}\n`;
}

function notes(io: CliIO, list: string[]): void {
  for (const n of list) io.stdout(`  note: ${n}\n`);
}

function printStatus(io: CliIO, s: HookStatus): void {
  io.stdout(`keywarden pre-commit hook: ${s.effective ? 'effective' : 'NOT effective'}\n`);
  for (const item of s.items) io.stdout(`  ${item.level}: ${item.message}\n`);
}

/** Prints the self-test's outcome and returns the exit code it means. */
function reportSelfTest(io: CliIO, r: SelfTestResult): number {
  if (r.outcome === 'passed') {
    io.stdout(`self-test passed: the hook blocked a test secret (rule ${r.ruleId}); nothing of the repository was touched\n`);
    return EXIT_OK;
  }
  if (r.outcome === 'skipped') {
    io.stderr(`keywarden: self-test not run: ${r.reason}\n`);
    return EXIT_FINDINGS;
  }
  io.stderr(`keywarden: self-test FAILED: ${r.reason}\n`);
  if (r.output) io.stderr(`--- hook output ---\n${r.output.replace(/\n?$/, '\n')}-------------------\n`);
  return EXIT_FINDINGS;
}

function repoArg(io: CliIO, repo: string | undefined): string {
  return resolve(io.cwd, repo ?? '.');
}

export function hookCommand(io: CliIO, setExit: (code: number) => void): Command {
  const output = { writeOut: io.stdout, writeErr: io.stderr };
  const fail = (status: HookStatus): void => {
    printStatus(io, status);
    setExit(EXIT_FINDINGS);
  };
  const cmd = new Command('hook').description('install, remove or check the git pre-commit hook that runs `keywarden scan --staged`');

  cmd
    .command('install')
    .description('install the pre-commit hook (chaining any existing hook), then prove it fires')
    .argument('[repo]', 'the repository (default: the current directory)')
    .option('--global', "install for every repository of this user (a global core.hooksPath that still runs each repository's own hook)")
    .option('--no-self-test', 'skip the self-test after installing')
    .action(async (repo: string | undefined, flags: HookFlags) => {
      const runtime = resolveRuntime();
      const dir = repoArg(io, repo);
      if (flags.global) {
        const r = await installGlobalHook(runtime, io.env, dir);
        io.stdout(describePlaced(r, ' (global)'));
        notes(io, r.notes);
        const status = await globalHookStatus(io.env, dir);
        if (!status.effective) return fail(status);
        if (flags.selfTest === false) return setExit(EXIT_OK);
        const here = (await isGitRepository(dir)) ? await hookStatus(dir, io.env) : undefined;
        if (!here?.effective) {
          io.stdout(`self-test not run: ${here ? `the global hook does not run in ${dir}` : 'not inside a git repository'} (run \`keywarden hook self-test\` in a repository)\n`);
          return setExit(EXIT_OK);
        }
      } else {
        const r = await installHook(dir, runtime, io.env);
        io.stdout(describePlaced(r));
        notes(io, r.notes);
        const status = await hookStatus(dir, io.env);
        if (!status.effective) return fail(status);
        if (flags.selfTest === false) return setExit(EXIT_OK);
      }
      setExit(reportSelfTest(io, await selfTest(dir, io.env)));
    });

  cmd
    .command('uninstall')
    .description('remove the hook and restore any hook it chained, byte for byte')
    .argument('[repo]', 'the repository (default: the current directory)')
    .option('--global', 'remove the global hook and the core.hooksPath keywarden set')
    .action(async (repo: string | undefined, flags: HookFlags) => {
      const dir = repoArg(io, repo);
      const r = flags.global ? await uninstallGlobalHook(io.env, dir) : await uninstallHook(dir, io.env);
      const describe = (x: RemovedHook): string => (x.action === 'restored' ? `restored ${x.file} as it was before` : `removed ${x.file}`);
      for (const x of r.removed) io.stdout(`${describe(x)}\n`);
      if ('unsetHooksPath' in r && r.unsetHooksPath) io.stdout('removed core.hooksPath from your global git config\n');
      if (r.removed.length === 0) io.stdout(`no keywarden hook found${flags.global ? ' globally' : ` in ${dir}`}\n`);
      notes(io, r.notes);
      setExit(EXIT_OK);
    });

  cmd
    .command('status')
    .description('say whether the hook is installed and effective (exit 1 when it is not)')
    .argument('[repo]', 'the repository (default: the current directory)')
    .option('--global', 'check the global hook instead')
    .action(async (repo: string | undefined, flags: HookFlags) => {
      const dir = repoArg(io, repo);
      const s = flags.global ? await globalHookStatus(io.env, dir) : await hookStatus(dir, io.env);
      printStatus(io, s);
      setExit(s.effective ? EXIT_OK : EXIT_FINDINGS);
    });

  cmd
    .command('self-test')
    .description('stage a synthetic secret in a throwaway index and check that the installed hook blocks it')
    .argument('[repo]', 'the repository (default: the current directory)')
    .action(async (repo: string | undefined) => {
      setExit(reportSelfTest(io, await selfTest(repoArg(io, repo), io.env)));
    });

  for (const c of [cmd, ...cmd.commands]) c.exitOverride().configureOutput(output);
  return cmd;
}
