"""Process-wide allocator settings that keep a long extract's memory flat.

An extract parses thousands of multi-megabyte answers and writes thousands of small Parquet
parts, freeing everything after each batch. Two allocators would otherwise keep the freed memory:

* glibc raises its mmap threshold each time a large block is freed (up to 32 MB), so later
  page-sized bodies come from the heap, which fragments and rarely shrinks: RSS grows with the
  number of pages fetched. A fixed threshold keeps large blocks in their own mappings, returned
  to the system on free.
* pyarrow's default pool (mimalloc or jemalloc) caches freed memory per thread; the system pool
  hands it back to malloc, which (with the fixed threshold) returns it.

These are settings of the whole process, so only a process entry point (the CLI) applies them,
never :func:`extract.run` itself.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

import pyarrow as pa

M_MMAP_THRESHOLD = -3  # mallopt parameter number in glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's initial default, kept fixed


def limit_allocator_retention() -> None:
    """Fix glibc's mmap threshold and use pyarrow's system memory pool (best effort)."""
    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        except (OSError, AttributeError):
            pass  # another libc build: only memory use differs, never results
    pa.set_memory_pool(pa.system_memory_pool())
