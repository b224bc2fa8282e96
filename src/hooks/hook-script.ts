// The hook script: POSIX sh between a header and a footer line, so install, uninstall and status
// find exactly the bytes keywarden wrote, whether it owns the whole file or sits in someone else's.
import type { HookRuntime } from './node-resolution.js';

export const HOOK_HEADER = '# >>> keywarden hook >>>';
export const HOOK_FOOTER = '# <<< keywarden hook <<<';
const KIND_PREFIX = '# keywarden-hook: ';

/**
 * - standalone: the whole file is keywarden's; it then runs `pre-commit.keywarden-chained` if there is one.
 * - block: inserted at the top of an existing shell hook, whose own code runs after it.
 * - created: like block, in a husky hook file keywarden created (uninstall deletes the file again).
 * - global: the pre-commit hook of the global hooks folder; it then runs the repository's own hook.
 * - forward: another hook of the global hooks folder, only running the repository's own hook.
 */
export type HookKind = 'standalone' | 'block' | 'created' | 'global' | 'forward';

export const CHAINED_SUFFIX = '.keywarden-chained';
/** Set by the self-test: scan, then stop without running any chained hook. */
export const SELF_TEST_ENV = 'KEYWARDEN_HOOK_SELF_TEST';

const SHEBANG = '#!/bin/sh\n';

/** Single-quotes a string for sh. */
export function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function shUnquote(s: string): string {
  return s.slice(1, -1).replaceAll(`'\\''`, "'");
}

/** What a blocked commit prints after the report (the hook script embeds it). */
export const BLOCKED_COMMIT_ADVICE = `keywarden: commit blocked: the staged changes contain the secret(s) listed above.
  Ways out, best first:
    - remove the secret, \`git add\` the file again, and rotate the key if it was ever shared or pushed;
    - a false positive: add \`keywarden:allow\` to that line (in a comment), e.g.  # keywarden:allow test fixture
    - a known, accepted finding: add it to the baseline with  keywarden baseline update
    - last resort: \`git commit --no-verify\` skips this check (and every other pre-commit hook).`;

/** The scan: find node and keywarden, run `scan --staged`, print the advice when it blocks. */
function scanSection(runtime: HookRuntime): string {
  return `kw_node=${shQuote(runtime.node)}
kw_cli=${shQuote(runtime.cli)}
kw_scan() {
  kw_n=$kw_node
  if [ ! -x "$kw_n" ]; then kw_n=$(command -v node 2>/dev/null) || kw_n=''; fi
  if [ -z "$kw_n" ]; then
    echo "keywarden: cannot run the secret scan, so the commit is blocked: node was not found" >&2
    echo "keywarden: ($kw_node is gone and there is no node on PATH). Install Node.js or fix PATH, then run: keywarden hook install" >&2
    return 2
  fi
  if [ -f "$kw_cli" ]; then "$kw_n" "$kw_cli" scan --staged </dev/null; return; fi
  if command -v npx >/dev/null 2>&1; then npx --no-install keywarden scan --staged </dev/null; return; fi
  echo "keywarden: cannot run the secret scan, so the commit is blocked: $kw_cli is gone and npx was not found." >&2
  echo "keywarden: reinstall keywarden, then run: keywarden hook install" >&2
  return 2
}
kw_id="$(pwd -P):\${GIT_INDEX_FILE-}"
kw_status=0
if [ "\${KEYWARDEN_HOOK_SCANNED-}" != "$kw_id" ]; then kw_scan || kw_status=$?; fi
if [ "$kw_status" -eq 1 ]; then
  cat >&2 <<'KEYWARDEN_ADVICE'
${BLOCKED_COMMIT_ADVICE}
KEYWARDEN_ADVICE
elif [ "$kw_status" -ne 0 ]; then
  echo "keywarden: commit blocked: the secret scan did not complete (exit $kw_status, see above). Last resort: git commit --no-verify" >&2
fi
if [ "$kw_status" -ne 0 ]; then exit "$kw_status"; fi
if [ -n "\${${SELF_TEST_ENV}-}" ]; then exit 0; fi
KEYWARDEN_HOOK_SCANNED=$kw_id
export KEYWARDEN_HOOK_SCANNED
`;
}

/** Runs the repository's own hook of this name (used from the global hooks folder), never itself. */
function repoHookSection(hookName: string): string {
  return `kw_git_dir=$(git rev-parse --git-common-dir 2>/dev/null) || kw_git_dir=''
kw_hook="$kw_git_dir/hooks/${hookName}"
if [ -n "$kw_git_dir" ] && [ -f "$kw_hook" ] && [ -x "$kw_hook" ] &&
  [ "$(cd "$kw_git_dir/hooks" && pwd -P)" != "$(cd "$(dirname "$0")" && pwd -P)" ]; then
  exec "$kw_hook" "$@"
fi
exit 0
`;
}

const CHAINED_SECTION = `kw_chained="$(dirname "$0")/pre-commit${CHAINED_SUFFIX}"
if [ -f "$kw_chained" ] && [ -x "$kw_chained" ]; then exec "$kw_chained" "$@"; fi
exit 0
`;

const PURPOSE: Record<HookKind, string> = {
  standalone: '# Blocks commits whose staged changes contain secrets; then runs the hook it replaced, if any.',
  block: '# Blocks commits whose staged changes contain secrets; the rest of this file runs after it.',
  created: '# Blocks commits whose staged changes contain secrets; the rest of this file runs after it.',
  global: "# Blocks commits whose staged changes contain secrets in every repository; then runs the repository's own pre-commit hook.",
  forward: "# Runs the repository's own hook: the global core.hooksPath set by keywarden would otherwise hide it.",
};

/** The marked block for `kind` (ends with a newline; starts at a line start). */
export function hookBlock(kind: HookKind, runtime: HookRuntime, hookName = 'pre-commit'): string {
  const body =
    kind === 'forward'
      ? repoHookSection(hookName)
      : scanSection(runtime) + (kind === 'standalone' ? CHAINED_SECTION : kind === 'global' ? repoHookSection('pre-commit') : '');
  return `${HOOK_HEADER}
${KIND_PREFIX}${kind}
# Written by \`keywarden hook install\`; \`keywarden hook uninstall\` removes it and restores what was here.
${PURPOSE[kind]}
${body}${HOOK_FOOTER}
`;
}

/** A whole hook file owned by keywarden. */
export function hookFile(kind: 'standalone' | 'global' | 'forward', runtime: HookRuntime, hookName = 'pre-commit'): Buffer {
  return Buffer.from(SHEBANG + hookBlock(kind, runtime, hookName), 'utf8');
}

export interface FoundBlock {
  kind: HookKind;
  /** Byte range of the block in the file, footer line (and its newline) included. */
  start: number;
  end: number;
  node?: string;
  cli?: string;
}

/** Finds keywarden's block in a hook file's bytes. */
export function findBlock(bytes: Buffer): FoundBlock | undefined {
  const header = Buffer.from(`${HOOK_HEADER}\n`);
  let start = bytes.indexOf(header);
  while (start > 0 && bytes[start - 1] !== 0x0a) start = bytes.indexOf(header, start + 1);
  if (start < 0) return undefined;
  const footerAt = bytes.indexOf(Buffer.from(`\n${HOOK_FOOTER}`), start);
  if (footerAt < 0) return undefined;
  let end = footerAt + 1 + HOOK_FOOTER.length;
  if (bytes[end] === 0x0a) end++;
  const text = bytes.toString('utf8', start, end);
  const kind = /^# keywarden-hook: (standalone|block|created|global|forward)$/m.exec(text)?.[1] as HookKind | undefined;
  if (!kind) return undefined;
  const found: FoundBlock = { kind, start, end };
  const node = /^kw_node=('(?:[^']|'\\'')*')$/m.exec(text)?.[1];
  const cli = /^kw_cli=('(?:[^']|'\\'')*')$/m.exec(text)?.[1];
  if (node) found.node = shUnquote(node);
  if (cli) found.cli = shUnquote(cli);
  return found;
}

/** Shell scripts keywarden can put its block into: sh and its POSIX-compatible relatives. */
const SHELL_SHEBANG = /^#![ \t]*(?:\/usr\/bin\/env[ \t]+)?(?:\/[^ \t\n]*\/)?(?:sh|bash|dash|ksh|ash|mksh)(?:[ \t][^\n]*)?\n/;

/**
 * Where the block goes in an existing hook, or undefined when keywarden must not edit the file.
 * A hook git runs itself must be a shell script (sh or a POSIX-compatible relative): the block goes
 * after its shebang line. A husky hook file is always run with `sh -e`, whatever its first line
 * says: the block goes after a shebang line if there is one, else at the top.
 */
export function blockInsertionPoint(bytes: Buffer, husky: boolean): number | undefined {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 512));
  const shebang = SHELL_SHEBANG.exec(head);
  if (shebang) return shebang[0].length;
  if (!husky) return undefined;
  const eol = head.indexOf('\n');
  return head.startsWith('#!') && eol >= 0 ? eol + 1 : 0;
}

export function insertBlock(bytes: Buffer, at: number, block: string): Buffer {
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(block, 'utf8'), bytes.subarray(at)]);
}

export function replaceBlock(bytes: Buffer, found: FoundBlock, block: string): Buffer {
  return Buffer.concat([bytes.subarray(0, found.start), Buffer.from(block, 'utf8'), bytes.subarray(found.end)]);
}

export function removeBlock(bytes: Buffer, found: FoundBlock): Buffer {
  return Buffer.concat([bytes.subarray(0, found.start), bytes.subarray(found.end)]);
}
