/* Stepping over an inlined call at -O2: the caller's lines have code of
 * their own (volatile accesses) around a call that clang inlines, so a step
 * over from the caller must pass the inlined body without stopping in it.
 * Lines ending in `// BP: <name>` are breakpoint targets for the tests. */
#include <stdio.h>

static volatile int source = 7;
static volatile int sink;

static inline int scramble(int v) {
    int x = v * 31;                               // BP: scramble_first
    x ^= x >> 3;
    return x + source;                            // BP: scramble_last
}

__attribute__((noinline)) static int caller(int rounds) {
    int total = 0;
    for (int i = 0; i < rounds; i++) {
        int before = source + i;                  // BP: before_inlined_call
        int mixed = scramble(before);             // BP: inlined_call
        sink = mixed;                             // BP: after_inlined_call
        total += mixed;
    }
    return total;
}

int main(void) {
    printf("total %d\n", caller(3));
    return 0;
}
