/* hotspots: the example program wasmscope profiles and debugs.
 *
 *   hotspots.wasm [ROUNDS]     default 40 rounds (about 0.5-1 s at -O2)
 *
 * Each round calls heavy_work(), which does three times the work of
 * light_work(); both spend their time in the hot helper mix(), which is
 * inlined at -O2. The work is a serial hash chain, so the compiler can
 * neither vectorize nor fold it, and the profile is easy to predict:
 * about 75% heavy_work, 25% light_work.
 *
 * Deterministic: no clocks, files or randomness.
 * Lines ending in `// BP: <name>` are breakpoint targets for the tests. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHUNK 2000000u   /* mix() calls per unit of work */

/* The hot helper. */
static inline uint32_t mix(uint32_t h, uint32_t v) {
    h ^= v;                                        // BP: hot_mix
    h *= 0x01000193u;
    return h ^ (h >> 15);
}

/* 3 units of work per call. */
__attribute__((noinline)) static uint32_t heavy_work(uint32_t seed) {
    uint32_t h = seed;
    for (uint32_t i = 0; i < 3 * CHUNK; i++) {
        h = mix(h, i);                             // BP: heavy_loop
    }
    return h;
}

/* 1 unit of work per call: the same loop body as heavy_work, a third of
 * the iterations, so the split of work is exactly 3:1 by construction. */
__attribute__((noinline)) static uint32_t light_work(uint32_t seed) {
    uint32_t h = seed;
    for (uint32_t i = 0; i < CHUNK; i++) {
        h = mix(h, i);                             // BP: light_loop
    }
    return h;
}

__attribute__((noinline)) static uint32_t run_round(int round, uint32_t state) {
    uint32_t a = heavy_work(state + (uint32_t)round); // BP: round_start
    uint32_t b = light_work(a);
    return a ^ b;                                  // BP: round_end
}

int main(int argc, char **argv) {
    int rounds = 40;
    if (argc > 1) {
        rounds = atoi(argv[1]);
        if (rounds < 1)
            rounds = 1;
    }

    uint32_t state = 2166136261u;
    for (int r = 0; r < rounds; r++) {
        state = run_round(r, state);               // BP: main_loop
        if ((r + 1) % 10 == 0 || r + 1 == rounds)
            printf("round %d: state %08x\n", r + 1, (unsigned)state);
    }
    printf("done: %d rounds, final state %08x\n", rounds, (unsigned)state);
    return 0;                                      // BP: main_end
}
