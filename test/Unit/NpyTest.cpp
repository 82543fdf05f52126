//===- NpyTest.cpp - .npy round trips and refusals ------------------------===//
#include "lib/Reference/Npy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace attn;

namespace {
std::string tempPath(const char *name) {
  return std::string(::testing::TempDir()) + name;
}

TEST(Npy, RoundTripsFloat32AndFloat64) {
  for (ElementKind kind : {ElementKind::f32, ElementKind::f64}) {
    Tensor t({2, 3, 4}, kind);
    for (int64_t i = 0; i < t.size(); ++i)
      t.data[i] = 0.25 * i - 1.0;
    std::string path = tempPath("roundtrip.npy"), error;
    ASSERT_TRUE(writeNpy(path, t, error)) << error;
    Tensor back;
    ASSERT_TRUE(readNpy(path, back, error)) << error;
    EXPECT_EQ(back.shape, t.shape);
    EXPECT_EQ(back.kind, kind);
    EXPECT_EQ(back.data, t.data);
  }
}

TEST(Npy, RefusesMissingAndForeignFiles) {
  Tensor t;
  std::string error;
  EXPECT_FALSE(readNpy(tempPath("does-not-exist.npy"), t, error));
  EXPECT_NE(error.find("cannot open file"), std::string::npos);
  std::string path = tempPath("text.npy");
  std::ofstream(path) << "not numpy";
  EXPECT_FALSE(readNpy(path, t, error));
  EXPECT_NE(error.find("not a .npy file"), std::string::npos);
}

TEST(Npy, RefusesTruncatedData) {
  Tensor t({4, 4}, ElementKind::f32);
  std::string path = tempPath("trunc.npy"), error;
  ASSERT_TRUE(writeNpy(path, t, error));
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() - 8);
  Tensor back;
  EXPECT_FALSE(readNpy(path, back, error));
  EXPECT_NE(error.find("fewer values"), std::string::npos) << error;
}
} // namespace
