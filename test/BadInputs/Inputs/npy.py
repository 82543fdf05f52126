"""Writes a .npy file with a given header dict text and data, for the
bad-input tests (no NumPy needed).

    npy.py OUT HEADER DATA_BYTES [--version N] [--header-length L]
"""
import argparse
import struct

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("header")
p.add_argument("data_bytes", type=int)
p.add_argument("--version", type=int, default=1)
p.add_argument("--header-length", type=int, default=None,
               help="write this length instead of the header's own")
a = p.parse_args()

h = a.header.encode()
prefix = 10 if a.version == 1 else 12
h += b" " * ((64 - (prefix + len(h) + 1) % 64) % 64) + b"\n"
length = len(h) if a.header_length is None else a.header_length
with open(a.out, "wb") as f:
    f.write(b"\x93NUMPY" + bytes([a.version, 0]))
    f.write(struct.pack("<H" if a.version == 1 else "<I", length))
    f.write(h)
    f.write(b"\0" * a.data_bytes)
