// `keywarden hook uninstall`: take out exactly what install put in, and put back what it moved.
import { existsSync, readdirSync, renameSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KeywardenError } from '../errors.js';
import { runGit } from './git.js';
import { lexists, readHookFile, writeHookAtomic, type HookFileState } from './hook-file.js';
import { CHAINED_SUFFIX, removeBlock } from './hook-script.js';
import { effectiveHookFile, globalHooksPath, managedGlobalHooksDir, PRE_COMMIT, resolveHookLayout, sameDir } from './hooks-path.js';
import { safeManagedDir } from './install.js';
import { readGlobalState, removeGlobalState } from './global-state.js';

/**
 * - restored: the original hook is back, byte for byte and with its mode.
 * - removed: the file was keywarden's alone and is gone.
 */
export interface RemovedHook {
  file: string;
  action: 'restored' | 'removed';
}

export interface UninstallResult {
  removed: RemovedHook[];
  notes: string[];
}

/** Removes keywarden's block from one file; undefined when there is none. */
export function removeFromFile(cur: HookFileState): RemovedHook | undefined {
  const found = cur.block;
  if (!found) return undefined;
  const file = cur.path;
  try {
    if (found.kind === 'block' || found.kind === 'created') {
      const rest = removeBlock(cur.bytes, found);
      if (found.kind === 'created' && rest.length === 0) {
        unlinkSync(file);
        return { file, action: 'removed' };
      }
      writeHookAtomic(file, rest, cur.mode);
      return { file, action: 'restored' };
    }
    const chained = file + CHAINED_SUFFIX;
    if (found.kind === 'standalone' && lexists(chained)) {
      renameSync(chained, file); // the original inode: same bytes, same mode, same symlink
      return { file, action: 'restored' };
    }
    unlinkSync(file);
    return { file, action: 'removed' };
  } catch (err) {
    if (err instanceof KeywardenError) throw err;
    throw new KeywardenError('IO', `cannot remove the hook from ${file}: ${(err as Error).message}`);
  }
}

export async function uninstallHook(repo: string, env: NodeJS.ProcessEnv): Promise<UninstallResult> {
  const layout = await resolveHookLayout(repo, env);
  const managed = safeManagedDir(env);
  const notes: string[] = [];
  const candidates = new Set<string>([join(layout.repoHooksDir, PRE_COMMIT), effectiveHookFile(layout)]);
  if (layout.husky) candidates.add(layout.husky.userHook);
  if (layout.inactiveHuskyDir) candidates.add(join(layout.inactiveHuskyDir, PRE_COMMIT));
  const removed: RemovedHook[] = [];
  for (const file of candidates) {
    if (managed && sameDir(dirname(file), managed)) {
      if (readHookFile(file).block) notes.push(`the global hook (${file}) stays: remove it with \`keywarden hook uninstall --global\``);
      continue;
    }
    const r = removeFromFile(readHookFile(file));
    if (r) removed.push(r);
  }
  if (layout.hooksPath?.scope === 'global' && removed.some((r) => r.file.startsWith(layout.effectiveHooksDir))) {
    notes.push(`${layout.effectiveHooksDir} comes from your global core.hooksPath: other repositories no longer get the hook either`);
  }
  return { removed, notes };
}

export interface GlobalUninstallResult extends UninstallResult {
  /** core.hooksPath was removed from the global git config. */
  unsetHooksPath: boolean;
}

export async function uninstallGlobalHook(env: NodeJS.ProcessEnv, cwd: string): Promise<GlobalUninstallResult> {
  const current = await globalHooksPath(env, cwd);
  const managed = managedGlobalHooksDir(env);
  const removed: RemovedHook[] = [];
  const notes: string[] = [];
  let unsetHooksPath = false;
  if (current !== undefined && !sameDir(current, managed)) {
    const r = removeFromFile(readHookFile(join(current, PRE_COMMIT)));
    if (r) removed.push(r);
  }
  if (existsSync(managed)) {
    const state = readGlobalState(managed);
    for (const entry of readdirSync(managed, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const r = removeFromFile(readHookFile(join(managed, entry.name)));
      if (r) removed.push(r);
    }
    if (current !== undefined && sameDir(current, managed)) {
      const r = await runGit(['config', '--global', '--unset', 'core.hooksPath'], { cwd, env });
      if (r.exitCode !== 0) throw new KeywardenError('GIT', `cannot unset core.hooksPath in your global git config: ${r.stderr.trim()}`);
      unsetHooksPath = true;
      const created = state.createdConfigFile;
      if (created && existsSync(created) && statSync(created).size === 0) unlinkSync(created);
    }
    removeGlobalState(managed);
    for (const dir of [managed, join(managed, '..')]) {
      if (readdirSync(dir).length > 0) {
        if (dir === managed) notes.push(`${managed} holds files keywarden did not write, so it stays`);
        break;
      }
      rmdirSync(dir);
    }
  }
  return { removed, notes, unsetHooksPath };
}
