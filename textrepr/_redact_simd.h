/* Byte-class block scan for the redaction trigger pass (textrepr/_redact_scan.pyx, issue 14).
 *
 * A pattern is up to four character sets at offsets 0..3 (say "x", "o", "x" for xox). Each set is kept as
 * the product of its low and high nibbles (a superset of it), so the class bits of a byte are
 * lo[j][b & 15] & hi[j][b >> 4], and a pattern of bit k may begin at i when bit k is set at every offset.
 * With AVX2 (checked at run time) that is two byte shuffles per offset for 32 positions at once. A few
 * single characters ('-', '_', ...) are compared directly (up to 4 at offset 0, 2 at offset 1). A block
 * with no position kept is skipped; the caller re-checks every position kept. UCS2 strings are narrowed
 * to bytes first. Without AVX2 nothing is skipped (the caller looks at every position).
 */
#ifndef TEXTREPR_REDACT_SIMD_H
#define TEXTREPR_REDACT_SIMD_H

#include <stdint.h>
#include <stddef.h>

typedef struct {
    uint8_t lo[4][32];  /* 16-entry tables, repeated for both 128-bit lanes */
    uint8_t hi[4][32];
    uint8_t single0[4];  /* compared at offset 0 (0 = unused: NUL is never a trigger) */
    uint8_t single1[2];  /* compared at offset 1 */
} rs_tables;

static int rs_simd_enabled = 1;  /* tests turn it off to check the plain loop against the same results */

static inline int rs_ctz(uint32_t m) {  /* m != 0 */
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctz(m);
#else
    int k = 0;
    while (!(m & 1u)) { m >>= 1; k++; }
    return k;
#endif
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
    __m256i x1 = _mm256_loadu_si256((const __m256i*)(p + 1));
    int k;
    for (k = 0; k < 4; k++)
        if (t->single0[k])
            kept = _mm256_or_si256(kept, _mm256_cmpeq_epi8(x0, _mm256_set1_epi8((char)t->single0[k])));
    for (k = 0; k < 2; k++)
        if (t->single1[k])
            kept = _mm256_or_si256(kept, _mm256_cmpeq_epi8(x1, _mm256_set1_epi8((char)t->single1[k])));
    return (uint32_t)_mm256_movemask_epi8(kept);
}

__attribute__((target("avx2")))
static size_t rs_skip_avx2(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint32_t* mask) {
    /* The first block of 32 positions at or after ``from`` with a position kept (its start; *mask: which),
     * or the start of the tail (fewer than 35 characters left; *mask = 0), which the caller scans itself. */
    size_t i = from;
    while (i + 35 <= n) {
        uint32_t m = rs_block_avx2(t, p + i);
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
static size_t rs_skip16_avx2(const rs_tables* t, const uint16_t* p, size_t from, size_t n, uint32_t* mask) {
    /* rs_skip_avx2 for UCS2 (the tail: fewer than 48 characters left). */
    uint8_t buf[48];
    size_t i = from;
    while (i + 48 <= n) {
        rs_narrow16_avx2(p + i, buf);
        rs_narrow16_avx2(p + i + 16, buf + 16);
        rs_narrow16_avx2(p + i + 32, buf + 32);
        uint32_t m = rs_block_avx2(t, buf);
        if (m) { *mask = m; return i; }
        i += 32;
    }
    *mask = 0;
    return i;
}

static int rs_avx2(void) {
    static int have = -1;
    if (have < 0) {
        __builtin_cpu_init();
        have = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return have;
}

static inline int rs_use_simd(void) { return rs_simd_enabled && rs_avx2(); }

static inline size_t rs_skip(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint32_t* mask) {
    return rs_skip_avx2(t, p, from, n, mask);
}

static inline size_t rs_skip16(const rs_tables* t, const uint16_t* p, size_t from, size_t n, uint32_t* mask) {
    return rs_skip16_avx2(t, p, from, n, mask);
}
#else
/* Not x86 (or not GCC/Clang): no block scan; the callers only use these when rs_use_simd() says so. */
static inline int rs_use_simd(void) { return 0; }

static inline size_t rs_skip(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint32_t* mask) {
    (void)t; (void)p; (void)n;
    *mask = 0;
    return from;
}

static inline size_t rs_skip16(const rs_tables* t, const uint16_t* p, size_t from, size_t n, uint32_t* mask) {
    (void)t; (void)p; (void)n;
    *mask = 0;
    return from;
}
#endif

#endif
