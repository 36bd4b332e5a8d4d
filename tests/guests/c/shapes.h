/* Types with some nesting for the debugger's variable views. */
#ifndef GUEST_SHAPES_H
#define GUEST_SHAPES_H

typedef enum ShapeKind {
    SHAPE_CIRCLE = 1,
    SHAPE_RECT = 2,
    SHAPE_TRIANGLE = 3
} ShapeKind;

typedef struct Point {
    int x;
    int y;
} Point;

/* Struct inside a struct. */
typedef struct Rect {
    Point origin;
    int width;
    int height;
} Rect;

/* A tagged union with an anonymous union of structs and an array. */
typedef struct Shape {
    ShapeKind kind;
    char name[12];
    union {
        struct {
            Point center;
            int radius;
        } circle;
        Rect rect;
        Point tri[3];
    } u;
} Shape;

/* A plain union: the same 4 bytes seen three ways. */
typedef union Number {
    int i;
    float f;
    unsigned char bytes[4];
} Number;

typedef int (*area_fn)(const Shape *shape);

int shape_area(const Shape *shape);
int shapes_total_area(const Shape *shapes, int count);
int shapes_calls(void);

/* byvalue.c: structs passed by value. */
extern volatile int g_span_sink;
int run_spans(int scale);

#endif
