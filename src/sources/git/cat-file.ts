// Streams object contents out of one long-lived `git cat-file --batch` process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { GIT_MEMORY_OPTIONS, GitError } from './run-git.js';

export type CatFileItem =
  | { oid: string; type: string; size: number; bytes: Buffer }
  | { oid: string; missing: true };

export { GitError };

export interface CatFileHeader {
  oid: string;
  type: string;
  size: number;
}

/** One header line of `git cat-file --batch` output (without its newline). */
export function parseHeader(line: string): CatFileHeader | { oid: string; missing: true } {
  const parts = line.split(' ');
  if (parts[1] === 'missing' || parts[1] === 'ambiguous') return { oid: parts[0]!, missing: true };
  const size = Number(parts[2]);
  if (parts.length !== 3 || !Number.isSafeInteger(size) || size < 0) throw new GitError(`unexpected git cat-file output: ${line.slice(0, 100)}`);
  return { oid: parts[0]!, type: parts[1]!, size };
}

/**
 * Yields the objects named by `oids`, in order. The oid list is written to git's stdin while its
 * output is read, so neither side holds more than a pipe's worth. `signal` kills git. With
 * `views`, an object's bytes are a view into git's output, valid only until the next object is
 * asked for (for a consumer that copies them at once); otherwise each object gets its own copy.
 */
export async function* catFileBatch(
  repo: string,
  oids: Iterable<string>,
  opts: { signal?: AbortSignal; views?: boolean } = {},
): AsyncGenerator<CatFileItem> {
  const child = spawn('git', [...GIT_MEMORY_OPTIONS, '-C', repo, 'cat-file', '--batch', '--buffer'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    signal: opts.signal,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = once(child, 'close').catch(() => [null]) as Promise<[number | null]>;
  child.stdin.on('error', () => undefined); // git died: reported through its exit status

  // Feed stdin with backpressure.
  const feeding = (async () => {
    for (const oid of oids) {
      if (!child.stdin.write(`${oid}\n`)) await once(child.stdin, 'drain').catch(() => undefined);
      if (child.stdin.destroyed) return;
    }
    child.stdin.end();
  })();

  let chunks: Buffer[] = [];
  let buffered = 0;
  const take = (n: number): Buffer => {
    const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    chunks = rest.length > 0 ? [rest] : [];
    buffered = rest.length;
    return out;
  };
  const indexOfNewline = (): number => {
    let offset = 0;
    for (const c of chunks) {
      const i = c.indexOf(0x0a);
      if (i !== -1) return offset + i;
      offset += c.length;
    }
    return -1;
  };

  let header: CatFileHeader | undefined;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      buffered += chunk.length;
      for (;;) {
        if (!header) {
          const nl = indexOfNewline();
          if (nl === -1) break;
          const parsed = parseHeader(take(nl + 1).toString('utf8', 0, nl));
          if ('missing' in parsed) {
            yield parsed;
            continue;
          }
          header = parsed;
        }
        if (buffered < header.size + 1) break;
        // copy out of git's chunk so one small blob does not pin a large buffer
        const view = take(header.size + 1).subarray(0, header.size);
        const bytes = opts.views ? view : Buffer.from(view);
        const h = header;
        header = undefined;
        yield { ...h, bytes };
      }
    }
    await feeding;
    const [code] = await exited;
    if (header || buffered > 0) throw new GitError(`git cat-file ended mid-object${stderr ? `: ${stderr.trim()}` : ''}`, stderr);
    if (code !== 0) throw new GitError(`git cat-file failed (exit ${code})${stderr ? `: ${stderr.trim()}` : ''}`, stderr);
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
