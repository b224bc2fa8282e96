import type { ErrorObject } from 'ajv';
import type { ProblemDetail } from '../errors.js';

/** Turns ajv errors into problems naming the file, the rule id (when inside a rule) and the field. */
export function ajvProblems(errors: ErrorObject[] | null | undefined, file: string, data: unknown): ProblemDetail[] {
  const out: ProblemDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // oneOf/anyOf wrappers repeat what their branches said more precisely
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'not') continue;
    let field = e.instancePath || '/';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      field = `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not a known field';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    } else if (e.keyword === 'required') {
      field = `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`;
      message = 'is required';
    }
    const ruleId = ruleIdAt(data, e.instancePath);
    const key = `${field}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file, ruleId, field, message });
  }
  return out;
}

function ruleIdAt(data: unknown, pointer: string): string | undefined {
  const m = /^\/rules\/(\d+)/.exec(pointer);
  if (!m || !data || typeof data !== 'object') return undefined;
  const rules = (data as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) return undefined;
  const rule = rules[Number(m[1])] as { id?: unknown } | undefined;
  return typeof rule?.id === 'string' ? rule.id : undefined;
}
