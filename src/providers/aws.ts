// AWS: STS GetCallerIdentity, signed with SigV4 (aws4). It needs no IAM permission and changes
// nothing. An access key ID and its secret key are two findings: they pair by proximity.
import aws4 from 'aws4';
import { AWS_ADMIN, awsDescribe, awsRevoke, awsRotator } from './aws-lifecycle.js';
import { outcomeOf } from './outcome.js';
import type { Credential, PartnerSpec, Provider, ProviderContext, VerifyOutcome } from './types.js';

const SECRET_RULES = ['aws-secret-access-key', 'aws-credentials-file-secret'];
const ACCESS_KEY_ID: PartnerSpec = {
  part: 'accessKeyId',
  ruleIds: ['aws-access-key-id'],
  // an access key ID is an identifier, not a secret: it may sit in the file without a finding
  pattern: /\b((?:AKIA|ASIA)[A-Z2-7]{16})\b/,
  label: 'AWS access key ID',
};
const SECRET_KEY: PartnerSpec = { part: 'secret', ruleIds: SECRET_RULES, label: 'AWS secret access key' };
const SESSION_TOKEN: PartnerSpec = { part: 'sessionToken', ruleIds: ['aws-session-token'], required: false, label: 'AWS session token' };
const BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

function xmlTag(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]{1,256})</${tag}>`).exec(xml)?.[1];
}

export const awsProvider: Provider = {
  id: 'aws',
  name: 'AWS',
  defaultEndpoint: 'https://sts.amazonaws.com',
  rules: {
    'aws-secret-access-key': { partners: [ACCESS_KEY_ID, SESSION_TOKEN] },
    'aws-credentials-file-secret': { partners: [ACCESS_KEY_ID, SESSION_TOKEN] },
    'aws-access-key-id': { self: 'accessKeyId', partners: [SECRET_KEY, SESSION_TOKEN] },
    'aws-session-token': { self: 'sessionToken', partners: [SECRET_KEY, ACCESS_KEY_ID] },
  },
  unverifiable: {
    'aws-bedrock-api-key-long-term': 'Bedrock API keys have no read-only identity call',
    'aws-bedrock-api-key-short-term': 'Bedrock API keys have no read-only identity call',
  },
  credentialsNeeded: {
    verify: [
      { kind: 'leaked', description: 'the secret access key' },
      { kind: 'partner', description: 'its access key ID (and session token for ASIA keys), from the same file' },
    ],
    revoke: [
      { kind: 'admin', env: AWS_ADMIN.env, description: 'an IAM admin credential (KEYWARDEN_AWS_ADMIN_ACCESS_KEY_ID / _SECRET_ACCESS_KEY), else the leaked key itself (deactivate only)' },
    ],
    rotate: [
      { kind: 'admin', env: AWS_ADMIN.env, description: 'an IAM admin credential, else the leaked key itself with iam:*AccessKey* on its own user' },
    ],
    describe: [{ kind: 'admin', env: AWS_ADMIN.env, description: 'an IAM admin credential, else the key itself with iam:GetAccessKeyLastUsed and iam:ListAccessKeys' }],
  },
  admin: AWS_ADMIN,
  revoke(cred, ctx, opts) {
    return awsRevoke(this, cred, ctx, opts);
  },
  describe(cred, ctx) {
    return awsDescribe(this, cred, ctx);
  },
  get rotation() {
    return awsRotator(this);
  },
  async verify(cred: Credential, ctx: ProviderContext): Promise<VerifyOutcome> {
    const accessKeyId = cred.parts.accessKeyId!;
    const sessionToken = cred.parts.sessionToken;
    if (accessKeyId.startsWith('ASIA') && !sessionToken) {
      return { status: 'unknown', evidence: { reason: 'a temporary (ASIA) key needs its session token, and none was found near it' } };
    }
    const res = await ctx.http.request({
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: BODY,
      sign: (url, req) => {
        const signed = aws4.sign(
          { host: url.host, path: url.pathname + url.search, method: req.method, headers: { ...req.headers }, body: req.body, service: 'sts', region: 'us-east-1' },
          { accessKeyId, secretAccessKey: cred.secret, ...(sessionToken ? { sessionToken } : {}) },
        );
        return Object.fromEntries(Object.entries(signed.headers ?? {}).map(([k, v]) => [k, String(v)]));
      },
    });
    const out = outcomeOf(res, {
      invalid: [403],
      restricted: [],
      identity: (r) => ({ arn: xmlTag(r.text, 'Arn') ?? '', account: xmlTag(r.text, 'Account') ?? '' }),
    });
    if (out.status === 'invalid' || (res.status === 400 && /ExpiredToken/.test(res.text))) {
      const code = xmlTag(res.text, 'Code');
      return { status: 'invalid', evidence: { ...out.evidence, reason: `STS rejected the key pair${code ? ` (${code})` : ''}` } };
    }
    return out;
  },
};
