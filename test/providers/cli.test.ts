// `keywarden verify REPORT.json` and `keywarden scan --verify`, run as a user would (the built
// CLI) against a temporary git repository and fake providers on loopback.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, gitInit, runCli, tempDir, writeTree } from '../support/cli.js';
import { fakeSendgrid, fakeSlack, fakeStripe, fakeTelegram } from '../support/fake-providers/token-services.js';
import { fakeAwsSts } from '../support/fake-providers/paired-services.js';
import { credentials, runCliAsync, startFakes } from './support.js';
import type { Finding } from '../../src/types.js';

const c = credentials('cli-verify-test');
const slack = `xoxb-${c.digits(12)}-${c.digits(13)}-${c.alnum(24)}`;
const stripeDead = `sk_live_${c.alnum(40)}`;
const telegram = c.telegram();
const sendgrid = `SG.${c.alnum(22)}.${c.alnum(43)}`;
const aws = { accessKeyId: c.awsKeyId(), secretAccessKey: c.awsSecret() };
const SECRETS = [slack, stripeDead, telegram, sendgrid, aws.secretAccessKey];

let ctx: Awaited<ReturnType<typeof startFakes>>;
let repo: string;

function findingOf(report: { findings: Finding[] }, ruleId: string): Finding {
  const f = report.findings.find((x) => x.ruleId === ruleId);
  if (!f) throw new Error(`no ${ruleId} finding in ${report.findings.map((x) => x.ruleId).join(', ')}`);
  return f;
}

function expectNoSecrets(text: string): void {
  for (const s of SECRETS) expect(text).not.toContain(s);
}

beforeAll(async () => {
  ctx = await startFakes({
    slack: fakeSlack({ live: [slack] }),
    stripe: fakeStripe({}),
    telegram: fakeTelegram({ live: [telegram] }),
    sendgrid: fakeSendgrid({ restricted: [sendgrid] }),
    aws: fakeAwsSts([aws]),
  });
  repo = tempDir('kw-verify-cli-');
  gitInit(repo);
  writeTree(repo, {
    'app/settings.env': [
      `STRIPE_KEY=${stripeDead}`,
      `TELEGRAM_BOT_TOKEN=${telegram}`,
      `SENDGRID_API_KEY=${sendgrid}`,
      `aws_access_key_id = ${aws.accessKeyId}`,
      `aws_secret_access_key = ${aws.secretAccessKey}`,
      '',
    ].join('\n'),
    'bot.py': `SLACK_BOT_TOKEN = "${slack}"\n`,
  });
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'add config');
  // the Slack token survives only in history
  writeFileSync(join(repo, 'bot.py'), 'import os\nSLACK_BOT_TOKEN = os.environ["SLACK_BOT_TOKEN"]\n');
  git(repo, 'commit', '-q', '-am', 'read the token from the environment');
});
afterAll(() => ctx.close());

describe('keywarden verify REPORT.json', () => {
  it('re-reads each secret from the working tree, verifies it, writes the report with statuses, and exits 1 for live keys', async () => {
    const scan = runCli(['scan', '--format', 'json', '-o', 'report.json', '--no-baseline'], { cwd: repo });
    expect(scan.code).toBe(1);
    const audit = join(repo, '..', `${repo.split('/').pop()}-audit.jsonl`);
    const r = await runCliAsync(['verify', 'report.json', '--audit-log', audit], { cwd: repo, env: ctx.env });
    expect(r.stderr).toMatch(/Verified: 4 live, 1 invalid, 0 unknown, 0 error\./);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: Finding[]; verification: Record<string, number> };
    // the AWS key ID and its secret key are two findings of one credential: both live
    expect(report.verification).toEqual({ live: 4, invalid: 1, unknown: 0, error: 0 });
    expect(findingOf(report, 'stripe-live-secret-key').verification).toMatchObject({ status: 'invalid', evidence: { provider: 'stripe', httpStatus: 401 } });
    expect(findingOf(report, 'telegram-bot-token').verification).toMatchObject({ status: 'live', evidence: { identity: { username: 'fake_bot' } } });
    expect(findingOf(report, 'sendgrid-api-key').verification).toMatchObject({ status: 'live', evidence: { restricted: true, httpStatus: 403 } });
    const secretKey = findingOf(report, 'aws-secret-access-key');
    expect(secretKey.verification).toMatchObject({ status: 'live', evidence: { identity: { account: '123456789012' } } });
    expect(secretKey.verification!.evidence.pairedWith).toBe(findingOf(report, 'aws-access-key-id').fingerprint);
    expect(new Date(secretKey.verification!.checkedAt).getTime()).not.toBeNaN();
    expectNoSecrets(r.stdout + r.stderr);

    // the audit log: one JSON line per call and per outcome, no secret, no header
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const calls = lines.filter((l) => l.httpStatus !== undefined);
    expect(calls).toHaveLength(4);
    for (const l of calls) {
      expect(l).toMatchObject({ action: 'verify', result: 'ok', attempt: 1 });
      expect(Object.keys(l).sort()).toEqual(['action', 'attempt', 'durationMs', 'endpoint', 'fingerprint', 'httpStatus', 'method', 'provider', 'result', 'secretHash', 'time']);
    }
    expect(lines.filter((l) => l.httpStatus === undefined).map((l) => l.result).sort()).toEqual(['invalid', 'live', 'live', 'live']);
    expect(calls.find((l) => l.provider === 'telegram')!.endpoint).toBe(`GET ${ctx.fakes.telegram!.url}/bot<token>/getMe`);
    expectNoSecrets(readFileSync(audit, 'utf8'));
    expect(readFileSync(audit, 'utf8')).not.toMatch(/authorization/i);
  });

  it('reads history findings from their git blobs', async () => {
    const scan = runCli(['scan', '--history', '--format', 'json', '-o', 'history.json', '--no-baseline'], { cwd: repo });
    expect(scan.code).toBe(1);
    const r = await runCliAsync(['verify', 'history.json', '--audit-log', join(repo, '.git', 'audit.jsonl'), '-o', 'verified.json'], { cwd: repo, env: ctx.env });
    expect(r.code, r.stderr + readFileSync(join(repo, 'verified.json'), 'utf8')).toBe(1);
    expect(r.stdout).toBe('');
    const report = JSON.parse(readFileSync(join(repo, 'verified.json'), 'utf8')) as { findings: Finding[] };
    const f = findingOf(report, 'slack-bot-token');
    expect(f.blob).toMatch(/^[0-9a-f]{40}$/);
    expect(f.verification).toMatchObject({ status: 'live', evidence: { provider: 'slack', identity: { team: 'Fake Team' } } });
    expectNoSecrets(readFileSync(join(repo, 'verified.json'), 'utf8'));
  });

  it('says "unknown" when the secret at the location changed since the scan, or the file is gone', async () => {
    const dir = tempDir('kw-verify-moved-');
    const token = c.telegram();
    writeTree(dir, { 'a.env': `TELEGRAM_BOT_TOKEN=${token}\n`, 'b.env': `TELEGRAM_BOT_TOKEN=${c.telegram()}\n` });
    expect(runCli(['scan', '--format', 'json', '-o', 'r.json'], { cwd: dir }).code).toBe(1);
    writeFileSync(join(dir, 'a.env'), `TELEGRAM_BOT_TOKEN=${c.telegram()}\n`);
    rmSync(join(dir, 'b.env'));
    const r = await runCliAsync(['verify', 'r.json', '--audit-log', join(dir, 'audit.jsonl')], { cwd: dir, env: ctx.env });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { findings: Finding[] };
    const byFile = Object.fromEntries(report.findings.map((f) => [f.file, f.verification]));
    expect(byFile['a.env']).toMatchObject({ status: 'unknown', evidence: { reason: expect.stringContaining('has changed since the scan (hash mismatch)') } });
    expect(byFile['b.env']).toMatchObject({ status: 'unknown', evidence: { reason: expect.stringContaining('b.env no longer exists') } });
  });

  it('uses the secret in a --no-redact report when its hash matches, even if the file is gone', async () => {
    const dir = tempDir('kw-verify-noredact-');
    writeTree(dir, { 'x.env': `TELEGRAM_BOT_TOKEN=${telegram}\n` });
    expect(runCli(['scan', '--format', 'json', '--no-redact', '-o', 'r.json'], { cwd: dir }).code).toBe(1);
    rmSync(join(dir, 'x.env'));
    const r = await runCliAsync(['verify', 'r.json', '--audit-log', join(dir, 'audit.jsonl')], { cwd: dir, env: ctx.env });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { findings: Finding[] }).findings[0]!.verification!.status).toBe('live');
  });

  it('exits 2 for a provider endpoint over plain http to another host, before any call', async () => {
    writeFileSync(join(repo, 'report2.json'), readFileSync(join(repo, 'report.json')));
    const before = Object.values(ctx.fakes).reduce((n, f) => n + f.requests.length, 0);
    const r = await runCliAsync(['verify', 'report2.json', '--audit-log', join(repo, '.git', 'a2.jsonl')], {
      cwd: repo,
      env: { ...ctx.env, KEYWARDEN_STRIPE_ENDPOINT: 'http://stripe.example.com' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/KEYWARDEN_STRIPE_ENDPOINT: plain http is only allowed for loopback addresses/);
    expect(Object.values(ctx.fakes).reduce((n, f) => n + f.requests.length, 0)).toBe(before);
  });

  it('exits 2 when a check cannot complete (provider failing), and for a file that is not a report', async () => {
    const dir = tempDir('kw-verify-err-');
    writeTree(dir, { 'x.env': `TELEGRAM_BOT_TOKEN=${telegram}\n`, 'bad.json': '{"findings": [{"ruleId": 3}]}' });
    expect(runCli(['scan', '--format', 'json', '-o', 'r.json'], { cwd: dir }).code).toBe(1);
    ctx.fakes.telegram!.inject({ status: 503, body: 'down' }, { status: 503, body: 'down' });
    const r = await runCliAsync(['verify', 'r.json', '--retries', '1', '--audit-log', join(dir, 'audit.jsonl')], { cwd: dir, env: ctx.env });
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stdout) as { findings: Finding[] }).findings[0]!.verification).toMatchObject({ status: 'error', evidence: { httpStatus: 503 } });
    const bad = runCli(['verify', 'bad.json', '--audit-log', join(dir, 'audit.jsonl')], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a keywarden JSON report/);
    expect(bad.stderr).toMatch(/\/findings\/0\/ruleId: must be a string/);
  });
});

describe('keywarden scan --verify', () => {
  it('verifies after the scan and shows the status in the text report, redacted', async () => {
    const audit = join(repo, '.git', 'scan-audit.jsonl');
    const r = await runCliAsync(['scan', '--verify', '--audit-log', audit, '--no-baseline'], { cwd: repo, env: ctx.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Verified: 4 live, 1 invalid, 0 unknown, 0 error\./);
    expect(r.stdout).toMatch(/verified LIVE: GET http:\/\/127\.0\.0\.1:\d+\/bot<token>\/getMe -> HTTP 200; username fake_bot/);
    expect(r.stdout).toMatch(/verified invalid: GET http:\/\/127\.0\.0\.1:\d+\/v1\/account -> HTTP 401/);
    expectNoSecrets(r.stdout + r.stderr + readFileSync(audit, 'utf8'));
  });

  it('carries the status into SARIF result properties', async () => {
    const r = await runCliAsync(['scan', '--verify', '--format', 'sarif', '--audit-log', join(repo, '.git', 'sarif-audit.jsonl'), '--no-baseline'], { cwd: repo, env: ctx.env });
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ ruleId: string; message: { text: string }; properties: Record<string, unknown> }> }> };
    const tg = sarif.runs[0]!.results.find((x) => x.ruleId === 'telegram-bot-token')!;
    expect(tg.properties).toMatchObject({ verification: 'live', verificationHttpStatus: 200 });
    expect(tg.message.text).toMatch(/Verified live by its provider/);
    expectNoSecrets(r.stdout);
  });

  it('makes no provider call without --verify, and rejects verify options without it', async () => {
    const before = Object.values(ctx.fakes).reduce((n, f) => n + f.requests.length, 0);
    expect((await runCliAsync(['scan', '--no-baseline'], { cwd: repo, env: ctx.env })).code).toBe(1);
    expect(Object.values(ctx.fakes).reduce((n, f) => n + f.requests.length, 0)).toBe(before);
    const r = await runCliAsync(['scan', '--audit-log', 'x.jsonl'], { cwd: repo, env: ctx.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/need --verify/);
  });
});
