import { KeywardenError, type ProblemDetail } from '../errors.js';
import type { AllowlistSpec, Confidence, RegexTarget, RuleSpec, ValidatorName } from '../types.js';
import { VALIDATORS } from './checksums/index.js';
import { compileRegex, groupCount, unsupportedSyntax, type Regex } from './regex.js';

export interface CompiledAllowlist {
  regexes: Regex[];
  regexTarget: RegexTarget;
  /** Lowercased. */
  stopwords: string[];
  paths: Regex[];
}

export interface CompiledRule {
  spec: RuleSpec;
  id: string;
  /** Compiled with 'g' (iterate), 'd' (group offsets) and 'm' (^ and $ at line boundaries). */
  readonly re: Regex;
  secretGroup: number;
  minEntropy: number | undefined;
  validator: ((secret: string) => boolean) | undefined;
  validatorName: ValidatorName | undefined;
  pathRe: Regex | undefined;
  allowlist: CompiledAllowlist | undefined;
  confidence: Confidence;
  /** Lowercased keywords. */
  keywords: string[];
}

function compileField(
  problems: ProblemDetail[],
  base: Omit<ProblemDetail, 'message'>,
  pattern: string,
  flags = '',
): Regex | undefined {
  try {
    return compileRegex(pattern, flags);
  } catch (err) {
    problems.push({ ...base, message: (err as Error).message });
    return undefined;
  }
}

export function compileAllowlist(
  spec: AllowlistSpec | undefined,
  problems: ProblemDetail[],
  base: Omit<ProblemDetail, 'message'>,
): CompiledAllowlist | undefined {
  if (!spec) return undefined;
  const regexes = (spec.regexes ?? [])
    .map((p, i) => compileField(problems, { ...base, field: `${base.field ?? ''}/regexes/${i}` }, p))
    .filter((r): r is Regex => r !== undefined);
  const paths = (spec.paths ?? [])
    .map((p, i) => compileField(problems, { ...base, field: `${base.field ?? ''}/paths/${i}` }, p))
    .filter((r): r is Regex => r !== undefined);
  return {
    regexes,
    regexTarget: spec.regexTarget ?? 'secret',
    stopwords: (spec.stopwords ?? []).map((s) => s.toLowerCase()),
    paths,
  };
}

export interface CompileOptions {
  /**
   * Defer building the RE2 program until the rule first runs. For the bundled rules, which the
   * test suite compiles, this keeps start-up cheap (a pre-commit hook scanning five files touches a
   * handful of rules, not four hundred). Syntax RE2 lacks is still rejected at once.
   */
  lazy?: boolean;
}

/** Compiles one rule; every problem is collected and thrown together. */
export function compileRule(spec: RuleSpec, opts: CompileOptions = {}): CompiledRule {
  const problems: ProblemDetail[] = [];
  const base = { file: spec.source, ruleId: spec.id };
  let re: Regex | undefined;
  if (opts.lazy) {
    const unsupported = unsupportedSyntax(spec.regex);
    if (unsupported) problems.push({ ...base, field: 'regex', message: unsupported });
  } else {
    re = compileField(problems, { ...base, field: 'regex' }, spec.regex, 'gdm');
  }
  let secretGroup = 0;
  if (re || opts.lazy) {
    const groups = groupCount(spec.regex);
    secretGroup = spec.secretGroup ?? (groups > 0 ? 1 : 0);
    if (secretGroup > groups) {
      problems.push({
        ...base,
        field: 'secretGroup',
        message: `secretGroup ${secretGroup} but the regex has ${groups} capture group(s)`,
      });
    }
  }
  const pathRe = spec.path ? compileField(problems, { ...base, field: 'path' }, spec.path) : undefined;
  const allowlist = compileAllowlist(spec.allowlist, problems, { ...base, field: 'allowlist' });
  const keywords = spec.keywords.map((k) => k.toLowerCase());
  if (keywords.length === 0) problems.push({ ...base, field: 'keywords', message: 'at least one keyword is required' });
  if (problems.length > 0 || (!re && !opts.lazy)) {
    throw new KeywardenError('RULE_INVALID', `rule "${spec.id}" is invalid`, problems);
  }
  let compiled = re;
  return {
    spec,
    id: spec.id,
    get re(): Regex {
      compiled ??= compileRegex(spec.regex, 'gdm');
      return compiled;
    },
    secretGroup,
    minEntropy: spec.entropy,
    validator: spec.validator ? VALIDATORS[spec.validator] : undefined,
    validatorName: spec.validator,
    pathRe,
    allowlist,
    confidence: spec.confidence ?? 'medium',
    keywords,
  };
}
