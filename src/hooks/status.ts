// `keywarden hook status`: is the hook installed, and does git actually run it?
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { runGit } from './git.js';
import { readHookFile, type HookFileState } from './hook-file.js';
import { CHAINED_SUFFIX, type HookKind } from './hook-script.js';
import { effectiveHookFile, globalHooksPath, managedGlobalHooksDir, PRE_COMMIT, resolveHookLayout, sameDir, type HookLayout } from './hooks-path.js';
import { safeManagedDir } from './install.js';

export interface StatusItem {
  /** ok: a fact that makes the hook work; problem: why it does not; note: worth knowing. */
  level: 'ok' | 'problem' | 'note';
  message: string;
}

export interface HookStatus {
  /** A commit in this repository runs keywarden's scan. */
  effective: boolean;
  /** The keywarden hook git runs, when there is one. */
  active?: { file: string; kind: HookKind };
  items: StatusItem[];
}

function hooksPathText(layout: HookLayout): string {
  return layout.hooksPath ? `core.hooksPath=${layout.hooksPath.value} (${layout.hooksPath.scope} config)` : 'no core.hooksPath';
}

/** What a keywarden hook file embeds and chains, as notes. */
function describeInstalled(state: HookFileState): StatusItem[] {
  const items: StatusItem[] = [];
  const block = state.block!;
  if (block.node && !existsSync(block.node)) {
    items.push({ level: 'note', message: `the node it embeds (${block.node}) is gone: it falls back to node on PATH; run \`keywarden hook install\` to refresh it` });
  }
  if (block.cli && !existsSync(block.cli)) {
    items.push({ level: 'note', message: `the keywarden it embeds (${block.cli}) is gone: it falls back to npx; run \`keywarden hook install\` to refresh it` });
  }
  if (block.kind === 'standalone') {
    const chained = readHookFile(state.path + CHAINED_SUFFIX);
    if (chained.exists) {
      items.push(
        chained.executable
          ? { level: 'note', message: `chained hook present: ${chained.path} (the hook that was there before) runs after the scan` }
          : { level: 'note', message: `chained hook present: ${chained.path} is not executable, so it is skipped, as git skipped it before` },
      );
    }
  } else if (block.kind === 'block' || block.kind === 'created') {
    if (block.end < state.bytes.length) items.push({ level: 'note', message: `the rest of ${state.path} runs after the scan` });
  }
  return items;
}

export async function hookStatus(repo: string, env: NodeJS.ProcessEnv): Promise<HookStatus> {
  const layout = await resolveHookLayout(repo, env);
  const managed = safeManagedDir(env);
  const items: StatusItem[] = [];
  const effFile = effectiveHookFile(layout);
  const eff = readHookFile(effFile);
  let active: HookFileState | undefined;
  let via = '';
  if (!eff.exists) {
    items.push({ level: 'problem', message: `git runs no pre-commit hook: ${effFile} does not exist (${hooksPathText(layout)})` });
  } else if (!eff.executable) {
    const own = eff.block?.kind === 'standalone' || eff.block?.kind === 'global';
    items.push({ level: 'problem', message: `${effFile} is not executable, so git skips it: ${own ? 'run `keywarden hook install` again' : '`chmod +x` it if it should run'}` });
  } else if (eff.block && eff.block.kind !== 'forward') {
    active = eff;
    via = eff.block.kind === 'global' ? " (keywarden's global hook)" : '';
  } else if (layout.husky?.version === 9) {
    const user = readHookFile(layout.husky.userHook);
    if (user.block) {
      active = user;
      via = ` (through husky: git runs ${effFile}, which runs it with sh -e)`;
    } else {
      items.push({
        level: 'problem',
        message: `husky runs ${layout.husky.userHook}, which ${user.exists ? 'does not run keywarden' : 'does not exist'}`,
      });
    }
  } else {
    items.push({ level: 'problem', message: `git runs ${effFile}, which is not keywarden's hook` });
  }
  if (active) {
    items.push({ level: 'ok', message: `installed and effective: ${active.path}${via}` });
    items.push(...describeInstalled(active));
  }
  if (layout.husky && env.HUSKY === '0') {
    items.push({ level: 'note', message: 'HUSKY=0 is set in this environment, so husky runs no hook at all here' });
  }

  // keywarden hooks elsewhere, which git does not run
  const elsewhere = new Set([join(layout.repoHooksDir, PRE_COMMIT), effFile]);
  if (layout.husky) elsewhere.add(layout.husky.userHook);
  if (layout.inactiveHuskyDir) elsewhere.add(join(layout.inactiveHuskyDir, PRE_COMMIT));
  let foundElsewhere = false;
  for (const file of elsewhere) {
    if (file === active?.path) continue;
    const st = readHookFile(file);
    if (!st.block || st.block.kind === 'forward') continue;
    foundElsewhere = true;
    const repoHookUnderGlobal = active?.block?.kind === 'global' && file === join(layout.repoHooksDir, PRE_COMMIT);
    if (repoHookUnderGlobal) {
      items.push({ level: 'note', message: `also installed in ${file}, which the global hook runs after its scan (the scan runs once)` });
    } else if (layout.inactiveHuskyDir && dirname(file) === layout.inactiveHuskyDir) {
      items.push({ level: active ? 'note' : 'problem', message: `installed in ${file}, but husky is not set up in this clone (core.hooksPath does not point to ${join(layout.inactiveHuskyDir, '_')}): run \`npx husky\`` });
    } else if (file !== effFile) {
      items.push({ level: active ? 'note' : 'problem', message: `installed in ${file} but shadowed by ${hooksPathText(layout)}: git runs ${effFile} instead; run \`keywarden hook install\` again` });
    }
  }
  if (!active && managed && existsSync(join(managed, PRE_COMMIT)) && !sameDir(layout.effectiveHooksDir, managed)) {
    items.push({ level: 'note', message: `keywarden's global hook (${managed}) does not run here: ${hooksPathText(layout)}` });
  }
  if (!active && !foundElsewhere) {
    items.push({ level: 'problem', message: 'keywarden\'s pre-commit hook is not installed here: run `keywarden hook install`' });
  }
  const result: HookStatus = { effective: active !== undefined, items };
  if (active?.block) result.active = { file: active.path, kind: active.block.kind };
  return result;
}

export async function globalHookStatus(env: NodeJS.ProcessEnv, cwd: string): Promise<HookStatus> {
  const current = await globalHooksPath(env, cwd);
  const managed = managedGlobalHooksDir(env);
  const items: StatusItem[] = [];
  let active: HookFileState | undefined;
  if (current === undefined) {
    items.push({ level: 'problem', message: 'not installed globally: your global git config sets no core.hooksPath (run `keywarden hook install --global`)' });
    if (readHookFile(join(managed, PRE_COMMIT)).block) {
      items.push({ level: 'note', message: `${join(managed, PRE_COMMIT)} exists, but core.hooksPath does not point to ${managed}` });
    }
  } else if (!isAbsolute(current)) {
    items.push({ level: 'problem', message: `your global core.hooksPath is relative (${current}): it names a folder inside each repository, so there is no global hook` });
  } else {
    const st = readHookFile(join(current, PRE_COMMIT));
    if (!st.exists) items.push({ level: 'problem', message: `global core.hooksPath is ${current}, but ${st.path} does not exist` });
    else if (!st.block) items.push({ level: 'problem', message: `global core.hooksPath is ${current}, but ${st.path} is not keywarden's hook` });
    else if (!st.executable) items.push({ level: 'problem', message: `${st.path} is not executable, so git skips it: run \`keywarden hook install --global\` again` });
    else {
      active = st;
      items.push({ level: 'ok', message: `installed globally: every repository without its own core.hooksPath runs ${st.path}` });
      if (st.block.kind === 'global') items.push({ level: 'note', message: "it then runs each repository's own .git/hooks/pre-commit" });
      items.push(...describeInstalled(st));
    }
  }
  if (active) {
    const local = await runGit(['config', '--local', '--get', 'core.hooksPath'], { cwd, env });
    if (local.exitCode === 0) {
      items.push({ level: 'note', message: `this repository sets its own core.hooksPath (${local.stdout.trim()}), so the global hook does not run here: run \`keywarden hook install\` in it` });
    }
  }
  const result: HookStatus = { effective: active !== undefined, items };
  if (active?.block) result.active = { file: active.path, kind: active.block.kind };
  return result;
}
