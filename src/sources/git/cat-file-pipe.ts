// `git cat-file --batch` writing into an OS pipe (os-pipe.ts) that another thread reads with
// blocking reads. The thread that spawns git feeds it the object names and watches its exit; the
// reading thread (a history worker) parses git's output straight out of one reused buffer, so
// no chunk, copy or message passes through the main thread's event loop.
import { once } from 'node:events';
import { closeSync, readSync } from 'node:fs';
import { GitError, parseHeader, type CatFileItem } from './cat-file.js';
import { osPipe } from './os-pipe.js';
import { spawnGit } from './run-git.js';

/** How far git may run ahead of its reader (Linux caps it at /proc/sys/fs/pipe-max-size, 1 MiB by default). */
const PIPE_CAPACITY = 1 << 20;

export interface PipedCatFile {
  /** The pipe's read end, for the reading thread; closed by `close`. */
  readFd: number;
  /** Settles when git exits: rejects with a GitError (its stderr) unless it succeeded. */
  exited: Promise<void>;
  kill(): void;
  /** Asks git for these objects (names, newline-terminated); buffered until git reads them. */
  request(names: string): void;
  /** Resolves once at most `bytes` of requests wait to be read by git (or git is gone). */
  backlogBelow(bytes: number): Promise<void>;
  /** No more requests: git exits once it has written what was asked. */
  end(): void;
  /** Closes the read end; only once its reader is done with it (or gone). Idempotent. */
  close(): void;
}

/** Starts git writing the objects it is asked for into a new pipe; undefined where no pipe can be made. */
export function catFileIntoPipe(repo: string, opts: { signal?: AbortSignal } = {}): PipedCatFile | undefined {
  const pipe = osPipe(PIPE_CAPACITY);
  if (!pipe) return undefined;
  // git holds its own copy of the write end: the reader sees end-of-file once git exits
  const git = spawnGit(repo, ['cat-file', '--batch', '--buffer'], { stdio: ['pipe', pipe.write, 'pipe'], signal: opts.signal, handOver: [pipe.write] });
  const { child } = git;
  const stdin = child.stdin!;
  stdin.on('error', () => undefined); // git died: reported through its exit status
  const exited = git.closed.then((code) => {
    if (code !== 0) throw git.failure('cat-file', code);
  });
  exited.catch(() => undefined); // observed by the caller; never an unhandled rejection
  let open = true;
  return {
    readFd: pipe.read,
    exited,
    request: (names) => {
      if (!stdin.destroyed) stdin.write(names);
    },
    backlogBelow: async (bytes) => {
      while (!stdin.destroyed && stdin.writableLength > bytes) {
        await Promise.race([once(stdin, 'drain'), exited.catch(() => undefined)]);
      }
    },
    end: () => stdin.end(),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
    close: () => {
      if (open) closeSync(pipe.read);
      open = false;
    },
  };
}

/**
 * Parses `git cat-file --batch` output read from `fd` until end-of-file. An object's bytes are a
 * view into the reader's buffer, valid until the next object is asked for. Output that ends
 * mid-object throws a GitError (git failed; its exit status says why).
 */
export function* readCatFileOutput(fd: number, initialBytes = 4 << 20): Generator<CatFileItem> {
  let buf = Buffer.allocUnsafeSlow(initialBytes);
  let start = 0;
  let end = 0;
  let eof = false;
  /** Reads more after `end`, first making room for `need` bytes from `start`. */
  const fill = (need: number): void => {
    if (start + need > buf.length) {
      if (need > buf.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(need, buf.length * 2));
        buf.copy(bigger, 0, start, end);
        buf = bigger;
      } else buf.copyWithin(0, start, end);
      end -= start;
      start = 0;
    }
    for (;;) {
      try {
        const n = readSync(fd, buf, end, buf.length - end, null);
        if (n === 0) eof = true;
        end += n;
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EINTR' && code !== 'EAGAIN') throw err;
      }
    }
  };
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl === -1 || nl >= end) {
      if (eof) {
        if (start < end) throw new GitError('git cat-file ended mid-object');
        return;
      }
      fill(end - start + 4096);
      continue;
    }
    const header = parseHeader(buf.toString('latin1', start, nl));
    if ('missing' in header) {
      start = nl + 1;
      yield header;
      continue;
    }
    // the header, the object and the newline after it, counted from `start` (which fill may move)
    const headerLength = nl + 1 - start;
    const total = headerLength + header.size + 1;
    while (end - start < total) {
      if (eof) throw new GitError('git cat-file ended mid-object');
      fill(Math.max(total, end - start + 65536));
    }
    const body = start + headerLength;
    start += total;
    yield { ...header, bytes: buf.subarray(body, body + header.size) };
  }
}
