//===- CheckCall.cpp - the entry check of every generated kernel ----------===//
#include "CallContract.h"
#include "attn_runtime.h"

#include <string>

extern "C" int attn_check_call(const char *contract,
                               struct halide_buffer_t **buffers) {
  std::string message;
  int code = attn_runtime::checkCall(contract, buffers, message);
  if (code < 0)
    halide_error(nullptr, message.c_str());
  return code;
}
