/* Profiler test guest: spends most of its wall time inside a WASI call.
 * Four 100 ms sleeps (nanosleep → wasi poll_oneoff) around a short loop, so
 * a correct profile charges most samples to the host call, under main. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static uint32_t spin(uint32_t n) {
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ i) * 16777619u;                 // BP: spin_loop
    return h;
}

int main(void) {
    struct timespec nap = {0, 100 * 1000 * 1000};
    uint32_t h = 0;
    for (int i = 0; i < 4; i++) {
        nanosleep(&nap, NULL);                   // BP: sleep_call
        h += spin(20000000u + (uint32_t)i);
    }
    printf("sleeper: %08x\n", h);
    return 0;
}
