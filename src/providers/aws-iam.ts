// The IAM and STS Query APIs over SigV4 (aws4 signs; nothing hand-rolled): the calls revoke,
// rotate and audit make on access keys, and the little XML they answer with.
import aws4 from 'aws4';
import { expectStatus } from './lifecycle.js';
import type { Credential, HttpMethod, ProviderHttp, ProviderRequest, ProviderResponse } from './types.js';

export const IAM_BASE = 'https://iam.amazonaws.com';
export const STS_BASE = 'https://sts.amazonaws.com';

function signer(service: 'iam' | 'sts', cred: Pick<Credential, 'secret' | 'parts'>): NonNullable<ProviderRequest['sign']> {
  return (url: URL, req: { method: HttpMethod; headers: Record<string, string>; body?: string }) => {
    const signed = aws4.sign(
      { host: url.host, path: url.pathname + url.search, method: req.method, headers: { ...req.headers }, body: req.body, service, region: 'us-east-1' },
      { accessKeyId: cred.parts.accessKeyId!, secretAccessKey: cred.secret, ...(cred.parts.sessionToken ? { sessionToken: cred.parts.sessionToken } : {}) },
    );
    return Object.fromEntries(Object.entries(signed.headers ?? {}).map(([k, v]) => [k, String(v)]));
  };
}

/** One Query API action: POST form body, signed for the service; the response is returned as is. */
export function queryAction(http: ProviderHttp, service: 'iam' | 'sts', cred: Pick<Credential, 'secret' | 'parts'>, action: string, params: Record<string, string | undefined> = {}): Promise<ProviderResponse> {
  const body = new URLSearchParams({ Action: action, Version: service === 'iam' ? '2010-05-08' : '2011-06-15' });
  for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, v);
  return http.request({
    method: 'POST',
    path: '/',
    base: service === 'iam' ? IAM_BASE : STS_BASE,
    displayPath: `/ (${action})`,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: body.toString(),
    sign: signer(service, cred),
  });
}

/** An IAM action that must succeed (HTTP 200); throws a LifecycleError naming the action and AWS's error code. */
export async function iam(http: ProviderHttp, cred: Pick<Credential, 'secret' | 'parts'>, action: string, params: Record<string, string | undefined> = {}): Promise<string> {
  const res = await queryAction(http, 'iam', cred, action, params);
  expectStatus(res, [200], `IAM ${action}`);
  return res.text;
}

export function xmlTag(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]{0,2048})</${tag}>`).exec(xml)?.[1];
}

export interface AccessKeyMetadata {
  accessKeyId: string;
  status: string;
  createDate?: string;
  userName?: string;
}

/** ListAccessKeys members. */
export function parseAccessKeys(xml: string): AccessKeyMetadata[] {
  const out: AccessKeyMetadata[] = [];
  for (const m of xml.matchAll(/<member>([\s\S]*?)<\/member>/g)) {
    const id = xmlTag(m[1]!, 'AccessKeyId');
    if (!id) continue;
    out.push({ accessKeyId: id, status: xmlTag(m[1]!, 'Status') ?? '', createDate: xmlTag(m[1]!, 'CreateDate'), userName: xmlTag(m[1]!, 'UserName') });
  }
  return out;
}

/** The IAM user name at the end of a user ARN (arn:aws:iam::123:user/path/name), if it is one. */
export function userNameFromArn(arn: string | undefined): string | undefined {
  const m = /^arn:aws[\w-]*:iam::\d{12}:user\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn ?? '');
  return m?.[1];
}
