// Walks a directory (honouring .gitignore inside a git work tree) and yields file contents.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import fg from 'fast-glob';
import type { DiagnosticKind } from '../types.js';
import { gitListFiles, gitTopLevel } from './git/repo.js';
import type { SourceItem } from './types.js';

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;
const SNIFF_BYTES = 8000;

export interface FilesystemOptions {
  /** Honour .gitignore inside a git work tree (tracked + untracked-not-ignored files). */
  gitignore: boolean;
  maxFileSize: number;
  /** Returns true for paths (relative, forward slashes) that must not be read at all. */
  excludePath?: (rel: string) => boolean;
}

export interface WalkTarget {
  /** Absolute path of the file or directory to scan. */
  abs: string;
  /** The prefix findings are reported under ('' for the scan root itself). */
  rel: string;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

function joinRel(prefix: string, rel: string): string {
  return prefix ? `${prefix}/${rel}` : rel;
}

/** Relative paths of the files under a directory, gitignore-aware. */
async function listDirectory(dir: string, gitignore: boolean): Promise<Array<{ rel: string; symlink?: boolean; special?: boolean }>> {
  if (gitignore && (await gitTopLevel(dir))) {
    return (await gitListFiles(dir)).map((rel) => ({ rel }));
  }
  const entries = await fg('**', {
    cwd: dir,
    dot: true,
    onlyFiles: false,
    followSymbolicLinks: false,
    objectMode: true,
    suppressErrors: true,
    ignore: ['**/.git/**', '.git'],
  });
  const out: Array<{ rel: string; symlink?: boolean; special?: boolean }> = [];
  for (const e of entries) {
    const d = e.dirent;
    if (d.isDirectory()) continue;
    if (d.isSymbolicLink()) out.push({ rel: e.path, symlink: true });
    else if (d.isFile()) out.push({ rel: e.path });
    else out.push({ rel: e.path, special: true });
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

type ReadOutcome = { bytes: Buffer } | { skip: DiagnosticKind; message?: string };

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a regular file through one descriptor opened without following a final symlink and
 * without blocking on a FIFO, so a file swapped for a link or a pipe mid-scan is skipped, not
 * followed or waited on. Synchronous: for many small files it costs a fraction of the async
 * path's thread-pool round trips, and the engine that consumes the bytes is synchronous anyway.
 */
export function readRegularFile(abs: string, maxFileSize: number): ReadOutcome {
  let fd: number | undefined;
  try {
    fd = openSync(abs, OPEN_FLAGS);
    const st = fstatSync(fd);
    if (st.isDirectory()) return { skip: 'not-found' }; // e.g. a submodule entry in the index
    if (!st.isFile()) return { skip: 'special-file' };
    if (st.size > maxFileSize) return { skip: 'too-large', message: `${st.size} bytes > ${maxFileSize}` };
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    const bytes = off === buf.length ? buf : buf.subarray(0, off);
    if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return { skip: 'binary' };
    return { bytes };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') return { skip: 'symlink' };
    if (code === 'ENOENT' || code === 'ENOTDIR') return { skip: 'not-found' };
    if (code === 'ENXIO' || code === 'EWOULDBLOCK' || code === 'EAGAIN') return { skip: 'special-file' };
    return { skip: 'unreadable', message: (err as Error).message };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Yields every scannable file under the targets, in a stable order. */
export async function* filesystemSource(targets: WalkTarget[], opts: FilesystemOptions): AsyncGenerator<SourceItem> {
  for (const target of targets) {
    let st;
    try {
      st = await lstat(target.abs);
    } catch (err) {
      yield {
        kind: 'diagnostic',
        diagnostic: { kind: 'not-found', path: target.rel || target.abs, level: 'error', message: `cannot scan ${target.abs}: ${(err as Error).message}` },
      };
      continue;
    }
    let files: Array<{ rel: string; abs: string; symlink?: boolean; special?: boolean }>;
    if (st.isDirectory()) {
      files = (await listDirectory(target.abs, opts.gitignore)).map((f) => ({
        ...f,
        abs: join(target.abs, f.rel),
        rel: joinRel(target.rel, toPosix(f.rel)),
      }));
    } else {
      files = [{ rel: target.rel, abs: target.abs }];
    }

    for (const f of files) yield readOne(f, opts);
  }
}

function readOne(f: { rel: string; abs: string; symlink?: boolean; special?: boolean }, opts: FilesystemOptions): SourceItem {
  if (opts.excludePath?.(f.rel)) return { kind: 'skipped', reason: 'allowlisted', path: f.rel };
  if (f.symlink) return { kind: 'skipped', reason: 'symlink', path: f.rel };
  if (f.special) return { kind: 'skipped', reason: 'special-file', path: f.rel };
  const r = readRegularFile(f.abs, opts.maxFileSize);
  if ('bytes' in r) return { kind: 'fragment', fragment: { bytes: r.bytes, path: f.rel } };
  if (r.skip === 'unreadable') {
    return {
      kind: 'skipped',
      reason: r.skip,
      path: f.rel,
      diagnostic: { kind: 'unreadable', path: f.rel, level: 'error', message: `cannot read ${f.rel}: ${r.message ?? 'unknown error'}` },
    };
  }
  if (r.skip === 'too-large') {
    return {
      kind: 'skipped',
      reason: r.skip,
      path: f.rel,
      diagnostic: { kind: 'too-large', path: f.rel, level: 'warning', message: `skipped ${f.rel}: ${r.message}` },
    };
  }
  return { kind: 'skipped', reason: r.skip, path: f.rel };
}
