// History scans on real temporary repositories, through the built CLI.
import { chmodSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CONFIG } from '../support/demo-rules.js';
import { SeededRandom } from '../support/example-generator.js';
import { git, gitInit, runCli, tempDir, writeTree } from '../support/cli.js';

const CONFIG = `${DEMO_CONFIG}
[[rules]]
id = "demo-netrc"
description = "Demo path-scoped rule"
provider = "demo"
severity = "high"
keywords = ["passwd"]
regex = '''passwd\\s+(\\S{12,})'''
path = '''(?:^|/)\\.netrc$'''
`;

const rng = new SeededRandom('history-tests');
const token = (): string => `dmo_${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 24)}`;

function repo(): string {
  const d = tempDir('kw-hist-');
  gitInit(d);
  writeTree(d, { '.keywarden.toml': CONFIG, 'README.md': '# test\n' });
  git(d, 'add', '.');
  git(d, 'commit', '-q', '-m', 'init');
  return d;
}

function commitFile(d: string, path: string, content: string | Buffer, message: string): string {
  writeTree(d, { [path]: content });
  git(d, 'add', path);
  git(d, 'commit', '-q', '-m', message);
  return git(d, 'rev-parse', 'HEAD').trim();
}

interface Report {
  findings: Array<{ file: string; ruleId: string; line: number; commit?: { sha: string; message: string; author: string; email: string }; occurrences?: number; occurrenceList?: unknown[] }>;
  stats: { skipped: Record<string, number>; blobsScanned: number };
  diagnostics: Array<{ message: string; level: string }>;
  complete: boolean;
}

function history(d: string, ...args: string[]): { code: number; report: Report; stderr: string } {
  const r = runCli(['scan', '--history', d, '-f', 'json', ...args]);
  return { code: r.code, report: JSON.parse(r.stdout || '{}') as Report, stderr: r.stderr };
}

describe('keywarden scan --history', () => {
  it('finds a secret added and later deleted, attributed to the adding commit', () => {
    const d = repo();
    // over 1 MiB on disk, so that two threads take the streamed path (small repositories are planned first)
    commitFile(d, 'noise.bin', randomBytes(1_500_000), 'binary noise');
    const added = commitFile(d, 'config.js', `const k = "${token()}";\n`, 'add config');
    git(d, 'rm', '-q', 'config.js');
    git(d, 'commit', '-q', '-m', 'remove config');
    for (const threads of ['1', '2']) {
      // the attribution log git writes during the scan goes to a private temporary file, removed after
      const tmp = tempDir('kw-tmp-');
      const r = runCli(['scan', '--history', d, '-f', 'json', '--threads', threads], { env: { ...process.env, TMPDIR: tmp } });
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.findings).toHaveLength(1);
      expect(report.findings[0]).toMatchObject({ file: 'config.js', line: 1, commit: { sha: added, message: 'add config', author: 'Test Author', email: 'author@example.com' } });
      expect(readdirSync(tmp)).toEqual([]);
    }
    // no usable temporary directory: the walk runs after the scan instead, with the same result
    const notADir = join(tempDir('kw-tmp-'), 'file');
    writeFileSync(notADir, '');
    const r = runCli(['scan', '--history', d, '-f', 'json'], { env: { ...process.env, TMPDIR: notADir } });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as Report).findings[0]).toMatchObject({ file: 'config.js', commit: { sha: added } });
  });

  it('finds secrets only on another branch, on a tag, and in the stash', () => {
    const d = repo();
    git(d, 'checkout', '-q', '-b', 'feature');
    commitFile(d, 'feature.txt', `${token()}\n`, 'feature secret');
    git(d, 'checkout', '-q', 'main');
    git(d, 'checkout', '-q', '--orphan', 'tagged');
    commitFile(d, 'tagged.txt', `${token()}\n`, 'tagged secret');
    git(d, 'tag', 'v-secret');
    git(d, 'checkout', '-q', 'main');
    git(d, 'branch', '-D', 'tagged');
    writeTree(d, { 'README.md': `# test ${token()}\n` });
    git(d, 'stash', '-q');
    const files = history(d).report.findings.map((f) => f.file).sort();
    expect(files).toEqual(['README.md', 'feature.txt', 'tagged.txt']);
  });

  it('does not double count merges and counts each blob version as an occurrence', () => {
    const d = repo();
    const secret = token();
    git(d, 'checkout', '-q', '-b', 'feature');
    const added = commitFile(d, 'app.txt', `${secret}\n`, 'add secret');
    commitFile(d, 'app.txt', `${secret}\nmore\n`, 'edit file, secret stays');
    git(d, 'checkout', '-q', 'main');
    commitFile(d, 'other.txt', 'x\n', 'main work');
    git(d, 'merge', '-q', '--no-ff', '-m', 'merge feature', 'feature');
    const { report } = history(d, '--all-occurrences');
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]!.commit!.sha).toBe(added);
    expect(report.findings[0]!.occurrences).toBe(2);
    expect(report.findings[0]!.occurrenceList).toHaveLength(2);
  });

  it('does not duplicate a finding when its file is renamed', () => {
    const d = repo();
    const added = commitFile(d, 'old.txt', `${token()}\n`, 'add');
    git(d, 'mv', 'old.txt', 'new.txt');
    git(d, 'commit', '-q', '-m', 'rename');
    const { report } = history(d);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ file: 'old.txt', commit: { sha: added } });
  });

  it('skips binary blobs, LFS pointers and submodule entries', () => {
    const d = repo();
    writeTree(d, {
      'bin.dat': Buffer.concat([Buffer.from([0, 0, 1]), Buffer.from(token())]),
      'big.psd': `version https://git-lfs.github.com/spec/v1\noid sha256:${'a'.repeat(64)}\nsize 12345\n`,
    });
    git(d, 'add', '.');
    const head = git(d, 'rev-parse', 'HEAD').trim();
    git(d, 'update-index', '--add', '--cacheinfo', `160000,${head},vendor/sub`);
    git(d, 'commit', '-q', '-m', 'binary, lfs, submodule');
    const { code, report } = history(d);
    expect(code).toBe(0);
    expect(report.stats.skipped).toMatchObject({ binary: 1, lfs: 1 });
  });

  it('applies path-scoped rules to the path the blob was committed at', () => {
    const d = repo();
    const pw = `passwd ${rng.chars('abcdefghijkmnopqrstuvwxyz23456789', 16)}\n`;
    commitFile(d, 'home/.netrc', pw, 'netrc');
    commitFile(d, 'notes.txt', `${pw}x\n`, 'notes');
    const { report } = history(d);
    expect(report.findings.map((f) => `${f.file} ${f.ruleId}`)).toEqual(['home/.netrc demo-netrc']);
  });

  it('a corrupt object makes the scan fail with exit 2 and a diagnostic, not a crash', () => {
    const d = repo();
    commitFile(d, 'x.txt', `${token()}\n`, 'secret');
    const oid = git(d, 'rev-parse', 'HEAD:x.txt').trim();
    const obj = join(d, '.git', 'objects', oid.slice(0, 2), oid.slice(2));
    chmodSync(obj, 0o644);
    writeFileSync(obj, Buffer.from('this is not a zlib stream'));
    const { code, stderr } = history(d);
    expect(code).toBe(2);
    expect(stderr).toMatch(/keywarden: /);
    expect(stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('with worker threads, a corrupt object is exit 2 and a diagnostic too, and a secret elsewhere is still found', () => {
    const d = repo();
    // over 4 MiB of blobs (and 1 MiB on disk), so the scan takes the worker path
    for (let i = 0; i < 6; i++) writeTree(d, { [`fill${i}.txt`]: `${rng.chars('abcdefghij ', 1 << 20)}\n` });
    git(d, 'add', '.');
    git(d, 'commit', '-q', '-m', 'filler');
    const found = token();
    commitFile(d, 'found.txt', `${found}\n`, 'found');
    const clean = history(d, '--threads', '2');
    expect(clean.code).toBe(1);
    expect(clean.report.findings.map((f) => f.file)).toEqual(['found.txt']);
    commitFile(d, 'x.txt', `${token()}\n`, 'secret');
    const oid = git(d, 'rev-parse', 'HEAD:x.txt').trim();
    const obj = join(d, '.git', 'objects', oid.slice(0, 2), oid.slice(2));
    chmodSync(obj, 0o644);
    writeFileSync(obj, Buffer.from('this is not a zlib stream'));
    const { code, stderr } = history(d, '--threads', '2');
    expect(code).toBe(2);
    expect(stderr).toMatch(/keywarden: /);
    expect(stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('two secrets at the same place in two versions of a file are reported in one order, whatever the threads', () => {
    const d = repo();
    for (let i = 0; i < 6; i++) writeTree(d, { [`fill${i}.txt`]: `${rng.chars('abcdefghij ', 1 << 20)}\n` });
    git(d, 'add', '.');
    git(d, 'commit', '-q', '-m', 'filler');
    for (let v = 0; v < 4; v++) commitFile(d, 'same.txt', `key = ${token()}\n`, `version ${v}`);
    const runs = ['1', '2', '3'].map((t) => history(d, '--threads', t).report.findings);
    expect(runs[0]!.map((f) => `${f.file}:${f.line}`)).toEqual(Array(4).fill('same.txt:1'));
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it('a reachable object missing from the repository fails the full-history scan with exit 2', () => {
    const d = repo();
    commitFile(d, 'x.txt', `${token()}\n`, 'secret');
    const oid = git(d, 'rev-parse', 'HEAD:x.txt').trim();
    rmSync(join(d, '.git', 'objects', oid.slice(0, 2), oid.slice(2)));
    const { code, report } = history(d);
    expect(code).toBe(2);
    expect(report.diagnostics.map((x) => x.message).join('\n')).toMatch(new RegExp(`${oid}.*missing`));
  });

  it('does not report blobs no commit reaches (written but never committed)', () => {
    const d = repo();
    writeTree(d, { 'loose.txt': `${token()}\n` });
    git(d, 'hash-object', '-w', 'loose.txt');
    rmSync(join(d, 'loose.txt'));
    const { code, report } = history(d);
    expect(code).toBe(0);
    expect(report.stats.skipped.unreachable).toBe(1);
  });

  it('a missing object in a range is a diagnostic and exit 2', () => {
    const d = repo();
    const base = git(d, 'rev-parse', 'HEAD').trim();
    commitFile(d, 'x.txt', `${token()}\n`, 'secret');
    const oid = git(d, 'rev-parse', 'HEAD:x.txt').trim();
    rmSync(join(d, '.git', 'objects', oid.slice(0, 2), oid.slice(2)));
    const { code, report } = history(d, '--range', `${base}..HEAD`);
    expect(code).toBe(2);
    expect(report.complete).toBe(false);
    expect(report.diagnostics.map((x) => x.message).join('\n')).toMatch(/missing/);
  });

  it('exits 2 with a clear message outside a git repository', () => {
    const r = runCli(['scan', '--history', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a git repository/);
  });
});

describe('keywarden scan --range / --since-commit', () => {
  it('scans only blobs introduced by commits in the range', () => {
    const d = repo();
    commitFile(d, 'old.txt', `${token()}\n`, 'old secret');
    const base = git(d, 'rev-parse', 'HEAD').trim();
    const added = commitFile(d, 'new.txt', `${token()}\n`, 'new secret');
    for (const args of [['--range', `${base}..HEAD`], ['--since-commit', base]]) {
      const r = runCli(['scan', d, '-f', 'json', ...args]);
      const report = JSON.parse(r.stdout) as Report;
      expect(r.code).toBe(1);
      expect(report.findings.map((f) => f.file)).toEqual(['new.txt']);
      expect(report.findings[0]!.commit!.sha).toBe(added);
    }
  });

  it('an unknown revision exits 2', () => {
    const d = repo();
    const r = runCli(['scan', d, '--range', 'nope..HEAD']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown revision "nope"/);
  });

  it('in GitHub Actions detects the pull-request range from the event payload', () => {
    const d = repo();
    const base = commitFile(d, 'old.txt', `${token()}\n`, 'old secret');
    const head = commitFile(d, 'pr.txt', `${token()}\n`, 'pr secret');
    const event = join(tempDir(), 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: base }, head: { sha: head } } }));
    const r = runCli(['scan', '--history', d, '-f', 'json'], {
      env: { CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event },
    });
    expect(r.stderr).toMatch(/pull_request: scanning/);
    expect((JSON.parse(r.stdout) as Report).findings.map((f) => f.file)).toEqual(['pr.txt']);
  });

  it('in a shallow clone whose base commit is missing, fails closed with exit 2 and says how to fix it', () => {
    const src = repo();
    const base = commitFile(src, 'a.txt', 'a\n', 'a');
    commitFile(src, 'b.txt', 'b\n', 'b');
    const head = commitFile(src, 'c.txt', `${token()}\n`, 'c');
    const clone = join(tempDir(), 'clone');
    git(src, 'clone', '-q', '--depth', '1', `file://${src}`, clone);
    const event = join(tempDir(), 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: base }, head: { sha: head } } }));
    const r = runCli(['scan', '--history', clone], {
      env: { CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shallow clone.*fetch-depth: 0/);
  });

  it('in GitLab merge request pipelines uses CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA', () => {
    const d = repo();
    const base = commitFile(d, 'old.txt', `${token()}\n`, 'old');
    const head = commitFile(d, 'mr.txt', `${token()}\n`, 'mr');
    const r = runCli(['scan', '--history', d, '-f', 'json'], {
      env: { CI: 'true', GITLAB_CI: 'true', CI_MERGE_REQUEST_DIFF_BASE_SHA: base, CI_COMMIT_SHA: head },
    });
    expect((JSON.parse(r.stdout) as Report).findings.map((f) => f.file)).toEqual(['mr.txt']);
  });
});

describe('keywarden scan --staged', () => {
  it('scans exactly the index, not the working tree', () => {
    const d = repo();
    commitFile(d, 'edit.txt', 'clean\n', 'edit');
    writeTree(d, { 'staged.txt': `${token()}\n` });
    git(d, 'add', 'staged.txt');
    writeTree(d, { 'unstaged.txt': `${token()}\n` });
    // the working tree has a secret in a file whose staged version is clean
    writeTree(d, { 'edit.txt': `${token()}\n` });
    const r = runCli(['scan', '--staged', d, '-f', 'json']);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as Report).findings.map((f) => f.file)).toEqual(['staged.txt']);
  });

  it('works in a repository with no commits yet', () => {
    const d = tempDir();
    gitInit(d);
    writeTree(d, { '.keywarden.toml': CONFIG, 'a.txt': `${token()}\n` });
    git(d, 'add', '.');
    const r = runCli(['scan', '--staged', d, '-f', 'json']);
    expect(r.code).toBe(1);
  });

  it('nothing staged exits 0', () => {
    const d = repo();
    expect(runCli(['scan', '--staged', d]).code).toBe(0);
  });
});

