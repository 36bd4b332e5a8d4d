// wasmscope C++ test guest.
//
//   cpp.wasm                    normal run, prints a few lines, exits 0
//   cpp.wasm trap-unreachable   __builtin_trap(): wasm `unreachable` trap
//
// Built with -fno-exceptions (wasi has no exception handling).
// Lines ending in `// BP: <name>` are breakpoint targets for the tests.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "geometry.h"

using wasmscope::Counted;
using wasmscope::Stack;
using wasmscope::Widget;
using wasmscope::geo::Circle;
using wasmscope::geo::Point;
using wasmscope::geo::Rect;
using wasmscope::geo::Shape;

namespace {

// Anonymous-namespace helpers: internal linkage.
int g_visits = 0;

int total_area(const std::vector<std::unique_ptr<Shape>> &shapes) {
    int total = 0;
    for (const auto &shape : shapes) {
        g_visits++;
        total += shape->area();                 // BP: virtual_call
    }
    return total;
}

int sum_dots(const std::vector<Point> &points, const Point &axis) {
    int sum = 0;
    for (const Point &p : points) {
        sum += p.dot(axis);                     // BP: loop_body
    }
    return sum;
}

int factorial(int n) {
    if (n <= 1)
        return 1;                               // BP: factorial_base
    return n * factorial(n - 1);                // BP: factorial_recurse
}

}  // namespace

int main(int argc, char **argv) {
    if (argc > 1 && std::strcmp(argv[1], "trap-unreachable") == 0) {
        __builtin_trap();                       // BP: trap_unreachable
    }

    // Virtual calls through a base pointer.
    std::vector<std::unique_ptr<Shape>> shapes;
    shapes.push_back(std::unique_ptr<Shape>(new Circle(Point(0, 0), 10)));
    shapes.push_back(std::unique_ptr<Shape>(new Rect(Point(1, 2), 6, 7)));
    Shape *first = shapes[0].get();             // BP: after_shapes_init
    std::printf("shapes: total area %d, first is %s\n", total_area(shapes),
                first->describe().c_str());
    std::printf("shapes: %s\n", shapes[1]->describe().c_str());

    // Two bases.
    Widget widget("knob", 3, Point(4, 5));
    Counted *counted = &widget;
    counted->bump(2);                           // BP: multiple_bases
    wasmscope::g_segment_sink += wasmscope::run_segments(2);
    std::printf("widget: %s (label %s, count %d)\n", widget.summary().c_str(),
                widget.label().c_str(), counted->count());

    // Class template with two types.
    Stack<int> ints;
    Stack<std::string> words;
    for (int i = 1; i <= 4; i++)
        ints.push(i * i);
    words.push("alpha");
    words.push("beta");
    words.push(std::string("gamma"));
    int popped = ints.pop();
    std::string top = words.pop();
    std::printf("stacks: popped %d and %s, %zu and %zu left\n", popped, top.c_str(), ints.size(),
                words.size());

    // Function template with two types; vectors of ints and of a class.
    std::vector<int> numbers = {3, 17, 5, 11};
    std::vector<double> reals = {0.5, 2.25, 1.75};
    std::vector<Point> points;
    for (int i = 0; i < 5; i++)
        points.push_back(Point(i, 2 * i + 1));
    int dots = sum_dots(points, Point(1, 1));   // BP: after_vectors_init
    std::printf("templates: max int %d, max double %.2f, dots %d\n",
                wasmscope::max_of(numbers), wasmscope::max_of(reals), dots);

    // std::string and recursion.
    std::string greeting = "hello";
    greeting += ", wasm";
    int depth = argc > 1 ? std::atoi(argv[1]) : 6;
    if (depth < 1 || depth > 12)
        depth = 6;
    std::printf("strings: '%s' (%zu chars), %d! = %d, %d visits\n", greeting.c_str(),
                greeting.size(), depth, factorial(depth), g_visits);
    return 0;                                   // BP: main_end
}
