// Admin credentials for revoke, rotate and audit: from an environment variable, or from the file
// named by <NAME>_FILE (the Docker secrets convention). Never from argv, which other users can read.
import { readFileSync } from 'node:fs';
import { KeywardenError } from '../errors.js';
import type { AdminSpec, Credential } from './types.js';

export type { AdminSpec };

/** $NAME, else the contents of the file $NAME_FILE names (trimmed); undefined when neither is set. */
export function envSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name]?.trim();
  if (direct) return direct;
  const file = env[`${name}_FILE`]?.trim();
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KeywardenError('CONFIG_INVALID', `${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const value = text.trim();
  if (!value) throw new KeywardenError('CONFIG_INVALID', `${name}_FILE: ${file} is empty`);
  return value;
}

/**
 * The admin credential acting for the finding `forKey` (audit lines name the finding it acts on),
 * or undefined when its variables are not set. Half-set multi-part credentials are an error.
 */
export function adminCredential(spec: AdminSpec, env: NodeJS.ProcessEnv, forKey: Pick<Credential, 'fingerprint' | 'secretHash' | 'ruleId'>): Credential | undefined {
  const secret = envSecret(env, spec.env);
  const parts: Record<string, string> = {};
  const missing: string[] = [];
  for (const [part, name] of Object.entries(spec.parts ?? {})) {
    const v = envSecret(env, name);
    if (v !== undefined) parts[part] = v;
    else if (!spec.optional?.includes(part)) missing.push(name);
  }
  if (secret === undefined) {
    if (Object.keys(parts).length > 0) throw new KeywardenError('CONFIG_INVALID', `${Object.values(spec.parts ?? {}).join(', ')} are set but ${spec.env} is not`);
    return undefined;
  }
  if (missing.length > 0) throw new KeywardenError('CONFIG_INVALID', `${spec.env} is set but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not`);
  return { ruleId: forKey.ruleId, secret, parts, fingerprint: forKey.fingerprint, secretHash: forKey.secretHash };
}

/** "admin key from $OPENAI_ADMIN_KEY" for plans and messages. */
export function adminLabel(spec: AdminSpec, what = 'admin key'): string {
  return `${what} from $${spec.env} (or $${spec.env}_FILE)`;
}

/**
 * Does a provider's masked display of a key ("sk-proj-abc...wxyz", "sk-ant-api03-R2D...igAA")
 * fit this secret? Both ends must match and leave something hidden in between.
 */
export function matchesMaskedKey(secret: string, masked: string): boolean {
  const parts = masked.split(/\.{3}|…/);
  if (parts.length !== 2) return false;
  const [head, tail] = parts as [string, string];
  if (head.length + tail.length === 0 || head.length + tail.length >= secret.length) return false;
  return secret.startsWith(head) && secret.endsWith(tail);
}
