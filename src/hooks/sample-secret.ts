// A synthetic secret for the hook's self-test, made from the rules actually in effect (a repository
// may replace the default rules with its own): each candidate rule's regex is sampled into a string
// that should match it, and the engine confirms it is reported before the self-test uses it.
import { randomInt } from 'node:crypto';
import type { Engine } from '../engine/detect.js';
import type { CompiledRule } from '../engine/compile.js';
import { isInlineAllowed } from '../findings/inline-ignore.js';

type Node =
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; branches: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'chars'; chars: string }
  | { t: 'empty' };

class Unsupported extends Error {}

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const DIGITS = '0123456789';
const WORD = `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz${DIGITS}_`;
const ALNUM = WORD.slice(0, -1);

function complement(chars: string): string {
  const out = [...PRINTABLE].filter((c) => !chars.includes(c)).join('');
  if (!out) throw new Unsupported('empty negated class');
  return out;
}

/** A recursive-descent parser for the RE2 syntax rules use; anything else throws Unsupported. */
class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const n = this.alternation();
    if (this.i < this.src.length) throw new Unsupported(`unexpected ${this.src[this.i]}`);
    return n;
  }

  private alternation(): Node {
    const branches = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0]! : { t: 'alt', branches };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      items.push(this.quantified(this.atom()));
    }
    return { t: 'seq', items };
  }

  private quantified(node: Node): Node {
    const c = this.src[this.i];
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return node; // a literal brace
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Infinity;
    } else {
      return node;
    }
    if (this.src[this.i] === '?') this.i++; // lazy: same strings
    return this.quantified({ t: 'rep', node, min, max });
  }

  private atom(): Node {
    const c = this.src[this.i++]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return { t: 'chars', chars: this.charClass() };
      case '.':
        return { t: 'chars', chars: ALNUM };
      case '^':
      case '$':
        return { t: 'empty' };
      case '\\':
        return this.escape(false);
      default:
        return { t: 'chars', chars: c };
    }
  }

  private group(): Node {
    if (this.src[this.i] === '?') {
      const m = /^\?(?:P?<[A-Za-z_][A-Za-z0-9_]*>|[imsU-]*:|([imsU-]*)\))/.exec(this.src.slice(this.i));
      if (!m) throw new Unsupported('group syntax');
      this.i += m[0].length;
      if (m[0].endsWith(')')) return { t: 'empty' }; // a flag group like (?i)
    }
    const inner = this.alternation();
    if (this.src[this.i++] !== ')') throw new Unsupported('unbalanced group');
    return inner;
  }

  /** An escape; in a class, only character-producing ones are allowed. */
  private escape(inClass: boolean): Node {
    const c = this.src[this.i++];
    if (c === undefined) throw new Unsupported('trailing backslash');
    const classes: Record<string, string> = {
      d: DIGITS,
      w: WORD,
      s: ' ',
      D: complement(DIGITS),
      W: complement(WORD),
      S: ALNUM,
      n: '\n',
      t: '\t',
      r: '\r',
    };
    if (c in classes) return { t: 'chars', chars: classes[c]! };
    if (!inClass && 'bBAz'.includes(c)) return { t: 'empty' };
    if (c === 'x') {
      const m = /^(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2}))/.exec(this.src.slice(this.i));
      if (!m) throw new Unsupported('\\x');
      this.i += m[0].length;
      return { t: 'chars', chars: String.fromCodePoint(parseInt(m[1] ?? m[2]!, 16)) };
    }
    if (/[A-Za-z0-9]/.test(c)) throw new Unsupported(`\\${c}`);
    return { t: 'chars', chars: c };
  }

  private charClass(): string {
    let negate = false;
    if (this.src[this.i] === '^') {
      negate = true;
      this.i++;
    }
    let set = '';
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      if (this.src.startsWith('[:', this.i)) throw new Unsupported('POSIX class');
      const lo = this.classChar();
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && lo.length === 1) {
        this.i++;
        const hi = this.classChar();
        if (hi.length !== 1 || hi < lo) throw new Unsupported('class range');
        for (let code = lo.charCodeAt(0); code <= hi.charCodeAt(0); code++) set += String.fromCharCode(code);
      } else {
        set += lo;
      }
    }
    if (this.src[this.i++] !== ']') throw new Unsupported('unterminated class');
    // line breaks would split the test line
    const chars = [...new Set(negate ? complement(set) : set)].filter((ch) => ch !== '\n' && ch !== '\r').join('');
    if (!chars) throw new Unsupported('empty class');
    return chars;
  }

  private classChar(): string {
    const c = this.src[this.i++]!;
    if (c !== '\\') return c;
    const n = this.escape(true);
    return n.t === 'chars' ? n.chars : '';
  }
}

export function parsePattern(pattern: string): Node | undefined {
  try {
    return new Parser(pattern).parse();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/** Writes one string the pattern matches: `shortest` takes the fewest repetitions that look like a token. */
function generate(node: Node, shortest: boolean): string {
  switch (node.t) {
    case 'seq':
      return node.items.map((n) => generate(n, shortest)).join('');
    case 'alt':
      return generate(node.branches[shortest ? 0 : randomInt(node.branches.length)]!, shortest);
    case 'chars':
      return node.chars[randomInt(node.chars.length)]!;
    case 'empty':
      return '';
    case 'rep': {
      const unbounded = node.max === Infinity;
      let n: number;
      if (shortest) n = unbounded && node.min > 0 ? Math.max(node.min, 16) : node.min;
      else n = randomInt(node.min, (unbounded ? node.min + 24 : node.max) + 1);
      let out = '';
      for (let k = 0; k < n; k++) out += generate(node.node, shortest);
      return out;
    }
  }
}

export interface TestSecret {
  ruleId: string;
  /** The file content to stage: one line that the rule reports. */
  content: Buffer;
}

/** Rules that need a checksum or a particular path are tried last. */
function preference(rule: CompiledRule): number {
  return (rule.validator ? 2 : 0) + (rule.pathRe ? 1 : 0);
}

/**
 * A line the engine reports at `path`, built from the first rule that yields one; undefined when no
 * rule in effect can be sampled (or the path is allowlisted).
 */
export function synthesizeTestSecret(engine: Engine, path: string, attemptsPerRule = 12): TestSecret | undefined {
  if (engine.isPathAllowlisted(path)) return undefined;
  const rules = [...engine.rules].sort((a, b) => preference(a) - preference(b));
  for (const rule of rules) {
    if (!engine.acceptsPath(rule.id, path)) continue;
    const node = parsePattern(rule.spec.regex);
    if (!node) continue;
    for (let attempt = 0; attempt < attemptsPerRule; attempt++) {
      const line = generate(node, attempt < 3);
      if (line.includes('\n') || isInlineAllowed(line)) continue;
      const content = Buffer.from(`${line}\n`, 'utf8');
      const [match] = engine.scan({ bytes: content, path }).matches;
      if (match) return { ruleId: match.ruleId, content };
    }
  }
  return undefined;
}
