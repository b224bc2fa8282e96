// Reads a gitleaks configuration (.gitleaks.toml) into keywarden's config model, so a team can
// switch scanners without rewriting its rules. What cannot be translated is reported, field by
// field, as a warning; the rest of the file still applies.
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { KeywardenError, type ProblemDetail } from '../errors.js';
import { compileRule } from '../engine/compile.js';
import { compileRegex } from '../engine/regex.js';
import type { AllowlistSpec, RegexTarget, RuleSpec } from '../types.js';
import type { KeywardenConfig } from './config-file.js';
import { rulesByGitleaksId } from './gitleaks-ids.js';
import { loadDefaultRuleSpecs } from './load-rules.js';
import { parseToml } from './toml.js';

type Table = Record<string, unknown>;

const RULE_FIELDS = new Set(['id', 'description', 'regex', 'path', 'secretGroup', 'entropy', 'keywords', 'tags', 'allowlist', 'allowlists']);
const ALLOWLIST_FIELDS = new Set(['description', 'condition', 'commits', 'paths', 'regexTarget', 'regexes', 'stopwords', 'targetRules']);
const TOP_FIELDS = new Set(['title', 'description', 'minVersion', 'extend', 'rules', 'allowlist', 'allowlists']);
const REGEX_TARGETS = new Set<RegexTarget>(['secret', 'match', 'line']);
/** How deep `[extend] path` chains are followed. */
const MAX_EXTEND_DEPTH = 4;

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Whether a parsed TOML document is a gitleaks config: by file name (gitleaks.toml, .gitleaks.toml,
 * gitleaks-*.toml), or by content only gitleaks has (a title, [[allowlists]], an [extend] path or
 * disabledRules, or rules that carry neither a severity nor a provider).
 */
export function isGitleaksConfig(file: string, data: unknown): boolean {
  if (/gitleaks/i.test(basename(file))) return true;
  if (!isTable(data)) return false;
  // settings only keywarden has: a keywarden config with mistakes is reported as one
  if ('scan' in data || 'disabledRules' in data || (isTable(data.extend) && 'ruleFiles' in data.extend)) return false;
  if ('title' in data || 'allowlists' in data) return true;
  const extend = data.extend;
  if (isTable(extend) && ('path' in extend || 'url' in extend || 'disabledRules' in extend)) return true;
  const rules = data.rules;
  return (
    Array.isArray(rules) &&
    rules.length > 0 &&
    rules.every((r) => isTable(r) && 'regex' in r && !('severity' in r) && !('provider' in r))
  );
}

/** A gitleaks id as a keyword-style keywarden id: lowercase, dashes between alphanumeric runs. */
function keywardenId(id: string): string {
  return id
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function strings(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined;
}

/**
 * Literal runs every match of a pattern must contain, when the pattern is a plain concatenation
 * (no top-level alternation): used as keywords for gitleaks rules that have none, since keywarden
 * runs a rule only where one of its keywords occurs. Conservative: returns [] when unsure.
 */
export function requiredLiterals(pattern: string): string[] {
  let src = pattern;
  let caseless = false;
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(src);
  if (lead) {
    caseless = lead[1]!.includes('i');
    src = src.slice(lead[0].length);
  }
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  const flush = (): void => {
    if (cur.length >= 3) out.push(cur.toLowerCase());
    cur = '';
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    const next = src[i + 1];
    const quantified = (at: number): boolean => /[*?{]/.test(src[at] ?? '');
    if (c === '|' && depth === 0) return []; // top-level alternation: no literal is required
    if (c === '(') {
      // a group may be optional or alternate: nothing inside it is taken as required
      flush();
      if (src.slice(i, i + 3) === '(?i' || src.slice(i, i + 3) === '(?-') {
        if (!caseless && depth === 0 && src.slice(i, i + 4) === '(?i)') return out; // case changes mid-pattern
      }
      depth++;
      continue;
    }
    if (c === ')') {
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (depth > 0) {
      if (c === '\\') i++;
      continue;
    }
    if (c === '\\') {
      // escaped punctuation is a literal; \d, \w, \b and friends are not
      if (next !== undefined && /[^A-Za-z0-9]/.test(next) && !quantified(i + 2)) {
        cur += next;
        i++;
        continue;
      }
      flush();
      i++;
      continue;
    }
    if (c === '[') {
      flush();
      // skip the class
      let j = i + 1;
      if (src[j] === '^') j++;
      if (src[j] === ']') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (/[.^$]/.test(c)) {
      flush();
      continue;
    }
    if (/[*?+{]/.test(c)) {
      // the quantifier applies to the last literal character: it is not required (or repeats)
      cur = cur.slice(0, -1);
      flush();
      if (c === '{') while (i < src.length && src[i] !== '}') i++;
      continue;
    }
    if (quantified(i + 1) || src[i + 1] === '+') {
      flush();
      continue;
    }
    cur += c;
  }
  flush();
  return out;
}

interface Context {
  file: string;
  warnings: ProblemDetail[];
}

function warn(ctx: Context, message: string, ruleId?: string, field?: string): void {
  ctx.warnings.push({ file: ctx.file, ruleId, field, message });
}

/**
 * One gitleaks allowlist as a keywarden allowlist, or undefined when nothing in it translates.
 * `where` is the field path used in warnings.
 */
function translateAllowlist(raw: unknown, ctx: Context, where: string, ruleId?: string): AllowlistSpec | undefined {
  if (!isTable(raw)) {
    warn(ctx, 'is not a table; ignored', ruleId, where);
    return undefined;
  }
  for (const k of Object.keys(raw)) {
    if (!ALLOWLIST_FIELDS.has(k)) warn(ctx, `unknown allowlist field "${k}"; ignored`, ruleId, `${where}/${k}`);
  }
  const regexes = checkedPatterns(strings(raw.regexes), ctx, `${where}/regexes`, ruleId);
  const paths = checkedPatterns(strings(raw.paths), ctx, `${where}/paths`, ruleId);
  const stopwords = (strings(raw.stopwords) ?? []).filter((s) => s.length > 0);
  const commits = strings(raw.commits) ?? [];
  if (commits.length > 0) {
    warn(ctx, 'allowlisting by commit is not supported (keywarden fingerprints findings by secret; use a baseline); ignored', ruleId, `${where}/commits`);
  }
  const populated = [regexes.length, paths.length, stopwords.length].filter((n) => n > 0).length;
  const condition = typeof raw.condition === 'string' ? raw.condition.toUpperCase() : 'OR';
  if (condition === 'AND' && populated + (commits.length > 0 ? 1 : 0) > 1) {
    // keywarden allowlists match when any one field matches; an AND allowlist translated as OR
    // would hide more than the user asked, so it is left out and the scan stays conservative
    warn(ctx, 'condition = "AND" across several fields cannot be expressed (keywarden allowlists match on any field); allowlist not applied', ruleId, `${where}/condition`);
    return undefined;
  }
  if (condition !== 'AND' && condition !== 'OR') warn(ctx, `unknown condition "${String(raw.condition)}"; treated as "OR"`, ruleId, `${where}/condition`);
  let regexTarget: RegexTarget | undefined;
  if (raw.regexTarget !== undefined) {
    if (REGEX_TARGETS.has(raw.regexTarget as RegexTarget)) regexTarget = raw.regexTarget as RegexTarget;
    else warn(ctx, `unknown regexTarget "${String(raw.regexTarget)}"; "secret" used`, ruleId, `${where}/regexTarget`);
  }
  if (populated === 0) return undefined;
  const spec: AllowlistSpec = {};
  if (regexes.length > 0) spec.regexes = regexes;
  if (regexTarget && regexes.length > 0) spec.regexTarget = regexTarget;
  if (stopwords.length > 0) spec.stopwords = stopwords;
  if (paths.length > 0) spec.paths = paths;
  return spec;
}

/** Keeps the patterns RE2 accepts; warns about the others by index. */
function checkedPatterns(patterns: string[] | undefined, ctx: Context, where: string, ruleId?: string): string[] {
  const out: string[] = [];
  (patterns ?? []).forEach((p, i) => {
    try {
      compileRegex(p);
      out.push(p);
    } catch (err) {
      warn(ctx, `${(err as Error).message}; pattern ignored`, ruleId, `${where}/${i}`);
    }
  });
  return out;
}

/**
 * Merges global allowlists into one (a config has one global allowlist). Lists that test their
 * regexes against different targets cannot share one; the later ones keep their paths and
 * stopwords and lose their regexes, with a warning.
 */
function mergeAllowlists(lists: AllowlistSpec[], ctx: Context, where: string, ruleId?: string): AllowlistSpec | undefined {
  if (lists.length === 0) return undefined;
  const merged: AllowlistSpec = {};
  for (const l of lists) {
    if (l.regexes?.length) {
      const target = l.regexTarget ?? 'secret';
      if (merged.regexes && (merged.regexTarget ?? 'secret') !== target) {
        warn(ctx, `allowlists test regexes against different targets ("${merged.regexTarget ?? 'secret'}" and "${target}"); the "${target}" regexes are not applied`, ruleId, where);
      } else {
        merged.regexes = [...(merged.regexes ?? []), ...l.regexes];
        if (target !== 'secret') merged.regexTarget = target;
      }
    }
    if (l.stopwords?.length) merged.stopwords = [...(merged.stopwords ?? []), ...l.stopwords];
    if (l.paths?.length) merged.paths = [...(merged.paths ?? []), ...l.paths];
  }
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/** A gitleaks rule's own [rules.allowlist] and [[rules.allowlists]], translated. */
function ruleAllowlists(raw: Table, ctx: Context, where: string, id: string): AllowlistSpec[] {
  const lists: AllowlistSpec[] = [];
  if (raw.allowlist !== undefined) {
    const l = translateAllowlist(raw.allowlist, ctx, `${where}/allowlist`, id);
    if (l) lists.push(l);
  }
  if (raw.allowlists !== undefined) {
    if (Array.isArray(raw.allowlists)) {
      raw.allowlists.forEach((a, i) => {
        const l = translateAllowlist(a, ctx, `${where}/allowlists/${i}`, id);
        if (l) lists.push(l);
      });
    } else warn(ctx, 'is not an array of tables; ignored', id, `${where}/allowlists`);
  }
  return lists;
}

/**
 * One gitleaks rule as a keywarden rule. A rule with neither regex nor path but with allowlists
 * extends the gitleaks default rule of its id: its allowlists go to `extensions`, keyed by that id.
 */
function translateRule(
  raw: unknown,
  index: number,
  ctx: Context,
  extraAllowlists: Map<string, AllowlistSpec[]>,
  extensions: Map<string, AllowlistSpec[]>,
): RuleSpec | undefined {
  const where = `/rules/${index}`;
  if (!isTable(raw)) {
    warn(ctx, 'is not a table; rule ignored', undefined, where);
    return undefined;
  }
  const gid = typeof raw.id === 'string' ? raw.id : undefined;
  if (!gid) {
    warn(ctx, 'rule has no id; rule not translated', undefined, `${where}/id`);
    return undefined;
  }
  const id = keywardenId(gid);
  if (!id) {
    warn(ctx, `id "${gid}" has no letters or digits; rule not translated`, gid, `${where}/id`);
    return undefined;
  }
  if (id !== gid) warn(ctx, `id "${gid}" is reported as "${id}" (keywarden ids are lowercase and dash-separated)`, gid, `${where}/id`);
  for (const k of Object.keys(raw)) {
    if (k === 'required' || k === 'skipReport') {
      warn(ctx, `"${k}" (composite rules) is not supported; ${raw.skipReport === true ? 'rule not translated' : 'the rule reports on its own regex'}`, id, `${where}/${k}`);
    } else if (!RULE_FIELDS.has(k)) warn(ctx, `unknown rule field "${k}"; ignored`, id, `${where}/${k}`);
  }
  if (raw.skipReport === true) return undefined;
  if ((typeof raw.regex !== 'string' || raw.regex === '') && typeof raw.path !== 'string') {
    const lists = ruleAllowlists(raw, ctx, where, id);
    if (lists.length > 0) {
      extensions.set(gid, [...(extensions.get(gid) ?? []), ...lists]);
      return undefined;
    }
  }
  if (typeof raw.regex !== 'string' || raw.regex === '') {
    const why = typeof raw.path === 'string' ? 'path-only rules (a file name without a regex) are not supported' : 'rule has no regex';
    warn(ctx, `${why}; rule not translated`, id, `${where}/regex`);
    return undefined;
  }
  const regex = raw.regex;
  if (/(^|[^\\])[$^]/.test(regex.replace(/\[[^\]]*\]/g, ''))) {
    warn(ctx, '^ and $ match at line boundaries in keywarden (gitleaks: at the start and end of the file unless (?m))', id, `${where}/regex`);
  }
  const spec: RuleSpec = {
    id,
    description: typeof raw.description === 'string' && raw.description.length >= 3 ? raw.description : `${gid} (imported from gitleaks)`,
    regex,
    keywords: [],
    severity: 'high',
    confidence: 'medium',
    provider: 'custom',
    source: ctx.file,
  };
  const tags = strings(raw.tags);
  if (tags?.length) spec.tags = tags.filter((t) => t.length > 0);
  if (typeof raw.secretGroup === 'number' && raw.secretGroup > 0) spec.secretGroup = raw.secretGroup;
  if (typeof raw.entropy === 'number') {
    if (raw.entropy >= 0 && raw.entropy <= 8) spec.entropy = raw.entropy;
    else warn(ctx, `entropy ${raw.entropy} is outside 0-8; ignored`, id, `${where}/entropy`);
  }
  if (typeof raw.path === 'string' && raw.path !== '') spec.path = raw.path;

  // keywords: lowercase literals of two characters or more; derived from the regex when absent
  const given = strings(raw.keywords) ?? [];
  const short = given.filter((k) => k.length < 2);
  if (short.length > 0) {
    warn(ctx, `keywords shorter than two characters are not supported: ${short.map((k) => JSON.stringify(k)).join(', ')}`, id, `${where}/keywords`);
  }
  let keywords = [...new Set(given.filter((k) => k.length >= 2).map((k) => k.toLowerCase()))];
  if (keywords.length === 0) {
    const derived = requiredLiterals(regex);
    if (derived.length === 0) {
      warn(ctx, 'rule has no usable keywords and none could be derived from its regex (keywarden runs a rule only where a keyword occurs); rule not translated', id, `${where}/keywords`);
      return undefined;
    }
    keywords = [derived.reduce((a, b) => (b.length > a.length ? b : a))];
    warn(ctx, `rule has no usable keywords; using "${keywords[0]}", a literal every match contains`, id, `${where}/keywords`);
  }
  spec.keywords = keywords;

  const lists = ruleAllowlists(raw, ctx, where, id);
  lists.push(...(extraAllowlists.get(gid) ?? []));
  extraAllowlists.delete(gid);
  // each keeps its own regexTarget, as in gitleaks
  if (lists.length === 1) spec.allowlist = lists[0];
  else if (lists.length > 1) spec.allowlists = lists;

  try {
    compileRule(spec);
  } catch (err) {
    if (!(err instanceof KeywardenError)) throw err;
    for (const p of err.problems) warn(ctx, `${p.message}; rule not translated`, id, `${where}/${p.field ?? 'regex'}`);
    return undefined;
  }
  return spec;
}

function readGitleaksFile(file: string, ctx: Context): Table {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KeywardenError('CONFIG_INVALID', `cannot read config ${file}`, [{ file, message: (err as Error).message }]);
  }
  const data = parseToml(text, file, 'CONFIG_INVALID');
  if (!isTable(data)) throw new KeywardenError('CONFIG_INVALID', `${file}: not a TOML table`, [{ file: ctx.file, message: 'not a TOML table' }]);
  return data;
}

/** Translates a parsed gitleaks config at `file`; `depth` counts `[extend] path` hops. */
export function importGitleaksConfig(data: Table, file: string, depth = 0): KeywardenConfig & { warnings: ProblemDetail[] } {
  const abs = resolve(file);
  const ctx: Context = { file, warnings: [] };
  for (const k of Object.keys(data)) {
    if (!TOP_FIELDS.has(k)) warn(ctx, `unknown top-level field "${k}"; ignored`, undefined, `/${k}`);
  }

  // global allowlists; [[allowlists]] with targetRules attach to those rules instead
  const globalLists: AllowlistSpec[] = [];
  const targeted = new Map<string, AllowlistSpec[]>();
  if (data.allowlist !== undefined) {
    const l = translateAllowlist(data.allowlist, ctx, '/allowlist');
    if (l) globalLists.push(l);
  }
  if (data.allowlists !== undefined) {
    if (!Array.isArray(data.allowlists)) warn(ctx, 'is not an array of tables; ignored', undefined, '/allowlists');
    else {
      data.allowlists.forEach((a, i) => {
        const l = translateAllowlist(a, ctx, `/allowlists/${i}`);
        if (!l) return;
        const targets = isTable(a) ? strings(a.targetRules) : undefined;
        if (targets?.length) {
          for (const t of targets) targeted.set(t, [...(targeted.get(t) ?? []), l]);
        } else globalLists.push(l);
      });
    }
  }

  const rules: RuleSpec[] = [];
  const extensions = new Map<string, AllowlistSpec[]>();
  if (data.rules !== undefined && !Array.isArray(data.rules)) warn(ctx, 'is not an array of tables; ignored', undefined, '/rules');
  const rawRules = Array.isArray(data.rules) ? data.rules : [];
  rawRules.forEach((r, i) => {
    const spec = translateRule(r, i, ctx, targeted, extensions);
    if (spec) rules.push(spec);
  });
  // [extend]: useDefault maps to keywarden's own default rules; path chains another gitleaks file
  let useDefaultRules = false;
  const disabledRules: string[] = [];
  /** keywarden ids the extended file disables. */
  const parentDisabled: string[] = [];
  const extend = data.extend;
  if (extend !== undefined && !isTable(extend)) warn(ctx, 'is not a table; ignored', undefined, '/extend');
  if (isTable(extend)) {
    for (const k of Object.keys(extend)) {
      if (!['useDefault', 'path', 'url', 'disabledRules'].includes(k)) warn(ctx, `unknown field "${k}"; ignored`, undefined, `/extend/${k}`);
    }
    if (extend.useDefault === true) {
      useDefaultRules = true;
      warn(ctx, "useDefault: keywarden's own default rules are used in place of gitleaks' defaults", undefined, '/extend/useDefault');
    }
    if (extend.url !== undefined) warn(ctx, 'extending a config by URL is not supported (keywarden does not fetch configuration); ignored', undefined, '/extend/url');
    if (typeof extend.path === 'string') {
      const base = resolve(dirname(abs), extend.path);
      if (depth >= MAX_EXTEND_DEPTH) {
        warn(ctx, `extend chain deeper than ${MAX_EXTEND_DEPTH}; ${extend.path} not read`, undefined, '/extend/path');
      } else {
        const parentData = readGitleaksFile(base, ctx);
        const parent = importGitleaksConfig(parentData, base, depth + 1);
        ctx.warnings.push(...parent.warnings);
        // rules in this file override same-id rules of the file it extends
        const own = new Set(rules.map((r) => r.id));
        rules.unshift(...parent.rules.filter((r) => !own.has(r.id)));
        if (parent.allowlist) globalLists.unshift(parent.allowlist);
        if (parent.useDefaultRules) useDefaultRules = true;
        parentDisabled.push(...parent.disabledRules);
      }
    }
    const disabled = strings(extend.disabledRules) ?? [];
    for (const gid of disabled) {
      const id = keywardenId(gid);
      const at = rules.findIndex((r) => r.id === id);
      if (at >= 0) {
        rules.splice(at, 1);
        continue;
      }
      disabledRules.push(gid);
    }
  }

  // gitleaks default rule ids (in targetRules, in rule entries that only add allowlists, in
  // disabledRules) apply to the keywarden default rules that cover them, when those are in use
  const defaults = new Map((useDefaultRules ? loadDefaultRuleSpecs() : []).map((r) => [r.id, r]));
  const covering = rulesByGitleaksId([...defaults.values()]);
  const extended = new Map<string, RuleSpec>();
  const applyToDefaults = (gid: string, lists: AllowlistSpec[], field: string): boolean => {
    // a rule of this file with a default rule's id replaces that rule; a default rule already
    // extended by the file this one extends (it is among `rules`, still bundled) is extended further
    const ids = (covering.get(gid) ?? []).filter((id) => rules.every((r) => r.id !== id || r.bundled === true));
    if (ids.length === 0) return false;
    for (const id of ids) {
      const at = rules.findIndex((r) => r.id === id);
      const base = at >= 0 ? rules[at]! : (extended.get(id) ?? defaults.get(id)!);
      const spec = { ...base, allowlists: [...(base.allowlists ?? []), ...lists] };
      if (at >= 0) rules[at] = spec;
      else extended.set(id, spec);
    }
    warn(ctx, `"${gid}" is a gitleaks default rule: its allowlist applies to keywarden's ${ids.join(', ')}`, gid, field);
    return true;
  };
  for (const [target, lists] of targeted) {
    if (!applyToDefaults(target, lists, '/allowlists/targetRules')) {
      warn(ctx, `targetRules names "${target}", which is not a rule in this file nor a gitleaks default rule that a keywarden default rule covers (with [extend] useDefault); allowlist not applied to it`, target, '/allowlists/targetRules');
    }
  }
  for (const [gid, lists] of extensions) {
    if (!applyToDefaults(gid, lists, '/rules')) {
      warn(ctx, `rule has no regex; it adds allowlists to "${gid}", which is neither a rule of this file nor a gitleaks default rule that a keywarden default rule covers (with [extend] useDefault); rule not translated`, gid, '/rules');
    }
  }
  rules.push(...extended.values());
  const keywardenDisabled = new Set(parentDisabled);
  const unmapped: string[] = [];
  for (const gid of disabledRules) {
    const ids = covering.get(gid);
    if (!ids) {
      unmapped.push(gid);
      continue;
    }
    for (const id of ids) keywardenDisabled.add(id);
    warn(ctx, `disabledRules: "${gid}" is a gitleaks default rule; keywarden's ${ids.join(', ')} covering it are disabled`, gid, '/extend/disabledRules');
  }
  if (unmapped.length > 0) {
    warn(ctx, `disabledRules names gitleaks default rules (${unmapped.join(', ')}) that no keywarden default rule in use covers, so nothing is disabled for them (use disabledRules in .keywarden.toml)`, undefined, '/extend/disabledRules');
  }

  const allowlist = mergeAllowlists(globalLists, ctx, '/allowlists');
  return {
    file: abs,
    format: 'gitleaks',
    useDefaultRules,
    ruleFiles: [],
    rules,
    disabledRules: [...keywardenDisabled],
    allowlist,
    warnings: ctx.warnings,
  };
}
