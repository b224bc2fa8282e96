#!/usr/bin/env node
// npm run bench:memory [-- --gb 8 --repo PATH --threads N]
// Peak memory of a full-history scan of a repository with many gigabytes of unique blobs: the
// generated repository holds --gb GB of distinct source-like blobs (each a rotation of a few MB
// of generated text under a unique header, so generating 8 GB takes minutes rather than hours).
// Prints wall time and peak RSS (/usr/bin/time) of `keywarden scan --history`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFile, Rng } from './corpus.js';
import { tmpReport, uniqueBlobBytes } from './history.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'keywarden.js');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : process.argv[i + 1];
}

/** A bare repository with about `gb` GB of unique blobs, 40 per commit; cached by parameters. */
export async function generateBigRepo(dir, gb) {
  const stamp = `${dir}.json`;
  const params = { gb, version: 2 };
  if (existsSync(stamp) && existsSync(join(dir, 'HEAD'))) {
    try {
      if (JSON.stringify(JSON.parse(readFileSync(stamp, 'utf8')).params) === JSON.stringify(params)) return;
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  spawnSync('git', ['init', '-q', '--bare', dir]);
  // level-1 zlib: generation is bounded by compression otherwise
  spawnSync('git', ['-C', dir, 'config', 'core.compression', '1']);
  const r = new Rng('keywarden-memory-v1');
  let base = '';
  // one planted secret in the 4 MB base text: a handful of findings per GB, as in a real repository
  while (base.length < 4_000_000) base += makeFile(r, 200_000, base.length === 0).text;
  const text = Buffer.from(base);
  const imp = spawn('git', ['-C', dir, 'fast-import', '--quiet', '--depth=0'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const write = async (b) => {
    if (!imp.stdin.write(b)) await once(imp.stdin, 'drain');
  };
  const target = gb * 1e9;
  let written = 0;
  let blob = 0;
  for (let c = 1; written < target; c++) {
    let head = `commit refs/heads/main\nmark :${c}\nauthor Bench <bench@example.com> ${1600000000 + c * 600} +0000\ncommitter Bench <bench@example.com> ${1600000000 + c * 600} +0000\ndata 6\nbench\n`;
    if (c > 1) head += `from :${c - 1}\n`;
    await write(head);
    for (let f = 0; f < 40 && written < target; f++, blob++) {
      const size = 100_000 + r.int(900_000);
      const at = r.int(text.length - size);
      const header = Buffer.from(`// blob ${blob} ${r.chars('abcdefghijklmnopqrstuvwxyz0123456789', 24)}\n`);
      const body = text.subarray(at, at + size);
      await write(`M 100644 inline src/m${blob % 97}/f${blob}.js\ndata ${header.length + body.length}\n`);
      await write(header);
      await write(body);
      await write('\n');
      written += header.length + body.length;
    }
    if (c % 50 === 0) process.stderr.write(`\rgenerating: ${(written / 1e9).toFixed(2)} / ${gb} GB`);
  }
  imp.stdin.end();
  const [code] = await once(imp, 'close');
  process.stderr.write('\n');
  if (code !== 0) throw new Error(`fast-import exited ${code}`);
  writeFileSync(stamp, JSON.stringify({ params }));
}

async function main() {
  const gb = Number(arg('gb', '8'));
  const given = arg('repo', undefined);
  const repo = given ? resolve(given) : join(ROOT, 'bench', '.corpus', `memory-${gb}gb`);
  if (!given) await generateBigRepo(repo, gb);
  const { blobs, bytes } = uniqueBlobBytes(repo);
  console.log(`# memory: ${given ? repo : `generated repository`}: ${blobs} unique blobs, ${(bytes / 1e9).toFixed(2)} GB`);
  const out = tmpReport();
  const threads = arg('threads', undefined);
  const args = [BIN, 'scan', repo, '--history', '--format', 'json', '--output', out, ...(threads ? ['--threads', threads] : [])];
  const t0 = process.hrtime.bigint();
  // /usr/bin/time reports the largest RSS of any process in the tree (node or one of its git
  // children); /proc's VmHWM, polled, is node's own (main thread and workers)
  const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let nodeHwm = 0;
  const poll = setInterval(() => {
    try {
      const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/);
      for (const pid of kids) {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) nodeHwm = Math.max(nodeHwm, Number(m[1]));
      }
    } catch {}
  }, 250);
  const [status] = await once(child, 'close');
  clearInterval(poll);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (status !== 0 && status !== 1) throw new Error(`keywarden exited ${status}: ${stderr}`);
  const rssKiB = Number(stderr.trim().split('\n').pop());
  const report = JSON.parse(readFileSync(out, 'utf8'));
  rmSync(out, { force: true });
  console.log(
    `keywarden scan --history: ${secs.toFixed(1)} s, ${(bytes / 1e6 / secs).toFixed(0)} MB/s, peak RSS ${(rssKiB / 1024).toFixed(0)} MiB ` +
      `(largest process of the tree; node itself ${(nodeHwm / 1024).toFixed(0)} MiB; target < 1024 MiB), ` +
      `${report.stats.blobsScanned} blobs scanned, ${report.findings.length} findings`,
  );
}

await main();
