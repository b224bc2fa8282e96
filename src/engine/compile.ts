import { KeywardenError, type ProblemDetail } from '../errors.js';
import type { AllowlistSpec, Confidence, RegexTarget, RuleSpec, ValidatorName } from '../types.js';
import { VALIDATORS } from './checksums/index.js';
import { stripLeadingBoundary } from './boundary.js';
import { compileRegex, type Regex } from './regex.js';
import { groupCount, unsupportedSyntax } from './regex-syntax.js';
import { CONTEXT_LINES } from './windows.js';

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
  /** The regex's leading \b was moved out of `re` (see boundary.ts): check it at each match start. */
  leadingBoundary: boolean;
  /** The pattern `re` is compiled from: the regex, less a leading \b moved out. */
  runPattern: string;
  secretGroup: number;
  minEntropy: number | undefined;
  validator: ((secret: string) => boolean) | undefined;
  validatorName: ValidatorName | undefined;
  pathRe: Regex | undefined;
  /** The rule's `allowlist` and `allowlists`, compiled. */
  readonly allowlists: readonly CompiledAllowlist[];
  confidence: Confidence;
  /** Lowercased keywords. */
  keywords: string[];
  /** Lines around keyword occurrences its matches can reach (see RuleSpec.window). */
  windowLines: { before: number; after: number };
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

function ruleAllowlists(spec: RuleSpec, problems: ProblemDetail[], base: Omit<ProblemDetail, 'message' | 'field'>): CompiledAllowlist[] {
  const out: CompiledAllowlist[] = [];
  const one = compileAllowlist(spec.allowlist, problems, { ...base, field: 'allowlist' });
  if (one) out.push(one);
  spec.allowlists?.forEach((a, i) => {
    const l = compileAllowlist(a, problems, { ...base, field: `allowlists/${i}` });
    if (l) out.push(l);
  });
  return out;
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
  const stripped = stripLeadingBoundary(spec.regex);
  const runPattern = stripped ?? spec.regex;
  if (opts.lazy) {
    const unsupported = unsupportedSyntax(spec.regex);
    if (unsupported) problems.push({ ...base, field: 'regex', message: unsupported });
  } else {
    re = compileField(problems, { ...base, field: 'regex' }, runPattern, 'gdm');
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
  // a lazy (bundled) rule's allowlists are compiled with its regex, when the rule first runs
  let allowlists = opts.lazy ? [] : ruleAllowlists(spec, problems, base);
  let allowlistsReady = !opts.lazy || (!spec.allowlist && !spec.allowlists?.length);
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
      compiled ??= compileRegex(runPattern, 'gdm');
      return compiled;
    },
    leadingBoundary: stripped !== undefined,
    runPattern,
    secretGroup,
    minEntropy: spec.entropy,
    validator: spec.validator ? VALIDATORS[spec.validator] : undefined,
    validatorName: spec.validator,
    pathRe,
    get allowlists(): readonly CompiledAllowlist[] {
      if (!allowlistsReady) {
        const late: ProblemDetail[] = [];
        allowlists = ruleAllowlists(spec, late, base);
        if (late.length > 0) throw new KeywardenError('RULE_INVALID', `rule "${spec.id}" is invalid`, late);
        allowlistsReady = true;
      }
      return allowlists;
    },
    confidence: spec.confidence ?? 'medium',
    keywords,
    windowLines: { before: spec.window?.before ?? CONTEXT_LINES, after: spec.window?.after ?? CONTEXT_LINES },
  };
}
