// Small git helpers shared by the sources. Every git invocation passes arguments as an array
// (no shell), and content never travels through argv.
import { execa } from 'execa';

export async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    const { stdout, exitCode } = await execa('git', ['-C', dir, 'rev-parse', '--show-toplevel'], {
      reject: false,
      stdin: 'ignore',
    });
    return exitCode === 0 && stdout.trim() ? stdout.trim() : undefined;
  } catch {
    return undefined; // git not installed: treat as "not a work tree"
  }
}

/** Tracked plus untracked-not-ignored files under `dir`, relative to `dir`. */
export async function gitListFiles(dir: string): Promise<string[]> {
  const { stdout } = await execa(
    'git',
    ['-C', dir, '-c', 'core.quotePath=off', 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate'],
    { stdin: 'ignore', stripFinalNewline: false, maxBuffer: 1024 * 1024 * 1024 },
  );
  return stdout.split('\0').filter((p) => p.length > 0);
}

/** Whether `dir` is inside a git repository (work tree or bare). */
export async function isGitRepository(dir: string): Promise<boolean> {
  try {
    const { exitCode } = await execa('git', ['-C', dir, 'rev-parse', '--git-dir'], { reject: false, stdin: 'ignore' });
    return exitCode === 0;
  } catch {
    return false;
  }
}
