/* Hostile guest: writes ~100-byte lines to stdout forever, flushing each,
 * so a client that reads slowly is flooded (back-pressure tests). */
#include <stdio.h>

int main(void) {
    for (unsigned long i = 0;; i++) {
        printf("line %010lu: the quick brown fox jumps over the lazy dog, again and again and again\n", i);
        fflush(stdout);
    }
}
