// Which blobs a history, range or staged scan covers. Every git call takes arguments as an array.
import { GitError } from './cat-file.js';
import { osPipe } from './os-pipe.js';
import { gitText, runGit, spawnGit } from './run-git.js';

export interface BlobRef {
  oid: string;
  size: number;
}

/** A blob as introduced by a commit at a path (range and staged scans know this up front). */
export interface BlobOccurrence {
  oid: string;
  path: string;
  commit?: string;
}

/**
 * Runs a git command that prints lines (or NUL-terminated records, `nul`), yielding them a chunk
 * of git's output at a time; rejects with git's stderr on failure.
 */
export async function* gitLineBatches(
  repo: string,
  args: string[],
  opts: { signal?: AbortSignal; nul?: boolean; /** a file descriptor git reads its input from (closed here once git has it) */ stdin?: number } = {},
): AsyncGenerator<string[]> {
  const git = spawnGit(repo, args, { stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'], signal: opts.signal, handOver: opts.stdin === undefined ? [] : [opts.stdin] });
  const { child } = git;
  try {
    child.stdout!.setEncoding('utf8');
    yield* splitBatches(child.stdout! as AsyncIterable<string>, opts.nul ? '\0' : '\n');
    const code = await git.closed;
    if (code !== 0) throw git.failure(args[0]!, code);
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

/**
 * Text split into lines (or records) by `sep`, a chunk's at once: readline's per-line machinery,
 * and an async step per line, cost the history scan's listing and attribution tenths of a second.
 */
export async function* splitBatches(text: AsyncIterable<string>, sep: string): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of text) {
    const parts = (rest + chunk).split(sep);
    rest = parts.pop()!;
    if (parts.length > 0) yield parts;
  }
  if (rest) yield [rest];
}

/** gitLineBatches, a line at a time. */
export async function* gitLines(repo: string, args: string[], opts: Parameters<typeof gitLineBatches>[2] = {}): AsyncGenerator<string> {
  for await (const batch of gitLineBatches(repo, args, opts)) yield* batch;
}

/**
 * Every blob in the object store, in pack order (which is ~3x faster to read than hash order).
 * Objects git cannot read come back with size -1.
 */
export async function* allBlobs(repo: string, signal?: AbortSignal): AsyncGenerator<BlobRef> {
  for await (const line of gitLines(
    repo,
    ['cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype) %(objectsize)', '--unordered'],
    { signal },
  )) {
    const [oid, type, size] = line.split(' ');
    if (type === 'blob') yield { oid: oid!, size: Number(size) };
    // a corrupt object is reported as missing: pass it on so the scan fails closed
    else if (type === 'missing') yield { oid: oid!, size: -1 };
  }
}

/**
 * Every object reachable from every ref (branches, tags, remotes, stash), with the path it was
 * first seen at; objects git cannot find are yielded with `missing`.
 */
export async function* reachableObjects(repo: string, signal?: AbortSignal): AsyncGenerator<{ oid: string; path?: string; missing?: boolean }> {
  for await (const line of gitLines(repo, ['rev-list', '--objects', '--all', '--missing=print'], { signal })) {
    if (line.startsWith('?')) {
      yield { oid: line.slice(1).trim(), missing: true };
      continue;
    }
    const sp = line.indexOf(' ');
    yield sp === -1 ? { oid: line } : { oid: line.slice(0, sp), path: line.slice(sp + 1) };
  }
}

/** A blob reachable from a ref, with the first path it was seen at, as `rev-list --objects` lists it. */
export type ListedBlob = { oid: string; size: number; path: string } | { oid: string; missing: true };

/**
 * Every blob reachable from every ref (branches, tags, remotes, stash), streamed as git walks the
 * history: `git rev-list --objects --all` piped straight into `git cat-file --batch-check`, which
 * adds each object's size. Objects git cannot find come back missing. Needs an OS pipe from the
 * native addon; undefined without one.
 */
export function reachableBlobs(repo: string, signal?: AbortSignal): AsyncGenerator<ListedBlob> | undefined {
  const pipe = osPipe(1 << 20);
  if (!pipe) return undefined;
  // no --filter=object:type=blob: git before 2.32 rejects it; cat-file names the types anyway
  const walk = spawnGit(repo, ['rev-list', '--objects', '--all', '--missing=print'], { stdio: ['ignore', pipe.write, 'pipe'], signal, handOver: [pipe.write] });
  return (async function* () {
    try {
      const batches = gitLineBatches(repo, ['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize) %(rest)'], { signal, stdin: pipe.read });
      for await (const batch of batches) for (const line of batch) {
        // "?<oid> missing" for what rev-list could not find, "<oid> missing" for what cat-file could not
        const oid = line.slice(line.startsWith('?') ? 1 : 0, line.indexOf(' '));
        const typeEnd = line.indexOf(' ', oid.length + 2);
        const type = line.slice(line.indexOf(' ') + 1, typeEnd === -1 ? undefined : typeEnd);
        if (type === 'missing' || line.startsWith('?')) {
          yield { oid, missing: true };
          continue;
        }
        if (type !== 'blob') continue;
        const sizeEnd = line.indexOf(' ', typeEnd + 1);
        yield { oid, size: Number(line.slice(typeEnd + 1, sizeEnd === -1 ? undefined : sizeEnd)), path: sizeEnd === -1 ? '' : line.slice(sizeEnd + 1) };
      }
      const code = await walk.closed;
      if (code !== 0) throw walk.failure('rev-list', code);
    } finally {
      if (walk.child.exitCode === null) walk.child.kill();
    }
  })();
}

/** How many blobs the object store holds, reachable or not. */
export async function countBlobs(repo: string, signal?: AbortSignal): Promise<number> {
  let n = 0;
  for await (const batch of gitLineBatches(repo, ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype)', '--unordered'], { signal })) {
    for (const line of batch) if (line === 'blob') n++;
  }
  return n;
}

export interface RawChange {
  status: string;
  oldMode: string;
  newMode: string;
  oldOid: string;
  newOid: string;
  path: string;
}

/** Regular files and executables; not symlinks (120000) or submodule commits (160000). */
export function isFileMode(mode: string): boolean {
  return mode === '100644' || mode === '100755' || mode === '100664';
}

/**
 * Parses `--raw -z` output: commit headers (tokens starting with \x01, from --format=%x01...)
 * and records ":old-mode new-mode old-oid new-oid status\0path\0[path2\0]", a chunk of git's
 * output at a time.
 */
export function rawChanges(repo: string, args: string[], signal?: AbortSignal): AsyncGenerator<Array<{ header: string } | RawChange>> {
  return parseRawChanges(gitLineBatches(repo, args, { signal, nul: true }));
}

/** rawChanges over `--raw -z` output already split at its NUL bytes (e.g. from a file git wrote). */
export async function* parseRawChanges(records: AsyncIterable<string[]>): AsyncGenerator<Array<{ header: string } | RawChange>> {
  let pending: (Omit<RawChange, 'path'> & { paths: number }) | undefined;
  let paths: string[] = [];
  for await (const batch of records) {
    const out: Array<{ header: string } | RawChange> = [];
    for (const raw of batch) {
      if (pending) {
        paths.push(raw);
        if (paths.length === pending.paths) {
          const { paths: _n, ...rec } = pending;
          out.push({ ...rec, path: paths[paths.length - 1]! });
          pending = undefined;
          paths = [];
        }
        continue;
      }
      const tok = raw.charCodeAt(0) === 10 ? raw.replace(/^\n+/, '') : raw;
      if (tok.charCodeAt(0) === 1) {
        out.push({ header: tok.slice(1) });
        continue;
      }
      if (tok.charCodeAt(0) !== 58 /* : */) continue;
      const [oldMode, newMode, oldOid, newOid, status] = tok.slice(1).split(' ');
      const st = status ?? '';
      pending = {
        status: st,
        oldMode: oldMode!,
        newMode: newMode!,
        oldOid: oldOid!,
        newOid: newOid!,
        paths: st.charCodeAt(0) === 82 /* R */ || st.charCodeAt(0) === 67 /* C */ ? 2 : 1,
      };
    }
    if (out.length > 0) yield out;
  }
}

/** What the object store takes on disk, loose and packed, in KiB (from `git count-objects -v`). */
export async function storedKiB(repo: string): Promise<number | undefined> {
  const out = await gitText(['-C', repo, 'count-objects', '-v']);
  if (out === undefined) return undefined;
  let kib = 0;
  for (const line of out.split('\n')) {
    const [key, value] = line.split(': ');
    if (key === 'size' || key === 'size-pack') kib += Number(value) || 0;
  }
  return kib;
}

export async function isShallow(repo: string): Promise<boolean> {
  return (await gitText(['-C', repo, 'rev-parse', '--is-shallow-repository'])) === 'true';
}

export async function commitExists(repo: string, rev: string): Promise<boolean> {
  return (await runGit(['-C', repo, 'cat-file', '-e', `${rev}^{commit}`])).exitCode === 0;
}

/** The empty tree's id in this repository's object format (SHA-1 or SHA-256). */
export async function emptyTree(repo: string): Promise<string> {
  const oid = await gitText(['-C', repo, 'hash-object', '-t', 'tree', '--stdin'], { input: '' });
  if (!oid) throw new GitError(`git hash-object failed in ${repo}`);
  return oid;
}

/** The index's blobs that differ from HEAD: exactly what `git commit` is about to record. */
export async function stagedBlobs(repo: string, signal?: AbortSignal): Promise<BlobOccurrence[]> {
  const base = (await commitExists(repo, 'HEAD')) ? 'HEAD' : await emptyTree(repo);
  const args = ['diff', '--cached', '--raw', '-z', '--no-abbrev', '--no-renames', '--diff-filter=AMT', '--ignore-submodules=all', base];
  const out: BlobOccurrence[] = [];
  for await (const batch of rawChanges(repo, args, signal)) {
    for (const c of batch) if (!('header' in c) && isFileMode(c.newMode)) out.push({ oid: c.newOid, path: c.path });
  }
  return out;
}
