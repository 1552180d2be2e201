/* Byte-class scans for the redaction prefilter and trigger pass (textrepr/_redact_scan.pyx, issue 14).
 *
 * A pattern is up to four byte sets at offsets 0..3 (say "x", "o", "x" for xox). Each set is kept as the
 * product of its low and high nibbles (a superset of it), so the class bits of a byte are
 * lo[j][b & 15] & hi[j][b >> 4] and a pattern of bit k begins at i when bit k is set at every offset.
 * With AVX2 (checked at run time) that is two byte shuffles per offset for 32 positions at once; the
 * scalar code computes the same bits one position at a time; past the end of the string only the
 * patterns whose set there is "any character" go on (pad). Callers re-check every position kept.
 * A few single bytes ('-', '_', ...) are compared directly (up to RS_SINGLES at offset 0, 2 at offset 1).
 */
#ifndef TEXTREPR_REDACT_SIMD_H
#define TEXTREPR_REDACT_SIMD_H

#include <stdint.h>
#include <stddef.h>

#define RS_SINGLES 4

typedef struct {
    uint8_t lo[4][32];  /* 16-entry tables, repeated for both 128-bit lanes */
    uint8_t hi[4][32];
    uint8_t single0[RS_SINGLES];  /* compared at offset 0 (0 = unused: NUL is never a trigger) */
    uint8_t single1[2];           /* compared at offset 1 */
    uint8_t pad[4];               /* the patterns whose set at offset j is any character */
} rs_tables;

static inline int rs_hit_scalar(const rs_tables* t, const uint8_t* p, size_t avail) {
    /* Whether position p (with avail >= 1 bytes from p to the end) is kept. */
    uint8_t acc = 0xFF;
    int j, k;
    for (j = 0; j < 4; j++) {
        if ((size_t)j < avail) {
            uint8_t b = p[j];
            acc &= t->lo[j][b & 15] & t->hi[j][b >> 4];
        } else {
            acc &= t->pad[j];
        }
    }
    if (acc) return 1;
    for (k = 0; k < RS_SINGLES; k++)
        if (t->single0[k] && p[0] == t->single0[k]) return 1;
    if (avail > 1)
        for (k = 0; k < 2; k++)
            if (t->single1[k] && p[1] == t->single1[k]) return 1;
    return 0;
}

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define RS_X86 1
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
static inline __m256i rs_block_avx2(const rs_tables* t, const uint8_t* p) {
    /* 0xFF at each of the 32 positions p[0..31] that is kept, else 0 (reads p[0..34]). */
    __m256i acc = _mm256_and_si256(_mm256_and_si256(rs_cls_avx2(t, p, 0), rs_cls_avx2(t, p, 1)),
                                   _mm256_and_si256(rs_cls_avx2(t, p, 2), rs_cls_avx2(t, p, 3)));
    __m256i kept = _mm256_xor_si256(_mm256_cmpeq_epi8(acc, _mm256_setzero_si256()), _mm256_set1_epi8(-1));
    __m256i x0 = _mm256_loadu_si256((const __m256i*)p);
    __m256i x1 = _mm256_loadu_si256((const __m256i*)(p + 1));
    int k;
    for (k = 0; k < RS_SINGLES; k++)
        if (t->single0[k])
            kept = _mm256_or_si256(kept, _mm256_cmpeq_epi8(x0, _mm256_set1_epi8((char)t->single0[k])));
    for (k = 0; k < 2; k++)
        if (t->single1[k])
            kept = _mm256_or_si256(kept, _mm256_cmpeq_epi8(x1, _mm256_set1_epi8((char)t->single1[k])));
    return kept;
}

__attribute__((target("avx2")))
static size_t rs_skip_avx2(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint32_t* mask) {
    /* The first 32-position block at or after ``from`` with a kept position (its start; *mask: which),
     * or the start of the tail (fewer than 35 bytes left; *mask = 0), which the caller scans itself. */
    size_t i = from;
    while (i + 35 <= n) {
        uint32_t m = (uint32_t)_mm256_movemask_epi8(rs_block_avx2(t, p + i));
        if (m) { *mask = m; return i; }
        i += 32;
    }
    *mask = 0;
    return i;
}

__attribute__((target("avx2")))
static int rs_any_avx2(const rs_tables* t, const uint8_t* p, size_t n, size_t* done) {
    /* Whether a position of the blocks of 32 before the tail is kept; *done: where the tail starts. */
    size_t i = 0;
    __m256i any = _mm256_setzero_si256();
    while (i + 35 <= n) {
        any = _mm256_or_si256(any, rs_block_avx2(t, p + i));
        i += 32;
        if ((i & 1023) == 0 && !_mm256_testz_si256(any, any)) { *done = i; return 1; }
    }
    *done = i;
    return !_mm256_testz_si256(any, any);
}

static int rs_avx2(void) {
    static int have = -1;
    if (have < 0) {
        __builtin_cpu_init();
        have = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return have;
}
#else
#define RS_X86 0
#endif

static inline int rs_ctz(uint32_t m) { return __builtin_ctz(m); }  /* m != 0 */

static int rs_simd_enabled = 1;  /* tests turn it off to check the scalar path against the same results */

static inline int rs_use_simd(void) {
#if RS_X86
    return rs_simd_enabled && rs_avx2();
#else
    return 0;
#endif
}

static inline int rs_any(const rs_tables* t, const uint8_t* p, size_t n) {
    /* Whether any position of p[0..n) is kept. */
    size_t i = 0;
#if RS_X86
    if (rs_use_simd()) {
        if (rs_any_avx2(t, p, n, &i)) return 1;
    }
#endif
    for (; i < n; i++)
        if (rs_hit_scalar(t, p + i, n - i)) return 1;
    return 0;
}

static inline size_t rs_skip(const rs_tables* t, const uint8_t* p, size_t from, size_t n, uint32_t* mask) {
    /* See rs_skip_avx2; without AVX2 nothing is skipped (mask 0, the caller scans on from ``from``). */
#if RS_X86
    if (rs_use_simd()) return rs_skip_avx2(t, p, from, n, mask);
#endif
    *mask = 0;
    return from;
}

#endif
