// Keyword prefilter: in one pass over a buffer, which of a rule set's keywords occur (ASCII
// case-insensitively) and where. RE2.Set answers only "which", at ~650 MB/s, and a second pass
// (V8 over the text lowercased as latin1) found "where"; this does both at several GB/s.
//
// Method: every keyword is indexed by a hash of its least common three case-folded bytes, judged
// by how often they occur in real source text (trigram-table.h); a two-byte keyword is indexed
// under all its possible third bytes. At each offset of the input, the three folded bytes there
// are hashed; a bit in a 256 Kbit bitmap rejects almost every offset, and the few that pass are
// compared against the keywords in that hash bucket. (Indexing keywords of four bytes or more
// under four bytes too, in a second table, halved the false passes but cost more in the second
// probe at every offset than it saved: measured 152 vs 131 ms on 100 MB.)
//
// On x86-64 CPUs with AVX-512 VBMI (Intel since Ice Lake, AMD since Zen 4), chosen at run time, a
// vector filter goes first, 64 offsets at a time: the three bytes at an offset are mapped to 6-bit
// codes, and each of the pairs (first, second), (second, third) and (first, third) is looked up in
// a 4,096-bit table of the pairs the indexed bytes hold (permute instructions, no gathers). Only
// the offsets all three tables pass, about 4% of them on source text, take the scalar probe.
//
// On x86-64 CPUs with AVX2 but not AVX-512 VBMI (AMD before Zen 4, Intel before Ice Lake), an
// AVX2 filter goes first, 32 offsets at a time: the same three pairs, of 5-bit codes (a byte's low
// five bits), each looked up in a 1,024-bit table by eight byte shuffles and three levels of
// blends. About 10% of offsets pass it on the bench corpus; the native scan of 335 MB of history
// blobs took 424 against 626 ms for the scalar loop alone.
#include <node_api.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "trigram-table.h"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define KW_X86_SIMD 1
#endif

// GCC and Clang get the branch hint; other compilers (MSVC) build the same code without it.
#if defined(__GNUC__)
#define KW_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define KW_UNLIKELY(x) (x)
#endif

namespace {

struct Keyword {
  std::vector<uint8_t> bytes;  // lowercased
  bool positional;              // whether its positions are wanted
  uint32_t gram;                // offset of the bytes it is indexed under
};

constexpr uint32_t kHashBits = 18;
constexpr uint32_t kBuckets = 1u << kHashBits;

// Keywords by the hash of the three bytes they are indexed under.
struct Table {
  uint64_t bitmap[kBuckets / 64];  // one bit per hash: some keyword is indexed under it
  std::vector<uint32_t> start;  // CSR: bucket h holds ids[start[h] .. start[h + 1])
  std::vector<uint32_t> ids;

  void Build(const std::vector<std::vector<uint32_t>>& buckets) {
    std::memset(bitmap, 0, sizeof bitmap);
    start.resize(kBuckets + 1);
    for (uint32_t h = 0; h < kBuckets; h++) {
      start[h] = static_cast<uint32_t>(ids.size());
      if (!buckets[h].empty()) bitmap[h >> 6] |= 1ull << (h & 63);
      for (uint32_t id : buckets[h]) ids.push_back(id);
    }
    start[kBuckets] = static_cast<uint32_t>(ids.size());
  }
};

// The vector filter's tables: a byte's 6-bit code, and three 4,096-bit sets of code pairs.
struct PairTables {
  alignas(64) uint8_t code[128];  // by the low seven bits of a byte
  alignas(64) uint8_t rowByte[64];  // (c & 15) << 3: a first code's part of a table byte's index
  alignas(64) uint8_t colByte[64];  // c >> 3: a second code's part
  alignas(64) uint8_t colBit[64];   // 1 << (c & 7): the second code's bit in that byte
  alignas(64) uint8_t pairs[3][512];  // bit first * 64 + second: (g0, g1), (g1, g2), (g0, g2)
};

struct Matcher {
  std::vector<Keyword> keywords;
  Table three;
  std::vector<uint32_t> shortIds;  // two-byte keywords, for the last bytes of a buffer
  PairTables pairs;
  // The AVX2 filter's tables (CPUs without AVX-512 VBMI): for pair table t (as in PairTables) of
  // 5-bit codes (a byte's low five bits: case-blind, and a conservative merge of other bytes),
  // byte `a & 15` of row (a >> 4) * 4 + (b >> 3) holds bit b & 7 of pair (a, b).
  alignas(32) uint8_t avx2Rows[3][8][16];
  bool vector = false;  // whether scans use the AVX-512 vector filter
  bool avx2 = false;    // whether scans use the AVX2 filter
};

// ASCII lowercase, computed at compile time: worker threads load the module concurrently.
struct LowerTable {
  uint8_t t[256];
  constexpr LowerTable() : t() {
    for (int i = 0; i < 256; i++) t[i] = static_cast<uint8_t>((i >= 'A' && i <= 'Z') ? i + 32 : i);
  }
};
constexpr LowerTable kLowerTable;
constexpr const uint8_t* kLower = kLowerTable.t;

inline uint32_t Hash(uint32_t key) { return (key * 0x9E3779B1u) >> (32 - kHashBits); }

// The scan loads four bytes at a time and folds case by setting bit 5 of every byte (0x20):
// exact for letters, and it merges a few punctuation pairs ('@' and '`', '_' and DEL), which the
// comparison after a hit tells apart.
inline uint32_t Fold3(const uint8_t* p) {
  return (p[0] | 0x20u) | ((p[1] | 0x20u) << 8) | ((p[2] | 0x20u) << 16);
}

// How common a byte is in source text, roughly: a keyword is indexed under its rarest three
// bytes, so that "confluent" is looked for at "flu", not at the "con" of every "const".
int Commonness(uint8_t c) {
  static const char* kCommon = "etaoinsrlcdupmhgfybwvk";  // most common first
  for (int i = 0; kCommon[i]; i++) {
    if (kCommon[i] == c) return 40 - i;
  }
  if (c == '_' || c == '.' || c == '-' || c == '/') return 10;
  return 1;  // digits, rare letters, other punctuation
}

// How often three folded bytes occur in source text (per million bytes, 0 when rarer than every
// sequence the table lists), with the letter estimate above breaking ties.
double GramCost(const uint8_t* g) {
  const uint32_t key = ((g[0] | 0x20u) << 16) | ((g[1] | 0x20u) << 8) | (g[2] | 0x20u);
  const TrigramCount* end = kTrigramCounts + sizeof kTrigramCounts / sizeof kTrigramCounts[0];
  const TrigramCount* it = std::lower_bound(kTrigramCounts, end, key, [](const TrigramCount& t, uint32_t k) { return t.key < k; });
  const double counted = (it != end && it->key == key) ? it->perMillion : 0;
  return counted * 1e6 + Commonness(g[0]) * Commonness(g[1]) * Commonness(g[2]);
}

// The vector filter's code of a byte: bit 5 set (the scan's case fold), then bits 6 and 0-4.
// Bit 7 is dropped, so a non-ASCII byte shares an ASCII byte's code: the filter only lets offsets
// through, and the scalar probe behind it compares exact bytes.
inline uint8_t Code(uint8_t x) {
  const uint8_t f = static_cast<uint8_t>((x & 0x7F) | 0x20);
  return static_cast<uint8_t>(((f & 0x40) >> 1) | (f & 0x1F));
}

void BuildPairs(Matcher& m) {
  PairTables& t = m.pairs;
  for (int x = 0; x < 128; x++) t.code[x] = Code(static_cast<uint8_t>(x));
  for (int c = 0; c < 64; c++) {
    t.rowByte[c] = static_cast<uint8_t>((c & 15) << 3);
    t.colByte[c] = static_cast<uint8_t>(c >> 3);
    t.colBit[c] = static_cast<uint8_t>(1 << (c & 7));
  }
  std::memset(t.pairs, 0, sizeof t.pairs);
  auto set = [&](int table, uint32_t first, uint32_t second) {
    const uint32_t bit = first * 64 + second;
    t.pairs[table][bit >> 3] |= static_cast<uint8_t>(1 << (bit & 7));
  };
  for (const Keyword& kw : m.keywords) {
    const uint32_t c0 = Code(kw.bytes[kw.gram]), c1 = Code(kw.bytes[kw.gram + 1]);
    set(0, c0, c1);
    if (kw.bytes.size() >= 3) {
      const uint32_t c2 = Code(kw.bytes[kw.gram + 2]);
      set(1, c1, c2);
      set(2, c0, c2);
    } else {
      for (uint32_t c2 = 0; c2 < 64; c2++) {
        set(1, c1, c2);
        set(2, c0, c2);
      }
    }
  }
}

void BuildAvx2Rows(Matcher& m) {
  std::memset(m.avx2Rows, 0, sizeof m.avx2Rows);
  auto set = [&](int table, uint32_t a, uint32_t b) {
    a &= 31;
    b &= 31;
    m.avx2Rows[table][(a >> 4) * 4 + (b >> 3)][a & 15] |= static_cast<uint8_t>(1 << (b & 7));
  };
  for (const Keyword& kw : m.keywords) {
    const uint8_t* g = kw.bytes.data() + kw.gram;
    set(0, g[0], g[1]);
    if (kw.bytes.size() >= 3) {
      set(1, g[1], g[2]);
      set(2, g[0], g[2]);
    } else {
      for (uint32_t c = 0; c < 32; c++) {
        set(1, g[1], c);
        set(2, g[0], c);
      }
    }
  }
}

bool CpuHasAvx2() {
#ifdef KW_X86_SIMD
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

bool CpuHasVectorFilter() {
#ifdef KW_X86_SIMD
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi");
#else
  return false;
#endif
}

inline bool Matches(const Keyword& kw, const uint8_t* p, size_t left) {
  const size_t n = kw.bytes.size();
  if (n > left) return false;
  const uint8_t* k = kw.bytes.data();
  for (size_t j = 0; j < n; j++) {
    if (kLower[p[j]] != k[j]) return false;
  }
  return true;
}

// A copy of `values` as an Int32Array, or nullptr (no JS value) when allocation fails, as it does
// while a worker thread is being terminated (Ctrl-C): JS is unwinding then anyway.
napi_value ToInt32Array(napi_env env, const std::vector<int32_t>& values) {
  napi_value buffer, out;
  void* data = nullptr;
  if (napi_create_arraybuffer(env, values.size() * sizeof(int32_t), &data, &buffer) != napi_ok) return nullptr;
  if (!values.empty()) {
    if (data == nullptr) return nullptr;
    std::memcpy(data, values.data(), values.size() * sizeof(int32_t));
  }
  if (napi_create_typedarray(env, napi_int32_array, values.size(), buffer, 0, &out) != napi_ok) return nullptr;
  return out;
}

void Finalize(napi_env, void* data, void*) { delete static_cast<Matcher*>(data); }

napi_value Throw(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

// The call's arguments into argv; false, with a TypeError naming the usage thrown, when fewer
// than `want` were passed.
template <size_t N>
bool Args(napi_env env, napi_callback_info info, napi_value (&argv)[N], size_t want, const char* usage) {
  size_t argc = N;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return false;
  for (size_t i = argc; i < N; i++) napi_get_undefined(env, &argv[i]);
  if (argc < want) {
    Throw(env, usage);
    return false;
  }
  return true;
}

// A number for JS, or nullptr when it cannot be made (the thread is being torn down).
napi_value Number(napi_env env, int64_t value) {
  napi_value result;
  return napi_create_int64(env, value, &result) == napi_ok ? result : nullptr;
}

// The data and element count of a typed array of the given type; false when `value` is not one.
template <typename T>
bool TypedArray(napi_env env, napi_value value, napi_typedarray_type want, T** data, size_t* length) {
  napi_typedarray_type type;
  void* raw = nullptr;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr) != napi_ok || type != want) return false;
  *data = static_cast<T*>(raw);
  return true;
}

// compile(keywords: string[], positional: boolean[], vector?: boolean | "avx2"): External<Matcher>
// `vector: false` turns the vector filters off (the tests compare the paths).
napi_value Compile(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool isArray = false;
  if (argc < 2 || napi_is_array(env, argv[0], &isArray) != napi_ok || !isArray) return Throw(env, "compile(keywords, positional)");
  uint32_t count = 0;
  napi_get_array_length(env, argv[0], &count);
  auto* m = new Matcher();
  std::vector<std::vector<uint32_t>> three(kBuckets);
  for (uint32_t i = 0; i < count; i++) {
    napi_value el;
    if (napi_get_element(env, argv[0], i, &el) != napi_ok) {
      delete m;
      return nullptr;
    }
    size_t len = 0;
    if (napi_get_value_string_utf8(env, el, nullptr, 0, &len) != napi_ok || len < 2) {
      delete m;
      return Throw(env, "every keyword must be a string of at least two bytes");
    }
    std::vector<char> buf(len + 1);
    napi_get_value_string_utf8(env, el, buf.data(), len + 1, &len);
    Keyword kw;
    kw.bytes.resize(len);
    for (size_t j = 0; j < len; j++) kw.bytes[j] = kLower[static_cast<uint8_t>(buf[j])];
    napi_value flag;
    bool positional = false;
    if (napi_get_element(env, argv[1], i, &flag) != napi_ok || napi_get_value_bool(env, flag, &positional) != napi_ok) {
      delete m;
      return Throw(env, "compile: positional must be an array of booleans, one per keyword");
    }
    kw.positional = positional;
    kw.gram = 0;
    const size_t width = 3;
    if (len >= 3) {
      double best = 1e300;
      for (size_t o = 0; o + width <= len; o++) {
        const double cost = GramCost(kw.bytes.data() + o);
        if (cost < best) {
          best = cost;
          kw.gram = static_cast<uint32_t>(o);
        }
      }
    }
    const uint8_t* g = kw.bytes.data() + kw.gram;
    const uint32_t k0 = g[0] | 0x20u, k1 = g[1] | 0x20u;
    if (len == 2) {
      m->shortIds.push_back(i);
      for (uint32_t c = 0; c < 256; c++) {
        // the folded window only ever holds bytes with bit 5 set
        if ((c | 0x20u) != c) continue;
        const uint32_t h = Hash(k0 | (k1 << 8) | (c << 16));
        if (three[h].empty() || three[h].back() != i) three[h].push_back(i);
      }
    } else {
      three[Hash(k0 | (k1 << 8) | ((g[2] | 0x20u) << 16))].push_back(i);
    }
    m->keywords.push_back(std::move(kw));
  }
  m->three.Build(three);
  BuildPairs(*m);
  // vector: true (the best filter the CPU has), false (the scalar loop), or "avx2" (the AVX2 filter
  // even where AVX-512 VBMI is there: the tests compare it with the others on any AVX2 CPU)
  bool vector = true, onlyAvx2 = false;
  if (argc >= 3) {
    napi_valuetype t = napi_undefined;
    if (napi_typeof(env, argv[2], &t) == napi_ok && t == napi_boolean) napi_get_value_bool(env, argv[2], &vector);
    if (t == napi_string) {
      char name[8] = {0};
      size_t n = 0;
      onlyAvx2 = napi_get_value_string_utf8(env, argv[2], name, sizeof name, &n) == napi_ok && std::strcmp(name, "avx2") == 0;
    }
  }
  m->vector = vector && !onlyAvx2 && CpuHasVectorFilter();
  m->avx2 = vector && !m->vector && CpuHasAvx2();
  BuildAvx2Rows(*m);
  napi_value out;
  if (napi_create_external(env, m, Finalize, nullptr, &out) != napi_ok) {
    delete m;
    return nullptr;
  }
  return out;
}

// One scan's state: the keywords seen, how often, and the positions wanted.
struct ScanState {
  const Matcher& m;
  const uint8_t* b;
  size_t length;
  uint8_t* present;
  uint64_t limit;
  std::vector<uint32_t>& counts;
  std::vector<int32_t>& hits;
  std::vector<int32_t>& found;  // keywords present, in order of first occurrence

  void Record(uint32_t id, size_t at) {
    const Keyword& kw = m.keywords[id];
    if (present[id] == 0) found.push_back(static_cast<int32_t>(id));
    if (!kw.positional) {
      present[id] = 1;
      return;
    }
    if (present[id] == 2) return;
    present[id] = 1;
    if (++counts[id] > limit) {
      present[id] = 2;
      return;
    }
    hits.push_back(static_cast<int32_t>(id));
    hits.push_back(static_cast<int32_t>(at));
  }

  // whether a keyword indexed under the three folded bytes `key` starts its indexed bytes at i
  inline void Probe(size_t i, uint32_t key) {
    const Table& t = m.three;
    const uint32_t h = Hash(key);
    if (KW_UNLIKELY((t.bitmap[h >> 6] >> (h & 63)) & 1)) {
      for (uint32_t j = t.start[h], e = t.start[h + 1]; j < e; j++) {
        const uint32_t id = t.ids[j];
        const Keyword& kw = m.keywords[id];
        if (kw.gram > i) continue;
        const size_t at = i - kw.gram;
        if (Matches(kw, b + at, length - at)) Record(id, at);
      }
    }
  }
};

// The three bytes at p, folded, from one four-byte load (p[3] must be readable).
inline uint32_t Fold3Word(const uint8_t* p) {
  uint32_t word;
  std::memcpy(&word, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  word = __builtin_bswap32(word);
#endif
  return (word | 0x20202020u) & 0xFFFFFFu;
}

// Probes the offsets i + k for every bit k set in `pass` (what a vector filter let through).
inline void ProbeEach(ScanState& st, size_t i, uint64_t pass) {
  while (pass != 0) {
    const size_t at = i + static_cast<size_t>(__builtin_ctzll(pass));
    pass &= pass - 1;
    st.Probe(at, Fold3Word(st.b + at));
  }
}

#ifdef KW_X86_SIMD
// GCC 12's permute intrinsics start from an undefined vector, which -Wmaybe-uninitialized reports
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define KW_AVX512 __attribute__((target("avx512f,avx512bw,avx512vbmi")))

// Whether each of 64 code pairs (first[k], second[k]) is in a 4,096-bit pair table, held in
// eight registers: byte first * 8 + second / 8 is looked up by four two-register permutes (by
// the first code's top two bits), then the second code's bit tested.
KW_AVX512 inline __mmask64 PairsIn(const __m512i (&table)[8], __m512i first, __m512i second, __m512i rowByte, __m512i colByte,
                                   __m512i colBit) {
  const __m512i index = _mm512_or_si512(_mm512_permutexvar_epi8(first, rowByte), _mm512_permutexvar_epi8(second, colByte));
  const __m512i q0 = _mm512_permutex2var_epi8(table[0], index, table[1]);
  const __m512i q1 = _mm512_permutex2var_epi8(table[2], index, table[3]);
  const __m512i q2 = _mm512_permutex2var_epi8(table[4], index, table[5]);
  const __m512i q3 = _mm512_permutex2var_epi8(table[6], index, table[7]);
  const __mmask64 bit4 = _mm512_test_epi8_mask(first, _mm512_set1_epi8(0x10));
  const __mmask64 bit5 = _mm512_test_epi8_mask(first, _mm512_set1_epi8(0x20));
  const __m512i low = _mm512_mask_blend_epi8(bit4, q0, q1), high = _mm512_mask_blend_epi8(bit4, q2, q3);
  const __m512i bytes = _mm512_mask_blend_epi8(bit5, low, high);
  return _mm512_test_epi8_mask(bytes, _mm512_permutexvar_epi8(second, colBit));
}

// Probes the offsets of 64-byte blocks that pass the pair tables; returns where it stopped.
KW_AVX512 size_t VectorScan(ScanState& st) {
  const PairTables& t = st.m.pairs;
  const uint8_t* b = st.b;
  const __m512i codeLow = _mm512_load_si512(t.code), codeHigh = _mm512_load_si512(t.code + 64);
  const __m512i rowByte = _mm512_load_si512(t.rowByte), colByte = _mm512_load_si512(t.colByte), colBit = _mm512_load_si512(t.colBit);
  __m512i tables[3][8];
  for (int k = 0; k < 3; k++) {
    for (int j = 0; j < 8; j++) tables[k][j] = _mm512_load_si512(t.pairs[k] + 64 * j);
  }
  size_t i = 0;
  // each block reads 66 bytes, and a probe four from its offset
  for (; i + 72 <= st.length; i += 64) {
    const __m512i c0 = _mm512_permutex2var_epi8(codeLow, _mm512_loadu_si512(b + i), codeHigh);
    const __m512i c1 = _mm512_permutex2var_epi8(codeLow, _mm512_loadu_si512(b + i + 1), codeHigh);
    const __m512i c2 = _mm512_permutex2var_epi8(codeLow, _mm512_loadu_si512(b + i + 2), codeHigh);
    uint64_t pass = PairsIn(tables[0], c0, c1, rowByte, colByte, colBit);
    pass &= PairsIn(tables[1], c1, c2, rowByte, colByte, colBit);
    pass &= PairsIn(tables[2], c0, c2, rowByte, colByte, colBit);
    ProbeEach(st, i, pass);
  }
  return i;
}
#endif

#ifdef KW_X86_SIMD
#define KW_AVX2 __attribute__((target("avx2")))

// Whether each of 32 code pairs (a[k], b[k]) is in one of the AVX2 pair tables, as a vector whose
// byte k is nonzero when it is: the byte `a & 15` of each of the table's eight rows is looked up
// (shuffles), the row (a >> 4) * 4 + (b >> 3) chosen by three levels of blends (the blend reads
// bit 7: the codes shifted left within 16-bit lanes bring bits 3 and 4 there), and its bit b & 7
// kept.
KW_AVX2 inline __m256i Avx2PairIn(const uint8_t (&rows)[8][16], __m256i aLow, __m256i aBit4, __m256i bBit3, __m256i bBit4, __m256i bBit) {
  __m256i r[8];
  for (int s = 0; s < 8; s++) r[s] = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(rows[s]))), aLow);
  const __m256i q0 = _mm256_blendv_epi8(r[0], r[1], bBit3), q1 = _mm256_blendv_epi8(r[2], r[3], bBit3);
  const __m256i q2 = _mm256_blendv_epi8(r[4], r[5], bBit3), q3 = _mm256_blendv_epi8(r[6], r[7], bBit3);
  const __m256i h0 = _mm256_blendv_epi8(q0, q1, bBit4), h1 = _mm256_blendv_epi8(q2, q3, bBit4);
  return _mm256_and_si256(_mm256_blendv_epi8(h0, h1, aBit4), bBit);
}

// The AVX2 filter: 32 offsets at a time, the three pairs of the bytes there looked up in the AVX2
// pair tables; the offsets all three pass are probed as in the scalar loop. Returns where it stopped.
KW_AVX2 size_t Avx2Scan(ScanState& st) {
  const Matcher& m = st.m;
  const uint8_t* b = st.b;
  const __m256i low5 = _mm256_set1_epi8(31), low4 = _mm256_set1_epi8(15), low3 = _mm256_set1_epi8(7);
  const __m256i bits = _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i zero = _mm256_setzero_si256();
  size_t i = 0;
  // each block reads 34 bytes, and a probe four from its offset
  for (; i + 40 <= st.length; i += 32) {
    __m256i c[3], cLow[3], cBit3[3], cBit4[3], cBit[3];
    for (int k = 0; k < 3; k++) {
      c[k] = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i + k)), low5);
      cLow[k] = _mm256_and_si256(c[k], low4);
      cBit3[k] = _mm256_slli_epi16(c[k], 4);  // bit 3 of each byte to its bit 7
      cBit4[k] = _mm256_slli_epi16(c[k], 3);  // bit 4 to bit 7
      cBit[k] = _mm256_shuffle_epi8(bits, _mm256_and_si256(c[k], low3));
    }
    const __m256i p01 = Avx2PairIn(m.avx2Rows[0], cLow[0], cBit4[0], cBit3[1], cBit4[1], cBit[1]);
    const __m256i p12 = Avx2PairIn(m.avx2Rows[1], cLow[1], cBit4[1], cBit3[2], cBit4[2], cBit[2]);
    const __m256i p02 = Avx2PairIn(m.avx2Rows[2], cLow[0], cBit4[0], cBit3[2], cBit4[2], cBit[2]);
    const __m256i miss = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(p01, zero), _mm256_cmpeq_epi8(p12, zero)), _mm256_cmpeq_epi8(p02, zero));
    ProbeEach(st, i, ~static_cast<uint32_t>(_mm256_movemask_epi8(miss)));
  }
  return i;
}
#endif

// scan(matcher, bytes: Uint8Array, present: Uint8Array, limit: number): Int32Array
// present[k] becomes 1 when keyword k occurs, 2 when a positional keyword occurs more than
// `limit` times (its positions are then left out). Returns [n, the n keywords present in
// ascending order, then k, offset, k, offset, ... for the positional keywords].
napi_value Scan(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv, 4, "scan(matcher, bytes, present, limit)")) return nullptr;
  void* data = nullptr;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok) return Throw(env, "scan: not a matcher");
  const Matcher& m = *static_cast<Matcher*>(data);
  size_t length = 0, presentLength = 0;
  const uint8_t* b = nullptr;
  uint8_t* present = nullptr;
  if (!TypedArray(env, argv[1], napi_uint8_array, &b, &length)) return Throw(env, "scan: bytes must be a Uint8Array");
  if (!TypedArray(env, argv[2], napi_uint8_array, &present, &presentLength) || presentLength < m.keywords.size()) {
    return Throw(env, "scan: present must be a Uint8Array with one byte per keyword");
  }
  int64_t limit = 0;
  if (napi_get_value_int64(env, argv[3], &limit) != napi_ok) return Throw(env, "scan: limit must be a number");
  std::memset(present, 0, m.keywords.size());
  std::vector<uint32_t> counts(m.keywords.size(), 0);
  std::vector<int32_t> hits;
  std::vector<int32_t> found;  // keywords present, in order of first occurrence

  ScanState st{m, b, length, present, static_cast<uint64_t>(limit), counts, hits, found};
  size_t i = 0;  // i is where a keyword's indexed bytes start
#ifdef KW_X86_SIMD
  if (m.vector) i = VectorScan(st);
  else if (m.avx2) i = Avx2Scan(st);
#endif
  for (; i + 4 <= length; i++) st.Probe(i, Fold3Word(b + i));
  for (; i + 3 <= length; i++) st.Probe(i, Fold3(b + i));
  // the last two bytes: only two-byte keywords fit (a one-byte tail holds none)
  if (length >= 2) {
    const size_t i = length - 2;
    for (uint32_t id : m.shortIds) {
      if (Matches(m.keywords[id], b + i, 2)) st.Record(id, i);
    }
  }

  // [n, the n keywords present in ascending order, then the positional hits]
  std::sort(found.begin(), found.end());
  std::vector<int32_t> out;
  out.reserve(1 + found.size() + hits.size());
  out.push_back(static_cast<int32_t>(found.size()));
  out.insert(out.end(), found.begin(), found.end());
  out.insert(out.end(), hits.begin(), hits.end());
  return ToInt32Array(env, out);
}

// Base64 alphabet (standard and URL-safe): the bytes a run of encoded text is made of.
struct Base64Table {
  bool t[256];
  constexpr Base64Table() : t() {
    for (int c = 0; c < 256; c++) {
      t[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '-' || c == '_';
    }
  }
};
constexpr Base64Table kBase64;

#ifdef KW_X86_SIMD
// The base64 bytes among the (up to) 64 at p, as a bit mask; bytes at or past `end` are not.
// (Every helper of a vector function carries its target too: a lambda would not, and would not
// be inlined.)
KW_AVX512 inline uint64_t Base64Mask(const uint8_t* b, size_t length, size_t at, __m512i low, __m512i high) {
  if (at >= length) return 0;
  const uint8_t* p = b + at;
  const size_t left = length - at;
  const __mmask64 valid = left >= 64 ? ~0ull : (1ull << left) - 1;
  const __m512i x = _mm512_maskz_loadu_epi8(valid, p);
  // base64 by the table, and not a byte of 0x80 or more (the permute reads seven bits)
  return _mm512_test_epi8_mask(_mm512_permutex2var_epi8(low, x, high), _mm512_set1_epi8(-1)) & ~_mm512_movepi8_mask(x) & valid;
}

// Runs of at least L (2 to 64) base64 bytes. Blocks of 64 bytes are classified into bit masks by
// a permute; a block and the next as one 128-bit mask, AND-ed with itself shifted, keeps bit j
// when bits j .. j + L - 1 are all set, so one test per block says whether a long run starts in
// it (or passes through it). Most blocks of source text hold none; from the first byte of one
// that does, the run is followed a mask at a time to its end, and the blocks resume after it.
// L is a template parameter so that the shifts are constants (variable 128-bit shifts made the
// loop three times slower).
// Bit j of the result: bits j .. j + L - 1 of `bits` are all set, given that bits j .. j + Have - 1
// of `bits` are.
template <uint32_t Have, uint32_t L>
inline unsigned __int128 AllSetFrom(unsigned __int128 bits) {
  if constexpr (Have >= L) {
    return bits;
  } else {
    constexpr uint32_t shift = Have < L - Have ? Have : L - Have;
    return AllSetFrom<Have + shift, L>(bits & (bits >> shift));
  }
}

template <uint32_t L>
KW_AVX512 void VectorBase64Runs(const uint8_t* b, size_t length, std::vector<int32_t>& runs) {
  static_assert(L >= 2 && L <= 64, "runs of 2 to 64 bytes");
  alignas(64) uint8_t table[128];
  for (int c = 0; c < 128; c++) table[c] = kBase64.t[c] ? 0xFF : 0;
  const __m512i low = _mm512_load_si512(table), high = _mm512_load_si512(table + 64);
  size_t pos = 0;
  uint64_t here = Base64Mask(b, length, 0, low, high);
  while (pos < length) {
    const uint64_t next = Base64Mask(b, length, pos + 64, low, high);
    const uint64_t starts = static_cast<uint64_t>(AllSetFrom<1, L>((static_cast<unsigned __int128>(next) << 64) | here));
    if (KW_UNLIKELY(starts != 0)) {
      // the first long run to start in this block (one through it began here: blocks resume after runs)
      const size_t start = pos + static_cast<size_t>(__builtin_ctzll(starts));
      size_t end = start + L;
      for (;;) {
        const uint64_t m = Base64Mask(b, length, end, low, high);
        if (m != ~0ull) {
          end += static_cast<size_t>(__builtin_ctzll(~m));
          break;
        }
        end += 64;
      }
      runs.push_back(static_cast<int32_t>(start));
      runs.push_back(static_cast<int32_t>(end));
      pos = end;
      here = Base64Mask(b, length, pos, low, high);
      continue;
    }
    pos += 64;
    here = next;
  }
}
#endif

// base64Runs(bytes: Uint8Array, minLength: number, vector?: boolean): Int32Array
// [start, end, ...] of every maximal run of base64 characters at least minLength long. Without
// the vector path: by probing every minLength-th byte and walking back from it (a long enough run
// holds a probed byte): on source code, whose runs are short identifiers, this reads a fraction
// of the bytes.
napi_value Base64Runs(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv, 2, "base64Runs(bytes, minLength)")) return nullptr;
  size_t length = 0;
  const uint8_t* b = nullptr;
  if (!TypedArray(env, argv[0], napi_uint8_array, &b, &length)) return Throw(env, "base64Runs: bytes must be a Uint8Array");
  int64_t minLength = 0;
  if (napi_get_value_int64(env, argv[1], &minLength) != napi_ok || minLength < 1) return Throw(env, "base64Runs: minLength must be a positive number");
  const int64_t len = static_cast<int64_t>(length);
  const int64_t L = minLength;
  std::vector<int32_t> runs;
  // an optional third argument false keeps to the scalar loop (argv holds undefined when absent)
  bool vector = CpuHasVectorFilter();
  napi_valuetype t;
  bool wanted = true;
  if (napi_typeof(env, argv[2], &t) == napi_ok && t == napi_boolean && napi_get_value_bool(env, argv[2], &wanted) == napi_ok) vector = vector && wanted;
#ifdef KW_X86_SIMD
  // the vector path is built for the engine's minimum run (decode.ts: MIN_BASE64)
  if (vector && L == 32) {
    VectorBase64Runs<32>(b, length, runs);
    return ToInt32Array(env, runs);
  }
#endif
  int64_t p = L - 1;
  while (p < len) {
    int64_t q = p;
    const int64_t stop = p - L;  // bytes (stop, p] must all be base64 for a run to hold p
    while (q > stop && kBase64.t[b[q]]) q--;
    if (q != stop) {
      p = q + L;  // byte q is not base64: the next run that can be long enough ends at q + L or later
      continue;
    }
    int64_t start = stop + 1;
    while (start > 0 && kBase64.t[b[start - 1]]) start--;
    int64_t end = p + 1;
    while (end < len && kBase64.t[b[end]]) end++;
    runs.push_back(static_cast<int32_t>(start));
    runs.push_back(static_cast<int32_t>(end));
    p = end + L;
  }
  return ToInt32Array(env, runs);
}

// gather(bytes: Uint8Array, windows: Int32Array, count: number, out: Uint8Array): number
// Copies the `count` windows bytes[windows[2i], windows[2i + 1]) into out one after another, each
// followed by a newline, and returns the length written (-1: a window out of range, or out too
// small), so that a rule searches all its windows in one RE2 call instead of one call each.
napi_value Gather(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv, 4, "gather(bytes, windows, count, out)")) return nullptr;
  size_t length = 0, windowsLength = 0, outLength = 0;
  const uint8_t* b = nullptr;
  const int32_t* w = nullptr;
  uint8_t* out = nullptr;
  if (!TypedArray(env, argv[0], napi_uint8_array, &b, &length)) return Throw(env, "gather: bytes must be a Uint8Array");
  if (!TypedArray(env, argv[1], napi_int32_array, &w, &windowsLength)) return Throw(env, "gather: windows must be an Int32Array");
  if (!TypedArray(env, argv[3], napi_uint8_array, &out, &outLength)) return Throw(env, "gather: out must be a Uint8Array");
  int64_t count = 0;
  if (napi_get_value_int64(env, argv[2], &count) != napi_ok || count < 0 || static_cast<uint64_t>(count) * 2 > windowsLength) {
    return Throw(env, "gather: count must be a number of windows the array holds");
  }
  size_t at = 0;
  int64_t written = 0;
  for (int64_t i = 0; i < count; i++) {
    const int64_t from = w[2 * i], to = w[2 * i + 1];
    if (from < 0 || to < from || static_cast<uint64_t>(to) > length || at + static_cast<size_t>(to - from) + 1 > outLength) {
      written = -1;
      break;
    }
    std::memcpy(out + at, b + from, static_cast<size_t>(to - from));
    at += static_cast<size_t>(to - from);
    out[at++] = '\n';
    written = static_cast<int64_t>(at);
  }
  return Number(env, written);
}

// windows(bytes, positions: Int32Array, count, before, after, maxBytes, mergeGap, anchored, out: Int32Array): number
// The byte windows around the first `count` (ascending) positions, as windows.ts computes them
// (keywordWindows, or anchoredWindows when `anchored`), written [start, end, ...] into out;
// returns how many. Without anchoring a window runs from `before` lines before the position's line
// to the end of `after` lines after it, at most maxBytes each side; an occurrence later on the line
// of the previous one is skipped when the previous window reached its line's end; windows closer
// than mergeGap are joined. Anchored, a window runs from the position to the end of `after` lines,
// at most maxBytes (anchoredWindows joins only overlapping ones: a merge gap of 0).
napi_value Windows(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  if (!Args(env, info, argv, 9, "windows(bytes, positions, count, before, after, maxBytes, mergeGap, anchored, out)")) return nullptr;
  size_t length = 0, positionsLength = 0, outLength = 0;
  const uint8_t* b = nullptr;
  const int32_t* pos = nullptr;
  int32_t* out = nullptr;
  if (!TypedArray(env, argv[0], napi_uint8_array, &b, &length)) return Throw(env, "windows: bytes must be a Uint8Array");
  if (!TypedArray(env, argv[1], napi_int32_array, &pos, &positionsLength)) return Throw(env, "windows: positions must be an Int32Array");
  if (!TypedArray(env, argv[8], napi_int32_array, &out, &outLength)) return Throw(env, "windows: out must be an Int32Array");
  int64_t count = 0, before = 0, after = 0, maxBytes = 0, mergeGap = 0;
  bool anchored = false;
  if (napi_get_value_int64(env, argv[2], &count) != napi_ok || napi_get_value_int64(env, argv[3], &before) != napi_ok ||
      napi_get_value_int64(env, argv[4], &after) != napi_ok || napi_get_value_int64(env, argv[5], &maxBytes) != napi_ok ||
      napi_get_value_int64(env, argv[6], &mergeGap) != napi_ok || napi_get_value_bool(env, argv[7], &anchored) != napi_ok) {
    return Throw(env, "windows: count, before, after, maxBytes and mergeGap are numbers, anchored a boolean");
  }
  if (count < 0 || static_cast<uint64_t>(count) > positionsLength || outLength < 2 * static_cast<uint64_t>(count) || before < 0 || after < 0 || maxBytes < 0) {
    return Throw(env, "windows: out of range");
  }
  const int64_t len = static_cast<int64_t>(length);
  // the first newline in [from, to), or -1
  auto newlineIn = [&](int64_t from, int64_t to) -> int64_t {
    if (from >= to) return -1;
    const void* nl = std::memchr(b + from, '\n', static_cast<size_t>(to - from));
    return nl ? static_cast<const uint8_t*>(nl) - b : -1;
  };
  // the last newline in [from, to), or -1
  auto lastNewlineIn = [&](int64_t from, int64_t to) -> int64_t {
    for (int64_t i = to - 1; i >= from; i--) {
      if (b[i] == '\n') return i;
    }
    return -1;
  };
  // windows.ts: contextStart / contextEnd
  auto contextStart = [&](int64_t p, int64_t lines) -> int64_t {
    const int64_t floor = std::max<int64_t>(0, p - maxBytes);
    int64_t i = p;
    for (int64_t n = 0; n <= lines; n++) {
      const int64_t nl = i > 0 ? lastNewlineIn(floor, i) : -1;
      if (nl < 0) return floor;
      i = nl;
    }
    return i + 1;
  };
  auto contextEnd = [&](int64_t p, int64_t lines) -> int64_t {
    const int64_t ceil = std::min<int64_t>(len, p + maxBytes);
    int64_t i = p;
    for (int64_t n = 0; n <= lines; n++) {
      const int64_t nl = newlineIn(i, ceil);
      if (nl < 0) return ceil;
      i = nl + 1;
    }
    return i;
  };
  int64_t n = 0;  // windows written
  int64_t lineEnd = -1;
  bool reuse = false;
  for (int64_t k = 0; k < count; k++) {
    const int64_t p = pos[k];
    if (p < 0 || p > len) return Throw(env, "windows: a position is outside the bytes");
    int64_t start, end;
    if (anchored) {
      start = p;
      end = contextEnd(p, after);
    } else {
      if (reuse && p < lineEnd) continue;
      start = contextStart(p, before);
      end = contextEnd(p, after);
      reuse = end < p + maxBytes;
      if (reuse) {
        // the context ended at a newline, so the position's line ends inside it
        const int64_t nl = newlineIn(p, end);
        lineEnd = nl < 0 ? len : nl;
      }
    }
    if (n > 0 && start <= out[2 * n - 1] + mergeGap) {
      out[2 * n - 1] = static_cast<int32_t>(std::max<int64_t>(out[2 * n - 1], end));
      continue;
    }
    out[2 * n] = static_cast<int32_t>(start);
    out[2 * n + 1] = static_cast<int32_t>(end);
    n++;
  }
  return Number(env, n);
}

// lineStarts(bytes: Uint8Array): Int32Array
// 0 and the offset after every newline: where the lines start (location.ts's LineIndex).
napi_value LineStarts(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv, 1, "lineStarts(bytes)")) return nullptr;
  size_t length = 0;
  const uint8_t* b = nullptr;
  if (!TypedArray(env, argv[0], napi_uint8_array, &b, &length)) return Throw(env, "lineStarts: bytes must be a Uint8Array");
  std::vector<int32_t> starts{0};
  for (const uint8_t *p = b, *end = b + length; p < end;) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (!nl) break;
    p = static_cast<const uint8_t*>(nl) + 1;
    starts.push_back(static_cast<int32_t>(p - b));
  }
  return ToInt32Array(env, starts);
}

}  // namespace

// os-pipe.cc
void RegisterOsPipe(napi_env env, napi_value exports);

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"compile", nullptr, Compile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scan", nullptr, Scan, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"base64Runs", nullptr, Base64Runs, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gather", nullptr, Gather, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"windows", nullptr, Windows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lineStarts", nullptr, LineStarts, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 6, props);
  RegisterOsPipe(env, exports);
  // whether this CPU runs the vector filter (compile's default)
  napi_value vector;
  if (napi_get_boolean(env, CpuHasVectorFilter(), &vector) == napi_ok) napi_set_named_property(env, exports, "vectorFilter", vector);
  // whether it can run the AVX2 filter (compile's "avx2")
  napi_value avx2;
  if (napi_get_boolean(env, CpuHasAvx2(), &avx2) == napi_ok) napi_set_named_property(env, exports, "avx2Filter", avx2);
  return exports;
}
