/* WASI plumbing for the runtime's tests, one mode per run (argv[1]):
 *   env [NAME]          prints NAME's value (default WASMSCOPE_TEST)
 *   cat                 copies stdin to stdout, counts bytes on stderr
 *   read PATH           prints a file (through a preopened directory)
 *   write PATH TEXT     writes TEXT to a file
 *   exit N              exits with status N
 * Lines ending in `// BP: <name>` are breakpoint targets for the tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int copy_stream(FILE *from, FILE *to) {
    int c;
    int count = 0;
    while ((c = fgetc(from)) != EOF) {
        fputc(c, to);
        count++;
    }
    return count;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "env") == 0) {
        const char *value = getenv(argc > 2 ? argv[2] : "WASMSCOPE_TEST");
        printf("env: %s\n", value ? value : "(unset)");
        return 0;
    }
    if (strcmp(mode, "cat") == 0) {
        int count = copy_stream(stdin, stdout);
        fprintf(stderr, "cat: %d bytes\n", count);
        return 0;
    }
    if (strcmp(mode, "read") == 0 && argc > 2) {
        FILE *file = fopen(argv[2], "r");
        if (!file) {
            fprintf(stderr, "read: cannot open %s\n", argv[2]);
            return 2;
        }
        copy_stream(file, stdout);
        fclose(file);
        return 0;
    }
    if (strcmp(mode, "write") == 0 && argc > 3) {
        FILE *file = fopen(argv[2], "w");
        if (!file) {
            fprintf(stderr, "write: cannot open %s\n", argv[2]);
            return 2;
        }
        fputs(argv[3], file);
        fclose(file);
        return 0;
    }
    if (strcmp(mode, "exit") == 0 && argc > 2) {
        int status = atoi(argv[2]);
        return status;                              // BP: exit_status
    }
    fprintf(stderr, "usage: io env [NAME] | cat | read PATH | write PATH TEXT | exit N\n");
    return 64;
}
