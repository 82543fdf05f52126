//===- CallContract.cpp - checking a kernel's buffers before it runs ------===//
#include "CallContract.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace attn_runtime;

namespace {

/// checkCall's answer when some buffer holds no elements.
constexpr int kEmpty = 1;

struct BufferSpec {
  bool output = false;
  std::string name;
  int bits = 32;
  int rank = 0;
  std::vector<std::string> sizes; ///< one token per MLIR dimension
  std::string type;               ///< e.g. tensor<1x2x?x8xf32>
};

struct Contract {
  std::string function;
  std::vector<BufferSpec> buffers;
  std::map<int, std::string> locations;
};

std::vector<std::string> splitWords(const std::string &line, size_t count,
                                    std::string &rest) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (words.size() < count && pos < line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string::npos)
      end = line.size();
    words.push_back(line.substr(pos, end - pos));
    pos = end + 1;
  }
  rest = pos < line.size() ? line.substr(pos) : std::string();
  return words;
}

bool parseContract(const char *text, Contract &c) {
  std::string all(text ? text : "");
  size_t pos = 0;
  while (pos < all.size()) {
    size_t end = all.find('\n', pos);
    if (end == std::string::npos)
      end = all.size();
    std::string line = all.substr(pos, end - pos), rest;
    pos = end + 1;
    if (line.size() < 2)
      continue;
    char kind = line[0];
    line = line.substr(2);
    if (kind == 'F') {
      c.function = line;
    } else if (kind == 'L') {
      auto w = splitWords(line, 1, rest);
      if (w.size() == 1)
        c.locations[std::atoi(w[0].c_str())] = rest;
    } else if (kind == 'B') {
      auto w = splitWords(line, 4, rest);
      if (w.size() < 4)
        return false;
      BufferSpec b;
      b.output = w[0] == "o";
      b.name = w[1];
      b.bits = w[2] == "f64" ? 64 : 32;
      b.rank = std::atoi(w[3].c_str());
      std::string tail = rest;
      auto sizes = splitWords(tail, b.rank, rest);
      if ((int)sizes.size() != b.rank)
        return false;
      b.sizes = sizes;
      b.type = rest;
      c.buffers.push_back(std::move(b));
    }
  }
  return !c.buffers.empty();
}

/// Evaluates a size expression over the bound sizes; nullopt when it names
/// a size that is not known (a buffer in bounds-query mode) or is malformed.
class SizeExpr {
public:
  SizeExpr(const std::map<std::pair<int, int>, int64_t> &bound)
      : bound(bound) {}

  std::optional<int64_t> eval(const std::string &text) {
    s = text;
    pos = 0;
    auto v = parse();
    return pos == s.size() ? v : std::nullopt;
  }

private:
  const std::map<std::pair<int, int>, int64_t> &bound;
  std::string s;
  size_t pos = 0;

  std::optional<int64_t> number() {
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9')
      ++pos;
    if (start == pos)
      return std::nullopt;
    return std::strtoll(s.c_str() + start, nullptr, 10);
  }
  std::optional<int64_t> parse() {
    if (s.compare(pos, 5, "ceil(") == 0) {
      pos += 5;
      auto n = parse();
      if (!n || pos >= s.size() || s[pos] != '/')
        return std::nullopt;
      ++pos;
      auto d = number();
      if (!d || *d <= 0 || pos >= s.size() || s[pos] != ')')
        return std::nullopt;
      ++pos;
      return *n / *d + (*n % *d != 0);
    }
    if (pos < s.size() && s[pos] == 'a') {
      ++pos;
      auto b = number();
      if (!b || pos >= s.size() || s[pos] != '.')
        return std::nullopt;
      ++pos;
      auto d = number();
      if (!d)
        return std::nullopt;
      auto it = bound.find({int(*b), int(*d)});
      if (it == bound.end())
        return std::nullopt;
      return it->second;
    }
    return number();
  }
};

class Checker {
public:
  Checker(const Contract &c, halide_buffer_t *const *buffers,
          std::string &message)
      : c(c), buffers(buffers), message(message) {}

  int run() {
    for (size_t i = 0; i < c.buffers.size(); ++i)
      if (int code = structure(i))
        return code;
    for (size_t i = 0; i < c.buffers.size(); ++i)
      if (int code = sizes(i))
        return code;
    if (int code = overlaps())
      return code;
    return anyEmpty ? kEmpty : 0;
  }

private:
  const Contract &c;
  halide_buffer_t *const *buffers;
  std::string &message;
  std::map<std::pair<int, int>, int64_t> bound;
  bool anyEmpty = false;

  /// A buffer with no elements and no host pointer, whose shape fits its
  /// type: an empty tensor (an empty sequence), not a bounds query. It
  /// gets a placeholder host pointer, never read, so that Halide computes.
  void markEmpty(size_t i, halide_buffer_t *buf) {
    const BufferSpec &b = c.buffers[i];
    bool none = false;
    for (int d = 0; d < b.rank; ++d) {
      const halide_dimension_t &dim = buf->dim[b.rank - 1 - d];
      if (dim.min != 0 || dim.extent < 0)
        return;
      if (b.sizes[d][0] >= '0' && b.sizes[d][0] <= '9' &&
          std::to_string(dim.extent) != b.sizes[d].substr(0, b.sizes[d].find('@')))
        return;
      none |= dim.extent == 0;
    }
    if (!none)
      return;
    static uint64_t placeholder[2];
    if (!buf->host && !buf->device)
      buf->host = reinterpret_cast<uint8_t *>(placeholder);
  }

  /// "q" for an input, "the output o" for an output.
  std::string who(size_t i) const {
    const BufferSpec &b = c.buffers[i];
    return b.output ? "the output " + b.name : b.name;
  }
  static bool query(const halide_buffer_t *buf) {
    return buf->host == nullptr && buf->device == 0;
  }
  int fail(int code, const std::string &text) {
    message = "attn: @" + c.function + ": " + text;
    return code;
  }
  /// "Halide's dim[1], as Halide counts dimensions innermost first".
  static std::string halideDim(const BufferSpec &b, int d) {
    return "Halide's dim[" + std::to_string(b.rank - 1 - d) +
           "], as Halide counts dimensions innermost first";
  }

  int structure(size_t i) {
    const BufferSpec &b = c.buffers[i];
    const halide_buffer_t *buf = buffers[i];
    if (!buf)
      return fail(halide_error_code_buffer_argument_is_null,
                  who(i) + " is NULL; expected a halide_buffer_t for " +
                      b.type);
    if (buf->dimensions != b.rank)
      return fail(halide_error_code_bad_dimensions,
                  who(i) + " has " + std::to_string(buf->dimensions) +
                      " dimensions; expected " + std::to_string(b.rank) +
                      " (" + b.type + ")");
    if (b.rank > 0 && !buf->dim)
      return fail(halide_error_code_bad_dimensions,
                  who(i) + " has dim == NULL; expected an array of " +
                      std::to_string(b.rank) + " halide_dimension_t (" +
                      b.type + ")");
    if (buf->type.code != halide_type_float || buf->type.bits != b.bits ||
        buf->type.lanes != 1) {
      const char *codes[] = {"int", "uint", "float", "handle", "bfloat"};
      std::string got = (buf->type.code < 5 ? codes[buf->type.code] : "type") +
                        std::to_string(buf->type.bits);
      if (buf->type.lanes != 1)
        got += "x" + std::to_string(buf->type.lanes);
      return fail(halide_error_code_bad_type,
                  who(i) + " holds " + got + " elements; expected float" +
                      std::to_string(b.bits) + " (" + b.type + ")");
    }
    if (query(buf))
      markEmpty(i, const_cast<halide_buffer_t *>(buf));
    if (query(buf))
      return 0;
    for (int d = 0; d < b.rank; ++d) {
      const halide_dimension_t &dim = buf->dim[b.rank - 1 - d];
      anyEmpty |= dim.extent == 0;
      if (dim.min != 0)
        return fail(halide_error_code_constraint_violated,
                    who(i) + " starts at " + std::to_string(dim.min) +
                        " in dimension " + std::to_string(d) +
                        ", expected 0 (" + halideDim(b, d) +
                        "; to pass a crop, offset the host pointer and set "
                        "min to 0)");
      if (dim.extent < 0)
        return fail(halide_error_code_constraint_violated,
                    who(i) + " has a negative size " +
                        std::to_string(dim.extent) + " in dimension " +
                        std::to_string(d) + " (" + halideDim(b, d) + ")");
    }
    if (b.rank > 0 && buf->dim[0].stride != 1 && buf->dim[0].extent > 1)
      return fail(halide_error_code_constraint_violated,
                  who(i) + " has stride " + std::to_string(buf->dim[0].stride) +
                      " in its last dimension (Halide's dim[0]); expected 1: "
                      "rows must be contiguous (" + b.type + ")");
    return 0;
  }

  /// Where the expression `text` of a size comes from, for a message.
  std::string describe(const std::string &text) const {
    if (text.compare(0, 5, "ceil(") == 0) {
      size_t slash = text.rfind('/');
      return "ceil(" + describe(text.substr(5, slash - 5)) + " / " +
             text.substr(slash + 1, text.size() - slash - 2) + ")";
    }
    if (!text.empty() && text[0] == 'a') {
      int b = std::atoi(text.c_str() + 1);
      int d = std::atoi(text.c_str() + text.find('.') + 1);
      if (b >= 0 && size_t(b) < c.buffers.size())
        return "the size of " + c.buffers[b].name + " in dimension " +
               std::to_string(d);
    }
    return text;
  }

  int sizes(size_t i) {
    const BufferSpec &b = c.buffers[i];
    const halide_buffer_t *buf = buffers[i];
    if (query(buf))
      return 0;
    for (int d = 0; d < b.rank; ++d) {
      int64_t got = buf->dim[b.rank - 1 - d].extent;
      std::string token = b.sizes[d];
      if (token == "*")
        continue;
      if (token == "?") {
        bound[{int(i), d}] = got;
        continue;
      }
      std::string where;
      if (size_t at = token.find('@'); at != std::string::npos) {
        auto loc = c.locations.find(std::atoi(token.c_str() + at + 1));
        if (loc != c.locations.end())
          where = "; required by " + loc->second;
        token = token.substr(0, at);
      }
      bool relation = token[0] == '=';
      std::optional<int64_t> expected =
          SizeExpr(bound).eval(relation ? token.substr(1) : token);
      bound[{int(i), d}] = got;
      if (!expected || *expected == got)
        continue;
      std::string text = who(i) + " has size " + std::to_string(got) +
                         " in dimension " + std::to_string(d) + ", expected " +
                         std::to_string(*expected);
      if (relation)
        text += ", " + describe(token.substr(1));
      return fail(halide_error_code_constraint_violated,
                  text + " (" + b.type + "; " + halideDim(b, d) + where + ")");
    }
    return 0;
  }

  /// The bytes a buffer spans, from its lowest to one past its highest
  /// element, on the host or the device (nullopt when empty or absent).
  static std::optional<std::pair<uint64_t, uint64_t>>
  span(const halide_buffer_t *buf, uint64_t base) {
    if (!base)
      return std::nullopt;
    int64_t lo = 0, hi = 0;
    for (int d = 0; d < buf->dimensions; ++d) {
      const halide_dimension_t &dim = buf->dim[d];
      if (dim.extent <= 0)
        return std::nullopt;
      int64_t reach = int64_t(dim.extent - 1) * dim.stride;
      (reach < 0 ? lo : hi) += reach;
    }
    int64_t bytes = (buf->type.bits + 7) / 8;
    return std::make_pair(base + uint64_t(lo * bytes),
                          base + uint64_t((hi + 1) * bytes));
  }

  /// Whether some element of `a` (at address `baseA`) shares a byte with
  /// some element of `b` (at `baseB`), both of `bytes` bytes. Exact for the
  /// views of one allocation that programs pass (disjoint row ranges of one
  /// buffer do not overlap, although their spans interleave); where the
  /// search grows large it answers yes, the safe side.
  static bool elementsOverlap(const halide_buffer_t *a, uint64_t baseA,
                              const halide_buffer_t *b, uint64_t baseB,
                              int64_t bytes) {
    // Variables x with coefficients: a's indices (+stride), b's (-stride);
    // a dimension of each with the same stride becomes one difference
    // variable i - j.
    struct Var {
      int64_t coef, lo, hi;
    };
    std::vector<Var> vars;
    std::vector<bool> used(b->dimensions, false);
    for (int d = 0; d < a->dimensions; ++d) {
      const halide_dimension_t &da = a->dim[d];
      Var v{int64_t(da.stride) * bytes, 0, int64_t(da.extent) - 1};
      for (int e = 0; e < b->dimensions; ++e)
        if (!used[e] && b->dim[e].stride == da.stride) {
          used[e] = true;
          v.lo = -(int64_t(b->dim[e].extent) - 1);
          break;
        }
      vars.push_back(v);
    }
    for (int e = 0; e < b->dimensions; ++e)
      if (!used[e])
        vars.push_back({-int64_t(b->dim[e].stride) * bytes, 0,
                        int64_t(b->dim[e].extent) - 1});
    std::sort(vars.begin(), vars.end(), [](const Var &x, const Var &y) {
      return std::llabs(x.coef) > std::llabs(y.coef);
    });
    // reach[k]: the range of sum over vars k.. of coef * x.
    std::vector<std::pair<int64_t, int64_t>> reach(vars.size() + 1, {0, 0});
    for (size_t k = vars.size(); k-- > 0;) {
      int64_t p = vars[k].coef * vars[k].lo, q = vars[k].coef * vars[k].hi;
      reach[k] = {reach[k + 1].first + std::min(p, q),
                  reach[k + 1].second + std::max(p, q)};
    }
    int64_t delta = int64_t(baseB - baseA);
    long budget = 100000;
    // Is there x with sum coef * x in [lo, hi]?
    std::function<bool(size_t, int64_t, int64_t)> search =
        [&](size_t k, int64_t lo, int64_t hi) -> bool {
      if (--budget < 0)
        return true;
      if (hi < reach[k].first || lo > reach[k].second)
        return false;
      if (k == vars.size())
        return true;
      const Var &v = vars[k];
      if (v.coef == 0)
        return search(k + 1, lo, hi);
      // coef * x in [lo - reach.second, hi - reach.first].
      int64_t a = lo - reach[k + 1].second, b = hi - reach[k + 1].first;
      auto floorDiv = [](int64_t n, int64_t d) {
        return n / d - ((n % d != 0) && ((n < 0) != (d < 0)));
      };
      int64_t c = v.coef;
      int64_t first = c > 0 ? -floorDiv(-a, c) : -floorDiv(-b, c);
      int64_t last = c > 0 ? floorDiv(b, c) : floorDiv(a, c);
      first = std::max(first, v.lo);
      last = std::min(last, v.hi);
      for (int64_t x = first; x <= last; ++x)
        if (search(k + 1, lo - c * x, hi - c * x))
          return true;
      return false;
    };
    return search(0, delta - bytes + 1, delta + bytes - 1);
  }

  int overlaps() {
    for (size_t o = 0; o < c.buffers.size(); ++o) {
      if (!c.buffers[o].output || query(buffers[o]))
        continue;
      for (size_t i = 0; i < c.buffers.size(); ++i) {
        if (i == o || query(buffers[i]) || (c.buffers[i].output && i < o))
          continue;
        const halide_buffer_t *a = buffers[o], *b = buffers[i];
        int64_t bytes = (a->type.bits + 7) / 8;
        auto clashAt = [&](uint64_t baseA, uint64_t baseB) {
          auto sa = span(a, baseA), sb = span(b, baseB);
          return sa && sb && sa->first < sb->second &&
                 sb->first < sa->second &&
                 elementsOverlap(a, baseA, b, baseB, bytes);
        };
        bool clash = clashAt(uint64_t(uintptr_t(a->host)),
                             uint64_t(uintptr_t(b->host)));
        if (a->device_interface && a->device_interface == b->device_interface)
          clash |= clashAt(a->device, b->device);
        if (clash)
          return fail(halide_error_code_generic_error,
                      who(o) + " overlaps " + who(i) +
                          " in memory; attn kernels do not compute in place "
                          "(they read inputs after writing outputs): pass a "
                          "separate output buffer");
      }
    }
    return 0;
  }
};
} // namespace

int attn_runtime::checkCall(const char *contract,
                            halide_buffer_t *const *buffers,
                            std::string &message) {
  Contract c;
  if (!parseContract(contract, c)) {
    message = "attn: internal error: a kernel's buffer contract is malformed";
    return halide_error_code_generic_error;
  }
  return Checker(c, buffers, message).run();
}
