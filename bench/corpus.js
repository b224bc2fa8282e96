// Deterministic synthetic corpus: source-like text (JS, Python, YAML, JSON, Markdown, Go) with a
// few planted secrets. Same seed and size -> byte-identical tree, so runs are comparable.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withBase62Crc } from '../dist/engine/checksums/github.js';

export class Rng {
  constructor(seed) {
    this.s = createHash('sha256').update(seed).digest().readUInt32LE(0) || 1;
  }
  next() {
    // xorshift32
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x100000000;
  }
  int(n) {
    return Math.floor(this.next() * n);
  }
  pick(a) {
    return a[this.int(a.length)];
  }
  chars(alpha, n) {
    let o = '';
    for (let i = 0; i < n; i++) o += alpha[this.int(alpha.length)];
    return o;
  }
}

const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const WORDS = `the a of to and in is it that for on with as was at by be this from or have an they which one you
had not but what all were when we there can been has more if will would who so no user data value
request response error config server client cache index item list result count update delete create
token key session auth retry timeout buffer stream parse render format handler event
queue worker build deploy release version module package import export default function return async`.split(/\s+/);
const IDS = ['user', 'order', 'item', 'cache', 'client', 'config', 'session', 'request', 'handler', 'payload', 'result', 'buffer', 'stream', 'token', 'options', 'logger', 'router', 'store', 'queue', 'retry'];
const MODS = ['express', 'lodash', 'axios', 'react', 'fs', 'path', 'crypto', 'zod', 'pg', 'redis', 'uuid', 'dayjs'];

function id(r) {
  return r.pick(IDS) + (r.next() < 0.5 ? r.pick(['Id', 'Name', 'Count', 'List', 'Map', 'Key', 'Url', '']) : '');
}
function words(r, n) {
  let o = [];
  for (let i = 0; i < n; i++) o.push(r.pick(WORDS));
  return o.join(' ');
}

const LINE_MAKERS = {
  js: [
    (r) => `const ${id(r)} = require('${r.pick(MODS)}');`,
    (r) => `import { ${id(r)} } from './${r.pick(IDS)}.js';`,
    (r) => `export async function ${id(r)}(${id(r)}, ${id(r)}) {`,
    (r) => `  const ${id(r)} = await ${id(r)}.${r.pick(['get', 'find', 'load', 'fetch'])}(${id(r)});`,
    (r) => `  if (!${id(r)}) throw new Error('${words(r, 4)}');`,
    (r) => `  return { ${id(r)}, ${id(r)}: ${r.int(1000)} };`,
    (r) => `}`,
    (r) => `// ${words(r, 8)}`,
    (r) => `  logger.${r.pick(['info', 'debug', 'warn'])}(\`${words(r, 5)} \${${id(r)}}\`);`,
    (r) => `  const token = req.headers['authorization'];`,
    (r) => `const ${id(r).toUpperCase()}_HASH = '${r.chars('0123456789abcdef', 40)}';`,
    (r) => `  for (let i = 0; i < ${id(r)}.length; i++) ${id(r)}.push(${id(r)}[i]);`,
    (r) => ``,
  ],
  py: [
    (r) => `import ${r.pick(['os', 'sys', 'json', 're', 'logging', 'typing'])}`,
    (r) => `def ${id(r)}(${id(r)}, ${id(r)}=None):`,
    (r) => `    """${words(r, 7)}"""`,
    (r) => `    ${id(r)} = ${id(r)}.get("${r.pick(IDS)}", ${r.int(100)})`,
    (r) => `    if ${id(r)} is None:`,
    (r) => `        raise ValueError("${words(r, 4)}")`,
    (r) => `    return ${id(r)}`,
    (r) => `# ${words(r, 9)}`,
    (r) => ``,
  ],
  yaml: [
    (r) => `${id(r)}:`,
    (r) => `  ${id(r)}: ${r.int(10000)}`,
    (r) => `  ${id(r)}: "${words(r, 3)}"`,
    (r) => `  - name: ${id(r)}`,
    (r) => `    image: ${r.pick(MODS)}:${r.int(20)}.${r.int(10)}`,
    (r) => `# ${words(r, 6)}`,
  ],
  json: [
    (r) => `  "${id(r)}": ${r.int(100000)},`,
    (r) => `  "${id(r)}": "${words(r, 2)}",`,
    (r) => `  "integrity": "sha512-${r.chars(AN + '+/', 86)}==",`,
    (r) => `  "${id(r)}": [${r.int(10)}, ${r.int(10)}, ${r.int(10)}],`,
    (r) => `  "${id(r)}": { "enabled": ${r.next() < 0.5} },`,
  ],
  md: [
    (r) => `## ${words(r, 4)}`,
    (r) => `${words(r, 14)}.`,
    (r) => `- ${words(r, 6)}`,
    (r) => '```sh',
    (r) => `npm install ${r.pick(MODS)} --save`,
    (r) => '```',
    (r) => ``,
  ],
  go: [
    (r) => `func ${id(r)}(${id(r)} string) (int, error) {`,
    (r) => `\t${id(r)} := ${id(r)}.${r.pick(['Get', 'Load', 'Parse'])}(${id(r)})`,
    (r) => `\tif err != nil {`,
    (r) => `\t\treturn 0, fmt.Errorf("${words(r, 3)}: %w", err)`,
    (r) => `\t}`,
    (r) => `}`,
    (r) => `// ${words(r, 8)}`,
  ],
};
const EXT = Object.keys(LINE_MAKERS);

// Credentials read from configuration: code names them far less often than it names "key" or
// "token". Counted over the text files of this project's node_modules (24 MB): "password" 10 per
// MB, "secret" 105, "token" 295, "key" 790. One line in CREDENTIAL_EVERY is one of these, which
// puts "password" and "secret" at several times those densities (BENCHMARKS.md has the counts).
const CREDENTIAL_EVERY = 200;
const CREDENTIAL_READS = {
  js: [(r) => `  password: process.env.DB_PASSWORD,`, (r) => `const ${id(r)}Secret = process.env.${id(r).toUpperCase()}_SECRET;`],
  py: [(r) => `SECRET_KEY = os.environ["SECRET_KEY"]`, (r) => `    password = config.get("database", "password")`],
  yaml: [(r) => `  password: \${${id(r).toUpperCase()}_PASSWORD}`, (r) => `  client_secret: \${CLIENT_SECRET}`],
  json: [(r) => `  "passwordMinLength": ${8 + r.int(8)},`, (r) => `  "secretName": "${r.pick(IDS)}-credentials",`],
  md: [(r) => `Set \`DB_PASSWORD\` in your environment before running the ${r.pick(IDS)} tests.`],
  go: [(r) => `\tpassword := os.Getenv("DB_PASSWORD")`, (r) => `\tsecret, err := ${id(r)}.Secret(ctx)`],
};

/** The next line of a file of kind `ext`. */
function nextLine(r, ext) {
  if (r.int(CREDENTIAL_EVERY) === 0) return r.pick(CREDENTIAL_READS[ext])(r);
  return r.pick(LINE_MAKERS[ext])(r);
}

/** Planted secrets: formats the default rules must find (the bench reports how many were). */
const PLANTS = [
  (r) => `GITHUB_TOKEN=${withBase62Crc('ghp_', r.chars(AN, 30))}`,
  (r) => `aws_access_key_id = AKIA${r.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
  (r) => `const hook = "https://hooks.slack.com/services/T${r.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 8)}/B${r.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10)}/${r.chars(AN, 24)}";`,
  (r) => `STRIPE_KEY = "sk_live_${r.chars(AN, 24)}"`,
  (r) => `npm_token: ${withBase62Crc('npm_', r.chars(AN, 30))}`,
];

/** One source-like file of about `target` bytes; `plant` puts one planted secret in it. */
export function makeFile(r, target, plant) {
  const ext = r.pick(EXT);
  const lines = [];
  let size = 0;
  let plants = 0;
  while (size < target) {
    let line = nextLine(r, ext);
    if (plant && plants === 0 && size > target / 2) {
      line = r.pick(PLANTS)(r);
      plants++;
    }
    lines.push(line);
    size += line.length + 1;
  }
  return { text: `${lines.join('\n')}\n`, ext, plants };
}

export function generateCorpus(dir, { totalBytes, seed = 'keywarden-bench-v1', plantEvery = 200_000 }) {
  const stamp = `${dir}.json`;
  const want = { totalBytes, seed, plantEvery, version: 4 };
  if (existsSync(stamp)) {
    try {
      const have = JSON.parse(readFileSync(stamp, 'utf8'));
      if (JSON.stringify(have.params) === JSON.stringify(want)) return have;
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = new Rng(seed);
  let written = 0;
  let files = 0;
  let planted = 0;
  let sincePlant = 0;
  while (written < totalBytes) {
    const ext = r.pick(EXT);
    const target = 2_000 + r.int(60_000);
    const lines = [];
    let size = 0;
    while (size < target) {
      let line = nextLine(r, ext);
      if (sincePlant > plantEvery) {
        line = r.pick(PLANTS)(r);
        planted++;
        sincePlant = 0;
      }
      lines.push(line);
      size += line.length + 1;
      sincePlant += line.length + 1;
    }
    const sub = join(dir, `pkg${files % 50}`, `mod${files % 7}`);
    mkdirSync(sub, { recursive: true });
    const text = `${lines.join('\n')}\n`;
    writeFileSync(join(sub, `file${files}.${ext}`), text);
    written += Buffer.byteLength(text);
    files++;
  }
  const info = { params: want, files, bytes: written, planted };
  writeFileSync(stamp, JSON.stringify(info));
  return info;
}
