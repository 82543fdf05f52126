# -*- Python -*-
# The gtest unit tests, one lit test per gtest case.
import os
import lit.formats

config.name = "attn-unit"
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.test_source_root = os.path.join(config.attn_binary_dir, "test", "Unit")
config.test_exec_root = config.test_source_root
