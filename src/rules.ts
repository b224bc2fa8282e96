// Assembles the rule set a scan runs with: defaults, config rules and rule files, minus disabled.
import { compileAllowlist, type CompiledAllowlist } from './engine/compile.js';
import { Engine } from './engine/detect.js';
import { KeywardenError, type ProblemDetail } from './errors.js';
import { compileRules, loadDefaultRuleSpecs, readRuleFiles } from './config/load-rules.js';
import type { KeywardenConfig } from './config/config-file.js';
import type { RuleMeta } from './findings/build.js';
import type { RuleSpec } from './types.js';

export interface RuleSet {
  engine: Engine;
  meta: Map<string, RuleMeta>;
}

export function ruleSpecsFor(config: KeywardenConfig): RuleSpec[] {
  const specs: RuleSpec[] = [];
  if (config.useDefaultRules) specs.push(...loadDefaultRuleSpecs());
  if (config.ruleFiles.length > 0) specs.push(...readRuleFiles(config.ruleFiles));
  // a config rule with the id of a default rule replaces it
  const own = new Set(config.rules.map((r) => r.id));
  const merged = [...specs.filter((s) => !own.has(s.id)), ...config.rules];
  const known = new Set(merged.map((r) => r.id));
  const unknown = config.disabledRules.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new KeywardenError(
      'CONFIG_INVALID',
      'disabledRules names unknown rules',
      unknown.map((id) => ({ file: config.file, field: '/disabledRules', ruleId: id, message: 'no rule has this id' })),
    );
  }
  const disabled = new Set(config.disabledRules);
  return merged.filter((r) => !disabled.has(r.id));
}

export function buildRuleSet(config: KeywardenConfig, extraAllowlists: CompiledAllowlist[] = []): RuleSet {
  const rules = compileRules(ruleSpecsFor(config), { lazy: (spec) => spec.bundled === true });
  const problems: ProblemDetail[] = [];
  const allowlists = [...extraAllowlists];
  const own = compileAllowlist(config.allowlist, problems, { file: config.file, field: '/allowlist' });
  if (problems.length > 0) throw new KeywardenError('CONFIG_INVALID', 'invalid allowlist', problems);
  if (own) allowlists.push(own);
  const meta = new Map<string, RuleMeta>(
    rules.map((r) => [
      r.id,
      {
        id: r.id,
        description: r.spec.description,
        severity: r.spec.severity,
        confidence: r.confidence,
        provider: r.spec.provider,
        tags: r.spec.tags ?? [],
      },
    ]),
  );
  return { engine: new Engine(rules, { allowlists }), meta };
}
