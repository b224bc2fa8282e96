import { describe, expect, it } from 'vitest';
import { compileAllowlist, compileRule } from '../../src/engine/compile.js';
import { Engine } from '../../src/engine/detect.js';
import { buildRuleSet } from '../../src/rules.js';
import { synthesizeTestSecret, parsePattern } from '../../src/hooks/sample-secret.js';
import type { RuleSpec } from '../../src/types.js';

const PATH = 'keywarden-self-test.txt';

function rule(over: Partial<RuleSpec>): RuleSpec {
  return { id: 'r', description: 'd', provider: 'p', severity: 'high', keywords: ['dmo_'], regex: '\\b(dmo_[A-Za-z0-9]{24})\\b', ...over };
}

describe('synthesizeTestSecret', () => {
  it('makes a line the rule reports, from the rule alone', () => {
    const engine = new Engine([compileRule(rule({}))]);
    const s = synthesizeTestSecret(engine, PATH)!;
    expect(s.ruleId).toBe('r');
    expect(s.content.toString()).toMatch(/^dmo_[A-Za-z0-9]{24}\n$/);
    expect(engine.scan({ bytes: s.content, path: PATH }).matches).toHaveLength(1);
  });

  it('handles context, case-insensitive groups, alternation, lazy and bounded repeats, classes and anchors', () => {
    const regex = `(?i)(?:acme|acme[_.-]corp)[\\w.\\-"'\\s:{(\\[<>]{0,40}?(?:api[_.-]?)?key["'\`]?\\s{0,3}(?:=|:=|=>|:)\\s{0,5}["'\`]?([a-f0-9]{32})(?:[^a-z0-9]|$)`;
    const engine = new Engine([compileRule(rule({ keywords: ['acme'], regex, entropy: 3 }))]);
    const s = synthesizeTestSecret(engine, PATH);
    expect(s?.content.toString()).toMatch(/^acme.*[a-f0-9]{32}/);
  });

  it('finds a sample among the default rules, preferring rules without checksums or paths', () => {
    const { engine } = buildRuleSet({ useDefaultRules: true, ruleFiles: [], rules: [], disabledRules: [] });
    const s = synthesizeTestSecret(engine, PATH)!;
    const matched = engine.scan({ bytes: s.content, path: PATH }).matches;
    expect(matched.length).toBeGreaterThan(0);
    const chosen = engine.rules.find((r) => r.id === s.ruleId)!;
    expect(chosen.validator).toBeUndefined();
    expect(chosen.pathRe).toBeUndefined();
    // most rules can be sampled at all, so a self-test works for most custom rule sets too
    const parsed = engine.rules.filter((r) => parsePattern(r.spec.regex) !== undefined).length;
    expect(parsed / engine.rules.length).toBeGreaterThan(0.9);
  });

  it('gives up when no rule can produce a reportable line', () => {
    // a checksum no random string passes, an unsupported escape, and a path the file never has
    const rules = [
      compileRule(rule({ id: 'gh', keywords: ['ghp_'], regex: '\\b(ghp_[0-9A-Za-z]{36})\\b', validator: 'github-checksum' })),
      compileRule(rule({ id: 'greek', keywords: ['zz'], regex: 'zz\\p{Greek}{10}' })),
      compileRule(rule({ id: 'npmrc', path: '\\.npmrc$' })),
    ];
    expect(synthesizeTestSecret(new Engine(rules), PATH)).toBeUndefined();
  });

  it('gives up when a global allowlist covers the test file', () => {
    const allow = compileAllowlist({ paths: ['^keywarden-'] }, [], {})!;
    const engine = new Engine([compileRule(rule({}))], { allowlists: [allow] });
    expect(synthesizeTestSecret(engine, PATH)).toBeUndefined();
  });
});
