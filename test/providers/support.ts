// Shared by the provider tests: synthetic credentials generated at run time, findings that point
// at them in temporary files, and a verify run against fake providers on loopback.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprint, secretHash } from '../../src/findings/fingerprint.js';
import { redact } from '../../src/findings/redact.js';
import { MemoryAuditLog } from '../../src/providers/audit-log.js';
import { endpointEnvName } from '../../src/providers/endpoint.js';
import { verifyWithProviders, type VerifySessionOptions } from '../../src/providers/verify-session.js';
import type { Finding } from '../../src/types.js';
import { BIN, type RunResult } from '../support/cli.js';
import { SeededRandom } from '../support/example-generator.js';
import { startFake, type FakeHandler, type FakeProvider } from '../support/fake-providers/server.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Random synthetic credentials of each provider's shape (never written into the repository). */
export function credentials(seed: string) {
  const rng = new SeededRandom(seed);
  return {
    alnum: (n: number) => rng.chars(ALNUM, n),
    hex: (n: number) => rng.chars(HEX, n),
    digits: (n: number) => rng.chars('0123456789', n),
    awsKeyId: (prefix = 'AKIA') => prefix + rng.chars(UPPER32, 16),
    awsSecret: () => rng.chars(`${ALNUM}/+`, 40),
    telegram: () => `${rng.chars('0123456789', 10)}:AA${rng.chars(`${ALNUM}_-`, 33)}`,
    discordWebhook: () => {
      const id = rng.chars('0123456789', 18);
      const token = rng.chars(`${ALNUM}_-`, 68);
      return { id, token, url: `https://discord.com/api/webhooks/${id}/${token}` };
    },
  };
}

/** A finding for `secret`, found at its first occurrence in `text` (as the engine would place it). */
export function findingAt(
  text: string,
  secret: string,
  rule: { ruleId: string; provider: string },
  opts: { file?: string; occurrence?: number; redacted?: boolean; blob?: string } = {},
): Finding {
  let index = -1;
  for (let i = 0; i <= (opts.occurrence ?? 0); i++) index = text.indexOf(secret, index + 1);
  if (index === -1) throw new Error('secret not in text');
  const before = text.slice(0, index).split('\n');
  const line = before.length;
  const column = before[before.length - 1]!.length + 1;
  const file = opts.file ?? 'config.env';
  const hash = secretHash(secret);
  const redacted = opts.redacted ?? true;
  return {
    ruleId: rule.ruleId,
    description: `test ${rule.ruleId}`,
    severity: 'high',
    confidence: 'high',
    provider: rule.provider,
    tags: [],
    file,
    line,
    column,
    endLine: line,
    endColumn: column + secret.length,
    secret: redacted ? redact(secret) : secret,
    redacted,
    secretHash: hash,
    entropy: 4,
    fingerprint: fingerprint(rule.ruleId, hash, file),
    ...(opts.blob ? { blob: opts.blob } : {}),
  };
}

export function writeFile(root: string, file: string, text: string): void {
  writeFileSync(join(root, file), text);
}

/** Fake servers by provider id, and the KEYWARDEN_<ID>_ENDPOINT environment pointing at them. */
export async function startFakes(handlers: Record<string, FakeHandler>): Promise<{ fakes: Record<string, FakeProvider>; env: NodeJS.ProcessEnv; close: () => Promise<void> }> {
  const fakes: Record<string, FakeProvider> = {};
  const env: NodeJS.ProcessEnv = {};
  for (const [id, handler] of Object.entries(handlers)) {
    fakes[id] = await startFake(handler);
    env[endpointEnvName(id)] = fakes[id].url;
  }
  return { fakes, env, close: async () => void (await Promise.all(Object.values(fakes).map((f) => f.close()))) };
}

/** Verifies findings in-process against the fakes, with fast backoff and an in-memory audit log. */
export async function verifyAgainst(findings: Finding[], root: string, env: NodeJS.ProcessEnv, extra: Partial<VerifySessionOptions> = {}) {
  const audit = new MemoryAuditLog();
  const out = await verifyWithProviders(findings, {
    root,
    env,
    cwd: root,
    audit,
    timeoutMs: 2000,
    client: { baseDelayMs: 5, maxDelayMs: 20, maxWaitMs: 5000 },
    ...extra,
  });
  return { ...out, audit };
}

/**
 * Runs the built CLI without blocking this process: the fake providers live in this process, so
 * a synchronous spawn would stop them from answering.
 */
export function runCliAsync(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1', CI: '', GITHUB_ACTIONS: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
