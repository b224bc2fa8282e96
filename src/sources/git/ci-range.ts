// The commit range a CI job should scan, read from the CI provider's environment.
import { readFileSync } from 'node:fs';

export interface CiRange {
  provider: 'github' | 'gitlab';
  event: string;
  /** Commits to scan: `base..head`. */
  base: string;
  head: string;
}

export type CiRangeResult = { ok: true; range: CiRange } | { ok: false; reason: string } | undefined;

const ZERO = /^0+$/;

/**
 * GitHub Actions pull_request(_target) and push events, GitLab merge-request and push pipelines.
 * Returns undefined outside a recognised CI, or a reason when the CI is recognised but the range
 * cannot be determined (the caller fails closed).
 */
export function detectCiRange(env: NodeJS.ProcessEnv, readFile = (p: string) => readFileSync(p, 'utf8')): CiRangeResult {
  if (env.GITHUB_ACTIONS === 'true') {
    const event = env.GITHUB_EVENT_NAME ?? '';
    let payload: Record<string, any> = {};
    if (env.GITHUB_EVENT_PATH) {
      try {
        payload = JSON.parse(readFile(env.GITHUB_EVENT_PATH));
      } catch (err) {
        return { ok: false, reason: `cannot read the GitHub event payload (${(err as Error).message})` };
      }
    }
    if (event === 'pull_request' || event === 'pull_request_target') {
      const base = payload.pull_request?.base?.sha;
      const head = payload.pull_request?.head?.sha;
      if (typeof base !== 'string' || typeof head !== 'string') return { ok: false, reason: 'the pull_request event has no base/head sha' };
      return { ok: true, range: { provider: 'github', event, base, head } };
    }
    if (event === 'push') {
      const before = payload.before;
      const head = payload.after ?? env.GITHUB_SHA;
      if (typeof head !== 'string') return { ok: false, reason: 'the push event has no "after" sha' };
      if (typeof before === 'string' && !ZERO.test(before)) return { ok: true, range: { provider: 'github', event, base: before, head } };
      const def = payload.repository?.default_branch;
      if (typeof def !== 'string') return { ok: false, reason: 'a new branch was pushed and the default branch is unknown' };
      return { ok: true, range: { provider: 'github', event, base: `origin/${def}`, head } };
    }
    return { ok: false, reason: `GitHub event "${event}" has no commit range; pass --range or --history explicitly` };
  }
  if (env.GITLAB_CI === 'true') {
    const head = env.CI_COMMIT_SHA;
    if (!head) return { ok: false, reason: 'CI_COMMIT_SHA is not set' };
    const mrBase = env.CI_MERGE_REQUEST_DIFF_BASE_SHA;
    if (mrBase) return { ok: true, range: { provider: 'gitlab', event: 'merge_request', base: mrBase, head } };
    const before = env.CI_COMMIT_BEFORE_SHA;
    if (before && !ZERO.test(before)) return { ok: true, range: { provider: 'gitlab', event: 'push', base: before, head } };
    const def = env.CI_DEFAULT_BRANCH;
    if (!def) return { ok: false, reason: 'a new branch was pushed and CI_DEFAULT_BRANCH is not set' };
    return { ok: true, range: { provider: 'gitlab', event: 'push', base: `origin/${def}`, head } };
  }
  return undefined;
}

export function shallowFixHint(provider: CiRange['provider'] | undefined): string {
  if (provider === 'github') return 'check out with actions/checkout and `fetch-depth: 0`';
  if (provider === 'gitlab') return 'set the variable GIT_DEPTH: 0 for this job';
  return 'fetch the missing history (git fetch --unshallow)';
}
