// The engine: bytes in, matches out. Synchronous and pure (no files, no network), so it runs
// unchanged in worker threads.
import type { Confidence, Fragment, Match } from '../types.js';
import type { CompiledAllowlist, CompiledRule } from './compile.js';
import { shannonEntropy } from './entropy.js';
import { LineIndex } from './location.js';
import { KeywordSet } from './regex.js';
import { KeywordPositions, keywordWindows, needsWindows } from './windows.js';

export interface EngineOptions {
  /** Allowlists that apply to every rule (config, defaults). */
  allowlists?: CompiledAllowlist[];
  /** At most this many matches per rule per fragment; the rest is reported as capped. */
  maxMatchesPerRule?: number;
}

export interface FragmentResult {
  matches: Match[];
  /** Rules whose match cap was hit in this fragment. */
  capped: string[];
  lines: LineIndex;
}

const CONFIDENCE_RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };

function stopwordHit(allowlist: CompiledAllowlist, secretLower: string): boolean {
  for (const w of allowlist.stopwords) if (secretLower.includes(w)) return true;
  return false;
}

export class Engine {
  readonly rules: readonly CompiledRule[];
  private readonly keywordSet: KeywordSet;
  /** keyword index -> indices of rules that carry it */
  private readonly rulesByKeyword: number[][];
  private readonly allowlists: CompiledAllowlist[];
  private readonly maxMatchesPerRule: number;
  private readonly byId: Map<string, CompiledRule>;
  /** Per rule: run on keyword windows rather than the whole fragment. */
  private readonly windowed: boolean[];

  constructor(rules: readonly CompiledRule[], options: EngineOptions = {}) {
    this.rules = rules;
    this.allowlists = options.allowlists ?? [];
    this.maxMatchesPerRule = options.maxMatchesPerRule ?? 200;
    this.byId = new Map(rules.map((r) => [r.id, r]));
    this.windowed = rules.map((r) => needsWindows(r.spec.regex));
    const keywordIndex = new Map<string, number>();
    const rulesByKeyword: number[][] = [];
    rules.forEach((rule, ruleIdx) => {
      for (const kw of rule.keywords) {
        let k = keywordIndex.get(kw);
        if (k === undefined) {
          k = rulesByKeyword.length;
          keywordIndex.set(kw, k);
          rulesByKeyword.push([]);
        }
        rulesByKeyword[k]!.push(ruleIdx);
      }
    });
    this.keywordSet = new KeywordSet([...keywordIndex.keys()]);
    this.rulesByKeyword = rulesByKeyword;
  }

  /** Whether a global path allowlist excludes this path from scanning altogether. */
  isPathAllowlisted(path: string): boolean {
    return this.allowlists.some((a) => a.paths.some((re) => re.test(path)));
  }

  private ruleAcceptsPath(rule: CompiledRule, path: string): boolean {
    if (rule.pathRe && !rule.pathRe.test(path)) return false;
    return !rule.allowlist?.paths.some((re) => re.test(path));
  }

  /** Whether a match of `ruleId` may be reported at `path` (path scope, rule and global path allowlists). */
  acceptsPath(ruleId: string, path: string): boolean {
    const rule = this.byId.get(ruleId);
    if (!rule) return false;
    return this.ruleAcceptsPath(rule, path) && !this.isPathAllowlisted(path);
  }

  /** Indices of the rules whose keywords occur in `bytes`, in rule order, and the keywords present. */
  candidateRules(bytes: Buffer): number[] {
    return this.candidates(bytes).rules;
  }

  private candidates(bytes: Buffer): { rules: number[]; present: Set<string> } {
    const hits = this.keywordSet.match(bytes);
    if (hits.length === 0) return { rules: [], present: new Set() };
    const seen = new Uint8Array(this.rules.length);
    const present = new Set<string>();
    for (const k of hits) {
      present.add(this.keywordSet.keywords[k]!);
      for (const r of this.rulesByKeyword[k]!) seen[r] = 1;
    }
    const rules: number[] = [];
    for (let i = 0; i < seen.length; i++) if (seen[i]) rules.push(i);
    return { rules, present };
  }

  /**
   * Scans one fragment. With `deferPathChecks` (history blobs, whose paths are known only after
   * attribution) path-scoped rules run everywhere and `acceptsPath` filters afterwards.
   */
  scan(fragment: Fragment, opts: { deferPathChecks?: boolean } = {}): FragmentResult {
    const { bytes, path } = fragment;
    const deferPaths = opts.deferPathChecks === true;
    const lines = new LineIndex(bytes);
    const matches: Match[] = [];
    const capped: string[] = [];
    const { rules: candidates, present } = this.candidates(bytes);
    const positions = new KeywordPositions(bytes);
    for (const ri of candidates) {
      const rule = this.rules[ri]!;
      if (!deferPaths && !this.ruleAcceptsPath(rule, path)) continue;
      let n: number;
      if (this.windowed[ri]) {
        const windows = keywordWindows(bytes, positions, rule.keywords.filter((k) => present.has(k)));
        n = windows ? this.scanRule(rule, bytes, lines, matches, windows) : this.scanRule(rule, bytes, lines, matches);
      } else {
        n = this.scanRule(rule, bytes, lines, matches);
      }
      if (n < 0) capped.push(rule.id);
    }
    return { matches: suppressWeakerOverlaps(matches, this.rules), capped, lines };
  }

  /**
   * Appends the rule's matches in the whole fragment or in the given byte windows; returns how
   * many, or -1 when the cap was hit.
   */
  private scanRule(rule: CompiledRule, bytes: Buffer, lines: LineIndex, out: Match[], windows?: Array<[number, number]>): number {
    const re = rule.re;
    let count = 0;
    const ranges = windows ?? [[0, bytes.length] as [number, number]];
    for (const [from, to] of ranges) {
      const input = from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to);
      re.lastIndex = 0;
      for (;;) {
        const m = re.exec(input as unknown as string);
        if (!m) break;
        const indices = (m as unknown as { indices: Array<[number, number] | undefined> }).indices;
        const rel = indices[0]!;
        if (rel[1] === rel[0]) re.lastIndex = rel[1] + 1; // never loop on an empty match
        let span = indices[rule.secretGroup];
        if (!span) for (let g = 1; g < indices.length && !span; g++) span = indices[g];
        if (!span || span[1] <= span[0]) continue;
        const whole: [number, number] = [rel[0] + from, rel[1] + from];
        const r = this.record(rule, bytes, lines, out, whole, span[0] + from, span[1] + from);
        if (r && ++count > this.maxMatchesPerRule) {
          out.pop();
          return -1;
        }
      }
    }
    return count;
  }

  /** Checks one candidate and appends it; returns whether it was kept. */
  private record(rule: CompiledRule, bytes: Buffer, lines: LineIndex, out: Match[], whole: [number, number], start: number, end: number): boolean {
    {
      const secret = bytes.toString('utf8', start, end);
      if (!this.accept(rule, secret, bytes, whole, lines, start)) return false;
      const entropy = shannonEntropy(secret);
      out.push({
        ruleId: rule.id,
        start,
        end,
        matchStart: whole[0],
        matchEnd: whole[1],
        secret,
        entropy: Math.round(entropy * 1000) / 1000,
        ...lines.locate(start, end),
      });
      return true;
    }
  }

  private accept(
    rule: CompiledRule,
    secret: string,
    bytes: Buffer,
    whole: [number, number],
    lines: LineIndex,
    start: number,
  ): boolean {
    if (rule.minEntropy !== undefined && shannonEntropy(secret) < rule.minEntropy) return false;
    if (rule.validator && !rule.validator(secret)) return false;
    const lower = secret.toLowerCase();
    const lists = rule.allowlist ? [rule.allowlist, ...this.allowlists] : this.allowlists;
    for (const list of lists) {
      if (stopwordHit(list, lower)) return false;
      if (list.regexes.length === 0) continue;
      let target: string;
      if (list.regexTarget === 'match') target = bytes.toString('utf8', whole[0], whole[1]);
      else if (list.regexTarget === 'line') {
        const [ls, le] = lines.lineRange(lines.lineOf(start));
        target = bytes.toString('utf8', ls, le);
      } else target = secret;
      if (list.regexes.some((re) => re.test(target))) return false;
    }
    return true;
  }
}

/**
 * When a more specific rule already reports a secret, a less confident rule (a generic one)
 * matching an overlapping span adds only noise: keep the most confident.
 */
function suppressWeakerOverlaps(matches: Match[], rules: readonly CompiledRule[]): Match[] {
  if (matches.length < 2) return matches;
  const conf = new Map(rules.map((r) => [r.id, CONFIDENCE_RANK[r.confidence]]));
  return matches.filter((m) => {
    const mine = conf.get(m.ruleId)!;
    return !matches.some(
      (o) => o !== m && (conf.get(o.ruleId) ?? 0) > mine && o.start < m.end && m.start < o.end,
    );
  });
}
