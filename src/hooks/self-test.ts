// Proves the installed hook fires: stage a synthetic secret in a throwaway index whose new object
// lives in a throwaway object folder, run the hook git would run, and check that it blocks. The
// user's index, HEAD, refs, objects and working tree are never written.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { findConfig } from '../config/config-file.js';
import { buildRuleSet } from '../rules.js';
import { gitOutput, runGit } from './git.js';
import { SELF_TEST_ENV } from './hook-script.js';
import { effectiveHookFile, resolveHookLayout } from './hooks-path.js';
import { synthesizeTestSecret } from './sample-secret.js';
import { hookStatus } from './status.js';

export const SELF_TEST_PATH = 'keywarden-self-test.txt';

export type SelfTestResult =
  | { outcome: 'passed'; ruleId: string }
  /** The hook ran and let the test secret through, or failed in another way. */
  | { outcome: 'failed'; reason: string; output?: string; exitCode?: number }
  /** Nothing was run: the hook is not effective, or no test secret could be made. */
  | { outcome: 'skipped'; reason: string };

export async function selfTest(repo: string, env: NodeJS.ProcessEnv): Promise<SelfTestResult> {
  const status = await hookStatus(repo, env);
  if (!status.effective) {
    return { outcome: 'skipped', reason: `the hook is not effective here (${status.items.find((i) => i.level === 'problem')?.message ?? 'see keywarden hook status'})` };
  }
  const layout = await resolveHookLayout(repo, env);
  // the rules the hook's scan will use: the configuration in the work tree
  const { engine } = buildRuleSet(findConfig(layout.top));
  const secret = synthesizeTestSecret(engine, SELF_TEST_PATH);
  if (!secret) {
    return { outcome: 'skipped', reason: `no rule in effect yields a test secret keywarden can make up for ${SELF_TEST_PATH}` };
  }
  const scratch = mkdtempSync(join(tmpdir(), 'keywarden-self-test-'));
  try {
    const objects = join(scratch, 'objects');
    mkdirSync(objects);
    const realObjects = await gitOutput(['rev-parse', '--path-format=absolute', '--git-path', 'objects'], { cwd: layout.top, env });
    const testEnv: NodeJS.ProcessEnv = {
      ...env,
      GIT_INDEX_FILE: join(scratch, 'index'),
      GIT_OBJECT_DIRECTORY: objects,
      // the repository's objects stay readable (HEAD's tree) but are never written
      GIT_ALTERNATE_OBJECT_DIRECTORIES: realObjects,
      [SELF_TEST_ENV]: '1',
    };
    const opts = { cwd: layout.top, env: testEnv };
    const hasHead = (await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], opts)).exitCode === 0;
    await gitOutput(hasHead ? ['read-tree', 'HEAD'] : ['read-tree', '--empty'], opts);
    const oid = await gitOutput(['hash-object', '-w', '--no-filters', '--stdin'], { ...opts, input: secret.content });
    await gitOutput(['update-index', '--add', '--cacheinfo', `100644,${oid},${SELF_TEST_PATH}`], opts);
    const hook = effectiveHookFile(layout);
    const run = await execa(hook, [], { cwd: layout.top, env: testEnv, reject: false, all: true, stdin: 'ignore' });
    const output = run.all ?? '';
    if (run.exitCode === 1 && output.includes(SELF_TEST_PATH)) return { outcome: 'passed', ruleId: secret.ruleId };
    const reason =
      run.exitCode === 0
        ? 'the hook exited 0 and let a staged test secret through'
        : `the hook exited ${run.exitCode ?? run.signal ?? 'abnormally'} ${output.includes(SELF_TEST_PATH) ? '' : 'without reporting the test secret'}`.trim();
    return { outcome: 'failed', reason, output, exitCode: run.exitCode };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
