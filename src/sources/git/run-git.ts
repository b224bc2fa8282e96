// One short git command, its output collected. node:child_process rather than execa here: this
// runs on every commit through the pre-commit hook, where loading execa cost more (50-90 ms
// measured) than the git calls themselves.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync } from 'node:fs';

/**
 * Options for every git process keywarden starts. git maps pack files into memory whole by
 * default: reading an 8 GB repository, `cat-file` alone reached 2.6 GB of RSS. Smaller windows
 * keep it near 270 MB at the same speed (measured, bench/memory.js).
 */
export const GIT_MEMORY_OPTIONS = ['-c', 'core.packedGitLimit=256m', '-c', 'core.packedGitWindowSize=32m'];

export interface GitRun {
  stdout: Buffer;
  stderr: string;
  /** null when git could not be started (not installed) or was killed. */
  exitCode: number | null;
}

export function runGit(args: string[], opts: { input?: string; signal?: AbortSignal; maxBuffer?: number } = {}): Promise<GitRun> {
  const maxBuffer = opts.maxBuffer ?? 64 * 1024 * 1024;
  return new Promise((resolve) => {
    const child = spawn('git', [...GIT_MEMORY_OPTIONS, ...args], { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], signal: opts.signal });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      size += d.length;
      if (size > maxBuffer) child.kill();
      else chunks.push(d);
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      if (stderr.length < 8192) stderr += d;
    });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(opts.input);
    }
    let done = false;
    const finish = (exitCode: number | null): void => {
      if (done) return;
      done = true;
      resolve({ stdout: Buffer.concat(chunks), stderr, exitCode: size > maxBuffer ? null : exitCode });
    };
    child.on('error', () => finish(null));
    child.on('close', (code) => finish(code));
  });
}

/** stdout as text with the final newline trimmed, or undefined unless git exited 0. */
export async function gitText(args: string[], opts: { input?: string; signal?: AbortSignal } = {}): Promise<string | undefined> {
  const r = await runGit(args, opts);
  return r.exitCode === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

/** A long-running git child: its stderr (the first 4 KiB) and exit, watched from the start. */
export interface GitChild {
  child: ChildProcess;
  /** Resolves with the exit code (null: killed, or never started). */
  closed: Promise<number | null>;
  /** A GitError naming the command, the exit code and git's stderr. */
  failure(command: string, code: number | null): GitError;
}

/**
 * Starts `git -C repo ...args` with the memory options. `handOver` lists descriptors of this
 * process that git's stdio uses (a pipe's end, a file): they are closed here once git has its own
 * copies, so that a pipe's reader sees end-of-file when git exits.
 */
export function spawnGit(repo: string, args: string[], opts: { stdio: StdioOptions; signal?: AbortSignal; handOver?: number[] }): GitChild {
  let child: ChildProcess;
  try {
    child = spawn('git', [...GIT_MEMORY_OPTIONS, '-C', repo, ...args], { stdio: opts.stdio, signal: opts.signal });
  } finally {
    for (const fd of opts.handOver ?? []) closeSync(fd);
  }
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  child.on('error', () => undefined); // not started (or killed): `closed` says so
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    closed,
    failure: (command, code) => new GitError(`git ${command} failed (exit ${code})${stderr ? `: ${stderr.trim()}` : ''}`, stderr),
  };
}

/** A git failure, with git's stderr. */
export class GitError extends Error {
  constructor(message: string, readonly stderr = '') {
    super(message);
    this.name = 'GitError';
  }
}
