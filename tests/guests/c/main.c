/* wasmscope C test guest.
 *
 *   c.wasm                    normal run, prints a few lines, exits 0
 *   c.wasm N                  same, with recursion depth N (fib(N), N!)
 *   c.wasm trap-oob           stores far beyond linear memory: traps
 *   c.wasm trap-unreachable   __builtin_trap(): wasm `unreachable` trap
 *   c.wasm deep               recurses 100 calls deep (deep.c), prints the sum
 *
 * Lines ending in `// BP: <name>` are breakpoint targets for the tests.
 * No files, clocks or randomness: output is deterministic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shapes.h"
#include "util.h"

#define ROWS 3
#define COLS 4

/* A global struct with a nested struct and an array member. */
struct Config {
    const char *title;
    int verbosity;
    Point anchor;
    int limits[3];
};

struct Config g_config = {"wasmscope C guest", 1, {7, -3}, {10, 100, 1000}};

static int g_fib_calls;              /* static global */
static const char *g_last_label = "none";

/* Singly linked list: pointer-to-struct chains. */
struct Node {
    int value;
    struct Node *next;
};

int deep_sum(int n, int acc); /* deep.c */

typedef int (*binop)(int a, int b);

struct Op {
    const char *name;
    binop fn;
};

static long factorial(int n) {
    if (n <= 1)
        return 1;                                   // BP: factorial_base
    return n * factorial(n - 1);                    // BP: factorial_recurse
}

static int fib(int n) {
    g_fib_calls++;
    if (n < 2)
        return n;                                   // BP: fib_base
    return fib(n - 1) + fib(n - 2);                 // BP: fib_recurse
}

static int next_id(void) {
    static int counter = 100;                       /* static local */
    counter += 1;
    return counter;                                 // BP: static_local
}

static int op_add(int a, int b) { return a + b; }
static int op_sub(int a, int b) { return a - b; }
static int op_mul(int a, int b) { return a * b; }

static int apply_ops(const struct Op *ops, int count, int a, int b) {
    int acc = 0;
    for (int i = 0; i < count; i++) {
        int r = ops[i].fn(a, b);                    // BP: fnptr_call
        g_last_label = ops[i].name;
        acc += r;
    }
    return acc;
}

static void reverse_in_place(char *s) {
    size_t n = strlen(s);
    for (size_t i = 0; i < n / 2; i++) {
        char t = s[i];                              // BP: string_loop
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
}

static int count_char(const char *s, char c) {
    int count = 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == c)
            count++;
    }
    return count;
}

/* Loop around the inlined hot helper mix32() from util.h. */
static uint32_t checksum(const int *values, int n) {
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++) {
        h = mix32(h, (uint32_t)values[i]);          // BP: loop_body
    }
    return h;
}

static int matrix_sum(int m[ROWS][COLS]) {
    int sum = 0;
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++)
            sum = clamp_add(sum, m[r][c], 1 << 20); // BP: matrix_cell
    return sum;
}

static int list_sum(const struct Node *head) {
    int sum = 0;
    for (const struct Node *p = head; p != NULL; p = p->next) {
        sum += p->value;                            // BP: list_walk
    }
    return sum;
}

static void trap_oob(void) {
    /* Far beyond any linear memory this module can have: the store traps.
       volatile keeps it from being optimized away. */
    volatile int *p = (volatile int *)(uintptr_t)0xFFFFFFF0u;
    *p = 42;                                        // BP: trap_oob
}

static void trap_unreachable(void) {
    __builtin_trap();                               // BP: trap_unreachable
}

int main(int argc, char **argv) {
    int depth = 10;
    if (argc > 1) {
        if (strcmp(argv[1], "trap-oob") == 0) {
            trap_oob();
            return 3;
        }
        if (strcmp(argv[1], "trap-unreachable") == 0) {
            trap_unreachable();
            return 3;
        }
        if (strcmp(argv[1], "deep") == 0) {
            printf("deep: %d\n", deep_sum(100, 0));
            return 0;
        }
        depth = atoi(argv[1]);
        if (depth < 0 || depth > 30)
            depth = 10;
    }

    /* Recursion. */
    int f = fib(depth);
    long fact = factorial(depth > 12 ? 12 : depth);
    printf("fib(%d) = %d in %d calls, factorial = %ld\n", depth, f, g_fib_calls, fact);

    /* Structs, nested structs, unions, enums, arrays inside unions. */
    Shape shapes[3] = {
        {SHAPE_CIRCLE, "circle", {.circle = {{0, 0}, 10}}},
        {SHAPE_RECT, "rect", {.rect = {{1, 2}, 6, 7}}},
        {SHAPE_TRIANGLE, "triangle", {.tri = {{0, 0}, {8, 0}, {0, 5}}}},
    };
    Shape *biggest = &shapes[0];                    // BP: after_struct_init
    for (int i = 1; i < 3; i++) {
        if (shape_area(&shapes[i]) > shape_area(biggest))
            biggest = &shapes[i];
    }
    int total = shapes_total_area(shapes, 3);
    printf("shapes: total area %d, biggest %s (kind %d), %d area calls\n",
           total, biggest->name, (int)biggest->kind, shapes_calls());

    Number num;
    num.f = 1.5f;
    printf("union: f=%.2f i=0x%08x bytes=%02x %02x %02x %02x\n", num.f, (unsigned)num.i,
           num.bytes[0], num.bytes[1], num.bytes[2], num.bytes[3]);

    /* 1-D and 2-D arrays, the inlined helpers. */
    int values[8];
    for (int i = 0; i < 8; i++)
        values[i] = i * i + depth;
    int grid[ROWS][COLS];
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++)
            grid[r][c] = (r + 1) * 10 + c;
    printf("arrays: checksum 0x%08x, grid sum %d\n",
           (unsigned)checksum(values, 8), matrix_sum(grid));

    /* Pointers to structs, function pointers, static locals. */
    struct Node n3 = {30, NULL};
    struct Node n2 = {20, &n3};
    struct Node n1 = {10, &n2};
    const struct Op ops[3] = {{"add", op_add}, {"sub", op_sub}, {"mul", op_mul}};
    int applied = apply_ops(ops, 3, g_config.anchor.x, g_config.anchor.y);
    g_span_sink += run_spans(2);
    int id1 = next_id();
    int id2 = next_id();
    printf("pointers: list sum %d, ops %d (last %s), ids %d %d\n",
           list_sum(&n1), applied, g_last_label, id1, id2);

    /* C strings and char arrays. */
    char word[32];
    strncpy(word, g_config.title, sizeof word - 1);
    word[sizeof word - 1] = '\0';
    reverse_in_place(word);
    printf("strings: '%s' has %d 's'\n", word, count_char(word, 's'));

    return 0;                                       // BP: main_end
}

/* Referenced by nothing: the linker drops it, and its DWARF keeps the
   tombstone address DW_OP_addr 0xffffffff (not a variable of the program). */
int g_dropped_by_the_linker = 5;
