// Fused row softmax: one thread block per row, shared-memory reductions.
// The Python reference is minillm/utils.py softmax(); attention.py calls it per score row.
#include <cuda_runtime.h>
#include <math_constants.h>

#include "minillm/tensor.h"

constexpr int kThreads = 256;

// Block-wide max: each thread folds a strided slice, then a tree reduction in shared memory.
__device__ float block_max(float v, float* smem) {
    smem[threadIdx.x] = v;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            smem[threadIdx.x] = fmaxf(smem[threadIdx.x], smem[threadIdx.x + stride]);
        }
        __syncthreads();
    }
    return smem[0];
}

__device__ float block_sum(float v, float* smem) {
    smem[threadIdx.x] = v;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            smem[threadIdx.x] += smem[threadIdx.x + stride];
        }
        __syncthreads();
    }
    return smem[0];
}

__global__ void softmax_rows(minillm::RowMajorView<float> x) {
    __shared__ float smem[kThreads];
    float* row = x.row(blockIdx.x);
    // pass 1: the row max, so exp() never overflows (same trick as the Python reference)
    float local_max = -CUDART_INF_F;
    for (int j = threadIdx.x; j < x.cols; j += blockDim.x) {
        local_max = fmaxf(local_max, row[j]);
    }
    const float peak = block_max(local_max, smem);
    __syncthreads();
    // pass 2: exponentiate in place and sum
    float local_sum = 0.f;
    for (int j = threadIdx.x; j < x.cols; j += blockDim.x) {
        row[j] = __expf(row[j] - peak);
        local_sum += row[j];
    }
    const float total = block_sum(local_sum, smem);
    // pass 3: normalise
    for (int j = threadIdx.x; j < x.cols; j += blockDim.x) {
        row[j] /= total;
    }
}

void launch_softmax_rows(minillm::RowMajorView<float> x, cudaStream_t stream) {
    softmax_rows<<<x.rows, kThreads, 0, stream>>>(x);
}
