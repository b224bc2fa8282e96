// The provider layer's public surface (re-exports only).
export type * from './types.js';
export { ProviderClient, ProviderCallError, type ProviderClientOptions } from './http-client.js';
export { ProviderRegistry, type ProviderMatch } from './registry.js';
export { builtinProviders, builtinRegistry } from './catalog.js';
export { JsonlAuditLog, MemoryAuditLog, defaultAuditLogPath, type AuditEntry, type AuditSink } from './audit-log.js';
export { endpointEnvName, endpointOverride, endpointProblem, isLoopbackHost, checkEndpointOverrides } from './endpoint.js';
export { locationSecrets, textAt, sourceUnit, type SecretSource, type SecretLookup } from './secret-source.js';
export { verifyFindings, summarizeVerification, type VerifyFindingsOptions, type VerificationSummary } from './verify-findings.js';
export { verifyWithProviders, type VerifySessionOptions, type VerifySessionResult } from './verify-session.js';
export { outcomeOf, bearer, basic } from './outcome.js';
export { Semaphore } from './semaphore.js';
