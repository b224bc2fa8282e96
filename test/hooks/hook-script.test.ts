import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  blockInsertionPoint,
  findBlock,
  hookBlock,
  hookFile,
  insertBlock,
  removeBlock,
  replaceBlock,
  shQuote,
  type HookKind,
} from '../../src/hooks/hook-script.js';

const runtime = { node: '/opt/node versions/v20/bin/node', cli: "/home/o'brien/my tools/keywarden/bin/keywarden.js" };

function sh(script: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', script, 'sh', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('the hook script', () => {
  for (const kind of ['standalone', 'global', 'forward'] as const) {
    it(`${kind}: is valid POSIX sh and starts with a shebang`, () => {
      const text = hookFile(kind, runtime, kind === 'forward' ? 'pre-push' : 'pre-commit').toString('utf8');
      expect(text.startsWith('#!/bin/sh\n# >>> keywarden hook >>>\n')).toBe(true);
      const r = spawnSync('sh', ['-n'], { input: text, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  }

  it('embeds paths with spaces and quotes so that sh reads them back unchanged, and so does findBlock', () => {
    const block = hookBlock('block', runtime);
    const assignments = block.split('\n').filter((l) => /^kw_(node|cli)=/.test(l)).join('\n');
    const r = sh(`${assignments}\nprintf '%s\\n%s' "$kw_node" "$kw_cli"`);
    expect(r.stdout).toBe(`${runtime.node}\n${runtime.cli}`);
    const found = findBlock(Buffer.from(block));
    expect(found).toMatchObject({ kind: 'block', node: runtime.node, cli: runtime.cli, start: 0, end: Buffer.byteLength(block) });
  });

  it('shQuote survives every awkward character', () => {
    const s = `a b'c"d$e\`f\\g!h*`;
    expect(sh(`printf %s ${shQuote(s)}`).stdout).toBe(s);
  });
});

describe('inserting and removing the block', () => {
  const originals: Array<[string, Buffer]> = [
    ['sh with a final newline', Buffer.from('#!/bin/sh\nnpm test\n')],
    ['bash -e without a final newline', Buffer.from('#!/bin/bash -e\nmake lint')],
    ['bytes that are not UTF-8', Buffer.from([0x23, 0x21, 0x2f, 0x62, 0x69, 0x6e, 0x2f, 0x73, 0x68, 0x0a, 0xff, 0xfe, 0x0d, 0x0a, 0x00])],
  ];
  for (const [name, original] of originals) {
    it(`restores the original byte for byte: ${name}`, () => {
      const at = blockInsertionPoint(original, false);
      expect(at).toBe(original.indexOf(0x0a) + 1);
      const withBlock = insertBlock(original, at!, hookBlock('block', runtime));
      const found = findBlock(withBlock)!;
      expect(found.kind).toBe('block');
      // a refresh with other paths stays in place
      const refreshed = replaceBlock(withBlock, found, hookBlock('block', { node: '/usr/bin/node', cli: '/x/keywarden.js' }));
      expect(findBlock(refreshed)).toMatchObject({ node: '/usr/bin/node' });
      expect(removeBlock(refreshed, findBlock(refreshed)!).equals(original)).toBe(true);
    });
  }

  it('edits only shell scripts; a husky file (run with sh -e) whatever its first line', () => {
    const at = (text: string, husky = false): number | undefined => blockInsertionPoint(Buffer.from(text), husky);
    expect(at('#!/usr/bin/env sh\nx\n')).toBe(18);
    expect(at('#!/usr/bin/env bash\nx\n')).toBe(20);
    expect(at('#! /bin/dash\n')).toBe(13);
    expect(at('#!/usr/bin/env node\nx\n')).toBeUndefined();
    expect(at('#!/usr/bin/python3\n')).toBeUndefined();
    expect(at('#!/bin/shell-of-my-own\n')).toBeUndefined();
    expect(at('npm test\n')).toBeUndefined();
    expect(at('npm test\n', true)).toBe(0);
    expect(at('', true)).toBe(0);
    expect(at('#!/usr/bin/env node\nnpx lint-staged\n', true)).toBe(20);
  });

  it('ignores a marker that does not start a line or has no footer', () => {
    expect(findBlock(Buffer.from('echo "# >>> keywarden hook >>>"\n'))).toBeUndefined();
    expect(findBlock(Buffer.from('# >>> keywarden hook >>>\n# keywarden-hook: block\nexit 0\n'))).toBeUndefined();
  });

  it('reads back the kind it wrote', () => {
    for (const kind of ['standalone', 'block', 'created', 'global', 'forward'] as HookKind[]) {
      expect(findBlock(Buffer.from(hookBlock(kind, runtime)))?.kind).toBe(kind);
    }
  });
});
