// Scanning one fragment into findings and diagnostics: the same work whether it runs in-process
// or in a worker thread (fragment-worker.ts).
import { describeCap, describeDecodeLimit } from '../engine/caps.js';
import { buildFindings } from '../findings/build.js';
import type { RuleSet } from '../rules.js';
import type { Diagnostic, Finding, Fragment } from '../types.js';

export interface FragmentOutcome {
  findings: Finding[];
  diagnostics: Diagnostic[];
}

export function scanFragment(fragment: Fragment, ruleSet: RuleSet, redact: boolean): FragmentOutcome {
  const r = ruleSet.engine.scan(fragment);
  const findings = r.matches.length > 0 ? buildFindings(fragment, r.matches, r.lines, ruleSet.meta, { redact }) : [];
  const diagnostics: Diagnostic[] = [];
  if (r.decodeLimited) diagnostics.push({ kind: 'cap-hit', path: fragment.path, level: 'warning', message: describeDecodeLimit(fragment.path) });
  for (const cap of r.caps) {
    diagnostics.push({ kind: 'cap-hit', path: fragment.path, level: 'warning', message: describeCap(cap, fragment.path) });
  }
  return { findings, diagnostics };
}
