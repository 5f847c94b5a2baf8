"""Tests of mmbuf.open/create and the Buffer object, in Python alone."""

import array
import json
import multiprocessing
import os
import pickle
import signal
import stat
import struct
import subprocess
import sys
import unittest
import warnings
from unittest import mock

from testlib import BUILDDIR, F, TempDirCase, main, mmbuf, prog, slot_bytes


def setUpModule():
    # Sealing needs an XXH3-64 back end, and this interpreter may lack the
    # xxhash module: the library of the build tree always serves.
    os.environ["MMBUF_LIBRARY"] = os.path.join(BUILDDIR, "lib", ".libs",
                                               "libmmbuf.so")


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def slot_gen(path, i):
    return struct.unpack_from("<Q", slot_bytes(path, i), 8)[0]


class TestCreate(TempDirCase):
    def test_create_fields_and_slots(self):
        p = self.path()
        with mmbuf.create(p, dtype="f4", shape=(3, 5), label="caf\u00e9") \
                as b:
            self.assertEqual((b.dtype, b.shape, b.capacity, b.length),
                             ("<f4", (3, 5), 60, 60))
            self.assertEqual((b.generation, b.slot, b.label),
                             (2, 0, "caf\u00e9"))
            self.assertTrue(b.writable)
            self.assertTrue(b.state & mmbuf.STATE_WRITER_OPEN)
            self.assertEqual(os.path.getsize(p), 8192 + 60)
            h1 = F.decode_slot(slot_bytes(p, 1), 1)
            self.assertEqual((h1.generation, h1.state), (1, 1))
            self.assertEqual(h1.uuid, b.uuid)
            self.assertEqual(b.uuid[6] >> 4, 4)
            self.assertEqual(b.uuid[8] >> 6, 2)
            self.assertEqual(bytes(b.raw), bytes(60))
        # closing committed generation 3 into slot 1, clean
        with mmbuf.open(p) as r:
            self.assertEqual((r.generation, r.slot, r.state), (3, 1, 0))
            self.assertFalse(r.unclean)
            self.assertEqual(r.header.ro_compat, mmbuf.RO_COMPAT_LOCKING)
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])

    def test_exist_ok(self):
        p = self.path()
        mmbuf.create(p, capacity=10).close()
        with self.assertRaises(FileExistsError):
            mmbuf.create(p, capacity=20)
        self.assertEqual(os.path.getsize(p), 8192 + 10)
        mmbuf.create(p, capacity=20, exist_ok=True).close()
        self.assertEqual(os.path.getsize(p), 8192 + 20)
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])

    def test_replace_staging_name(self):
        # mmbuf(5), "Creating a file": a replacement goes through the
        # staging name ".NAME.mmbuf-new"; one left by a dead creator (no
        # writer lock held) is removed, one a live creator holds is not.
        from mmbuf import _lock
        p = self.path()
        staging = self.path(".b.mmbuf.mmbuf-new")
        mmbuf.create(p, capacity=10).close()
        with open(staging, "wb") as f:
            f.write(b"left by a dead creator")
        mmbuf.create(p, capacity=20, exist_ok=True).close()
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])
        self.assertEqual(os.path.getsize(p), 8192 + 20)

        with open(staging, "wb") as f:
            f.write(b"a live creator's")
        held = os.open(staging, os.O_RDWR)
        try:
            _lock.lock_writer(held)
            mmbuf.create(p, capacity=30, exist_ok=True).close()
            self.assertEqual(sorted(os.listdir(self.dir)),
                             [".b.mmbuf.mmbuf-new", "b.mmbuf"])
            with open(staging, "rb") as f:
                self.assertEqual(f.read(), b"a live creator's")
        finally:
            os.close(held)
        self.assertEqual(os.path.getsize(p), 8192 + 30)
        # Not a regular file: not ours to remove.
        os.unlink(staging)
        os.mkdir(staging)
        mmbuf.create(p, capacity=40, exist_ok=True).close()
        self.assertEqual(sorted(os.listdir(self.dir)),
                         [".b.mmbuf.mmbuf-new", "b.mmbuf"])
        self.assertTrue(os.path.isdir(staging))
        self.assertEqual(os.path.getsize(p), 8192 + 40)

    def test_directory_as_given(self):
        # With link a symbolic link to real/sub, "link/../victim.mmbuf"
        # names real/victim.mmbuf for the kernel, mmbuf.open() and the C
        # library: create(exist_ok=True) replaces that file, through a
        # staging name in real/, and leaves ./victim.mmbuf alone.
        os.makedirs(self.path("real/sub"))
        os.symlink(os.path.join("real", "sub"), self.path("link"))
        given = self.path("link/../victim.mmbuf")
        here, there = self.path("victim.mmbuf"), self.path("real/victim.mmbuf")
        mmbuf.create(here, capacity=10, label="here").close()
        mmbuf.create(there, capacity=20, label="there").close()
        for publish in (True, False):
            with mmbuf.create(given, capacity=30, label="new", exist_ok=True,
                              publish=publish) as b:
                if not publish:
                    b.publish()
                uuid = b.uuid
            with mmbuf.open(given) as r, mmbuf.open(there) as t:
                self.assertEqual((r.uuid, t.uuid, t.label),
                                 (uuid, uuid, "new"))
            with mmbuf.open(here) as r:
                self.assertEqual((r.label, r.capacity), ("here", 10))
            self.assertEqual(sorted(os.listdir(self.path("real"))),
                             ["sub", "victim.mmbuf"])
            self.assertEqual(sorted(os.listdir(self.dir)),
                             ["link", "real", "victim.mmbuf"])
        # The C library takes the path the same way.
        res = self.run_prog(prog("tools/dumpbuf"), "--json", given)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn('"label": "new"', res.stdout.decode())
        res = self.run_prog(prog("tools/mkbuf"), "-q", "-f", "-s", "40",
                            given)
        self.assertEqual(res.returncode, 0, res.stderr)
        with mmbuf.open(there) as t, mmbuf.open(here) as r:
            self.assertEqual((t.capacity, r.capacity), (40, 10))

    def test_errors_name_the_path_given(self):
        # Never a name of create()'s own, such as /proc/self/fd/N.
        p = self.path()
        mmbuf.create(p, capacity=10).close()
        b = mmbuf.create(p, capacity=10, publish=False)
        with self.assertRaises(FileExistsError) as cm:
            b.publish()
        b.close()
        self.assertEqual((cm.exception.filename, cm.exception.filename2),
                         (p, None))
        missing = self.path("nodir/b.mmbuf")
        for exist_ok in (False, True):
            with self.assertRaises(FileNotFoundError) as cm:
                mmbuf.create(missing, capacity=10, exist_ok=exist_ok)
            self.assertEqual(cm.exception.filename, missing)
        with self.assertRaises(IsADirectoryError) as cm:
            mmbuf.create(self.dir + "/", capacity=10)
        self.assertEqual(cm.exception.filename, self.dir + "/")

    def test_replace_refuses_what_is_not_a_regular_file(self):
        # exist_ok replaces a regular file only: a FIFO, a character
        # device, a directory, a socket, a symbolic link (to a buffer, or
        # to nowhere) is left as it was.
        import socket
        target = self.path("target.mmbuf")
        mmbuf.create(target, capacity=10, label="target").close()
        os.mkfifo(self.path("fifo"))
        os.mkdir(self.path("dir"))
        os.symlink("target.mmbuf", self.path("link"))
        os.symlink("nowhere", self.path("dangling"))
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(self.path("sock"))
        names = ["fifo", "dir", "link", "dangling", "sock"]
        if os.geteuid() == 0:     # /dev/null's numbers, in our directory
            os.mknod(self.path("chr"), 0o666 | stat.S_IFCHR,
                     os.makedev(1, 3))
            names.append("chr")
        try:
            for name in names:
                before = os.lstat(self.path(name))
                for publish in (True, False):
                    with self.assertRaises(mmbuf.NotRegularError) as cm:
                        mmbuf.create(self.path(name), capacity=20,
                                     exist_ok=True, publish=publish)
                    self.assertIn(self.path(name), str(cm.exception))
                now = os.lstat(self.path(name))
                self.assertEqual((now.st_ino, now.st_mode),
                                 (before.st_ino, before.st_mode), name)
        finally:
            sock.close()
        self.assertEqual(sorted(os.listdir(self.dir)),
                         sorted(names + ["target.mmbuf"]))
        with mmbuf.open(target) as r:
            self.assertEqual((r.label, r.capacity), ("target", 10))
        # Checked again at publish(): a FIFO made meanwhile stays.
        late = self.path("late")
        b = mmbuf.create(late, capacity=20, exist_ok=True, publish=False)
        os.mkfifo(late)
        with self.assertRaises(mmbuf.NotRegularError):
            b.publish()
        self.assertFalse(b.published)
        b.close()
        self.assertTrue(stat.S_ISFIFO(os.lstat(late).st_mode))
        self.assertEqual(len(os.listdir(self.dir)), len(names) + 2)

    def test_replace_past_a_planted_staging_name(self):
        # mmbuf(5), "Creating a file": what another user plants under the
        # staging name (a symbolic link, a file of theirs, a mode 000
        # file) neither stops a replace nor is touched by it.
        self.assert_o_tmpfile()
        p = self.path()
        staging = self.path(".b.mmbuf.mmbuf-new")
        with open(self.path("victim"), "wb") as f:
            f.write(b"planted")
        mmbuf.create(p, capacity=10).close()
        os.symlink("victim", staging)
        mmbuf.create(p, capacity=20, exist_ok=True).close()
        self.assertEqual(os.readlink(staging), "victim")
        self.assertEqual(file_bytes(self.path("victim")), b"planted")
        self.assertEqual(os.path.getsize(p), 8192 + 20)
        self.assertEqual(sorted(os.listdir(self.dir)),
                         [".b.mmbuf.mmbuf-new", "b.mmbuf", "victim"])
        os.unlink(staging)
        if os.geteuid() != 0:
            return
        # As root, in a sticky directory: nobody's file, which root could
        # remove and must not; and, as nobody, a mode 000 file of its own.
        os.chmod(self.dir, 0o1777)
        with open(staging, "wb") as f:
            f.write(b"nobody's")
        os.chown(staging, 65534, 65534)
        before = os.lstat(staging)
        mmbuf.create(p, capacity=30, exist_ok=True).close()
        self.assertEqual(os.path.getsize(p), 8192 + 30)
        now = os.lstat(staging)
        self.assertEqual((now.st_ino, now.st_uid), (before.st_ino, 65534))
        self.assertEqual(file_bytes(staging), b"nobody's")
        os.unlink(staging)
        os.unlink(p)
        code = ("import mmbuf, os, sys\n"
                "p, staging = sys.argv[1:]\n"
                "mmbuf.create(p, capacity=10).close()\n"
                "os.close(os.open(staging, os.O_CREAT | os.O_WRONLY, 0))\n"
                "mmbuf.create(p, capacity=40, exist_ok=True).close()\n")
        res = self.run_as_nobody(code, p, staging)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(os.path.getsize(p), 8192 + 40)
        now = os.lstat(staging)
        self.assertEqual((now.st_uid, now.st_mode & 0o7777), (65534, 0))
        self.assertEqual(sorted(os.listdir(self.dir)),
                         [".b.mmbuf.mmbuf-new", "b.mmbuf", "victim"])

    def run_as_nobody(self, code, *args):
        """Run Python code as uid 65534 (we are root), with this package."""
        import shutil
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            self.skipTest("setpriv (util-linux) is missing")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        res = subprocess.run(
            [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
             sys.executable, "-c", "import mmbuf"], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if res.returncode != 0:
            self.skipTest("nobody cannot import mmbuf here: %s"
                          % res.stderr.decode(errors="replace")[-200:])
        return subprocess.run(
            [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
             sys.executable, "-c", code] + list(args), env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)

    def test_sparse_and_preallocated(self):
        big = 64 << 20
        with mmbuf.create(self.path("s"), capacity=big, sparse=True):
            pass
        with mmbuf.create(self.path("p"), capacity=big):
            pass
        s = os.stat(self.path("s")).st_blocks * 512
        p = os.stat(self.path("p")).st_blocks * 512
        self.assertLess(s, big // 2)
        self.assertGreaterEqual(p, big)

    def test_bad_arguments(self):
        p = self.path()
        with self.assertRaises(mmbuf.DtypeError):
            mmbuf.create(p, capacity=8, dtype="f16")
        with self.assertRaises(mmbuf.ShapeError):
            mmbuf.create(p, capacity=8, dtype="f8", shape=(2,))
        with self.assertRaises(mmbuf.ShapeError):
            mmbuf.create(p, dtype="u1", shape=(1,) * 9)
        with self.assertRaises(mmbuf.LabelError):
            mmbuf.create(p, capacity=8, label="x" * 256)
        with self.assertRaises(mmbuf.LabelError):
            mmbuf.create(p, capacity=8, label="a\0b")
        with self.assertRaises(TypeError):
            mmbuf.create(p)
        self.assertEqual(os.listdir(self.dir), [])

    # -- create(publish=False) and Buffer.publish() ------------------------
    def assert_o_tmpfile(self):
        """The unnamed-file tests need O_TMPFILE in the test directory
        (tmpfs, ext4, xfs, btrfs have it): fail, not skip, without it."""
        fd = os.open(self.dir, os.O_RDWR | os.O_TMPFILE, 0o600)
        os.close(fd)

    def test_unpublished_has_no_name_until_publish(self):
        self.assert_o_tmpfile()
        p = self.path()
        b = mmbuf.create(p, capacity=8192, dtype="u1", label="draft",
                         publish=False)
        self.assertFalse(b.published)
        self.assertIn("unpublished", repr(b))
        b.raw[:5] = b"hello"
        b.set_length(5)
        b.set_label("dataset")
        b.resize(16384)
        checksum = b.seal(block_size=4096)
        self.assertFalse(os.path.exists(p))
        self.assertEqual(os.listdir(self.dir), [])
        b.publish()
        self.assertTrue(b.published)
        self.assertNotIn("unpublished", repr(b))
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])
        # Published as a writer at work: a reader sees what it committed.
        with mmbuf.open(p) as r:
            self.assertTrue(r.writer_active)
            self.assertEqual((bytes(r.raw), r.label, r.capacity),
                             (b"hello", "dataset", 16384))
            self.assertTrue(r.state & mmbuf.STATE_SEALED)
            self.assertEqual(r.uuid, b.uuid)
        with self.assertRaises(mmbuf.BusyError):
            mmbuf.open(p, "r+")
        b.close()
        with mmbuf.open(p) as r:
            self.assertEqual((r.state, bytes(r.raw), r.label),
                             (mmbuf.STATE_SEALED, b"hello", "dataset"))
            self.assertEqual(r.header.data_checksum, checksum)
        self.assertEqual(mmbuf.verify(p).verdict, mmbuf.VERDICT_OK)
        # The C tools read it too.
        res = self.run_prog(prog("tools/verifybuf"), p)
        self.assertEqual((res.returncode, res.stdout.decode()),
                         (0, "%s: ok\n" % p), res.stderr)
        res = self.run_prog(prog("tools/dumpbuf"), "--raw", p)
        self.assertEqual((res.returncode, res.stdout), (0, b"hello"),
                         res.stderr)
        res = self.run_prog(prog("tools/dumpbuf"), "--json", p)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn('"dataset"', res.stdout.decode())
        json.loads(res.stdout)
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])

    def test_unpublished_close_discards(self):
        self.assert_o_tmpfile()
        p = self.path()
        b = mmbuf.create(p, capacity=100, publish=False)
        b.raw[0] = 7
        b.set_length(1)
        view = b.raw
        b.close()
        self.assertTrue(b.closed)
        self.assertFalse(b.published)
        self.assertEqual(view.tobytes(), b"\7")   # still valid, nameless
        del view
        self.assertEqual(os.listdir(self.dir), [])
        b.close()                           # twice does nothing
        # A with block that ends without publish() discards as well.
        with mmbuf.create(p, capacity=100, publish=False) as b:
            b.raw[0] = 7
        self.assertEqual(os.listdir(self.dir), [])
        with self.assertRaises(ZeroDivisionError):
            with mmbuf.create(p, capacity=100, publish=False) as b:
                1 / 0
        self.assertEqual(os.listdir(self.dir), [])

    def test_publish_errors(self):
        p = self.path()
        with mmbuf.create(p, capacity=10, publish=False) as b:
            b.publish()
            with self.assertRaises(ValueError):
                b.publish()
            self.assertTrue(b.published)
        with mmbuf.create(self.path("c"), capacity=10) as b:   # published
            with self.assertRaises(ValueError):
                b.publish()
        for mode in ("r", "r+"):
            with mmbuf.open(p, mode) as b:
                with self.assertRaises(ValueError):
                    b.publish()
        b = mmbuf.create(self.path("d"), capacity=10, publish=False)
        b.close()
        with self.assertRaises(ValueError):
            b.publish()
        self.assertEqual(sorted(os.listdir(self.dir)), ["b.mmbuf", "c"])

    def test_exclusive_publish_finds_a_file(self):
        p = self.path()
        b = mmbuf.create(p, capacity=10, publish=False)
        b.raw[:3] = b"new"
        with mmbuf.create(p, capacity=20, label="first") as other:
            other.raw[:3] = b"old"
            uuid = other.uuid
        before = file_bytes(p)
        with self.assertRaises(FileExistsError):
            b.publish()
        self.assertFalse(b.published)
        self.assertEqual(file_bytes(p), before)
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])
        b.raw[3] = 1                        # still a working writer
        b.close()                           # discards ours
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])
        self.assertEqual(file_bytes(p), before)
        with mmbuf.open(p) as r:
            self.assertEqual((r.uuid, r.label, bytes(r.raw[:3])),
                             (uuid, "first", b"old"))
            self.assertFalse(r.unclean)
        # The path gone meanwhile: a second try succeeds.
        b = mmbuf.create(p, capacity=10, publish=False)
        with self.assertRaises(FileExistsError):
            b.publish()
        os.unlink(p)
        b.publish()
        b.close()
        with mmbuf.open(p) as r:
            self.assertEqual(r.capacity, 10)
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])

    def test_replace_keeps_old_until_publish(self):
        p = self.path()
        with mmbuf.create(p, capacity=10, label="old") as old:
            old.raw[:3] = b"old"
        b = mmbuf.create(p, capacity=20, label="new", exist_ok=True,
                         publish=False)
        b.raw[:3] = b"new"
        b.set_length(3)
        with mmbuf.open(p) as r:
            self.assertEqual((r.label, bytes(r.raw[:3])), ("old", b"old"))
            self.assertFalse(r.writer_active)
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])
        held = mmbuf.open(p)
        try:
            b.publish()
            self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])
            with mmbuf.open(p) as r:
                self.assertEqual((r.label, bytes(r.raw)), ("new", b"new"))
                self.assertTrue(r.writer_active)
            # A reader of the replaced file keeps it, under no name.
            self.assertEqual((held.label, bytes(held.raw[:3])),
                             ("old", b"old"))
        finally:
            held.close()
        b.close()
        with mmbuf.open(p) as r:
            self.assertEqual((r.label, r.capacity, r.state),
                             ("new", 20, 0))
        # Replaced, then discarded: the old file stays.
        with mmbuf.create(p, capacity=30, exist_ok=True, publish=False):
            pass
        with mmbuf.open(p) as r:
            self.assertEqual((r.label, r.capacity), ("new", 20))
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])

    def test_unpublished_without_o_tmpfile(self):
        # Where O_TMPFILE is missing the file waits under a hidden
        # temporary name, which publish() and close() remove.
        import re
        saved = os.O_TMPFILE
        del os.O_TMPFILE
        try:
            p = self.path()
            tmpname = re.compile(r"\.b\.mmbuf\.mmbuf-[0-9a-f]{12}\Z")
            b = mmbuf.create(p, capacity=10, publish=False)
            names = os.listdir(self.dir)
            self.assertEqual(len(names), 1)
            self.assertRegex(names[0], tmpname)
            b.close()
            self.assertEqual(os.listdir(self.dir), [])

            b = mmbuf.create(p, capacity=10, publish=False)
            b.raw[:2] = b"ok"
            b.publish()
            self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])
            b.close()

            b = mmbuf.create(p, capacity=20, publish=False)
            with self.assertRaises(FileExistsError):
                b.publish()
            self.assertEqual(len(os.listdir(self.dir)), 2)
            b.close()
            self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])

            with mmbuf.create(p, capacity=30, exist_ok=True,
                              publish=False) as b:
                b.publish()
            self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])
            self.assertEqual(os.path.getsize(p), 8192 + 30)
        finally:
            os.O_TMPFILE = saved

    def test_directory_sync_failure(self):
        # create() undoes a name it could not make durable, as
        # mmbuf_create() does; publish() reports it with the buffer in
        # place, as mmbuf_publish() does.
        import errno
        from unittest import mock
        from mmbuf import _buffer
        p = self.path()
        eio = OSError(errno.EIO, "no sync")
        with mock.patch.object(_buffer, "_sync_dir", side_effect=eio):
            with self.assertRaises(OSError):
                mmbuf.create(p, capacity=10)
            self.assertEqual(os.listdir(self.dir), [])
            b = mmbuf.create(p, capacity=10, publish=False)
            with self.assertRaises(OSError):
                b.publish()
        self.assertTrue(b.published)
        b.close()
        with mmbuf.open(p) as r:
            self.assertEqual((r.capacity, r.unclean), (10, False))

    def test_killed_before_publish_leaves_nothing(self):
        self.assert_o_tmpfile()
        p = self.path()
        code = ("import mmbuf, os, signal, sys\n"
                "b = mmbuf.create(sys.argv[1], capacity=1 << 20, label='x', "
                "publish=False)\n"
                "b.raw[:5] = b'hello'\n"
                "b.set_length(5)\n"
                "b.flush()\n"
                "sys.stdout.write(repr(os.listdir(sys.argv[2])))\n"
                "sys.stdout.flush()\n"
                "os.kill(os.getpid(), signal.SIGKILL)\n")
        def run_killed(code):
            res = subprocess.run(
                [sys.executable, "-c", code, p, self.dir],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
            self.assertEqual(res.returncode, -signal.SIGKILL, res.stderr)
            return res

        res = run_killed(code)
        self.assertEqual(res.stdout, b"[]")
        self.assertEqual(os.listdir(self.dir), [])
        # The same child, published before the kill, leaves the buffer.
        code = code.replace("sys.stdout.write", "b.publish()\n"
                            "sys.stdout.write")
        run_killed(code)
        with mmbuf.open(p) as r:
            self.assertTrue(r.unclean)
            self.assertEqual((bytes(r.raw), r.label), (b"hello", "x"))


class TestViews(TempDirCase):
    def test_flat_view_and_length(self):
        p = self.path()
        with mmbuf.create(p, capacity=40, dtype="<i4") as b:
            self.assertEqual(b.shape, (10,))
            v = b.view
            for k in range(10):
                v[k] = k * k - 50
            b.set_length(18)   # a partial element is ignored
            self.assertEqual(b.shape, (4,))
            self.assertEqual(b.view.tolist(), [-50, -49, -46, -41])
            self.assertEqual(list(b), [-50, -49, -46, -41])
            self.assertEqual(b.rows(1, 3).tolist(), [-49, -46])
            self.assertEqual(len(b.raw), 18)
        with mmbuf.open(p) as r:
            self.assertEqual(r.length, 18)
            self.assertTrue(r.view.readonly)
            self.assertEqual(r.view.tolist(), [-50, -49, -46, -41])

    def test_nd_view_rows_iteration(self):
        p = self.path()
        with mmbuf.create(p, dtype="u2", shape=(4, 3, 2)) as b:
            self.assertEqual(b.view.shape, (4, 3, 2))
            b.raw.cast("H")[:] = memoryview(
                struct.pack("<24H", *range(24))).cast("H")
            self.assertEqual(b.view[2, 1, 0], 14)
            self.assertEqual(b.rows(1, 3).tolist(),
                             [[[6, 7], [8, 9], [10, 11]],
                              [[12, 13], [14, 15], [16, 17]]])
            self.assertEqual(b.rows(-1, None).tolist(),
                             [[[18, 19], [20, 21], [22, 23]]])
            self.assertEqual(b.rows(3, 1).tolist(), [])
            rows = [r.tolist() for r in b]
            self.assertEqual(len(rows), 4)
            self.assertEqual(rows[3], [[18, 19], [20, 21], [22, 23]])
            self.assertEqual(len(b), 4)

    def test_view_errors(self):
        native = "<" if sys.byteorder == "little" else ">"
        foreign = ">" if native == "<" else "<"
        cases = [foreign + "f8", native + "c8", native + "c16"]
        if sys.version_info < (3, 12):
            cases.append(native + "f2")
        for dt in cases:
            with mmbuf.create(self.path(dt), dtype=dt, shape=(2,)) as b:
                with self.assertRaisesRegex(mmbuf.ViewError,
                                            r"\.raw.*\.to_numpy"):
                    b.view
                self.assertEqual(len(b.raw), 2 * b.itemsize)
        with mmbuf.create(self.path("z"), dtype="u1", shape=(0, 3),
                          capacity=4) as b:
            with self.assertRaises(mmbuf.ViewError):
                b.view
            self.assertEqual(list(b), [])

    def test_zero_dimension(self):
        # A valid shape with no elements: 2**63 rows of nothing.  len() and
        # iteration cannot count them and say so with an mmbuf.Error (not
        # OverflowError); rows() works, and gives empty views.
        p = self.path()
        mmbuf.create(p, shape=(2**63, 0)).close()
        res = self.run_prog(prog("tools/mkbuf"), "-q", "--shape",
                            "9223372036854775808x0", self.path("c"))
        self.assertEqual(res.returncode, 0, res.stderr)
        for path in (p, self.path("c")):
            with mmbuf.open(path) as b:
                self.assertEqual(b.shape, (2**63, 0))
                with self.assertRaisesRegex(mmbuf.ViewError, r"len\(\)"):
                    len(b)
                with self.assertRaises(mmbuf.ViewError):
                    iter(b)
                with self.assertRaises(mmbuf.ViewError):
                    b.view
                for i, j in ((0, 5), (5, 10), (-3, None), (None, None),
                             (2**63 - 1, 2**64)):
                    r = b.rows(i, j)
                    self.assertEqual(r.nbytes, 0)
                    r.release()
        # Countable rows of nothing are iterated, as NumPy does.
        with mmbuf.create(self.path("3x0"), dtype="<i2", shape=(3, 0)) as b:
            self.assertEqual(len(b), 3)
            rows = list(b)
            self.assertEqual([r.nbytes for r in rows], [0, 0, 0])
            for r in rows:
                r.release()
            r = b.rows(1, 3)
            self.assertEqual(r.nbytes, 0)
            r.release()

    def test_bool_view(self):
        with mmbuf.create(self.path(), dtype="b1", capacity=3) as b:
            b.raw[:] = b"\x00\x01\x00"
            self.assertEqual(b.view.tolist(), [False, True, False])


class TestCommit(TempDirCase):
    def test_set_length_protocol(self):
        p = self.path()
        b = mmbuf.create(p, capacity=100)
        before0 = slot_bytes(p, 0)
        b.set_length(7)
        # generation 3 went into slot 1; slot 0 was not touched
        self.assertEqual((b.generation, b.slot), (3, 1))
        self.assertEqual(slot_bytes(p, 0), before0)
        h = F.decode_slot(slot_bytes(p, 1), 1)
        self.assertEqual((h.generation, h.length, h.writer_pid),
                         (3, 7, os.getpid()))
        b.set_length(9, durable=False)
        self.assertEqual((slot_gen(p, 0), slot_gen(p, 1)), (4, 3))
        with self.assertRaises(mmbuf.LengthError):
            b.set_length(101)
        b.set_label("new")
        b.close()
        b.close()
        with mmbuf.open(p) as r:
            self.assertEqual((r.length, r.label, r.generation), (9, "new", 6))

    def test_commit_sets_locking_and_clears_unknown_compat(self):
        from testlib import rewrite_slot
        p = self.path()
        mmbuf.create(p, capacity=4).close()
        for i in (0, 1):
            rewrite_slot(p, i, ro_compat=0)
        with open(p, "r+b") as f:      # an unknown compat bit, slot 1
            s = bytearray(slot_bytes(p, 1))
            struct.pack_into("<Q", s, 24, 1 << 20)
            import zlib
            struct.pack_into("<I", s, 508, zlib.crc32(bytes(s[:508])))
            f.seek(4096)
            f.write(s)
        with mmbuf.open(p, "r+") as w:
            self.assertEqual(w.header.ro_compat, mmbuf.RO_COMPAT_LOCKING)
            # NOTIFY is the one compat bit of a writer that can wake.
            self.assertEqual(w.header.compat & ~mmbuf.COMPAT_NOTIFY, 0)
            self.assertEqual(w.header.version_minor, 1)

    def test_read_only(self):
        p = self.path()
        mmbuf.create(p, capacity=4).close()
        with mmbuf.open(p) as r:
            with self.assertRaises(mmbuf.ReadOnlyError):
                r.set_length(1)
            with self.assertRaises(TypeError):
                r.raw[0] = 1

    def test_flush_and_advise_ranges(self):
        with mmbuf.create(self.path(), capacity=3 * 4096 + 5) as b:
            b.raw[5000] = 1
            b.flush(4999, 3)       # unaligned: widened to pages
            b.flush()
            b.flush(10, 0)
            b.advise("sequential")
            b.advise("willneed", 4097, 10)
            with self.assertRaises(ValueError):
                b.flush(3 * 4096, 6)
            with self.assertRaises(ValueError):
                b.advise("sideways")

    def test_closed_buffer(self):
        b = mmbuf.create(self.path(), capacity=4)
        b.close()
        self.assertTrue(b.closed)
        with self.assertRaises(ValueError):
            b.raw


def file_maps(path):
    """The (start offset in the file, size, permissions) of every mapping
    of path in this process, from /proc/self/maps."""
    st = os.stat(path)
    maps = []
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 6:
                continue
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            major, minor = (int(x, 16) for x in fields[3].split(":"))
            if int(fields[4]) == st.st_ino and \
                    os.makedev(major, minor) == st.st_dev:
                maps.append((int(fields[2], 16), hi - lo, fields[1]))
    return maps


class TestLifetimes(TempDirCase):
    """Rules (a) to (d) of closing with views alive, the one-liners, and
    the ResourceWarning of a forgotten buffer."""

    def test_views_outlive_close(self):
        # (b): every kind of view stays valid after close(), as arrays of
        # np.load(mmap_mode="r") do.
        p = self.path()
        with mmbuf.create(p, dtype="u1", shape=(2, 2)) as b:
            b.raw[:] = b"\1\2\3\4"
        b = mmbuf.open(p)
        v, r, rows = b.view, b.raw, b.rows(1, 2)
        row = next(iter(b))
        piece = r[1:3]
        b.close()
        self.assertTrue(b.closed)
        self.assertEqual((v[1, 0], r[3], rows[0, 1], row[1]), (3, 4, 4, 2))
        self.assertEqual(bytes(piece), b"\2\3")
        with self.assertRaises(ValueError):     # the buffer itself is closed
            b.raw

    def test_close_with_live_slice_commits(self):
        # (a) and (d): close() does not raise, and commits what close
        # commits, views alive or not.
        p = self.path()
        b = mmbuf.create(p, capacity=16)
        piece = b.raw[2:4]
        piece[:] = b"ab"
        m = memoryview(piece)      # a consumer of our view
        b.close()
        self.assertTrue(b.closed)
        with mmbuf.open(p) as r:
            self.assertFalse(r.state & mmbuf.STATE_WRITER_OPEN)
            self.assertFalse(r.writer_active)
            self.assertEqual(bytes(r.raw[2:4]), b"ab")
            gen = r.generation
        # A store after close() reaches the file (the mapping is shared)
        # but no commit covers it.
        m[0] = ord("z")
        with mmbuf.open(p) as r:
            self.assertEqual((bytes(r.raw[2:4]), r.generation), (b"zb", gen))
        del m, piece

    def test_with_block_keeps_the_exception(self):
        # (a): the user's exception leaves the block, not a BufferError
        # or ViewsAliveError on top of it.
        p = self.path()
        with self.assertRaises(KeyError) as cm:
            with mmbuf.create(p, capacity=16) as b:
                v = b.raw[1:2]
                raise KeyError("mine")
        self.assertIsNone(cm.exception.__context__)
        self.assertTrue(b.closed)
        del v
        # and with no exception, leaving the block does not raise either
        with mmbuf.open(p) as b:
            v = b.raw
        self.assertTrue(b.closed)
        self.assertEqual(len(v), 16)

    def test_writer_lock_lasts_with_views(self):
        # (c): other writers stay refused while the writer's views live,
        # and are let in when the last one goes.
        p = self.path()
        w = mmbuf.create(p, capacity=16)
        v = w.raw
        rows = v[4:8]
        w.close()
        del v
        with self.assertRaises(mmbuf.BusyError):
            mmbuf.open(p, "r+")
        with mmbuf.open(p) as r:
            self.assertFalse(r.state & mmbuf.STATE_WRITER_OPEN)
        del rows
        with mmbuf.open(p, "r+") as w2:
            self.assertFalse(w2.unclean)

    def test_reader_lock_lasts_with_views(self):
        # (c): a reader's views keep a writer's shrink out (it would be
        # SIGBUS under them); the last one going lets it in.
        p = self.path()
        w = mmbuf.create(p, capacity=1 << 20)
        w.set_length(10)
        r = mmbuf.open(p)
        v = r.raw
        r.close()
        with self.assertRaises(mmbuf.BusyError):
            w.resize(4096)
        self.assertEqual(w.capacity, 1 << 20)
        del v
        w.resize(4096)
        self.assertEqual(w.capacity, 4096)
        w.close()
        # A closed reader with no views holds nothing.
        mmbuf.open(p).close()
        with mmbuf.open(p, "r+") as w:
            w.resize(8192)

    def test_unclosed_buffer_warns(self):
        p = self.path()
        mmbuf.create(p, capacity=4).close()
        b = mmbuf.open(p)
        with self.assertWarnsRegex(ResourceWarning, "unclosed.*" + p):
            del b
        b = mmbuf.open(p)
        b.close()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            del b      # a closed buffer says nothing

    def test_one_liners(self):
        # What a buffer hands out keeps what it needs alive: the buffer
        # collected at once does not spoil the view.
        p = self.path()
        with mmbuf.create(p, dtype="<u2", shape=(2, 3)) as b:
            b.raw[:] = bytes(range(12))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            self.assertEqual(mmbuf.open(p).raw[:4].tobytes(),
                             b"\0\1\2\3")
            self.assertEqual(mmbuf.open(p).view[0, 1], 0x0302)
            self.assertEqual(mmbuf.open(p).rows(1, 2).tolist(),
                             [[0x0706, 0x0908, 0x0b0a]])
            self.assertEqual(list(mmbuf.open(p))[1].tolist(),
                             [0x0706, 0x0908, 0x0b0a])
            mmbuf.open(p, "r+").raw[0] = 9
        with mmbuf.open(p, "r+") as w:      # the lock went with the view
            self.assertEqual(w.raw[0], 9)

    def assert_header_unreachable(self, p, data_offset):
        """Every mapping of p starts in the data region, but the one of
        the header pages that futex(2) waits and wakes on, which is read
        only, of the two header pages alone, and no view's."""
        maps = file_maps(p)
        self.assertTrue(maps)
        for off, size, perms in maps:
            if off < data_offset:
                self.assertEqual((off, size, perms[:2]),
                                 (0, F.HEADER_SIZE, "r-"), maps)

    def test_header_not_mapped(self):
        # (d): only the data region is mapped for views, so no view,
        # whatever the pointer arithmetic done on it, reaches the header.
        p = self.path()
        with mmbuf.create(p, capacity=3 * 4096) as b:
            v = b.raw
            self.assert_header_unreachable(p, b.header.data_offset)
            b.resize(5 * 4096)      # and after a remap
            self.assert_header_unreachable(p, b.header.data_offset)
            del v
        with mmbuf.open(p) as r:
            r.wait(0.01)
            self.assert_header_unreachable(p, r.header.data_offset)
            self.assertEqual(r.capacity, 5 * 4096)
        self.assertEqual(file_maps(p), [])      # unmapped at close

    def test_capacity_zero(self):
        p = self.path()
        with mmbuf.create(p, capacity=0) as b:
            self.assertEqual(bytes(b.raw), b"")
            b.append(b"abc")
            self.assertEqual(bytes(b.raw), b"abc")
            b.set_length(0)
            b.resize(0)
            self.assertEqual((b.capacity, bytes(b.raw)), (0, b""))
        with mmbuf.open(p) as r:
            self.assertEqual((r.capacity, bytes(r.raw)), (0, b""))


def _worker_sum(buf):
    """A multiprocessing worker: what it sees of a pickled buffer."""
    with buf:
        return (buf.writable, bytes(buf.raw))


class TestProtocols(TempDirCase):
    """Indexing, pickling, paths and the buffer protocol, with or without
    NumPy (its absence is simulated where it is installed)."""

    def no_numpy(self):
        return mock.patch.object(mmbuf._buffer, "_numpy", lambda: None)

    def test_indexing_without_numpy(self):
        p = self.path()
        with mmbuf.create(p, dtype="<u2", shape=(3, 4)) as b, self.no_numpy():
            b.raw[:] = bytes(range(24))
            self.assertEqual(b[1, 2], 0x0d0c)
            self.assertEqual(b[-1, -1], 0x1716)
            self.assertEqual(b[1].tolist(), [0x0908, 0x0b0a, 0x0d0c, 0x0f0e])
            self.assertEqual(b[-3].tolist(), b[0].tolist())
            self.assertEqual(b[1:].tolist(), [b[1].tolist(), b[2].tolist()])
            with self.assertRaises(IndexError):
                b[3]
            with self.assertRaisesRegex(mmbuf.ViewError, "needs NumPy"):
                b[:, 0]
            with self.assertRaisesRegex(mmbuf.ViewError, "needs NumPy"):
                b[::2]
            b[2, 3] = 7
            self.assertEqual(b[2, 3], 7)
            b[0] = array.array("H", [1, 2, 3, 4])
            b[1:3] = memoryview(bytes(16)).cast("H")
            self.assertEqual(b.view.tolist(), [[1, 2, 3, 4], [0] * 4,
                                               [0] * 4])
            with self.assertRaisesRegex(mmbuf.ViewError, "format"):
                b[0] = b"\0" * 8           # bytes are not u2 items
        with mmbuf.create(self.path("f"), dtype="<i4", capacity=16) as b, \
                self.no_numpy():
            b[:] = array.array("i", [5, -6, 7, -8])
            self.assertEqual((b[1], b[-1], b[1:3].tolist(), b[::2].tolist()),
                             (-6, -8, [-6, 7], [5, 7]))
        with mmbuf.open(p) as r:
            with self.assertRaises(mmbuf.ReadOnlyError):
                r[0, 0] = 1
            with self.no_numpy():
                self.assertEqual(r[0, 1], 2)

    def test_path_like(self):
        import pathlib
        p = pathlib.Path(self.path())
        with mmbuf.create(p, capacity=8) as b:
            b.seal()
            self.assertEqual(b.path, str(p))
        with mmbuf.open(p, "r+") as b:
            self.assertEqual(b.path, str(p))
            b.seal()
        self.assertEqual(mmbuf.verify(p).verdict, mmbuf.VERDICT_OK)
        with mmbuf.open(os.fsencode(str(p))) as b:
            self.assertEqual(b.capacity, 8)

    def test_pickle_reopens_read_only(self):
        p = self.path()
        with mmbuf.create(p, capacity=4) as w:
            w.raw[:] = b"abcd"
            clone = pickle.loads(pickle.dumps(w))
            self.assertEqual((clone.writable, clone.uuid), (False, w.uuid))
            self.assertTrue(clone.writer_active)
            self.assertEqual(bytes(clone.raw), b"abcd")
            clone.close()
            # A worker process, as multiprocessing passes arguments.
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(1) as pool:
                self.assertEqual(pool.apply(_worker_sum, (w,)),
                                 (False, b"abcd"))
            data = pickle.dumps(w)
        # By absolute path: another working directory does not matter.
        cwd = os.getcwd()
        os.chdir("/")
        try:
            with pickle.loads(data) as r:
                self.assertEqual(bytes(r.raw), b"abcd")
        finally:
            os.chdir(cwd)
        # Another buffer under the name now: refused.
        mmbuf.create(p, capacity=4, exist_ok=True).close()
        with self.assertRaises(mmbuf.InconsistentError):
            pickle.loads(data)
        u = mmbuf.create(self.path("u"), capacity=4, publish=False)
        with self.assertRaisesRegex(TypeError, "unpublished"):
            pickle.dumps(u)
        u.close()
        with self.assertRaises(ValueError):
            pickle.dumps(u)

    @unittest.skipUnless(sys.version_info >= (3, 12),
                         "__buffer__ needs Python 3.12")
    def test_buffer_protocol(self):
        with mmbuf.create(self.path(), dtype="<u2", shape=(2, 2)) as b:
            m = memoryview(b)
            m[1, 1] = 5
            self.assertEqual((m.format, m.shape, b.raw[6]), ("H", (2, 2), 5))
            m.release()
        with mmbuf.open(self.path()) as r:
            with memoryview(r) as m:
                self.assertTrue(m.readonly)


class TestLocking(TempDirCase):
    def test_two_writers_in_one_process(self):
        p = self.path()
        w = mmbuf.create(p, capacity=4)
        with self.assertRaises(mmbuf.BusyError):
            mmbuf.open(p, "r+")
        with mmbuf.open(p) as r:
            self.assertTrue(r.writer_active)
            self.assertFalse(r.unclean)
        w.close()
        with mmbuf.open(p, "r+") as w2:
            self.assertFalse(w2.unclean)

    def test_killed_writer_is_unclean(self):
        p = self.path()
        mmbuf.create(p, capacity=8).close()
        code = ("import mmbuf, os, signal, sys\n"
                "b = mmbuf.open(sys.argv[1], 'r+')\n"
                "b.raw[0] = 42\n"
                "os.kill(os.getpid(), signal.SIGKILL)\n")
        res = self.run_py(code, p)
        self.assertEqual(res.returncode, -signal.SIGKILL, res.stderr)
        with mmbuf.open(p) as r:
            self.assertTrue(r.unclean)
            self.assertFalse(r.writer_active)
            self.assertEqual(r.raw[0], 42)
        with mmbuf.open(p, "r+") as w:
            self.assertTrue(w.unclean)
        with mmbuf.open(p) as r:
            self.assertFalse(r.unclean)

    def test_bad_mode(self):
        with self.assertRaises(ValueError):
            mmbuf.open(self.path(), "w")

    # Anyone who can read a buffer can hold a read lock on the writer's
    # byte (here a classic lock over the whole file, from a read-only
    # open in another process).
    READ_LOCKER = ("import fcntl, sys\n"
                   "f = open(sys.argv[1], 'rb')\n"
                   "fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB)\n"
                   "print('ok', flush=True)\n"
                   "sys.stdin.read()\n")

    def read_locked(self, p):
        return self.hold_py(self.READ_LOCKER, p)

    def test_read_lock_keeps_writers_out(self):
        p = self.path()
        mmbuf.create(p, capacity=8).close()
        child = self.read_locked(p)
        with self.assertRaises(mmbuf.ReadLockError) as cm:
            mmbuf.open(p, "r+")
        # A BusyError, but not one that claims a writer.
        self.assertIsInstance(cm.exception, mmbuf.BusyError)
        self.assertEqual(str(cm.exception),
                         "%s: buffer is busy: a read lock on it keeps writers"
                         " out (the header names pid %d as the last writer;"
                         " this may be stale: the lock does not tell who "
                         "holds it)" % (p, os.getpid()))
        self.assertEqual(cm.exception.name, "MMBUF_EREADLOCK")
        with mmbuf.open(p) as r:
            self.assertFalse(r.writer_active)
        child.stdin.close()
        child.wait(timeout=30)
        mmbuf.open(p, "r+").close()

    def test_read_lock_is_no_writer(self):
        p = self.path()
        mmbuf.create(p, capacity=8).close()
        res = self.run_py("import mmbuf, os, sys\n"
                          "b = mmbuf.open(sys.argv[1], 'r+')\n"
                          "os.kill(os.getpid(), 9)\n", p)
        self.assertEqual(res.returncode, -signal.SIGKILL, res.stderr)
        self.read_locked(p)
        with mmbuf.open(p) as r:
            self.assertTrue(r.state & mmbuf.STATE_WRITER_OPEN)
            self.assertTrue(r.unclean)
            self.assertFalse(r.writer_active)
        self.assertEqual(mmbuf.verify(p).reason, "unclean")


class TestCommandLine(TempDirCase):
    def test_info(self):
        p = self.path()
        mmbuf.create(p, dtype=">i8", shape=(2, 2), label="lbl").close()
        res = self.run_py("import sys, mmbuf.__main__ as m; "
                          "sys.exit(m.main())", "info", p)
        out = res.stdout.decode()
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("dtype:        >i8 (8 bytes per element)\n", out)
        self.assertIn("shape:        (2, 2)\n", out)
        self.assertIn('label:        "lbl"\n', out)
        self.assertIn("state:        clean\n", out)
        res = self.run_py("import runpy; runpy.run_module('mmbuf', "
                          "run_name='__main__')", "info", self.dir)
        self.assertEqual(res.returncode, 1)
        self.assertEqual(res.stderr.decode(),
                         "mmbuf: %s: not a regular file\n" % self.dir)

    def test_info_escapes_text(self):
        # A label that sets the window title, a C1 CSI, a bidi override, a
        # tag, in a file whose name holds ESC and a byte that is not UTF-8:
        # none of it reaches the terminal raw; mmbuf.__main__.shown() is
        # the one way info and verify show text from a file.
        name = b"n\x1b[2J\x9b.mmbuf"
        p = os.path.join(os.fsencode(self.dir), name)
        label = '\x1b]0;x\x07\u009b\u202e\U000e0001\t"q\\\x7f'
        mmbuf.create(os.fsdecode(p), capacity=8, label=label).close()
        esc = os.fsencode(self.dir) + b"/n\\x1b[2J\\x9b.mmbuf"
        res = self.run_prog(sys.executable, "-m", "mmbuf", "info", p,
                            env=dict(os.environ, PYTHONIOENCODING="utf-8"))
        self.assertEqual(res.returncode, 0, res.stderr)
        lines = res.stdout.splitlines()
        self.assertIn(b"file:         " + esc, lines)
        self.assertIn(b'label:        "\\x1b]0;x\\x07\\u009b\\u202e'
                      b'\\U000e0001\\t\\"q\\\\\\x7f"', lines)
        for c in res.stdout:
            self.assertTrue(c >= 0x20 or c == 0x0a, res.stdout)
        res = self.run_prog(sys.executable, "-m", "mmbuf", "verify", p)
        self.assertEqual(res.stdout,
                         esc + b": not verifiable (never sealed)\n")
        os.unlink(p)
        res = self.run_prog(sys.executable, "-m", "mmbuf", "info", p)
        self.assertEqual(res.returncode, 1)
        self.assertEqual(res.stderr, b"mmbuf: " + esc +
                         b": No such file or directory\n")


if __name__ == "__main__":
    main()
