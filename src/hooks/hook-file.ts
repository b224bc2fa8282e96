// Reading and writing hook files without losing a byte or a mode bit.
import { accessSync, chmodSync, constants, lstatSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KeywardenError } from '../errors.js';
import { findBlock, type FoundBlock } from './hook-script.js';

export interface HookFileState {
  path: string;
  exists: boolean;
  /** The path itself is a symbolic link (it is renamed, never written through). */
  symlink: boolean;
  /** Permission bits of the file (after symlinks). */
  mode: number;
  executable: boolean;
  bytes: Buffer;
  block?: FoundBlock;
}

export function readHookFile(path: string): HookFileState {
  let symlink = false;
  try {
    symlink = lstatSync(path).isSymbolicLink();
  } catch {
    return { path, exists: false, symlink: false, mode: 0, executable: false, bytes: Buffer.alloc(0) };
  }
  let st;
  try {
    st = statSync(path);
  } catch {
    // a dangling symlink: git cannot run it either
    return { path, exists: true, symlink, mode: 0, executable: false, bytes: Buffer.alloc(0) };
  }
  if (!st.isFile()) throw new KeywardenError('IO', `${path} is not a regular file`);
  const bytes = readFileSync(path);
  const state: HookFileState = { path, exists: true, symlink, mode: st.mode & 0o7777, executable: isExecutable(path), bytes };
  const block = findBlock(bytes);
  if (block) state.block = block;
  return state;
}

/** Whether anything (a dangling symlink included) is at this path. */
export function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** What git checks before running a hook. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Replaces a file through a sibling and a rename, with the given permission bits. */
export function writeHookAtomic(path: string, bytes: Buffer, mode: number): void {
  const tmp = join(dirname(path), `.${basename(path)}.keywarden-${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes, { mode });
    chmodSync(tmp, mode); // the umask must not strip bits the original had
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new KeywardenError('IO', `cannot write ${path}: ${(err as Error).message}`);
  }
}
