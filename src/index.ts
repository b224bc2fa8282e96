// Library API: re-exports only.
export type * from './types.js';
export { KeywardenError, type ErrorCode, type ProblemDetail } from './errors.js';
export { scanPaths, scanSource, resolveScan, type ScanOptions } from './scan.js';
export { Engine, type EngineOptions, type FragmentResult } from './engine/detect.js';
export { compileRule, type CompiledRule } from './engine/compile.js';
export { compileRules, readRuleFile, readRuleFiles, loadDefaultRuleSpecs, defaultRuleFiles } from './config/load-rules.js';
export { gitleaksIdsOf, rulesByGitleaksId } from './config/gitleaks-ids.js';
export { readConfigFile, findConfig, type KeywardenConfig } from './config/config-file.js';
export { buildRuleSet, type RuleSet } from './rules.js';
export { jsonReporter } from './reporters/json.js';
export { textReporter } from './reporters/text.js';
export { redact } from './findings/redact.js';
export { fingerprint, secretHash } from './findings/fingerprint.js';
export { main } from './cli/main.js';
export {
  verifyWithProviders,
  verifyFindings,
  builtinProviders,
  ProviderRegistry,
  ProviderClient,
  JsonlAuditLog,
  MemoryAuditLog,
  locationSecrets,
  type Provider,
  type Credential,
  type VerifySessionOptions,
  type AuditEntry,
} from './providers/index.js';
