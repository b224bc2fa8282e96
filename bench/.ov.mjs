import RE2 from 're2';
const buf = Buffer.alloc(1 << 20, 'a');
const N = 200000;
for (const flags of ['dgmu', 'gmu', 'mu', 'm', 'dg']) {
  const re = new RE2('zq#x', flags);
  for (const method of ['exec', 'test']) {
    let t = performance.now();
    for (let i = 0; i < N; i++) { const s = (i * 64) & 0xfffff; const input = buf.subarray(s, s + 8); re.lastIndex = 0; re[method](input); }
    const per = (performance.now() - t) / N * 1e6;
    console.log(flags.padEnd(5), method, per.toFixed(0), 'ns');
  }
}
const re = new RE2('zq#x', 'gmu'); let t = performance.now();
for (let i = 0; i < N; i++) { re.lastIndex = (i * 64) & 0xfffff; re.test(buf); }
console.log('whole buffer, lastIndex moved (scans to end):', ((performance.now() - t) / N * 1e6).toFixed(0), 'ns');
const s8 = 'abcdefgh'; t = performance.now(); for (let i = 0; i < N; i++) { re.lastIndex = 0; re.test(s8); } console.log('string 8 test', ((performance.now() - t) / N * 1e6).toFixed(0));
