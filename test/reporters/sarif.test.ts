import { describe, expect, it } from 'vitest';
import { redact } from '../../src/findings/redact.js';
import { FINGERPRINT_KEY, pathToUri, ruleName, sarifReporter, SRCROOT } from '../../src/reporters/sarif.js';
import type { Severity } from '../../src/types.js';
import {
  DIAGNOSTICS,
  expectValidSarif,
  finding,
  incompleteResult,
  META,
  multitoolValidate,
  scanResult,
  schemaErrors,
  TRICKY_FILES,
  trickyFindings,
} from './support.js';

// a loose view of the parsed log, enough for assertions
type Json = any;

const sarif = (...args: Parameters<typeof sarifReporter>): Json => JSON.parse(sarifReporter(...args));

describe('sarif reporter', () => {
  it('describes the tool and each rule the way GitHub code scanning reads them', () => {
    const log = sarif(scanResult([finding({ tags: ['api-key', 'demo'] })]), META);
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0\.json$/);
    const { driver } = log.runs[0].tool;
    expect(driver).toMatchObject({ name: 'keywarden', version: '1.2.3', semanticVersion: '1.2.3', informationUri: META.tool.informationUri });
    expect(driver.rules).toHaveLength(1);
    const [rule] = driver.rules;
    expect(rule).toMatchObject({
      id: 'demo-token',
      name: 'DemoToken',
      shortDescription: { text: 'Demo service token.' },
      defaultConfiguration: { level: 'error' },
      properties: { 'security-severity': '8.0', 'problem.severity': 'error', precision: 'high' },
    });
    expect(rule.properties.tags).toEqual(['security', 'secret', 'demo', 'api-key']);
    expect(rule.fullDescription.text).toContain('demo credential');
    for (const help of [rule.help.text, rule.help.markdown]) {
      expect(help).toMatch(/revoke or rotate/i);
      expect(help).toMatch(/history/);
      expect(help).toContain('keywarden:allow');
      expect(help).toMatch(/baseline/);
    }
    expect(rule.help.markdown).toContain('### Remediation');
  });

  it('maps severities to levels and GitHub security-severity scores', () => {
    const expected: Record<Severity, [string, string, string]> = {
      critical: ['error', '9.5', 'error'],
      high: ['error', '8.0', 'error'],
      medium: ['warning', '5.5', 'warning'],
      low: ['note', '3.0', 'recommendation'],
      info: ['note', '1.0', 'recommendation'],
    };
    const findings = Object.keys(expected).map((s, i) =>
      finding({ severity: s as Severity, ruleId: `rule-${s}`, line: i + 1, endLine: i + 1, fingerprint: String(i).repeat(32) }),
    );
    const run = sarif(scanResult(findings), META).runs[0];
    for (const r of run.results) {
      const rule = run.tool.driver.rules[r.ruleIndex];
      expect(rule.id).toBe(r.ruleId);
      const [level, score, problem] = expected[r.ruleId.slice('rule-'.length) as Severity];
      expect(r.level).toBe(level);
      expect(rule.defaultConfiguration.level).toBe(level);
      expect(rule.properties['security-severity']).toBe(score);
      expect(rule.properties['problem.severity']).toBe(problem);
    }
  });

  it('locates results relative to %SRCROOT% with the full region, fingerprint and properties', () => {
    const f = finding({ line: 3, column: 7, endLine: 5, endColumn: 2, entropy: 4.123456 });
    const run = sarif(scanResult([f]), META).runs[0];
    expect(run.originalUriBaseIds[SRCROOT]).toBeDefined();
    expect(run.columnKind).toBe('utf16CodeUnits');
    const [r] = run.results;
    expect(r.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'src/app.js', uriBaseId: SRCROOT },
      region: { startLine: 3, startColumn: 7, endLine: 5, endColumn: 2 },
    });
    expect(r.partialFingerprints).toEqual({ [FINGERPRINT_KEY]: f.fingerprint });
    expect(r.properties).toEqual({ confidence: 'high', entropy: 4.123 });
    expect(r.message.text).toContain('dmo_*****');
  });

  it('percent-encodes paths into relative URIs that decode back to the file name', () => {
    const run = sarif(scanResult(trickyFindings()), META).runs[0];
    const uris = run.results.map((r: Json) => r.locations[0].physicalLocation.artifactLocation.uri as string);
    expect(uris.map((u: string) => u.split('/').map(decodeURIComponent).join('/')).sort()).toEqual([...TRICKY_FILES].sort());
    for (const u of uris) {
      // no scheme, nothing a URI parser would read as query, fragment or whitespace
      expect(u).not.toMatch(/^[A-Za-z][A-Za-z0-9+.-]*:/);
      expect(u).not.toMatch(/[\s#?"<>]/);
      expect(new URL(u, 'file:///root/').href.startsWith('file:///root/')).toBe(true);
    }
    expect(pathToUri('c:colon/x:y.env')).toBe('c%3Acolon/x%3Ay.env');
    expect(pathToUri('bad\uD800name')).toBe('bad%EF%BF%BDname');
  });

  it('never carries the raw secret, even from an unredacted finding, nor the committer identity', () => {
    const raw = 'dmo_Zq8Xw2Lp0Vn4Rt6Yb1Mc3Kd5';
    const f = finding({
      secret: raw,
      redacted: false,
      snippet: `token = "${raw}"`,
      commit: { sha: 'c0ffee'.padEnd(40, '1'), author: 'Jane Committer', email: 'jane@corp.example', date: '2024-05-06T07:08:09Z', message: 'Initial import of settings' },
      occurrences: 3,
    });
    const text = sarifReporter(scanResult([f]), META);
    expect(text).not.toContain(raw);
    expect(text).not.toContain(raw.slice(4, 16));
    expect(text).not.toContain('Jane Committer');
    expect(text).not.toContain('jane@corp.example');
    expect(text).not.toContain('Initial import of settings');
    const [r] = JSON.parse(text).runs[0].results;
    expect(r.message.text).toContain(redact(raw));
    expect(r.message.text).toContain('c0ffee111111');
    expect(r.properties).toMatchObject({ commit: f.commit!.sha, commitDate: '2024-05-06T07:08:09Z', occurrences: 3 });
  });

  it('lists every rule passed in meta, with ruleIndex pointing at the right one', () => {
    const rules = ['zeta-key', 'alpha-key', 'demo-token'].map((id) => ({
      id,
      description: `${id} description`,
      severity: 'medium' as const,
      confidence: 'medium' as const,
      provider: 'p',
      tags: [],
    }));
    const run = sarif(scanResult([finding(), finding({ ruleId: 'not-in-meta', fingerprint: 'f'.repeat(32) })]), { ...META, rules }).runs[0];
    expect(run.tool.driver.rules.map((r: Json) => r.id)).toEqual(['alpha-key', 'demo-token', 'not-in-meta', 'zeta-key']);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  });

  it('reports an incomplete scan as an unsuccessful invocation with its errors and warnings', () => {
    const [inv] = sarif(incompleteResult(), META).runs[0].invocations;
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications).toEqual([
      { level: 'error', message: { text: 'cannot read a&b.txt: EACCES\n::error::<injected>.' }, properties: { kind: 'unreadable', path: 'a&b.txt' } },
      { level: 'warning', message: { text: 'skipped big.bin: larger than 10 MiB.' }, properties: { kind: 'too-large', path: 'big.bin' } },
    ]);
    expect(sarif(scanResult([]), META).runs[0].invocations).toEqual([{ executionSuccessful: true }]);
    const baseline = { file: '.keywarden-baseline.json', suppressed: 3, stale: [], expired: [] };
    expect(sarif(scanResult([], { baseline }), META).runs[0].invocations).toEqual([{ executionSuccessful: true, properties: { baselineSuppressed: 3 } }]);
  });

  it('turns rule ids into PascalCase friendly names', () => {
    expect(ruleName('github-pat')).toBe('GithubPat');
    expect(ruleName('aws-access-key-id')).toBe('AwsAccessKeyId');
    expect(ruleName('jwt')).toBe('JwtSecret');
    expect(ruleName('x')).toBe('XSecret');
  });
});

describe('SARIF Multitool validation (--rule-kind "Gh;Sarif")', () => {
  it('accepts a log with tricky paths, every severity, history findings and diagnostics', () => {
    const findings = trickyFindings();
    findings[1] = { ...findings[1]!, commit: { sha: 'b'.repeat(40), author: 'A', email: 'a@example.com', date: '2024-01-01T00:00:00Z' }, occurrences: 2 };
    const result = scanResult(findings, {
      complete: false,
      diagnostics: [...DIAGNOSTICS],
      baseline: { file: '.keywarden-baseline.json', suppressed: 1, stale: [], expired: [] },
    });
    // every rule of the scan, as the CLI passes them: a one-word id once broke SARIF1001
    const rules = ['demo-token', 'other-key', 'jwt', 'x'].map((id) => ({ id, description: `${id} rule`, severity: 'low' as const, confidence: 'low' as const, provider: 'p', tags: [] }));
    expectValidSarif(sarifReporter(result, { ...META, rules }), findings.length);
  });

  it('accepts a log with no findings', () => {
    expectValidSarif(sarifReporter(scanResult([]), META), 0);
  });

  it('reports errors for a broken log, so a clean run means something', () => {
    const log = JSON.parse(sarifReporter(scanResult([finding()]), META));
    log.runs[0].results[0].ruleIndex = 7;
    delete log.runs[0].results[0].locations;
    const issues = multitoolValidate(JSON.stringify(log));
    const errors = issues.filter((i) => i.level === 'error').map((i) => i.ruleId);
    expect(errors).toContain('SARIF1009');
    expect(errors.some((id) => id.startsWith('GH'))).toBe(true);
    log.runs[0].results[0].level = 'fatal';
    expect(schemaErrors(log).join('\n')).toMatch(/level must be equal to one of the allowed values/);
  });
});
