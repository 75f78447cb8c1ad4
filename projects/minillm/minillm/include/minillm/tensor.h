// A non-owning, row-major 2-D view over device or host memory.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <vector>

namespace minillm {

template <typename T>
struct RowMajorView {
    T* data;
    int rows;
    int cols;

    // Pointer to the first element of row r; rows are contiguous, stride == cols.
    __host__ __device__ T* row(int r) const { return data + static_cast<std::size_t>(r) * cols; }

    __host__ __device__ std::size_t size() const {
        return static_cast<std::size_t>(rows) * cols;
    }
};

// Host-side owner used by tests: keeps the storage alive while views are handed out.
template <typename T>
class HostTensor {
public:
    HostTensor(int rows, int cols) : rows_(rows), cols_(cols), storage_(rows * cols) {
        if (rows <= 0 || cols <= 0) {
            throw std::invalid_argument("HostTensor: rows and cols must be positive");
        }
    }

    RowMajorView<T> view() { return RowMajorView<T>{storage_.data(), rows_, cols_}; }

private:
    int rows_;
    int cols_;
    std::vector<T> storage_;
};

}  // namespace minillm
