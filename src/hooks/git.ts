// The git calls the hook commands make. Arguments always travel as an array (no shell), and
// content (the self-test's synthetic secret) only ever through stdin.
import { execa } from 'execa';
import { KeywardenError } from '../errors.js';

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface GitOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: Buffer | string;
}

/** Runs git and returns its output whatever the exit code; a missing git binary is a GIT error. */
export async function runGit(args: string[], opts: GitOptions): Promise<GitResult> {
  try {
    const r = await execa('git', args, {
      cwd: opts.cwd,
      env: opts.env,
      reject: false,
      ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
    });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
  } catch (err) {
    throw new KeywardenError('GIT', `cannot run git: ${(err as Error).message}`);
  }
}

/** Runs git and returns its trimmed stdout; a non-zero exit is a GIT error carrying git's message. */
export async function gitOutput(args: string[], opts: GitOptions): Promise<string> {
  const r = await runGit(args, opts);
  if (r.exitCode !== 0) {
    throw new KeywardenError('GIT', `git ${args.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ')} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  }
  return r.stdout.trim();
}

/** A config value (as a path, so `~` is expanded) or undefined when unset. */
export async function gitConfigPath(key: string, opts: GitOptions & { scope?: 'global' | 'local' }): Promise<string | undefined> {
  const scope = opts.scope ? [`--${opts.scope}`] : [];
  const r = await runGit(['config', ...scope, '--type=path', '--get', key], opts);
  if (r.exitCode === 1) return undefined;
  if (r.exitCode !== 0) throw new KeywardenError('GIT', `git config ${key} failed: ${r.stderr.trim()}`);
  return r.stdout.replace(/\n$/, '');
}
