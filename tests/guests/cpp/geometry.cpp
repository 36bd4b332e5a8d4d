// Out-of-line members of the geometry classes.
#include "geometry.h"

#include <cstdio>

namespace wasmscope {
namespace geo {

std::string Shape::describe() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s with area %d", name_.c_str(), area());
    return std::string(buf);
}

int Circle::area() const {
    return (314 * radius_ * radius_) / 100;     // BP: circle_area
}

int Rect::area() const {
    return w_ * h_;                             // BP: rect_area
}

std::string Rect::describe() const {
    std::string base = Shape::describe();
    return base + " at (" + std::to_string(origin_.x()) + "," + std::to_string(origin_.y()) + ")";
}

}  // namespace geo

std::string Widget::summary() const {
    return label_ + "#" + std::to_string(count_) + "@" + std::to_string(where_.x()) + ":" +
           std::to_string(where_.y());
}

}  // namespace wasmscope
