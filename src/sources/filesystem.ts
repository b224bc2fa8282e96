// Walks a directory (honouring .gitignore inside a git work tree) and yields file contents.
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import type { Diagnostic, DiagnosticKind } from '../types.js';
import { displayName } from './file-names.js';
import { gitListFiles, gitTopLevel, isInsideGitDir } from './git/repo.js';
import { decodeText, isTranscoded } from './text-decoding.js';
import type { SourceItem } from './types.js';

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

export interface FilesystemOptions {
  /** Honour .gitignore inside a git work tree (tracked + untracked-not-ignored files). */
  gitignore: boolean;
  maxFileSize: number;
  /** Returns true for paths (relative, forward slashes) that must not be read at all. */
  excludePath?: (rel: string) => boolean;
  /** Aborting stops the walk at the next file. */
  signal?: AbortSignal;
  /**
   * Read every file into one buffer that is reused: a fragment's bytes are then valid only until
   * the next item is pulled from the source, and a consumer copies what it keeps. A buffer per
   * file cost a scan of the 300 MB bench corpus about 70 ms of garbage collection.
   */
  reuseBuffer?: boolean;
}

/** The reusable read buffer of a walk (FilesystemOptions.reuseBuffer). */
interface ReadBuffer {
  buf: Buffer;
}

export interface WalkTarget {
  /** Absolute path of the file or directory to scan. */
  abs: string;
  /** The prefix findings are reported under ('' for the scan root itself). */
  rel: string;
}

/** A directory entry: its path relative to the walked directory as raw bytes ('/'-separated). */
interface Entry {
  raw: Buffer;
  type: 'file' | 'symlink' | 'special';
}

const SLASH = Buffer.from('/');
const GIT_DIR = Buffer.from('.git');

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

function joinRel(prefix: string, rel: string): string {
  return prefix ? `${prefix}/${rel}` : rel;
}

function joinRaw(dir: Buffer, name: Buffer): Buffer {
  return dir.length === 0 ? name : Buffer.concat([dir, SLASH, name]);
}

/** Longest stretch of synchronous reading before the walk lets timers and signals run. */
const YIELD_EVERY_MS = 25;

/**
 * Every entry under `dir` except directories, sorted by name bytes. Names are read as bytes, so
 * names with newlines or bytes that are not UTF-8 are listed like any other; a directory that
 * cannot be listed becomes a diagnostic rather than a silent gap. Each directory is read
 * synchronously (the async reader's thread-pool round trips left the main thread idle: 31-54 ms
 * against 4-12 ms for the bench corpus's 401 directories), yielding to the event loop every
 * YIELD_EVERY_MS so that Ctrl-C is still handled promptly in a huge tree.
 */
async function walkDirectory(dir: string, problems: Diagnostic[], rel: string, signal?: AbortSignal): Promise<Entry[]> {
  const out: Entry[] = [];
  const root = Buffer.from(dir);
  // an explicit stack: a tree thousands of levels deep must not exhaust the call stack
  const stack: Buffer[] = [Buffer.alloc(0)];
  let lastYield = performance.now();
  while (stack.length > 0) {
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await new Promise((r) => setImmediate(r));
      lastYield = performance.now();
    }
    signal?.throwIfAborted();
    const sub = stack.pop()!;
    try {
      // names as Buffers (Node supports it; its typings list only string encodings)
      const entries = readdirSync(sub.length === 0 ? root : joinRaw(root, sub), { encoding: 'buffer', withFileTypes: true });
      for (const d of entries) {
        const name = d.name as unknown as Buffer;
        if (name.equals(GIT_DIR)) continue;
        const raw = joinRaw(sub, name);
        if (d.isDirectory()) stack.push(raw);
        else if (d.isSymbolicLink()) out.push({ raw, type: 'symlink' });
        else if (d.isFile()) out.push({ raw, type: 'file' });
        else out.push({ raw, type: 'special' });
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const shown = joinRel(rel, displayName(sub).name) || '.';
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        problems.push({ kind: 'not-found', path: shown, level: 'info', message: `skipped directory ${shown}: it disappeared during the scan` });
      } else {
        problems.push({ kind: 'unreadable', path: shown, level: 'error', message: `cannot list directory ${shown}: ${(err as Error).message}` });
      }
    }
  }
  return out.sort((a, b) => Buffer.compare(a.raw, b.raw));
}


/** Files under a directory: from git (tracked + untracked-not-ignored) in a work tree, else a walk. */
async function listDirectory(dir: string, gitignore: boolean, problems: Diagnostic[], rel: string, signal?: AbortSignal): Promise<Entry[]> {
  if (gitignore && (await gitTopLevel(dir))) {
    return (await gitListFiles(dir)).map((raw) => ({ raw, type: 'file' }));
  }
  if (await isInsideGitDir(dir)) {
    // its objects are compressed: a scan of these files finds nothing, which must not read as clean
    const shown = rel || '.';
    problems.push({ kind: 'git', path: shown, level: 'warning', message: `${shown} is a bare repository or a .git directory: its objects are compressed, so history is not scanned this way (use keywarden scan --history)` });
  }
  return walkDirectory(dir, problems, rel, signal);
}

type ReadOutcome = { bytes: Buffer } | { directory: true } | { skip: DiagnosticKind; message?: string };

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a regular file through one descriptor opened without following a final symlink and
 * without blocking on a FIFO, so a file swapped for a link or a pipe mid-scan is skipped, not
 * followed or waited on. Reads to end of file but never more than the cap, so a file that grows
 * while it is read is either read whole or reported too large, never waited on. Synchronous: for
 * many small files it costs a fraction of the async path's thread-pool round trips, and the
 * engine that consumes the bytes is synchronous anyway.
 */
export function readRegularFile(abs: string | Buffer, maxFileSize: number, reuse?: ReadBuffer): ReadOutcome {
  let fd: number | undefined;
  try {
    fd = openSync(abs, OPEN_FLAGS);
    const st = fstatSync(fd);
    if (st.isDirectory()) return { directory: true };
    if (!st.isFile()) return { skip: 'special-file' };
    if (st.size > maxFileSize) return { skip: 'too-large', message: `${st.size} bytes > ${maxFileSize}` };
    // one byte more than the size: reading it tells a file that grew
    let buf = reuse && reuse.buf.length > st.size ? reuse.buf : Buffer.allocUnsafe(reuse ? Math.max(st.size + 1, 2 * (reuse.buf.length || 1 << 20)) : st.size + 1);
    if (reuse) reuse.buf = buf;
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (len > maxFileSize) return { skip: 'too-large', message: `grew past ${maxFileSize} bytes while being read` };
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxFileSize + 1));
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
        if (reuse) reuse.buf = buf;
      }
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    if (len > maxFileSize) return { skip: 'too-large', message: `grew past ${maxFileSize} bytes while being read` };
    return { bytes: buf.subarray(0, len) };
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


interface FileRef {
  rel: string;
  abs: string | Buffer;
  type: Entry['type'];
}

/** Yields every scannable file under the targets, in a stable order. */
export async function* filesystemSource(targets: WalkTarget[], opts: FilesystemOptions): AsyncGenerator<SourceItem> {
  let lastYield = performance.now();
  const readBuffer: ReadBuffer | undefined = opts.reuseBuffer ? { buf: Buffer.alloc(0) } : undefined;
  const pending: Array<{ target: WalkTarget; nested: boolean }> = targets.map((target) => ({ target, nested: false }));
  const visited = new Set<string>();
  while (pending.length > 0) {
    const { target, nested } = pending.shift()!;
    opts.signal?.throwIfAborted();
    let abs = target.abs;
    let isDir: boolean;
    try {
      // a target named on the command line is followed if it is a symlink: the user chose it
      isDir = (await stat(abs)).isDirectory();
      abs = await realpath(abs);
    } catch (err) {
      yield {
        kind: 'diagnostic',
        diagnostic: { kind: 'not-found', path: target.rel || target.abs, level: 'error', message: `cannot scan ${target.abs}: ${(err as Error).message}` },
      };
      continue;
    }
    if (!isDir) {
      yield* readOne({ rel: target.rel, abs, type: 'file' }, opts, pending, readBuffer);
      continue;
    }
    if (visited.has(abs)) continue;
    visited.add(abs);
    if (nested && (await gitTopLevel(abs)) !== abs) {
      // a directory git lists as one entry without being a repository itself: a submodule that
      // is not checked out, or a tracked file replaced by a directory (git lists its files too)
      const message = `skipped ${target.rel}: git tracks it as one entry but it is a directory of no repository (a submodule not checked out?); files git lists in it are scanned on their own`;
      yield { kind: 'diagnostic', diagnostic: { kind: 'git', path: target.rel, level: 'info', message } };
      continue;
    }
    const problems: Diagnostic[] = [];
    const entries = await listDirectory(abs, opts.gitignore, problems, target.rel, opts.signal);
    for (const diagnostic of problems) yield { kind: 'diagnostic', diagnostic };
    const rootRaw = Buffer.from(abs);
    for (const e of entries) {
      const shown = displayName(e.raw);
      const rel = joinRel(target.rel, toPosix(shown.name));
      if (shown.escaped) {
        yield { kind: 'diagnostic', diagnostic: { kind: 'encoding', path: rel, level: 'info', message: `${rel}: the file name is not valid UTF-8; reported with \\xNN for each invalid byte` } };
      }
      yield* readOne({ rel, abs: joinRaw(rootRaw, e.raw), type: e.type }, opts, pending, readBuffer);
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        // reads are synchronous: give a Ctrl-C handler and progress timers a turn
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
        opts.signal?.throwIfAborted();
      }
    }
  }
}

/** What reading one listed entry gives: a fragment or a skip, with a note where one is due. */
function readOne(f: FileRef, opts: FilesystemOptions, pending: Array<{ target: WalkTarget; nested: boolean }>, readBuffer?: ReadBuffer): SourceItem[] {
  if (opts.excludePath?.(f.rel)) return [{ kind: 'skipped', reason: 'allowlisted', path: f.rel }];
  if (f.type === 'symlink') return [{ kind: 'skipped', reason: 'symlink', path: f.rel }];
  if (f.type === 'special') return [specialFile(f.rel)];
  const r = readRegularFile(f.abs, opts.maxFileSize, readBuffer);
  if ('directory' in r) {
    // git lists a submodule (or a nested repository) as one entry: scan its own files in turn
    pending.unshift({ target: { abs: typeof f.abs === 'string' ? f.abs : f.abs.toString(), rel: f.rel }, nested: true });
    return [];
  }
  if ('bytes' in r) {
    const decoded = decodeText(r.bytes);
    if (decoded.kind === 'binary') return [{ kind: 'skipped', reason: 'binary', path: f.rel }];
    const fragment: SourceItem = { kind: 'fragment', fragment: { bytes: decoded.bytes, path: f.rel } };
    if (!isTranscoded(decoded.encoding)) return [fragment];
    const message = `${f.rel} is ${decoded.encoding.toUpperCase()} text: scanned decoded; lines and columns count its characters as an editor shows them`;
    return [{ kind: 'diagnostic', diagnostic: { kind: 'encoding', path: f.rel, level: 'info', message } }, fragment];
  }
  return [skipped(f.rel, r.skip, r.message)];
}

function skipped(rel: string, reason: DiagnosticKind, detail: string | undefined): SourceItem {
  switch (reason) {
    case 'unreadable':
      return { kind: 'skipped', reason, path: rel, diagnostic: { kind: reason, path: rel, level: 'error', message: `cannot read ${rel}: ${detail ?? 'unknown error'}` } };
    case 'too-large':
      return { kind: 'skipped', reason, path: rel, diagnostic: { kind: reason, path: rel, level: 'warning', message: `skipped ${rel}: ${detail}` } };
    case 'special-file':
      return specialFile(rel);
    case 'not-found':
      return { kind: 'skipped', reason, path: rel, diagnostic: { kind: reason, path: rel, level: 'info', message: `skipped ${rel}: listed but gone when read (deleted or moved during the scan, or deleted but still tracked)` } };
    default:
      return { kind: 'skipped', reason, path: rel };
  }
}

function specialFile(rel: string): SourceItem {
  return { kind: 'skipped', reason: 'special-file', path: rel, diagnostic: { kind: 'special-file', path: rel, level: 'info', message: `skipped ${rel}: not a regular file (a FIFO, socket or device)` } };
}
