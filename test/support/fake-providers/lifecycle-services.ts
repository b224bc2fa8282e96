// Stateful fakes for revoke, rotate and audit: each keeps its keys, answers the documented
// management calls with the documented status codes and bodies, and lets a test fail or hang any
// call by route (a hang can first apply the change, as a provider that did the work but whose
// answer never arrived). New secrets are generated at run time.
import aws4 from 'aws4';
import { randomBytes, randomInt } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { bearerOf, type FakeHandler, type FakeRequest, type FakeResponse } from './server.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomChars(alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** A fault for the next call of a route: a response instead of the real one, or a hang. */
export interface Fault {
  response?: FakeResponse;
  /** Never answer; with apply, make the change first. */
  hang?: boolean;
  apply?: boolean;
}

/** Faults by route name, served once each, in order. */
export class Faults {
  private readonly queue = new Map<string, Fault[]>();
  readonly seen: string[] = [];
  add(route: string, fault: Fault): void {
    this.queue.set(route, [...(this.queue.get(route) ?? []), fault]);
  }
  take(route: string): Fault | undefined {
    this.seen.push(route);
    const q = this.queue.get(route);
    return q?.shift();
  }
  /** Wraps a route: a fault's response, or a hang (after applying when asked), else the real answer. */
  run(route: string, apply: () => FakeResponse): FakeResponse {
    const f = this.take(route);
    if (!f) return apply();
    if (f.hang) {
      if (f.apply) apply();
      return { status: 599, hang: true };
    }
    if (f.apply) apply();
    return f.response!;
  }
}

// ---------------------------------------------------------------------------------------------- AWS

export interface FakeAwsKey {
  id: string;
  secret: string;
  status: 'Active' | 'Inactive';
  created: string;
  lastUsed?: string;
}

export interface FakeAwsUser {
  name: string;
  admin?: boolean;
  keys: FakeAwsKey[];
}

function awsError(status: number, code: string, message: string, service: 'iam' | 'sts' = 'iam'): FakeResponse {
  const ns = service === 'iam' ? 'https://iam.amazonaws.com/doc/2010-05-08/' : 'https://sts.amazonaws.com/doc/2011-06-15/';
  return { status, headers: { 'content-type': 'text/xml' }, body: `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-0</RequestId></ErrorResponse>` };
}

function xml(action: string, inner: string): FakeResponse {
  const ns = action === 'GetCallerIdentity' ? 'https://sts.amazonaws.com/doc/2011-06-15/' : 'https://iam.amazonaws.com/doc/2010-05-08/';
  return { status: 200, headers: { 'content-type': 'text/xml' }, body: `<${action}Response xmlns="${ns}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>` };
}

export function newAwsKey(created = new Date().toISOString()): FakeAwsKey {
  return { id: `AKIA${randomChars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`, secret: randomChars(`${ALNUM}/+`, 40), status: 'Active', created };
}

/** IAM (access keys) and STS GetCallerIdentity on one server, SigV4 checked for real. */
export class FakeAws {
  readonly faults = new Faults();
  /** Lowest number of active keys a user had after any change (the "never both disabled" check). */
  readonly minActive = new Map<string, number>();
  constructor(readonly users: FakeAwsUser[]) {
    for (const u of users) this.minActive.set(u.name, u.keys.filter((k) => k.status === 'Active').length);
  }

  user(name: string): FakeAwsUser {
    return this.users.find((u) => u.name === name)!;
  }

  private track(u: FakeAwsUser): void {
    this.minActive.set(u.name, Math.min(this.minActive.get(u.name) ?? Infinity, u.keys.filter((k) => k.status === 'Active').length));
  }

  handler(): FakeHandler {
    return (req) => this.handle(req);
  }

  private handle(req: FakeRequest): FakeResponse {
    if (req.method !== 'POST' || req.path !== '/') return awsError(404, 'NotFound', 'no such route');
    const params = new URLSearchParams(req.body);
    const action = params.get('Action') ?? '';
    const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
    const service = action === 'GetCallerIdentity' ? 'sts' : 'iam';
    if (!auth) return awsError(400, 'MissingAuthenticationToken', 'Request is missing Authentication Token', service);
    const [, keyId, , region, signedService, signedHeaders] = auth;
    if (signedService !== service) return awsError(400, 'SignatureDoesNotMatch', 'Credential should be scoped to correct service', service);
    const owner = this.users.find((u) => u.keys.some((k) => k.id === keyId));
    const key = owner?.keys.find((k) => k.id === keyId);
    if (!owner || !key || key.status !== 'Active') return awsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.', service);
    const headers: Record<string, string> = {};
    for (const name of signedHeaders!.split(';')) headers[name] = req.headers[name] ?? '';
    const resigned = aws4.sign({ host: req.headers.host, path: req.path, method: req.method, headers, body: req.body, service, region }, { accessKeyId: key.id, secretAccessKey: key.secret });
    const expected = String((resigned.headers as Record<string, unknown>).Authorization ?? (resigned.headers as Record<string, unknown>).authorization);
    if (expected !== req.headers.authorization) return awsError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', service);
    key.lastUsed = new Date().toISOString();
    return this.faults.run(action, () => this.act(action, params, owner));
  }

  private act(action: string, params: URLSearchParams, caller: FakeAwsUser): FakeResponse {
    if (action === 'GetCallerIdentity') return xml(action, `<Arn>arn:aws:iam::123456789012:user/${caller.name}</Arn><UserId>AIDA${caller.name.toUpperCase()}</UserId><Account>123456789012</Account>`);
    const userName = params.get('UserName') ?? undefined;
    if (userName && userName !== caller.name && !caller.admin) return awsError(403, 'AccessDenied', `User: ${caller.name} is not authorized to perform: iam:${action}`);
    const target = userName ? this.users.find((u) => u.name === userName) : caller;
    if (!target) return awsError(404, 'NoSuchEntity', `The user with name ${userName} cannot be found.`);
    const keyId = params.get('AccessKeyId') ?? '';
    const find = (): FakeAwsKey | undefined => target.keys.find((k) => k.id === keyId);
    switch (action) {
      case 'ListAccessKeys':
        return xml(action, `<UserName>${target.name}</UserName><AccessKeyMetadata>${target.keys.map((k) => `<member><UserName>${target.name}</UserName><AccessKeyId>${k.id}</AccessKeyId><Status>${k.status}</Status><CreateDate>${k.created}</CreateDate></member>`).join('')}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`);
      case 'CreateAccessKey': {
        if (target.keys.length >= 2) return { ...awsError(409, 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2') };
        const k = newAwsKey();
        target.keys.push(k);
        return xml(action, `<AccessKey><UserName>${target.name}</UserName><AccessKeyId>${k.id}</AccessKeyId><Status>Active</Status><SecretAccessKey>${k.secret}</SecretAccessKey><CreateDate>${k.created}</CreateDate></AccessKey>`);
      }
      case 'UpdateAccessKey': {
        const k = find();
        if (!k) return awsError(404, 'NoSuchEntity', `The Access Key with id ${keyId} cannot be found.`);
        const status = params.get('Status');
        if (status !== 'Active' && status !== 'Inactive') return awsError(400, 'ValidationError', 'bad status');
        k.status = status;
        this.track(target);
        return xml(action, '');
      }
      case 'DeleteAccessKey': {
        const k = find();
        if (!k) return awsError(404, 'NoSuchEntity', `The Access Key with id ${keyId} cannot be found.`);
        target.keys.splice(target.keys.indexOf(k), 1);
        this.track(target);
        return xml(action, '');
      }
      case 'GetAccessKeyLastUsed': {
        const owner = this.users.find((u) => u.keys.some((k) => k.id === keyId));
        if (!owner || (owner !== caller && !caller.admin)) return awsError(403, 'AccessDenied', 'not authorized');
        const k = owner.keys.find((x) => x.id === keyId)!;
        return xml(action, `<UserName>${owner.name}</UserName><AccessKeyLastUsed>${k.lastUsed ? `<LastUsedDate>${k.lastUsed}</LastUsedDate><ServiceName>s3</ServiceName><Region>us-east-1</Region>` : '<ServiceName>N/A</ServiceName><Region>N/A</Region>'}</AccessKeyLastUsed>`);
      }
      default:
        return awsError(400, 'InvalidAction', `${action} is not faked`);
    }
  }
}

// ------------------------------------------------------------------------------------------- GitLab

export interface FakeGitlabToken {
  id: number;
  token: string;
  userId: number;
  active: boolean;
  revoked: boolean;
  scopes: string[];
  created: string;
  expires: string | null;
  lastUsed: string | null;
}

export class FakeGitlab {
  readonly faults = new Faults();
  private nextId = 100;
  constructor(readonly tokens: FakeGitlabToken[]) {}

  static token(opts: Partial<FakeGitlabToken> = {}): FakeGitlabToken {
    return { id: randomInt(1, 99), token: `glpat-${randomChars(`${ALNUM}_-`, 20)}`, userId: 42, active: true, revoked: false, scopes: ['api'], created: new Date().toISOString(), expires: null, lastUsed: null, ...opts };
  }

  active(): FakeGitlabToken[] {
    return this.tokens.filter((t) => t.active);
  }

  private body(t: FakeGitlabToken): Record<string, unknown> {
    return { id: t.id, name: 'deploy', revoked: t.revoked, created_at: t.created, scopes: t.scopes, user_id: t.userId, last_used_at: t.lastUsed, active: t.active, expires_at: t.expires };
  }

  handler(): FakeHandler {
    return (req) => {
      const t = this.tokens.find((x) => x.token === req.headers['private-token']);
      const path = req.path.split('?')[0];
      const unauthorized: FakeResponse = { status: 401, body: { message: '401 Unauthorized' } };
      if (path === '/api/v4/personal_access_tokens/self' && req.method === 'GET') {
        return this.faults.run('get', () => (!t || !t.active ? unauthorized : { status: 200, body: this.body(t) }));
      }
      if (path === '/api/v4/personal_access_tokens/self' && req.method === 'DELETE') {
        return this.faults.run('delete', () => {
          if (!t || !t.active) return unauthorized;
          t.active = false;
          t.revoked = true;
          return { status: 204 };
        });
      }
      if (path === '/api/v4/personal_access_tokens/self/rotate' && req.method === 'POST') {
        return this.faults.run('rotate', () => {
          if (!t || !t.active) return unauthorized;
          if (!t.scopes.includes('api') && !t.scopes.includes('self_rotate')) return { status: 403, body: { message: '403 Forbidden' } };
          const expires = new URLSearchParams(req.path.split('?')[1] ?? '').get('expires_at');
          t.active = false;
          t.revoked = true;
          const n: FakeGitlabToken = { ...FakeGitlab.token({ userId: t.userId, scopes: t.scopes }), id: this.nextId++, expires: expires ?? new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10) };
          this.tokens.push(n);
          return { status: 200, body: { ...this.body(n), token: n.token } };
        });
      }
      return { status: 404, body: { message: '404 Not Found' } };
    };
  }
}

// ----------------------------------------------------------------------------------------- SendGrid

export interface FakeSendgridKey {
  id: string;
  secret: string;
  name: string;
  scopes: string[];
}

export class FakeSendgrid {
  readonly faults = new Faults();
  constructor(readonly keys: FakeSendgridKey[]) {}

  static key(name: string, scopes = ['mail.send', 'api_keys.create', 'api_keys.read', 'api_keys.update', 'api_keys.delete']): FakeSendgridKey {
    const id = randomChars(`${ALNUM}_-`, 22);
    return { id, secret: `SG.${id}.${randomChars(`${ALNUM}_-`, 43)}`, name, scopes };
  }

  handler(): FakeHandler {
    return (req) => {
      const caller = this.keys.find((k) => k.secret === bearerOf(req));
      const unauthorized: FakeResponse = { status: 401, body: { errors: [{ field: null, message: 'authorization required' }] } };
      const forbidden: FakeResponse = { status: 403, body: { errors: [{ field: null, message: 'access forbidden' }] } };
      const path = req.path.split('?')[0]!;
      const m = /^\/v3\/api_keys\/([^/]+)$/.exec(path);
      if (path === '/v3/scopes' && req.method === 'GET') return this.faults.run('scopes', () => (caller ? { status: 200, body: { scopes: caller.scopes } } : unauthorized));
      if (!caller) return unauthorized;
      const may = (s: string): boolean => caller.scopes.includes(s);
      if (path === '/v3/api_keys' && req.method === 'GET') return this.faults.run('list', () => (may('api_keys.read') ? { status: 200, body: { result: this.keys.map((k) => ({ api_key_id: k.id, name: k.name })) } } : forbidden));
      if (path === '/v3/api_keys' && req.method === 'POST') {
        return this.faults.run('create', () => {
          if (!may('api_keys.create')) return forbidden;
          const body = JSON.parse(req.body || '{}') as { name?: string; scopes?: string[] };
          if (!body.name) return { status: 400, body: { errors: [{ field: 'name', message: 'missing required argument' }] } };
          const k = FakeSendgrid.key(body.name, body.scopes ?? ['mail.send']);
          this.keys.push(k);
          return { status: 201, body: { api_key: k.secret, api_key_id: k.id, name: k.name, scopes: k.scopes } };
        });
      }
      if (m && req.method === 'GET') {
        return this.faults.run('get', () => {
          if (!may('api_keys.read')) return forbidden;
          const k = this.keys.find((x) => x.id === m[1]);
          return k ? { status: 200, body: { api_key_id: k.id, name: k.name, scopes: k.scopes } } : { status: 404, body: { errors: [{ field: null, message: 'unable to find API Key' }] } };
        });
      }
      if (m && req.method === 'DELETE') {
        return this.faults.run('delete', () => {
          if (!may('api_keys.delete')) return forbidden;
          const i = this.keys.findIndex((x) => x.id === m[1]);
          if (i === -1) return { status: 404, body: { errors: [{ field: null, message: 'unable to find API Key' }] } };
          this.keys.splice(i, 1);
          return { status: 204 };
        });
      }
      return { status: 404, body: { errors: [{ field: null, message: 'not found' }] } };
    };
  }
}

// ------------------------------------------------------------------------------------------- OpenAI

export interface FakeOpenaiKey {
  id: string;
  value: string;
  name: string;
  projectId: string;
  owner: { type: 'user' | 'service_account'; id: string };
}

function redacted(v: string): string {
  return `${v.slice(0, 8)}...${v.slice(-4)}`;
}

export class FakeOpenai {
  readonly faults = new Faults();
  constructor(
    readonly adminKeys: string[],
    readonly projects: string[],
    readonly keys: FakeOpenaiKey[],
  ) {}

  static key(projectId: string, owner: FakeOpenaiKey['owner'], name = 'app'): FakeOpenaiKey {
    return { id: `key_${randomChars(ALNUM, 16)}`, value: `sk-svcacct-${randomChars(`${ALNUM}_-`, 48)}`, name, projectId, owner };
  }

  handler(): FakeHandler {
    return (req) => {
      const token = bearerOf(req);
      const path = req.path.split('?')[0]!;
      const unauthorized: FakeResponse = { status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } };
      if (path === '/v1/models' && req.method === 'GET') return this.faults.run('models', () => (this.keys.some((k) => k.value === token) ? { status: 200, body: { object: 'list', data: [{ id: 'gpt-fake' }] } } : unauthorized));
      if (!token || !this.adminKeys.includes(token)) return unauthorized;
      const list = (data: unknown[]): FakeResponse => ({ status: 200, body: { object: 'list', data, first_id: null, last_id: null, has_more: false } });
      if (path === '/v1/organization/projects' && req.method === 'GET') return this.faults.run('projects', () => list(this.projects.map((id) => ({ id, object: 'organization.project', name: id, status: 'active' }))));
      let m = /^\/v1\/organization\/projects\/([^/]+)\/api_keys$/.exec(path);
      if (m && req.method === 'GET') {
        const pid = m[1]!;
        return this.faults.run('keys', () =>
          list(this.keys.filter((k) => k.projectId === pid).map((k) => ({ object: 'organization.project.api_key', id: k.id, name: k.name, redacted_value: redacted(k.value), created_at: 1711471533, owner: { type: k.owner.type, [k.owner.type]: { id: k.owner.id, name: 'x' } } }))),
        );
      }
      m = /^\/v1\/organization\/projects\/([^/]+)\/service_accounts\/([^/]+)\/api_keys$/.exec(path);
      if (m && req.method === 'POST') {
        const [pid, sa] = [m[1]!, m[2]!];
        return this.faults.run('create', () => {
          const body = JSON.parse(req.body || '{}') as { name?: string };
          const k = FakeOpenai.key(pid, { type: 'service_account', id: sa }, body.name ?? 'key');
          this.keys.push(k);
          return { status: 200, body: { object: 'organization.project.service_account.api_key', id: k.id, name: k.name, value: k.value, created_at: 1711471533 } };
        });
      }
      m = /^\/v1\/organization\/projects\/([^/]+)\/api_keys\/([^/]+)$/.exec(path);
      if (m && req.method === 'DELETE') {
        const [pid, kid] = [m[1]!, m[2]!];
        return this.faults.run('delete', () => {
          const i = this.keys.findIndex((k) => k.projectId === pid && k.id === kid);
          if (i === -1) return { status: 404, body: { error: { message: 'not found' } } };
          this.keys.splice(i, 1);
          return { status: 200, body: { object: 'organization.project.api_key.deleted', id: kid, deleted: true } };
        });
      }
      return { status: 404, body: { error: { message: 'not found' } } };
    };
  }
}

// ------------------------------------------------------------------------------------------- GitHub

/** GitHub: credential revocation (unauthenticated, 60 an hour), /user, and Actions secrets sealed with a real key pair. */
export class FakeGithub {
  readonly faults = new Faults();
  readonly revoked: string[] = [];
  revokeRequests = 0;
  /** Secret name -> plaintext, decrypted with the repository's private key. */
  readonly secrets = new Map<string, string>();
  private keyPair?: { publicKey: Uint8Array; privateKey: Uint8Array };
  constructor(
    readonly users: Array<{ token: string; login: string; scopes: string; expires?: string }>,
    readonly repoToken?: string,
  ) {}

  async init(): Promise<this> {
    await sodium.ready;
    this.keyPair = sodium.crypto_box_keypair();
    return this;
  }

  handler(): FakeHandler {
    return (req) => {
      const path = req.path.split('?')[0]!;
      if (path === '/credentials/revoke' && req.method === 'POST') {
        return this.faults.run('revoke', () => {
          if (req.headers.authorization) return { status: 403, body: { message: 'Must not be authenticated' } };
          this.revokeRequests++;
          const reset = String(Math.floor(Date.now() / 1000) + 3600);
          const remaining = 60 - this.revokeRequests;
          if (remaining < 0) return { status: 429, headers: { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, body: { message: 'API rate limit exceeded' } };
          const body = JSON.parse(req.body || '{}') as { credentials?: unknown };
          if (!Array.isArray(body.credentials) || body.credentials.length === 0 || body.credentials.length > 1000) return { status: 422, body: { message: 'Validation Failed' } };
          this.revoked.push(...(body.credentials as string[]));
          return { status: 202, headers: { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': reset }, body: {} };
        });
      }
      const token = bearerOf(req);
      if (path === '/user' && req.method === 'GET') {
        const u = this.users.find((x) => x.token === token && !this.revoked.includes(x.token));
        if (!u) return { status: 401, body: { message: 'Bad credentials' } };
        return { status: 200, headers: { 'x-oauth-scopes': u.scopes, ...(u.expires ? { 'github-authentication-token-expiration': u.expires } : {}) }, body: { login: u.login, id: 1, type: 'User' } };
      }
      const m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/secrets\/(public-key|[A-Za-z_][A-Za-z0-9_]*)$/.exec(path);
      if (m) {
        if (!this.repoToken || token !== this.repoToken) return { status: 401, body: { message: 'Bad credentials' } };
        if (m[3] === 'public-key' && req.method === 'GET') {
          return this.faults.run('public-key', () => ({ status: 200, body: { key_id: '568250167242549743', key: sodium.to_base64(this.keyPair!.publicKey, sodium.base64_variants.ORIGINAL) } }));
        }
        if (req.method === 'PUT') {
          const name = m[3]!;
          return this.faults.run(`put:${name}`, () => {
            const body = JSON.parse(req.body || '{}') as { encrypted_value?: string; key_id?: string };
            if (body.key_id !== '568250167242549743' || !body.encrypted_value) return { status: 422, body: { message: 'Validation Failed' } };
            const plain = sodium.crypto_box_seal_open(sodium.from_base64(body.encrypted_value, sodium.base64_variants.ORIGINAL), this.keyPair!.publicKey, this.keyPair!.privateKey);
            const existed = this.secrets.has(name);
            this.secrets.set(name, sodium.to_string(plain));
            return { status: existed ? 204 : 201 };
          });
        }
      }
      return { status: 404, body: { message: 'Not Found' } };
    };
  }
}

// ------------------------------------------------------------------------ small revocation endpoints

/** Slack auth.revoke, npm token deletion, DigitalOcean OAuth revoke, Heroku authorizations, Anthropic admin keys. */
export function fakeSlackRevoke(live: Set<string>): FakeHandler {
  return (req) => {
    if (req.method !== 'POST' || req.path !== '/api/auth.revoke') return { status: 404, body: { ok: false, error: 'unknown_method' } };
    const t = bearerOf(req);
    if (!t || !live.has(t)) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    live.delete(t);
    return { status: 200, body: { ok: true, revoked: true } };
  };
}

export function fakeNpmTokens(live: Set<string>): FakeHandler {
  return (req) => {
    const m = /^\/-\/npm\/v1\/tokens\/token\/(.+)$/.exec(req.path);
    if (!m || req.method !== 'DELETE') return { status: 404, body: { error: 'not found' } };
    const t = bearerOf(req);
    if (!t || !live.has(t)) return { status: 401, body: { error: 'You must be logged in' } };
    if (decodeURIComponent(m[1]!) !== t) return { status: 404, body: { error: 'token not found' } };
    live.delete(t);
    return { status: 204 };
  };
}

export function fakeDigitaloceanRevoke(live: Set<string>): FakeHandler {
  return (req) => {
    if (req.method !== 'POST' || req.path !== '/v1/oauth/revoke') return { status: 404, body: { id: 'not_found' } };
    const t = bearerOf(req);
    const body = new URLSearchParams(req.body);
    if (!t || !live.has(t)) return { status: 401, body: { id: 'unauthorized', message: 'Unable to authenticate you' } };
    if (body.get('token') !== t) return { status: 400, body: { id: 'bad_request' } };
    live.delete(t);
    return { status: 200, body: {} };
  };
}

export function fakeHeroku(auths: Array<{ id: string; token: string }>): FakeHandler {
  return (req) => {
    if (!/version=3/.test(req.headers.accept ?? '')) return { status: 400, body: { id: 'bad_request', message: 'Accept header must request version 3' } };
    const t = bearerOf(req);
    if (!t || !auths.some((a) => a.token === t)) return { status: 401, body: { id: 'unauthorized', message: 'Invalid credentials provided.' } };
    if (req.path === '/oauth/authorizations' && req.method === 'GET') {
      // tokens of other authorizations are not shown
      return { status: 200, body: auths.map((a) => ({ id: a.id, description: 'x', access_token: a.token === t ? { id: randomBytes(4).toString('hex'), token: a.token, expires_in: null } : null })) };
    }
    const m = /^\/oauth\/authorizations\/([^/]+)$/.exec(req.path);
    if (m && req.method === 'DELETE') {
      const i = auths.findIndex((a) => a.id === m[1]);
      if (i === -1) return { status: 404, body: { id: 'not_found' } };
      const [gone] = auths.splice(i, 1);
      return { status: 200, body: { id: gone!.id } };
    }
    return { status: 404, body: { id: 'not_found' } };
  };
}

export function fakeAnthropicAdmin(admin: string, keys: Array<{ id: string; value: string; status: string }>): FakeHandler {
  return (req) => {
    if (req.headers['anthropic-version'] !== '2023-06-01') return { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version header is required' } } };
    if (req.headers['x-api-key'] !== admin) return { status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } };
    const path = req.path.split('?')[0]!;
    if (path === '/v1/organizations/api_keys' && req.method === 'GET') {
      return { status: 200, body: { data: keys.map((k) => ({ id: k.id, type: 'api_key', name: 'k', status: k.status, partial_key_hint: `${k.value.slice(0, 16)}...${k.value.slice(-4)}`, created_at: '2024-10-30T23:58:27.427722Z', workspace_id: null })), has_more: false, first_id: keys[0]?.id ?? null, last_id: keys.at(-1)?.id ?? null } };
    }
    const m = /^\/v1\/organizations\/api_keys\/([^/]+)$/.exec(path);
    if (m && req.method === 'POST') {
      const k = keys.find((x) => x.id === m[1]);
      if (!k) return { status: 404, body: { type: 'error', error: { type: 'not_found_error', message: 'not found' } } };
      const body = JSON.parse(req.body || '{}') as { status?: string };
      if (body.status) k.status = body.status;
      return { status: 200, body: { id: k.id, type: 'api_key', status: k.status } };
    }
    return { status: 404, body: { type: 'error', error: { type: 'not_found_error', message: 'not found' } } };
  };
}
