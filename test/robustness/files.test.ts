// Hostile working trees, scanned through the built CLI: every case ends with a report that says
// what was skipped and the right exit code, never a crash, a hang or a silent pass.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitInit, tempDir, writeTree } from '../support/cli.js';
import { CONFIG, expectNoCrash, isRoot, runCliAsNobody, scanJson, token } from './support.js';

function tree(files: Record<string, string | Buffer> = {}): string {
  const d = tempDir('kw-robust-');
  writeTree(d, { '.keywarden.toml': CONFIG, ...files });
  return d;
}

function utf16(text: string, order: 'le' | 'be'): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const body = order === 'le' ? le : Buffer.from(le).swap16();
  return Buffer.concat([Buffer.from(order === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]), body]);
}

describe('file contents', () => {
  it('skips binary files (counted), scans invalid UTF-8 around a secret, and reports columns in decoded characters', () => {
    const t = token();
    const d = tree({
      'image.bin': Buffer.concat([Buffer.from([0x89, 0x50, 0, 0, 1]), Buffer.from(token())]),
      'latin1.txt': Buffer.concat([Buffer.from([0xe9, 0xff, 0x80, 0x20]), Buffer.from(`${t}\n`)]),
    });
    const r = scanJson(['scan', d]);
    expectNoCrash(r);
    expect(r.code).toBe(1);
    expect(r.report.stats.skipped.binary).toBe(1);
    // three invalid bytes are three U+FFFD characters, then a space
    expect(r.report.findings.map((f) => [f.file, f.line, f.column])).toEqual([['latin1.txt', 1, 5]]);
  });

  it('decodes UTF-16 LE and BE with a byte-order mark, finds the secret at its line and column, and says it decoded', () => {
    const text = `first line\r\nsecond: ${token()} end\r\n`;
    const d = tree({ 'le.txt': utf16(text, 'le'), 'be.txt': utf16(text, 'be') });
    const r = scanJson(['scan', d]);
    expect(r.code).toBe(1);
    expect(r.report.findings.map((f) => [f.file, f.line, f.column, f.endColumn])).toEqual([
      ['be.txt', 2, 9, 37],
      ['le.txt', 2, 9, 37],
    ]);
    for (const f of r.report.findings) expect(f.snippet).toBe('second: dmo_***** end');
    const notes = r.report.diagnostics.filter((x) => x.kind === 'encoding').map((x) => x.path).sort();
    expect(notes).toEqual(['be.txt', 'le.txt']);
  });

  it('a UTF-8 byte-order mark does not shift columns; CRLF line ends stay out of columns and snippets', () => {
    const d = tree({ 'bom.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`k=${token()}\r\n`)]), 'crlf.txt': `a\r\nk = ${token()}\r\nb\r\n` });
    const r = scanJson(['scan', d]);
    expect(r.report.findings.map((f) => [f.file, f.line, f.column, f.snippet])).toEqual([
      ['bom.txt', 1, 3, 'k=dmo_*****'],
      ['crlf.txt', 2, 5, 'k = dmo_*****'],
    ]);
  });

  it('reads every file whole and apart from the others through the one reused read buffer, in-process and on workers', () => {
    // sizes around the buffer's first size (2 MiB) and its growth, in walk order, each with its own secret at the end
    const sizes = [10, 3 << 20, 200, (2 << 20) - 1, 5 << 20, 7];
    const files: Record<string, string> = {};
    const secrets: string[] = [];
    sizes.forEach((size, i) => {
      const t = token();
      secrets.push(t);
      files[`f${i}.txt`] = `${'x'.repeat(size)}\nkey: ${t}\n`;
    });
    const d = tree(files);
    for (const threads of ['1', '2']) {
      const r = scanJson(['scan', d, '--threads', threads, '--no-redact']);
      expectNoCrash(r);
      expect(r.report.findings.map((f) => [f.file, f.line, f.secret])).toEqual(sizes.map((_, i) => [`f${i}.txt`, 2, secrets[i]]));
    }
  });

  it('scans a 50 MB single-line minified file when the cap allows it, and skips it with a warning when it does not', () => {
    const d = tree();
    const filler = 'function(a,b){return a+b};var x={"k":"v"};'.repeat(Math.ceil((50 * 1024 * 1024) / 43));
    const secret = `demo_secret:"${'Ab3'.repeat(8)}"`;
    writeFileSync(join(d, 'app.min.js'), `${filler.slice(0, 25 * 1024 * 1024)};${token()};${filler.slice(0, 25 * 1024 * 1024)};${secret}`);
    const big = scanJson(['scan', d, '--max-file-size', '64MiB']);
    expect(big.code).toBe(1);
    expect(big.report.findings.map((f) => [f.ruleId, f.line])).toEqual([
      ['demo-token', 1],
      ['demo-assignment', 1],
    ]);
    expect(big.report.findings.every((f) => (f.snippet ?? '').length <= 170)).toBe(true);
    const capped = scanJson(['scan', d]);
    expect(capped.code).toBe(0);
    expect(capped.report.stats.skipped['too-large']).toBe(1);
    expect(capped.report.diagnostics).toContainEqual(expect.objectContaining({ kind: 'too-large', level: 'warning', path: 'app.min.js' }));
    rmSync(d, { recursive: true, force: true }); // 50 MB: not left in the temp directory
  });

  it('a file that keeps growing while it is read is cut off at the cap, not waited on', async () => {
    const d = tree();
    const file = join(d, 'growing.log');
    writeFileSync(file, '');
    const writer = spawn(process.execPath, ['-e', `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(file)},'a');const b=Buffer.alloc(65536,'x');for(;;)fs.writeSync(fd,b)`], { stdio: 'ignore' });
    try {
      // wait until the file is larger than the cap, so the read cannot finish under it
      for (let i = 0; i < 500 && statSync(file).size < 2_000_000; i++) await new Promise((r) => setTimeout(r, 20));
      const r = scanJson(['scan', d, '--max-file-size', '1MiB']);
      expect(r.code).toBe(0);
      expect(r.report.diagnostics).toContainEqual(expect.objectContaining({ kind: 'too-large', path: 'growing.log' }));
    } finally {
      writer.kill('SIGKILL');
    }
  });
});

describe('trees', () => {
  it('scans thousands of tiny files (200k verified by hand; KW_MANY_FILES sets the count)', () => {
    const n = Number(process.env.KW_MANY_FILES ?? 20_000);
    const d = tree();
    for (let dir = 0; dir < Math.ceil(n / 1000); dir++) {
      mkdirSync(join(d, `d${dir}`));
      for (let i = 0; i < 1000 && dir * 1000 + i < n; i++) writeFileSync(join(d, `d${dir}`, `f${i}.txt`), `${i}\n`);
    }
    writeFileSync(join(d, `d${Math.floor(n / 2000)}`, 'needle.txt'), `${token()}\n`);
    const r = scanJson(['scan', d]);
    expect(r.code).toBe(1);
    expect(r.report.stats.filesScanned).toBe(n + 2);
    expect(r.report.findings.map((f) => f.file)).toEqual([`d${Math.floor(n / 2000)}/needle.txt`]);
    rmSync(d, { recursive: true, force: true });
  });

  it('walks a tree 400 directories deep, with and without git', () => {
    const d = tree();
    const deep = Array.from({ length: 400 }, (_, i) => `d${i % 10}`).join('/');
    writeTree(d, { [`${deep}/leaf.txt`]: `${token()}\n` });
    expect(scanJson(['scan', d]).report.findings.map((f) => f.file)).toEqual([`${deep}/leaf.txt`]);
    gitInit(d);
    expect(scanJson(['scan', d]).report.findings.map((f) => f.file)).toEqual([`${deep}/leaf.txt`]);
  });

  it('a path longer than the system allows is an error diagnostic (exit 2), not a crash', () => {
    const d = tree({ 'ok.txt': 'fine\n' });
    // mkdir -p cannot make it in one call (ENAMETOOLONG): descend one level at a time
    const made = spawnSync(process.execPath, ['-e', `const fs=require('fs');for(let i=0;i<900;i++){fs.mkdirSync('dddd');process.chdir('dddd')}fs.writeFileSync('leaf.txt','x')`], { cwd: d });
    expect(made.status).toBe(0);
    const r = scanJson(['scan', d]);
    expectNoCrash(r);
    expect(r.code).toBe(2);
    expect(r.report.complete).toBe(false);
    expect(r.report.diagnostics.some((x) => x.level === 'error' && /ENAMETOOLONG/.test(x.message))).toBe(true);
  });

  it('never follows symlinks: loops, cycles and links to parents are counted, the scan ends', () => {
    const d = tree({ 'real.txt': `${token()}\n` });
    mkdirSync(join(d, 'sub'));
    symlinkSync('.', join(d, 'self'));
    symlinkSync('..', join(d, 'sub', 'up'));
    symlinkSync('b', join(d, 'a'));
    symlinkSync('a', join(d, 'b'));
    const r = scanJson(['scan', d]);
    expect(r.code).toBe(1);
    expect(r.report.findings.map((f) => f.file)).toEqual(['real.txt']);
    expect(r.report.stats.skipped.symlink).toBe(4);
    // a looping link named on the command line cannot be resolved: an error, exit 2
    const direct = scanJson(['scan', join(d, 'a')]);
    expect(direct.code).toBe(2);
    expect(direct.report.diagnostics[0]).toMatchObject({ level: 'error', message: expect.stringMatching(/ELOOP/) });
  });

  it('skips FIFOs, sockets and devices without opening them for long, with a note for each', async () => {
    const d = tree({ 'real.txt': `${token()}\n` });
    expect(spawnSync('mkfifo', [join(d, 'pipe')]).status).toBe(0);
    const server = createServer();
    await new Promise<void>((res) => server.listen(join(d, 'sock'), res));
    const devices = isRoot && spawnSync('mknod', [join(d, 'null-dev'), 'c', '1', '3']).status === 0;
    try {
      const r = scanJson(['scan', d]);
      expect(r.code).toBe(1);
      const special = r.report.diagnostics.filter((x) => x.kind === 'special-file').map((x) => x.path).sort();
      expect(special).toEqual(devices ? ['null-dev', 'pipe', 'sock'] : ['pipe', 'sock']);
      // a FIFO named directly (nothing writes to it) is skipped, not waited on
      const direct = scanJson(['scan', join(d, 'pipe')]);
      expect(direct.code).toBe(0);
      expect(direct.report.stats.skipped['special-file']).toBe(1);
    } finally {
      server.close();
    }
  });

  it('an unreadable file or directory fails the scan with exit 2 and names it (run as nobody when the suite runs as root)', () => {
    const d = tree({ 'ok.txt': 'fine\n', 'secret.txt': `${token()}\n`, 'locked/inner.txt': `${token()}\n` });
    chmodSync(join(d, 'secret.txt'), 0o000);
    chmodSync(join(d, 'locked'), 0o000);
    chmodSync(join(d, '.keywarden.toml'), 0o644);
    const r = isRoot ? runCliAsNobody(['scan', '.', '-f', 'json'], d) : scanJson(['scan', d]);
    try {
      expectNoCrash(r);
      expect(r.code).toBe(2);
      const report = JSON.parse(r.stdout) as { complete: boolean; diagnostics: Array<{ level: string; path?: string }> };
      expect(report.complete).toBe(false);
      expect(report.diagnostics.filter((x) => x.level === 'error').map((x) => x.path).sort()).toEqual(['locked', 'secret.txt']);
      expect(r.stderr).toMatch(/scan incomplete: cannot (read|list)/);
    } finally {
      chmodSync(join(d, 'locked'), 0o755);
    }
  });
});

describe('file names', () => {
  const newline = 'two\nlines.txt';
  const latin1 = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('.txt')]);

  function withOddNames(d: string): void {
    writeFileSync(join(d, newline), `${token()}\n`);
    writeFileSync(Buffer.concat([Buffer.from(`${d}/`), latin1]), `${token()}\n`);
  }

  it('finds secrets in files whose names hold a newline or bytes that are not UTF-8, outside git', () => {
    const d = tree();
    withOddNames(d);
    const r = scanJson(['scan', d]);
    expect(r.code).toBe(1);
    expect(r.report.findings.map((f) => f.file).sort()).toEqual(['caf\\xE9.txt', newline]);
    expect(r.report.diagnostics).toContainEqual(expect.objectContaining({ kind: 'encoding', path: 'caf\\xE9.txt' }));
  });

  it('finds them inside a git work tree, tracked and untracked', () => {
    const d = tree();
    gitInit(d);
    withOddNames(d);
    const untracked = scanJson(['scan', d]);
    expect(untracked.report.findings.map((f) => f.file).sort()).toEqual(['caf\\xE9.txt', newline]);
    git(d, 'add', '-A');
    git(d, 'commit', '-q', '-m', 'odd names');
    const tracked = scanJson(['scan', d]);
    expect(tracked.code).toBe(1);
    expect(tracked.report.findings.map((f) => f.file).sort()).toEqual(['caf\\xE9.txt', newline]);
    // history reports git's own (unquoted) path of the blob
    const hist = scanJson(['scan', '--history', d]);
    expect(hist.code).toBe(1);
    expect(hist.report.findings).toHaveLength(2);
  });
});

describe('files that change or vanish during the scan', () => {
  it('a tracked file deleted, replaced by a symlink, a FIFO or a directory is reported, not crashed on or waited for', () => {
    const d = tree({ 'gone.txt': 'a\n', 'link.txt': 'b\n', 'fifo.txt': 'c\n', 'dir.txt': 'd\n', 'kept.txt': `${token()}\n` });
    gitInit(d);
    git(d, 'add', '-A');
    git(d, 'commit', '-q', '-m', 'files');
    rmSync(join(d, 'gone.txt'));
    rmSync(join(d, 'link.txt'));
    symlinkSync('kept.txt', join(d, 'link.txt'));
    rmSync(join(d, 'fifo.txt'));
    expect(spawnSync('mkfifo', [join(d, 'fifo.txt')]).status).toBe(0);
    rmSync(join(d, 'dir.txt'));
    writeTree(d, { 'dir.txt/inner.txt': `${token()}\n` });
    const r = scanJson(['scan', d]);
    expectNoCrash(r);
    expect(r.code).toBe(1);
    expect(r.report.findings.map((f) => f.file).sort()).toEqual(['dir.txt/inner.txt', 'kept.txt']);
    expect(r.report.diagnostics).toContainEqual(expect.objectContaining({ kind: 'not-found', path: 'gone.txt', level: 'info' }));
    expect(r.report.diagnostics).toContainEqual(expect.objectContaining({ kind: 'special-file', path: 'fifo.txt' }));
    expect(r.report.stats.skipped.symlink).toBe(1);
  });

});
