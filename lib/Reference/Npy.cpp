//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
#include "lib/Reference/Npy.h"

#include <cstring>
#include <fstream>
#include <regex>

using namespace attn;

bool attn::readNpy(const std::string &path, Tensor &out, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open file";
    return false;
  }
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    error = path + ": not a .npy file (bad magic)";
    return false;
  }
  uint32_t headerLen = 0;
  if (magic[6] == 1) {
    uint8_t b[2];
    in.read(reinterpret_cast<char *>(b), 2);
    headerLen = b[0] | (b[1] << 8);
  } else {
    uint8_t b[4];
    in.read(reinterpret_cast<char *>(b), 4);
    headerLen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  }
  std::string header(headerLen, '\0');
  if (!in || headerLen > (1u << 20) || !in.read(header.data(), headerLen)) {
    error = path + ": truncated .npy header";
    return false;
  }
  std::smatch m;
  if (!std::regex_search(header, m,
                         std::regex("'descr':\\s*'([<|=]?)([fi][0-9]+)'"))) {
    error = path + ": .npy header has no dtype";
    return false;
  }
  std::string dtype = m[2];
  if (dtype != "f4" && dtype != "f8") {
    error = path + ": dtype '" + dtype + "' is not supported; expected " +
            "float32 ('<f4') or float64 ('<f8')";
    return false;
  }
  if (header.find("'fortran_order': True") != std::string::npos) {
    error = path + ": Fortran-ordered arrays are not supported; expected " +
            "C order";
    return false;
  }
  if (!std::regex_search(header, m, std::regex("'shape':\\s*\\(([^)]*)\\)"))) {
    error = path + ": .npy header has no shape";
    return false;
  }
  Shape shape;
  std::string dims = m[1];
  std::regex num("[0-9]+");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), num);
       it != std::sregex_iterator(); ++it)
    shape.push_back(std::stoll(it->str()));
  out = Tensor(shape, dtype == "f4" ? ElementKind::f32 : ElementKind::f64);
  int64_t n = out.size();
  if (dtype == "f4") {
    std::vector<float> buf(n);
    in.read(reinterpret_cast<char *>(buf.data()), n * sizeof(float));
    std::copy(buf.begin(), buf.end(), out.data.begin());
  } else {
    in.read(reinterpret_cast<char *>(out.data.data()), n * sizeof(double));
  }
  if (!in) {
    error = path + ": file holds fewer values than its shape " +
            formatShape(shape) + " needs";
    return false;
  }
  return true;
}

bool attn::writeNpy(const std::string &path, const Tensor &t,
                    std::string &error) {
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    error = path + ": cannot write file";
    return false;
  }
  std::string shape = "(";
  for (int64_t d : t.shape)
    shape += std::to_string(d) + ",";
  if (t.shape.size() > 1)
    shape.pop_back();
  shape += ")";
  bool f32 = t.kind == ElementKind::f32;
  std::string header = std::string("{'descr': '") + (f32 ? "<f4" : "<f8") +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n', padded to 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  out.write("\x93NUMPY\x01\x00", 8);
  uint16_t len = static_cast<uint16_t>(header.size());
  char lenBytes[2] = {char(len & 0xff), char(len >> 8)};
  out.write(lenBytes, 2);
  out.write(header.data(), header.size());
  if (f32) {
    std::vector<float> buf(t.data.begin(), t.data.end());
    out.write(reinterpret_cast<const char *>(buf.data()),
              buf.size() * sizeof(float));
  } else {
    out.write(reinterpret_cast<const char *>(t.data.data()),
              t.data.size() * sizeof(double));
  }
  if (!out) {
    error = path + ": write failed";
    return false;
  }
  return true;
}
