// Fakes for providers whose credentials come in parts: AWS STS (SigV4 checked for real),
// Twilio (SID + token or API key), Datadog (API key, or API + application key).
import aws4 from 'aws4';
import { basicOf, type FakeHandler, type FakeResponse } from './server.js';

export interface AwsKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  arn?: string;
}

function stsError(status: number, code: string, message: string): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
  };
}

/** STS GetCallerIdentity: recomputes the SigV4 signature over the headers the client signed. */
export function fakeAwsSts(keys: AwsKey[]): FakeHandler {
  return (req) => {
    if (req.method !== 'POST' || req.path !== '/') return stsError(404, 'NotFound', 'no such route');
    if (!/Action=GetCallerIdentity/.test(req.body)) return stsError(400, 'InvalidAction', 'only GetCallerIdentity is faked');
    const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
    if (!auth) return stsError(400, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const [, accessKeyId, , region, service, signedHeaders] = auth;
    const key = keys.find((k) => k.accessKeyId === accessKeyId);
    if (!key) return stsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    const headers: Record<string, string> = {};
    for (const name of signedHeaders!.split(';')) headers[name] = req.headers[name] ?? '';
    const resigned = aws4.sign(
      { host: req.headers.host, path: req.path, method: req.method, headers, body: req.body, service, region },
      { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: req.headers['x-amz-security-token'] },
    );
    const expected = String((resigned.headers as Record<string, unknown>).Authorization ?? (resigned.headers as Record<string, unknown>).authorization);
    if (expected !== req.headers.authorization) return stsError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    if (key.sessionToken !== undefined && req.headers['x-amz-security-token'] !== key.sessionToken) return stsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${key.arn ?? 'arn:aws:iam::123456789012:user/fake'}</Arn><UserId>AIDAFAKE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    };
  };
}

export interface TwilioBook {
  accounts: Array<{ sid: string; authToken: string }>;
  /** standard: may not read the Account resource (403). */
  apiKeys?: Array<{ sid: string; secret: string; accountSid: string; standard?: boolean }>;
}

export function fakeTwilio(book: TwilioBook): FakeHandler {
  return (req) => {
    const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\.json$/.exec(req.path);
    if (!m || req.method !== 'GET') return { status: 404, body: { code: 20404, message: 'The requested resource was not found', status: 404 } };
    const [user, password] = basicOf(req) ?? ['', ''];
    const unauthorized: FakeResponse = { status: 401, body: { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 } };
    const account = book.accounts.find((a) => a.sid === m[1]);
    if (!account) return unauthorized;
    if (user === account.sid) {
      if (password !== account.authToken) return unauthorized;
    } else {
      const key = book.apiKeys?.find((k) => k.sid === user && k.accountSid === account.sid);
      if (!key || key.secret !== password) return unauthorized;
      if (key.standard) return { status: 403, body: { code: 20403, message: 'Forbidden', status: 403 } };
    }
    return { status: 200, body: { sid: account.sid, friendly_name: 'Fake', status: 'active', type: 'Full' } };
  };
}

export interface DatadogBook {
  apiKeys: string[];
  appKeys?: Array<{ app: string; api: string }>;
}

export function fakeDatadog(book: DatadogBook): FakeHandler {
  return (req) => {
    const api = req.headers['dd-api-key'];
    if (req.method === 'GET' && req.path === '/api/v1/validate') {
      if (!api || !book.apiKeys.includes(api)) return { status: 403, body: { errors: ['Forbidden'] } };
      return { status: 200, body: { valid: true } };
    }
    if (req.method === 'GET' && req.path === '/api/v2/validate_keys') {
      const app = req.headers['dd-application-key'];
      if (!book.appKeys?.some((k) => k.app === app && k.api === api)) return { status: 403, body: { errors: ['Forbidden'] } };
      return { status: 200, body: { status: 'ok' } };
    }
    return { status: 404, body: { errors: ['Not found'] } };
  };
}
