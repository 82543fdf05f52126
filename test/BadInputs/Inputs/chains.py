"""Writes long chains for test/BadInputs/long-chains.test.

    chains.py matmul N   (A B^T) C sites in a chain, each reassociable
    chains.py pointwise N  N chained elementwise ops
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
if kind == "matmul":
    t = "tensor<64x4xf32>"
    args = [f"%x0: {t}"] + [f"%b{i}: {t}, %c{i}: {t}" for i in range(1, n + 1)]
    print(f"func.func @chain({', '.join(args)}) -> {t} {{")
    for i in range(1, n + 1):
        print(f"  %s{i} = attn.matmul %x{i-1}, %b{i} transpose_rhs : {t}, {t} -> tensor<64x64xf32>")
        print(f"  %x{i} = attn.matmul %s{i}, %c{i} : tensor<64x64xf32>, {t} -> {t}")
    print(f"  return %x{n} : {t}\n}}")
else:
    t = "tensor<2x?x16xf32>"
    print(f"func.func @chain(%x: {t}, %y: {t}) -> {t} {{")
    prev = "%x"
    for i in range(n):
        step = [f"attn.sigmoid {prev} : {t}",
                f"attn.add {prev}, %y : ({t}, {t}) -> {t}",
                f"attn.neg {prev} : {t}",
                f"attn.scale {prev} by 0.5 : {t}",
                f"attn.square {prev} : {t}",
                f"attn.silu {prev} : {t}"][i % 6]
        print(f"  %v{i} = {step}")
        prev = f"%v{i}"
    print(f"  return {prev} : {t}\n}}")
