/*
 * file.c - files, names and mappings: the system calls that open, read,
 * write, size, allocate, sync, name and map files (lock.c has the locks,
 * guard.c the signals, pool.c the threads).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif
#if MMBUF__HAVE_FUTEX
#include <linux/futex.h>
#include <sys/syscall.h>
#endif

#define HUGE_ALIGN (2u * 1024 * 1024)

int64_t mmbuf__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int mmbuf__random(void *buf, size_t n)
{
	uint8_t *p = buf;

#ifdef HAVE_GETRANDOM
	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		p += r;
		n -= (size_t)r;
	}
	if (n == 0)
		return 0;
#endif
	{
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		size_t got = 0;
		int err;

		if (fd < 0)
			return -errno;
		err = mmbuf__pread_full(fd, p, n, 0, &got);
		close(fd);
		if (err == 0 && got != n)
			err = -EIO;
		return err;
	}
}

/* Keep fd if it is a regular file (its size in *size), else close it. */
static int take_regular(int fd, int *fdp, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return MMBUF_ENOTREG;
	}
	*fdp = fd;
	*size = (uint64_t)st.st_size;
	return 0;
}

/*
 * Open a file for a buffer and make sure it is a regular file.  A FIFO
 * must not block the open, hence O_NONBLOCK (harmless on regular files).
 */
int mmbuf__open_file(const char *path, bool rw, int *fdp, uint64_t *size)
{
	int fd;

	fd = open(path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY |
				O_NONBLOCK);
	if (fd < 0)
		return errno == EISDIR ? MMBUF_ENOTREG : -errno;
	return take_regular(fd, fdp, size);
}

/*
 * Open the file that fd refers to again, whatever its name is now: a new
 * open file description, so that the locks of the new descriptor are its
 * own (OFD and flock locks belong to the description; a dup(2) would share
 * them with fd, and keep them held after the handle is closed).
 */
int mmbuf__reopen_file(int fd, bool rw, int *fdp, uint64_t *size)
{
	struct stat st, again;
	char name[64];
	int err;

	if (fd < 0)
		return -EBADF;
	if (fstat(fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return MMBUF_ENOTREG;
#ifdef __linux__
	snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
#else
	snprintf(name, sizeof name, "/dev/fd/%d", fd);
#endif
	if ((err = mmbuf__open_file(name, rw, fdp, size)) != 0)
		return err;
	/* The magic link names the very file; a /proc that is not procfs
	 * might not. */
	if (fstat(*fdp, &again) != 0 || again.st_dev != st.st_dev ||
	    again.st_ino != st.st_ino) {
		close(*fdp);
		*fdp = -1;
		return -ENXIO;
	}
	return 0;
}

int mmbuf__pread_full(int fd, void *buf, size_t n, uint64_t off, size_t *got)
{
	uint8_t *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, p + done, n - done, (off_t)(off + done));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	*got = done;
	return 0;
}

int mmbuf__pwrite_full(int fd, const void *buf, size_t n, uint64_t off)
{
	const uint8_t *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t r = pwrite(fd, p + done, n - done, (off_t)(off + done));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)r;
	}
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* A fresh name in dir, like ".base.mmbuf-1a2b3c4d5e6f". */
static char *tmp_name(const char *path, const char *dir)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	uint8_t rnd[6];
	char *name;

	if (mmbuf__random(rnd, sizeof rnd) != 0)
		return NULL;
	if (asprintf(&name, "%s/.%.200s.mmbuf-%02x%02x%02x%02x%02x%02x", dir,
		     base, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]) < 0)
		return NULL;
	return name;
}

/* The size of fd's file, and the bytes of disk it has (allocated, may be
 * NULL): fewer than its size when it is sparse.  0 or -errno. */
int mmbuf__file_size(int fd, uint64_t *size, uint64_t *allocated)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -errno;
	*size = (uint64_t)st.st_size;
	if (allocated != NULL)
		*allocated = (uint64_t)st.st_blocks * 512;
	return 0;
}

/* Set the size of fd's file, again after a signal: 0 or -errno. */
int mmbuf__truncate(int fd, uint64_t size)
{
	while (ftruncate(fd, (off_t)size) != 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* fsync(2): the file's data and all its metadata.  0 or -errno. */
int mmbuf__fsync(int fd)
{
	return fsync(fd) == 0 ? 0 : -errno;
}

/* fdatasync(2): the data and the metadata needed to read it back. */
int mmbuf__fdatasync(int fd)
{
	return fdatasync(fd) == 0 ? 0 : -errno;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	/* Some filesystems cannot sync a directory: nothing to make
	 * durable there. */
	err = mmbuf__fsync(fd);
	if (err == -EINVAL || err == -EROFS)
		err = 0;
	close(fd);
	return err;
}

/*
 * Make the file that will become the buffer, under no name if the
 * filesystem has O_TMPFILE, or else under a fresh hidden name.
 */
int mmbuf__tmp_create(const char *path, mode_t mode, struct mmbuf__tmpfile *t)
{
	const char *base = strrchr(path, '/');

	t->fd = -1;
	t->tmpname = NULL;
	base = base ? base + 1 : path;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return -EISDIR;
	t->dir = dir_of(path);
	if (t->dir == NULL)
		return -ENOMEM;
#if HAVE_DECL_O_TMPFILE
	t->fd = open(t->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
	if (t->fd >= 0)
		return 0;
	/* Filesystems without O_TMPFILE say so in several ways. */
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		int err = -errno;
		free(t->dir);
		t->dir = NULL;
		return err;
	}
#endif
	for (int tries = 0; tries < 100; tries++) {
		t->tmpname = tmp_name(path, t->dir);
		if (t->tmpname == NULL)
			break;
		t->fd = open(t->tmpname, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			     mode);
		if (t->fd >= 0)
			return 0;
		free(t->tmpname);
		t->tmpname = NULL;
		if (errno != EEXIST) {
			int err = -errno;
			free(t->dir);
			t->dir = NULL;
			return err;
		}
	}
	free(t->dir);
	t->dir = NULL;
	return -EEXIST;
}

#if HAVE_DECL_O_TMPFILE
/* Give the unnamed file a name; fails with -EEXIST if the name exists. */
static int link_unnamed(int fd, const char *name)
{
	char proc[64];

	if (linkat(fd, "", AT_FDCWD, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	/* AT_EMPTY_PATH needs a capability; /proc does not. */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	return -errno;
}
#endif

#if HAVE_DECL_O_TMPFILE
/*
 * Remove the staging file name if a creator that died between its link
 * and its rename left it there: a regular file of our own user whose
 * writer lock nobody holds.  True if it is gone.  Anything else under the
 * name (a live creator's file, a symbolic link, another user's file, one
 * we cannot open or remove) is left alone, and false sends the caller to
 * a name of its own: what others put there can neither stop a replace
 * nor be removed by one.  Nobody opens a staging file but its creator, so
 * once its lock is free it stays free.
 */
static bool remove_stale(const char *name)
{
	struct stat a, b;
	int fd = open(name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	bool gone = false;

	if (fd < 0)
		return errno == ENOENT;
	if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) &&
	    a.st_uid == geteuid() && mmbuf__writer_present(fd) == 0) {
		/* Only the file we checked, not one that took the name since. */
		if (lstat(name, &b) != 0)
			gone = errno == ENOENT;
		else if (b.st_ino == a.st_ino && b.st_dev == a.st_dev)
			gone = unlink(name) == 0 || errno == ENOENT;
	}
	close(fd);
	return gone;
}

/*
 * Link the unnamed file under a staging name in its directory, to be
 * renamed over the target.  The name is fixed, ".NAME.mmbuf-new", so that
 * one which a crash between the link and the rename left behind is found
 * and removed by the next replace of NAME: its creator held the writer
 * lock, and a dead creator holds nothing.  When the name cannot be
 * claimed (a live creator publishes under it, or it holds what is not a
 * dead creator's file of ours), a random one is used instead.
 */
static int link_staging(struct mmbuf__tmpfile *t, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int err;

	if (asprintf(&t->tmpname, "%s/.%.200s.mmbuf-new", t->dir, base) < 0) {
		t->tmpname = NULL;
		return -ENOMEM;
	}
	for (int tries = 0; tries < 3; tries++) {
		err = link_unnamed(t->fd, t->tmpname);
		if (err != -EEXIST || !remove_stale(t->tmpname))
			break;
	}
	if (err == 0)
		return 0;
	free(t->tmpname);
	t->tmpname = NULL;
	if (err != -EEXIST)
		return err;
	for (int tries = 0; tries < 100; tries++) {
		t->tmpname = tmp_name(path, t->dir);
		if (t->tmpname == NULL)
			return -ENOMEM;
		err = link_unnamed(t->fd, t->tmpname);
		if (err != -EEXIST)
			break;
		free(t->tmpname);
		t->tmpname = NULL;
	}
	if (err != 0) {
		free(t->tmpname);
		t->tmpname = NULL;
	}
	return err;
}
#endif

/*
 * 0 if a replace may rename a file over path: nothing is there, or a
 * regular file.  lstat(2), so that a symbolic link is refused too, and
 * neither followed (rename(2) never follows it) nor replaced (the caller
 * who named it meant the file it points to).
 */
int mmbuf__replaceable(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	return S_ISREG(st.st_mode) ? 0 : MMBUF_ENOTREG;
}

/*
 * Put the finished file in place: link it, so an existing name is never
 * touched (exclusive), or rename it over the name (replace), which only
 * replaces a regular file.  That is checked right before the rename: a
 * window of microseconds remains in which another process could put a
 * special file under the name, for rename(2) has no flag to replace only
 * a regular file.
 */
int mmbuf__tmp_publish(struct mmbuf__tmpfile *t, const char *path,
		       bool replace)
{
	int err = 0;

#if HAVE_DECL_O_TMPFILE
	if (t->tmpname == NULL) {
		if (!replace) {
			err = link_unnamed(t->fd, path);
		} else {
			/* A name of our own first, then an atomic rename. */
			err = link_staging(t, path);
			if (err != 0)
				return err;
			if ((err = mmbuf__replaceable(path)) != 0 ||
			    rename(t->tmpname, path) != 0) {
				err = err ? err : -errno;
				unlink(t->tmpname);
			}
			free(t->tmpname);
			t->tmpname = NULL;
		}
		return err;
	}
#endif
	if (replace) {
		if ((err = mmbuf__replaceable(path)) != 0)
			return err;
		if (rename(t->tmpname, path) != 0)
			return -errno;
	} else {
		if (link(t->tmpname, path) != 0)
			return -errno;
		unlink(t->tmpname);
	}
	free(t->tmpname);
	t->tmpname = NULL;
	return 0;
}

/* Make the new name durable: a power loss must not take it away. */
int mmbuf__tmp_sync_dir(const struct mmbuf__tmpfile *t)
{
	return fsync_dir(t->dir);
}

/* Forget the temporary file (after success the fd has moved on). */
void mmbuf__tmp_discard(struct mmbuf__tmpfile *t)
{
	if (t->tmpname != NULL) {
		unlink(t->tmpname);
		free(t->tmpname);
		t->tmpname = NULL;
	}
	free(t->dir);
	t->dir = NULL;
}

/*
 * Give the file its size.  Preallocation reserves the blocks now, so that
 * a store through the mapping can never meet ENOSPC, which would arrive as
 * SIGBUS.
 */
int mmbuf__allocate(int fd, uint64_t size, bool sparse)
{
	if (!sparse) {
#ifdef HAVE_POSIX_FALLOCATE
		/* No quiet fallback to a sparse file: that would break the
		 * promise.  The caller can ask for MMBUF_CREATE_SPARSE. */
		int err;

		/* A signal can interrupt a long allocation: start again (what
		 * was already allocated is kept, so this makes progress). */
		while ((err = posix_fallocate(fd, 0, (off_t)size)) == EINTR)
			;
		return -err;
#else
		return -EOPNOTSUPP;
#endif
	}
	return mmbuf__truncate(fd, size);
}

/*
 * Map len bytes of the file from offset.  Regions that start on a 2 MiB
 * boundary in the file also start on one in memory, so that huge pages
 * can back them.
 */
int mmbuf__map(int fd, bool rw, uint64_t offset, uint64_t len, void **addr)
{
	int prot = PROT_READ | (rw ? PROT_WRITE : 0);
	uint8_t *hint = NULL;
	void *p;

	if (len > SIZE_MAX - HUGE_ALIGN)
		return -ENOMEM;
	if (offset % HUGE_ALIGN == 0 && len >= HUGE_ALIGN) {
		/* Reserve room to slide to an aligned address. */
		size_t plen = ((size_t)len + MMBUF_PAGE - 1) &
			      ~(size_t)(MMBUF_PAGE - 1);
		uint8_t *r = mmap(NULL, plen + HUGE_ALIGN, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				  -1, 0);

		if (r != MAP_FAILED) {
			uintptr_t a = ((uintptr_t)r + HUGE_ALIGN - 1) &
				      ~(uintptr_t)(HUGE_ALIGN - 1);

			hint = (uint8_t *)a;
			if (hint > r)
				munmap(r, (size_t)(hint - r));
			if (r + HUGE_ALIGN > hint)
				munmap(hint + plen, (size_t)(r + HUGE_ALIGN - hint));
			p = mmap(hint, (size_t)len, prot,
				 MAP_SHARED | MAP_FIXED, fd, (off_t)offset);
			if (p == MAP_FAILED) {
				int err = -errno;
				munmap(hint, plen);
				return err;
			}
			*addr = p;
			return 0;
		}
	}
	p = mmap(NULL, (size_t)len, prot, MAP_SHARED, fd, (off_t)offset);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

void mmbuf__unmap(void *addr, uint64_t len)
{
	if (addr != NULL && len > 0)
		munmap(addr, (size_t)len);
}

/*
 * Resize the mapping at *addr from old_len to new_len bytes, moving it if
 * need be (*addr is then the new address): 0, -errno, or 1 where the
 * system cannot (the caller maps anew).
 */
int mmbuf__remap(void **addr, uint64_t old_len, uint64_t new_len)
{
#ifdef HAVE_MREMAP
	void *p = mremap(*addr, (size_t)old_len, (size_t)new_len,
			 MREMAP_MAYMOVE);

	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
#else
	(void)addr;
	(void)old_len;
	(void)new_len;
	return 1;
#endif
}

/* madvise(2) of [addr, addr + len): 0 or -errno. */
int mmbuf__madvise(void *addr, uint64_t len, int advice)
{
	return madvise(addr, (size_t)len, advice) == 0 ? 0 : -errno;
}

/*
 * Start the writeback of file bytes [off, off + len) without waiting:
 * 0 if started, 1 if the system cannot (the caller falls back), or -errno.
 */
static int start_writeback(int fd, uint64_t off, uint64_t len)
{
#ifdef HAVE_SYNC_FILE_RANGE
	/* MS_ASYNC does nothing on Linux; this really starts I/O. */
	if (sync_file_range(fd, (off_t)off, (off_t)len,
			    SYNC_FILE_RANGE_WRITE) == 0)
		return 0;
	if (errno != ENOSYS && errno != ESPIPE)
		return -errno;
#else
	(void)fd;
	(void)off;
	(void)len;
#endif
	return 1;
}

/*
 * Write back file bytes [off, off + len) of fd, written with pwrite(2):
 * wait for stable storage (SYNC) or only start the writeback (ASYNC;
 * where that cannot be done, wait: more than asked, never less).
 */
int mmbuf__sync_file(int fd, uint64_t off, uint64_t len, int durability)
{
	int err;

	if (len == 0 || durability == MMBUF_DURABLE_NONE)
		return 0;
	if (durability == MMBUF_DURABLE_ASYNC &&
	    (err = start_writeback(fd, off, len)) <= 0)
		return err;
	return mmbuf__fdatasync(fd);
}

/*
 * Write back [addr, addr + len) of a mapping of fd that starts at
 * file_offset: wait for stable storage (SYNC) or only start the writeback
 * (ASYNC).  addr must be page aligned.
 */
int mmbuf__msync(void *addr, uint64_t len, int durability, int fd,
		 uint64_t file_offset)
{
	int err;

	if (len == 0 || durability == MMBUF_DURABLE_NONE)
		return 0;
	if (durability == MMBUF_DURABLE_ASYNC) {
		if ((err = start_writeback(fd, file_offset, len)) <= 0)
			return err;
		return msync(addr, (size_t)len, MS_ASYNC) == 0 ? 0 : -errno;
	}
	return msync(addr, (size_t)len, MS_SYNC) == 0 ? 0 : -errno;
}

/* ------------------------------------------------------------------ */
/* Waiting for a commit (mmbuf(5), "Waiting for a commit")            */

int64_t mmbuf__monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timespec timespec_of(int64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000),
				  .tv_nsec = (long)(ns % 1000000000) };
}

void mmbuf__sleep_ns(int64_t ns)
{
	struct timespec ts = timespec_of(ns);

	/* An early return (a signal) only shortens one poll. */
	(void)nanosleep(&ts, NULL);
}

#if MMBUF__HAVE_FUTEX
/*
 * FUTEX_WAIT and FUTEX_WAKE, not their _PRIVATE forms: the word is in a
 * shared mapping of a file, and the waiters are other processes.
 */
int mmbuf__futex_wait(const uint32_t *addr, uint32_t v, int64_t timeout_ns)
{
	struct timespec ts = timespec_of(timeout_ns);

	if (syscall(SYS_futex, addr, FUTEX_WAIT, v, &ts, NULL, 0) == 0)
		return 0;
	return -errno;
}

int mmbuf__futex_wake(const uint32_t *addr)
{
	long n = syscall(SYS_futex, addr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);

	return n < 0 ? -errno : 0;
}
#else
int mmbuf__futex_wait(const uint32_t *addr, uint32_t v, int64_t timeout_ns)
{
	(void)addr;
	(void)v;
	(void)timeout_ns;
	return -ENOSYS;
}

int mmbuf__futex_wake(const uint32_t *addr)
{
	(void)addr;
	return -ENOSYS;
}
#endif
