// git cat-file writing into an OS pipe, read back with blocking reads: what history workers do.
import { closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catFileIntoPipe, readCatFileOutput } from '../../src/sources/git/cat-file-pipe.js';
import { countBlobs, reachableBlobs } from '../../src/sources/git/objects.js';
import { osPipe, osPipesAvailable } from '../../src/sources/git/os-pipe.js';
import { git, gitInit, tempDir, writeTree } from '../support/cli.js';

function repoWith(files: Record<string, string | Buffer>): string {
  const d = tempDir('kw-pipe-');
  gitInit(d);
  writeTree(d, files);
  git(d, 'add', '.');
  git(d, 'commit', '-q', '-m', 'files');
  return d;
}

/**
 * Reads every object of a piped cat-file, copying the bytes (the reader reuses its buffer). Its
 * blocking reads would stall this thread's event loop, which feeds git: so git finishes first,
 * which the small outputs here (under a pipe's 64 KiB) allow. Workers read while git writes.
 */
async function readAll(repo: string, names: string[]): Promise<Array<{ oid: string; text?: string; missing?: boolean }>> {
  const cat = catFileIntoPipe(repo)!;
  cat.request(names.map((n) => `${n}\n`).join(''));
  cat.end();
  try {
    await cat.exited;
    const out = [];
    // a 64-byte buffer to start with: every object larger than that makes the reader grow it
    for (const item of readCatFileOutput(cat.readFd, 64)) out.push('missing' in item ? { oid: item.oid, missing: true } : { oid: item.oid, text: item.bytes.toString('latin1') });
    return out;
  } finally {
    cat.close();
  }
}

describe.runIf(osPipesAvailable())('piped git cat-file', () => {
  it('reads objects larger than its buffer, empty ones and missing ones, in the order asked', async () => {
    const big = 'x'.repeat(20_000) + '\nend\n';
    const d = repoWith({ 'big.txt': big, 'empty.txt': '', 'small.txt': 'hello\n' });
    const oid = (p: string): string => git(d, 'rev-parse', `HEAD:${p}`).trim();
    const absent = 'f'.repeat(40);
    const items = await readAll(d, [oid('small.txt'), oid('big.txt'), absent, oid('empty.txt'), oid('small.txt')]);
    expect(items).toEqual([
      { oid: oid('small.txt'), text: 'hello\n' },
      { oid: oid('big.txt'), text: big },
      { oid: absent, missing: true },
      { oid: oid('empty.txt'), text: '' },
      { oid: oid('small.txt'), text: 'hello\n' },
    ]);
  });

  it('output cut off mid-object is an error, not a short blob', () => {
    const pipe = osPipe(1 << 16)!;
    writeSync(pipe.write, `${'a'.repeat(40)} blob 10\nabc`);
    closeSync(pipe.write);
    try {
      expect(() => [...readCatFileOutput(pipe.read)]).toThrow(/ended mid-object/);
    } finally {
      closeSync(pipe.read);
    }
  });

  it('a header git would never print is an error', () => {
    const pipe = osPipe(1 << 16)!;
    writeSync(pipe.write, 'not a header at all\n');
    closeSync(pipe.write);
    try {
      expect(() => [...readCatFileOutput(pipe.read)]).toThrow(/unexpected git cat-file output/);
    } finally {
      closeSync(pipe.read);
    }
  });

  it('git failing (no such repository) rejects with its stderr', async () => {
    const cat = catFileIntoPipe(join(tempDir('kw-pipe-'), 'nope'))!;
    cat.request(`${'a'.repeat(40)}\n`);
    cat.end();
    await expect(cat.exited).rejects.toThrow(/git cat-file failed/);
    expect([...readCatFileOutput(cat.readFd)]).toEqual([]);
    cat.close();
  });
});

describe.runIf(osPipesAvailable())('the streamed history walk', () => {
  it('lists every reachable blob once, with its size and a path, and counts the stored ones', async () => {
    const d = repoWith({ 'a.txt': 'one\n', 'dir/b.txt': 'two two\n', 'dir/same.txt': 'one\n' });
    git(d, 'checkout', '-q', '-b', 'side');
    writeTree(d, { 'side.txt': 'side branch\n' });
    git(d, 'add', '.');
    git(d, 'commit', '-q', '-m', 'side');
    // written to the object store, never committed
    writeTree(d, { 'loose.txt': 'dangling\n' });
    git(d, 'hash-object', '-w', 'loose.txt');
    const listed = [];
    for await (const b of reachableBlobs(d)!) listed.push(b);
    const sizes = Object.fromEntries(listed.map((b) => ['path' in b ? b.path : '?', 'size' in b ? b.size : -1]));
    expect(listed).toHaveLength(3); // a.txt and dir/same.txt are one blob
    expect(sizes['dir/b.txt']).toBe(8);
    expect(sizes['side.txt']).toBe(12);
    expect(new Set(listed.map((b) => b.oid)).size).toBe(3);
    expect(await countBlobs(d)).toBe(4);
  });
});
