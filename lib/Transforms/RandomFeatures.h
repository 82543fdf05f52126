//===- RandomFeatures.h - FAVOR+ orthogonal random projections ---*- C++ -*-===//
#ifndef ATTN_TRANSFORMS_RANDOMFEATURES_H
#define ATTN_TRANSFORMS_RANDOMFEATURES_H

#include <cstdint>
#include <vector>

namespace attn {

/// The projection W [m, d] of Performer's positive orthogonal random
/// features (Choromanski et al. 2021), row-major: blocks of d rows are
/// orthogonalised Gaussian rows (Gram-Schmidt), each row then scaled to the
/// norm of an independent d-dimensional Gaussian vector, so that every row
/// is marginally N(0, I_d). The same (m, d, seed) gives the same matrix on
/// every machine: the Gaussians come from std::mt19937_64 through
/// Box-Muller, not from std::normal_distribution.
std::vector<double> orthogonalRandomFeatures(int64_t m, int64_t d,
                                             uint64_t seed);

} // namespace attn

#endif // ATTN_TRANSFORMS_RANDOMFEATURES_H
