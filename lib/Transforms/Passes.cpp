//===- Passes.cpp - registration of the attn rewrites ---------------------===//
#include "lib/Transforms/Passes.h"

void attn::registerAttnPasses() {
  // Each pass of lib/Transforms adds its registration here as it lands.
}
