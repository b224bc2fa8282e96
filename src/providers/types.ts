// The provider layer's contracts: one Provider per service, called through a ProviderHttp that
// owns endpoints, retries, rate limits and the audit log.
import type { VerificationEvidence, VerificationStatus } from '../types.js';

/** A credential as a provider call needs it: the leaked secret plus any partner parts. */
export interface Credential {
  /** The rule of the finding being checked. */
  ruleId: string;
  /** What the provider authenticates with (for an identifier finding: its paired secret). */
  secret: string;
  /** The other parts of a multi-part credential: accessKeyId, sessionToken, accountSid, ... */
  parts: Readonly<Record<string, string>>;
  /** The finding's fingerprint and secret hash, for the audit log (never the secret). */
  fingerprint: string;
  secretHash: string;
}

/** Where the second half of a two-part credential comes from, nearest to the finding first. */
export interface PartnerSpec {
  /** Key in Credential.parts, or 'secret' when the finding itself is the identifier half. */
  part: string;
  /** Rules whose findings in the same file or blob can supply it. */
  ruleIds?: readonly string[];
  /** An identifier (not a secret) to look for in the same file or blob; group 1 is the value. */
  pattern?: RegExp;
  /** Without it the credential cannot be checked (default true). */
  required?: boolean;
  /** For reasons: "no AWS access key ID in the same file". */
  label: string;
}

export interface CredentialShape {
  /** What the finding's own secret is: 'secret' (default) or the name of an identifier part. */
  self?: string;
  partners?: readonly PartnerSpec[];
}

/** An admin credential read from the environment: $env, or the file $env_FILE names. */
export interface AdminSpec {
  /** Variable holding the secret, e.g. OPENAI_ADMIN_KEY. */
  env: string;
  /** Other parts and the variables holding them (AWS: accessKeyId -> KEYWARDEN_AWS_ADMIN_ACCESS_KEY_ID). */
  parts?: Readonly<Record<string, string>>;
  /** Parts that may be missing (AWS session token). */
  optional?: readonly string[];
}

/** A credential an operation needs: the leaked one, its partner, or an admin key from the environment. */
export interface CredentialNeed {
  kind: 'leaked' | 'partner' | 'admin';
  /** For 'admin': the environment variable it is read from (never argv). */
  env?: string;
  description: string;
}

export type ProviderOperation = 'verify' | 'describe' | 'revoke' | 'rotate';

export interface VerifyOutcome {
  status: VerificationStatus;
  evidence: Omit<VerificationEvidence, 'provider' | 'pairedWith'>;
}

/** Owner, scopes and age of a key, for `keywarden audit`. */
export interface KeyDescription {
  owner?: string;
  /** What kind of key it is, when the provider says (classic PAT, service account key...). */
  kind?: string;
  scopes?: string[];
  createdAt?: string;
  expiresAt?: string;
  lastUsedAt?: string;
  /** Whether the provider reports it active (false: inactive, revoked). */
  active?: boolean;
  evidence: Omit<VerificationEvidence, 'provider' | 'pairedWith'>;
}

/** A call a lifecycle operation makes, or would make in a dry run. */
export interface PlannedCall {
  method: HttpMethod;
  /** Display URL, no secret in it; {placeholders} for ids looked up on the way. */
  endpoint: string;
  description: string;
  /** Which credential authenticates it: "the leaked key", "admin key from $OPENAI_ADMIN_KEY", "none". */
  credential: string;
}

export interface LifecycleOutcome {
  done: boolean;
  /** It cannot be done as things stand (kind not supported, admin key not set); reason says why. */
  blocked?: boolean;
  calls: PlannedCall[];
  reason?: string;
}

/** HTTP and environment for lifecycle operations, which act with more than one credential. */
export interface LifecycleContext {
  env: NodeJS.ProcessEnv;
  /** HTTP acting with `as` (its secret is scrubbed from logs); audit lines name the finding being acted on. */
  http(as: Credential): ProviderHttp;
}

/** Non-secret facts a rotation records in its journal (ids, names, the user name). */
export type RotationState = Record<string, string | string[] | undefined>;

/** The credentials a rotation step may act with. */
export interface RotationKeys {
  /** The leaked key (recovered from the report); absent on a re-run that cannot recover it. */
  old?: Credential;
  /** The replacement, once it exists and is known. */
  new?: Credential;
  /** An admin credential from the environment, if the provider uses one. */
  admin?: Credential;
}

export interface CreatedKey {
  /** The new secret and its other parts (AWS: accessKeyId). */
  secret: string;
  parts: Record<string, string>;
  /** Provider id of the new key (not secret). */
  id: string;
  /** The provider revoked the old key itself when it issued the new one (GitLab). */
  oldRevoked?: boolean;
}

/**
 * Rotation for one provider: create a replacement, check it, then retire the old key. The engine
 * (rotation/rotate.ts) orders the steps, journals each one and rolls back; these only call the API.
 */
export interface Rotator {
  /** Destination parts the new key fills, in order: ['secret'] or ['accessKeyId', 'secret']. */
  readonly parts: readonly string[];
  /** Creating the new key revokes the old one in the same call (GitLab): nothing to roll back to. */
  readonly revokesOldOnCreate?: boolean;
  /** Why this credential cannot be rotated here (kind not supported, admin key missing), or undefined. */
  unsupported(old: Credential, env: NodeJS.ProcessEnv): string | undefined;
  /** The calls in order, for the dry run (no network). */
  plan(old: Credential, env: NodeJS.ProcessEnv): PlannedCall[];
  /** Read-only lookups before creating (ids, the key list); returns what the journal keeps. */
  prepare(keys: RotationKeys, ctx: LifecycleContext): Promise<RotationState>;
  create(keys: RotationKeys, ctx: LifecycleContext, state: RotationState): Promise<CreatedKey>;
  /** After a crash during create: the id of a key the provider made that the journal never recorded. */
  findOrphan(keys: RotationKeys, ctx: LifecycleContext, state: RotationState): Promise<string | undefined>;
  /** Does the new key work (and belong to the same owner)? */
  verifyNew(keys: RotationKeys & { new: Credential }, ctx: LifecycleContext, state: RotationState): Promise<{ ok: boolean; reason?: string }>;
  /** Stops the old key from working (AWS: Inactive; others: delete). Idempotent. */
  disableOld(keys: RotationKeys, ctx: LifecycleContext, state: RotationState): Promise<void>;
  /** Deletes the already inactive old key after the grace period (AWS only). Idempotent. */
  deleteOld?(keys: RotationKeys, ctx: LifecycleContext, state: RotationState): Promise<void>;
  /** Rollback: deletes the new key. Idempotent. */
  deleteNew(keys: RotationKeys, ctx: LifecycleContext, state: RotationState, newId: string): Promise<void>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ProviderRequest {
  method: HttpMethod;
  /** Path and query below the base URL, starting with "/". */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The path as evidence and the audit log show it, any secret replaced (default: path). */
  displayPath?: string;
  /** Another of the provider's own base URLs (a region); ignored when the endpoint is overridden. */
  base?: string;
  /** Signs the final request (AWS SigV4) once the URL is known; returns the headers to send. */
  sign?: (url: URL, req: { method: HttpMethod; headers: Record<string, string>; body?: string }) => Record<string, string>;
}

export interface ProviderResponse {
  status: number;
  headers: Headers;
  text: string;
  /** "GET https://api.github.com/user": the display form, no secret. */
  endpoint: string;
  /** 429, or a 403 that says the quota is spent: says nothing about the key. */
  rateLimited: boolean;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json(): unknown;
}

/** HTTP for one provider and one credential: every call is checked, retried, limited and audited. */
export interface ProviderHttp {
  request(req: ProviderRequest): Promise<ProviderResponse>;
  /** True when KEYWARDEN_<PROVIDER>_ENDPOINT replaces the provider's own hosts. */
  readonly overridden: boolean;
}

export interface ProviderContext {
  http: ProviderHttp;
  env: NodeJS.ProcessEnv;
}

export interface Provider {
  /** Lower-case id, as in rules' `provider` field; KEYWARDEN_<ID>_ENDPOINT overrides the base URL. */
  readonly id: string;
  readonly name: string;
  /** Base URL of its API (https). */
  readonly defaultEndpoint: string;
  /** Rules whose findings this module can verify, and each credential's shape. */
  readonly rules: Readonly<Record<string, CredentialShape>>;
  /** Rules of this provider it deliberately does not verify, with why (shown as "unknown"). */
  readonly unverifiable?: Readonly<Record<string, string>>;
  /** Which credentials each operation it implements needs. */
  readonly credentialsNeeded: Partial<Record<ProviderOperation, readonly CredentialNeed[]>>;
  /** Calls a read-only identity endpoint: never billable, never state-changing, never a refresh grant. */
  verify(cred: Credential, ctx: ProviderContext): Promise<VerifyOutcome>;
  /** Owner, scopes, age and last use, for `keywarden audit` (read-only calls). */
  describe?(cred: Credential, ctx: LifecycleContext): Promise<KeyDescription>;
  /** Revokes one key; with dryRun, makes no call and returns the calls it would make. */
  revoke?(cred: Credential, ctx: LifecycleContext, opts: RevokeOptions): Promise<LifecycleOutcome>;
  /** Revokes many keys per call (GitHub's credential revocation API); used instead of revoke. */
  revokeBatch?: {
    readonly max: number;
    /** Which of the credentials it accepts (the rest go to revoke, if any). */
    accepts(cred: Credential): boolean;
    run(creds: readonly Credential[], ctx: LifecycleContext, opts: RevokeOptions): Promise<LifecycleOutcome>;
  };
  rotation?: Rotator;
  /** The admin credential revoke, rotate and describe use when it is set. */
  readonly admin?: AdminSpec;
}

export interface RevokeOptions {
  dryRun: boolean;
  /** AWS: stop after UpdateAccessKey Inactive (delete later). */
  deactivateOnly?: boolean;
}
