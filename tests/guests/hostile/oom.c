/* Hostile guest: mallocs 1 MiB blocks until malloc returns NULL, prints how
 * many, exits 0. With argument `trap`, it then stores 8 bytes through the
 * NULL result plus 0xFFFFFFFC: the access crosses 4 GiB, so it traps
 * whatever the memory's size. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    unsigned blocks = 0;
    char *p;
    while ((p = malloc(1 << 20)) != NULL) {
        p[0] = 1; /* touch one byte per block */
        blocks++;
    }
    printf("oom: %u blocks of 1 MiB\n", blocks);
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "trap") == 0)
        *(volatile uint64_t *)(p + 0xFFFFFFFCu) = 1;
    return 0;
}
