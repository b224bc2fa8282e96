// Which gitleaks rules a keywarden rule covers. The correspondence is data (the `gitleaks` field
// of a rule); a rule without the field covers the gitleaks rule that has its own id, if any.
import type { RuleSpec } from '../types.js';

/** The gitleaks rule ids `spec` covers. Without a `gitleaks` field: its own id. */
export function gitleaksIdsOf(spec: Pick<RuleSpec, 'id' | 'gitleaks'>): string[] {
  return spec.gitleaks ?? [spec.id];
}

/** gitleaks rule id -> the ids of the rules (in `specs` order) that cover it. */
export function rulesByGitleaksId(specs: readonly Pick<RuleSpec, 'id' | 'gitleaks'>[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const spec of specs) {
    for (const gid of gitleaksIdsOf(spec)) out.set(gid, [...(out.get(gid) ?? []), spec.id]);
  }
  return out;
}
