/* Byte-class block scan for the redaction trigger pass (textrepr/_redact_scan.pyx, issue 14).
 *
 * A pattern is up to four character sets at offsets 0..3 (say "x", "o", "x" for xox); eight patterns, one
 * bit each. A position is kept when some pattern has its bit set at every offset, and the character at
 * offset 0 is ASCII. Two ways to get the class bits of a byte, chosen at run time:
 * - AVX-512 VBMI + GFNI (the first 256 positions 64 a step, where a real text's triggers most often are,
 *   then 256 a step with one branch): a first test by one single-register byte permute per offset in
 *   64-entry tables (fold), indexed at offset 0 by the byte folded to six bits by a GF(2) affine map (bit 5,
 *   the case of a letter, and bit 7 dropped: digits and '_ - @' stay apart from letters) and at offsets 1..3
 *   by the byte's low six bits as they are (the permute ignores bits 6 and 7: no fold there, so a letter
 *   shares its entry with a punctuation character, digit or control character, never with its other case);
 *   each entry is the union of the classes of the bytes indexing it. Its patterns are the exact ones but
 *   for the single characters: '_' is kept two positions before itself, at the last two letters of a word it
 *   may end (the "$ai_" of every event key keeps nothing), a block handing the positions past its end to the
 *   next (a carry); '@', '-' (and raw_clean's backslash) where they are; the A prefixes share a bit with
 *   bear/basi/secr/cook to make room. Only a 64-position block where that test keeps something is looked at
 *   again with the exact 128-entry tables (one two-register permute per offset; a byte >= 0x80 looks up its
 *   low seven bits: a superset, as offset 0 drops it), and there three patterns keep only what _trig_at can
 *   accept: the number one the first digit of a run, with number characters at offsets 1..6; the single
 *   characters one ('_', '-') those after a character that may end a prefix with them, or doubled; the word
 *   ones where one of the words begins (rs_words). UCS2 is narrowed a run of blocks at a time into a buffer,
 *   then scanned as Latin-1 is.
 * - AVX2 (32 positions a step): each set kept as the product of its low and high nibbles (a superset of
 *   it), lo[j][b & 15] & hi[j][b >> 4], two byte shuffles per offset; the pattern of single characters
 *   (one character at offset 0, any after) is compared directly instead.
 * A block with no position kept is skipped; the caller re-checks every position kept. UCS2 strings are
 * narrowed to bytes first. Without either, nothing is skipped (the caller looks at every position).
 */
#ifndef TEXTREPR_REDACT_SIMD_H
#define TEXTREPR_REDACT_SIMD_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

typedef struct {
    uint8_t lo[4][32];  /* 16-entry tables, repeated for both 128-bit lanes (AVX2) */
    uint8_t hi[4][32];
    uint8_t exact[4][128];  /* the exact class bits of each ASCII character at each offset (VBMI) */
    uint8_t fold[4][64];  /* the first test's classes (VBMI), by the permute's index: offset 0 (b & 31) |
                             (b >> 6 & 1) << 5 (the GF(2) fold, RS_FOLD), offsets 1..3 b & 63; its patterns are
                             exact's, but for the single characters (fs_self, fs_before) */
    uint8_t num;  /* the bit of the number pattern (digits, then number characters at offsets 1..3), 0: none */
    uint8_t single;  /* the bit of the pattern of single characters (single0), 0: none */
    uint8_t behind[128];  /* bit j: single0[j] may begin a trigger after this character (the AVX-512 re-check) */
    uint8_t single0[4];  /* AVX2: a pattern of single characters compared directly (a nibble product of
                            '_ - : @' would keep every space); 0 = unused */
    uint8_t words_n[4];  /* single0[j] begins a trigger only after one of words_n[j] words (0: anywhere) ... */
    uint8_t word_len[4][12];
    uint8_t words[4][12][12];  /* ... or before itself (rs_singles: "-----BEGIN") */
    uint8_t fs_self;  /* in fold[]'s patterns, the single characters kept at themselves ('@', '-') ... */
    uint8_t fs_before;  /* ... and '_', kept two characters before, at a word's last two letters */
    uint8_t word_bits;  /* the patterns of words (their first letters, any case): kept only where one of ... */
    uint8_t word_n;
    uint64_t word_val[16];  /* ... these begins: 8 bytes from there, each | 0x20, masked, equal to the value */
    uint64_t word_mask[16];
} rs_tables;

/* 2: the best block scan the CPU has, 1: AVX2 at most, 0: none (tests check every level gives the same). */
static int rs_simd_enabled = 2;

static inline int rs_ctz(uint64_t m) {  /* m != 0 */
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(m);
#else
    int k = 0;
    while (!(m & 1u)) { m >>= 1; k++; }
    return k;
#endif
}

static int rs_plain_ascii_c(const uint8_t* p, size_t n) {  /* see rs_plain_ascii */
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] >= 0x80 || p[i] == '\\')
            return 0;
    return 1;
}

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>

__attribute__((target("avx2")))
static inline __m256i rs_cls_avx2(const rs_tables* t, const uint8_t* p, int j) {
    const __m256i nib = _mm256_set1_epi8(15);
    __m256i x = _mm256_loadu_si256((const __m256i*)(p + j));
    __m256i lo = _mm256_and_si256(x, nib);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), nib);
    return _mm256_and_si256(_mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i*)t->lo[j]), lo),
                            _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i*)t->hi[j]), hi));
}

__attribute__((target("avx2")))
static inline uint32_t rs_block_avx2(const rs_tables* t, const uint8_t* p) {
    /* Bit i set: position p[i] (0 <= i < 32) is kept. Reads p[0..34]. */
    __m256i acc = _mm256_and_si256(_mm256_and_si256(rs_cls_avx2(t, p, 0), rs_cls_avx2(t, p, 1)),
                                   _mm256_and_si256(rs_cls_avx2(t, p, 2), rs_cls_avx2(t, p, 3)));
    __m256i kept = _mm256_xor_si256(_mm256_cmpeq_epi8(acc, _mm256_setzero_si256()), _mm256_set1_epi8(-1));
    __m256i x0 = _mm256_loadu_si256((const __m256i*)p);
    int k;
    for (k = 0; k < 4; k++)
        if (t->single0[k])
            kept = _mm256_or_si256(kept, _mm256_cmpeq_epi8(x0, _mm256_set1_epi8((char)t->single0[k])));
    return (uint32_t)_mm256_movemask_epi8(kept);
}

__attribute__((target("avx2")))
static size_t rs_skip_avx2(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint64_t* mask) {
    /* The first block of 32 positions at or after ``from`` with a position kept (its start; *mask: which),
     * or the start of the tail (fewer than 35 characters left; *mask = 0), which the caller scans itself. */
    size_t i = from;
    while (i + 35 <= n) {
        uint64_t m = rs_block_avx2(t, p + i);
        if (m) { *mask = m; return i; }
        i += 32;
    }
    *mask = 0;
    return i;
}

/* UCS2: 16 characters narrowed to 16 bytes, the four non-ASCII letters that the scans fold to ASCII
 * (dotted and dotless i, long s, Kelvin sign) mapped to i, i, s, k, every other one to 0x80 (no class). */
__attribute__((target("avx2")))
static inline void rs_narrow16_avx2(const uint16_t* p, uint8_t* out) {
    __m256i x = _mm256_loadu_si256((const __m256i*)p);
    __m256i i1 = _mm256_cmpeq_epi16(x, _mm256_set1_epi16(0x130));
    __m256i i2 = _mm256_cmpeq_epi16(x, _mm256_set1_epi16(0x131));
    __m256i ls = _mm256_cmpeq_epi16(x, _mm256_set1_epi16(0x17F));
    __m256i kv = _mm256_cmpeq_epi16(x, _mm256_set1_epi16(0x212A));
    x = _mm256_min_epu16(x, _mm256_set1_epi16(0x80));
    x = _mm256_blendv_epi8(x, _mm256_set1_epi16('i'), _mm256_or_si256(i1, i2));
    x = _mm256_blendv_epi8(x, _mm256_set1_epi16('s'), ls);
    x = _mm256_blendv_epi8(x, _mm256_set1_epi16('k'), kv);
    x = _mm256_permute4x64_epi64(_mm256_packus_epi16(x, x), 0xD8);
    _mm_storeu_si128((__m128i*)out, _mm256_castsi256_si128(x));
}

__attribute__((target("avx2")))
static size_t rs_skip16_avx2(const rs_tables* t, const uint16_t* p, size_t from, size_t n, uint64_t* mask) {
    /* rs_skip_avx2 for UCS2 (the tail: fewer than 48 characters left). */
    uint8_t buf[48];
    size_t i = from;
    while (i + 48 <= n) {
        rs_narrow16_avx2(p + i, buf);
        rs_narrow16_avx2(p + i + 16, buf + 16);
        rs_narrow16_avx2(p + i + 32, buf + 32);
        uint64_t m = rs_block_avx2(t, buf);
        if (m) { *mask = m; return i; }
        i += 32;
    }
    *mask = 0;
    return i;
}

/* AVX-512 VBMI and GFNI: 128 positions a step in folded tables, the exact ones where those keep something. */
#define RS_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi,gfni")))

/* The GF(2) affine map folding a byte: output bits 0..4 = input bits 0..4, output bit 5 = input bit 6 (the row of
 * output bit k is byte 7 - k of the matrix); upper and lower case of a letter fold together, digits and
 * punctuation (0x20..0x3F) stay apart from letters. */
#define RS_FOLD 0x0102040810400000ULL

RS_VBMI
static inline __m512i rs_cls_fold_or(const __m512i* ft, __m512i fm, const uint8_t* q, __m512i acc) {
    /* acc | the first test's class bits of the positions q[0..63] (reads q[0..66]; a superset of the exact
     * ones). Offset 0 is folded (one GF(2) op, port 0); offsets 1..3 index by their low six bits, which saves
     * three folds a block: the permutes (port 5) are then what bounds the scan. The ANDs and the OR are two
     * ternary-logic instructions (0x80: a & b & c; 0xF8: a | (b & c)). */
    __m512i c0 = _mm512_permutexvar_epi8(_mm512_gf2p8affine_epi64_epi8(_mm512_loadu_si512((const void*)q), fm, 0),
                                         ft[0]);
    __m512i c1 = _mm512_permutexvar_epi8(_mm512_loadu_si512((const void*)(q + 1)), ft[1]);
    __m512i c2 = _mm512_permutexvar_epi8(_mm512_loadu_si512((const void*)(q + 2)), ft[2]);
    __m512i c3 = _mm512_permutexvar_epi8(_mm512_loadu_si512((const void*)(q + 3)), ft[3]);
    return _mm512_ternarylogic_epi32(acc, _mm512_ternarylogic_epi32(c0, c1, c2, 0x80), c3, 0xF8);
}

RS_VBMI
static inline __m512i rs_cls_fold(const __m512i* ft, __m512i fm, const uint8_t* q) {
    return rs_cls_fold_or(ft, fm, q, _mm512_setzero_si512());
}

static inline uint8_t rs_narrow1(uint32_t c) {  /* one character, as the UCS2 narrowing does */
    if (c < 128) return (uint8_t)c;
    if (c == 0x130 || c == 0x131) return 'i';
    if (c == 0x17F) return 's';
    if (c == 0x212A) return 'k';
    return 0x80;
}

static inline int rs_is_digit(const rs_tables* t, uint32_t c) {  /* c is in the number pattern's first set */
    return c < 128 && (t->exact[0][c] & t->num) != 0;
}

RS_VBMI
static inline uint64_t rs_numchar(const __m512i* ex, __m512i num, __m512i x) {
    /* Which bytes of x are number characters (the number pattern's set at offset 1). */
    return (uint64_t)_mm512_test_epi8_mask(_mm512_permutex2var_epi8(ex[2], x, ex[3]), num)
         & ~(uint64_t)_mm512_movepi8_mask(x);
}

/* Byte k of a permute by RS_BACK1 is byte k - 1 (the character before). */
static const uint8_t RS_BACK1[64] = {
    0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
    28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54,
    55, 56, 57, 58, 59, 60, 61, 62
};

static inline uint64_t rs_words(const rs_tables* t, const uint8_t* q, size_t left, uint64_t w) {
    /* Of the positions w of q (kept by the word patterns alone; ``left``: how many bytes q has), those where
     * one of t's words begins, ASCII letters in any case: what _trig_at's word tests can find there, and
     * more (a byte | 0x20 equal to a letter is that letter in either case; nothing else but DEL and CR
     * matches '_' and '-'). Spares the word patterns' cross products ("act", "sear") a trip out of the block
     * scan. */
    uint64_t ok = 0, v;
    size_t k, m;
    int j;
    while (w) {
        k = (size_t)rs_ctz(w);
        w &= w - 1;
        m = left > k ? left - k : 0;
        v = 0;
        if (m >= 8)
            memcpy(&v, q + k, 8);
        else
            memcpy(&v, q + k, m);  /* zero past the end: 0x20 once ORed, in no word */
        v |= 0x2020202020202020ULL;
        for (j = 0; j < t->word_n; j++)
            if ((v & t->word_mask[j]) == t->word_val[j]) {
                ok |= (uint64_t)1 << k;
                break;
            }
    }
    return ok;
}

RS_VBMI
static inline uint64_t rs_split(const rs_tables* t, const __m512i* ex, __m512i acc, __m512i x0, __m512i x1,
                                uint8_t before, const uint8_t* q, size_t left, uint64_t* num) {
    /* Which of the 64 bytes x0 (followed by x1, preceded by ``before``: 0 for none) the exact class bits
     * ``acc`` keep, what _trig_at rejects left out: the single characters only after a character that may
     * precede them (t->behind) or before themselves ('-----BEGIN'); the word patterns only where a word
     * begins (rs_words; x0 is loaded from q, which has ``left`` bytes). The number pattern's positions that
     * begin a digit run go to *num, not returned: the caller keeps of them the ones with number characters
     * at offsets 4..6 too. */
    uint64_t ascii = ~(uint64_t)_mm512_movepi8_mask(x0);
    uint64_t keep = (uint64_t)_mm512_test_epi8_mask(acc, _mm512_set1_epi8((char)~(t->num | t->single))) & ascii;
    if (keep && t->word_bits) {
        uint64_t w = keep & ~(uint64_t)_mm512_test_epi8_mask(acc, _mm512_set1_epi8((char)~t->word_bits));
        if (w)
            keep = (keep & ~w) | rs_words(t, q, left, w);
    }
    uint64_t m = (uint64_t)_mm512_test_epi8_mask(acc, _mm512_set1_epi8((char)t->num)) & ascii & ~keep;
    uint64_t s = (uint64_t)_mm512_test_epi8_mask(acc, _mm512_set1_epi8((char)t->single)) & ascii & ~keep;
    if (m) {
        uint64_t digit = (uint64_t)_mm512_test_epi8_mask(_mm512_permutex2var_epi8(ex[0], x0, ex[1]),
                                                         _mm512_set1_epi8((char)t->num)) & ascii;
        m &= ~(digit << 1 | (uint64_t)rs_is_digit(t, before));
    }
    if (s) {
        __m512i prev = _mm512_mask_set1_epi8(
            _mm512_permutexvar_epi8(_mm512_loadu_si512((const void*)RS_BACK1), x0), 1, (char)before);
        __m512i may = _mm512_permutex2var_epi8(_mm512_loadu_si512((const void*)t->behind), prev,
                                               _mm512_loadu_si512((const void*)(t->behind + 64)));
        uint64_t ok = 0;
        int j;
        for (j = 0; j < 4 && t->single0[j]; j++) {
            __m512i c = _mm512_set1_epi8((char)t->single0[j]);
            ok |= (uint64_t)_mm512_cmpeq_epi8_mask(x0, c)
                & ((uint64_t)_mm512_test_epi8_mask(may, _mm512_set1_epi8((char)(1 << j)))
                   | (uint64_t)_mm512_cmpeq_epi8_mask(x1, c));
        }
        keep |= s & ok;
    }
    *num = m;
    return keep;
}

RS_VBMI
static inline uint64_t rs_keep(const rs_tables* t, const __m512i* ex, const uint8_t* q, size_t left,
                               uint8_t before) {
    /* The positions q[0..63] kept by the exact tables, as rs_split says (``before``: the character before
     * q[0], 0 for none). Reads q[0..66] and, for the number pattern, up to q[69] but nothing at or past
     * q[left]. */
    __m512i x0 = _mm512_loadu_si512((const void*)q), x1 = _mm512_loadu_si512((const void*)(q + 1));
    __m512i acc = _mm512_and_si512(_mm512_permutex2var_epi8(ex[0], x0, ex[1]),
                                   _mm512_permutex2var_epi8(ex[2], x1, ex[3]));
    uint64_t keep, num;
    size_t k;
    int j;
    for (j = 2; j < 4; j++)
        acc = _mm512_and_si512(acc, _mm512_permutex2var_epi8(ex[2 * j], _mm512_loadu_si512((const void*)(q + j)),
                                                             ex[2 * j + 1]));
    keep = rs_split(t, ex, acc, x0, x1, before, q, left, &num);
    for (k = 4; k < 7 && num; k++) {  /* zero at and past the end: not a number character */
        __mmask64 in = left >= k + 64 ? ~(__mmask64)0 : left > k ? (((__mmask64)1 << (left - k)) - 1) : 0;
        num &= rs_numchar(ex, _mm512_set1_epi8((char)t->num), _mm512_maskz_loadu_epi8(in, (const void*)(q + k)));
    }
    return keep | num;
}

static inline int rs_after_word(const rs_tables* t, int j, const uint8_t* s, size_t back) {
    /* Whether one of single0[j]'s words ends just before s (``back``: how many bytes s has before it). */
    int w;
    size_t len, k;
    if (!back || !(t->behind[s[-1] & 127] >> j & 1))  /* not after a word's last letter: the usual case */
        return 0;
    for (w = 0; w < t->words_n[j]; w++) {
        len = t->word_len[j][w];
        if (len > back)
            continue;
        for (k = 0; k < len && (s - len)[k] == t->words[j][w][k]; k++)
            ;
        if (k == len)
            return 1;
    }
    return 0;
}

static inline int rs_is_single(const rs_tables* t, uint32_t c) {  /* c is one of the single characters */
    return c < 128 && (t->exact[0][c] & t->single) != 0;
}

static inline uint64_t rs_singles(const rs_tables* t, const uint8_t* q, size_t back, uint64_t f) {
    /* rs_keep where the first test kept only single characters, at the candidate positions f (those that
     * hold none are passed over): each looked at on its own, and kept only after one of its words (or
     * doubled); ``back``: how many bytes q has before it. */
    uint64_t ok = 0;
    while (f) {
        int k = rs_ctz(f), j;
        uint8_t c = q[k];
        f &= f - 1;
        if (c >= 128 || !(t->exact[0][c] & t->single))  /* rs_is_single written out: with the call here,
                                                          GCC spilled the block loop's registers (1.3x) */
            continue;
        for (j = 0; j < 4 && t->single0[j]; j++)
            if (t->single0[j] == c && (!t->words_n[j] || q[k + 1] == c || rs_after_word(t, j, q + k, back + k)))
                ok |= (uint64_t)1 << k;
    }
    return ok;
}

RS_VBMI
static inline uint64_t rs_keep_folded(const rs_tables* t, const __m512i* ex, __m512i a, const uint8_t* q, size_t left,
                                      size_t back, uint64_t carry, uint64_t* carry_out) {
    /* The positions of q[0..63] kept, given their first-test classes ``a`` and ``carry`` (positions 0 and 1
     * where the block before anchored a '_'): rs_keep, or rs_singles when only single characters were kept
     * (no table permutes). A '_' is kept two positions before itself, where the last two letters of a word
     * it may end are ("$ai_model" keeps nothing); *carry_out gets the ones past the block. ``back``: how
     * many bytes q has before it. */
    uint64_t u = (uint64_t)_mm512_test_epi8_mask(a, _mm512_set1_epi8((char)t->fs_before));
    uint64_t c = (uint64_t)_mm512_test_epi8_mask(a, _mm512_set1_epi8((char)t->fs_self)) | u << 2 | carry;
    *carry_out = u >> 62;
    if (!_mm512_test_epi8_mask(a, _mm512_set1_epi8((char)~(t->fs_self | t->fs_before))))
        return c ? rs_singles(t, q, back, c) : 0;
    return rs_keep(t, ex, q, left, back ? q[-1] : 0);
}

static inline uint64_t rs_carry(const rs_tables* t, const uint8_t* q, size_t left) {
    /* The carry into a scan that starts at q: positions 0 and 1 when they hold a single character (the
     * block before, which could have anchored a '_' there, is not looked at). */
    return (uint64_t)(left > 0 && rs_is_single(t, q[0])) | (uint64_t)(left > 1 && rs_is_single(t, q[1])) << 1;
}

RS_VBMI __attribute__((always_inline))
static inline int rs_block64(const rs_tables* t, const __m512i* ft, __m512i fm, const __m512i* ex, const uint8_t* p,
                             size_t i, size_t n, uint64_t* carry, uint64_t* mask, size_t* ascii) {
    /* rs_skip_vbmi_'s step of one block (p + i, with 67 bytes): 1 when the scan stops there, *mask holding
     * the positions kept (0, and *ascii -1, at a byte >= 0x80 when ``ascii``). */
    __m512i a = rs_cls_fold(ft, fm, p + i);
    uint64_t m;
    if (ascii) {
        if (_mm512_movepi8_mask(_mm512_loadu_si512((const void*)(p + i)))) {
            *ascii = (size_t)-1;
            *mask = 0;
            return 1;
        }
        *ascii = i + 64;
    }
    if (_mm512_test_epi8_mask(a, a) || *carry) {
        m = rs_keep_folded(t, ex, a, p + i, n - i, i, *carry, carry);
        if (m) {
            *mask = m;
            return 1;
        }
    }
    return 0;
}

RS_VBMI __attribute__((always_inline))
static inline size_t rs_skip_vbmi_(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint64_t* mask,
                                   size_t* ascii) {
    /* The first 64 positions, then 256 a step, tested once in the 64-entry tables (one branch a step: a
     * clean text rarely takes it); in a step kept there, each block of 64 that keeps something is looked at
     * again in the exact ones. Then 64 positions a step up to 67 bytes before the end. With ``ascii``: *ascii is where
     * the steps known to be ASCII end, or -1 once one holds a byte >= 0x80 (then nothing is kept: raw_clean
     * stops). */
    __m512i ft[4], ex[8], a, hi = _mm512_setzero_si512();
    const __m512i fm = _mm512_set1_epi64((long long)RS_FOLD);
    uint64_t m;
    int j, h;
    unsigned steps = 0;
    size_t i = from;
    uint64_t carry = rs_carry(t, p + from, n - from);
    for (j = 0; j < 4; j++) {
        ft[j] = _mm512_loadu_si512((const void*)t->fold[j]);
        ex[2 * j] = _mm512_loadu_si512((const void*)t->exact[j]);
        ex[2 * j + 1] = _mm512_loadu_si512((const void*)(t->exact[j] + 64));
    }
    for (; i + 259 <= n && i < from + 256; i += 64)  /* the first 256 by 64: where a real text's triggers most often are */
        if (rs_block64(t, ft, fm, ex, p, i, n, &carry, mask, ascii))
            return i;
    while (i + 259 <= n) {
        a = _mm512_setzero_si512();
        for (h = 0; h < 4; h++)
            a = rs_cls_fold_or(ft, fm, p + i + 64 * h, a);
        if (ascii) {  /* the same loads as the offset-0 folds, ORed into hi (0xFE: a | b | c), looked at
                         every 1,024 bytes and before a return */
            hi = _mm512_ternarylogic_epi32(hi, _mm512_loadu_si512((const void*)(p + i)),
                                           _mm512_loadu_si512((const void*)(p + i + 64)), 0xFE);
            hi = _mm512_ternarylogic_epi32(hi, _mm512_loadu_si512((const void*)(p + i + 128)),
                                           _mm512_loadu_si512((const void*)(p + i + 192)), 0xFE);
            if ((++steps & 3) == 0 || _mm512_test_epi8_mask(a, a) || carry) {
                if (_mm512_movepi8_mask(hi)) {
                    *ascii = (size_t)-1;
                    *mask = 0;
                    return i;
                }
                *ascii = i + 256;
            }
        }
        if (_mm512_test_epi8_mask(a, a) || carry) {
            for (h = 0; h < 4; h++) {  /* only the blocks that keep something (their classes again) */
                a = rs_cls_fold(ft, fm, p + i + 64 * h);
                if (!_mm512_test_epi8_mask(a, a) && !carry)
                    continue;
                m = rs_keep_folded(t, ex, a, p + i + 64 * h, n - i - 64 * h, i + 64 * h, carry, &carry);
                if (m) { *mask = m; return i + 64 * h; }
            }
        }
        i += 256;
    }
    if (ascii && (steps & 3)) {  /* the steps not looked at yet */
        if (_mm512_movepi8_mask(hi)) {
            *ascii = (size_t)-1;
            *mask = 0;
            return i;
        }
        *ascii = i;
    }
    for (; i + 67 <= n; i += 64)
        if (rs_block64(t, ft, fm, ex, p, i, n, &carry, mask, ascii))
            return i;
    *mask = 0;  /* (a carry into the rest: the caller's tail checks it with the exact classes) */
    return i;
}

RS_VBMI
static size_t rs_skip_vbmi(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint64_t* mask) {
    return rs_skip_vbmi_(t, p, from, n, mask, NULL);
}

RS_VBMI
static size_t rs_skip_ascii_vbmi(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint64_t* mask,
                                 size_t* ascii) {
    return rs_skip_vbmi_(t, p, from, n, mask, ascii);
}

RS_VBMI
static uint64_t rs_tail_vbmi(const rs_tables* t, const uint8_t* q, size_t left, uint8_t before) {
    /* rs_keep with its tables loaded: one block of a tail (reads q[0..66]). */
    __m512i ex[8];
    int j;
    for (j = 0; j < 4; j++) {
        ex[2 * j] = _mm512_loadu_si512((const void*)t->exact[j]);
        ex[2 * j + 1] = _mm512_loadu_si512((const void*)(t->exact[j] + 64));
    }
    return rs_keep(t, ex, q, left, before);
}

/* UCS2 -> bytes, 32 characters a step (AVX-512BW), mapped as rs_narrow16_avx2 maps them. */
RS_VBMI
static inline __m256i rs_narrow32_vbmi(const uint16_t* p) {
    __m512i x = _mm512_loadu_si512((const void*)p);
    __mmask32 i1 = _mm512_cmpeq_epi16_mask(x, _mm512_set1_epi16(0x130))
                 | _mm512_cmpeq_epi16_mask(x, _mm512_set1_epi16(0x131));
    __mmask32 ls = _mm512_cmpeq_epi16_mask(x, _mm512_set1_epi16(0x17F));
    __mmask32 kv = _mm512_cmpeq_epi16_mask(x, _mm512_set1_epi16(0x212A));
    x = _mm512_min_epu16(x, _mm512_set1_epi16(0x80));
    x = _mm512_mask_mov_epi16(x, i1, _mm512_set1_epi16('i'));
    x = _mm512_mask_mov_epi16(x, ls, _mm512_set1_epi16('s'));
    x = _mm512_mask_mov_epi16(x, kv, _mm512_set1_epi16('k'));
    return _mm512_cvtepi16_epi8(x);
}

/* The most blocks of 64 UCS2 characters rs_skip16_vbmi narrows at a time. */
#define RS_RUN 16

RS_VBMI
static size_t rs_skip16_vbmi(const rs_tables* t, const uint16_t* p, size_t from, size_t n, uint64_t* mask) {
    /* rs_skip_vbmi for UCS2 (the tail: fewer than 96 characters left): a run of blocks narrowed into a
     * buffer, then scanned as a Latin-1 string is. The runs grow (2, 4, ... RS_RUN blocks), so that a
     * position kept soon after ``from`` costs little narrowing; the buffer is read back a run after it is
     * written, not right away (an unaligned load of bytes still being stored would stall). */
    __attribute__((aligned(64))) uint8_t buf[64 * RS_RUN + 32];
    __m512i ft[4], ex[8], a;
    const __m512i fm = _mm512_set1_epi64((long long)RS_FOLD);
    const uint8_t* q;
    uint64_t m;
    size_t i = from, run = 2, blocks, b, c;
    uint64_t carry = 0;  /* positions 0 and 1 of the next pair of blocks (a '_': see rs_keep_folded) */
    __m512i a1;
    int j;
    for (j = 0; j < 4; j++) {
        ft[j] = _mm512_loadu_si512((const void*)t->fold[j]);
        ex[2 * j] = _mm512_loadu_si512((const void*)t->exact[j]);
        ex[2 * j + 1] = _mm512_loadu_si512((const void*)(t->exact[j] + 64));
    }
    carry = (uint64_t)(from < n && rs_is_single(t, p[from])) | (uint64_t)(from + 1 < n && rs_is_single(t, p[from + 1])) << 1;
    while (i + 96 <= n) {
        blocks = (n - i - 32) / 64;  /* each block reads 32 characters past its own 64 */
        if (blocks > run)
            blocks = run;
        for (c = 0; c < 2 * blocks + 1; c++)
            _mm256_store_si256((__m256i*)(buf + 32 * c), rs_narrow32_vbmi(p + i + 32 * c));
        for (b = 0; b < blocks; b += 2) {
            q = buf + 64 * b;
            a = rs_cls_fold(ft, fm, q);
            a1 = b + 1 < blocks ? rs_cls_fold(ft, fm, q + 64) : a;
            if (b + 1 < blocks)
                a = _mm512_or_si512(a, a1);
            if (!_mm512_test_epi8_mask(a, a) && !carry)
                continue;
            carry = (uint64_t)_mm512_test_epi8_mask(a1, _mm512_set1_epi8((char)t->fs_before)) >> 62;
            m = rs_keep(t, ex, q, 64 * (blocks - b) + 32, b ? q[-1] : i > 0 ? rs_narrow1(p[i - 1]) : 0);
            if (m) { *mask = m; return i + 64 * b; }
            if (b + 1 < blocks) {
                m = rs_keep(t, ex, q + 64, 64 * (blocks - b - 1) + 32, q[63]);
                if (m) { *mask = m; return i + 64 * (b + 1); }
            }
        }
        i += 64 * blocks;
        if (run < RS_RUN)
            run *= 2;
    }
    *mask = 0;
    return i;
}

RS_VBMI
static inline int rs_first_none(const rs_tables* t, const uint8_t* q, size_t m) {
    /* Whether the first test keeps none of the m (<= 64) positions at q (masked loads: nothing read at or
     * past q[m], zeros there as in the exact test), and neither of the first two is a single character
     * (which the first test anchors before it): then the exact test would keep none either. Most short
     * strings (a key, an id, a role) are done here, without the exact tables. */
    __m512i ft[4], c;
    __mmask64 in;
    int j;
    if (rs_carry(t, q, m))
        return 0;
    for (j = 0; j < 4; j++)
        ft[j] = _mm512_loadu_si512((const void*)t->fold[j]);
    in = m >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << m) - 1);
    c = _mm512_permutexvar_epi8(_mm512_gf2p8affine_epi64_epi8(_mm512_maskz_loadu_epi8(in, (const void*)q),
                                                                _mm512_set1_epi64((long long)RS_FOLD), 0), ft[0]);
    for (j = 1; j < 4; j++) {
        __mmask64 inj = (size_t)j >= m ? 0 : m - j >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (m - j)) - 1);
        c = _mm512_and_si512(c, _mm512_permutexvar_epi8(_mm512_maskz_loadu_epi8(inj, (const void*)(q + j)), ft[j]));
    }
    return !_mm512_mask_test_epi8_mask(in, c, c);
}

/* The class mask of the ``m`` (<= 64) Latin-1 characters at p, read with masked loads (zero past the end,
 * nothing read there): a short string or tail without a padded copy. */
RS_VBMI
static uint64_t rs_short_vbmi(const rs_tables* t, const uint8_t* p, size_t m, uint8_t before) {
    __m512i ex[8], acc = _mm512_set1_epi8(-1), x0 = _mm512_setzero_si512(), x1 = x0;
    uint64_t keep = 0, num = 0;
    int j;
    if (rs_first_none(t, p, m))
        return 0;
    for (j = 0; j < 4; j++) {
        ex[2 * j] = _mm512_loadu_si512((const void*)t->exact[j]);
        ex[2 * j + 1] = _mm512_loadu_si512((const void*)(t->exact[j] + 64));
    }
    for (j = 0; j < 7; j++) {
        __mmask64 in = (size_t)j >= m ? 0 : m - j >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (m - j)) - 1);
        __m512i x = _mm512_maskz_loadu_epi8(in, (const void*)(p + j));
        if (j == 0)
            x0 = x;
        if (j == 1)
            x1 = x;
        if (j < 4)
            acc = _mm512_and_si512(acc, _mm512_permutex2var_epi8(ex[2 * j], x, ex[2 * j + 1]));
        if (j == 3)
            keep = rs_split(t, ex, acc, x0, x1, before, p, m, &num);
        if (j >= 4) {  /* the number pattern, at offsets 4..6 */
            if (!num)
                break;
            num &= rs_numchar(ex, _mm512_set1_epi8((char)t->num), x);
        }
    }
    keep |= num;
    return m >= 64 ? keep : keep & (((uint64_t)1 << m) - 1);
}

static int rs_cpu(void) {  /* 2: AVX-512 VBMI and GFNI (and AVX2), 1: AVX2, 0: neither */
    static int have = -1;
    if (have < 0) {
        __builtin_cpu_init();
        have = __builtin_cpu_supports("avx2") ? 1 : 0;
        if (have && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
                && __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("gfni"))
            have = 2;
    }
    return have;
}

/* The block width in use: 64 (VBMI), 32 (AVX2) or 0 (no block scan). */
static inline int rs_use_simd(void) {
    int level = rs_cpu() < rs_simd_enabled ? rs_cpu() : rs_simd_enabled;
    return level == 2 ? 64 : level == 1 ? 32 : 0;
}

/* The tail a block scan leaves (``from`` to ``n``: fewer than 96 characters) narrowed into a zero-padded
 * buffer and tested by blocks too, so that a short string or the end of a long one costs no per-character
 * loop: masks[0] for positions from + 0..63, masks[1] for from + 64..127 (none at or after n). NUL after
 * the end, like the end, can follow only the patterns that accept any character there. */
static void rs_tail(const rs_tables* t, int kind, const void* d, size_t from, size_t n, uint64_t* masks) {
    uint8_t buf[160];
    size_t m = n - from, j;
    uint8_t before = from == 0 ? 0 : kind == 1 ? ((const uint8_t*)d)[from - 1]
                                                : rs_narrow1(((const uint16_t*)d)[from - 1]);
    if (kind == 1 && m <= 64 && rs_use_simd() == 64) {
        masks[0] = rs_short_vbmi(t, (const uint8_t*)d + from, m, before);
        masks[1] = 0;
        return;
    }
    memset(buf, 0, sizeof buf);
    if (kind == 1)
        for (j = 0; j < m; j++) buf[j] = rs_narrow1(((const uint8_t*)d)[from + j]);
    else
        for (j = 0; j < m; j++) buf[j] = rs_narrow1(((const uint16_t*)d)[from + j]);
    if (rs_use_simd() == 64) {
        masks[0] = rs_tail_vbmi(t, buf, m, before);
        masks[1] = m > 64 ? rs_tail_vbmi(t, buf + 64, m - 64, buf[63]) : 0;
    } else {
        masks[0] = rs_block_avx2(t, buf) | ((uint64_t)rs_block_avx2(t, buf + 32) << 32);
        masks[1] = m > 64 ? rs_block_avx2(t, buf + 64) | ((uint64_t)rs_block_avx2(t, buf + 96) << 32) : 0;
    }
    if (m < 64) {
        masks[0] &= ((uint64_t)1 << m) - 1;
        masks[1] = 0;
    } else {
        masks[1] &= m == 128 ? ~(uint64_t)0 : ((uint64_t)1 << (m - 64)) - 1;
    }
}

/* The class mask of the one block at p (64 or 32 positions, as rs_use_simd() says; reads width + 3 bytes):
 * the end of a long Latin-1 string is tested by the block that ends there, overlapping the last one, which
 * the caller has tested: its position 0 (whose character before is not looked at) is left out. */
static inline uint64_t rs_block_at(const rs_tables* t, const uint8_t* p) {
    return rs_use_simd() == 64 ? rs_tail_vbmi(t, p, 67, 0) & ~(uint64_t)1 : (uint64_t)rs_block_avx2(t, p);
}

/* Whether the n bytes at p are all ASCII and hold no backslash (a JSON text whose strings are then its own
 * bytes, verbatim: see raw_clean in _redact_scan.pyx). A byte at a time without a block scan. */
__attribute__((target("avx512f,avx512bw")))
static int rs_plain_ascii_512(const uint8_t* p, size_t n) {
    const __m512i bs = _mm512_set1_epi8('\\');
    size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        __m512i a = _mm512_loadu_si512((const void*)(p + i)), b = _mm512_loadu_si512((const void*)(p + i + 64));
        if (_mm512_movepi8_mask(_mm512_or_si512(a, b)) | _mm512_cmpeq_epi8_mask(a, bs) | _mm512_cmpeq_epi8_mask(b, bs))
            return 0;
    }
    if (i < n) {
        __mmask64 m = n - i >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (n - i)) - 1);
        __m512i a = _mm512_maskz_loadu_epi8(m, (const void*)(p + i));
        if (_mm512_movepi8_mask(a) | _mm512_cmpeq_epi8_mask(a, bs))
            return 0;
        if (n - i > 64) {
            m = ((__mmask64)1 << (n - i - 64)) - 1;
            a = _mm512_maskz_loadu_epi8(m, (const void*)(p + i + 64));
            if (_mm512_movepi8_mask(a) | _mm512_mask_cmpeq_epi8_mask(m, a, bs))
                return 0;
        }
    }
    return 1;
}

__attribute__((target("avx2")))
static int rs_plain_ascii_avx2(const uint8_t* p, size_t n) {
    const __m256i bs = _mm256_set1_epi8('\\');
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i*)(p + i));
        if (_mm256_movemask_epi8(_mm256_or_si256(a, _mm256_cmpeq_epi8(a, bs))))
            return 0;
    }
    for (; i < n; i++)
        if (p[i] >= 0x80 || p[i] == '\\')
            return 0;
    return 1;
}

static inline int rs_plain_ascii(const uint8_t* p, size_t n) {
    int w = rs_use_simd();
    return w == 64 ? rs_plain_ascii_512(p, n) : w == 32 ? rs_plain_ascii_avx2(p, n) : rs_plain_ascii_c(p, n);
}

/* The first block at or after ``from`` with a position kept (its start; *mask: which, bit i for position
 * start + i), or the start of the tail (*mask = 0), which the caller scans itself. */
static inline size_t rs_skip(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint64_t* mask) {
    return rs_use_simd() == 64 ? rs_skip_vbmi(t, p, from, n, mask) : rs_skip_avx2(t, p, from, n, mask);
}

static inline size_t rs_skip16(const rs_tables* t, const uint16_t* p, size_t from, size_t n, uint64_t* mask) {
    return rs_use_simd() == 64 ? rs_skip16_vbmi(t, p, from, n, mask) : rs_skip16_avx2(t, p, from, n, mask);
}

/* rs_skip that also says where the bytes known to be ASCII end (*ascii: the AVX-512 scan checks the steps it
 * passes; -1 once one holds a byte >= 0x80). AVX2: *ascii is left as it is (none known). */
static inline size_t rs_skip_ascii(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint64_t* mask,
                                   size_t* ascii) {
    return rs_use_simd() == 64 ? rs_skip_ascii_vbmi(t, p, from, n, mask, ascii) : rs_skip_avx2(t, p, from, n, mask);
}
#else
/* Not x86 (or not GCC/Clang): no block scan; the callers only use these when rs_use_simd() says so. */
static inline int rs_use_simd(void) { return 0; }

static inline size_t rs_skip(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint64_t* mask) {
    (void)t; (void)p; (void)n;
    *mask = 0;
    return from;
}

static inline size_t rs_skip16(const rs_tables* t, const uint16_t* p, size_t from, size_t n, uint64_t* mask) {
    (void)t; (void)p; (void)n;
    *mask = 0;
    return from;
}

static inline size_t rs_skip_ascii(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint64_t* mask,
                                   size_t* ascii) {
    (void)ascii;
    return rs_skip(t, p, from, n, mask);
}

static void rs_tail(const rs_tables* t, int kind, const void* d, size_t from, size_t n, uint64_t* masks) {
    (void)t; (void)kind; (void)d; (void)from; (void)n;
    masks[0] = masks[1] = 0;
}

static inline uint64_t rs_block_at(const rs_tables* t, const uint8_t* p) {
    (void)t; (void)p;
    return 0;
}

static inline int rs_plain_ascii(const uint8_t* p, size_t n) { return rs_plain_ascii_c(p, n); }
#endif

#endif
