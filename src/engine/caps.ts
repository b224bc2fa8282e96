// Limits that stop one rule early in one fragment, so no rule (bundled or user-supplied) can stall
// a scan or flood a report; each hit is reported, never silent.

export type CapLimit = 'rule' | 'fragment' | 'time';

export interface CapHit {
  ruleId: string;
  limit: CapLimit;
  /** Matches of this rule reported in the fragment before it stopped. */
  matches: number;
}

export interface CapLimits {
  maxMatchesPerRule: number;
  maxMatchesPerFragment: number;
  maxRuleMillis: number;
}

export const DEFAULT_CAP_LIMITS: CapLimits = { maxMatchesPerRule: 200, maxMatchesPerFragment: 1000, maxRuleMillis: 1000 };

/** One line for a diagnostic: which rule, where, how many matches, which limit. */
export function describeCap(cap: CapHit, where: string, limits: CapLimits = DEFAULT_CAP_LIMITS): string {
  const why =
    cap.limit === 'rule'
      ? `at most ${limits.maxMatchesPerRule} matches per rule per file`
      : cap.limit === 'fragment'
        ? `at most ${limits.maxMatchesPerFragment} matches per file, all rules together`
        : `the rule's pattern ran for more than ${limits.maxRuleMillis} ms on this file`;
  return `cap hit: rule ${cap.ruleId} in ${where}, ${cap.matches} matches, further matches not reported (${why})`;
}

/** One line for a diagnostic when decoding stopped at its budget in a file. */
export function describeDecodeLimit(where: string): string {
  return `decoding limit hit in ${where}: encoded text beyond the per-file budget (3 layers, 1,000 runs, min(4 MiB, twice the file) decoded bytes) was not decoded, so secrets inside it may be missed`;
}
