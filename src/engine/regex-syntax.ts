// Reading RE2 pattern text without compiling it: what a rule's regex contains decides how it is
// checked at load and where the engine runs it. One walker knows escapes and character classes,
// so every question asked of a pattern skips them the same way.

export interface SyntaxToken {
  /** Offset of the token in the pattern (of the backslash, for an escape). */
  at: number;
  /** The character, or for an escape the character after the backslash. */
  char: string;
  escaped: boolean;
  inClass: boolean;
  /** Inside a class that starts with '^'. */
  negatedClass: boolean;
}

/**
 * Calls `visit` for every character of `pattern` that is not a class bracket, telling escapes and
 * class members apart; stops early and returns true when `visit` returns true.
 */
export function walkSyntax(pattern: string, visit: (t: SyntaxToken) => boolean | void): boolean {
  let inClass = false;
  let negated = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      if (visit({ at: i, char: pattern[i + 1] ?? '', escaped: true, inClass, negatedClass: negated })) return true;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else if (visit({ at: i, char: c, escaped: false, inClass, negatedClass: negated })) return true;
      continue;
    }
    if (c === '[') {
      inClass = true;
      negated = pattern[i + 1] === '^';
      if (negated) i++;
      // a ']' right after '[' or '[^' is a member, not the end of the class
      if (pattern[i + 1] === ']') {
        i++;
        if (visit({ at: i, char: ']', escaped: false, inClass, negatedClass: negated })) return true;
      }
      continue;
    }
    if (visit({ at: i, char: c, escaped: false, inClass: false, negatedClass: false })) return true;
  }
  return false;
}

/**
 * Finds syntax RE2 does not support and would otherwise reject with a terse message (or that a
 * translator might silently alter): lookaround and backreferences. Returns a message or undefined.
 */
export function unsupportedSyntax(pattern: string): string | undefined {
  let problem: string | undefined;
  walkSyntax(pattern, (t) => {
    if (t.inClass) return;
    if (t.escaped) {
      if (/[1-9]/.test(t.char)) problem = `backreference \\${t.char} at offset ${t.at} is not supported (RE2 has no backreferences)`;
      else if (t.char === 'k' && pattern[t.at + 2] === '<') problem = `named backreference at offset ${t.at} is not supported (RE2 has no backreferences)`;
    } else if (t.char === '(' && pattern[t.at + 1] === '?') {
      const rest = pattern.slice(t.at + 2, t.at + 4);
      if (rest.startsWith('=') || rest.startsWith('!')) problem = `lookahead "(?${rest[0]}" at offset ${t.at} is not supported (RE2 has no lookaround)`;
      else if (rest === '<=' || rest === '<!') problem = `lookbehind "(?${rest}" at offset ${t.at} is not supported (RE2 has no lookaround)`;
    }
    return problem !== undefined;
  });
  return problem;
}

/** Number of capture groups in a pattern: '(' not opening a non-capturing or flag group. */
export function groupCount(pattern: string): number {
  let n = 0;
  walkSyntax(pattern, (t) => {
    if (t.escaped || t.inClass || t.char !== '(') return;
    const i = t.at;
    if (pattern[i + 1] !== '?') n++;
    else if (pattern[i + 2] === 'P' && pattern[i + 3] === '<') n++; // (?P<name>...)
    else if (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') n++; // (?<name>...)
  });
  return n;
}

/** A pattern that can span many lines (an explicit \n, (?s), [\s\S]) must see the whole fragment. */
export function spansLines(pattern: string): boolean {
  if (/\(\?[a-z]*s[a-z]*[:)]/.test(pattern) || /\[\\([sSwWdD])\\(?!\1)[sSwWdD]\]/.test(pattern)) return true;
  return walkSyntax(pattern, (t) => t.escaped && t.char === 'n' && !(t.inClass && t.negatedClass));
}

/** The case-sensitive literal a pattern must start with ("" when none or case-insensitive). */
export function literalPrefix(pattern: string): string {
  let i = 0;
  let out = '';
  // skip leading word boundaries and group openers
  for (;;) {
    if (pattern.startsWith('\\b', i)) i += 2;
    else if (pattern.startsWith('(?:', i)) i += 3;
    else if (pattern[i] === '(' && pattern[i + 1] !== '?') i += 1;
    else break;
  }
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (/[A-Za-z0-9_\-/:@=&]/.test(c)) {
      out += c;
      i++;
    } else if (c === '\\' && /[.\-/_]/.test(pattern[i + 1] ?? '')) {
      out += pattern[i + 1];
      i += 2;
    } else break;
  }
  // a quantifier or alternation right after makes the last char (or all) optional
  const next = pattern[i];
  if (next === '?' || next === '*' || next === '{') out = out.slice(0, -1);
  if (next === '|' || /\|/.test(pattern.slice(0, i))) return '';
  return out;
}

/** `s` as a pattern matching it literally (RE2 and V8 alike). */
export function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
