// Every provider module against its fake: a live key, a rejected key, and (where the provider
// has one) a live-but-restricted key, each recorded on its finding with evidence and no secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.js';
import {
  fakeAnthropic,
  fakeDigitalocean,
  fakeDiscord,
  fakeGithub,
  fakeGitlab,
  fakeHuggingface,
  fakeMailgun,
  fakeNpm,
  fakeOpenai,
  fakeSendgrid,
  fakeSlack,
  fakeStripe,
  fakeTelegram,
  type TokenBook,
} from '../support/fake-providers/token-services.js';
import { fakeAwsSts, fakeDatadog, fakeTwilio } from '../support/fake-providers/paired-services.js';
import type { FakeHandler } from '../support/fake-providers/server.js';
import { credentials, findingAt, startFakes, verifyAgainst, writeFile } from './support.js';
import type { Verification } from '../../src/types.js';

const c = credentials('providers-test');

interface Case {
  provider: string;
  ruleId: string;
  fake: (book: TokenBook) => FakeHandler;
  make: () => string;
  /** Provider answers a restricted key with a live-but-forbidden status. */
  restricted?: boolean;
  /** Path the identity call must use. */
  path: string | RegExp;
  identity?: Record<string, unknown>;
}

const CASES: Case[] = [
  { provider: 'github', ruleId: 'github-pat', fake: fakeGithub, make: () => `ghp_${c.alnum(36)}`, restricted: true, path: '/user', identity: { login: 'octo-fake', scopes: ['repo', 'read:org'] } },
  { provider: 'gitlab', ruleId: 'gitlab-pat', fake: fakeGitlab, make: () => `glpat-${c.alnum(20)}`, restricted: true, path: '/api/v4/personal_access_tokens/self', identity: { name: 'deploy bot', scopes: ['read_api', 'read_repository'] } },
  { provider: 'slack', ruleId: 'slack-bot-token', fake: fakeSlack, make: () => `xoxb-${c.digits(12)}-${c.alnum(24)}`, path: '/api/auth.test', identity: { team: 'Fake Team', user: 'fakebot' } },
  { provider: 'stripe', ruleId: 'stripe-live-restricted-key', fake: fakeStripe, make: () => `rk_live_${c.alnum(40)}`, restricted: true, path: '/v1/account', identity: { account: 'acct_fake' } },
  { provider: 'openai', ruleId: 'openai-project-api-key', fake: fakeOpenai, make: () => `sk-proj-${c.alnum(60)}`, restricted: true, path: '/v1/models', identity: { organization: 'org-fake' } },
  { provider: 'anthropic', ruleId: 'anthropic-admin-api-key', fake: fakeAnthropic, make: () => `sk-ant-admin01-${c.alnum(80)}`, restricted: true, path: '/v1/organizations/me', identity: { organization: 'Fake Org' } },
  { provider: 'anthropic', ruleId: 'anthropic-api-key', fake: fakeAnthropic, make: () => `sk-ant-api03-${c.alnum(80)}`, restricted: true, path: '/v1/models?limit=1' },
  { provider: 'npm', ruleId: 'npm-access-token', fake: fakeNpm, make: () => `npm_${c.alnum(36)}`, path: '/-/whoami', identity: { username: 'fake-npm-user' } },
  { provider: 'sendgrid', ruleId: 'sendgrid-api-key', fake: fakeSendgrid, make: () => `SG.${c.alnum(22)}.${c.alnum(43)}`, restricted: true, path: '/v3/scopes', identity: { scopes: ['mail.send', 'alerts.read'] } },
  { provider: 'huggingface', ruleId: 'huggingface-access-token', fake: fakeHuggingface, make: () => `hf_${c.alnum(34)}`, path: '/api/whoami-v2', identity: { name: 'fake-hf', role: 'read' } },
  { provider: 'digitalocean', ruleId: 'digitalocean-personal-access-token', fake: fakeDigitalocean, make: () => `dop_v1_${c.hex(64)}`, restricted: true, path: '/v2/account', identity: { uuid: 'do-uuid', status: 'active' } },
  { provider: 'mailgun', ruleId: 'mailgun-api-key', fake: fakeMailgun, make: () => `key-${c.hex(32)}`, restricted: true, path: '/v3/domains?limit=1', identity: { domains: 2 } },
  { provider: 'telegram', ruleId: 'telegram-bot-token', fake: fakeTelegram, make: () => c.telegram(), path: /^\/bot[^/]+\/getMe$/, identity: { username: 'fake_bot' } },
  { provider: 'discord', ruleId: 'discord-bot-token', fake: fakeDiscord, make: () => `M${c.alnum(25)}.${c.alnum(6)}.${c.alnum(30)}`, path: '/api/v10/users/@me', identity: { username: 'fakebot', bot: true } },
];

describe.each(CASES)('$provider ($ruleId)', (tc) => {
  const live = tc.make();
  const invalid = tc.make();
  const restricted = tc.make();
  let ctx: Awaited<ReturnType<typeof startFakes>>;
  const root = tempDir('kw-prov-');

  beforeAll(async () => {
    ctx = await startFakes({ [tc.provider]: tc.fake({ live: [live], restricted: tc.restricted ? [restricted] : [] }) });
  });
  afterAll(() => ctx.close());

  it('records live, invalid and (where the provider has it) restricted outcomes with evidence and no secret', async () => {
    const text = `A=${live}\nB=${invalid}\nC=${restricted}\n`;
    writeFile(root, 'config.env', text);
    const rule = { ruleId: tc.ruleId, provider: tc.provider };
    const findings = [live, invalid, restricted].map((s) => findingAt(text, s, rule));
    const { findings: out, summary, audit } = await verifyAgainst(findings, root, ctx.env);

    const [l, i, r] = out.map((f) => f.verification!) as [Verification, Verification, Verification];
    expect(l.status).toBe('live');
    expect(l.evidence.provider).toBe(tc.provider);
    expect(l.evidence.httpStatus).toBe(200);
    expect(l.evidence.endpoint).toMatch(new RegExp(`^(GET|POST) ${ctx.fakes[tc.provider]!.url.replace(/[.]/g, '\\.')}/`));
    if (tc.identity) expect(l.evidence.identity).toMatchObject(tc.identity);
    expect(i.status).toBe('invalid');
    if (tc.restricted) {
      expect(r).toMatchObject({ status: 'live', evidence: { httpStatus: 403, restricted: true } });
    } else {
      expect(r.status).toBe('invalid');
    }
    expect(summary.live).toBe(tc.restricted ? 2 : 1);

    const requests = ctx.fakes[tc.provider]!.requests;
    expect(requests).toHaveLength(3);
    for (const req of requests) {
      if (typeof tc.path === 'string') expect(req.path).toBe(tc.path);
      else expect(req.path).toMatch(tc.path);
    }
    // nothing that leaves the process besides the request itself carries a secret
    const recorded = JSON.stringify({ out, entries: audit.entries });
    for (const s of [live, invalid, restricted]) expect(recorded).not.toContain(s);
    expect(audit.entries.filter((e) => e.httpStatus !== undefined)).toHaveLength(3);
  });
});

describe('two-part and special credentials', () => {
  it('AWS: pairs the secret key with the nearest access key ID and signs GetCallerIdentity (SigV4)', async () => {
    const root = tempDir('kw-aws-');
    const good = { accessKeyId: c.awsKeyId(), secretAccessKey: c.awsSecret() };
    const other = { accessKeyId: c.awsKeyId(), secretAccessKey: c.awsSecret() };
    const unknownId = c.awsKeyId();
    const ctx = await startFakes({ aws: fakeAwsSts([good, { ...other, secretAccessKey: c.awsSecret() }]) });
    try {
      // two pairs in one file; each secret pairs with the ID nearest to it
      const text = [
        `[prod]`,
        `aws_access_key_id = ${good.accessKeyId}`,
        `aws_secret_access_key = ${good.secretAccessKey}`,
        ``,
        `[stale]`,
        `aws_access_key_id = ${other.accessKeyId}`,
        `aws_secret_access_key = ${other.secretAccessKey}`,
        ``,
        `[gone]`,
        `aws_access_key_id = ${unknownId}`,
        `aws_secret_access_key = ${c.awsSecret()}`,
      ].join('\n');
      writeFile(root, 'credentials', text);
      const secret = { ruleId: 'aws-secret-access-key', provider: 'aws' };
      const id = { ruleId: 'aws-access-key-id', provider: 'aws' };
      const lines = text.split('\n');
      const findings = [
        findingAt(text, good.accessKeyId, id, { file: 'credentials' }),
        findingAt(text, good.secretAccessKey, secret, { file: 'credentials' }),
        findingAt(text, other.secretAccessKey, secret, { file: 'credentials' }),
        findingAt(text, lines[10]!.split(' = ')[1]!, secret, { file: 'credentials' }),
      ];
      const { findings: out } = await verifyAgainst(findings, root, ctx.env);
      expect(out[0]!.verification).toMatchObject({ status: 'live', evidence: { identity: { account: '123456789012' }, pairedWith: findings[1]!.fingerprint } });
      expect(out[1]!.verification).toMatchObject({ status: 'live', evidence: { httpStatus: 200, pairedWith: findings[0]!.fingerprint } });
      expect(out[2]!.verification).toMatchObject({ status: 'invalid', evidence: { httpStatus: 403, reason: expect.stringContaining('SignatureDoesNotMatch') } });
      expect(out[3]!.verification).toMatchObject({ status: 'invalid', evidence: { reason: expect.stringContaining('InvalidClientTokenId') } });
      // the key ID finding and its secret are one credential: one call, not two
      expect(ctx.fakes.aws!.requests).toHaveLength(3);
      expect(ctx.fakes.aws!.requests[0]!.body).toBe('Action=GetCallerIdentity&Version=2011-06-15');
    } finally {
      await ctx.close();
    }
  });

  it('AWS: a secret key with no access key ID near it is unknown, and no call is made', async () => {
    const root = tempDir('kw-aws-');
    const ctx = await startFakes({ aws: fakeAwsSts([]) });
    try {
      const s = c.awsSecret();
      const text = `AWS_SECRET_ACCESS_KEY=${s}\n`;
      writeFile(root, 'config.env', text);
      const { findings } = await verifyAgainst([findingAt(text, s, { ruleId: 'aws-secret-access-key', provider: 'aws' })], root, ctx.env);
      expect(findings[0]!.verification).toMatchObject({ status: 'unknown', evidence: { reason: 'no AWS access key ID in the same file to pair it with' } });
      expect(ctx.fakes.aws!.requests).toHaveLength(0);
    } finally {
      await ctx.close();
    }
  });

  it('AWS: a temporary key signs with its session token', async () => {
    const root = tempDir('kw-aws-');
    const key = { accessKeyId: c.awsKeyId('ASIA'), secretAccessKey: c.awsSecret(), sessionToken: c.alnum(200) };
    const ctx = await startFakes({ aws: fakeAwsSts([key]) });
    try {
      const text = `aws_access_key_id=${key.accessKeyId}\naws_secret_access_key=${key.secretAccessKey}\naws_session_token=${key.sessionToken}\n`;
      writeFile(root, 'config.env', text);
      const findings = [
        findingAt(text, key.secretAccessKey, { ruleId: 'aws-secret-access-key', provider: 'aws' }),
        findingAt(text, key.sessionToken, { ruleId: 'aws-session-token', provider: 'aws' }),
      ];
      const { findings: out } = await verifyAgainst(findings, root, ctx.env);
      expect(out.map((f) => f.verification!.status)).toEqual(['live', 'live']);
      expect(ctx.fakes.aws!.requests[0]!.headers['x-amz-security-token']).toBe(key.sessionToken);
    } finally {
      await ctx.close();
    }
  });

  it('Twilio: pairs an auth token with the Account SID in the same file; a standard API key is live but restricted', async () => {
    const root = tempDir('kw-twilio-');
    const account = { sid: `AC${c.hex(32)}`, authToken: c.hex(32) };
    const key = { sid: `SK${c.hex(32)}`, secret: c.alnum(32), accountSid: account.sid, standard: true };
    const ctx = await startFakes({ twilio: fakeTwilio({ accounts: [account], apiKeys: [key] }) });
    try {
      const wrong = c.hex(32);
      const text = `TWILIO_ACCOUNT_SID=${account.sid}\nTWILIO_AUTH_TOKEN=${account.authToken}\nTWILIO_API_KEY=${key.sid}\nTWILIO_API_SECRET=${key.secret}\nOLD_TWILIO_AUTH_TOKEN=${wrong}\n`;
      writeFile(root, 'config.env', text);
      const token = { ruleId: 'twilio-auth-token', provider: 'twilio' };
      const findings = [
        findingAt(text, account.authToken, token),
        findingAt(text, key.secret, { ruleId: 'twilio-api-key-secret', provider: 'twilio' }),
        findingAt(text, wrong, token),
      ];
      const { findings: out } = await verifyAgainst(findings, root, ctx.env);
      expect(out[0]!.verification).toMatchObject({ status: 'live', evidence: { identity: { account: account.sid, status: 'active' } } });
      expect(out[1]!.verification).toMatchObject({ status: 'live', evidence: { httpStatus: 403, restricted: true } });
      expect(out[2]!.verification).toMatchObject({ status: 'invalid', evidence: { httpStatus: 401 } });
      // the SID is an identifier the audit trail may not need, but the token never shows up
      expect(JSON.stringify(out)).not.toContain(account.authToken);
    } finally {
      await ctx.close();
    }
  });

  it('Twilio: an auth token without an Account SID nearby is unknown', async () => {
    const root = tempDir('kw-twilio-');
    const ctx = await startFakes({ twilio: fakeTwilio({ accounts: [] }) });
    try {
      const t = c.hex(32);
      const text = `TWILIO_AUTH_TOKEN=${t}\n`;
      writeFile(root, 'config.env', text);
      const { findings } = await verifyAgainst([findingAt(text, t, { ruleId: 'twilio-auth-token', provider: 'twilio' })], root, ctx.env);
      expect(findings[0]!.verification).toMatchObject({ status: 'unknown', evidence: { reason: expect.stringContaining('Twilio Account SID') } });
    } finally {
      await ctx.close();
    }
  });

  it('Datadog: validates an API key, and an application key together with its API key', async () => {
    const root = tempDir('kw-dd-');
    const api = c.hex(32);
    const app = c.hex(40);
    const ctx = await startFakes({ datadog: fakeDatadog({ apiKeys: [api], appKeys: [{ app, api }] }) });
    try {
      const bad = c.hex(32);
      const text = `DD_API_KEY=${api}\nDD_APP_KEY=${app}\n\n\n\nOTHER_DD_API_KEY=${bad}\n`;
      writeFile(root, 'config.env', text);
      const findings = [
        findingAt(text, api, { ruleId: 'datadog-api-key', provider: 'datadog' }),
        findingAt(text, app, { ruleId: 'datadog-app-key', provider: 'datadog' }),
        findingAt(text, bad, { ruleId: 'datadog-api-key', provider: 'datadog' }),
      ];
      const { findings: out } = await verifyAgainst(findings, root, ctx.env);
      expect(out.map((f) => f.verification!.status)).toEqual(['live', 'live', 'invalid']);
      expect(out[1]!.verification!.evidence.pairedWith).toBe(findings[0]!.fingerprint);
      const appCall = ctx.fakes.datadog!.requests.find((r) => r.path === '/api/v2/validate_keys');
      expect(appCall?.headers['dd-api-key']).toBe(api);
    } finally {
      await ctx.close();
    }
  });

  it('Discord: a webhook URL is read with GET; the token never reaches the evidence or the audit log', async () => {
    const root = tempDir('kw-discord-');
    const hook = c.discordWebhook();
    const dead = c.discordWebhook();
    const ctx = await startFakes({ discord: fakeDiscord({ webhooks: [hook] }) });
    try {
      const text = `WEBHOOK=${hook.url}\nOLD=${dead.url}\n`;
      writeFile(root, 'config.env', text);
      const rule = { ruleId: 'discord-webhook-url', provider: 'discord' };
      const { findings: out, audit } = await verifyAgainst([findingAt(text, hook.url, rule), findingAt(text, dead.url, rule)], root, ctx.env);
      expect(out[0]!.verification).toMatchObject({ status: 'live', evidence: { identity: { webhook: 'alerts' } } });
      expect(out[0]!.verification!.evidence.endpoint).toBe(`GET ${ctx.fakes.discord!.url}/api/v10/webhooks/${hook.id}/<token>`);
      expect(out[1]!.verification).toMatchObject({ status: 'invalid', evidence: { httpStatus: 404 } });
      expect(ctx.fakes.discord!.requests.every((r) => r.method === 'GET')).toBe(true);
      expect(JSON.stringify([out, audit.entries])).not.toContain(hook.token);
    } finally {
      await ctx.close();
    }
  });

  it('Telegram: the evidence shows a placeholder where the token sits in the URL', async () => {
    const root = tempDir('kw-tg-');
    const token = c.telegram();
    const ctx = await startFakes({ telegram: fakeTelegram({ live: [token] }) });
    try {
      const text = `TELEGRAM_BOT_TOKEN=${token}\n`;
      writeFile(root, 'config.env', text);
      const { findings, audit } = await verifyAgainst([findingAt(text, token, { ruleId: 'telegram-bot-token', provider: 'telegram' })], root, ctx.env);
      expect(findings[0]!.verification!.evidence.endpoint).toBe(`GET ${ctx.fakes.telegram!.url}/bot<token>/getMe`);
      expect(audit.entries[0]!.endpoint).toBe(`GET ${ctx.fakes.telegram!.url}/bot<token>/getMe`);
    } finally {
      await ctx.close();
    }
  });

  it('GitLab: a token the API reports as revoked is invalid; a CI job token reads its job', async () => {
    const root = tempDir('kw-gl-');
    const revoked = `glpat-${c.alnum(20)}`;
    const job = `glcbt-${c.alnum(20)}`;
    const ctx = await startFakes({ gitlab: fakeGitlab({ live: [job], revoked: [revoked] }) });
    try {
      const text = `A=${revoked}\nB=${job}\n`;
      writeFile(root, 'config.env', text);
      const { findings } = await verifyAgainst(
        [findingAt(text, revoked, { ruleId: 'gitlab-pat', provider: 'gitlab' }), findingAt(text, job, { ruleId: 'gitlab-ci-job-token', provider: 'gitlab' })],
        root,
        ctx.env,
      );
      expect(findings[0]!.verification).toMatchObject({ status: 'invalid', evidence: { reason: expect.stringContaining('revoked') } });
      expect(findings[1]!.verification).toMatchObject({ status: 'live', evidence: { identity: { job: '1234' } } });
    } finally {
      await ctx.close();
    }
  });

  it('rules without a read-only check, and providers without a module, are unknown with a reason and no call', async () => {
    const root = tempDir('kw-unk-');
    const ctx = await startFakes({ slack: fakeSlack({}) });
    try {
      const hook = `https://hooks.slack.com/services/T${c.alnum(10)}/B${c.alnum(10)}/${c.alnum(24)}`;
      const other = c.alnum(40);
      const text = `HOOK=${hook}\nX=${other}\n`;
      writeFile(root, 'config.env', text);
      const { findings } = await verifyAgainst(
        [findingAt(text, hook, { ruleId: 'slack-webhook-url', provider: 'slack' }), findingAt(text, other, { ruleId: 'acme-key', provider: 'acme' })],
        root,
        ctx.env,
      );
      expect(findings[0]!.verification).toMatchObject({ status: 'unknown', evidence: { provider: 'slack', reason: expect.stringContaining('posting') } });
      expect(findings[1]!.verification).toMatchObject({ status: 'unknown', evidence: { reason: 'no verifier for provider "acme"' } });
      expect(ctx.fakes.slack!.requests).toHaveLength(0);
    } finally {
      await ctx.close();
    }
  });
});
