// Ctrl-C on a real child process: SIGINT mid-scan ends the CLI with exit 130, leaves no git
// process and no temporary file behind, and a second SIGINT does not wait for anything.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, git, gitInit, tempDir, writeTree } from '../support/cli.js';

const linux = process.platform === 'linux';

/** Processes (other than this test's) whose command line mentions `needle`: left-over git children. */
function processesMentioning(needle: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(needle) && Number(pid) !== process.pid) out.push(`${pid}: ${cmd}`);
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

function children(pid: number): Array<{ pid: number; cmd: string }> {
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(p), cmd: readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // gone
    }
  }
  return out;
}

function bytesRead(pid: number): number {
  try {
    return Number(/rchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function until(what: string, cond: () => boolean, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (child.exitCode !== null) throw new Error(`the scan ended (exit ${child.exitCode}) before ${what}`);
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never saw ${what}`);
}

function start(args: string[], cwd: string): { child: ChildProcess; done: Promise<[number | null, NodeJS.Signals | null]>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1', CI: '' } });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return { child, done: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>, stderr: () => err };
}

describe.skipIf(!linux)('Ctrl-C', () => {
  let repo: string;

  beforeAll(() => {
    // ~96 MB of base64 text in 1,200 files: long enough to interrupt with the bundled rules
    repo = tempDir('kw-sigint-');
    gitInit(repo);
    git(repo, 'config', 'core.compression', '0');
    git(repo, 'config', 'core.looseCompression', '0');
    const files: Record<string, string> = {};
    for (let i = 0; i < 1200; i++) files[`d${i % 24}/f${i}.txt`] = randomBytes(60_000).toString('base64').replace(/(.{76})/g, '$1\n');
    writeTree(repo, files);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'corpus');
  });

  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('stops a working-tree scan: exit 130, no report file, no temporary file', async () => {
    const out = join(tempDir(), 'report.json');
    const { child, done, stderr } = start(['scan', '.', '-o', out], repo);
    await until('the scan reading files', () => bytesRead(child.pid!) > 20_000_000, child);
    child.kill('SIGINT');
    const [code] = await done;
    expect(code).toBe(130);
    expect(stderr()).toMatch(/interrupted/);
    expect(readdirSync(join(out, '..'))).toEqual([]);
    expect(processesMentioning(repo)).toEqual([]);
  });

  for (const threads of ['1', '2']) {
    it(`stops a history scan with ${threads} thread(s) and its git cat-file processes: exit 130, none left`, async () => {
      const { child, done } = start(['scan', '--history', repo, '--threads', threads], repo);
      await until('git cat-file --batch running', () => children(child.pid!).some((c) => /cat-file --batch --buffer/.test(c.cmd)), child);
      child.kill('SIGINT');
      const [code] = await done;
      expect(code).toBe(130);
      // the kernel reaps killed children asynchronously: give it a moment before looking
      for (let i = 0; i < 100 && processesMentioning(repo).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(processesMentioning(repo)).toEqual([]);
    });
  }

  it('a second Ctrl-C exits at once with 130', async () => {
    const { child, done } = start(['scan', '--history', repo, '--threads', '2'], repo);
    await until('git cat-file --batch running', () => children(child.pid!).some((c) => /cat-file --batch --buffer/.test(c.cmd)), child);
    child.kill('SIGINT');
    child.kill('SIGINT');
    const [code] = await done;
    expect(code).toBe(130);
  });
});
