// Rotation against stateful fakes, with a failure injected at every step: an abort after each
// journaled step (as a crash would leave it), a provider call failing or hanging at each call,
// and the destination write failing. After each, a re-run completes or rolls back, and the
// invariants hold: no key lost, never every key disabled, the destination holds a working key.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '../../src/providers/audit-log.js';
import { rotateFinding, RotationAborted, type RotateOptions } from '../../src/providers/rotation/rotate.js';
import type { RotationStep } from '../../src/providers/rotation/journal.js';
import type { Finding } from '../../src/types.js';
import { BIN, tempDir } from '../support/cli.js';
import { FakeAws, FakeGithub, FakeGitlab, FakeOpenai, FakeSendgrid, newAwsKey, randomChars } from '../support/fake-providers/lifecycle-services.js';
import { findingAt, runCliAsync, startFakes } from './support.js';

const STEPS: RotationStep[] = ['started', 'prepared', 'creating', 'created', 'stored', 'verified', 'old-disabled'];
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

interface Setup {
  dir: string;
  env: NodeJS.ProcessEnv;
  findings: Finding[];
  fingerprint: string;
  envFile: string;
  original: string;
  fakes: Awaited<ReturnType<typeof startFakes>>['fakes'];
}

async function setup(handlers: Parameters<typeof startFakes>[0], text: string, marks: Array<[string, string, string]>, extraEnv: NodeJS.ProcessEnv = {}): Promise<Setup> {
  const started = await startFakes(handlers);
  closers.push(started.close);
  const dir = tempDir('kw-rotate-');
  const envFile = join(dir, '.env');
  writeFileSync(envFile, text);
  chmodSync(envFile, 0o640);
  const findings = marks.map(([secret, ruleId, provider]) => findingAt(text, secret, { ruleId, provider }, { file: '.env' }));
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ findings }));
  return { dir, env: { ...started.env, ...extraEnv }, findings, fingerprint: findings.at(-1)!.fingerprint, envFile, original: text, fakes: started.fakes };
}

function options(s: Setup, extra: Partial<RotateOptions> = {}): RotateOptions {
  return {
    root: s.dir,
    cwd: s.dir,
    env: s.env,
    audit: new MemoryAuditLog(),
    fingerprint: s.fingerprint,
    target: 'env:.env',
    dryRun: false,
    journalDir: join(s.dir, 'journal'),
    graceMs: 0,
    verifyAttempts: 1,
    verifyDelayMs: 1,
    timeoutMs: 1500,
    maxRetries: 0,
    client: { baseDelayMs: 1, maxDelayMs: 2, maxWaitMs: 100 },
    ...extra,
  };
}

function abortAt(step: RotationStep): Partial<RotateOptions> {
  return {
    afterStep: (s) => {
      if (s === step) throw new RotationAborted(`crash after ${step}`);
    },
  };
}

function envValue(file: string, name: string): string | undefined {
  const m = new RegExp(`^(?:export )?${name}=(?:"([^"]*)"|'([^']*)'|([^\\s#]*))`, 'm').exec(readFileSync(file, 'utf8'));
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

// ---------------------------------------------------------------------------------------------- AWS

async function awsSetup(admin = false) {
  const old = newAwsKey('2020-01-01T00:00:00Z');
  const adminKey = newAwsKey();
  const aws = new FakeAws([
    { name: 'app', keys: [old] },
    { name: 'ops', admin: true, keys: [adminKey] },
  ]);
  const text = `# app settings\nexport AWS_ACCESS_KEY_ID=${old.id}\nAWS_SECRET_ACCESS_KEY="${old.secret}"  # prod\r\nREGION=eu-west-1\n`;
  const s = await setup({ aws: aws.handler() }, text, [
    [old.id, 'aws-access-key-id', 'aws'],
    [old.secret, 'aws-secret-access-key', 'aws'],
  ], admin ? { KEYWARDEN_AWS_ADMIN_ACCESS_KEY_ID: adminKey.id, KEYWARDEN_AWS_ADMIN_SECRET_ACCESS_KEY: adminKey.secret } : {});
  return { ...s, aws, old };
}

/** The env file holds a working key of the user; no other key of the user exists; never zero active keys. */
function awsInvariants(s: Awaited<ReturnType<typeof awsSetup>>, expect_: 'rotated' | 'original'): void {
  const keys = s.aws.user('app').keys;
  expect(s.aws.minActive.get('app')).toBeGreaterThanOrEqual(1);
  const id = envValue(s.envFile, 'AWS_ACCESS_KEY_ID');
  const secret = envValue(s.envFile, 'AWS_SECRET_ACCESS_KEY');
  const inFile = keys.find((k) => k.id === id);
  expect(inFile, 'the destination holds an existing key').toBeDefined();
  expect(inFile!.secret).toBe(secret);
  expect(inFile!.status).toBe('Active');
  if (expect_ === 'original') {
    expect(readFileSync(s.envFile, 'utf8')).toBe(s.original);
    expect(keys.map((k) => k.id)).toEqual([s.old.id]);
  } else {
    expect(id).not.toBe(s.old.id);
    expect(keys.map((k) => k.id)).toEqual([id]);
    // every other byte of the file as it was, permissions kept
    expect(readFileSync(s.envFile, 'utf8')).toBe(s.original.replace(s.old.id, id!).replace(s.old.secret, secret!));
    expect(statSync(s.envFile).mode & 0o777).toBe(0o640);
  }
}

describe('rotate: AWS IAM access keys', () => {
  it('creates, writes, verifies with STS, deactivates and then deletes the old key, acting with the key itself', async () => {
    const s = await awsSetup();
    const r = await rotateFinding(s.findings, options(s));
    expect(r.messages).toEqual([]);
    expect(r.status).toBe('done');
    awsInvariants(s, 'rotated');
    const actions = s.fakes.aws!.requests.map((q) => new URLSearchParams(q.body).get('Action'));
    expect(actions).toEqual(['GetCallerIdentity', 'ListAccessKeys', 'CreateAccessKey', 'GetCallerIdentity', 'UpdateAccessKey', 'DeleteAccessKey']);
    // the journal never held a secret
    const journal = readFileSync(r.journal, 'utf8');
    expect(journal).not.toContain(s.old.secret);
    expect(journal).not.toContain(envValue(s.envFile, 'AWS_SECRET_ACCESS_KEY')!);
    expect(statSync(r.journal).mode & 0o777).toBe(0o600);
  });

  it('keeps the old key inactive through the grace period; a re-run after it (or --finish) deletes it', async () => {
    const s = await awsSetup(true);
    const r = await rotateFinding(s.findings, options(s, { graceMs: 3_600_000 }));
    expect(r.status).toBe('waiting');
    expect(s.aws.user('app').keys.map((k) => k.status)).toEqual(['Inactive', 'Active']);
    const again = await rotateFinding(s.findings, options(s, { graceMs: 3_600_000 }));
    expect(again.status).toBe('waiting');
    const later = await rotateFinding(s.findings, options(s, { now: () => new Date(Date.now() + 2 * 3_600_000) }));
    expect(later.status).toBe('done');
    awsInvariants(s, 'rotated');
  });

  for (const step of STEPS) {
    it(`completes on a re-run after a crash after step "${step}"`, async () => {
      const s = await awsSetup();
      await expect(rotateFinding(s.findings, options(s, abortAt(step)))).rejects.toThrow(RotationAborted);
      expect(s.aws.minActive.get('app')).toBeGreaterThanOrEqual(1);
      const r = await rotateFinding(s.findings, options(s));
      expect(r.status, r.messages.join('; ')).toBe('done');
      awsInvariants(s, 'rotated');
    });
  }

  const callFaults: Array<[string, string, 'done' | 'failed-then-done' | 'rolled-back']> = [
    ['ListAccessKeys', 'prepare', 'failed-then-done'],
    ['CreateAccessKey', 'create', 'failed-then-done'],
    ['GetCallerIdentity#2', 'verify the new key', 'rolled-back'],
    ['UpdateAccessKey', 'deactivate the old key', 'failed-then-done'],
    ['DeleteAccessKey', 'delete the old key', 'failed-then-done'],
  ];
  for (const [action, what, outcome] of callFaults) {
    it(`${what}: ${action} failing ${outcome === 'rolled-back' ? 'rolls back to the old key' : 'stops the run; a re-run completes'}`, async () => {
      const s = await awsSetup();
      const [name, nth] = action.split('#');
      // the n-th call of that action fails (STS is called once before, for the old key)
      if (nth) s.aws.faults.add(name!, {});
      s.aws.faults.add(name!, { response: { status: name === 'GetCallerIdentity' ? 403 : 500, headers: { 'content-type': 'text/xml' }, body: `<ErrorResponse><Error><Code>${name === 'GetCallerIdentity' ? 'InvalidClientTokenId' : 'ServiceFailure'}</Code></Error></ErrorResponse>` } });
      if (nth) {
        // an empty fault means "answer normally": drop it on first use
        const take = s.aws.faults.take.bind(s.aws.faults);
        let first = true;
        s.aws.faults.take = (route: string) => {
          const f = take(route);
          if (route === name && first && f && !f.response && !f.hang) {
            first = false;
            return undefined;
          }
          return f;
        };
      }
      const r = await rotateFinding(s.findings, options(s));
      if (outcome === 'rolled-back') {
        expect(r.status).toBe('rolled-back');
        awsInvariants(s, 'original');
        return;
      }
      expect(r.status).toBe('failed');
      expect(r.messages.join(' ')).toMatch(new RegExp(`IAM ${name}: .*HTTP 500 \\(ServiceFailure\\)`));
      expect(s.aws.minActive.get('app')).toBeGreaterThanOrEqual(1);
      const again = await rotateFinding(s.findings, options(s));
      expect(again.status, again.messages.join('; ')).toBe('done');
      awsInvariants(s, 'rotated');
    });
  }

  it('a CreateAccessKey that went through but never answered (the run died) leaves an orphan key that the re-run deletes', async () => {
    const s = await awsSetup();
    s.aws.faults.add('CreateAccessKey', { hang: true, apply: true });
    const r = await rotateFinding(s.findings, options(s, { timeoutMs: 300 }));
    expect(r.status).toBe('failed');
    expect(r.step).toBe('creating');
    expect(s.aws.user('app').keys).toHaveLength(2);
    const again = await rotateFinding(s.findings, options(s));
    expect(again.status).toBe('done');
    expect(again.messages.join(' ')).toMatch(/deleting key AKIA\w+, created by the interrupted run but never stored/);
    awsInvariants(s, 'rotated');
  });

  it('a destination that cannot be written rolls back: the new key is deleted, the old one untouched', async () => {
    const s = await awsSetup();
    const r = await rotateFinding(s.findings, options(s, { target: 'env:no-such-dir/.env#AWS_SECRET_ACCESS_KEY' }));
    expect(r.status).toBe('rolled-back');
    expect(r.messages.join(' ')).toMatch(/writing env file .*no-such-dir\/\.env .* failed/);
    awsInvariants(s, 'original');
    // a later rotation starts afresh
    const again = await rotateFinding(s.findings, options(s));
    expect(again.status).toBe('done');
    awsInvariants(s, 'rotated');
  });

  it('refuses when the user already has two keys (the AWS limit), before creating anything', async () => {
    const s = await awsSetup();
    s.aws.user('app').keys.push(newAwsKey());
    const r = await rotateFinding(s.findings, options(s));
    expect(r.status).toBe('failed');
    expect(r.messages.join(' ')).toMatch(/already has 2 access keys/);
    expect(s.aws.user('app').keys).toHaveLength(2);
  });

  it('writes both parts to GitHub Actions secrets, sealed with the repository key; a failed PUT restores the old values and rolls back', async () => {
    const s0 = await awsSetup();
    const repoToken = `ghp_${randomChars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 36)}`;
    const gh = await new FakeGithub([], repoToken).init();
    const ghFake = await startFakes({ github: gh.handler() });
    closers.push(ghFake.close);
    const s = { ...s0, env: { ...s0.env, ...ghFake.env, GITHUB_TOKEN: repoToken } };
    gh.faults.add('put:AWS_ACCESS_KEY_ID', { response: { status: 500, body: { message: 'Server Error' } } });
    const failed = await rotateFinding(s.findings, options(s, { target: 'github-secret:acme/app#AWS_SECRET_ACCESS_KEY' }));
    expect(failed.status).toBe('rolled-back');
    expect(gh.secrets.get('AWS_SECRET_ACCESS_KEY')).toBe(s.old.secret);
    expect(gh.secrets.get('AWS_ACCESS_KEY_ID')).toBe(s.old.id);
    expect(s.aws.user('app').keys.map((k) => k.id)).toEqual([s.old.id]);

    const r = await rotateFinding(s.findings, options(s, { target: 'github-secret:acme/app#AWS_SECRET_ACCESS_KEY' }));
    expect(r.status, r.messages.join('; ')).toBe('done');
    const keys = s.aws.user('app').keys;
    expect(keys).toHaveLength(1);
    expect(gh.secrets.get('AWS_ACCESS_KEY_ID')).toBe(keys[0]!.id);
    expect(gh.secrets.get('AWS_SECRET_ACCESS_KEY')).toBe(keys[0]!.secret);
    expect(readFileSync(s.envFile, 'utf8')).toBe(s.original);
    for (const q of ghFake.fakes.github!.requests) expect(q.body).not.toContain(keys[0]!.secret);
  });
});

// ------------------------------------------------------------------------------------------- GitLab

async function gitlabSetup() {
  const gitlab = new FakeGitlab([FakeGitlab.token({ scopes: ['api'] })]);
  const old = gitlab.tokens[0]!;
  const text = `GITLAB_URL=https://gitlab.example.com\nGITLAB_TOKEN=${old.token}\n`;
  const s = await setup({ gitlab: gitlab.handler() }, text, [[old.token, 'gitlab-pat', 'gitlab']]);
  return { ...s, gitlab, old };
}

function gitlabInvariants(s: Awaited<ReturnType<typeof gitlabSetup>>): void {
  const active = s.gitlab.active();
  expect(active).toHaveLength(1);
  expect(envValue(s.envFile, 'GITLAB_TOKEN')).toBe(active[0]!.token);
  expect(readFileSync(s.envFile, 'utf8')).toBe(s.original.replace(s.old.token, active[0]!.token));
}

describe('rotate: GitLab personal access tokens (self-rotation)', () => {
  it('rotates with POST /personal_access_tokens/self/rotate, with an expiry, and stores the new token', async () => {
    const s = await gitlabSetup();
    const r = await rotateFinding(s.findings, options(s));
    expect(r.status).toBe('done');
    gitlabInvariants(s);
    expect(s.fakes.gitlab!.requests.find((q) => q.method === 'POST')!.path).toMatch(/\/rotate\?expires_at=\d{4}-\d{2}-\d{2}$/);
    expect(readFileSync(r.journal, 'utf8')).not.toContain(s.gitlab.active()[0]!.token);
  });

  for (const step of STEPS.filter((x) => x !== 'old-disabled')) {
    it(`completes on a re-run after a crash after step "${step}"`, async () => {
      const s = await gitlabSetup();
      await expect(rotateFinding(s.findings, options(s, abortAt(step)))).rejects.toThrow(RotationAborted);
      expect(s.gitlab.active()).toHaveLength(1);
      if (step === 'created') {
        // GitLab revoked the old token already: the journal (0600) is the only copy until the re-run stores it
        const file = join(s.dir, 'journal', `${s.fingerprint}.json`);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(readFileSync(file, 'utf8')).toContain(s.gitlab.active()[0]!.token);
      }
      const r = await rotateFinding(s.findings, options(s));
      expect(r.status, r.messages.join('; ')).toBe('done');
      gitlabInvariants(s);
      expect(readFileSync(r.journal, 'utf8')).not.toContain(s.gitlab.active()[0]!.token);
    });
  }

  it('a destination write failure keeps the new token (the old one is revoked) and a re-run stores it', async () => {
    const s = await gitlabSetup();
    const target = 'env:later/.env#GITLAB_TOKEN';
    const r = await rotateFinding(s.findings, options(s, { target }));
    expect(r.status).toBe('failed');
    expect(r.messages.join(' ')).toMatch(/revoked the old key when it issued the new one, so the new key is kept/);
    mkdirSync(join(s.dir, 'later'));
    const again = await rotateFinding(s.findings, options(s, { target }));
    expect(again.status).toBe('done');
    expect(envValue(join(s.dir, 'later', '.env'), 'GITLAB_TOKEN')).toBe(s.gitlab.active()[0]!.token);
  });

  it('a rotate call that went through but never answered is reported: GitLab revoked the old token, the new one was never seen', async () => {
    const s = await gitlabSetup();
    s.gitlab.faults.add('rotate', { hang: true, apply: true });
    const r = await rotateFinding(s.findings, options(s, { timeoutMs: 300 }));
    expect(r.status).toBe('failed');
    const again = await rotateFinding(s.findings, options(s));
    expect(again.status).toBe('failed');
    expect(again.messages.join(' ')).toMatch(/issued a new token and revoked the old one, but the run stopped before the new token was recorded/);
  });
});

// ----------------------------------------------------------------------------------------- SendGrid

async function sendgridSetup() {
  const sg = new FakeSendgrid([FakeSendgrid.key('marketing'), FakeSendgrid.key('app mailer')]);
  const old = sg.keys[1]!;
  const text = `SENDGRID_API_KEY='${old.secret}'\n`;
  const s = await setup({ sendgrid: sg.handler() }, text, [[old.secret, 'sendgrid-api-key', 'sendgrid']]);
  return { ...s, sg, old, other: sg.keys[0]!.id };
}

function sendgridInvariants(s: Awaited<ReturnType<typeof sendgridSetup>>): void {
  expect(s.sg.keys).toHaveLength(2);
  expect(s.sg.keys[0]!.id).toBe(s.other);
  const now = s.sg.keys[1]!;
  expect(now.id).not.toBe(s.old.id);
  expect(now.scopes).toEqual(s.old.scopes);
  expect(envValue(s.envFile, 'SENDGRID_API_KEY')).toBe(now.secret);
  expect(readFileSync(s.envFile, 'utf8')).toBe(`SENDGRID_API_KEY='${now.secret}'\n`);
}

describe('rotate: SendGrid API keys', () => {
  it('creates a key with the same scopes, verifies it, and deletes the old key by its own id', async () => {
    const s = await sendgridSetup();
    const r = await rotateFinding(s.findings, options(s));
    expect(r.status).toBe('done');
    sendgridInvariants(s);
  });

  for (const step of STEPS.filter((x) => x !== 'old-disabled')) {
    it(`completes on a re-run after a crash after step "${step}"`, async () => {
      const s = await sendgridSetup();
      await expect(rotateFinding(s.findings, options(s, abortAt(step)))).rejects.toThrow(RotationAborted);
      const r = await rotateFinding(s.findings, options(s));
      expect(r.status, r.messages.join('; ')).toBe('done');
      sendgridInvariants(s);
    });
  }

  for (const route of ['get', 'create', 'scopes', 'delete']) {
    it(`the ${route} call failing ${route === 'scopes' ? 'rolls back' : 'stops the run; a re-run completes'}`, async () => {
      const s = await sendgridSetup();
      s.sg.faults.add(route, { response: { status: route === 'scopes' ? 401 : 500, body: { errors: [{ field: null, message: 'injected' }] } } });
      const r = await rotateFinding(s.findings, options(s));
      if (route === 'scopes') {
        expect(r.status).toBe('rolled-back');
        expect(s.sg.keys.map((k) => k.id)).toEqual([s.other, s.old.id]);
        expect(readFileSync(s.envFile, 'utf8')).toBe(s.original);
        return;
      }
      expect(r.status).toBe('failed');
      const again = await rotateFinding(s.findings, options(s));
      expect(again.status, again.messages.join('; ')).toBe('done');
      sendgridInvariants(s);
    });
  }

  it('a create that went through but never answered: the re-run finds the key by its rotation name and deletes it', async () => {
    const s = await sendgridSetup();
    s.sg.faults.add('create', { hang: true, apply: true });
    expect((await rotateFinding(s.findings, options(s, { timeoutMs: 300 }))).status).toBe('failed');
    expect(s.sg.keys).toHaveLength(3);
    const r = await rotateFinding(s.findings, options(s));
    expect(r.status).toBe('done');
    sendgridInvariants(s);
  });
});

// ------------------------------------------------------------------------------------------- OpenAI

describe('rotate: OpenAI service account keys (admin key)', () => {
  async function openaiSetup() {
    const admin = `sk-admin-${randomChars('abcdefghijklmnopqrstuvwxyz0123456789', 40)}`;
    const oa = new FakeOpenai([admin], ['proj_x'], [FakeOpenai.key('proj_x', { type: 'service_account', id: 'svc_9' })]);
    const old = oa.keys[0]!;
    const text = `OPENAI_API_KEY=${old.value}\n`;
    const s = await setup({ openai: oa.handler() }, text, [[old.value, 'openai-service-account-api-key', 'openai']], { OPENAI_ADMIN_KEY: admin });
    return { ...s, oa, old };
  }

  it('is blocked without OPENAI_ADMIN_KEY', async () => {
    const s = await openaiSetup();
    const r = await rotateFinding(s.findings, options({ ...s, env: { ...s.env, OPENAI_ADMIN_KEY: '' } }));
    expect(r.status).toBe('blocked');
    expect(r.messages).toEqual(['OpenAI keys are rotated with an admin key: set OPENAI_ADMIN_KEY']);
  });

  for (const step of [undefined, ...STEPS.filter((x) => x !== 'old-disabled')]) {
    it(step ? `completes on a re-run after a crash after step "${step}"` : 'adds a key to the same service account, then deletes the old key', async () => {
      const s = await openaiSetup();
      if (step) await expect(rotateFinding(s.findings, options(s, abortAt(step)))).rejects.toThrow(RotationAborted);
      const r = await rotateFinding(s.findings, options(s));
      expect(r.status, r.messages.join('; ')).toBe('done');
      expect(s.oa.keys).toHaveLength(1);
      expect(s.oa.keys[0]!.owner).toEqual({ type: 'service_account', id: 'svc_9' });
      expect(envValue(s.envFile, 'OPENAI_API_KEY')).toBe(s.oa.keys[0]!.value);
    });
  }
});

// ---------------------------------------------------------------------------------------------- CLI

describe('keywarden rotate (CLI)', () => {
  it('prints the plan without --yes and changes nothing', async () => {
    const s = await awsSetup();
    const r = await runCliAsync(['rotate', '--report', 'report.json', '--fingerprint', s.fingerprint, '--target', 'env:.env'], { cwd: s.dir, env: { ...s.env, XDG_STATE_HOME: join(s.dir, 'state') } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Rotation plan \(dry run\) \(aws\)/);
    expect(r.stdout).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/ \(CreateAccessKey\) {2}\[as: the leaked key itself\]/);
    expect(r.stdout).toMatch(/PUT file:\/\/.*\.env {2}\[as: local file\] {2}write AWS_SECRET_ACCESS_KEY, AWS_ACCESS_KEY_ID/);
    expect(r.stdout).toMatch(/\(UpdateAccessKey\) {2}\[as: the new key\]/);
    expect(s.fakes.aws!.requests).toHaveLength(0);
    expect(r.stdout + r.stderr).not.toContain(s.old.secret);
  });

  it('survives being killed mid-rotation: the re-run deletes the orphan key and completes', async () => {
    const s = await awsSetup();
    const env = { ...process.env, ...s.env, XDG_STATE_HOME: join(s.dir, 'state'), NO_COLOR: '1' };
    s.aws.faults.add('CreateAccessKey', { hang: true, apply: true });
    const args = ['rotate', '--report', 'report.json', '--fingerprint', s.fingerprint, '--target', 'env:.env', '--yes', '--grace', '0', '--verify-timeout', '0'];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: s.dir, env, stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      const tick = setInterval(() => {
        if (s.fakes.aws!.requests.some((q) => q.body.includes('Action=CreateAccessKey'))) {
          clearInterval(tick);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(tick);
        reject(new Error('the CLI exited before it was killed'));
      });
    });
    await new Promise((r) => child.on('close', r));
    expect(s.aws.user('app').keys).toHaveLength(2);
    expect(readFileSync(s.envFile, 'utf8')).toBe(s.original);
    const journalFile = join(s.dir, 'state', 'keywarden', 'rotations', `${s.fingerprint}.json`);
    expect(existsSync(journalFile)).toBe(true);
    expect(JSON.parse(readFileSync(journalFile, 'utf8')).step).toBe('creating');
    const r = await runCliAsync(args, { cwd: s.dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Rotated: the new key is in place and the old key is gone/);
    awsInvariants(s, 'rotated');
  });
});
