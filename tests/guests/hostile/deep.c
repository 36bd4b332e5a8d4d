/* Hostile guest: recursion argv[1] calls deep (default 10000), four
 * volatile locals per frame; prints the sum of 1..N.
 *
 * 10000 runs with Wasmtime's default 512 KiB Wasm stack: at -O0 a frame
 * takes 48 bytes of native stack, about 10,700 frames fit (measured under
 * `wasmscope profile`, whose engine has the default stack). Keep only the
 * frame base and vmctx live across the call (read pad[0] after it): an
 * expression evaluated before the call costs a spill, and 10000 no longer
 * fits. 10000000 exhausts the Wasm stack (trap). The 64 MiB shadow stack,
 * placed first (build.sh), outlasts the Wasm stack; overflowing it would
 * trap rather than overwrite data. */
#include <stdio.h>
#include <stdlib.h>

static int depth(int n) {
    volatile int pad[4];
    pad[0] = n;
    pad[1] = n + 1;
    pad[2] = n + 2;
    pad[3] = n + 3;
    if (n <= 0)
        return 0;
    return depth(n - 1) + pad[0];
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    printf("deep %d = %d\n", n, depth(n));
    return 0;
}
