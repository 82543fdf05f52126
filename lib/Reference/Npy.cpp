//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// The header is a Python dict literal; it is parsed as one (keys, quoted
// strings, True/False, tuples of integers), not searched with patterns, so
// that "(-3, 8)" or "'fortran_order':True" cannot be misread. Every size is
// checked against the file before anything is allocated.
//
//===----------------------------------------------------------------------===//
#include "lib/Reference/Npy.h"

#include "llvm/ADT/StringRef.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <map>

using namespace attn;

namespace {
/// Headers are a few hundred bytes; version 2 allows 4 GiB, which a reader
/// must not allocate on the word of a file.
constexpr uint64_t kMaxHeaderBytes = 1 << 20;

/// A value of the header dict.
struct HeaderValue {
  enum Kind { String, Bool, Tuple } kind = String;
  std::string text;
  bool flag = false;
  Shape ints;
};

/// Recursive-descent reader of the header's dict literal.
class HeaderParser {
public:
  explicit HeaderParser(llvm::StringRef text) : rest(text) {}

  bool parse(std::map<std::string, HeaderValue> &dict, std::string &error) {
    skipSpace();
    if (!consume('{'))
      return fail("expected '{' at the start of the header", error);
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key, error))
        return false;
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after key '" + key + "'", error);
      skipSpace();
      HeaderValue value;
      if (!parseValue(value, error))
        return false;
      if (!dict.emplace(key, value).second)
        return fail("key '" + key + "' appears twice", error);
      skipSpace();
      if (consume('}'))
        break;
      if (!consume(','))
        return fail("expected ',' or '}' after the value of '" + key + "'",
                    error);
    }
    skipSpace();
    if (!rest.empty())
      return fail("unexpected text after the header's '}'", error);
    return true;
  }

private:
  llvm::StringRef rest;

  static bool fail(const std::string &what, std::string &error) {
    error = "malformed .npy header: " + what;
    return false;
  }
  void skipSpace() { rest = rest.ltrim(" \t\r\n"); }
  bool consume(char c) { return rest.consume_front(llvm::StringRef(&c, 1)); }

  bool parseString(std::string &out, std::string &error) {
    if (rest.empty() || (rest.front() != '\'' && rest.front() != '"'))
      return fail("expected a quoted key or string", error);
    char quote = rest.front();
    size_t end = rest.find(quote, 1);
    if (end == llvm::StringRef::npos)
      return fail("unterminated string", error);
    out = rest.slice(1, end).str();
    rest = rest.drop_front(end + 1);
    return true;
  }

  bool parseValue(HeaderValue &value, std::string &error) {
    for (bool flag : {true, false})
      if (rest.consume_front(flag ? "True" : "False")) {
        value.kind = HeaderValue::Bool;
        value.flag = flag;
        return true;
      }
    if (rest.starts_with("(")) {
      value.kind = HeaderValue::Tuple;
      return parseTuple(value.ints, error);
    }
    value.kind = HeaderValue::String;
    return parseString(value.text, error);
  }

  bool parseTuple(Shape &ints, std::string &error) {
    consume('(');
    while (true) {
      skipSpace();
      if (consume(')'))
        return true;
      if (rest.empty() || !std::isdigit((unsigned char)rest.front()))
        return fail("shape entries must be non-negative integers; got '" +
                        rest.take_until([](char c) {
                              return c == ',' || c == ')';
                            }).str() +
                        "'",
                    error);
      uint64_t n = 0;
      while (!rest.empty() && std::isdigit((unsigned char)rest.front())) {
        if (__builtin_mul_overflow(n, 10, &n) ||
            __builtin_add_overflow(n, uint64_t(rest.front() - '0'), &n) ||
            n > uint64_t(INT64_MAX))
          return fail("a shape entry does not fit in 64 bits", error);
        rest = rest.drop_front();
      }
      ints.push_back(int64_t(n));
      skipSpace();
      if (consume(')'))
        return true;
      if (!consume(','))
        return fail("expected ',' or ')' in the shape", error);
    }
  }
};

} // namespace

bool attn::readNpy(const std::string &path, Tensor &out, std::string &error) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    error = path + ": cannot open file";
    return false;
  }
  uint64_t fileSize = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  auto fail = [&](const std::string &what) {
    error = path + ": " + what;
    return false;
  };
  char magic[8];
  if (fileSize < 10 || !in.read(magic, 8) ||
      std::memcmp(magic, "\x93NUMPY", 6) != 0)
    return fail("not a .npy file (bad magic)");
  int major = static_cast<unsigned char>(magic[6]);
  if (major < 1 || major > 3)
    return fail("unsupported .npy format version " + std::to_string(major) +
                "; expected 1, 2 or 3");
  uint8_t b[4] = {0, 0, 0, 0};
  int lengthBytes = major == 1 ? 2 : 4;
  if (!in.read(reinterpret_cast<char *>(b), lengthBytes))
    return fail("truncated .npy header");
  uint64_t headerLen =
      b[0] | (b[1] << 8) | (uint64_t(b[2]) << 16) | (uint64_t(b[3]) << 24);
  uint64_t prefix = 8 + lengthBytes;
  if (headerLen > kMaxHeaderBytes || headerLen > fileSize - prefix)
    return fail("the .npy header claims " + std::to_string(headerLen) +
                " bytes but the file has " + std::to_string(fileSize - prefix) +
                " after the magic (at most " +
                std::to_string(kMaxHeaderBytes) + " are read)");
  std::string header(headerLen, '\0');
  if (!in.read(header.data(), headerLen))
    return fail("truncated .npy header");

  std::map<std::string, HeaderValue> dict;
  std::string why;
  if (!HeaderParser(header).parse(dict, why))
    return fail(why);
  for (const auto &[key, value] : dict)
    if (key != "descr" && key != "fortran_order" && key != "shape")
      return fail(".npy header has an unknown key '" + key + "'");
  auto descr = dict.find("descr"), shapeIt = dict.find("shape");
  if (descr == dict.end() || descr->second.kind != HeaderValue::String)
    return fail(".npy header has no dtype ('descr')");
  if (shapeIt == dict.end() || shapeIt->second.kind != HeaderValue::Tuple)
    return fail(".npy header has no shape tuple");
  auto fortran = dict.find("fortran_order");
  if (fortran == dict.end() || fortran->second.kind != HeaderValue::Bool)
    return fail(".npy header has no 'fortran_order' True or False");
  if (fortran->second.flag)
    return fail("Fortran-ordered arrays are not supported; expected C order "
                "(numpy.ascontiguousarray)");

  llvm::StringRef dtype = descr->second.text;
  int elementBytes = 0;
  if (dtype == "<f4" || dtype == "=f4" || dtype == "f4")
    elementBytes = 4;
  else if (dtype == "<f8" || dtype == "=f8" || dtype == "f8")
    elementBytes = 8;
  else
    return fail("dtype '" + dtype.str() + "' is not supported; expected " +
                "little-endian float32 ('<f4') or float64 ('<f8')");

  const Shape &shape = shapeIt->second.ints;
  std::optional<int64_t> count = Tensor::countElements(shape);
  uint64_t dataBytes = 0;
  if (!count ||
      __builtin_mul_overflow(uint64_t(*count), uint64_t(elementBytes),
                             &dataBytes))
    return fail("shape " + formatShape(shape) +
                " has more elements than 64-bit sizes count");
  uint64_t available = fileSize - prefix - headerLen;
  if (available < dataBytes)
    return fail("file holds fewer values than its shape " +
                formatShape(shape) + " needs (" + std::to_string(available) +
                " bytes of data, expected " + std::to_string(dataBytes) + ")");
  if (available > dataBytes)
    return fail("file has " + std::to_string(available - dataBytes) +
                " bytes after the " + std::to_string(dataBytes) +
                " bytes that its shape " + formatShape(shape) +
                " holds; expected nothing after the data");

  out = Tensor(shape, elementBytes == 4 ? ElementKind::f32 : ElementKind::f64);
  if (elementBytes == 4) {
    std::vector<float> buf(*count);
    in.read(reinterpret_cast<char *>(buf.data()), dataBytes);
    std::copy(buf.begin(), buf.end(), out.data.begin());
  } else {
    in.read(reinterpret_cast<char *>(out.data.data()), dataBytes);
  }
  if (!in)
    return fail("read error");
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
