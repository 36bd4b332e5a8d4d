// Lines that call heavy functions, for `next` timings (bench/dap-compare):
// stepping over each line costs running its calls to their return.
// Built at -O0 by bench/programs/build-heavy.sh.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

static uint32_t checksum(const std::vector<uint32_t> &data) {
    uint32_t h = 0x811c9dc5u;
    for (uint32_t v : data)
        h = (h ^ v) * 0x01000193u;
    return h;
}

static uint64_t fib(uint32_t n) {
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

static std::vector<uint32_t> sorted_copy(const std::vector<uint32_t> &data) {
    std::vector<uint32_t> copy = data;
    std::sort(copy.begin(), copy.end());
    return copy;
}

static std::string words(uint32_t count) {
    std::string text;
    for (uint32_t i = 0; i < count; i++)
        text += "w" + std::to_string(i % 97) + " ";
    return text;
}

int main() {
    std::vector<uint32_t> data;
    for (uint32_t i = 0; i < 4000; i++)
        data.push_back((i * 7919u) % 10007u);
    uint64_t total = 0;
    for (uint32_t round = 0; round < 200; round++) {
        uint32_t hash = checksum(data);              // BP: heavy_loop
        uint64_t f = fib(14 + round % 3);
        std::vector<uint32_t> sorted = sorted_copy(data);
        std::string text = words(200);
        total += hash + f + sorted[round] + text.size();
    }
    std::printf("heavy calls: %llu\n", (unsigned long long)total);
    return 0;
}
