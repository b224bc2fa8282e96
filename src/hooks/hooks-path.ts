// Where git looks for a repository's pre-commit hook: <git dir>/hooks, or core.hooksPath from any
// config scope, or husky's folder, which is core.hooksPath with a dispatcher in front of it.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { KeywardenError } from '../errors.js';
import { gitOutput, runGit } from './git.js';

export const PRE_COMMIT = 'pre-commit';

export interface HooksPathSetting {
  value: string;
  /** The config scope that sets it: local, global, system, worktree or command. */
  scope: string;
}

/**
 * husky v9 points core.hooksPath at `.husky/_`, whose generated `pre-commit` runs the tracked
 * `.husky/pre-commit` with `sh -e`; husky v4-v8 pointed it at `.husky` itself.
 */
export interface HuskyLayout {
  version: 8 | 9;
  /** The folder holding the user's hooks (`.husky`). */
  dir: string;
  /** The file the user edits and husky runs: `.husky/pre-commit`. */
  userHook: string;
}

export interface HookLayout {
  /** The work tree's top level (hooks run there). */
  top: string;
  /** The repository's own hooks folder: <common git dir>/hooks. */
  repoHooksDir: string;
  /** The folder git takes hooks from, after core.hooksPath. */
  effectiveHooksDir: string;
  hooksPath?: HooksPathSetting;
  husky?: HuskyLayout;
  /** A `.husky` folder exists but core.hooksPath does not point into it (husky not set up in this clone). */
  inactiveHuskyDir?: string;
}

/** The hook file git runs for pre-commit in this layout. */
export function effectiveHookFile(layout: HookLayout): string {
  return join(layout.effectiveHooksDir, PRE_COMMIT);
}

export async function resolveHookLayout(repo: string, env?: NodeJS.ProcessEnv): Promise<HookLayout> {
  const opts = { cwd: repo, env };
  const probe = await runGit(['rev-parse', '--is-bare-repository'], opts);
  if (probe.exitCode !== 0) throw new KeywardenError('USAGE', `${repo} is not a git repository`);
  if (probe.stdout.trim() === 'true') throw new KeywardenError('USAGE', `${repo} is a bare repository: it has no commits made in it, so no pre-commit hook`);
  const [top, commonDir, hooksDir] = (
    await gitOutput(['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir', '--git-path', 'hooks'], opts)
  ).split('\n');
  if (!top || !commonDir || !hooksDir) throw new KeywardenError('GIT', `cannot locate the hooks folder of ${repo}`);
  const layout: HookLayout = {
    top,
    repoHooksDir: join(commonDir, 'hooks'),
    effectiveHooksDir: hooksDir,
    hooksPath: await hooksPathSetting(top, env),
  };
  const husky = detectHusky(hooksDir);
  if (husky) layout.husky = husky;
  else if (isDir(join(top, '.husky'))) layout.inactiveHuskyDir = join(top, '.husky');
  return layout;
}

async function hooksPathSetting(cwd: string, env?: NodeJS.ProcessEnv): Promise<HooksPathSetting | undefined> {
  const r = await runGit(['config', '--show-scope', '--get', 'core.hooksPath'], { cwd, env });
  if (r.exitCode !== 0) return undefined;
  const line = r.stdout.replace(/\n$/, '');
  const tab = line.indexOf('\t');
  return tab < 0 ? { value: line, scope: 'unknown' } : { scope: line.slice(0, tab), value: line.slice(tab + 1) };
}

function detectHusky(hooksDir: string): HuskyLayout | undefined {
  if (basename(hooksDir) === '_' && existsSync(join(hooksDir, 'h'))) {
    const dir = dirname(hooksDir);
    return { version: 9, dir, userHook: join(dir, PRE_COMMIT) };
  }
  if (basename(hooksDir) === '.husky' && existsSync(join(hooksDir, '_', 'husky.sh'))) {
    return { version: 8, dir: hooksDir, userHook: join(hooksDir, PRE_COMMIT) };
  }
  return undefined;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The folder `keywarden hook install --global` creates and points the global core.hooksPath at. */
export function managedGlobalHooksDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const home = env.HOME ?? env.USERPROFILE;
  const base = xdg && isAbsolute(xdg) ? xdg : home ? join(home, '.config') : undefined;
  if (!base) throw new KeywardenError('USAGE', 'cannot find your home folder (HOME is not set) for a global hook');
  return join(base, 'keywarden', 'hooks');
}

/** core.hooksPath from the global config: undefined when unset; relative values are kept as written. */
export async function globalHooksPath(env: NodeJS.ProcessEnv, cwd: string): Promise<string | undefined> {
  const r = await runGit(['config', '--global', '--type=path', '--get', 'core.hooksPath'], { cwd, env });
  if (r.exitCode === 1) return undefined;
  if (r.exitCode !== 0) throw new KeywardenError('GIT', `cannot read the global git config: ${r.stderr.trim()}`);
  return r.stdout.replace(/\n$/, '');
}

/** Whether two paths name the same folder (after symlinks), tolerating missing ones. */
export function sameDir(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}
