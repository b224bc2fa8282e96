// --target: where the application reads the key. env:path/to/.env[#VAR[,ID_VAR]] or
// github-secret:owner/repo#NAME[,ID_NAME]; the second name is for AWS's access key ID.
import { KeywardenError } from '../../errors.js';

export type TargetSpec =
  | { kind: 'env'; file: string; names: string[] }
  | { kind: 'github-secret'; owner: string; repo: string; names: string[] };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseTarget(text: string): TargetSpec {
  const usage = 'use env:path/to/.env[#VAR_NAME] or github-secret:owner/repo#SECRET_NAME';
  const colon = text.indexOf(':');
  if (colon === -1) throw new KeywardenError('USAGE', `--target "${text}": ${usage}`);
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  const hash = rest.lastIndexOf('#');
  const where = hash === -1 ? rest : rest.slice(0, hash);
  const names = hash === -1 ? [] : rest.slice(hash + 1).split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !NAME.test(n));
  if (bad.length > 0) throw new KeywardenError('USAGE', `--target: "${bad[0]}" is not a variable name`);
  if (kind === 'env') {
    if (!where) throw new KeywardenError('USAGE', `--target "${text}": no file; ${usage}`);
    return { kind: 'env', file: where, names };
  }
  if (kind === 'github-secret') {
    const m = /^([\w.-]+)\/([\w.-]+)$/.exec(where);
    if (!m) throw new KeywardenError('USAGE', `--target "${text}": "${where}" is not owner/repo; ${usage}`);
    if (names.length === 0) throw new KeywardenError('USAGE', `--target "${text}": name the secret after #; ${usage}`);
    return { kind: 'github-secret', owner: m[1]!, repo: m[2]!, names };
  }
  throw new KeywardenError('USAGE', `--target "${text}": unknown destination "${kind}"; ${usage}`);
}
