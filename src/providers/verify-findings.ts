// verify: for each finding, its provider module, its raw secret (recovered, hash-checked), its
// partner for two-part credentials (nearest in the same file or blob), one read-only call per
// distinct credential, and the outcome recorded on the finding.
import { createHash } from 'node:crypto';
import { KeywardenError } from '../errors.js';
import type { Finding, Verification } from '../types.js';
import type { AuditSink } from './audit-log.js';
import { ProviderCallError, type ProviderClient } from './http-client.js';
import { ProviderRegistry } from './registry.js';
import { sourceUnit, type SecretSource } from './secret-source.js';
import { Semaphore } from './semaphore.js';
import type { Credential, PartnerSpec, Provider, VerifyOutcome } from './types.js';

export interface VerifyFindingsOptions {
  client: ProviderClient;
  registry: ProviderRegistry;
  secrets: SecretSource;
  audit: AuditSink;
  env: NodeJS.ProcessEnv;
  /** Credentials checked at once, across all providers (default 8). */
  concurrency?: number;
  now?: () => Date;
}

export interface VerificationSummary {
  live: number;
  invalid: number;
  unknown: number;
  error: number;
}

/** Returns the findings with `verification` set, in the same order; the input is not modified. */
export async function verifyFindings(findings: readonly Finding[], opts: VerifyFindingsOptions): Promise<Finding[]> {
  const now = opts.now ?? (() => new Date());
  const limit = new Semaphore(opts.concurrency ?? 8);
  const checks = new Map<string, Promise<VerifyOutcome>>();
  const byUnit = new Map<string, Finding[]>();
  for (const f of findings) {
    const unit = sourceUnit(f);
    byUnit.set(unit, [...(byUnit.get(unit) ?? []), f]);
  }

  const unknown = (reason: string, provider?: string): Verification => ({
    status: 'unknown',
    checkedAt: now().toISOString(),
    evidence: { ...(provider ? { provider } : {}), reason },
  });

  const check = (provider: Provider, cred: Credential): Promise<VerifyOutcome> => {
    const key = credentialKey(provider, cred);
    let p = checks.get(key);
    if (!p) {
      p = limit.run(() => runVerify(provider, cred, opts));
      checks.set(key, p);
    }
    return p;
  };

  const verifyOne = async (f: Finding): Promise<Verification> => {
    const resolved = await credentialFor(f, byUnit.get(sourceUnit(f)) ?? [], opts.registry, opts.secrets);
    if ('reason' in resolved) return unknown(resolved.reason, resolved.provider?.id);
    const { provider, cred, pairedWith } = resolved;
    const outcome = await check(provider, cred);
    return {
      status: outcome.status,
      checkedAt: now().toISOString(),
      evidence: { provider: provider.id, ...outcome.evidence, ...(pairedWith ? { pairedWith } : {}) },
    };
  };

  return Promise.all(findings.map(async (f) => ({ ...f, verification: await verifyOne(f) })));
}

export type ResolvedCredential = { provider: Provider; cred: Credential; pairedWith?: string } | { provider?: Provider; reason: string };

/**
 * A finding's provider module and full credential: its raw secret (recovered, hash-checked) and the
 * nearest partner parts among `unit`, the findings of the same file or blob. Shared by verify,
 * revoke, rotate and audit.
 */
export async function credentialFor(f: Finding, unit: readonly Finding[], registry: ProviderRegistry, secrets: SecretSource): Promise<ResolvedCredential> {
  const match = registry.match(f);
  if ('reason' in match) return match;
  const { provider, shape } = match;
  const own = await secrets.secretOf(f);
  if (!own.ok) return { provider, reason: `secret not recoverable: ${own.reason}` };
  const parts: Record<string, string> = { [shape.self ?? 'secret']: own.secret };
  let pairedWith: string | undefined;
  for (const spec of shape.partners ?? []) {
    const partner = await findPartner(f, spec, own.secret, unit, secrets);
    if (partner) {
      parts[spec.part] = partner.value;
      pairedWith ??= partner.fingerprint;
    } else if (spec.required !== false) {
      return { provider, reason: `no ${spec.label} in the same ${f.blob ? 'blob' : 'file'} to pair it with` };
    }
  }
  const { secret, ...rest } = parts;
  return { provider, cred: { ruleId: f.ruleId, secret: secret!, parts: rest, fingerprint: f.fingerprint, secretHash: f.secretHash }, ...(pairedWith ? { pairedWith } : {}) };
}

export function summarizeVerification(findings: readonly Finding[]): VerificationSummary {
  const s: VerificationSummary = { live: 0, invalid: 0, unknown: 0, error: 0 };
  for (const f of findings) if (f.verification) s[f.verification.status]++;
  return s;
}

async function runVerify(provider: Provider, cred: Credential, opts: VerifyFindingsOptions): Promise<VerifyOutcome> {
  let outcome: VerifyOutcome;
  try {
    outcome = await provider.verify(cred, { http: opts.client.http(provider, cred, 'verify'), env: opts.env });
  } catch (err) {
    if (err instanceof KeywardenError) throw err;
    const reason = err instanceof ProviderCallError ? err.message : `${provider.name} check failed: ${(err as Error).message ?? String(err)}`;
    outcome = { status: 'error', evidence: { reason } };
  }
  opts.audit.record({
    time: new Date().toISOString(),
    action: 'verify',
    provider: provider.id,
    fingerprint: cred.fingerprint,
    secretHash: cred.secretHash,
    result: outcome.status,
    ...(outcome.evidence.reason ? { detail: outcome.evidence.reason } : {}),
  });
  return outcome;
}

/** One check per distinct credential, however many findings share it. */
function credentialKey(provider: Provider, cred: Credential): string {
  const h = createHash('sha256').update(provider.id).update('\0').update(cred.secret);
  for (const k of Object.keys(cred.parts).sort()) h.update(`\0${k}\0${cred.parts[k]}`);
  return h.digest('hex');
}

interface Partner {
  value: string;
  fingerprint?: string;
}

/** The nearest partner, whether another finding of the partner rules or an identifier in the text. */
async function findPartner(f: Finding, spec: PartnerSpec, own: string, unit: readonly Finding[], secrets: SecretSource): Promise<Partner | undefined> {
  const rules = new Set(spec.ruleIds ?? []);
  const candidates: Array<{ line: number; column: number; finding?: Finding; value?: string }> = unit
    .filter((g) => g !== f && rules.has(g.ruleId) && g.secretHash !== f.secretHash)
    .map((g) => ({ line: g.line, column: g.column, finding: g }));
  const text = spec.pattern ? await secrets.textOf(f) : undefined;
  if (spec.pattern && text !== undefined) candidates.push(...identifiersIn(text, spec.pattern).filter((h) => h.value !== own));
  candidates.sort((a, b) => distance(f, a) - distance(f, b));
  for (const c of candidates) {
    if (c.value !== undefined) return { value: c.value };
    const s = await secrets.secretOf(c.finding!);
    if (s.ok) return { value: s.secret, fingerprint: c.finding!.fingerprint };
  }
  return undefined;
}

/** Every match of `pattern` (group 1, else the whole match) with its 1-based line and column. */
function identifiersIn(text: string, pattern: RegExp): Array<{ value: string; line: number; column: number }> {
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  const hits: Array<{ value: string; line: number; column: number }> = [];
  let line = 1;
  let lineStart = 0;
  for (const m of text.matchAll(re)) {
    for (let i = text.indexOf('\n', lineStart); i !== -1 && i < m.index; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    hits.push({ value: m[1] ?? m[0], line, column: m.index - lineStart + 1 });
  }
  return hits;
}

function distance(f: Finding, g: { line: number; column: number }): number {
  return Math.abs(g.line - f.line) * 1_000_000 + Math.abs(g.column - f.column);
}
