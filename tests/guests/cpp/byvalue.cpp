// Objects passed by value. A trivially copyable class goes by pointer to a
// caller's copy (the Wasm C ABI's rule for aggregates), one with a
// std::string member by invisible reference; either way its DWARF location is
// a Wasm local holding the object's address, without DW_OP_stack_value.
#include "geometry.h"

namespace wasmscope {

struct Segment {
    geo::Point from;
    geo::Point to;
    int weight;
};

struct Tagged {
    std::string name;
    int id;
};

volatile int g_segment_sink;

__attribute__((noinline)) int segment_cost(Segment segment, Tagged tag, int scale) {
    int dx = segment.to.x() - segment.from.x();
    int dy = segment.to.y() - segment.from.y();
    int cost = (dx * dx + dy * dy) * segment.weight * scale + tag.id + static_cast<int>(tag.name.size());
    g_segment_sink = cost;                      // BP: byval_aggregate
    return cost;
}

int run_segments(int scale) {
    Segment segment{geo::Point(1, 2), geo::Point(4, 6), 3};
    Tagged tag{"diagonal", 42};
    return segment_cost(segment, tag, scale);
}

} // namespace wasmscope
