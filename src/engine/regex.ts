// The only module that imports RE2. RE2 keeps matching linear in the input, which is what lets
// user-supplied rules run on untrusted repositories without stalling a scan.
import RE2 from 're2';

export type Regex = InstanceType<typeof RE2>;

/**
 * Finds syntax RE2 does not support and would otherwise reject with a terse message (or that a
 * translator might silently alter): lookaround and backreferences. Returns a message or undefined.
 */
export function unsupportedSyntax(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (!inClass && n !== undefined && /[1-9]/.test(n)) {
        return `backreference \\${n} at offset ${i} is not supported (RE2 has no backreferences)`;
      }
      if (!inClass && n === 'k' && pattern[i + 2] === '<') {
        return `named backreference at offset ${i} is not supported (RE2 has no backreferences)`;
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // a ']' right after '[' or '[^' is a literal
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!')) {
        return `lookahead "(?${rest[0]}" at offset ${i} is not supported (RE2 has no lookaround)`;
      }
      if (rest === '<=' || rest === '<!') {
        return `lookbehind "(?${rest}" at offset ${i} is not supported (RE2 has no lookaround)`;
      }
    }
  }
  return undefined;
}

/** Compiles an RE2 pattern; throws an Error whose message says what is wrong. */
export function compileRegex(pattern: string, flags = ''): Regex {
  const unsupported = unsupportedSyntax(pattern);
  if (unsupported) throw new Error(unsupported);
  try {
    return new RE2(pattern, flags);
  } catch (err) {
    throw new Error(`invalid RE2 pattern: ${(err as Error).message}`);
  }
}

/** Number of capture groups in a pattern: '(' not opening a non-capturing or flag group. */
export function groupCount(pattern: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c !== '(') continue;
    if (pattern[i + 1] !== '?') n++;
    else if (pattern[i + 2] === 'P' && pattern[i + 3] === '<') n++; // (?P<name>...)
    else if (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') n++; // (?<name>...)
  }
  return n;
}

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** Case-insensitive multi-literal matcher: which of the keywords occur in a buffer. */
export class KeywordSet {
  private readonly set: InstanceType<typeof RE2.Set> | undefined;
  readonly keywords: readonly string[];

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    this.set = keywords.length > 0 ? new RE2.Set(keywords.map(escapeLiteral), 'i') : undefined;
  }

  /** Indices (into `keywords`) of the keywords present in `bytes`. */
  match(bytes: Buffer): number[] {
    return this.set ? this.set.match(bytes) : [];
  }
}
