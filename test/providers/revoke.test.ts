// `keywarden revoke`, run as a user would (the built CLI) against stateful fake providers on
// loopback: a dry run by default that calls nothing, then --yes revoking each key by its own id.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.js';
import { FakeAws, FakeGithub, FakeGitlab, FakeOpenai, FakeSendgrid, fakeAnthropicAdmin, fakeDigitaloceanRevoke, fakeHeroku, fakeNpmTokens, fakeSlackRevoke, newAwsKey, randomChars } from '../support/fake-providers/lifecycle-services.js';
import type { Finding } from '../../src/types.js';
import { credentials, findingAt, runCliAsync, startFakes } from './support.js';

const c = credentials(`revoke-${Date.now()}`);
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const gh1 = `ghp_${c.alnum(36)}`;
const gh2 = `ghp_${c.alnum(36)}`;
const slack = `xoxb-${c.digits(12)}-${c.digits(13)}-${c.alnum(24)}`;
const npm = `npm_${c.alnum(36)}`;
const doToken = `dop_v1_${c.hex(64)}`;
const heroku = `HRKU-${c.alnum(60)}`;
const anthropicKey = `sk-ant-api03-${randomChars(ALNUM, 80)}`;
const anthropicOther = `sk-ant-api03-${randomChars(ALNUM, 80)}`;
const anthropicAdmin = `sk-ant-admin01-${randomChars(ALNUM, 80)}`;
const openaiAdmin = `sk-admin-${randomChars(ALNUM, 60)}`;

let ctx: Awaited<ReturnType<typeof startFakes>>;
let aws: FakeAws;
let awsAdmin: ReturnType<typeof newAwsKey>;
let gitlab: FakeGitlab;
let sendgrid: FakeSendgrid;
let openai: FakeOpenai;
let github: FakeGithub;
const live = { slack: new Set([slack]), npm: new Set([npm]), do: new Set([doToken]) };
const herokuAuths = [
  { id: 'auth-other', token: `HRKU-${c.alnum(60)}` },
  { id: 'auth-leaked', token: heroku },
];
const anthropicKeys = [
  { id: 'apikey_other', value: anthropicOther, status: 'active' },
  { id: 'apikey_leaked', value: anthropicKey, status: 'active' },
];
let dir: string;
let secrets: string[];
let findings: Finding[];

function total(): number {
  return Object.values(ctx.fakes).reduce((n, f) => n + f.requests.length, 0);
}

beforeAll(async () => {
  awsAdmin = newAwsKey();
  aws = new FakeAws([
    { name: 'app', keys: [newAwsKey()] },
    { name: 'ops', admin: true, keys: [awsAdmin] },
  ]);
  gitlab = new FakeGitlab([FakeGitlab.token()]);
  sendgrid = new FakeSendgrid([FakeSendgrid.key('first key in the account'), FakeSendgrid.key('leaked')]);
  openai = new FakeOpenai([openaiAdmin], ['proj_a', 'proj_b'], []);
  openai.keys.push(FakeOpenai.key('proj_a', { type: 'user', id: 'user_1' }), FakeOpenai.key('proj_b', { type: 'service_account', id: 'svc_1' }));
  github = await new FakeGithub([]).init();
  ctx = await startFakes({
    github: github.handler(),
    gitlab: gitlab.handler(),
    aws: aws.handler(),
    sendgrid: sendgrid.handler(),
    openai: openai.handler(),
    slack: fakeSlackRevoke(live.slack),
    npm: fakeNpmTokens(live.npm),
    digitalocean: fakeDigitaloceanRevoke(live.do),
    heroku: fakeHeroku(herokuAuths),
    anthropic: fakeAnthropicAdmin(anthropicAdmin, anthropicKeys),
  });
  dir = tempDir('kw-revoke-');
  const appKey = aws.user('app').keys[0]!;
  const lines = [
    `GH_ONE=${gh1}`,
    `GH_TWO=${gh2}`,
    `GITLAB_TOKEN=${gitlab.tokens[0]!.token}`,
    `AWS_ACCESS_KEY_ID=${appKey.id}`,
    `AWS_SECRET_ACCESS_KEY=${appKey.secret}`,
    `SLACK_TOKEN=${slack}`,
    `NPM_TOKEN=${npm}`,
    `SENDGRID_API_KEY=${sendgrid.keys[1]!.secret}`,
    `DO_TOKEN=${doToken}`,
    `HEROKU_API_KEY=${heroku}`,
    `OPENAI_API_KEY=${openai.keys[1]!.value}`,
    `ANTHROPIC_API_KEY=${anthropicKey}`,
    '',
  ];
  const text = lines.join('\n');
  writeFileSync(join(dir, 'app.env'), text);
  const at = (secret: string, ruleId: string, provider: string): Finding => findingAt(text, secret, { ruleId, provider }, { file: 'app.env' });
  findings = [
    at(gh1, 'github-pat', 'github'),
    at(gh2, 'github-pat', 'github'),
    at(gitlab.tokens[0]!.token, 'gitlab-pat', 'gitlab'),
    at(appKey.id, 'aws-access-key-id', 'aws'),
    at(appKey.secret, 'aws-secret-access-key', 'aws'),
    at(slack, 'slack-bot-token', 'slack'),
    at(npm, 'npm-access-token', 'npm'),
    at(sendgrid.keys[1]!.secret, 'sendgrid-api-key', 'sendgrid'),
    at(doToken, 'digitalocean-personal-access-token', 'digitalocean'),
    at(heroku, 'heroku-api-key', 'heroku'),
    at(openai.keys[1]!.value, 'openai-service-account-api-key', 'openai'),
    at(anthropicKey, 'anthropic-api-key', 'anthropic'),
  ];
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ findings }, null, 2));
  secrets = [gh1, gh2, gitlab.tokens[0]!.token, appKey.secret, slack, npm, sendgrid.keys[1]!.secret, doToken, heroku, openai.keys[1]!.value, anthropicKey, awsAdmin.secret, openaiAdmin, anthropicAdmin];
});
afterAll(() => ctx.close());

function expectNoSecrets(text: string): void {
  for (const s of secrets) expect(text).not.toContain(s);
}

const adminEnv = (): NodeJS.ProcessEnv => ({
  ...ctx.env,
  KEYWARDEN_AWS_ADMIN_ACCESS_KEY_ID: awsAdmin.id,
  KEYWARDEN_AWS_ADMIN_SECRET_ACCESS_KEY: awsAdmin.secret,
  OPENAI_ADMIN_KEY: openaiAdmin,
  ANTHROPIC_ADMIN_KEY: anthropicAdmin,
  XDG_STATE_HOME: join(dir, 'state'),
});

describe('keywarden revoke', () => {
  it('is a dry run by default: prints every call it would make and with which credential, and calls nothing', async () => {
    const before = total();
    const r = await runCliAsync(['revoke', '--report', 'report.json', '--audit-log', 'audit.jsonl'], { cwd: dir, env: adminEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(total()).toBe(before);
    expect(r.stderr).toMatch(/Dry run: nothing was revoked/);
    expect(r.stdout).toMatch(/Revocation plan \(dry run\): 11 keys/);
    // both GitHub tokens go in one unauthenticated request
    expect(r.stdout).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/credentials\/revoke {2}\[as: none \(unauthenticated\)\] {2}revoke 2 tokens in one request/);
    expect(r.stdout).toMatch(/DELETE http:\/\/127\.0\.0\.1:\d+\/api\/v4\/personal_access_tokens\/self {2}\[as: the leaked key itself\]/);
    expect(r.stdout).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/ \(UpdateAccessKey\) {2}\[as: admin credential from \$KEYWARDEN_AWS_ADMIN_SECRET_ACCESS_KEY/);
    expect(r.stdout).toMatch(/DELETE http:\/\/127\.0\.0\.1:\d+\/v3\/api_keys\/\{this key's id\}/);
    expect(r.stdout).toMatch(/DELETE http:\/\/127\.0\.0\.1:\d+\/-\/npm\/v1\/tokens\/token\/<token>/);
    expect(r.stdout).toMatch(/\[as: admin key from \$OPENAI_ADMIN_KEY/);
    expectNoSecrets(r.stdout + r.stderr);
  });

  it('with admin keys unset, says which keys need one and exits 2 after revoking the rest', async () => {
    const r = await runCliAsync(['revoke', '--report', 'report.json', '--format', 'json', '--fingerprint', findings[11]!.fingerprint.slice(0, 12)], { cwd: dir, env: { ...ctx.env, XDG_STATE_HOME: join(dir, 'state') } });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { dryRun: boolean; items: Array<{ status: string; reason?: string }> };
    expect(plan.dryRun).toBe(true);
    expect(plan.items).toEqual([expect.objectContaining({ status: 'skipped', reason: 'needs an admin key: set ANTHROPIC_ADMIN_KEY' })]);
    const real = await runCliAsync(['revoke', '--report', 'report.json', '--yes', '--fingerprint', findings[11]!.fingerprint], { cwd: dir, env: { ...ctx.env, XDG_STATE_HOME: join(dir, 'state') } });
    expect(real.code).toBe(2);
    expect(real.stdout).toMatch(/skipped: anthropic-api-key/);
    expect(anthropicKeys[1]!.status).toBe('active');
  });

  it('--yes revokes each key through its own API, by its own id, and logs every call without a secret', async () => {
    const otherSendgrid = sendgrid.keys[0]!.id;
    const r = await runCliAsync(['revoke', '--report', 'report.json', '--yes', '--audit-log', 'audit.jsonl'], { cwd: dir, env: adminEnv() });
    expect(r.stderr).toMatch(/Revoked 11, skipped 0, failed 0\./);
    expect(r.code, r.stdout).toBe(0);
    // GitHub: one request, both tokens, no Authorization header
    expect(github.revokeRequests).toBe(1);
    expect(github.revoked.sort()).toEqual([gh1, gh2].sort());
    expect(ctx.fakes.github!.requests.every((q) => q.headers.authorization === undefined)).toBe(true);
    expect(gitlab.tokens[0]!.active).toBe(false);
    // AWS: deactivated, then deleted, with the admin credential naming the user
    expect(aws.user('app').keys).toEqual([]);
    const actions = ctx.fakes.aws!.requests.map((q) => new URLSearchParams(q.body).get('Action'));
    expect(actions).toEqual(['GetAccessKeyLastUsed', 'UpdateAccessKey', 'DeleteAccessKey']);
    // SendGrid: this key's id, not the first key in the account
    expect(sendgrid.keys.map((k) => k.id)).toEqual([otherSendgrid]);
    expect(live.slack.size + live.npm.size + live.do.size).toBe(0);
    expect(herokuAuths.map((a) => a.id)).toEqual(['auth-other']);
    expect(openai.keys.map((k) => k.projectId)).toEqual(['proj_a']);
    expect(anthropicKeys.map((k) => k.status)).toEqual(['active', 'inactive']);
    expectNoSecrets(r.stdout + r.stderr);

    const log = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    expectNoSecrets(log);
    const lines = log.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.action === 'revoke' && l.httpStatus === undefined).map((l) => l.result)).toEqual(Array(11).fill('revoked'));
    expect(lines.find((l) => l.provider === 'npm' && l.method === 'DELETE')!.endpoint).toMatch(/\/-\/npm\/v1\/tokens\/token\/<token>$/);
  });

  it('a second run finds the keys already dead and says so', async () => {
    const r = await runCliAsync(['revoke', '--report', 'report.json', '--yes', '--format', 'json', '--fingerprint', findings[2]!.fingerprint, findings[5]!.fingerprint], { cwd: dir, env: adminEnv() });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { items: Array<{ provider: string; status: string; reason?: string }> };
    expect(out.items).toEqual([
      expect.objectContaining({ provider: 'gitlab', status: 'revoked', reason: expect.stringMatching(/already revoked/) }),
      expect.objectContaining({ provider: 'slack', status: 'revoked', reason: expect.stringMatching(/invalid_auth/) }),
    ]);
  });

  it('rejects a fingerprint that names no finding', async () => {
    const r = await runCliAsync(['revoke', '--report', 'report.json', '--fingerprint', 'ffffffffffff'], { cwd: dir, env: adminEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no finding in the report has fingerprint ffffffffffff/);
  });
});
