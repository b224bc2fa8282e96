// Unusual repositories, scanned through the built CLI. test/e2e/history.test.ts covers deletion,
// branches, tags, stash, merges, renames, corrupt and missing objects, LFS pointers, gitlinks,
// ranges in a shallow clone; this file covers the rest of issue #7's list.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitInit, runCli, tempDir, writeTree } from '../support/cli.js';
import { CONFIG, expectNoCrash, scanJson, token } from './support.js';

function repo(dir = tempDir('kw-git-'), initArgs: string[] = []): string {
  mkdirSync(dir, { recursive: true });
  if (initArgs.length > 0) git(dir, 'init', '-q', '-b', 'main', ...initArgs);
  gitInit(dir);
  writeTree(dir, { '.keywarden.toml': CONFIG, 'README.md': '# test\n' });
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

function commit(d: string, path: string, content: string, message = `add ${path}`): string {
  writeTree(d, { [path]: content });
  git(d, 'add', path);
  git(d, 'commit', '-q', '-m', message);
  return git(d, 'rev-parse', 'HEAD').trim();
}

describe('history scans of unusual repositories', () => {
  it('a shallow clone: scans what it has and warns that older history is missing', () => {
    const src = repo();
    commit(src, 'old.txt', `${token()}\n`);
    git(src, 'rm', '-q', 'old.txt');
    git(src, 'commit', '-q', '-m', 'remove');
    commit(src, 'new.txt', `${token()}\n`);
    const clone = join(tempDir(), 'shallow');
    git(src, 'clone', '-q', '--depth', '1', `file://${src}`, clone);
    const r = scanJson(['scan', '--history', clone]);
    expect(r.code).toBe(1);
    expect(r.report.findings.map((f) => f.file)).toEqual(['new.txt']);
    expect(r.report.diagnostics).toContainEqual(expect.objectContaining({ kind: 'git', level: 'warning', message: expect.stringMatching(/shallow clone/) }));
  });

  it('a bare repository: --history scans every ref; --staged is a usage error; a file scan of it warns', () => {
    const src = repo();
    const added = commit(src, 'k.txt', `${token()}\n`);
    const bare = join(tempDir(), 'bare.git');
    git(src, 'clone', '-q', '--bare', src, bare);
    const config = join(src, '.keywarden.toml');
    const r = scanJson(['scan', '--history', bare, '-c', config]);
    expect(r.code).toBe(1);
    expect(r.report.findings.map((f) => [f.file, f.commit?.sha])).toEqual([['k.txt', added]]);
    const staged = runCli(['scan', '--staged', bare, '-c', config]);
    expect(staged.code).toBe(2);
    expect(staged.stderr).toMatch(/--staged needs a work tree/);
    const files = scanJson(['scan', bare, '-c', config]);
    expect(files.code).toBe(0);
    expect(files.report.diagnostics).toContainEqual(expect.objectContaining({ kind: 'git', level: 'warning', message: expect.stringMatching(/bare repository.*--history/) }));
  });

  it('SHA-256 object format: history, range and staged scans', () => {
    const d = repo(tempDir('kw-sha256-'), ['--object-format=sha256']);
    const base = git(d, 'rev-parse', 'HEAD').trim();
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const added = commit(d, 'k.txt', `${token()}\n`);
    const hist = scanJson(['scan', '--history', d]);
    expect(hist.code).toBe(1);
    expect(hist.report.findings.map((f) => [f.file, f.commit?.sha])).toEqual([['k.txt', added]]);
    expect(scanJson(['scan', '--range', `${base}..HEAD`, d]).report.findings).toHaveLength(1);
    writeTree(d, { 'staged.txt': `${token()}\n` });
    git(d, 'add', 'staged.txt');
    const staged = scanJson(['scan', '--staged', d]);
    expect(staged.code).toBe(1);
    expect(staged.report.findings.map((f) => f.file)).toEqual(['staged.txt']);
  });

  it('a linked worktree: history from the worktree covers every ref; its files scan with .git being a file', () => {
    const main = repo();
    commit(main, 'main.txt', `${token()}\n`);
    const wt = join(tempDir(), 'wt');
    git(main, 'worktree', 'add', '-q', '-b', 'side', wt);
    commit(wt, 'side.txt', `${token()}\n`);
    const hist = scanJson(['scan', '--history', wt]);
    expect(hist.report.findings.map((f) => f.file).sort()).toEqual(['main.txt', 'side.txt']);
    for (const extra of [[], ['--no-gitignore']]) {
      const files = scanJson(['scan', wt, ...extra]);
      expect(files.code).toBe(1);
      expect(files.report.findings.map((f) => f.file).sort()).toEqual(['main.txt', 'side.txt']);
    }
    writeTree(wt, { 'wip.txt': `${token()}\n` });
    git(wt, 'add', 'wip.txt');
    expect(scanJson(['scan', '--staged', wt]).report.findings.map((f) => f.file)).toEqual(['wip.txt']);
  });

  it('submodules: the working-tree scan reads a checked-out submodule and notes one that is not; history says submodules are separate', () => {
    const sub = repo();
    commit(sub, 'inside.txt', `${token()}\n`);
    const sup = repo();
    git(sup, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'vendor/sub');
    git(sup, 'commit', '-q', '-m', 'add submodule');
    const files = scanJson(['scan', sup]);
    expect(files.code).toBe(1);
    expect(files.report.findings.map((f) => f.file)).toEqual(['vendor/sub/inside.txt']);
    const hist = scanJson(['scan', '--history', sup]);
    expect(hist.code).toBe(0);
    expect(hist.report.diagnostics).toContainEqual(expect.objectContaining({ kind: 'git', level: 'info', message: expect.stringMatching(/submodules/) }));
    // a clone without --recurse-submodules has an empty directory there
    const clone = join(tempDir(), 'clone');
    git(sup, 'clone', '-q', sup, clone);
    const empty = scanJson(['scan', clone]);
    expectNoCrash(empty);
    expect(empty.code).toBe(0);
    expect(empty.report.diagnostics).toContainEqual(expect.objectContaining({ path: 'vendor/sub', message: expect.stringMatching(/submodule not checked out/) }));
  });

  it('LFS pointers (no git-lfs needed): skipped in history with a note that their content was not scanned', () => {
    const d = repo();
    writeTree(d, {
      '.gitattributes': '*.bin filter=lfs diff=lfs merge=lfs -text\n',
      'model.bin': `version https://git-lfs.github.com/spec/v1\noid sha256:${'ab'.repeat(32)}\nsize 99999\n`,
    });
    git(d, '-c', 'filter.lfs.clean=cat', '-c', 'filter.lfs.smudge=cat', 'add', '.');
    git(d, 'commit', '-q', '-m', 'lfs');
    const r = scanJson(['scan', '--history', d]);
    expect(r.code).toBe(0);
    expect(r.report.stats.skipped.lfs).toBe(1);
    expect(r.report.diagnostics).toContainEqual(expect.objectContaining({ kind: 'lfs', level: 'info', message: expect.stringMatching(/1 Git LFS pointer/) }));
  });

  it('100k refs: a full-history scan lists them all and finds the secret once', () => {
    const d = repo();
    const head = commit(d, 'k.txt', `${token()}\n`);
    // 1,000 refs through update-ref, 100,000 more written as packed refs (loose ones take minutes of I/O)
    const stdin = Array.from({ length: 1000 }, (_, i) => `create refs/heads/loose/b${i} ${head}\n`).join('');
    execFileSync('git', ['update-ref', '--stdin'], { cwd: d, input: stdin });
    git(d, 'pack-refs', '--all');
    const packed = join(d, '.git', 'packed-refs');
    const refs = Array.from({ length: 100_000 }, (_, i) => `refs/tags/t${String(i).padStart(6, '0')}`).sort();
    appendFileSync(packed, refs.map((r) => `${head} ${r}\n`).join(''));
    const lines = readFileSync(packed, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    writeFileSync(packed, `# pack-refs with: peeled fully-peeled sorted \n${lines.sort((a, b) => (a.slice(a.indexOf(' ')) < b.slice(b.indexOf(' ')) ? -1 : 1)).join('\n')}\n`);
    expect(git(d, 'for-each-ref', '--count=1', 'refs/tags/').trim()).toMatch(/t000000$/);
    const all = execFileSync('git', ['for-each-ref', '--format=%(refname)'], { cwd: d, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(all.split('\n').filter(Boolean).length).toBe(101_001);
    const r = scanJson(['scan', '--history', d]);
    expect(r.code).toBe(1);
    expect(r.report.findings.map((f) => [f.file, f.commit?.sha])).toEqual([['k.txt', head]]);
  });

  it('a repository on a path with spaces: working tree, history, range and staged', () => {
    const d = repo(join(tempDir(), 'my projects', 'repo with spaces'));
    const base = git(d, 'rev-parse', 'HEAD').trim();
    commit(d, 'dir with space/k.txt', `${token()}\n`);
    expect(scanJson(['scan', d]).report.findings.map((f) => f.file)).toEqual(['dir with space/k.txt']);
    expect(scanJson(['scan', '--history', d]).report.findings.map((f) => f.file)).toEqual(['dir with space/k.txt']);
    expect(scanJson(['scan', '--range', `${base}..HEAD`, d]).report.findings.map((f) => f.file)).toEqual(['dir with space/k.txt']);
    writeTree(d, { 'new file.txt': `${token()}\n` });
    git(d, 'add', 'new file.txt');
    expect(scanJson(['scan', '--staged', d]).report.findings.map((f) => f.file)).toEqual(['new file.txt']);
  });
});
