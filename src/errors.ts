// Typed errors: a code and data. Only cli/ renders them.

export type ErrorCode = 'RULE_INVALID' | 'CONFIG_INVALID' | 'USAGE' | 'GIT' | 'IO';

export interface ProblemDetail {
  /** The file the problem is in. */
  file?: string;
  /** The rule the problem is in, where there is one. */
  ruleId?: string;
  /** JSON-pointer-like path of the offending field, e.g. /rules/3/regex. */
  field?: string;
  message: string;
}

export class KeywardenError extends Error {
  readonly code: ErrorCode;
  readonly problems: ProblemDetail[];

  constructor(code: ErrorCode, message: string, problems: ProblemDetail[] = []) {
    super(message);
    this.name = 'KeywardenError';
    this.code = code;
    this.problems = problems;
  }
}

export function formatProblem(p: ProblemDetail): string {
  const where = [p.file, p.ruleId ? `rule "${p.ruleId}"` : undefined, p.field ? `field ${p.field}` : undefined]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${p.message}` : p.message;
}
