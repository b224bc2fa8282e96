// History benchmark: a deterministic synthetic repository (or --repo PATH), timed against the
// cost of merely reading it (cat-file --batch-all-objects) and of producing diffs (git log -p).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, makeFile } from './corpus.js';

/** Builds a repository with `commits` commits through git fast-import; cached by parameters. */
export function generateRepo(dir, { commits = 3000, filesPerCommit = 4, seed = 'keywarden-history-v1' } = {}) {
  const stamp = `${dir}.json`;
  const params = { commits, filesPerCommit, seed, version: 2 };
  if (existsSync(stamp) && existsSync(join(dir, 'HEAD'))) {
    try {
      if (JSON.stringify(JSON.parse(readFileSync(stamp, 'utf8')).params) === JSON.stringify(params)) return JSON.parse(readFileSync(stamp, 'utf8'));
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  spawnSync('git', ['init', '-q', '--bare', dir]);
  const r = new Rng(seed);
  const chunks = [];
  let planted = 0;
  const paths = Array.from({ length: 400 }, (_, i) => `src/pkg${i % 20}/file${i}`);
  for (let c = 1; c <= commits; c++) {
    let body = `commit refs/heads/main\nmark :${c}\nauthor Bench <bench@example.com> ${1600000000 + c * 600} +0000\ncommitter Bench <bench@example.com> ${1600000000 + c * 600} +0000\ndata 12\ncommit ${String(c).padStart(5, '0')}\n`;
    if (c > 1) body += `from :${c - 1}\n`;
    for (let f = 0; f < filesPerCommit; f++) {
      const { text, ext, plants } = makeFile(r, 8_000 + r.int(40_000), c % 50 === 0 && f === 0);
      planted += plants;
      const data = Buffer.from(text);
      body += `M 100644 inline ${r.pick(paths)}.${ext}\ndata ${data.length}\n`;
      chunks.push(Buffer.from(body), data, Buffer.from('\n'));
      body = '';
    }
    if (body) chunks.push(Buffer.from(body));
  }
  const imp = spawnSync('git', ['-C', dir, 'fast-import', '--quiet'], { input: Buffer.concat(chunks), maxBuffer: 1 << 30 });
  if (imp.status !== 0) throw new Error(`fast-import failed: ${imp.stderr}`);
  spawnSync('git', ['-C', dir, 'gc', '-q', '--aggressive'], { stdio: 'ignore' });
  const info = { params, planted };
  writeFileSync(stamp, JSON.stringify(info));
  return info;
}

export function uniqueBlobBytes(repo) {
  const r = spawnSync('git', ['-C', repo, 'cat-file', '--batch-all-objects', '--batch-check=%(objecttype) %(objectsize)', '--unordered'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  let n = 0;
  let bytes = 0;
  for (const line of r.stdout.split('\n')) {
    const [type, size] = line.split(' ');
    if (type === 'blob') {
      n++;
      bytes += Number(size);
    }
  }
  return { blobs: n, bytes };
}

export function tmpReport() {
  return join(tmpdir(), `kw-bench-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
}
