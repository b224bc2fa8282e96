// The pre-commit hook end to end: the built CLI installs it into real repositories and real
// `git commit`s fire it. HOME and the global git config point into a temporary folder, so the
// user's own configuration is never read or touched.
import { DEMO_CONFIG, demoTokens } from '../support/demo-rules.js';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir, writeTree, type RunResult } from '../support/cli.js';

const CONFIG = DEMO_CONFIG;

const token = demoTokens('hook-tests');

interface Sandbox {
  root: string;
  env: NodeJS.ProcessEnv;
  /** Where the hooks under test append a line when they run. */
  log: string;
}

/** A fresh HOME and global git config; nothing of the real user's is visible. */
function sandbox(): Sandbox {
  const root = tempDir('kw-hook-');
  const home = join(root, 'home');
  mkdirSync(home);
  const log = join(root, 'hook.log');
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_GLOBAL: join(root, 'gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Test Author',
    GIT_COMMITTER_EMAIL: 'author@example.com',
    HOOK_LOG: log,
    NO_COLOR: '1',
    // never inherit the state of a hook this test suite might itself run under
    GIT_DIR: undefined,
    GIT_WORK_TREE: undefined,
    GIT_INDEX_FILE: undefined,
    GIT_OBJECT_DIRECTORY: undefined,
    GIT_ALTERNATE_OBJECT_DIRECTORIES: undefined,
    KEYWARDEN_HOOK_SCANNED: undefined,
    HUSKY: undefined,
  };
  return { root, env, log };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, input?: string): RunResult {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', input });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function git(sb: Sandbox, cwd: string, ...args: string[]): string {
  const r = run('git', args, cwd, sb.env);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

function kw(sb: Sandbox, cwd: string, ...args: string[]): RunResult {
  return runCli(args, { cwd, env: sb.env });
}

/** A repository with one commit holding the demo-rule configuration. */
function makeRepo(sb: Sandbox, name = 'repo'): string {
  const dir = join(sb.root, name);
  mkdirSync(dir, { recursive: true });
  git(sb, dir, 'init', '-q', '-b', 'main');
  git(sb, dir, 'config', 'commit.gpgsign', 'false');
  writeTree(dir, { '.keywarden.toml': CONFIG, 'README.md': 'demo\n' });
  git(sb, dir, 'add', '.');
  git(sb, dir, 'commit', '-q', '--no-verify', '-m', 'init');
  return dir;
}

/** Writes the files, stages them and runs a real `git commit` (hooks and all). */
function commit(sb: Sandbox, repo: string, files: Record<string, string>, env: NodeJS.ProcessEnv = {}): RunResult & { out: string } {
  writeTree(repo, files);
  git(sb, repo, 'add', ...Object.keys(files));
  const r = run('git', ['commit', '-m', 'change'], repo, { ...sb.env, ...env });
  return { ...r, out: r.stdout + r.stderr };
}

const head = (sb: Sandbox, repo: string): string => git(sb, repo, 'rev-parse', 'HEAD');
const logLines = (sb: Sandbox): string[] => (existsSync(sb.log) ? readFileSync(sb.log, 'utf8').trim().split('\n') : []);

/** Every path under dir with its type, mode and content hash (symlinks: their target). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    const abs = join(dir, rel);
    const st = lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out[rel] = `link ${readlinkSync(abs)}`;
    else if (st.isDirectory()) {
      out[rel] = `dir ${mode}`;
      for (const name of readdirSync(abs)) walk(rel ? join(rel, name) : name);
    } else out[rel] = `file ${mode} ${createHash('sha256').update(readFileSync(abs)).digest('hex')}`;
  };
  walk('');
  return out;
}

function expectBlocked(r: { code: number; out: string }, secret: string, file: string): void {
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(`${file}:1:`);
  expect(r.out).toContain('demo-token');
  expect(r.out).toContain('dmo_*****');
  expect(r.out).toContain('keywarden:allow');
  expect(r.out).toContain('keywarden baseline update');
  expect(r.out).toContain('git commit --no-verify');
  expect(r.out).not.toContain(secret);
}

const SHELL_HOOK = '#!/bin/sh\necho "sh-hook ran as $(basename "$0") args=[$*] stdin=[$(cat)]" >> "$HOOK_LOG"\nexit "${HOOK_EXIT:-0}"\n';
const NODE_HOOK = `#!/usr/bin/env node
const fs = require('node:fs');
const stdin = fs.readFileSync(0, 'utf8');
fs.appendFileSync(process.env.HOOK_LOG, 'node-hook ran args=[' + process.argv.slice(2).join(' ') + '] stdin=[' + stdin + ']\\n');
process.exitCode = Number(process.env.HOOK_EXIT || 0);
`;

function writeHook(file: string, content: string | Buffer, mode = 0o755): Buffer {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, content);
  chmodSync(file, mode);
  return readFileSync(file);
}

const modeOf = (file: string): number => lstatSync(file).mode & 0o7777;

beforeAll(() => {
  // the tests run the built CLI; a stale dist/ would test old code
  expect(existsSync(join(REPO, 'dist', 'hooks', 'install.js'))).toBe(true);
});

describe('keywarden hook install (a plain repository)', () => {
  it('blocks a commit with a secret (masked, with the ways out), lets a clean one through, and proves it with a self-test', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    const inst = kw(sb, repo, 'hook', 'install');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toContain(`installed: ${join(repo, '.git', 'hooks', 'pre-commit')}`);
    expect(inst.stdout).toMatch(/self-test passed: the hook blocked a test secret/);
    const hook = readFileSync(join(repo, '.git', 'hooks', 'pre-commit'), 'utf8');
    expect(hook.startsWith('#!/bin/sh\n# >>> keywarden hook >>>\n')).toBe(true);
    expect(hook).toContain(`kw_node='${process.execPath}'`);

    const before = head(sb, repo);
    const secret = token();
    const blocked = commit(sb, repo, { 'src/app.js': `const key = "${secret}";\n` });
    expectBlocked(blocked, secret, 'src/app.js');
    expect(blocked.code).toBe(1);
    expect(head(sb, repo)).toBe(before);

    git(sb, repo, 'rm', '-q', '--cached', 'src/app.js');
    const clean = commit(sb, repo, { 'src/ok.js': 'export const ok = 1;\n' });
    expect(clean.code).toBe(0);
    expect(git(sb, repo, 'ls-tree', '--name-only', '-r', 'HEAD')).toContain('src/ok.js');

    // `git commit -a` hands the hook a temporary index through GIT_INDEX_FILE
    writeFileSync(join(repo, 'src', 'ok.js'), `export const ok = "${secret}";\n`);
    const all = run('git', ['commit', '-a', '-m', 'all'], repo, sb.env);
    expectBlocked({ code: all.code, out: all.stdout + all.stderr }, secret, 'src/ok.js');
  });

  it('is idempotent: a second install changes nothing', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    expect(kw(sb, repo, 'hook', 'install', '--no-self-test').code).toBe(0);
    const first = snapshot(join(repo, '.git', 'hooks'));
    const again = kw(sb, repo, 'hook', 'install', '--no-self-test');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already installed, up to date');
    expect(snapshot(join(repo, '.git', 'hooks'))).toEqual(first);
  });
});

describe('chaining an existing hook', () => {
  it('puts the block at the top of a shell hook, which still runs (as pre-commit, with its arguments and stdin) and can still block', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    const file = join(repo, '.git', 'hooks', 'pre-commit');
    const original = writeHook(file, SHELL_HOOK, 0o700);
    const inst = kw(sb, repo, 'hook', 'install');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toContain('installed at the top of the existing hook');

    expect(commit(sb, repo, { 'a.txt': 'fine\n' }).code).toBe(0);
    expect(logLines(sb)).toEqual(['sh-hook ran as pre-commit args=[] stdin=[]']);

    const before = head(sb, repo);
    const failing = commit(sb, repo, { 'b.txt': 'fine too\n' }, { HOOK_EXIT: '3' });
    expect(failing.code).not.toBe(0);
    expect(head(sb, repo)).toBe(before);

    const direct = run(file, ['one two', 'three'], repo, sb.env, 'from stdin');
    expect(direct.code).toBe(0);
    expect(logLines(sb).at(-1)).toBe('sh-hook ran as pre-commit args=[one two three] stdin=[from stdin]');

    expect(kw(sb, repo, 'hook', 'uninstall').code).toBe(0);
    expect(readFileSync(file).equals(original)).toBe(true);
    expect(modeOf(file)).toBe(0o700);
  });

  it('renames any other hook, runs it after the scan with its arguments, stdin and exit status, and restores it on uninstall', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    const file = join(repo, '.git', 'hooks', 'pre-commit');
    const original = writeHook(file, NODE_HOOK, 0o750);
    const inst = kw(sb, repo, 'hook', 'install');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toContain(`the previous hook is now ${file}.keywarden-chained`);
    expect(readFileSync(`${file}.keywarden-chained`).equals(original)).toBe(true);

    const status = kw(sb, repo, 'hook', 'status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`chained hook present: ${file}.keywarden-chained`);

    expect(commit(sb, repo, { 'a.txt': 'fine\n' }).code).toBe(0);
    expect(logLines(sb)).toEqual(['node-hook ran args=[] stdin=[]']);
    const before = head(sb, repo);
    expect(commit(sb, repo, { 'b.txt': 'fine\n' }, { HOOK_EXIT: '5' }).code).not.toBe(0);
    expect(head(sb, repo)).toBe(before);
    const direct = run(file, ['x', 'y z'], repo, { ...sb.env, HOOK_EXIT: '5' }, 'piped');
    expect(direct.code).toBe(5);
    expect(logLines(sb).at(-1)).toBe('node-hook ran args=[x y z] stdin=[piped]');

    // a secret is stopped before the chained hook runs
    const secret = token();
    expectBlocked(commit(sb, repo, { 'c.txt': `${secret}\n` }), secret, 'c.txt');

    expect(kw(sb, repo, 'hook', 'uninstall').stdout).toContain(`restored ${file} as it was before`);
    expect(readFileSync(file).equals(original)).toBe(true);
    expect(modeOf(file)).toBe(0o750);
    expect(existsSync(`${file}.keywarden-chained`)).toBe(false);
  });
});

describe('keywarden hook uninstall', () => {
  const cases: Array<{ name: string; setup: (hooks: string, repo: string) => void }> = [
    {
      name: 'a shell hook with a CR, bytes that are not UTF-8 and no final newline',
      setup: (hooks) => writeHook(join(hooks, 'pre-commit'), Buffer.from([...Buffer.from('#!/bin/bash -e\n# caf'), 0xe9, 0xff, ...Buffer.from('\r\necho x >/dev/null')]), 0o711),
    },
    {
      name: 'a non-executable hook (git skips it, and so does the chain)',
      setup: (hooks) => writeHook(join(hooks, 'pre-commit'), SHELL_HOOK, 0o644),
    },
    {
      name: 'a symlinked hook',
      setup: (hooks, repo) => {
        writeHook(join(repo, 'scripts', 'pre-commit.sh'), SHELL_HOOK, 0o755);
        symlinkSync('../../scripts/pre-commit.sh', join(hooks, 'pre-commit'));
      },
    },
    { name: 'no hook at all', setup: () => undefined },
  ];
  for (const c of cases) {
    it(`restores the hooks folder byte for byte: ${c.name}`, () => {
      const sb = sandbox();
      const repo = makeRepo(sb);
      const hooks = join(repo, '.git', 'hooks');
      mkdirSync(hooks, { recursive: true });
      c.setup(hooks, repo);
      const before = snapshot(hooks);
      expect(kw(sb, repo, 'hook', 'install', '--no-self-test').code).toBe(0);
      expect(kw(sb, repo, 'hook', 'install', '--no-self-test').stdout).toContain('already installed');
      expect(snapshot(hooks)).not.toEqual(before);
      // whatever was there, the hook now blocks a secret
      const secret = token();
      expectBlocked(commit(sb, repo, { 's.txt': `${secret}\n` }), secret, 's.txt');
      git(sb, repo, 'rm', '-q', '--cached', 's.txt');
      expect(kw(sb, repo, 'hook', 'uninstall').code).toBe(0);
      expect(snapshot(hooks)).toEqual(before);
      expect(kw(sb, repo, 'hook', 'uninstall').stdout).toContain('no keywarden hook found');
    });
  }

  it('a chained non-executable hook stays skipped, as git skipped it before', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    writeHook(join(repo, '.git', 'hooks', 'pre-commit'), SHELL_HOOK, 0o644);
    expect(kw(sb, repo, 'hook', 'install').code).toBe(0);
    expect(kw(sb, repo, 'hook', 'status').stdout).toMatch(/keywarden-chained is not executable, so it is skipped/);
    expect(commit(sb, repo, { 'a.txt': 'fine\n' }).code).toBe(0);
    expect(logLines(sb)).toEqual([]);
  });
});

describe('core.hooksPath', () => {
  it('installs into a local core.hooksPath folder, where git looks', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    git(sb, repo, 'config', 'core.hooksPath', '.githooks');
    const inst = kw(sb, repo, 'hook', 'install');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toContain(join(repo, '.githooks', 'pre-commit'));
    expect(existsSync(join(repo, '.git', 'hooks', 'pre-commit'))).toBe(false);
    const secret = token();
    expectBlocked(commit(sb, repo, { 'a.txt': `${secret}\n` }), secret, 'a.txt');
  });

  it('installs into a global core.hooksPath folder and says that it is shared', () => {
    const sb = sandbox();
    const shared = join(sb.root, 'shared hooks');
    git(sb, sb.root, 'config', '--global', 'core.hooksPath', shared);
    const repo = makeRepo(sb);
    const inst = kw(sb, repo, 'hook', 'install');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toContain(join(shared, 'pre-commit'));
    expect(inst.stdout).toMatch(/global git config: .* shared by every repository/);
    const secret = token();
    expectBlocked(commit(sb, repo, { 'a.txt': `${secret}\n` }), secret, 'a.txt');
  });
});

/** husky v9's layout as `npx husky` writes it (husky 9.1): core.hooksPath=.husky/_, dispatcher `h`. */
function huskyV9(sb: Sandbox, repo: string): void {
  const H = `#!/usr/bin/env sh
[ "$HUSKY" = "2" ] && set -x
n=$(basename "$0")
s=$(dirname "$(dirname "$0")")/$n

[ ! -f "$s" ] && exit 0

i="\${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh"
[ -f "$i" ] && . "$i"

[ "\${HUSKY-}" = "0" ] && exit 0

export PATH="node_modules/.bin:$PATH"
sh -e "$s" "$@"
c=$?

[ $c != 0 ] && echo "husky - $n script failed (code $c)"
[ $c = 127 ] && echo "husky - command not found in PATH=$PATH"
exit $c
`;
  writeTree(repo, { '.husky/_/.gitignore': '*', '.husky/_/h': H });
  for (const name of ['pre-commit', 'commit-msg', 'pre-push']) writeHook(join(repo, '.husky', '_', name), '#!/usr/bin/env sh\n. "$(dirname "$0")/h"', 0o755);
  git(sb, repo, 'config', 'core.hooksPath', '.husky/_');
}

describe('husky', () => {
  it("installs into the user hook husky runs (.husky/pre-commit), leaves husky's folder alone, and uninstall restores it", () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    huskyV9(sb, repo);
    const userHook = join(repo, '.husky', 'pre-commit');
    writeTree(repo, { '.husky/pre-commit': 'echo "husky user hook ran" >> "$HOOK_LOG"\n' });
    git(sb, repo, 'add', '.husky/pre-commit');
    git(sb, repo, 'commit', '-q', '--no-verify', '-m', 'husky');
    const original = readFileSync(userHook);
    const internals = snapshot(join(repo, '.husky', '_'));

    const inst = kw(sb, repo, 'hook', 'install');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toContain(`installed at the top of the existing hook: ${userHook}`);
    expect(inst.stdout).toMatch(/self-test passed/);
    expect(snapshot(join(repo, '.husky', '_'))).toEqual(internals);
    expect(kw(sb, repo, 'hook', 'status').stdout).toMatch(/effective: .*\.husky\/pre-commit \(through husky/);

    const secret = token();
    const blocked = commit(sb, repo, { 'a.txt': `${secret}\n` });
    expectBlocked(blocked, secret, 'a.txt');
    expect(blocked.out).toContain('husky - pre-commit script failed (code 1)');
    expect(logLines(sb)).toEqual([]);
    git(sb, repo, 'rm', '-q', '--cached', 'a.txt');

    expect(commit(sb, repo, { 'b.txt': 'fine\n' }).code).toBe(0);
    expect(logLines(sb)).toEqual(['husky user hook ran']);

    expect(kw(sb, repo, 'hook', 'uninstall').code).toBe(0);
    expect(readFileSync(userHook).equals(original)).toBe(true);
    expect(git(sb, repo, 'status', '--porcelain', '--', '.husky')).toBe('');
  });

  it('creates .husky/pre-commit when there is none, and uninstall deletes it again', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    huskyV9(sb, repo);
    expect(kw(sb, repo, 'hook', 'install').code).toBe(0);
    const secret = token();
    expectBlocked(commit(sb, repo, { 'a.txt': `${secret}\n` }), secret, 'a.txt');
    expect(kw(sb, repo, 'hook', 'uninstall').stdout).toContain(`removed ${join(repo, '.husky', 'pre-commit')}`);
    expect(existsSync(join(repo, '.husky', 'pre-commit'))).toBe(false);
  });
});

describe('keywarden hook install --global', () => {
  it("covers every repository, still runs each repository's own hooks, and uninstall restores the global config byte for byte", () => {
    const sb = sandbox();
    const gitconfig = sb.env.GIT_CONFIG_GLOBAL!;
    writeFileSync(gitconfig, '[user]\n\tname = Someone\n[core]\n\teditor = true\n');
    const configBefore = readFileSync(gitconfig);
    const repo = makeRepo(sb);
    writeHook(join(repo, '.git', 'hooks', 'pre-commit'), SHELL_HOOK);
    writeHook(join(repo, '.git', 'hooks', 'commit-msg'), '#!/bin/sh\necho "commit-msg ran for $(basename "$1")" >> "$HOOK_LOG"\n');

    const inst = kw(sb, repo, 'hook', 'install', '--global');
    expect(inst.code).toBe(0);
    const managed = join(sb.env.XDG_CONFIG_HOME!, 'keywarden', 'hooks');
    expect(inst.stdout).toContain(join(managed, 'pre-commit'));
    expect(inst.stdout).toMatch(/self-test passed/);
    expect(git(sb, sb.root, 'config', '--global', 'core.hooksPath')).toBe(managed);
    expect(kw(sb, repo, 'hook', 'status', '--global').code).toBe(0);

    // the repository's own hooks still run, once each
    expect(commit(sb, repo, { 'a.txt': 'fine\n' }).code).toBe(0);
    expect(logLines(sb)).toEqual(['sh-hook ran as pre-commit args=[] stdin=[]', 'commit-msg ran for COMMIT_EDITMSG']);
    const secret = token();
    expectBlocked(commit(sb, repo, { 'b.txt': `${secret}\n` }), secret, 'b.txt');

    const other = makeRepo(sb, 'other');
    expectBlocked(commit(sb, other, { 'c.txt': `${secret}\n` }), secret, 'c.txt');
    git(sb, other, 'rm', '-q', '--cached', 'c.txt');

    // a per-repository install under the global hook goes into the repository's own hooks: one scan
    expect(kw(sb, other, 'hook', 'install', '--no-self-test').stdout).toContain(join(other, '.git', 'hooks', 'pre-commit'));
    const once = commit(sb, other, { 'd.txt': 'fine\n' });
    expect(once.code).toBe(0);
    expect(once.out.match(/No secrets found/g)).toHaveLength(1);

    const un = kw(sb, repo, 'hook', 'uninstall', '--global');
    expect(un.code).toBe(0);
    expect(un.stdout).toContain('removed core.hooksPath from your global git config');
    expect(readFileSync(gitconfig).equals(configBefore)).toBe(true);
    expect(existsSync(join(sb.env.XDG_CONFIG_HOME!, 'keywarden'))).toBe(false);
    expect(kw(sb, repo, 'hook', 'status', '--global').code).toBe(1);
    expect(commit(sb, repo, { 'e.txt': `${secret}\n` }).code).toBe(0);
  });

  it('removes the global config file on uninstall when installing created it', () => {
    const sb = sandbox();
    const gitconfig = sb.env.GIT_CONFIG_GLOBAL!;
    expect(kw(sb, sb.root, 'hook', 'install', '--global').code).toBe(0);
    expect(existsSync(gitconfig)).toBe(true);
    expect(kw(sb, sb.root, 'hook', 'uninstall', '--global').code).toBe(0);
    expect(existsSync(gitconfig)).toBe(false);
  });

  it('status --global reports a repository whose own core.hooksPath hides the global hook', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    git(sb, repo, 'config', 'core.hooksPath', '.githooks');
    const inst = kw(sb, repo, 'hook', 'install', '--global');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toContain('self-test not run: the global hook does not run in');
    const st = kw(sb, repo, 'hook', 'status', '--global');
    expect(st.code).toBe(0);
    expect(st.stdout).toContain('this repository sets its own core.hooksPath (.githooks)');
    expect(kw(sb, repo, 'hook', 'status').code).toBe(1);
  });
});

describe('keywarden hook status', () => {
  it('exits 1 when nothing is installed', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    const r = kw(sb, repo, 'hook', 'status');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('NOT effective');
    expect(r.stdout).toContain('not installed here');
  });

  it('reports a hook shadowed by core.hooksPath, and one that is not executable', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    expect(kw(sb, repo, 'hook', 'install', '--no-self-test').code).toBe(0);
    expect(kw(sb, repo, 'hook', 'status').code).toBe(0);

    git(sb, repo, 'config', 'core.hooksPath', '.githooks');
    const shadowed = kw(sb, repo, 'hook', 'status');
    expect(shadowed.code).toBe(1);
    expect(shadowed.stdout).toContain(`installed in ${join(repo, '.git', 'hooks', 'pre-commit')} but shadowed by core.hooksPath=.githooks (local config)`);
    const secret = token();
    expect(commit(sb, repo, { 'a.txt': `${secret}\n` }).code).toBe(0); // really not effective
    expect(kw(sb, repo, 'hook', 'self-test').stderr).toMatch(/self-test not run: the hook is not effective/);

    git(sb, repo, 'config', '--unset', 'core.hooksPath');
    chmodSync(join(repo, '.git', 'hooks', 'pre-commit'), 0o644);
    const notExec = kw(sb, repo, 'hook', 'status');
    expect(notExec.code).toBe(1);
    expect(notExec.stdout).toMatch(/pre-commit is not executable, so git skips it/);
    expect(kw(sb, repo, 'hook', 'install', '--no-self-test').stdout).toContain('updated');
    expect(kw(sb, repo, 'hook', 'status').code).toBe(0);
  });

  it('reports a husky hook in a clone where husky is not set up', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    huskyV9(sb, repo);
    expect(kw(sb, repo, 'hook', 'install', '--no-self-test').code).toBe(0);
    git(sb, repo, 'config', '--unset', 'core.hooksPath');
    const r = kw(sb, repo, 'hook', 'status');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`installed in ${join(repo, '.husky', 'pre-commit')}, but husky is not set up in this clone`);
  });
});

describe('keywarden hook self-test', () => {
  it('leaves the index, HEAD, refs, objects and working tree byte-identical', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    git(sb, repo, 'tag', 'v1');
    git(sb, repo, 'branch', 'feature');
    writeTree(repo, { 'tracked.txt': 'one\n' });
    git(sb, repo, 'add', 'tracked.txt');
    git(sb, repo, 'commit', '-q', '--no-verify', '-m', 'two');
    writeTree(repo, { 'staged.txt': 'staged\n', 'tracked.txt': 'modified, not staged\n', 'untracked.txt': 'untracked\n' });
    git(sb, repo, 'add', 'staged.txt');
    expect(kw(sb, repo, 'hook', 'install', '--no-self-test').code).toBe(0);

    const scratch = tempDir('kw-tmp-');
    const before = snapshot(repo);
    const r = runCli(['hook', 'self-test'], { cwd: repo, env: { ...sb.env, TMPDIR: scratch } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('self-test passed: the hook blocked a test secret');
    expect(snapshot(repo)).toEqual(before);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('fails when the installed hook lets a secret through', () => {
    const sb = sandbox();
    const repo = makeRepo(sb);
    expect(kw(sb, repo, 'hook', 'install', '--no-self-test').code).toBe(0);
    const hook = join(repo, '.git', 'hooks', 'pre-commit');
    const lenient = join(sb.root, 'lenient.js');
    writeFileSync(lenient, 'process.exitCode = 0;\n');
    writeFileSync(hook, readFileSync(hook, 'utf8').replace(/^kw_cli=.*$/m, `kw_cli='${lenient}'`));
    const r = kw(sb, repo, 'hook', 'self-test');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('self-test FAILED: the hook exited 0 and let a staged test secret through');
  });
});

describe('node and paths with spaces', () => {
  it('works from a repository, a keywarden and a node whose paths contain spaces, and falls back when node moves', () => {
    const sb = sandbox();
    const repo = makeRepo(sb, 'my repo');
    // a copy of the package and of node, both in folders with spaces
    const pkg = join(sb.root, 'kw tools', 'keywarden');
    mkdirSync(pkg, { recursive: true });
    for (const part of ['bin', 'dist', 'rules']) cpSync(join(REPO, part), join(pkg, part), { recursive: true });
    copyFileSync(join(REPO, 'package.json'), join(pkg, 'package.json'));
    symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'));
    const nodeDir = join(sb.root, 'node bin');
    mkdirSync(nodeDir);
    const node = join(nodeDir, 'node');
    try {
      linkSync(process.execPath, node);
    } catch {
      copyFileSync(process.execPath, node);
      chmodSync(node, 0o755);
    }

    const inst = run(node, [join(pkg, 'bin', 'keywarden.js'), 'hook', 'install'], repo, sb.env);
    expect(inst.stderr).toBe('');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toMatch(/self-test passed/);
    const hook = readFileSync(join(repo, '.git', 'hooks', 'pre-commit'), 'utf8');
    expect(hook).toContain(`kw_node='${node}'`);
    expect(hook).toContain(`kw_cli='${join(pkg, 'bin', 'keywarden.js')}'`);

    const secret = token();
    expectBlocked(commit(sb, repo, { 'dir with space/a b.txt': `${secret}\n` }), secret, 'dir with space/a b.txt');
    git(sb, repo, 'rm', '-q', '--cached', 'dir with space/a b.txt');
    expect(commit(sb, repo, { 'dir with space/ok.txt': 'fine\n' }).code).toBe(0);

    // the embedded node is gone (an nvm version removed): node on PATH takes over
    unlinkSync(node);
    expect(kw(sb, repo, 'hook', 'status').stdout).toContain(`the node it embeds (${node}) is gone`);
    expectBlocked(commit(sb, repo, { 'b.txt': `${secret}\n` }), secret, 'b.txt');

    // and with no node anywhere, the commit is blocked with a clear message
    const bin = join(sb.root, 'bin-without-node');
    mkdirSync(bin);
    symlinkSync(spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim(), join(bin, 'git'));
    const none = run('git', ['commit', '-m', 'x'], repo, { ...sb.env, PATH: bin });
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('keywarden: cannot run the secret scan, so the commit is blocked: node was not found');
    expect(run(join(repo, '.git', 'hooks', 'pre-commit'), [], repo, { ...sb.env, PATH: bin }).code).toBe(2);
    rmSync(join(sb.root, 'kw tools'), { recursive: true, force: true });
  });
});
