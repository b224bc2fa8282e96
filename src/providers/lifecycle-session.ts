// What revoke, rotate and audit share: the providers, the audit log, the HTTP client, secrets from
// their source locations, and findings chosen by fingerprint and resolved to credentials.
import { createHash } from 'node:crypto';
import { KeywardenError } from '../errors.js';
import type { Finding } from '../types.js';
import { defaultAuditLogPath, JsonlAuditLog, type AuditSink } from './audit-log.js';
import { builtinProviders } from './catalog.js';
import { checkEndpointOverrides } from './endpoint.js';
import { ProviderClient } from './http-client.js';
import { ProviderRegistry } from './registry.js';
import { locationSecrets, sourceUnit } from './secret-source.js';
import type { Credential, Provider } from './types.js';
import type { VerifySessionOptions } from './verify-session.js';
import { credentialFor, type ResolvedCredential } from './verify-findings.js';

/** As for verify, minus its concurrency: lifecycle calls go one at a time per provider. */
export type LifecycleSessionOptions = Omit<VerifySessionOptions, 'concurrency' | 'perProviderConcurrency'>;

export interface LifecycleSession {
  client: ProviderClient;
  audit: AuditSink;
  /** Where the audit lines go (undefined for a custom sink). */
  auditLog?: string;
  registry: ProviderRegistry;
  /** A finding's provider and credential, partners looked up among all the report's findings. */
  resolve(f: Finding): Promise<ResolvedCredential>;
}

export function openLifecycleSession(findings: readonly Finding[], opts: LifecycleSessionOptions): LifecycleSession {
  const providers = opts.providers ?? builtinProviders();
  checkEndpointOverrides(providers.map((p) => p.id), opts.env);
  const auditLog = opts.audit ? undefined : (opts.auditLog ?? defaultAuditLogPath(opts.env, opts.cwd));
  const audit = opts.audit ?? new JsonlAuditLog(auditLog!);
  const client = new ProviderClient({ env: opts.env, audit, timeoutMs: opts.timeoutMs, maxRetries: opts.maxRetries, perProviderConcurrency: 1, ...opts.client });
  const registry = new ProviderRegistry(providers);
  const secrets = opts.secrets ?? locationSecrets(opts.root);
  const byUnit = new Map<string, Finding[]>();
  for (const f of findings) byUnit.set(sourceUnit(f), [...(byUnit.get(sourceUnit(f)) ?? []), f]);
  return {
    client,
    audit,
    ...(auditLog ? { auditLog } : {}),
    registry,
    resolve: (f) => credentialFor(f, byUnit.get(sourceUnit(f)) ?? [], registry, secrets),
  };
}

/**
 * The findings named by fingerprints (full, or a unique prefix of 8+ characters), in report order;
 * every fingerprint must name exactly one distinct fingerprint. Without fingerprints: `fallback`.
 */
export function selectFindings(findings: readonly Finding[], fingerprints: readonly string[] | undefined, fallback: (f: Finding) => boolean): Finding[] {
  if (!fingerprints || fingerprints.length === 0) return findings.filter(fallback);
  const wanted = new Set<string>();
  const problems: string[] = [];
  for (const fp of fingerprints) {
    const needle = fp.trim().toLowerCase();
    if (needle.length < 8) {
      problems.push(`"${fp}" is too short: give at least 8 characters of a fingerprint`);
      continue;
    }
    const hits = new Set(findings.filter((f) => f.fingerprint.startsWith(needle)).map((f) => f.fingerprint));
    if (hits.size === 0) problems.push(`no finding in the report has fingerprint ${fp}`);
    else if (hits.size > 1) problems.push(`fingerprint prefix ${fp} matches ${hits.size} findings; give more characters`);
    else wanted.add([...hits][0]!);
  }
  if (problems.length > 0) throw new KeywardenError('USAGE', problems.length === 1 ? problems[0]! : `${problems.length} fingerprints do not name a finding`, problems.map((message) => ({ message })));
  return findings.filter((f) => wanted.has(f.fingerprint));
}

/** One key, however many findings show it (an AWS key ID and its secret are one credential). */
export function credentialIdentity(provider: Provider, cred: Credential): string {
  const h = createHash('sha256').update(provider.id).update('\0').update(cred.secret);
  for (const k of Object.keys(cred.parts).sort()) h.update(`\0${k}\0${cred.parts[k]}`);
  return h.digest('hex');
}
