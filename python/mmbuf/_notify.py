"""Waking waiters and waiting for a commit: mmbuf(5), "Waiting for a
commit".

The word waited on is the low 32 bits of the generation field of the slot
that the next commit writes (file offset 4096 * ((g + 1) % 2) + 8 for a
reader at generation g), in a MAP_SHARED mapping of the two header pages:
futexes on a shared file mapping are keyed by file and offset, so a C and
a Python process that map the same page meet on the same futex.

Linux only, through ctypes: libc's syscall() for futex(2) and libc's
mmap() for the mapping (a read-only mmap.mmap cannot give its address to
ctypes).  Elsewhere, or where the system call number of this machine is
unknown, AVAILABLE is False: writers then clear NOTIFY, as the format
asks of a writer that cannot wake, and readers poll.
"""

import ctypes
import ctypes.util
import errno
import os
import platform
import sys
from typing import Any, Optional

from . import _format as F

# SYS_futex by machine (platform.machine()), from the kernel's syscall
# tables; 32-bit user space on a 64-bit kernel takes the 32-bit number.
_SYS_FUTEX = {
    "x86_64": 202, "amd64": 202, "i386": 240, "i486": 240, "i586": 240,
    "i686": 240, "aarch64": 98, "arm64": 98, "riscv64": 98,
    "loongarch64": 98, "ppc64": 221, "ppc64le": 221, "ppc": 221,
    "s390x": 238, "armv7l": 240, "armv6l": 240, "armv8l": 240,
}
_FUTEX_WAIT = 0     # not _PRIVATE: the waiters are in other processes
_FUTEX_WAKE = 1
_INT_MAX = 2 ** 31 - 1
_PROT_READ = 0x1
_MAP_SHARED = 0x1
_MAP_FAILED = ctypes.c_void_p(-1).value


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def _load() -> Any:
    """(libc, futex number), or None where futexes cannot be used."""
    if not sys.platform.startswith("linux") or \
            os.environ.get("MMBUF_NO_FUTEX"):
        return None
    machine = platform.machine()
    nr = _SYS_FUTEX.get(machine)
    if nr is not None and machine in ("x86_64", "amd64", "aarch64") and \
            ctypes.sizeof(ctypes.c_void_p) == 4:
        return None     # x32 or a 32-bit user space: numbers differ
    if nr is None:
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6",
                           use_errno=True)
        libc.syscall.restype = ctypes.c_long
        libc.syscall.argtypes = [ctypes.c_long, ctypes.c_void_p,
                                 ctypes.c_long, ctypes.c_long,
                                 ctypes.c_void_p, ctypes.c_void_p,
                                 ctypes.c_long]
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t,
                              ctypes.c_int, ctypes.c_int, ctypes.c_int,
                              ctypes.c_long]
        libc.munmap.restype = ctypes.c_int
        libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    except (OSError, AttributeError):
        return None
    return libc, nr


_LIBC = _load()
# Whether this process can wake and wait: MMBUF_NO_FUTEX=1 in the
# environment turns it off (the tests use it for the polling path).
AVAILABLE = _LIBC is not None


class HeaderMap:
    """A read-only MAP_SHARED mapping of the two header pages of a file,
    for futex(2) only: nothing is ever loaded through it (a load from a
    truncated page would raise SIGBUS; futex(2) returns EFAULT there).
    close() unmaps it; the Buffer that owns it closes it with its
    descriptor."""

    __slots__ = ("addr",)

    def __init__(self, fd: int) -> None:
        assert _LIBC is not None
        libc = _LIBC[0]
        addr = libc.mmap(None, F.HEADER_SIZE, _PROT_READ, _MAP_SHARED, fd, 0)
        if addr is None or addr == _MAP_FAILED:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
        self.addr: Optional[int] = addr

    def _word(self, slot: int) -> int:
        assert self.addr is not None
        return self.addr + F.PAGE * slot + 8

    def wake(self, slot: int) -> None:
        """FUTEX_WAKE every waiter on the generation word of slot (the
        slot a commit has just written).  Errors are ignored: a waiter
        that misses a wake sees the commit within its slice."""
        assert _LIBC is not None
        libc, nr = _LIBC
        libc.syscall(nr, self._word(slot), _FUTEX_WAKE, _INT_MAX, None,
                     None, 0)

    def wait(self, slot: int, value: int, seconds: float) -> bool:
        """FUTEX_WAIT on the generation word of slot while it holds
        value (the low 32 bits as read), for at most seconds.  Returns on
        a wake, a timeout, a signal, or at once if the word differs: True
        when the time passed (nothing woke it), else False.  A mapping
        that another thread closed (the Buffer's close()) counts as a
        wake: False."""
        assert _LIBC is not None
        libc, nr = _LIBC
        addr = self.addr
        if addr is None:
            return False
        ns = max(0, int(seconds * 1e9))
        ts = _Timespec(ns // 1000000000, ns % 1000000000)
        if libc.syscall(nr, addr + F.PAGE * slot + 8, _FUTEX_WAIT, value,
                        ctypes.byref(ts), None, 0) < 0:
            e = ctypes.get_errno()
            if e not in (errno.EAGAIN, errno.EINTR, errno.ETIMEDOUT,
                         errno.EFAULT):
                raise OSError(e, "futex: " + os.strerror(e))
            return e == errno.ETIMEDOUT
        return False

    def close(self) -> None:
        """Unmap (once)."""
        if self.addr is not None and _LIBC is not None:
            _LIBC[0].munmap(self.addr, F.HEADER_SIZE)
        self.addr = None
