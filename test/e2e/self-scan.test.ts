import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';

describe("keywarden's own repository", () => {
  it('scans clean with the default rules (fixtures/ holds synthetic secrets and is allowlisted in .keywarden.toml)', () => {
    const r = runCli(['scan', REPO, '--format', 'json']);
    const report = JSON.parse(r.stdout);
    expect(report.findings.map((f: { file: string; line: number; ruleId: string }) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('finds the planted secrets in fixtures/demo, redacted', () => {
    const r = runCli(['scan', `${REPO}/fixtures/demo`, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const rules = new Set(report.findings.map((f: { ruleId: string }) => f.ruleId));
    expect(rules.size).toBeGreaterThanOrEqual(6);
    for (const f of report.findings) expect(f.secret).toMatch(/\*\*\*\*\*$/);
    expect(report.findings.some((f: { file: string; line: number }) => f.file === 'config/settings.yaml' && f.line === 4)).toBe(false);
  });
});
