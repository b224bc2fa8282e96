// The .env destination: only the value changes; quotes, export, comments, CRLF and every other
// byte stay; a missing variable is appended; permissions are kept.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAssignments, setEnvValues, writeEnvFileAtomic } from '../../src/providers/rotation/env-file.js';
import { parseTarget } from '../../src/providers/rotation/target.js';
import { tempDir } from '../support/cli.js';
import { randomChars } from '../support/fake-providers/lifecycle-services.js';

const A = 'abcdefghijklmnopqrstuvwxyz0123456789';

describe('env file values', () => {
  it('replaces the value in every form an .env file writes it, and nothing else', () => {
    const [o1, o2, o3, n1, n2, n3] = Array.from({ length: 6 }, () => randomChars(A, 24));
    const text = `# keys\r\nexport ONE=${o1}\r\nTWO="${o2}" # quoted\nTHREE='${o3}'\nONE_MORE=${o1}\n\n`;
    const out = setEnvValues(text, { ONE: n1!, TWO: n2!, THREE: n3! });
    expect(out).toBe(`# keys\r\nexport ONE=${n1}\r\nTWO="${n2}" # quoted\nTHREE='${n3}'\nONE_MORE=${o1}\n\n`);
    expect(findAssignments(out, 'TWO').map((a) => a.value)).toEqual([n2]);
  });

  it('appends a missing variable after a final newline', () => {
    expect(setEnvValues('A=1', { B: 'x' })).toBe('A=1\nB=x\n');
    expect(setEnvValues('', { B: 'x' })).toBe('B=x\n');
  });

  it('writes atomically and keeps the mode; a new file is 0600', async () => {
    const dir = tempDir('kw-envfile-');
    const file = join(dir, '.env');
    writeFileSync(file, 'A=1\nKEY=old\n');
    chmodSync(file, 0o644);
    await writeEnvFileAtomic(file, { KEY: 'new' });
    expect(readFileSync(file, 'utf8')).toBe('A=1\nKEY=new\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    const fresh = join(dir, 'fresh.env');
    await writeEnvFileAtomic(fresh, { KEY: 'v' });
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });

  it('parses targets and rejects bad ones', () => {
    expect(parseTarget('env:config/.env#API_KEY')).toEqual({ kind: 'env', file: 'config/.env', names: ['API_KEY'] });
    expect(parseTarget('github-secret:acme/app#AWS_SECRET_ACCESS_KEY,AWS_ACCESS_KEY_ID')).toEqual({ kind: 'github-secret', owner: 'acme', repo: 'app', names: ['AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID'] });
    expect(() => parseTarget('github-secret:acme/app')).toThrow(/name the secret/);
    expect(() => parseTarget('s3:bucket')).toThrow(/unknown destination/);
    expect(() => parseTarget('env:.env#1BAD')).toThrow(/not a variable name/);
  });
});
