// The verify orchestration around the providers: concurrency across findings, one call per
// distinct credential, malformed and rate-limited answers, secret recovery, and the audit file.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultAuditLogPath, JsonlAuditLog } from '../../src/providers/audit-log.js';
import { locationSecrets, textAt } from '../../src/providers/secret-source.js';
import { tempDir } from '../support/cli.js';
import { fakeNpm, fakeSlack } from '../support/fake-providers/token-services.js';
import { credentials, findingAt, startFakes, verifyAgainst, writeFile } from './support.js';

const c = credentials('verify-findings-test');

describe('verifyFindings', () => {
  it('checks at most `concurrency` credentials at once, and each distinct credential once', async () => {
    const root = tempDir('kw-conc-');
    const tokens = Array.from({ length: 6 }, () => `npm_${c.alnum(36)}`);
    const ctx = await startFakes({ npm: fakeNpm({ live: tokens }) });
    try {
      ctx.fakes.npm!.setLatency(40);
      // every token twice (two files), so twelve findings and six credentials
      const text = tokens.map((t) => `//registry.npmjs.org/:_authToken=${t}`).join('\n');
      writeFile(root, 'a.npmrc', text);
      writeFile(root, 'b.npmrc', text);
      const rule = { ruleId: 'npm-access-token', provider: 'npm' };
      const findings = ['a.npmrc', 'b.npmrc'].flatMap((file) => tokens.map((t) => findingAt(text, t, rule, { file })));
      const { findings: out, summary } = await verifyAgainst(findings, root, ctx.env, { concurrency: 2, perProviderConcurrency: 4 });
      expect(summary).toEqual({ live: 12, invalid: 0, unknown: 0, error: 0 });
      expect(out.every((f) => f.verification!.evidence.identity?.username === 'fake-npm-user')).toBe(true);
      expect(ctx.fakes.npm!.requests).toHaveLength(6);
      expect(ctx.fakes.npm!.maxInFlight()).toBe(2);
    } finally {
      await ctx.close();
    }
  });

  it('a malformed body where the status lives in the JSON (Slack) is an error; a 429 after retries is an error', async () => {
    const root = tempDir('kw-malformed-');
    const a = `xoxb-${c.digits(12)}-${c.digits(13)}-${c.alnum(24)}`;
    const b = `xoxb-${c.digits(12)}-${c.digits(13)}-${c.alnum(24)}`;
    const ctx = await startFakes({ slack: fakeSlack({ live: [a, b] }) });
    try {
      ctx.fakes.slack!.inject({ status: 200, body: '{"ok": tru' });
      const text = `A=${a}\n`;
      writeFile(root, 'a.env', text);
      const rule = { ruleId: 'slack-bot-token', provider: 'slack' };
      const first = await verifyAgainst([findingAt(text, a, rule, { file: 'a.env' })], root, ctx.env);
      expect(first.findings[0]!.verification).toMatchObject({ status: 'error', evidence: { httpStatus: 200, reason: 'Slack answered with a body that is not JSON' } });

      ctx.fakes.slack!.inject(...Array.from({ length: 3 }, () => ({ status: 429, headers: { 'retry-after': '0' } })));
      const text2 = `B=${b}\n`;
      writeFile(root, 'b.env', text2);
      const second = await verifyAgainst([findingAt(text2, b, rule, { file: 'b.env' })], root, ctx.env, { maxRetries: 2 });
      expect(second.findings[0]!.verification).toMatchObject({ status: 'error', evidence: { httpStatus: 429, reason: expect.stringContaining('rate limited') } });
      expect(second.audit.entries.filter((e) => e.httpStatus === 429)).toHaveLength(3);
    } finally {
      await ctx.close();
    }
  });
});

describe('secret recovery', () => {
  it('reads a multi-line location the way the engine reports it', () => {
    const text = 'a\nkey: -----BEGIN\nmiddle\nEND----- tail\n';
    expect(textAt(text, { line: 2, column: 6, endLine: 4, endColumn: 9 })).toBe('-----BEGIN\nmiddle\nEND-----');
    expect(textAt(text, { line: 9, column: 1, endLine: 9, endColumn: 2 })).toBeUndefined();
  });

  it('refuses a report path that leaves the scan root', async () => {
    const root = tempDir('kw-root-');
    const token = `npm_${c.alnum(36)}`;
    const f = findingAt(`T=${token}`, token, { ruleId: 'npm-access-token', provider: 'npm' }, { file: '../outside.env' });
    expect(await locationSecrets(root).secretOf(f)).toEqual({ ok: false, reason: `../outside.env is outside the scan root ${root}` });
  });
});

describe('audit log file', () => {
  it('appends JSON lines, creating its directory, readable by the owner only', async () => {
    const dir = tempDir('kw-audit-');
    const file = join(dir, 'state', 'keywarden', 'audit.jsonl');
    for (const result of ['live', 'invalid']) {
      const log = new JsonlAuditLog(file);
      log.record({ time: '2030-01-01T00:00:00.000Z', action: 'verify', provider: 'npm', fingerprint: 'fp', secretHash: 'h', result });
      await log.flush();
    }
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { result: string });
    expect(lines.map((l) => l.result)).toEqual(['live', 'invalid']);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('defaults to KEYWARDEN_AUDIT_LOG, else the XDG state directory', () => {
    expect(defaultAuditLogPath({ KEYWARDEN_AUDIT_LOG: 'logs/a.jsonl' }, '/work')).toBe('/work/logs/a.jsonl');
    expect(defaultAuditLogPath({ XDG_STATE_HOME: '/state' }, '/work')).toBe(join('/state', 'keywarden', 'audit.jsonl'));
    expect(defaultAuditLogPath({ HOME: '/home/u' }, '/work')).toBe(join('/home/u', '.local', 'state', 'keywarden', 'audit.jsonl'));
  });
});
