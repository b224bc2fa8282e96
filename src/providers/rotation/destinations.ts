// Where a rotated key is written: a .env-style file, or GitHub Actions repository secrets (sealed
// with the repository's public key by libsodium, then PUT). Each maps the key's parts (secret,
// accessKeyId) to the variable names the application reads.
import sodium from 'libsodium-wrappers';
import { resolve } from 'node:path';
import { KeywardenError } from '../../errors.js';
import { secretHash } from '../../findings/fingerprint.js';
import { envSecret } from '../admin-credentials.js';
import { githubProvider } from '../github.js';
import type { ProviderClient } from '../http-client.js';
import { baseFor, call, expectStatus, LifecycleError } from '../lifecycle.js';
import { jsonObject, str } from '../outcome.js';
import type { Credential, PlannedCall } from '../types.js';
import { namesWhere, readEnvValues, readTextIfAny, writeEnvFileAtomic } from './env-file.js';
import type { TargetSpec } from './target.js';

export interface Destination {
  /** "env file /app/.env (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)". */
  readonly label: string;
  /** Part -> variable or secret name. */
  readonly names: Readonly<Record<string, string>>;
  plan(): PlannedCall[];
  /** Writes every part at once; throws (LifecycleError or an fs error) when it could not. */
  write(values: Readonly<Record<string, string>>): Promise<void>;
  /** The values it holds now, by part; undefined when the destination cannot be read back (GitHub secrets). */
  read(): Promise<Record<string, string | undefined> | undefined>;
}

/** Default variable names by provider and part, when neither the target nor the file says. */
const DEFAULT_NAMES: Record<string, Record<string, string>> = {
  aws: { accessKeyId: 'AWS_ACCESS_KEY_ID', secret: 'AWS_SECRET_ACCESS_KEY' },
  gitlab: { secret: 'GITLAB_TOKEN' },
  sendgrid: { secret: 'SENDGRID_API_KEY' },
  openai: { secret: 'OPENAI_API_KEY' },
};

/** The GitHub token used to write repository secrets: $GITHUB_TOKEN or $GH_TOKEN (or their _FILE). */
export const GITHUB_SECRETS_TOKEN_ENV = ['GITHUB_TOKEN', 'GH_TOKEN'] as const;

export interface DestinationContext {
  providerId: string;
  parts: readonly string[];
  /** The leaked key, when known: finds the variable that holds it. */
  old?: Pick<Credential, 'secret' | 'parts'>;
  oldSecretHash: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  client: ProviderClient;
  /** Audit lines for secret writes name the finding being rotated. */
  forKey: Pick<Credential, 'fingerprint' | 'secretHash' | 'ruleId'>;
}

/** Names for each part: given in the target (secret first, then the ID), else found in the file, else defaults. */
function partNames(spec: TargetSpec, ctx: DestinationContext, fileText: string | undefined): Record<string, string> {
  const defaults = DEFAULT_NAMES[ctx.providerId] ?? { secret: `${ctx.providerId.toUpperCase()}_API_KEY` };
  const out: Record<string, string> = {};
  const given = [...spec.names];
  if (given[0]) out.secret = given[0];
  if (ctx.parts.includes('accessKeyId') && given[1]) out.accessKeyId = given[1];
  if (!out.secret && fileText !== undefined) {
    const holders = namesWhere(fileText, (v) => secretHash(v) === ctx.oldSecretHash);
    if (holders.length === 1) out.secret = holders[0]!;
    else if (holders.length > 1) throw new KeywardenError('USAGE', `--target: ${holders.join(', ')} all hold the leaked key; name the one to replace with #NAME`);
  }
  out.secret ??= defaults.secret!;
  if (ctx.parts.includes('accessKeyId') && !out.accessKeyId) {
    const oldId = ctx.old?.parts.accessKeyId;
    const holders = fileText !== undefined && oldId ? namesWhere(fileText, (v) => v === oldId) : [];
    out.accessKeyId = holders.length === 1 ? holders[0]! : out.secret.includes('SECRET_ACCESS_KEY') ? out.secret.replace('SECRET_ACCESS_KEY', 'ACCESS_KEY_ID') : defaults.accessKeyId!;
  }
  return out;
}

export async function openDestination(spec: TargetSpec, ctx: DestinationContext): Promise<Destination> {
  if (spec.kind === 'env') {
    const file = resolve(ctx.cwd, spec.file);
    const names = partNames(spec, ctx, await readTextIfAny(file));
    const label = `env file ${file} (${Object.values(names).join(', ')})`;
    return {
      label,
      names,
      plan: () => [{ method: 'PUT', endpoint: `file://${file}`, description: `write ${Object.values(names).join(', ')} (temp file + rename; the rest of the file unchanged)`, credential: 'local file' }],
      async write(values) {
        await writeEnvFileAtomic(file, Object.fromEntries(Object.entries(values).map(([part, v]) => [names[part]!, v])));
      },
      async read() {
        const text = await readTextIfAny(file);
        if (text === undefined) return Object.fromEntries(Object.keys(names).map((p) => [p, undefined]));
        const byName = readEnvValues(text, Object.values(names));
        return Object.fromEntries(Object.entries(names).map(([part, n]) => [part, byName[n]]));
      },
    };
  }
  const names = partNames(spec, ctx, undefined);
  const repoPath = `/repos/${encodeURIComponent(spec.owner)}/${encodeURIComponent(spec.repo)}/actions/secrets`;
  const base = baseFor(githubProvider, ctx.env);
  const tokenLabel = 'GitHub token from $GITHUB_TOKEN (or $GH_TOKEN)';
  return {
    label: `GitHub Actions secrets of ${spec.owner}/${spec.repo} (${Object.values(names).join(', ')})`,
    names,
    plan: () => [
      call('GET', `${base}${repoPath}/public-key`, "read the repository's public key", tokenLabel),
      ...Object.values(names).map((n) => call('PUT', `${base}${repoPath}/${n}`, `write ${n}, sealed with the public key`, tokenLabel)),
    ],
    async write(values) {
      const token = GITHUB_SECRETS_TOKEN_ENV.map((n) => envSecret(ctx.env, n)).find(Boolean);
      if (!token) throw new LifecycleError('no GitHub token to write repository secrets with: set GITHUB_TOKEN (repository Secrets: write)');
      const as: Credential = { ruleId: ctx.forKey.ruleId, secret: token, parts: { ...values }, fingerprint: ctx.forKey.fingerprint, secretHash: ctx.forKey.secretHash };
      const http = ctx.client.http(githubProvider, as, 'rotate');
      const headers = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', authorization: `Bearer ${token}` };
      const keyRes = await http.request({ method: 'GET', path: `${repoPath}/public-key`, headers });
      expectStatus(keyRes, [200], 'GitHub repository public key');
      const k = jsonObject(keyRes);
      const keyId = str(k.key_id);
      const key = str(k.key);
      if (!keyId || !key) throw new LifecycleError('GitHub sent no repository public key');
      await sodium.ready;
      const publicKey = sodium.from_base64(key, sodium.base64_variants.ORIGINAL);
      for (const [part, value] of Object.entries(values)) {
        const sealed = sodium.to_base64(sodium.crypto_box_seal(sodium.from_string(value), publicKey), sodium.base64_variants.ORIGINAL);
        const res = await http.request({
          method: 'PUT',
          path: `${repoPath}/${encodeURIComponent(names[part]!)}`,
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ encrypted_value: sealed, key_id: keyId }),
        });
        expectStatus(res, [201, 204], `GitHub secret ${names[part]}`);
      }
    },
    read: async () => undefined,
  };
}
