// One `verify` run wired up: built-in providers, the audit log, the HTTP client, secrets from
// their source locations. The CLI (scan --verify, verify REPORT.json) calls only this.
import type { Finding } from '../types.js';
import { defaultAuditLogPath, JsonlAuditLog, type AuditSink } from './audit-log.js';
import { builtinProviders } from './catalog.js';
import { checkEndpointOverrides } from './endpoint.js';
import { ProviderClient, type ProviderClientOptions } from './http-client.js';
import { ProviderRegistry } from './registry.js';
import { locationSecrets, type SecretSource } from './secret-source.js';
import type { Provider } from './types.js';
import { summarizeVerification, verifyFindings, type VerificationSummary } from './verify-findings.js';

export interface VerifySessionOptions {
  /** Scan root: report paths are relative to it, and it is the repository for blob findings. */
  root: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Audit log file; default KEYWARDEN_AUDIT_LOG or the user's state directory. */
  auditLog?: string;
  /** An audit sink instead of a file (library use, tests). */
  audit?: AuditSink;
  /** Credentials checked at once (default 8); calls per provider at once (default 4). */
  concurrency?: number;
  perProviderConcurrency?: number;
  timeoutMs?: number;
  maxRetries?: number;
  /** Backoff and wait tuning, for tests. */
  client?: Pick<ProviderClientOptions, 'baseDelayMs' | 'maxDelayMs' | 'maxWaitMs' | 'fetch' | 'random' | 'signal'>;
  providers?: readonly Provider[];
  secrets?: SecretSource;
}

export interface VerifySessionResult {
  findings: Finding[];
  summary: VerificationSummary;
  /** Where the audit lines went (undefined for a custom sink). */
  auditLog?: string;
}

export async function verifyWithProviders(findings: readonly Finding[], opts: VerifySessionOptions): Promise<VerifySessionResult> {
  const providers = opts.providers ?? builtinProviders();
  checkEndpointOverrides(providers.map((p) => p.id), opts.env);
  const auditLog = opts.audit ? undefined : (opts.auditLog ?? defaultAuditLogPath(opts.env, opts.cwd));
  const audit = opts.audit ?? new JsonlAuditLog(auditLog!);
  const client = new ProviderClient({
    env: opts.env,
    audit,
    timeoutMs: opts.timeoutMs,
    maxRetries: opts.maxRetries,
    perProviderConcurrency: opts.perProviderConcurrency,
    ...opts.client,
  });
  const verified = await verifyFindings(findings, {
    client,
    registry: new ProviderRegistry(providers),
    secrets: opts.secrets ?? locationSecrets(opts.root),
    audit,
    env: opts.env,
    concurrency: opts.concurrency,
  });
  await audit.flush();
  return { findings: verified, summary: summarizeVerification(verified), ...(auditLog ? { auditLog } : {}) };
}
