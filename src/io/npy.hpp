#pragma once
#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

namespace seiswg::io {

// A NumPy array read from a .npy file: C order, values converted to float.
struct NpyArray {
  std::vector<std::size_t> shape;
  std::vector<float> data;
};

// The bytes of a .npy file (format v1.0, or v2.0 only if the header would not fit v1.0): '<f4', C order.
// The header dict reads "{'descr': '<f4', 'fortran_order': False, 'shape': (10, 100), }", padded with
// spaces and ended by '\n' so that the data starts at a multiple of 64 bytes. The product of `shape` must
// equal data.size() (std::invalid_argument otherwise; an empty shape is a 0-d array of one value).
std::vector<std::byte> encode_npy(std::span<const float> data, std::vector<std::size_t> shape);

// encode_npy + write_file_atomic.
void write_npy(const std::filesystem::path& path, std::span<const float> data,
               std::vector<std::size_t> shape);

// Reads a .npy file with dtype '<f4' or '<f8' (converted to float), C order, format version 1.0, 2.0
// or 3.0. Anything else throws InputError naming the file and what is wrong.
NpyArray read_npy(const std::filesystem::path& path);

}  // namespace seiswg::io
