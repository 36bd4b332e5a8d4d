// Class hierarchy and templates for the wasmscope C++ test guest.
#ifndef GUEST_GEOMETRY_H
#define GUEST_GEOMETRY_H

#include <string>
#include <vector>

namespace wasmscope {
namespace geo {

class Point {
public:
    Point() : x_(0), y_(0) {}
    Point(int x, int y) : x_(x), y_(y) {}

    int x() const { return x_; }
    int y() const { return y_; }

    // Small method, inlined into its callers at -O2.
    inline int dot(const Point &o) const {
        return x_ * o.x_ + y_ * o.y_;           // BP: inline_dot
    }

private:
    int x_;
    int y_;
};

// Abstract base class with a virtual interface.
class Shape {
public:
    explicit Shape(const std::string &name) : name_(name) {}
    virtual ~Shape() {}
    virtual int area() const = 0;
    virtual std::string describe() const;
    const std::string &name() const { return name_; }

protected:
    std::string name_;
};

class Circle : public Shape {
public:
    Circle(Point center, int radius) : Shape("circle"), center_(center), radius_(radius) {}
    int area() const override;

private:
    Point center_;
    int radius_;
};

class Rect : public Shape {
public:
    Rect(Point origin, int w, int h) : Shape("rect"), origin_(origin), w_(w), h_(h) {}
    int area() const override;
    std::string describe() const override;

private:
    Point origin_;
    int w_;
    int h_;
};

}  // namespace geo

// Two unrelated bases, combined below.
class Labeled {
public:
    explicit Labeled(const std::string &label) : label_(label) {}
    const std::string &label() const { return label_; }

protected:
    std::string label_;
};

class Counted {
public:
    explicit Counted(int count) : count_(count) {}
    int count() const { return count_; }
    void bump(int by) { count_ += by; }

protected:
    int count_;
};

class Widget : public Labeled, public Counted {
public:
    Widget(const std::string &label, int count, geo::Point where)
        : Labeled(label), Counted(count), where_(where) {}
    std::string summary() const;

private:
    geo::Point where_;
};

// A class template, instantiated with int and std::string in main.cpp.
template <typename T>
class Stack {
public:
    void push(const T &value) {
        items_.push_back(value);                // BP: stack_push
    }
    T pop() {
        T top = items_.back();
        items_.pop_back();
        return top;
    }
    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }

private:
    std::vector<T> items_;
};

// A function template, instantiated with int and double in main.cpp.
template <typename T>
T max_of(const std::vector<T> &values) {
    T best = values[0];
    for (std::size_t i = 1; i < values.size(); i++) {
        if (values[i] > best)
            best = values[i];                   // BP: template_max
    }
    return best;
}

}  // namespace wasmscope

namespace wasmscope {
// byvalue.cpp: objects passed by value.
extern volatile int g_segment_sink;
int run_segments(int scale);
} // namespace wasmscope

#endif
