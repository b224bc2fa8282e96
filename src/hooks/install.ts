// `keywarden hook install`: put the pre-commit hook where git (or husky) will run it, never
// overwriting a hook that is already there.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { KeywardenError } from '../errors.js';
import { runGit } from './git.js';
import { lexists, readHookFile, writeHookAtomic } from './hook-file.js';
import {
  blockInsertionPoint,
  CHAINED_SUFFIX,
  hookBlock,
  hookFile,
  insertBlock,
  replaceBlock,
  type HookKind,
} from './hook-script.js';
import {
  effectiveHookFile,
  globalHooksPath,
  managedGlobalHooksDir,
  PRE_COMMIT,
  resolveHookLayout,
  sameDir,
  type HookLayout,
} from './hooks-path.js';
import type { HookRuntime } from './node-resolution.js';
import { FORWARDED_HOOKS, writeGlobalState } from './global-state.js';

/**
 * - created: there was no hook; the file is new.
 * - inserted: the block went to the top of an existing shell hook.
 * - chained: the existing hook was renamed to `pre-commit.keywarden-chained` and runs after the scan.
 * - updated / unchanged: keywarden's hook was already there (refreshed if the paths changed).
 */
export type InstallAction = 'created' | 'inserted' | 'chained' | 'updated' | 'unchanged';

export interface PlacedHook {
  file: string;
  action: InstallAction;
  kind: HookKind;
  /** The renamed original hook, for action "chained". */
  chained?: string;
}

export interface InstallResult extends PlacedHook {
  notes: string[];
}

interface PlaceOptions {
  runtime: HookRuntime;
  /** A husky hook file: run by husky with `sh -e`, so it needs no shebang. */
  husky: boolean;
  /** What to write when keywarden owns the whole file. */
  ownKind: 'standalone' | 'global';
}

/** Adds execute permission wherever the mode grants read permission. */
export function withExecute(mode: number): number {
  return mode | ((mode & 0o444) >> 2);
}

/** Installs into one hook file: refresh, create, insert into, or chain what is there. */
export function placeHook(file: string, opts: PlaceOptions): PlacedHook {
  const cur = readHookFile(file);
  if (cur.block) {
    const kind = cur.block.kind;
    const next = replaceBlock(cur.bytes, cur.block, hookBlock(kind, opts.runtime));
    // a file keywarden owns must stay executable; someone else's keeps its mode
    const mode = kind === 'standalone' || kind === 'global' ? withExecute(cur.mode) : cur.mode;
    if (next.equals(cur.bytes) && mode === cur.mode) return { file, action: 'unchanged', kind };
    writeHookAtomic(file, next, mode);
    return { file, action: 'updated', kind };
  }
  mkdirSync(dirname(file), { recursive: true });
  if (!cur.exists) {
    if (opts.husky) {
      writeHookAtomic(file, Buffer.from(hookBlock('created', opts.runtime)), 0o755);
      return { file, action: 'created', kind: 'created' };
    }
    writeHookAtomic(file, hookFile(opts.ownKind, opts.runtime), 0o755);
    return { file, action: 'created', kind: opts.ownKind };
  }
  // Only edit a regular, executable shell script (or a husky file): a symlink would be edited at its
  // target, and making a disabled (non-executable) hook runnable would change what git does.
  const at = !cur.symlink && (opts.husky || cur.executable) ? blockInsertionPoint(cur.bytes, opts.husky) : undefined;
  if (at !== undefined) {
    writeHookAtomic(file, insertBlock(cur.bytes, at, hookBlock('block', opts.runtime)), cur.mode);
    return { file, action: 'inserted', kind: 'block' };
  }
  if (opts.ownKind === 'global') {
    throw new KeywardenError('USAGE', `${file} exists and was not written by keywarden: move it away, then run the install again`);
  }
  const chained = file + CHAINED_SUFFIX;
  if (lexists(chained)) {
    throw new KeywardenError('USAGE', `${file} is not keywarden's hook and ${chained} already exists: move one of them away, then run the install again`);
  }
  renameSync(file, chained);
  try {
    writeHookAtomic(file, hookFile('standalone', opts.runtime), 0o755);
  } catch (err) {
    renameSync(chained, file);
    throw err;
  }
  return { file, action: 'chained', kind: 'standalone', chained };
}

/** The file a per-repository install writes, and why it is that one. */
export function repoHookTarget(layout: HookLayout, managedDir: string | undefined): { file: string; husky: boolean; notes: string[] } {
  const notes: string[] = [];
  if (layout.husky?.version === 9) {
    if (!existsSync(join(layout.effectiveHooksDir, PRE_COMMIT))) {
      notes.push(`husky's ${join(layout.effectiveHooksDir, PRE_COMMIT)} is missing: run \`npx husky\` so husky runs ${layout.husky.userHook}`);
    }
    return { file: layout.husky.userHook, husky: true, notes };
  }
  if (managedDir && sameDir(layout.effectiveHooksDir, managedDir)) {
    notes.push("keywarden's global hook is active here; the repository's own hook, which it runs, gets the check too");
    return { file: join(layout.repoHooksDir, PRE_COMMIT), husky: false, notes };
  }
  if (layout.hooksPath?.scope === 'global') {
    notes.push(`core.hooksPath is set in your global git config: ${layout.effectiveHooksDir} is shared by every repository without a local core.hooksPath, so they get the hook too`);
  }
  if (layout.inactiveHuskyDir) {
    notes.push(`${layout.inactiveHuskyDir} exists but core.hooksPath does not point to it, so husky is not set up in this clone; after \`npx husky\` run \`keywarden hook install\` again`);
  }
  return { file: effectiveHookFile(layout), husky: false, notes };
}

export async function installHook(repo: string, runtime: HookRuntime, env: NodeJS.ProcessEnv): Promise<InstallResult & { layout: HookLayout }> {
  const layout = await resolveHookLayout(repo, env);
  const target = repoHookTarget(layout, safeManagedDir(env));
  const placed = placeHook(target.file, { runtime, husky: target.husky, ownKind: 'standalone' });
  return { ...placed, notes: target.notes, layout };
}

export function safeManagedDir(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return managedGlobalHooksDir(env);
  } catch {
    return undefined;
  }
}

export interface GlobalInstallResult extends InstallResult {
  /** The global hooks folder and whether keywarden created it (and set core.hooksPath to it). */
  dir: string;
  managed: boolean;
}

/**
 * Installs for every repository of the user. Without a global core.hooksPath, keywarden creates its
 * own hooks folder and points core.hooksPath at it; its pre-commit runs each repository's own
 * .git/hooks/pre-commit after the scan, and the other hooks there just run the repository's own.
 * With a global core.hooksPath already set, the hook goes into that folder like into any other.
 */
export async function installGlobalHook(runtime: HookRuntime, env: NodeJS.ProcessEnv, cwd: string): Promise<GlobalInstallResult> {
  const current = await globalHooksPath(env, cwd);
  const managed = managedGlobalHooksDir(env);
  if (current !== undefined && !isAbsolute(current)) {
    throw new KeywardenError(
      'USAGE',
      `your global core.hooksPath is relative ("${current}"), so it names a folder inside each repository: install per repository with \`keywarden hook install\``,
    );
  }
  if (current !== undefined && !sameDir(current, managed)) {
    const placed = placeHook(join(current, PRE_COMMIT), { runtime, husky: false, ownKind: 'standalone' });
    return {
      ...placed,
      dir: current,
      managed: false,
      notes: [`your global core.hooksPath (${current}) was already set, so the hook went there; repositories' own .git/hooks stay unused, as before`],
    };
  }
  mkdirSync(managed, { recursive: true });
  const placed = placeHook(join(managed, PRE_COMMIT), { runtime, husky: false, ownKind: 'global' });
  const notes: string[] = [];
  for (const name of FORWARDED_HOOKS) {
    const stub = join(managed, name);
    const cur = readHookFile(stub);
    if (cur.exists && !cur.block) {
      notes.push(`${stub} is not keywarden's, so repositories' own ${name} hooks do not run`);
      continue;
    }
    const bytes = hookFile('forward', runtime, name);
    if (!cur.exists || !cur.bytes.equals(bytes) || !cur.executable) writeHookAtomic(stub, bytes, 0o755);
  }
  if (current === undefined) {
    const configFile = globalConfigFile(env);
    const existed = configFile !== undefined && existsSync(configFile);
    const r = await runGit(['config', '--global', 'core.hooksPath', managed], { cwd, env });
    if (r.exitCode !== 0) throw new KeywardenError('GIT', `cannot set core.hooksPath in your global git config: ${r.stderr.trim()}`);
    writeGlobalState(managed, { createdConfigFile: existed ? undefined : configFile });
  }
  notes.push(
    `core.hooksPath = ${managed} in your global git config; a repository with its own core.hooksPath (husky, for one) ignores it: run \`keywarden hook install\` there`,
  );
  return { ...placed, dir: managed, managed: true, notes };
}

/** The file `git config --global` writes (git's own rule), so uninstall can remove it if keywarden created it. */
function globalConfigFile(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GIT_CONFIG_GLOBAL) return env.GIT_CONFIG_GLOBAL;
  const home = env.HOME;
  if (!home) return undefined;
  const dotfile = join(home, '.gitconfig');
  const xdg = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'config');
  return !existsSync(dotfile) && existsSync(xdg) ? xdg : dotfile;
}
