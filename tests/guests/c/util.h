/* Small helpers shared by main.c and shapes.c.
 * Everything here is `static inline`, so at -O2 each caller gets its own
 * inlined copy and the line table points back into this header. */
#ifndef GUEST_UTIL_H
#define GUEST_UTIL_H

#include <stdint.h>

/* The hot helper: called in loops, inlined at -O2. */
static inline uint32_t mix32(uint32_t h, uint32_t v) {
    h ^= v;                                   // BP: inline_mix
    h *= 0x01000193u;
    h ^= h >> 13;
    return h;
}

/* Saturating add, used from both translation units. */
static inline int clamp_add(int acc, int v, int limit) {
    int s = acc + v;                          // BP: inline_clamp
    return s > limit ? limit : s;
}

#endif
