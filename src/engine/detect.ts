// The engine: bytes in, matches out. Synchronous and pure (no files, no network), so it runs
// unchanged in worker threads.
import type { Confidence, Fragment, Match } from '../types.js';
import { DEFAULT_CAP_LIMITS, type CapHit } from './caps.js';
import type { CompiledAllowlist, CompiledRule } from './compile.js';
import { boundaryAt, nextBoundary } from './boundary.js';
import { DEFAULT_DECODE_LIMITS, DecodeBudget, findEncodedSpans, type DecodeLimits, type Encoding } from './decode.js';
import { shannonEntropy } from './entropy.js';
import { LineIndex } from './location.js';
import { nativeAddon, type NativeAddon } from './native.js';
import { Prefilter } from './prefilter.js';
import { anchoredWindowsFlat, anchorKeyword, keywordWindowsFlat, needsWindows, type FlatWindows, type KeywordLocator } from './windows.js';

export interface EngineOptions {
  /** Allowlists that apply to every rule (config, defaults). */
  allowlists?: CompiledAllowlist[];
  /** At most this many matches per rule per fragment; the rest is reported as capped. */
  maxMatchesPerRule?: number;
  /** At most this many matches per fragment, all rules together. */
  maxMatchesPerFragment?: number;
  /** A rule stops on a fragment after this long (RE2 is linear per search, not per match list). */
  maxRuleMillis?: number;
  /** Limits on decoding base64, hex, percent-encoded and escaped text; false turns decoding off. */
  decode?: Partial<DecodeLimits> | false;
  /** false: search a rule's windows one RE2 call each, never gathered (the tests compare both). */
  gather?: boolean;
}

/**
 * A rule with at least this many windows in a fragment searches them gathered into one buffer:
 * an RE2 call costs ~250 ns whatever it searches, and copying the windows is one native call.
 */
const GATHER_MIN_WINDOWS = 4;

export interface FragmentResult {
  matches: Match[];
  /** Rules whose match cap was hit in this fragment. */
  capped: string[];
  /** Which cap each of those rules hit, and how many matches it reported before. */
  caps: CapHit[];
  lines: LineIndex;
  /** Set when the decoding budget ran out: some encoded text in the fragment was not decoded. */
  decodeLimited?: true;
}

/** A decoded region of one layer's buffer and the encoded span of the fragment it came from. */
interface DecodedSegment {
  /** Where its line context (plain text before the span) starts in the layer's buffer. */
  contextStart: number;
  from: number;
  to: number;
  /** The outermost encoded span, in fragment offsets. */
  origin: [number, number];
  /** Encodings undone to get here, outermost first. */
  chain: Encoding[];
}

/** Plain text kept before a decoded span (same line), so a key name there gives the value context. */
const DECODE_CONTEXT_BYTES = 64;

const CONFIDENCE_RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };

function stopwordHit(allowlist: CompiledAllowlist, secretLower: string): boolean {
  for (const w of allowlist.stopwords) if (secretLower.includes(w)) return true;
  return false;
}

export class Engine {
  readonly rules: readonly CompiledRule[];
  private readonly prefilter: Prefilter;
  /** keyword index -> indices of rules that carry it */
  private readonly rulesByKeyword: number[][];
  private readonly allowlists: CompiledAllowlist[];
  private readonly maxMatchesPerRule: number;
  private readonly maxMatchesPerFragment: number;
  private readonly maxRuleMillis: number;
  private readonly byId: Map<string, CompiledRule>;
  /** Per rule: run on keyword windows rather than the whole fragment. */
  private readonly windowed: boolean[];
  /** Rule id -> rank of its confidence, for suppressWeakerOverlaps. */
  private readonly confidenceRank: ReadonlyMap<string, number>;
  /** Per rule: whether its path or an allowlist path can exclude a file (most rules: no). */
  private readonly pathScoped: boolean[];
  /** Per rule: the keyword every match starts with, when there is one (see anchorKeyword). */
  private readonly anchors: Array<string | undefined>;
  private readonly decodeLimits: DecodeLimits;
  /** Per rule: its windows may be searched gathered (see scanGathered). */
  private readonly gatherable: boolean[];
  private readonly native: NativeAddon | undefined;
  /** Scratch for scanGathered: the gathered bytes. */
  private gatherBytes = Buffer.alloc(0);

  constructor(rules: readonly CompiledRule[], options: EngineOptions = {}) {
    this.rules = rules;
    this.allowlists = options.allowlists ?? [];
    this.maxMatchesPerRule = options.maxMatchesPerRule ?? DEFAULT_CAP_LIMITS.maxMatchesPerRule;
    this.maxMatchesPerFragment = options.maxMatchesPerFragment ?? DEFAULT_CAP_LIMITS.maxMatchesPerFragment;
    this.maxRuleMillis = options.maxRuleMillis ?? DEFAULT_CAP_LIMITS.maxRuleMillis;
    this.byId = new Map(rules.map((r) => [r.id, r]));
    this.confidenceRank = new Map(rules.map((r) => [r.id, CONFIDENCE_RANK[r.confidence]]));
    this.windowed = rules.map((r) => r.spec.window !== undefined || needsWindows(r.spec.regex));
    this.pathScoped = rules.map(
      (r) => r.spec.path !== undefined || [r.spec.allowlist, ...(r.spec.allowlists ?? [])].some((l) => (l?.paths?.length ?? 0) > 0),
    );
    // the run pattern: a leading \b moved out leaves the literal in front
    this.anchors = rules.map((r, i) => (this.windowed[i] ? undefined : anchorKeyword(r.runPattern, r.keywords)));
    // \A and \z would hold at each window's edge alone
    this.gatherable = rules.map((r) => !/\\[Az]/.test(r.runPattern));
    this.native = options.gather === false ? undefined : nativeAddon();
    this.decodeLimits = options.decode === false ? { ...DEFAULT_DECODE_LIMITS, maxDepth: 0 } : { ...DEFAULT_DECODE_LIMITS, ...options.decode };
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
    // keywords of windowed rules are the ones whose positions a fragment may need
    const positional = new Set(rules.flatMap((r, i) => (this.windowed[i] ? r.keywords : this.anchors[i] ? [this.anchors[i]!] : [])));
    this.prefilter = new Prefilter([...keywordIndex.keys()], positional);
    this.rulesByKeyword = rulesByKeyword;
  }

  /** Whether a global path allowlist excludes this path from scanning altogether. */
  isPathAllowlisted(path: string): boolean {
    return this.allowlists.some((a) => a.paths.some((re) => re.test(path)));
  }

  /** `path` as UTF-8 bytes is cheaper for RE2 than a JS string (converted on every test). */
  private ruleAcceptsPath(rule: CompiledRule, path: string | Buffer): boolean {
    const subject = path as unknown as string;
    if (rule.pathRe && !rule.pathRe.test(subject)) return false;
    return !rule.allowlists.some((l) => l.paths.some((re) => re.test(subject)));
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

  /** Whether the keyword prefilter runs natively (one pass) or on RE2.Set (see prefilter.ts). */
  get nativePrefilter(): boolean {
    return this.prefilter.native;
  }

  private candidates(bytes: Buffer): { rules: number[]; present: Set<string>; positions: KeywordLocator } {
    const hits = this.prefilter.scan(bytes);
    const present = new Set<string>();
    if (hits.present.length === 0) return { rules: [], present, positions: hits.positions };
    const seen = new Uint8Array(this.rules.length);
    for (const k of hits.present) {
      present.add(this.prefilter.keywords[k]!);
      for (const r of this.rulesByKeyword[k]!) seen[r] = 1;
    }
    const rules: number[] = [];
    for (let i = 0; i < seen.length; i++) if (seen[i]) rules.push(i);
    return { rules, present, positions: hits.positions };
  }

  /**
   * Scans one fragment. With `deferPathChecks` (history blobs, whose paths are known only after
   * attribution) path-scoped rules run everywhere and `acceptsPath` filters afterwards.
   */
  scan(fragment: Fragment, opts: { deferPathChecks?: boolean } = {}): FragmentResult {
    const { bytes, path } = fragment;
    const deferPaths = opts.deferPathChecks === true;
    const lines = new LineIndex(bytes);
    const result: FragmentResult = { ...this.scanBytes(bytes, path, deferPaths, lines), lines };
    if (this.decodeLimits.maxDepth > 0) this.scanDecoded(bytes, path, deferPaths, result);
    return result;
  }

  /**
   * Scans the encoded spans of a fragment, decoded layer by layer, with all rules; adds what the
   * plain text did not already show, located at the outermost encoded span.
   */
  private scanDecoded(bytes: Buffer, path: string, deferPaths: boolean, result: FragmentResult): void {
    const budget = new DecodeBudget(this.decodeLimits, bytes.length);
    const top = findEncodedSpans(bytes, budget);
    if (top.length === 0) {
      if (budget.exhausted) result.decodeLimited = true;
      return;
    }
    const plain = result.matches;
    const seen = new Set(plain.map((m) => `${m.ruleId}\0${m.secret}`));
    const found: Match[] = [];
    let layer = bytes;
    let segments: DecodedSegment[] = [{ contextStart: 0, from: 0, to: bytes.length, origin: [0, bytes.length], chain: [] }];
    for (let depth = 1; depth <= this.decodeLimits.maxDepth && segments.length > 0; depth++) {
      const parts: Buffer[] = [];
      const next: DecodedSegment[] = [];
      let size = 0;
      for (const seg of segments) {
        for (const span of depth === 1 ? top : findEncodedSpans(layer.subarray(seg.from, seg.to), budget)) {
          const start = seg.from + span.start;
          const context = layer.subarray(contextStart(layer, start), start);
          const from = size + context.length;
          next.push({
            contextStart: size,
            from,
            to: from + span.decoded.length,
            origin: depth === 1 ? [start, seg.from + span.end] : seg.origin,
            chain: [...seg.chain, span.encoding],
          });
          parts.push(context, span.decoded, NEWLINE);
          size = from + span.decoded.length + 1;
        }
        if (budget.exhausted) break;
      }
      if (next.length === 0) break;
      layer = Buffer.concat(parts, size);
      segments = next;
      const r = this.scanBytes(layer, path, deferPaths, new LineIndex(layer));
      for (const cap of r.caps) {
        if (result.capped.includes(cap.ruleId)) continue;
        result.capped.push(cap.ruleId);
        result.caps.push(cap);
      }
      for (const m of r.matches) {
        const seg = segmentAt(segments, m.start);
        // within the plain context only (scanned before), or running on into the next span
        if (!seg || m.end <= seg.from || m.end > seg.to) continue;
        const key = `${m.ruleId}\0${m.secret}`;
        const [start, end] = seg.origin;
        // the same secret found in plain text, or the same rule already matching the encoded text
        // itself (a rule written for a percent-encoded form): nothing new
        if (seen.has(key) || plain.some((p) => p.ruleId === m.ruleId && p.start < end && start < p.end)) continue;
        seen.add(key);
        found.push({ ...m, start, end, matchStart: start, matchEnd: end, ...result.lines.locate(start, end), encoding: seg.chain });
      }
    }
    if (budget.exhausted) result.decodeLimited = true;
    if (found.length > 0) result.matches = suppressWeakerOverlaps([...plain, ...found], this.confidenceRank);
  }

  /** Runs every candidate rule over `bytes`. */
  private scanBytes(bytes: Buffer, path: string, deferPaths: boolean, lines: LineIndex): Omit<FragmentResult, 'lines'> {
    const matches: Match[] = [];
    const capped: string[] = [];
    const caps: CapHit[] = [];
    const { rules: candidates, present, positions } = this.candidates(bytes);
    let pathBytes: Buffer | undefined;
    for (const ri of candidates) {
      const rule = this.rules[ri]!;
      if (!deferPaths && this.pathScoped[ri] && !this.ruleAcceptsPath(rule, (pathBytes ??= Buffer.from(path)))) continue;
      let n: number;
      const before = matches.length;
      if (this.windowed[ri]) {
        const windows = keywordWindowsFlat(bytes, positions, rule.keywords.filter((k) => present.has(k)), rule.windowLines);
        n = windows ? this.scanRule(rule, bytes, lines, matches, windows, ri) : this.scanRule(rule, bytes, lines, matches);
      } else {
        const anchor = this.anchors[ri];
        // its literal starts with the keyword, so without the keyword it cannot match
        if (anchor !== undefined && !present.has(anchor)) continue;
        const at = anchor !== undefined ? positions.of(anchor) : undefined;
        n = at ? this.scanRule(rule, bytes, lines, matches, anchoredWindowsFlat(bytes, at), ri) : this.scanRule(rule, bytes, lines, matches);
      }
      if (n < 0) {
        capped.push(rule.id);
        caps.push({ ruleId: rule.id, limit: n === -1 ? 'rule' : n === -2 ? 'fragment' : 'time', matches: matches.length - before });
        if (n === -2) break;
      }
    }
    return { matches: suppressWeakerOverlaps(matches, this.confidenceRank), capped, caps };
  }

  /**
   * Appends the rule's matches in the whole fragment or in the given byte windows; returns how
   * many, or -1 when the rule's cap was hit, -2 the fragment's, -3 its time budget.
   */
  private scanRule(rule: CompiledRule, bytes: Buffer, lines: LineIndex, out: Match[], windows?: FlatWindows, ri = -1): number {
    const run: RuleRun = { rule, bytes, lines, out, count: 0, started: performance.now() };
    if (!windows) {
      const r = this.scanWindow(run, 0, bytes.length);
      return r < 0 ? r : run.count;
    }
    if (windows instanceof Int32Array && windows.length >= 2 * GATHER_MIN_WINDOWS && this.native && this.gatherable[ri]) {
      const r = this.scanGathered(run, windows, this.native);
      return r < 0 ? r : run.count;
    }
    for (let i = 0; i < windows.length; i += 2) {
      const r = this.scanWindow(run, windows[i]!, windows[i + 1]!);
      if (r < 0) return r;
    }
    return run.count;
  }

  /**
   * Runs the rule over its windows copied one after another into one buffer, a newline after
   * each, with the matches of one search per window. In the gathered buffer a window's text is
   * what the window holds, and what comes before it is a newline, as at a window's start (`^`
   * and `\b` hold alike); a match that starts on that newline or runs past its window's end has no
   * counterpart there, so that window is searched alone, from where the gathered search was,
   * and the gathered search resumes after it. Returns 0, or a cap code as scanRule does.
   */
  private scanGathered(run: RuleRun, ws: Int32Array, native: NativeAddon): number {
    const n = ws.length >> 1;
    let total = n;
    for (let i = 0; i < ws.length; i += 2) total += ws[i + 1]! - ws[i]!;
    if (this.gatherBytes.length < total) this.gatherBytes = Buffer.allocUnsafe(Math.max(total, 2 * this.gatherBytes.length));
    const len = native.gather(run.bytes, ws, n, this.gatherBytes);
    if (len !== total) throw new Error('gathering keyword windows: a window is out of range');
    const input = this.gatherBytes.subarray(0, len);
    const re = run.rule.re;
    // window k is input[start, start + size), its newline at start + size
    let k = 0;
    let start = 0;
    let size = ws[1]! - ws[0]!;
    let from = 0; // where the next search starts
    while (from < len) {
      re.lastIndex = from;
      const m = re.exec(input as unknown as string);
      if (!m) return 0;
      const indices = (m as unknown as { indices: Array<[number, number] | undefined> }).indices;
      const [a, b] = indices[0]!;
      while (k < n - 1 && a >= start + size) {
        start += size + 1;
        k++;
        size = ws[2 * k + 1]! - ws[2 * k]!;
      }
      if (a >= start + size) return 0; // on the newline after the last window: in no window
      if (run.rule.leadingBoundary && a >= start) {
        // as scanWindow: a start where the moved-out \b does not hold (in the fragment) is skipped
        const at = ws[2 * k]! + (a - start);
        if (!boundaryAt(run.bytes, at)) {
          from = start + (nextBoundary(run.bytes, at + 1, ws[2 * k + 1]!) - ws[2 * k]!);
          continue;
        }
      }
      if (a < start || b > start + size) {
        const r = this.scanWindow(run, ws[2 * k]!, ws[2 * k + 1]!, Math.max(0, from - start));
        if (r < 0) return r;
        from = start + size;
        continue;
      }
      const r = this.take(run, indices, ws[2 * k]! - start);
      if (r < 0) return r;
      from = b === a ? b + 1 : b; // never loop on an empty match
    }
    return 0;
  }

  /** Runs the rule on bytes[from, to), searching from `at` on; returns 0, or a cap code as scanRule does. */
  private scanWindow(run: RuleRun, from: number, to: number, at = 0): number {
    const { rule, bytes } = run;
    const re = rule.re;
    const input = from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to);
    re.lastIndex = at;
    for (;;) {
      const m = re.exec(input as unknown as string);
      if (!m) return 0;
      const indices = (m as unknown as { indices: Array<[number, number] | undefined> }).indices;
      const rel = indices[0]!;
      if (rule.leadingBoundary && !boundaryAt(bytes, rel[0] + from)) {
        // RE2 can only match again past this start: resume where \b next holds
        re.lastIndex = nextBoundary(bytes, rel[0] + from + 1, to) - from;
        continue;
      }
      if (rel[1] === rel[0]) re.lastIndex = rel[1] + 1; // never loop on an empty match
      const r = this.take(run, indices, from);
      if (r < 0) return r;
    }
  }

  /** Records one regex match (offsets + `shift` are the fragment's); returns 0 or a cap code. */
  private take(run: RuleRun, indices: Array<[number, number] | undefined>, shift: number): number {
    const { rule } = run;
    // Each search is linear, but listing all matches of a pattern like (a*b|a) is quadratic: the
    // rule's time on the fragment is budgeted, checked at each match (a search that finds none
    // is linear in its window, and keyword windows are many: no clock call for those).
    if (performance.now() - run.started > this.maxRuleMillis) return -3;
    const rel = indices[0]!;
    let span = indices[rule.secretGroup];
    if (!span) for (let g = 1; g < indices.length && !span; g++) span = indices[g];
    if (!span || span[1] <= span[0]) return 0;
    const whole: [number, number] = [rel[0] + shift, rel[1] + shift];
    if (!this.record(rule, run.bytes, run.lines, run.out, whole, span[0] + shift, span[1] + shift)) return 0;
    if (++run.count > this.maxMatchesPerRule) {
      run.out.pop();
      return -1;
    }
    if (run.out.length > this.maxMatchesPerFragment) {
      run.out.pop();
      return -2;
    }
    return 0;
  }

  /** Checks one candidate and appends it; returns whether it was kept. */
  private record(rule: CompiledRule, bytes: Buffer, lines: LineIndex, out: Match[], whole: [number, number], start: number, end: number): boolean {
    {
      const secret = bytes.toString('utf8', start, end);
      const entropy = shannonEntropy(secret);
      if (!this.accept(rule, secret, entropy, bytes, whole, lines, start)) return false;
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
    entropy: number,
    bytes: Buffer,
    whole: [number, number],
    lines: LineIndex,
    start: number,
  ): boolean {
    if (rule.minEntropy !== undefined && entropy < rule.minEntropy) return false;
    if (rule.validator && !rule.validator(secret)) return false;
    const lower = secret.toLowerCase();
    const lists = rule.allowlists.length > 0 ? [...rule.allowlists, ...this.allowlists] : this.allowlists;
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

const NEWLINE = Buffer.from('\n');

/** One rule's pass over one fragment. */
interface RuleRun {
  rule: CompiledRule;
  bytes: Buffer;
  lines: LineIndex;
  out: Match[];
  /** Matches recorded so far. */
  count: number;
  started: number;
}

/** Start of the plain context kept before offset `at`: the line's start, at most a few bytes back. */
function contextStart(bytes: Buffer, at: number): number {
  const floor = Math.max(0, at - DECODE_CONTEXT_BYTES);
  const nl = at > 0 ? bytes.lastIndexOf(0x0a, at - 1) : -1;
  return Math.max(floor, nl + 1);
}

/** The segment whose context or decoded bytes hold `offset` (segments are in order). */
function segmentAt(segments: readonly DecodedSegment[], offset: number): DecodedSegment | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]!.contextStart <= offset) lo = mid;
    else hi = mid - 1;
  }
  const seg = segments[lo];
  return seg && seg.contextStart <= offset ? seg : undefined;
}

/**
 * When a more specific rule already reports a secret, a less confident rule (a generic one)
 * matching an overlapping span adds only noise: keep the most confident.
 */
function suppressWeakerOverlaps(matches: Match[], conf: ReadonlyMap<string, number>): Match[] {
  if (matches.length < 2) return matches;
  return matches.filter((m) => {
    const mine = conf.get(m.ruleId)!;
    return !matches.some(
      (o) => o !== m && (conf.get(o.ruleId) ?? 0) > mine && o.start < m.end && m.start < o.end,
    );
  });
}
