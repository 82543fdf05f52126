//===- EntryChecks.cpp - the checked entry of a generated kernel ----------===//
#include "lib/Halide/EntryChecks.h"

#include "dialect/ArgumentNames.h"
#include "dialect/SymbolicShapes.h"

#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace attn;
using namespace Halide::Internal;

namespace {
std::string typeText(mlir::Type t) {
  std::string s;
  llvm::raw_string_ostream(s) << t;
  return s;
}
} // namespace

std::string attn::hl::buildCallContract(mlir::func::FuncOp func,
                                        const std::string &exported,
                                        const std::vector<std::string> &outputs) {
  SymbolicShapes shapes(func);
  std::string text = "F " + exported + "\n";
  std::map<mlir::Operation *, int> locations;
  std::string locationLines;
  auto locationOf = [&](mlir::Operation *op) -> std::string {
    if (!op)
      return "";
    auto [it, fresh] = locations.try_emplace(op, locations.size());
    if (fresh)
      locationLines += "L " + std::to_string(it->second) + " " +
                       describeLocation(op) + "\n";
    return "@" + std::to_string(it->second);
  };
  auto buffer = [&](bool output, const std::string &name, mlir::Type type,
                    llvm::ArrayRef<std::string> sizes) {
    auto t = mlir::cast<mlir::RankedTensorType>(type);
    text += std::string("B ") + (output ? "o " : "i ") + name + " " +
            (t.getElementType().isF64() ? "f64 " : "f32 ") +
            std::to_string(t.getRank());
    for (const std::string &s : sizes)
      text += " " + s;
    text += " " + typeText(type) + "\n";
  };
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    auto t = mlir::cast<mlir::RankedTensorType>(arg.getType());
    std::vector<std::string> sizes;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (!t.isDynamicDim(d)) {
        sizes.push_back(std::to_string(t.getDimSize(d)));
        continue;
      }
      SymbolicShapes::TermId self = shapes.argSize(i, d);
      std::string same = shapes.describe(self);
      std::string mine = "a" + std::to_string(i) + "." + std::to_string(d);
      if (same == mine || same.empty())
        sizes.push_back("?");
      else if (same[0] >= '0' && same[0] <= '9')
        sizes.push_back(same + locationOf(shapes.originOf(self)));
      else
        sizes.push_back("=" + same + locationOf(shapes.originOf(self)));
    }
    buffer(false, argumentName(func, i), t, sizes);
  }
  auto ret = llvm::cast<mlir::func::ReturnOp>(
      func.getBody().front().getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    std::vector<std::string> sizes;
    for (SymbolicShapes::TermId s : shapes.sizesOf(v)) {
      std::string same = shapes.describe(s);
      if (same.empty())
        sizes.push_back("*");
      else if (same[0] >= '0' && same[0] <= '9')
        sizes.push_back(same);
      else
        sizes.push_back("=" + same);
    }
    buffer(true, i < outputs.size() ? outputs[i] : "result" + std::to_string(i),
           v.getType(), sizes);
  }
  return text + locationLines;
}

void attn::hl::addCheckedEntry(Halide::Module &module, const std::string &name,
                               const std::string &contract,
                               const std::string &emptyVariant) {
  LoweredFunc *inner = nullptr;
  for (LoweredFunc &f : module.functions())
    if (f.name == name)
      inner = &f;
  if (!inner)
    throw Halide::CompileError("no function " + name + " to check");
  std::string innerName = name + "_unchecked";
  inner->name = innerName;
  inner->linkage = Halide::LinkageType::Internal;
  std::vector<LoweredArgument> args = inner->args;
  for (LoweredFunc &f : module.functions())
    if (f.name == emptyVariant)
      f.linkage = Halide::LinkageType::Internal;

  std::vector<Halide::Expr> buffers;
  for (const LoweredArgument &arg : args)
    buffers.push_back(arg.is_buffer()
                          ? Variable::make(Halide::type_of<halide_buffer_t *>(),
                                           arg.name + ".buffer")
                          : Variable::make(arg.type, arg.name));
  Halide::Expr table = Call::make(Halide::type_of<halide_buffer_t **>(),
                                  Call::make_struct, buffers,
                                  Call::Intrinsic);
  Halide::Expr check =
      Call::make(Halide::Int(32), "attn_check_call",
                 {StringImm::make(contract), table}, Call::Extern);
  // Each step returns its error code (the check and Halide have already
  // reported the message through the error handler).
  auto call = [&](const std::string &callee) {
    Halide::Expr run =
        Call::make(Halide::Int(32), callee, buffers, Call::Extern);
    Halide::Expr code = Variable::make(Halide::Int(32), "attn_result");
    return LetStmt::make("attn_result", run, AssertStmt::make(code == 0, code));
  };
  Halide::Expr code = Variable::make(Halide::Int(32), "attn_check");
  Stmt run = call(innerName);
  if (!emptyVariant.empty())
    run = IfThenElse::make(code == 1, call(emptyVariant), run);
  Stmt body = LetStmt::make(
      "attn_check", check, Block::make(AssertStmt::make(code >= 0, code), run));
  module.append(LoweredFunc(name, args, body,
                            Halide::LinkageType::ExternalPlusMetadata));
}
