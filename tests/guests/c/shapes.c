/* Second translation unit: function-pointer dispatch, static globals and
 * an inlined helper from util.h. */
#include "shapes.h"
#include "util.h"

static int g_area_calls;        /* static global, file scope */

static int circle_area(const Shape *s) {
    int r = s->u.circle.radius;
    return (314 * r * r) / 100;               // BP: circle_area
}

static int rect_area(const Shape *s) {
    const Rect *r = &s->u.rect;               /* pointer to nested struct */
    return r->width * r->height;              // BP: rect_area
}

static int triangle_area(const Shape *s) {
    const Point *p = s->u.tri;
    int twice = (p[1].x - p[0].x) * (p[2].y - p[0].y)
              - (p[2].x - p[0].x) * (p[1].y - p[0].y);
    if (twice < 0)
        twice = -twice;
    return twice / 2;
}

/* Function-pointer table indexed by ShapeKind. */
static const area_fn k_area_table[4] = {
    0, circle_area, rect_area, triangle_area,
};

int shape_area(const Shape *shape) {
    g_area_calls++;
    area_fn fn = k_area_table[shape->kind];
    return fn(shape);                         // BP: area_dispatch
}

int shapes_total_area(const Shape *shapes, int count) {
    int total = 0;
    for (int i = 0; i < count; i++) {
        total = clamp_add(total, shape_area(&shapes[i]), 1000000);
    }
    return total;
}

int shapes_calls(void) {
    return g_area_calls;
}
