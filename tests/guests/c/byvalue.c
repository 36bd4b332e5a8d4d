/* Aggregates passed by value. The Wasm C ABI passes them by pointer, and the
 * DWARF of such a parameter is a Wasm local that holds the value's address
 * (a DW_OP_WASM_location without DW_OP_stack_value). */
#include "shapes.h"

struct Span {
    Point from;
    Point to;
    int weight;
    const char *label;
};

volatile int g_span_sink;

__attribute__((noinline)) int span_cost(struct Span span, Rect bounds, int scale) {
    int dx = span.to.x - span.from.x;
    int dy = span.to.y - span.from.y;
    int cost = (dx * dx + dy * dy) * span.weight * scale + bounds.width * bounds.height;
    g_span_sink = cost;                             // BP: byval_aggregate
    return cost + bounds.origin.x;
}

/* Called by main: the arguments live in main's frame. */
int run_spans(int scale) {
    struct Span span = {{1, 2}, {4, 6}, 3, "diagonal"};
    Rect bounds = {{-5, 7}, 20, 10};
    return span_cost(span, bounds, scale);
}
