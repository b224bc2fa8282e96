// What `keywarden hook install --global` leaves in its hooks folder besides pre-commit: forwarding
// hooks, and a note of what it changed so uninstall can undo exactly that.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The client-side hooks a global core.hooksPath would hide from every repository (git-lfs installs
 * several of them). Each gets a stub that runs the repository's own hook. Hooks whose mere presence
 * changes what git does (push-to-checkout, reference-transaction on every ref update) are left out.
 */
export const FORWARDED_HOOKS = [
  'applypatch-msg',
  'pre-applypatch',
  'post-applypatch',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'pre-rebase',
  'post-checkout',
  'post-merge',
  'pre-push',
  'post-rewrite',
  'pre-merge-commit',
  'pre-auto-gc',
] as const;

const STATE_FILE = '.keywarden-global.json';

export interface GlobalState {
  /** The global git config file, when setting core.hooksPath created it. */
  createdConfigFile?: string;
}

export function writeGlobalState(dir: string, state: GlobalState): void {
  writeFileSync(join(dir, STATE_FILE), `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

export function readGlobalState(dir: string): GlobalState {
  try {
    const data = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as GlobalState;
    return typeof data === 'object' && data !== null ? data : {};
  } catch {
    return {};
  }
}

export function removeGlobalState(dir: string): void {
  rmSync(join(dir, STATE_FILE), { force: true });
}
