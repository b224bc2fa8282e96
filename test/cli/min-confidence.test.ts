// keywarden scan --min-confidence: findings below the level are left out of every report and of
// the exit code; a bad level is a usage error.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTree } from '../support/cli.js';
import { SeededRandom } from '../support/example-generator.js';

// Three rules over distinct synthetic prefixes, one per confidence level.
const CONFIG = `
[extend]
useDefault = false
${['high', 'medium', 'low']
  .map(
    (c) => `
[[rules]]
id = "demo-${c}"
description = "Demo ${c}-confidence token"
provider = "demo"
severity = "high"
confidence = "${c}"
keywords = ["dm${c[0]}_"]
regex = '''\\b(dm${c[0]}_[A-Za-z0-9]{24})\\b'''
`,
  )
  .join('')}`;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

interface JsonReport {
  findings: Array<{ ruleId: string; confidence: string }>;
}

describe('keywarden scan --min-confidence', () => {
  let dir: string;
  let secrets: string[];
  beforeAll(() => {
    const rng = new SeededRandom('min-confidence');
    secrets = ['h', 'm', 'l'].map((p) => `dm${p}_${rng.chars(ALNUM, 24)}`);
    dir = tempDir();
    writeTree(dir, {
      '.keywarden.toml': CONFIG,
      'app.env': secrets.map((s, i) => `TOKEN_${i}=${s}\n`).join(''),
    });
  });

  function ruleIds(args: string[]): { code: number; ids: string[] } {
    const r = runCli(['scan', dir, '--format', 'json', ...args]);
    const report = JSON.parse(r.stdout) as JsonReport;
    return { code: r.code, ids: report.findings.map((f) => f.ruleId).sort() };
  }

  it('reports every confidence level by default', () => {
    expect(ruleIds([])).toEqual({ code: 1, ids: ['demo-high', 'demo-low', 'demo-medium'] });
  });

  it('medium leaves out low-confidence findings', () => {
    expect(ruleIds(['--min-confidence', 'medium'])).toEqual({ code: 1, ids: ['demo-high', 'demo-medium'] });
  });

  it('high keeps only high-confidence findings, in the text report too', () => {
    expect(ruleIds(['--min-confidence', 'high'])).toEqual({ code: 1, ids: ['demo-high'] });
    const r = runCli(['scan', dir, '--min-confidence', 'high']);
    expect(r.stdout).toContain('demo-high');
    expect(r.stdout).not.toContain('demo-low');
    expect(r.stdout).toMatch(/1 secret found/);
  });

  it('exits 0 when every finding is below the level', () => {
    const only = tempDir();
    writeTree(only, { '.keywarden.toml': CONFIG, 'app.env': `TOKEN=${secrets[2]}\n` });
    const r = runCli(['scan', only, '--min-confidence', 'medium']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No secrets found/);
  });

  it('exits 2 and names the allowed levels for a bad value', () => {
    const r = runCli(['scan', dir, '--min-confidence', 'certain']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--min-confidence/);
    expect(r.stderr).toMatch(/high, medium, low/);
    expect(r.stdout).toBe('');
  });
});
