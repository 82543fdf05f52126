# -*- Python -*-
import os
import lit.formats
import lit.util

config.name = "attn"
# External bash: tests use shell loops over the functions of a file.
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "Unit", "GpuCheck",
                   "KernelAbi"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.attn_binary_dir, "test")

# attn tools first, then LLVM's FileCheck, not, count.
config.environment["PATH"] = os.pathsep.join(
    [config.attn_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.environment["PATH"] = os.pathsep.join(
    [config.environment["PATH"], os.environ.get("PATH", "")])

config.substitutions.append(("%attn_src", config.attn_source_dir))
config.substitutions.append(("%attn_build", config.attn_binary_dir))
# In the sanitizer build (ATTN_SANITIZE), programs the tests link take the
# instrumented runtime, so they are built with the sanitizers too; tests
# whose measurements the sanitizers change say UNSUPPORTED: asan.
cxx = config.cxx_compiler
if getattr(config, "attn_sanitize", False):
    cxx += (" -fsanitize=address,undefined -fsanitize-ignorelist=" +
            os.path.join(config.attn_source_dir, "cmake",
                         "sanitizer-ignorelist.txt"))
    config.available_features.add("asan")
    for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if var in os.environ:
            config.environment[var] = os.environ[var]
config.substitutions.append(("%cxx", cxx))
config.substitutions.append(("%halide_include", config.halide_include_dir))
config.substitutions.append(("%runtime_include",
                             os.path.join(config.attn_source_dir, "lib", "Runtime")))
config.substitutions.append(("%runtime_lib", config.attn_runtime_lib))
config.substitutions.append(("%python_numpy", "/usr/bin/python3"))
config.substitutions.append(("%python", config.python_executable))

# Halide's JIT and the kernels use all cores unless told; keep lit's
# parallel jobs from oversubscribing a small machine.
config.environment["HL_NUM_THREADS"] = "2"

# GPU tests (REQUIRES: cuda) run where an NVIDIA GPU answers nvidia-smi;
# elsewhere, CI included, they are UNSUPPORTED.
try:
    import subprocess
    if subprocess.run(["nvidia-smi", "-L"], capture_output=True,
                      timeout=30).stdout.strip():
        config.available_features.add("cuda")
except (OSError, subprocess.SubprocessError):
    pass
