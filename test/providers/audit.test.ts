// `keywarden audit`: key age, last use, expiry and scopes from each provider, held against the
// policy (default 90 days, [audit] maxAgeDays in .keywarden.toml, or --max-age-days).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.js';
import { FakeAws, FakeGithub, FakeGitlab, newAwsKey } from '../support/fake-providers/lifecycle-services.js';
import type { Finding } from '../../src/types.js';
import { credentials, findingAt, runCliAsync, startFakes } from './support.js';

const c = credentials(`audit-${Date.now()}`);
const ghBroad = `ghp_${c.alnum(36)}`;
const ghNarrow = `ghp_${c.alnum(36)}`;
const DAY = 86_400_000;
const iso = (daysAgo: number): string => new Date(Date.now() - daysAgo * DAY).toISOString();

let ctx: Awaited<ReturnType<typeof startFakes>>;
let dir: string;
let aws: FakeAws;
let adminKey: ReturnType<typeof newAwsKey>;
let findings: Finding[];
let secrets: string[];

beforeAll(async () => {
  const github = await new FakeGithub([
    { token: ghBroad, login: 'octo', scopes: 'repo, admin:org, delete_repo' },
    { token: ghNarrow, login: 'bot', scopes: 'read:packages', expires: '2099-01-01 00:00:00 UTC' },
  ]).init();
  const gitlab = new FakeGitlab([FakeGitlab.token({ scopes: ['api', 'read_repository'], created: iso(200), lastUsed: iso(3), expires: null })]);
  const appKey = { ...newAwsKey(iso(40)), lastUsed: iso(35) };
  adminKey = newAwsKey();
  aws = new FakeAws([
    { name: 'app', keys: [appKey] },
    { name: 'ops', admin: true, keys: [adminKey] },
  ]);
  ctx = await startFakes({ github: github.handler(), gitlab: gitlab.handler(), aws: aws.handler() });
  dir = tempDir('kw-audit-');
  const text = [`A=${ghBroad}`, `B=${ghNarrow}`, `GITLAB_TOKEN=${gitlab.tokens[0]!.token}`, `AWS_ACCESS_KEY_ID=${appKey.id}`, `AWS_SECRET_ACCESS_KEY=${appKey.secret}`, ''].join('\n');
  writeFileSync(join(dir, 'app.env'), text);
  const at = (s: string, ruleId: string, provider: string): Finding => findingAt(text, s, { ruleId, provider }, { file: 'app.env' });
  findings = [at(ghBroad, 'github-pat', 'github'), at(ghNarrow, 'github-pat', 'github'), at(gitlab.tokens[0]!.token, 'gitlab-pat', 'gitlab'), at(appKey.secret, 'aws-secret-access-key', 'aws')];
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ findings }));
  secrets = [ghBroad, ghNarrow, gitlab.tokens[0]!.token, appKey.secret, adminKey.secret];
});
afterAll(() => ctx.close());

interface Item {
  provider: string;
  flags: string[];
  ageDays?: number;
  recommendation: string;
  description?: { scopes?: string[]; owner?: string; createdAt?: string; lastUsedAt?: string };
}

async function audit(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; items: Item[]; policy: { maxAgeDays: number }; raw: string }> {
  const r = await runCliAsync(['audit', '--report', 'report.json', '--format', 'json', '--audit-log', 'audit.jsonl', ...args], { cwd: dir, env: { ...ctx.env, ...env } });
  for (const s of secrets) expect(r.stdout + r.stderr).not.toContain(s);
  const out = JSON.parse(r.stdout) as { items: Item[]; policy: { maxAgeDays: number } };
  return { code: r.code, ...out, raw: r.stdout };
}

describe('keywarden audit', () => {
  it('flags broad GitHub scopes, an old GitLab token without expiry, and reads AWS age and last use with an admin credential', async () => {
    const { code, items, policy } = await audit([], { KEYWARDEN_AWS_ADMIN_ACCESS_KEY_ID: adminKey.id, KEYWARDEN_AWS_ADMIN_SECRET_ACCESS_KEY: adminKey.secret });
    expect(code).toBe(1);
    expect(policy.maxAgeDays).toBe(90);
    const [broad, narrow, gl, awsItem] = items;
    expect(broad).toMatchObject({ provider: 'github', flags: ['no-expiry', 'over-privileged'], description: { owner: 'octo', scopes: ['repo', 'admin:org', 'delete_repo'] } });
    expect(broad!.recommendation).toMatch(/fine-grained token/);
    expect(narrow).toMatchObject({ flags: [], recommendation: 'within policy: no action' });
    expect(gl).toMatchObject({ provider: 'gitlab', ageDays: 200, flags: ['too-old', 'no-expiry', 'over-privileged'] });
    expect(gl!.recommendation).toMatch(/200 days old, over the 90-day policy: rotate it/);
    expect(awsItem).toMatchObject({ provider: 'aws', ageDays: 40, flags: [], description: { owner: 'IAM user app' } });
    const log = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    expect(log).toMatch(/"action":"describe"/);
    for (const s of secrets) expect(log).not.toContain(s);
  });

  it('takes the policy from .keywarden.toml [audit] maxAgeDays, and --max-age-days over it', async () => {
    writeFileSync(join(dir, '.keywarden.toml'), '[audit]\nmaxAgeDays = 30\n');
    const fromConfig = await audit(['--fingerprint', findings[3]!.fingerprint], { KEYWARDEN_AWS_ADMIN_ACCESS_KEY_ID: adminKey.id, KEYWARDEN_AWS_ADMIN_SECRET_ACCESS_KEY: adminKey.secret });
    expect(fromConfig.policy.maxAgeDays).toBe(30);
    expect(fromConfig.items[0]).toMatchObject({ flags: ['too-old', 'unused'] });
    expect(fromConfig.items[0]!.recommendation).toMatch(/unused for 35 days: revoke it/);
    const fromFlag = await audit(['--fingerprint', findings[3]!.fingerprint, '--max-age-days', '365']);
    expect(fromFlag.policy.maxAgeDays).toBe(365);
    // without an admin credential the key reads its own metadata (the fake allows it)
    expect(fromFlag.items[0]).toMatchObject({ flags: [], ageDays: 40 });
    expect(fromFlag.code).toBe(0);
  });

  it('renders text with a recommendation per key', async () => {
    const r = await runCliAsync(['audit', '--report', 'report.json', '--audit-log', 'audit.jsonl', '--fingerprint', findings[0]!.fingerprint], { cwd: dir, env: ctx.env });
    expect(r.stdout).toMatch(/github-pat \(github\) at app\.env:1/);
    expect(r.stdout).toMatch(/flags: no-expiry, over-privileged/);
    expect(r.stdout).toMatch(/recommendation: scopes repo, admin:org, delete_repo reach far beyond one application/);
    expect(r.stderr).toMatch(/Audited 1 key: 1 flagged\./);
  });
});
