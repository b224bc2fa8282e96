import { DEMO_CONFIG, demoTokens } from '../support/demo-rules.js';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { git, gitInit, runCli, tempDir, writeTree } from '../support/cli.js';

// A self-contained rule set, so these tests pin the CLI's behaviour, not the default rules.
const CONFIG = DEMO_CONFIG;

const token = demoTokens('cli-tests');

describe('keywarden --help', () => {
  it('lists every command', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['scan', 'rules', 'hook', 'baseline']) expect(r.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
  });

  it('exits 2 with a usage message for an unknown option', () => {
    const r = runCli(['scan', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
  });
});

describe('keywarden scan', () => {
  let dir: string;
  let secret: string;
  beforeAll(() => {
    dir = tempDir();
    secret = token();
    writeTree(dir, {
      '.keywarden.toml': CONFIG,
      'src/app.js': `// config\nconst client = new Client("${secret}");\n`,
      'src/clean.js': 'export const x = 1;\n',
    });
  });

  it('exits 1 and prints file:line:col, rule and the masked secret, never the secret', () => {
    const r = runCli(['scan', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('src/app.js:2:28');
    expect(r.stdout).toContain('demo-token');
    expect(r.stdout).toContain('dmo_*****');
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stdout).toMatch(/1 secret found/);
  });

  it('writes a JSON report with the documented fields', () => {
    const r = runCli(['scan', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ version: '1', tool: { name: 'keywarden' }, complete: true });
    expect(report.stats).toMatchObject({ filesScanned: 3, findings: 1 });
    const [f] = report.findings;
    expect(f).toMatchObject({
      ruleId: 'demo-token',
      description: 'Demo service token',
      severity: 'high',
      file: 'src/app.js',
      line: 2,
      column: 28,
      endLine: 2,
      endColumn: 28 + secret.length,
      secret: 'dmo_*****',
      redacted: true,
    });
    expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof f.entropy).toBe('number');
    expect(r.stdout).not.toContain(secret);
  });

  it('shows the secret only with --no-redact', () => {
    const r = runCli(['scan', dir, '--format', 'json', '--no-redact']);
    expect(JSON.parse(r.stdout).findings[0].secret).toBe(secret);
  });

  it('keeps the fingerprint when the secret moves to another line, and changes it with the path', () => {
    const d = tempDir();
    writeTree(d, { '.keywarden.toml': CONFIG, 'a.txt': `x\n${secret}\n` });
    const before = JSON.parse(runCli(['scan', d, '-f', 'json']).stdout).findings[0];
    writeFileSync(join(d, 'a.txt'), `\n\n\nmoved ${secret}\n`);
    const after = JSON.parse(runCli(['scan', d, '-f', 'json']).stdout).findings[0];
    expect(after.line).toBe(4);
    expect(after.fingerprint).toBe(before.fingerprint);
    writeTree(d, { 'b.txt': `${secret}\n` });
    const both = JSON.parse(runCli(['scan', d, '-f', 'json']).stdout).findings;
    expect(new Set(both.map((f: { fingerprint: string }) => f.fingerprint)).size).toBe(2);
  });

  it('--output writes the report to a file, still exits 1, and the file holds no secret', () => {
    const out = join(tempDir(), 'report.json');
    const r = runCli(['scan', dir, '-f', 'json', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/1 secret found/);
    const text = readFileSync(out, 'utf8');
    expect(JSON.parse(text).findings).toHaveLength(1);
    expect(text).not.toContain(secret);
  });

  it('--fail-on chooses which severities fail the scan (the report still lists everything)', () => {
    const low = runCli(['scan', dir, '--fail-on', 'critical', '-f', 'json']);
    expect(low.code).toBe(0);
    expect(JSON.parse(low.stdout).findings).toHaveLength(1);
    expect(runCli(['scan', dir, '--fail-on', 'high']).code).toBe(1);
    expect(runCli(['scan', dir, '--fail-on', 'severe']).code).toBe(2);
  });

  it('reports info findings (identifiers, publishable keys) without failing, unless --fail-on info', () => {
    const infoDir = tempDir();
    writeTree(infoDir, {
      '.keywarden.toml': CONFIG.replace('severity = "high"', 'severity = "info"'),
      'src/app.js': `const client = new Client("${token()}");\n`,
    });
    const r = runCli(['scan', infoDir, '-f', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings.map((f: { severity: string }) => f.severity)).toEqual(['info']);
    expect(runCli(['scan', infoDir, '--fail-on', 'info']).code).toBe(1);
  });

  it('writes SARIF, JUnit, CSV and GitHub annotations without the raw secret', () => {
    for (const format of ['sarif', 'junit', 'csv', 'github']) {
      const r = runCli(['scan', dir, '-f', format]);
      expect(r.code, format).toBe(1);
      expect(r.stdout, format).toContain('demo-token');
      expect(r.stdout + r.stderr, format).not.toContain(secret);
    }
  });

  it('under GitHub Actions, one scan writes its report to --output and annotations to stdout', () => {
    const out = join(tempDir(), 'report.sarif');
    const r = runCli(['scan', dir, '-f', 'sarif', '-o', out], { env: { GITHUB_ACTIONS: 'true' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=.*title=.*demo-token/m);
    expect(JSON.parse(readFileSync(out, 'utf8')).runs[0].results).toHaveLength(1);
    expect(r.stdout + readFileSync(out, 'utf8')).not.toContain(secret);
    // a machine-readable report on stdout stays parseable; outside Actions, no annotations
    expect(() => JSON.parse(runCli(['scan', dir, '-f', 'json'], { env: { GITHUB_ACTIONS: 'true' } }).stdout)).not.toThrow();
    expect(runCli(['scan', dir, '-f', 'sarif', '-o', out]).stdout).not.toContain('::error');
  });

  it('a tree big enough for worker threads gives the same report as one thread', () => {
    const d = tempDir();
    const filler = `${'const value = compute(input, options); // ordinary code\n'.repeat(2000)}`;
    const files: Record<string, string> = { '.keywarden.toml': CONFIG };
    const next = demoTokens('threads');
    for (let i = 0; i < 80; i++) files[`src/m${i % 7}/f${i}.js`] = `${filler}${i % 2 === 0 ? `const key = "${next()}";\n` : ''}${filler}`;
    writeTree(d, files);
    const one = runCli(['scan', d, '-f', 'json', '--threads', '1']);
    const two = runCli(['scan', d, '-f', 'json', '--threads', '2']);
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    const a = JSON.parse(one.stdout);
    const b = JSON.parse(two.stdout);
    expect(a.stats.bytesScanned).toBeGreaterThan(8 * 1024 * 1024);
    expect(b.findings).toHaveLength(40);
    expect(b.findings).toEqual(a.findings);
    expect(b.diagnostics).toEqual(a.diagnostics);
  });

  it('exits 0 on a clean tree', () => {
    const d = tempDir();
    writeTree(d, { '.keywarden.toml': CONFIG, 'ok.txt': 'nothing here\n' });
    const r = runCli(['scan', d]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No secrets found/);
  });

  it('a line with keywarden:allow yields no finding', () => {
    const d = tempDir();
    writeTree(d, { '.keywarden.toml': CONFIG, 'a.py': `KEY = "${token()}"  # keywarden:allow test fixture\n` });
    expect(runCli(['scan', d]).code).toBe(0);
  });

  it('skips binary files and files over the size cap, and counts them', () => {
    const d = tempDir();
    writeTree(d, {
      '.keywarden.toml': CONFIG,
      'bin.dat': Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(token())]),
      'big.txt': `${'x'.repeat(2000)}\n${token()}\n`,
    });
    const r = runCli(['scan', d, '-f', 'json', '--max-file-size', '1KiB']);
    const report = JSON.parse(r.stdout);
    expect(r.code).toBe(0);
    expect(report.stats.skipped).toMatchObject({ binary: 1, 'too-large': 1 });
  });

  it('rejects a bad --max-file-size with exit 2', () => {
    const r = runCli(['scan', dir, '--max-file-size', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-file-size: "lots" is not a size/);
  });

  it('never follows a symlink out of the tree', () => {
    const outside = tempDir();
    writeTree(outside, { 'secret.txt': `${token()}\n` });
    const d = tempDir();
    writeTree(d, { '.keywarden.toml': CONFIG });
    symlinkSync(join(outside, 'secret.txt'), join(d, 'link.txt'));
    symlinkSync(outside, join(d, 'linkdir'));
    const r = runCli(['scan', d, '-f', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stats.skipped.symlink).toBe(2);
  });

  it('exits 2 when a path to scan does not exist', () => {
    const r = runCli(['scan', join(dir, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/scan incomplete/);
  });
});

describe('keywarden scan in a git work tree', () => {
  it('honours .gitignore (tracked + untracked-not-ignored); --no-gitignore scans everything', () => {
    const d = tempDir();
    gitInit(d);
    writeTree(d, {
      '.keywarden.toml': CONFIG,
      '.gitignore': 'ignored/\n',
      'tracked.txt': `${token()}\n`,
      'untracked.txt': `${token()}\n`,
      'ignored/secret.txt': `${token()}\n`,
    });
    git(d, 'add', 'tracked.txt', '.gitignore', '.keywarden.toml');
    git(d, 'commit', '-q', '-m', 'init');
    const files = (args: string[]) =>
      JSON.parse(runCli(['scan', d, '-f', 'json', ...args]).stdout)
        .findings.map((f: { file: string }) => f.file)
        .sort();
    expect(files([])).toEqual(['tracked.txt', 'untracked.txt']);
    expect(files(['--no-gitignore'])).toEqual(['ignored/secret.txt', 'tracked.txt', 'untracked.txt']);
  });

  it('scans a subdirectory of a repository with paths relative to it', () => {
    const d = tempDir();
    gitInit(d);
    mkdirSync(join(d, 'sub'));
    writeTree(d, { 'sub/.keywarden.toml': CONFIG, 'sub/x/y.txt': `${token()}\n`, 'other.txt': `${token()}\n` });
    const r = runCli(['scan', join(d, 'sub'), '-f', 'json']);
    expect(JSON.parse(r.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['x/y.txt']);
  });
});

describe('configuration errors', () => {
  it('a broken config exits 2 naming the file and every bad field', () => {
    const d = tempDir();
    writeTree(d, {
      '.keywarden.toml': `
disabledRules = "not-a-list"
[scan]
maxFileSize = "huge"
[[rules]]
id = "Bad Id"
description = "bad rule"
regex = "(?=a)"
keywords = ["a"]
severity = "extreme"
provider = "p"
`,
    });
    const r = runCli(['scan', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.keywarden.toml');
    expect(r.stderr).toMatch(/\/disabledRules: must be array/);
    expect(r.stderr).toMatch(/\/scan\/maxFileSize/);
    expect(r.stderr).toMatch(/rule "Bad Id", field \/rules\/0\/severity: must be one of: critical, high, medium, low, info/);
    expect(r.stderr).toMatch(/\/rules\/0\/id: must match pattern/);
  });

  it('a rule with lookaround is rejected with a clear message', () => {
    const d = tempDir();
    writeTree(d, {
      '.keywarden.toml': `[extend]\nuseDefault = false\n[[rules]]\nid = "look"\ndescription = "lookbehind"\nregex = '''(?<=key=)\\w+'''\nkeywords = ["key="]\nseverity = "low"\nprovider = "p"\n`,
    });
    const r = runCli(['scan', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rule "look", field regex: lookbehind .* not supported/);
  });

  it('invalid TOML names the file, line and column', () => {
    const d = tempDir();
    writeTree(d, { 'custom.toml': 'a = [1,\n' });
    const r = runCli(['scan', d, '--config', join(d, 'custom.toml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/custom\.toml.*line \d+, column \d+.*invalid TOML/);
  });

  it('--config naming a missing file exits 2', () => {
    const r = runCli(['scan', '.', '--config', '/nonexistent/kw.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/file not found/);
  });

  it('disabledRules naming an unknown rule is an error', () => {
    const d = tempDir();
    writeTree(d, { '.keywarden.toml': `disabledRules = ["nope"]\n${CONFIG}` });
    const r = runCli(['scan', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rule "nope".*no rule has this id/);
  });

  it('config allowlists (paths, stopwords) and disabled rules take effect', () => {
    const d = tempDir();
    writeTree(d, {
      '.keywarden.toml': `[allowlist]\npaths = ['''^vendor/''']\nregexes = ['''^dmo_TEST''']\n${CONFIG}`,
      'vendor/lib.js': `${token()}\n`,
      'app.js': `dmo_TEST${'a1B2c3D4e5F6g7H8i9J0'}\n`,
    });
    const r = runCli(['scan', d, '-f', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stats.skipped.allowlisted).toBe(1);
  });
});
