// Shared pieces of the robustness tests: a demo rule set, a JSON report reader, a CLI run as an
// unprivileged user (so permission tests mean something when the suite runs as root).
import { spawnSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEMO_CONFIG, demoTokens } from '../support/demo-rules.js';
import { BIN, REPO, runCli, type RunResult } from '../support/cli.js';

/** The demo token rule plus a keyword-led rule without a literal prefix (it runs on keyword windows). */
export const CONFIG = `${DEMO_CONFIG}
[[rules]]
id = "demo-assignment"
description = "Demo secret assignment"
provider = "demo"
severity = "medium"
confidence = "low"
keywords = ["demo_secret"]
regex = '''(?i)demo_secret\\s*[:=]\\s*"([A-Za-z0-9]{20,40})"'''
`;

export const token = demoTokens('robustness');

export interface JsonReport {
  complete: boolean;
  findings: Array<{ file: string; ruleId: string; line: number; column: number; endColumn: number; secret: string; snippet?: string; commit?: { sha: string } }>;
  diagnostics: Array<{ kind: string; level: string; message: string; path?: string }>;
  stats: { filesScanned: number; blobsScanned?: number; skipped: Record<string, number> };
}

export function scanJson(args: string[], opts: { cwd?: string } = {}): RunResult & { report: JsonReport } {
  const r = runCli([...args, '-f', 'json'], opts);
  let report: JsonReport;
  try {
    report = JSON.parse(r.stdout) as JsonReport;
  } catch {
    throw new Error(`not a JSON report (exit ${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 500)}`);
  }
  return { ...r, report };
}

/** No stack trace and no "internal error" in what the CLI printed: a crash, however it was caught. */
export function expectNoCrash(r: RunResult): void {
  const out = `${r.stdout}\n${r.stderr}`;
  if (/internal error|\n\s+at .+:\d+:\d+\)?\n/.test(out)) throw new Error(`crash output:\n${out.slice(0, 2000)}`);
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The uid/gid of "nobody", used to run the CLI without root's power to read any file. */
const NOBODY = 65534;

/** Runs the built CLI as an unprivileged user (only meaningful when the tests run as root). */
export function runCliAsNobody(args: string[], cwd: string): RunResult {
  chmodSync(cwd, 0o755);
  // nobody must reach keywarden itself: a checkout under a private directory (mktemp -d makes them
  // 0700) gets search permission for others on it and its ancestors for the run, restored after
  const restore: Array<[string, number]> = [];
  for (let dir = REPO; ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      restore.push([dir, mode]);
    }
    if (dirname(dir) === dir) break;
  }
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd,
      uid: NOBODY,
      gid: NOBODY,
      env: { PATH: process.env.PATH, HOME: cwd, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  } finally {
    for (const [dir, mode] of restore) chmodSync(dir, mode);
  }
}

export { runCli };
