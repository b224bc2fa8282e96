// Real scans (files on disk, a real git history) fed to every reporter; the SARIF goes through
// Microsoft's SARIF Multitool. The CLI wires --format separately.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findConfig } from '../../src/config/config-file.js';
import { scanHistory } from '../../src/history/scan-history.js';
import { REPORTERS } from '../../src/reporters/index.js';
import { buildRuleSet } from '../../src/rules.js';
import { scanPaths } from '../../src/scan.js';
import type { ScanResult } from '../../src/types.js';
import { toolInfo } from '../../src/version.js';
import { git, gitInit, REPO, runCli, tempDir, writeTree } from '../support/cli.js';
import { SeededRandom } from '../support/example-generator.js';
import { DEMO_CONFIG } from '../support/demo-rules.js';
import { elements, expectValidSarif, parseCsv, parseXml } from './support.js';

const CONFIG = `${DEMO_CONFIG}
[[rules]]
id = "demo-low"
description = "Demo low-grade key"
provider = "demo"
severity = "low"
confidence = "medium"
keywords = ["dml_"]
regex = '''\\b(dml_[A-Za-z0-9]{24})\\b'''
`;

const rng = new SeededRandom('reporter-e2e');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const token = (prefix: string): string => `${prefix}${rng.chars(ALNUM, 24)}`;

// names that are legal on Linux and hostile to every report format
const FILES = ['src/app.js', 'dir, with comma/a:b.txt', 'quote "q" & <x>.env', 'new\nline.txt', 'ünï/日本 🔑.txt', '=formula.csv'];

const meta = (dir: string) => ({ tool: toolInfo(), rules: [...buildRuleSet(findConfig(dir)).meta.values()] });

function checkSarif(text: string, result: ScanResult, secrets: string[]): void {
  for (const s of secrets) expect(text).not.toContain(s);
  expect(JSON.parse(text).runs[0].results).toHaveLength(result.findings.length);
  expectValidSarif(text, result.findings.length);
}

describe('reporters on a real working-tree scan', () => {
  let dir: string;
  let secrets: string[];
  let result: ScanResult;
  beforeAll(async () => {
    dir = tempDir();
    // a work tree: git lists names with line breaks, which the plain directory walk misses
    gitInit(dir);
    secrets = FILES.map((_, i) => token(i % 2 === 0 ? 'dmo_' : 'dml_'));
    writeTree(dir, {
      '.keywarden.toml': CONFIG,
      ...Object.fromEntries(FILES.map((f, i) => [f, `// config\nconst client = new Client("${secrets[i]}");\n`])),
      'clean.txt': 'nothing here\n',
    });
    result = await scanPaths({ paths: [dir], cwd: dir });
    expect(result.findings.map((f) => f.file).sort()).toEqual([...FILES].sort());
  });

  it('REPORTERS offers every format, and none of them prints a secret', () => {
    expect(Object.keys(REPORTERS).sort()).toEqual(['csv', 'github', 'json', 'junit', 'sarif', 'text']);
    for (const [name, reporter] of Object.entries(REPORTERS)) {
      const out = reporter(result, meta(dir));
      expect(out.length, name).toBeGreaterThan(0);
      for (const s of secrets) expect(out, name).not.toContain(s);
    }
  });

  it('SARIF validates with zero errors and warnings under the SARIF Multitool', () => {
    checkSarif(REPORTERS.sarif!(result, meta(dir)), result, secrets);
  });

  it('SARIF, JUnit and GitHub output stay redacted even from a --no-redact scan', async () => {
    const raw = await scanPaths({ paths: [dir], cwd: dir, redact: false });
    expect(raw.findings.map((f) => f.secret).sort()).toEqual([...secrets].sort());
    checkSarif(REPORTERS.sarif!(raw, meta(dir)), raw, secrets);
    for (const name of ['junit', 'github']) {
      const out = REPORTERS[name]!(raw, meta(dir));
      for (const s of secrets) expect(out, name).not.toContain(s);
    }
  });

  it('JUnit and CSV read back one record per finding with the exact file names', () => {
    const suite = elements(parseXml(REPORTERS.junit!(result, meta(dir))), 'testsuite')[0]!;
    expect(elements(suite, 'testcase').map((c) => c.attributes.file).sort()).toEqual([...FILES].sort());
    const rows = parseCsv(REPORTERS.csv!(result, meta(dir)));
    expect(rows.slice(1).map((r) => r[3]!.replace(/^'(?==)/, '')).sort()).toEqual([...FILES].sort());
  });
});

describe('reporters on a real history scan', () => {
  it('SARIF names the introducing commit but never its author, and validates', async () => {
    const d = tempDir();
    gitInit(d);
    const secret = token('dmo_');
    writeTree(d, { '.keywarden.toml': CONFIG, 'config/prod.env': `API_TOKEN=${secret}\n` });
    git(d, 'add', '.');
    git(d, 'commit', '-q', '-m', 'add production settings');
    writeTree(d, { 'config/prod.env': 'API_TOKEN=\n' });
    git(d, 'commit', '-q', '-am', 'remove token');
    const sha = git(d, 'rev-parse', 'HEAD~1').trim();
    const result = await scanHistory({ repo: d, scope: { kind: 'all' }, config: findConfig(d), redact: true, maxFileSize: 1 << 20, threads: 1 });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.commit?.sha).toBe(sha);

    const text = REPORTERS.sarif!(result, meta(d));
    checkSarif(text, result, [secret]);
    expect(text).not.toContain('author@example.com');
    expect(text).not.toContain('Test Author');
    expect(JSON.parse(text).runs[0].results[0].properties.commit).toBe(sha);

    const csv = parseCsv(REPORTERS.csv!(result, meta(d)));
    expect(csv[1]!.slice(10, 12)).toEqual([sha, 'Test Author']);
  });
});

describe('keywarden scan --format sarif (the built CLI, default rules)', () => {
  it('describes every bundled rule in a log the SARIF Multitool accepts', () => {
    const r = runCli(['scan', join(REPO, 'fixtures', 'demo'), '--format', 'sarif']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    const ids = log.runs[0].tool.driver.rules.map((x: { id: string }) => x.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids.length).toBeGreaterThan(50);
    expectValidSarif(r.stdout, log.runs[0].results.length);
  });
});
