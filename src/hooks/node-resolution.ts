// What the hook runs: the node binary and keywarden's bin script, resolved to absolute paths at
// install time. Git GUIs and editors often run hooks without the shell set-up that puts nvm's,
// volta's or fnm's node on PATH, so the hook embeds both and only falls back to PATH when the
// embedded ones have gone (a node version uninstalled, an npx cache cleared).
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { packageRoot } from '../config/paths.js';
import { KeywardenError } from '../errors.js';

export interface HookRuntime {
  /** Absolute path of the node binary running this install. */
  node: string;
  /** Absolute path of keywarden's bin/keywarden.js. */
  cli: string;
}

export function resolveRuntime(): HookRuntime {
  const runtime = { node: process.execPath, cli: join(packageRoot(), 'bin', 'keywarden.js') };
  for (const [what, p] of Object.entries(runtime)) {
    if (!isAbsolute(p) || !existsSync(p)) throw new KeywardenError('IO', `cannot resolve the ${what} path for the hook (${p})`);
    if (/[\n\r]/.test(p)) throw new KeywardenError('IO', `the ${what} path contains a line break, which a hook script cannot embed: ${JSON.stringify(p)}`);
  }
  return runtime;
}
