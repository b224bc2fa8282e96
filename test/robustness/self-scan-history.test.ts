// keywarden scans its own history clean (test/e2e/self-scan.test.ts covers the working tree).
// Early commits held synthetic rule examples that later became templates expanded at test time;
// .keywarden-history-baseline.json accepts exactly those, by fingerprint (no secret in it).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';

describe.skipIf(!existsSync(join(REPO, '.git')))("keywarden's own history", () => {
  it('scan --history finds nothing beyond the accepted historical examples, and the scan is complete', () => {
    const r = runCli(['scan', '--history', REPO, '--baseline', join(REPO, '.keywarden-history-baseline.json'), '-f', 'json']);
    const report = JSON.parse(r.stdout) as { complete: boolean; findings: Array<{ file: string; line: number; ruleId: string; commit?: { sha: string } }> };
    expect(report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.commit?.sha.slice(0, 12)}`)).toEqual([]);
    expect(report.complete).toBe(true);
    expect(r.code).toBe(0);
  });
});
