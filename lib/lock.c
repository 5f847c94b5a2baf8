/*
 * lock.c - the lock protocol of mmbuf(5), "Locking".
 *
 * On Linux: open file description (OFD) locks on byte ranges of the
 * buffer file.  The writer holds [0,1) exclusively, readers hold [1,2)
 * shared.  OFD locks belong to the open file, not the process, so two
 * handles in one process exclude each other like two processes do, and
 * classic fcntl/lockf locks (Python's fcntl.lockf) conflict with them.
 * Elsewhere: flock() on the whole file, for the writer only.
 *
 * The locks are advisory, and anyone who can read the file can take a read
 * lock on the writer's byte and so keep every writer out: that is reported
 * as such (MMBUF_EREADLOCK), never as a writer.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#define WRITER_BYTE 0
#define READER_BYTE 1

#if HAVE_DECL_F_OFD_SETLK
static struct flock byte_lock(short type, off_t start)
{
	return (struct flock){
		.l_type = type,
		.l_whence = SEEK_SET,
		.l_start = start,
		.l_len = 1,
		.l_pid = 0, /* required by OFD locks */
	};
}

/* Take (or with F_UNLCK release) a lock on one byte without waiting. */
static int range_lock(int fd, short type, off_t start)
{
	struct flock fl = byte_lock(type, start);

	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	if (errno == EAGAIN || errno == EACCES)
		return MMBUF_EBUSY;
	return -errno;
}

/*
 * The type of a lock that some other open file holds on the byte and that
 * conflicts with a lock of this type: F_RDLCK, F_WRLCK, or F_UNLCK if
 * none; or -errno.
 */
static int conflicting(int fd, short type, off_t start)
{
	struct flock fl = byte_lock(type, start);

	if (fcntl(fd, F_OFD_GETLK, &fl) != 0)
		return -errno;
	return fl.l_type;
}

int mmbuf__lock_writer(int fd)
{
	/* A lock that went away between the two calls: try again. */
	for (int tries = 0; tries < 3; tries++) {
		int err = range_lock(fd, F_WRLCK, WRITER_BYTE), type;

		if (err != MMBUF_EBUSY)
			return err;
		/*
		 * Writers take this byte exclusively and nobody in mmbuf(5)
		 * takes it shared; but anyone who can read the file can, and
		 * so keep every writer out.  Say which it is.
		 */
		type = conflicting(fd, F_WRLCK, WRITER_BYTE);
		if (type == F_RDLCK)
			return MMBUF_EREADLOCK;
		if (type != F_UNLCK)
			return MMBUF_EBUSY;
	}
	return MMBUF_EBUSY;
}

int mmbuf__lock_reader(int fd)
{
	return range_lock(fd, F_RDLCK, READER_BYTE);
}

/*
 * 1 if some open file holds the writer lock, 0 if none, or -errno.  A read
 * lock on the writer's byte is not a writer (it only keeps writers out).
 */
int mmbuf__writer_present(int fd)
{
	int type = conflicting(fd, F_WRLCK, WRITER_BYTE);

	return type < 0 ? type : type == F_WRLCK;
}

int mmbuf__lock_readers_out(int fd)
{
	return range_lock(fd, F_WRLCK, READER_BYTE);
}

void mmbuf__unlock_readers(int fd)
{
	(void)range_lock(fd, F_UNLCK, READER_BYTE);
}
#else
int mmbuf__lock_writer(int fd)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK ? MMBUF_EBUSY : -errno;
}

int mmbuf__lock_reader(int fd)
{
	(void)fd;
	return 0;
}

int mmbuf__writer_present(int fd)
{
	/* Probe with a second open file: flock locks belong to it. */
	char path[64];
	int probe, r;

	snprintf(path, sizeof path, "/dev/fd/%d", fd);
	probe = open(path, O_RDONLY | O_CLOEXEC);
	if (probe < 0)
		return -errno;
	r = flock(probe, LOCK_SH | LOCK_NB);
	close(probe);
	if (r == 0)
		return 0;
	return errno == EWOULDBLOCK ? 1 : -errno;
}

/* Readers take no lock here, so they cannot be kept out: a shrink is
 * refused rather than done blind. */
int mmbuf__lock_readers_out(int fd)
{
	(void)fd;
	return -EOPNOTSUPP;
}

void mmbuf__unlock_readers(int fd)
{
	(void)fd;
}
#endif
