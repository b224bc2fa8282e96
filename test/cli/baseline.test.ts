// `keywarden baseline create|update|prune` through the built CLI on temporary trees and git
// repositories, and applyBaselineToResult (what `keywarden scan` calls) on real scan results.
import { DEMO_CONFIG, demoTokens } from '../support/demo-rules.js';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBaselineToResult, BASELINE_FILE_NAME } from '../../src/config/baseline-file.js';
import { findConfig } from '../../src/config/config-file.js';
import { scanHistory } from '../../src/history/scan-history.js';
import { jsonReporter } from '../../src/reporters/json.js';
import { textReporter } from '../../src/reporters/text.js';
import { scanPaths } from '../../src/scan.js';
import type { BaselineEntry } from '../../src/types.js';
import { toolInfo } from '../../src/version.js';
import { git, gitInit, runCli, tempDir, writeTree, type RunResult } from '../support/cli.js';

const CONFIG = DEMO_CONFIG;

const token = demoTokens('baseline-cli-tests');

// `added` comes from SOURCE_DATE_EPOCH when set: 2025-03-01, so runs on any day give the same bytes
const ENV = { SOURCE_DATE_EPOCH: String(Date.UTC(2025, 2, 1) / 1000) };
const NOW = new Date('2025-06-01T00:00:00Z');
const TOOL = { tool: toolInfo() };

function kw(args: string[]): RunResult {
  return runCli(['baseline', ...args], { env: ENV });
}

const baselineText = (dir: string, name = BASELINE_FILE_NAME): string => readFileSync(join(dir, name), 'utf8');
const entriesOf = (dir: string, name = BASELINE_FILE_NAME): BaselineEntry[] => (JSON.parse(baselineText(dir, name)) as { entries: BaselineEntry[] }).entries;

/** A tree with two secrets in one file (one of them twice) and one in another. */
function tree(): { dir: string; secrets: string[] } {
  const dir = tempDir('kw-base-');
  const secrets = [token(), token(), token()];
  writeTree(dir, {
    '.keywarden.toml': CONFIG,
    'src/app.js': `const a = "${secrets[0]}";\nconst b = "${secrets[1]}";\nconst again = "${secrets[0]}";\n`,
    'config/test.env': `TOKEN=${secrets[2]}\n`,
    'clean.txt': 'nothing to see\n',
  });
  return { dir, secrets };
}

function expectNoSecret(text: string, secrets: string[]): void {
  for (const s of secrets) {
    expect(text).not.toContain(s);
    expect(text).not.toContain(s.slice(0, 8));
  }
  expect(text).not.toContain('dmo_');
}

describe('keywarden baseline create', () => {
  it('is listed by --help', () => {
    expect(runCli(['--help']).stdout).toMatch(/^\s+baseline\b/m);
    const r = runCli(['baseline', '--help']);
    for (const sub of ['create', 'update', 'prune']) expect(r.stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
  });

  it('writes one sorted entry per finding with its metadata, and no secret anywhere', () => {
    const { dir, secrets } = tree();
    const r = kw(['create', dir, '--reason', 'test fixtures', '--owner', 'alice', '--expires', '2099-01-01']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Wrote .*\.keywarden-baseline\.json: 3 entries for 4 findings\./);
    const text = baselineText(dir);
    expectNoSecret(text + r.stdout + r.stderr, secrets);
    expect(text.endsWith('}\n')).toBe(true);
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual(['{', '  "version": 1,', '  "entries": [']);
    expect(lines.slice(3, 6).every((l) => /^ {4}\{ "fingerprint": .* \},?$/.test(l))).toBe(true);
    const entries = entriesOf(dir);
    expect(entries.map((e) => e.file)).toEqual(['config/test.env', 'src/app.js', 'src/app.js']);
    expect(entries[1]!.fingerprint < entries[2]!.fingerprint).toBe(true);
    for (const e of entries) {
      expect(e).toEqual({
        fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
        ruleId: 'demo-token',
        file: e.file,
        reason: 'test fixtures',
        owner: 'alice',
        expires: '2099-01-01',
        added: '2025-03-01',
      });
    }
    // the fingerprints are the ones a scan reports
    const report = JSON.parse(runCli(['scan', dir, '-f', 'json', '--no-baseline']).stdout) as { findings: Array<{ fingerprint: string }> };
    expect(new Set(entries.map((e) => e.fingerprint))).toEqual(new Set(report.findings.map((f) => f.fingerprint)));
  });

  it('refuses to replace an existing baseline without --force; with it, a re-run gives the same bytes', () => {
    const { dir } = tree();
    expect(kw(['create', dir, '--reason', 'first']).code).toBe(0);
    const first = baselineText(dir);
    const refused = kw(['create', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists: use --force/);
    expect(baselineText(dir)).toBe(first);
    expect(kw(['create', dir, '--force']).code).toBe(0);
    const second = baselineText(dir);
    expect(second).not.toContain('first');
    expect(kw(['create', dir, '--force']).code).toBe(0);
    expect(baselineText(dir)).toBe(second);
  });

  it('--force replaces even a corrupt baseline', () => {
    const { dir } = tree();
    writeTree(dir, { [BASELINE_FILE_NAME]: '{ broken' });
    expect(kw(['create', dir, '--force']).code).toBe(0);
    expect(entriesOf(dir)).toHaveLength(3);
  });

  it('writes an empty baseline for a clean tree', () => {
    const dir = tempDir();
    writeTree(dir, { '.keywarden.toml': CONFIG, 'a.txt': 'clean\n' });
    const r = kw(['create', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 entries for 0 findings/);
    expect(baselineText(dir)).toBe('{\n  "version": 1,\n  "entries": []\n}\n');
  });

  it('--baseline writes elsewhere, with paths relative to that file', () => {
    const { dir } = tree();
    const r = kw(['create', dir, '--baseline', join(dir, 'ci', 'kb.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(entriesOf(dir, 'ci/kb.json').map((e) => e.file)).toEqual(['../config/test.env', '../src/app.js', '../src/app.js']);
  });

  it('rejects a bad --expires, a file as PATH, and warns about an expiry in the past', () => {
    const { dir } = tree();
    const bad = kw(['create', dir, '--expires', '2025-02-30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--expires: "2025-02-30" is not a date \(YYYY-MM-DD\)/);
    const file = kw(['create', join(dir, 'src', 'app.js')]);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/is not a directory/);
    const past = kw(['create', dir, '--expires', '2001-01-01']);
    expect(past.code).toBe(0);
    expect(past.stderr).toMatch(/--expires 2001-01-01 is not in the future/);
  });

  it('honours --no-gitignore in a git work tree', () => {
    const dir = tempDir();
    gitInit(dir);
    writeTree(dir, { '.keywarden.toml': CONFIG, '.gitignore': 'ignored/\n', 'tracked.txt': `${token()}\n`, 'ignored/x.txt': `${token()}\n` });
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'init');
    expect(kw(['create', dir]).code).toBe(0);
    expect(entriesOf(dir).map((e) => e.file)).toEqual(['tracked.txt']);
    expect(kw(['create', dir, '--force', '--no-gitignore']).code).toBe(0);
    expect(entriesOf(dir).map((e) => e.file)).toEqual(['ignored/x.txt', 'tracked.txt']);
  });
});

describe('keywarden baseline update', () => {
  it('adds new findings with the new metadata and leaves existing entries untouched', () => {
    const { dir } = tree();
    expect(kw(['create', dir, '--reason', 'legacy', '--owner', 'alice', '--expires', '2099-01-01']).code).toBe(0);
    const before = entriesOf(dir);
    writeTree(dir, { 'docs/new.md': `key: ${token()}\n` });
    const r = runCli(['baseline', 'update', dir, '--reason', 'docs example'], { env: { SOURCE_DATE_EPOCH: String(Date.UTC(2025, 4, 2) / 1000) } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/added 1 entry \(4 in all\)/);
    const after = entriesOf(dir);
    expect(after.filter((e) => e.file !== 'docs/new.md')).toEqual(before);
    expect(after.find((e) => e.file === 'docs/new.md')).toEqual({
      fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
      ruleId: 'demo-token',
      file: 'docs/new.md',
      reason: 'docs example',
      added: '2025-05-02',
    });
  });

  it('re-running on an unchanged tree leaves the file byte-identical', () => {
    const { dir } = tree();
    expect(kw(['update', dir]).code).toBe(0);
    const first = baselineText(dir);
    const r = kw(['update', dir, '--reason', 'ignored for known entries']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/added 0 entries \(3 in all\)/);
    expect(baselineText(dir)).toBe(first);
  });

  it('says how many entries match nothing any more, without removing them', () => {
    const { dir } = tree();
    expect(kw(['create', dir]).code).toBe(0);
    rmSync(join(dir, 'config', 'test.env'));
    const r = kw(['update', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 entry no longer matches a finding: `keywarden baseline prune` removes it/);
    expect(entriesOf(dir)).toHaveLength(3);
  });

  it('a hand-broken baseline exits 2 naming the file and the bad field, and is left alone', () => {
    const { dir } = tree();
    expect(kw(['create', dir]).code).toBe(0);
    const broken = baselineText(dir).replace('"added": "2025-03-01"', '"added": "2025-03-01", "expires": "next year"');
    writeFileSync(join(dir, BASELINE_FILE_NAME), broken);
    const r = kw(['update', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${BASELINE_FILE_NAME}: invalid baseline`);
    expect(r.stderr).toMatch(/rule "demo-token", field \/entries\/0\/expires: "next year" is not a date/);
    expect(baselineText(dir)).toBe(broken);

    writeFileSync(join(dir, BASELINE_FILE_NAME), '{\n  "version": 1,\n  "entries": [\n    { "fingerprint": "ab", }\n  ]\n}\n');
    const json = kw(['prune', dir]);
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/\.keywarden-baseline\.json, field line 4, column \d+: invalid JSON/);
  });
});

describe('keywarden baseline prune', () => {
  it('removes the entries that match nothing, lists them, and keeps the others as they were', () => {
    const { dir, secrets } = tree();
    expect(kw(['create', dir, '--reason', 'kept']).code).toBe(0);
    rmSync(join(dir, 'config', 'test.env'));
    writeFileSync(join(dir, 'src', 'app.js'), `const a = "${secrets[0]}";\n`);
    const r = kw(['prune', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/removed 2 entries that matched nothing \(1 left\)/);
    expect(r.stdout).toMatch(/- demo-token in config\/test\.env \(fingerprint [0-9a-f]{32}\)/);
    expectNoSecret(r.stdout + r.stderr, secrets);
    expect(entriesOf(dir)).toEqual([expect.objectContaining({ file: 'src/app.js', reason: 'kept' })]);
    const again = kw(['prune', dir]);
    expect(again.stdout).toMatch(/removed 0 entries/);
  });

  it('an expired entry makes keywarden scan report its finding again and say why', () => {
    const { dir } = tree();
    expect(kw(['create', dir, '--expires', '2001-01-01', '--owner', 'carol']).code).toBe(0);
    const r = runCli(['scan', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/4 secrets found/);
    expect(r.stdout).toContain('note: baseline entry for demo-token in config/test.env expired on 2001-01-01 (owner carol): its finding is reported again');
  });

  it('exits 2 when there is no baseline to prune', () => {
    const { dir } = tree();
    const r = kw(['prune', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no baseline at .*keywarden baseline create/);
  });
});

describe('moving an accepted secret', () => {
  it('to another line keeps its entry: update and prune change nothing, and the scan result is clean', async () => {
    const { dir, secrets } = tree();
    expect(kw(['create', dir]).code).toBe(0);
    const before = baselineText(dir);
    writeFileSync(
      join(dir, 'src', 'app.js'),
      `// a header pushes everything down\n\n\nconst b = "${secrets[1]}";\n\nconst a = "${secrets[0]}"; const again = "${secrets[0]}";\n`,
    );
    expect(kw(['update', dir]).stdout).toMatch(/added 0 entries/);
    expect(kw(['prune', dir]).stdout).toMatch(/removed 0 entries/);
    expect(baselineText(dir)).toBe(before);
    const scan = runCli(['scan', dir]);
    expect(scan.code).toBe(0);
    expect(scan.stdout).toMatch(/note: \.keywarden-baseline\.json suppressed 4 findings/);
    expect(scan.stdout).toMatch(/No secrets found/);
    expect(runCli(['scan', dir, '--no-baseline']).code).toBe(1);

    const scanned = await scanPaths({ paths: [dir] });
    expect(scanned.findings.map((f) => f.line).sort()).toEqual([4, 6, 6, 1].sort());
    const applied = await applyBaselineToResult(scanned, undefined, scanned.root, NOW);
    expect(applied.findings).toEqual([]);
    expect(applied.stats).toMatchObject({ findings: 0, baselined: 4 });
    expect(applied.baseline).toEqual({ file: BASELINE_FILE_NAME, suppressed: 4, stale: [], expired: [] });
  });

  it('to another file, or a new secret on an accepted line, is reported', async () => {
    const { dir, secrets } = tree();
    expect(kw(['create', dir]).code).toBe(0);
    const fresh = token();
    writeTree(dir, { 'config/test.env': '', 'config/prod.env': `TOKEN=${secrets[2]}\n`, 'src/app.js': `const a = "${secrets[0]}"; const b = "${fresh}";\n` });
    const scan = runCli(['scan', dir, '-f', 'json']);
    expect(scan.code).toBe(1);
    const report = JSON.parse(scan.stdout) as { findings: Array<{ file: string; line: number; column: number }>; stats: { baselined: number } };
    const expected = ['config/prod.env:1:7', 'src/app.js:1:54'];
    expect(report.findings.map((f) => `${f.file}:${f.line}:${f.column}`).sort()).toEqual(expected);
    expect(report.stats.baselined).toBe(1);
    const scanned = await scanPaths({ paths: [dir] });
    const applied = await applyBaselineToResult(scanned, undefined, scanned.root, NOW);
    expect(applied.findings.map((f) => `${f.file}:${f.line}:${f.column}`).sort()).toEqual(expected);
    expect(applied.baseline!.stale.map((e) => e.file).sort()).toEqual(['config/test.env', 'src/app.js']);
  });
});

describe('applyBaselineToResult', () => {
  it('returns the result unchanged when there is no baseline, and fails on an explicit missing one', async () => {
    const { dir } = tree();
    const scanned = await scanPaths({ paths: [dir] });
    expect(await applyBaselineToResult(scanned, undefined, scanned.root, NOW)).toBe(scanned);
    await expect(applyBaselineToResult(scanned, join(dir, 'nope.json'), scanned.root, NOW)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      problems: [{ file: join(dir, 'nope.json'), message: 'file not found' }],
    });
  });

  it('an expired entry lets its finding through; reports say so and list stale entries', async () => {
    const { dir, secrets } = tree();
    expect(kw(['create', dir, '--expires', '2025-05-01', '--owner', 'bob']).code).toBe(0);
    expect(kw(['update', dir]).code).toBe(0); // nothing new: expiry stays on every entry
    writeTree(dir, { 'config/test.env': '' });
    const scanned = await scanPaths({ paths: [dir] });
    const live = await applyBaselineToResult(scanned, undefined, scanned.root, new Date('2025-04-30T23:00:00Z'));
    expect(live.findings).toEqual([]);
    const applied = await applyBaselineToResult(scanned, undefined, scanned.root, NOW);
    expect(applied.findings.map((f) => f.file)).toEqual(['src/app.js', 'src/app.js', 'src/app.js']);
    expect(applied.baseline!.expired.map((e) => [e.file, e.expires, e.owner])).toEqual([
      ['src/app.js', '2025-05-01', 'bob'],
      ['src/app.js', '2025-05-01', 'bob'],
    ]);
    expect(applied.baseline!.stale.map((e) => e.file)).toEqual(['config/test.env']);

    const text = textReporter(applied, TOOL);
    expect(text).toContain('note: .keywarden-baseline.json suppressed 0 findings');
    expect(text).toContain('note: baseline entry for demo-token in src/app.js expired on 2025-05-01 (owner bob): its finding is reported again');
    expect(text).toContain('note: 1 baseline entry matches nothing: `keywarden baseline prune` removes it');
    const json = JSON.parse(jsonReporter(applied, TOOL)) as { stats: { baselined: number }; baseline: { stale: BaselineEntry[]; expired: BaselineEntry[] } };
    expect(json.stats.baselined).toBe(0);
    expect(json.baseline.stale).toEqual([expect.objectContaining({ file: 'config/test.env', ruleId: 'demo-token' })]);
    expect(json.baseline.expired).toHaveLength(2);
    const notes = text.split('\n').filter((l) => l.startsWith('note: '));
    expect(notes).toHaveLength(4);
    expectNoSecret(notes.join('\n') + JSON.stringify(json.baseline), secrets);
    for (const s of secrets) expect(text).not.toContain(s);
  });

  it('a baseline above the scan root covers a subdirectory scan and judges only what was scanned', async () => {
    const { dir } = tree();
    expect(kw(['create', dir]).code).toBe(0);
    const sub = join(dir, 'src');
    const scanned = await scanPaths({ paths: [sub], configFile: join(dir, '.keywarden.toml') });
    expect(scanned.findings.map((f) => f.file)).toEqual(['app.js', 'app.js', 'app.js']);
    const applied = await applyBaselineToResult(scanned, join(dir, BASELINE_FILE_NAME), sub, NOW);
    expect(applied.findings).toEqual([]);
    expect(applied.baseline).toMatchObject({ file: join(dir, BASELINE_FILE_NAME), suppressed: 3, stale: [] });

    // and prune on that subdirectory leaves the entries outside it alone
    const r = kw(['prune', sub, '--baseline', join(dir, BASELINE_FILE_NAME), '--config', join(dir, '.keywarden.toml')]);
    expect(r.stdout).toMatch(/removed 0 entries/);
  });
});

describe('keywarden baseline --history', () => {
  function repo(): { dir: string; deleted: string; live: string } {
    const dir = tempDir('kw-base-git-');
    gitInit(dir);
    const [deleted, live] = [token(), token()];
    writeTree(dir, { '.keywarden.toml': CONFIG, 'old.env': `KEY=${deleted}\n`, 'app.js': `k = "${live}"\n` });
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'add secrets');
    git(dir, 'rm', '-q', 'old.env');
    git(dir, 'commit', '-q', '-m', 'remove one');
    return { dir, deleted, live };
  }

  it('baselines secrets that only history holds; the working-tree baseline does not', async () => {
    const { dir, deleted, live } = repo();
    expect(kw(['create', dir, '--baseline', join(dir, 'tree.json')]).code).toBe(0);
    expect(entriesOf(dir, 'tree.json').map((e) => e.file)).toEqual(['app.js']);
    const r = kw(['create', '--history', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(entriesOf(dir).map((e) => e.file)).toEqual(['app.js', 'old.env']);
    expectNoSecret(baselineText(dir), [deleted, live]);

    expect(runCli(['scan', '--history', dir]).code).toBe(0);
    expect(runCli(['scan', '--history', dir, '--baseline', join(dir, 'tree.json')]).code).toBe(1);

    const history = await scanHistory({ repo: dir, scope: { kind: 'all' }, config: findConfig(dir), redact: true, maxFileSize: 1 << 20, threads: 1 });
    expect(history.findings).toHaveLength(2);
    const applied = await applyBaselineToResult(history, undefined, dir, NOW);
    expect(applied.findings).toEqual([]);
    expect(applied.baseline).toMatchObject({ suppressed: 2, stale: [], expired: [] });
  });

  it('refuses to prune from an incomplete scan, leaving the file unchanged', () => {
    const { dir } = repo();
    expect(kw(['create', '--history', dir]).code).toBe(0);
    const before = baselineText(dir);
    const oid = git(dir, 'rev-parse', 'HEAD~1:old.env').trim();
    const obj = join(dir, '.git', 'objects', oid.slice(0, 2), oid.slice(2));
    chmodSync(obj, 0o644);
    writeFileSync(obj, Buffer.from('this is not a zlib stream'));
    const r = kw(['prune', '--history', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/scan incomplete .*left unchanged/);
    expect(baselineText(dir)).toBe(before);
  });

  it('exits 2 outside a git repository', () => {
    const r = kw(['create', '--history', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a git repository/);
  });
});
