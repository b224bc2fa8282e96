// Small git helpers shared by the sources. Every git invocation passes arguments as an array
// (no shell), and content never travels through argv.
import { gitText, runGit } from './run-git.js';

export async function gitTopLevel(dir: string): Promise<string | undefined> {
  // git not installed or not a work tree: undefined either way
  return (await gitText(['-C', dir, 'rev-parse', '--show-toplevel'])) || undefined;
}

/**
 * Tracked plus untracked-not-ignored files under `dir`, relative to `dir`, as raw bytes: a name
 * need not be UTF-8, and NUL separation keeps names with newlines whole.
 */
export async function gitListFiles(dir: string): Promise<Buffer[]> {
  const r = await runGit(
    ['-C', dir, '-c', 'core.quotePath=off', 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate'],
    { maxBuffer: 1024 * 1024 * 1024 },
  );
  if (r.exitCode !== 0) throw new Error(`git ls-files failed in ${dir}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  const all = r.stdout;
  const out: Buffer[] = [];
  for (let from = 0; from < all.length; ) {
    let to = all.indexOf(0, from);
    if (to === -1) to = all.length;
    if (to > from) out.push(all.subarray(from, to));
    from = to + 1;
  }
  return out;
}

/** Whether `dir` is inside a git repository (work tree or bare). */
export async function isGitRepository(dir: string): Promise<boolean> {
  return (await runGit(['-C', dir, 'rev-parse', '--git-dir'])).exitCode === 0;
}

/** Whether `dir` is a bare repository or inside a .git directory: files there are git's internals. */
export async function isInsideGitDir(dir: string): Promise<boolean> {
  return (await gitText(['-C', dir, 'rev-parse', '--is-inside-git-dir'])) === 'true';
}
