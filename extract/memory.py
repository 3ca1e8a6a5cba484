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
    if _LIBC is not None:
        _LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    pa.set_memory_pool(pa.system_memory_pool())


def release_free_memory() -> None:
    """Hand memory freed since the last call back to the system (glibc ``malloc_trim``).

    Called between batches and between merged tables, so each phase starts from the memory
    actually in use rather than from the high-water mark of the one before.
    """
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _load_glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


_LIBC = _load_glibc()
