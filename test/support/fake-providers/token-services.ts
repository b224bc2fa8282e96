// Fakes for the single-token providers, each answering its documented identity request with its
// documented status codes and bodies. `live` keys succeed, `restricted` keys get the provider's
// live-but-forbidden answer, anything else is rejected the way the provider rejects it.
import { basicOf, bearerOf, type FakeHandler, type FakeRequest, type FakeResponse } from './server.js';

export interface TokenBook {
  live?: string[];
  restricted?: string[];
}

const NOT_FOUND: FakeResponse = { status: 404, body: { message: 'Not Found' } };

function classify(book: TokenBook, token: string | undefined): 'live' | 'restricted' | 'invalid' {
  if (token !== undefined && book.live?.includes(token)) return 'live';
  if (token !== undefined && book.restricted?.includes(token)) return 'restricted';
  return 'invalid';
}

function route(method: string, path: string, req: FakeRequest): boolean {
  return req.method === method && req.path === path;
}

export function fakeGithub(book: TokenBook): FakeHandler {
  return (req) => {
    const kind = classify(book, bearerOf(req));
    if (route('GET', '/user', req)) {
      if (kind === 'invalid') return { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } };
      if (kind === 'restricted') return { status: 403, body: { message: 'Resource not accessible by personal access token' } };
      return {
        status: 200,
        headers: { 'x-oauth-scopes': 'repo, read:org', 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) },
        body: { login: 'octo-fake', id: 1, type: 'User' },
      };
    }
    if (route('GET', '/installation/repositories?per_page=1', req)) {
      if (kind === 'invalid') return { status: 401, body: { message: 'Bad credentials' } };
      return { status: 200, body: { total_count: 3, repositories: [] } };
    }
    return NOT_FOUND;
  };
}

export function fakeGitlab(book: TokenBook & { revoked?: string[] }): FakeHandler {
  return (req) => {
    if (route('GET', '/api/v4/personal_access_tokens/self', req)) {
      const token = req.headers['private-token'];
      if (token && book.revoked?.includes(token)) return { status: 200, body: { id: 9, name: 'ci', revoked: true, active: false, scopes: ['api'] } };
      const kind = classify(book, token);
      if (kind === 'invalid') return { status: 401, body: { message: '401 Unauthorized' } };
      if (kind === 'restricted') return { status: 403, body: { message: '403 Forbidden' } };
      return { status: 200, body: { id: 7, name: 'deploy bot', revoked: false, active: true, scopes: ['read_api', 'read_repository'], user_id: 42, expires_at: '2031-01-01' } };
    }
    if (route('GET', '/api/v4/job', req)) {
      const kind = classify(book, req.headers['job-token']);
      if (kind === 'invalid') return { status: 401, body: { message: '401 Unauthorized' } };
      return { status: 200, body: { id: 1234, status: 'running' } };
    }
    return NOT_FOUND;
  };
}

export function fakeSlack(book: TokenBook): FakeHandler {
  return (req) => {
    if (!route('POST', '/api/auth.test', req)) return NOT_FOUND;
    const token = bearerOf(req);
    const kind = classify(book, token);
    // Slack answers 200 either way; ok:false carries the error
    if (kind === 'invalid') return { status: 200, body: { ok: false, error: token ? 'invalid_auth' : 'not_authed' } };
    return { status: 200, headers: { 'x-oauth-scopes': 'chat:write,channels:read' }, body: { ok: true, url: 'https://fake.slack.com/', team: 'Fake Team', user: 'fakebot', team_id: 'T000', user_id: 'U000' } };
  };
}

export function fakeStripe(book: TokenBook): FakeHandler {
  return (req) => {
    if (!route('GET', '/v1/account', req)) return NOT_FOUND;
    const kind = classify(book, bearerOf(req));
    if (kind === 'invalid') return { status: 401, body: { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } } };
    if (kind === 'restricted') {
      return { status: 403, body: { error: { type: 'invalid_request_error', message: 'The provided key does not have the required permissions for this endpoint' } } };
    }
    return { status: 200, body: { id: 'acct_fake', object: 'account' } };
  };
}

export function fakeOpenai(book: TokenBook): FakeHandler {
  return (req) => {
    const kind = classify(book, bearerOf(req));
    if (route('GET', '/v1/models', req) || route('GET', '/v1/organization/projects?limit=1', req)) {
      if (kind === 'invalid') return { status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } };
      if (kind === 'restricted') return { status: 403, body: { error: { message: 'You have insufficient permissions for this operation.' } } };
      return { status: 200, headers: { 'openai-organization': 'org-fake' }, body: { object: 'list', data: [{ id: req.path.includes('projects') ? 'proj_fake' : 'gpt-fake' }] } };
    }
    return NOT_FOUND;
  };
}

export function fakeAnthropic(book: TokenBook): FakeHandler {
  return (req) => {
    if (req.headers['anthropic-version'] !== '2023-06-01') return { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version header is required' } } };
    const kind = classify(book, req.headers['x-api-key']);
    if (route('GET', '/v1/models?limit=1', req) || route('GET', '/v1/organizations/me', req)) {
      if (kind === 'invalid') return { status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } };
      if (kind === 'restricted') return { status: 403, body: { type: 'error', error: { type: 'permission_error', message: 'not allowed' } } };
      return { status: 200, body: req.path.includes('organizations') ? { id: 'org-uuid', name: 'Fake Org', type: 'organization' } : { data: [{ id: 'claude-fake', type: 'model' }] } };
    }
    return NOT_FOUND;
  };
}

export function fakeNpm(book: TokenBook): FakeHandler {
  return (req) => {
    if (!route('GET', '/-/whoami', req)) return NOT_FOUND;
    const kind = classify(book, bearerOf(req));
    if (kind === 'invalid') return { status: 401, body: { error: 'You must be logged in' } };
    return { status: 200, body: { username: 'fake-npm-user' } };
  };
}

export function fakeSendgrid(book: TokenBook): FakeHandler {
  return (req) => {
    if (!route('GET', '/v3/scopes', req)) return NOT_FOUND;
    const kind = classify(book, bearerOf(req));
    if (kind === 'invalid') return { status: 401, body: { errors: [{ field: null, message: 'authorization required' }] } };
    if (kind === 'restricted') return { status: 403, body: { errors: [{ field: null, message: 'access forbidden' }] } };
    return { status: 200, body: { scopes: ['mail.send', 'alerts.read'] } };
  };
}

export function fakeHuggingface(book: TokenBook): FakeHandler {
  return (req) => {
    if (!route('GET', '/api/whoami-v2', req)) return NOT_FOUND;
    const kind = classify(book, bearerOf(req));
    if (kind === 'invalid') return { status: 401, body: { error: 'Invalid credentials in Authorization header' } };
    return { status: 200, body: { type: 'user', name: 'fake-hf', auth: { type: 'access_token', accessToken: { displayName: 't', role: 'read' } } } };
  };
}

export function fakeDigitalocean(book: TokenBook): FakeHandler {
  return (req) => {
    if (!route('GET', '/v2/account', req)) return NOT_FOUND;
    const kind = classify(book, bearerOf(req));
    if (kind === 'invalid') return { status: 401, body: { id: 'unauthorized', message: 'Unable to authenticate you' } };
    if (kind === 'restricted') return { status: 403, body: { id: 'Forbidden', message: 'You are not authorized to perform this operation' } };
    return { status: 200, body: { account: { uuid: 'do-uuid', status: 'active', email: 'someone@example.com' } } };
  };
}

export function fakeMailgun(book: TokenBook): FakeHandler {
  return (req) => {
    if (!route('GET', '/v3/domains?limit=1', req)) return NOT_FOUND;
    const creds = basicOf(req);
    const kind = creds && creds[0] === 'api' ? classify(book, creds[1]) : 'invalid';
    if (kind === 'invalid') return { status: 401, body: 'Forbidden' };
    if (kind === 'restricted') return { status: 403, body: { message: 'Forbidden' } };
    return { status: 200, body: { total_count: 2, items: [] } };
  };
}

export function fakeTelegram(book: TokenBook): FakeHandler {
  return (req) => {
    const m = /^\/bot([^/]+)\/getMe$/.exec(req.path);
    if (!m || req.method !== 'GET') return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    if (classify(book, m[1]) === 'invalid') return { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
    return { status: 200, body: { ok: true, result: { id: 123456, is_bot: true, first_name: 'Fake', username: 'fake_bot' } } };
  };
}

export function fakeDiscord(book: TokenBook & { webhooks?: Array<{ id: string; token: string }> }): FakeHandler {
  return (req) => {
    if (route('GET', '/api/v10/users/@me', req)) {
      const token = /^Bot (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (classify(book, token) === 'invalid') return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
      return { status: 200, body: { id: '80351110224678912', username: 'fakebot', bot: true } };
    }
    const m = /^\/api\/v10\/webhooks\/(\d+)\/([^/]+)$/.exec(req.path);
    if (m && req.method === 'GET') {
      const hook = book.webhooks?.find((w) => w.id === m[1]);
      if (!hook) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
      if (hook.token !== m[2]) return { status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } };
      return { status: 200, body: { id: hook.id, type: 1, name: 'alerts', channel_id: '1', guild_id: '2' } };
    }
    return NOT_FOUND;
  };
}
