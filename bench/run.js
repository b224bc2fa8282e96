#!/usr/bin/env node
// npm run bench [-- --size MB --runs N --secretlint-size MB --secretlint-runs N --skip-secretlint --history-only --skip-history --history-repo PATH --commits N]
// Working-tree throughput of keywarden on one core with all default rules, and secretlint's
// (recommended preset) on the same tree, as a ratio. Medians of --runs runs; wall clock.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus, makeFile, Rng } from './corpus.js';
import { generateRepo, tmpReport, uniqueBlobBytes } from './history.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'keywarden.js');
const CACHE = join(ROOT, 'bench', '.corpus');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : process.argv[i + 1];
}
const flag = (name) => process.argv.includes(`--${name}`);

const sizeMB = Number(arg('size', '300'));
const runs = Number(arg('runs', '3'));
const slSizeMB = Number(arg('secretlint-size', '8'));
// secretlint takes ~75 s per 100 MB here: fewer runs of it keep a same-tree run at that size short
const slRuns = Number(arg('secretlint-runs', String(runs)));
const oneCore = existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', '0'] : [];
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs a command, returning wall seconds and peak RSS (KiB, when /usr/bin/time is available). */
export function timed(cmd, args, opts = {}) {
  const pin = opts.allCores ? [] : oneCore;
  const full = timeBin ? [timeBin, '-f', '%M', ...pin, cmd, ...args] : [...pin, cmd, ...args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  let rssKiB;
  if (timeBin) {
    const lines = r.stderr.trim().split('\n');
    rssKiB = Number(lines[lines.length - 1]);
  }
  return { secs, rssKiB, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function keywardenScan(dir, { allCores = false, portable = false, scalar = false } = {}) {
  const out = join(tmpdir(), `kw-bench-${process.pid}.json`);
  const threads = allCores ? [] : ['--threads', '1'];
  // portable: the RE2.Set prefilter and JS decoding scan, as on a machine without the native addon;
  // scalar: the addon without its vector paths (AVX-512 or AVX2), as on arm64
  const env = portable ? { ...process.env, KEYWARDEN_NATIVE: '0' } : scalar ? { ...process.env, KEYWARDEN_VECTOR: '0' } : process.env;
  const r = timed(process.execPath, [BIN, 'scan', dir, '--no-gitignore', ...threads, '--format', 'json', '--output', out], { allCores, env });
  if (r.status !== 0 && r.status !== 1) throw new Error(`keywarden exited ${r.status}: ${r.stderr}`);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  rmSync(out, { force: true });
  return { ...r, report };
}

function secretlintScan(dir) {
  const rc = join(dir, '.secretlintrc.json');
  writeFileSync(rc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
  const bin = join(ROOT, 'node_modules', 'secretlint', 'bin', 'secretlint.js');
  const r = timed(process.execPath, [bin, '**/*', '--secretlintrc', rc, '--format', 'json', '--maskSecrets'], { cwd: dir });
  if (r.status !== 0 && r.status !== 1) throw new Error(`secretlint exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  return r;
}

function historyBench() {
  const given = arg('history-repo', undefined);
  let repo = given && resolve(given);
  if (!repo) {
    repo = join(CACHE, 'history-repo');
    generateRepo(repo, { commits: Number(arg('commits', '3000')) });
  }
  const { blobs, bytes } = uniqueBlobBytes(repo);
  console.log(`\n# history: ${given ? repo : 'synthetic repository (bench/history.js)'}: ${blobs} unique blobs, ${(bytes / 1e6).toFixed(0)} MB`);
  const devnull = { stdio: ['ignore', 'ignore', 'pipe'], allCores: true };
  const read = [];
  const logp = [];
  const kw = [];
  for (let i = 0; i < runs; i++) {
    read.push(timed('git', ['-C', repo, 'cat-file', '--batch-all-objects', '--batch', '--unordered'], devnull));
    logp.push(timed('git', ['-C', repo, 'log', '-p', '-U0', '--full-history', '--all'], devnull));
    const out = tmpReport();
    const r = timed(process.execPath, [BIN, 'scan', '--history', repo, '--format', 'json', '--output', out], { allCores: true });
    if (r.status !== 0 && r.status !== 1) throw new Error(`keywarden exited ${r.status}: ${r.stderr}`);
    r.report = JSON.parse(readFileSync(out, 'utf8'));
    rmSync(out, { force: true });
    kw.push(r);
  }
  const m = (xs) => median(xs.map((x) => x.secs));
  const rss = kw[0].rssKiB ? `${(median(kw.map((x) => x.rssKiB)) / 1024).toFixed(0)} MiB` : 'n/a';
  console.log(`git cat-file --batch-all-objects --batch --unordered: ${m(read).toFixed(2)} s (runs ${read.map((x) => x.secs.toFixed(2)).join(', ')})`);
  console.log(`git log -p -U0 --full-history --all:                 ${m(logp).toFixed(2)} s (runs ${logp.map((x) => x.secs.toFixed(2)).join(', ')})`);
  console.log(`keywarden scan --history:                            ${m(kw).toFixed(2)} s (runs ${kw.map((x) => x.secs.toFixed(2)).join(', ')}), peak RSS ${rss}, ${kw[0].report.stats.findings} findings`);
  console.log(`ratio keywarden / cat-file read: ${(m(kw) / m(read)).toFixed(2)}x (target <= 1.5)`);
  console.log(`ratio keywarden / git log -p:    ${(m(kw) / m(logp)).toFixed(2)}x (target < 1)`);
}

function stagedBench() {
  const dir = join(tmpdir(), `kw-bench-staged-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const g = (...a) => spawnSync('git', ['-C', dir, ...a], { stdio: 'ignore' });
  g('init', '-q');
  g('config', 'user.email', 'b@example.com');
  g('config', 'user.name', 'Bench');
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  g('add', '.');
  g('commit', '-q', '-m', 'init');
  const r = new Rng('staged');
  for (let i = 0; i < 5; i++) writeFileSync(join(dir, `file${i}.txt`), makeFile(r, 6000, false).text);
  g('add', '.');
  const times = [];
  const n = Math.max(runs, 10);
  for (let i = 0; i < n; i++) times.push(timed(process.execPath, [BIN, 'scan', '--staged', dir], { allCores: true }).secs);
  const node = [];
  for (let i = 0; i < n; i++) node.push(timed(process.execPath, ['-e', '0'], { allCores: true }).secs);
  console.log(`\n# staged scan of a 5-file change (${n} runs): median ${(median(times) * 1000).toFixed(0)} ms end to end (target <= 300 ms); bare \`node -e 0\`: ${(median(node) * 1000).toFixed(0)} ms`);
  rmSync(dir, { recursive: true, force: true });
}

function main() {
  mkdirSync(CACHE, { recursive: true });
  console.log(`# keywarden working-tree benchmark`);
  console.log(`node ${process.version}, ${oneCore.length ? 'pinned to one core (taskset -c 0)' : 'not pinned (no taskset)'}, ${runs} runs each after one uncounted run, medians\n`);

  const big = join(CACHE, `synthetic-${sizeMB}mb`);
  const info = generateCorpus(big, { totalBytes: sizeMB * 1e6 });
  console.log(`corpus: ${info.files} files, ${(info.bytes / 1e6).toFixed(1)} MB, ${info.planted} planted secrets`);
  const kw = [];
  const portable = [];
  const scalar = [];
  // one run first, not counted: it reads the corpus into the page cache (the first run after
  // generating, building or another benchmark measured the disk, ~1 s more, not the scanner)
  keywardenScan(big);
  // alternated, so both see the same machine
  for (let i = 0; i < runs; i++) {
    kw.push(keywardenScan(big));
    portable.push(keywardenScan(big, { portable: true }));
    scalar.push(keywardenScan(big, { scalar: true }));
  }
  const kwSecs = median(kw.map((r) => r.secs));
  const kwMBs = info.bytes / 1e6 / kwSecs;
  const rep = kw[0].report;
  console.log(
    `keywarden: ${kwSecs.toFixed(2)} s, ${kwMBs.toFixed(0)} MB/s, peak RSS ${kw[0].rssKiB ? `${(median(kw.map((r) => r.rssKiB)) / 1024).toFixed(0)} MiB` : 'n/a'}, ` +
      `${rep.stats.findings} findings (${rep.stats.rulesLoaded} rules); runs: ${kw.map((r) => r.secs.toFixed(2)).join(', ')} s`,
  );

  const pSecs = median(portable.map((r) => r.secs));
  console.log(
    `keywarden, portable prefilter (KEYWARDEN_NATIVE=0): ${pSecs.toFixed(2)} s, ${(info.bytes / 1e6 / pSecs).toFixed(0)} MB/s, ` +
      `${portable[0].report.stats.findings} findings; native is ${(pSecs / kwSecs).toFixed(2)}x faster; runs: ${portable.map((r) => r.secs.toFixed(2)).join(', ')} s`,
  );

  const sSecs = median(scalar.map((r) => r.secs));
  console.log(
    `keywarden, native addon without its vector paths (KEYWARDEN_VECTOR=0): ${sSecs.toFixed(2)} s, ${(info.bytes / 1e6 / sSecs).toFixed(0)} MB/s, ` +
      `${scalar[0].report.stats.findings} findings; runs: ${scalar.map((r) => r.secs.toFixed(2)).join(', ')} s`,
  );

  const all = [];
  for (let i = 0; i < runs; i++) all.push(keywardenScan(big, { allCores: true }));
  const allSecs = median(all.map((r) => r.secs));
  console.log(`keywarden, all cores (worker threads): ${allSecs.toFixed(2)} s, ${(info.bytes / 1e6 / allSecs).toFixed(0)} MB/s; runs: ${all.map((r) => r.secs.toFixed(2)).join(', ')} s`);

  if (flag('skip-secretlint')) return;
  // its own name: a different seed from the main corpus, which may have the same size
  const small = join(CACHE, `synthetic-secretlint-${slSizeMB}mb`);
  const sinfo = generateCorpus(small, { totalBytes: slSizeMB * 1e6, seed: 'keywarden-bench-small-v1' });
  console.log(`\nsame-tree comparison: ${sinfo.files} files, ${(sinfo.bytes / 1e6).toFixed(1)} MB`);
  const kwS = [];
  const sl = [];
  for (let i = 0; i < Math.max(runs, slRuns); i++) {
    if (i < runs) kwS.push(keywardenScan(small));
    if (i < slRuns) sl.push(secretlintScan(small));
  }
  const kwSmallMBs = sinfo.bytes / 1e6 / median(kwS.map((r) => r.secs));
  const slMBs = sinfo.bytes / 1e6 / median(sl.map((r) => r.secs));
  console.log(`keywarden:  ${median(kwS.map((r) => r.secs)).toFixed(2)} s, ${kwSmallMBs.toFixed(1)} MB/s`);
  console.log(`secretlint: ${median(sl.map((r) => r.secs)).toFixed(2)} s, ${slMBs.toFixed(2)} MB/s (runs: ${sl.map((r) => r.secs.toFixed(1)).join(', ')} s)`);
  console.log(`ratio (same tree, end to end incl. start-up): ${(kwSmallMBs / slMBs).toFixed(0)}x`);
  console.log(`ratio (keywarden on ${sizeMB} MB vs secretlint): ${(kwMBs / slMBs).toFixed(0)}x`);
}

function all() {
  if (!flag('history-only')) main();
  if (!flag('skip-history')) {
    historyBench();
    stagedBench();
  }
}

all();
