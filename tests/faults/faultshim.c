/*
 * faultshim.c - an LD_PRELOAD library that makes system calls fail on
 * demand, for the fault-injection tests (tests/faults/faults.sh).
 *
 * MMBUF_FAULT lists the faults, separated by commas:
 *
 *     CALL=ERRNO[@N][xK]
 *
 * makes the N-th call of CALL (default: the first) and every later one, or
 * only K of them with xK, fail with ERRNO, a name such as ENOSPC, EIO,
 * EROFS, EFBIG or EINTR (EINTR@1x3: the first three calls are
 * interrupted, the caller should retry), or TRUNCATE, which is no error:
 * it truncates the call's file to 0 bytes just before the call, which then
 * goes ahead (pread=TRUNCATE@2x1: a file that shrinks under its reader
 * after its header was read).  CALL is
 * one of fallocate (posix_fallocate), ftruncate, write, pwrite, pread, msync,
 * fsync, fdatasync, sync_file_range, open (only opens that may write:
 * O_RDWR, O_WRONLY, O_CREAT or O_TMPFILE), tmpfile (only O_TMPFILE
 * opens: tmpfile=EOPNOTSUPP plays a filesystem without it), linkat,
 * rename and getlk (fcntl(2) with F_OFD_GETLK: the probe of a lock, as in
 * "is a writer there?").  Calls on
 * anything but regular files (a terminal, a pipe), and writes to standard
 * output and error, are never failed, so the programs can still report.  Without MMBUF_FAULT the library
 * changes nothing.
 *
 * MMBUF_FAULT_HOOK=CALL[@N]:COMMAND runs COMMAND (with sh -c, without the
 * shim and its variables) just before the N-th call of CALL (default: the
 * first) that MMBUF_FAULT could fail, and waits for it: another process
 * acting at a chosen moment, such as between editbuf's check of a buffer
 * and its open for writing (open@1), makes a race deterministic.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { F_FALLOCATE, F_FTRUNCATE, F_WRITE, F_PWRITE, F_MSYNC, F_FSYNC,
       F_FDATASYNC, F_SYNC_FILE_RANGE, F_OPEN, F_TMPFILE, F_LINKAT, F_RENAME,
       F_PREAD, F_LOCKPROBE, F_COUNT };

/* Not an errno: truncate the file, then let the call through. */
#define TRUNCATE (-1)

static const char *const call_names[F_COUNT] = {
	"fallocate", "ftruncate", "write", "pwrite", "msync", "fsync",
	"fdatasync",
	"sync_file_range", "open", "tmpfile", "linkat", "rename", "pread",
	"getlk"
};

static const struct { const char *name; int value; } errnos[] = {
	{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EROFS", EROFS },
	{ "EFBIG", EFBIG }, { "EINTR", EINTR }, { "EACCES", EACCES },
	{ "EPERM", EPERM }, { "EDQUOT", EDQUOT }, { "ENOMEM", ENOMEM },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "TRUNCATE", TRUNCATE },
};

static int fault_errno[F_COUNT];
static unsigned long fault_from[F_COUNT];
static unsigned long fault_times[F_COUNT];  /* 0: for ever */
static unsigned long calls[F_COUNT];
static int parsed;
static int hook_call = -1;
static unsigned long hook_at = 1, hook_calls;
static char hook_cmd[512];

/* MMBUF_FAULT_HOOK: CALL[@N]:COMMAND. */
static void parse_hook(void)
{
	const char *spec = getenv("MMBUF_FAULT_HOOK");
	const char *colon = spec != NULL ? strchr(spec, ':') : NULL;
	char name[32], *at;
	int c;

	if (spec == NULL)
		return;
	if (colon == NULL || (size_t)(colon - spec) >= sizeof name ||
	    strlen(colon + 1) >= sizeof hook_cmd)
		goto bad;
	memcpy(name, spec, (size_t)(colon - spec));
	name[colon - spec] = '\0';
	strcpy(hook_cmd, colon + 1);
	at = strchr(name, '@');
	if (at != NULL) {
		*at++ = '\0';
		hook_at = strtoul(at, NULL, 10);
		if (hook_at == 0)
			goto bad;
	}
	for (c = 0; c < F_COUNT && strcmp(call_names[c], name) != 0; c++)
		;
	if (c == F_COUNT)
		goto bad;
	hook_call = c;
	return;
bad:
	fprintf(stderr, "faultshim: bad MMBUF_FAULT_HOOK: %s\n", spec);
	abort();
}

static void run_hook(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		unsetenv("LD_PRELOAD");
		unsetenv("MMBUF_FAULT");
		unsetenv("MMBUF_FAULT_HOOK");
		execl("/bin/sh", "sh", "-c", hook_cmd, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
}

static void parse(void)
{
	const char *spec = getenv("MMBUF_FAULT");
	char buf[512], *tok, *save = NULL;

	parsed = 1;
	parse_hook();
	if (spec == NULL || strlen(spec) >= sizeof buf)
		return;
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *at, *x;
		unsigned long from = 1, times = 0;
		size_t i;
		int c;

		if (eq == NULL)
			goto bad;
		*eq++ = '\0';
		x = strchr(eq, 'x');
		if (x != NULL) {
			*x++ = '\0';
			times = strtoul(x, NULL, 10);
			if (times == 0)
				goto bad;
		}
		at = strchr(eq, '@');
		if (at != NULL) {
			*at++ = '\0';
			from = strtoul(at, NULL, 10);
			if (from == 0)
				goto bad;
		}
		for (c = 0; c < F_COUNT && strcmp(call_names[c], tok) != 0; c++)
			;
		for (i = 0; i < sizeof errnos / sizeof errnos[0] &&
			    strcmp(errnos[i].name, eq) != 0; i++)
			;
		if (c == F_COUNT || i == sizeof errnos / sizeof errnos[0])
			goto bad;
		fault_errno[c] = errnos[i].value;
		fault_from[c] = from;
		fault_times[c] = times;
	}
	return;
bad:
	fprintf(stderr, "faultshim: bad MMBUF_FAULT: %s\n", spec);
	abort();
}

/* The errno to fail call c with, or 0 to let it through. */
static int fault(int c, int fd)
{
	struct stat st;

	if (!parsed)
		parse();
	if (fault_errno[c] == 0 && c != hook_call)
		return 0;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)))
		return 0;
	if (c == hook_call && ++hook_calls == hook_at)
		run_hook();
	if (fault_errno[c] == 0)
		return 0;
	if (++calls[c] < fault_from[c])
		return 0;
	if (fault_times[c] != 0 && calls[c] - fault_from[c] >= fault_times[c])
		return 0;
	if (fault_errno[c] == TRUNCATE) {
		char proc[64];

		/* Through /proc: fd may be open read-only. */
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
		if (fd < 0 || truncate(proc, 0) != 0)
			abort();
		return 0;
	}
	return fault_errno[c];
}

#define REAL(ret, name, args)                                              \
	static ret(*real_##name) args;                                     \
	if (real_##name == NULL)                                            \
		*(void **)&real_##name = dlsym(RTLD_NEXT, #name)

int posix_fallocate(int fd, off_t off, off_t len)
{
	int e = fault(F_FALLOCATE, fd);
	REAL(int, posix_fallocate, (int, off_t, off_t));

	return e != 0 ? e : real_posix_fallocate(fd, off, len);
}

int posix_fallocate64(int fd, off_t off, off_t len)
{
	return posix_fallocate(fd, off, len);
}

int ftruncate(int fd, off_t len)
{
	int e = fault(F_FTRUNCATE, fd);
	REAL(int, ftruncate, (int, off_t));

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real_ftruncate(fd, len);
}

int ftruncate64(int fd, off_t len)
{
	return ftruncate(fd, len);
}

ssize_t write(int fd, const void *p, size_t n)
{
	int e = fd > 2 ? fault(F_WRITE, fd) : 0;
	REAL(ssize_t, write, (int, const void *, size_t));

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real_write(fd, p, n);
}

ssize_t pwrite(int fd, const void *p, size_t n, off_t off)
{
	int e = fault(F_PWRITE, fd);
	REAL(ssize_t, pwrite, (int, const void *, size_t, off_t));

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real_pwrite(fd, p, n, off);
}

ssize_t pwrite64(int fd, const void *p, size_t n, off_t off)
{
	return pwrite(fd, p, n, off);
}

ssize_t pread(int fd, void *p, size_t n, off_t off)
{
	int e = fault(F_PREAD, fd);
	REAL(ssize_t, pread, (int, void *, size_t, off_t));

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real_pread(fd, p, n, off);
}

ssize_t pread64(int fd, void *p, size_t n, off_t off)
{
	return pread(fd, p, n, off);
}

/*
 * fcntl(2) and glibc's fcntl64, which a build with 64-bit file offsets
 * calls: only F_OFD_GETLK can fail.  The third argument, when there is
 * one, is an int or a pointer, passed on as it came.
 */
static int some_fcntl(int (*real)(int, int, ...), int fd, int cmd,
		      void *arg)
{
	int e = cmd == F_OFD_GETLK ? fault(F_LOCKPROBE, fd) : 0;

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real(fd, cmd, arg);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;
	REAL(int, fcntl, (int, int, ...));

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return some_fcntl(real_fcntl, fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;
	REAL(int, fcntl64, (int, int, ...));

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return some_fcntl(real_fcntl64, fd, cmd, arg);
}

int msync(void *addr, size_t len, int flags)
{
	int e = fault(F_MSYNC, -1);
	REAL(int, msync, (void *, size_t, int));

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real_msync(addr, len, flags);
}

int fsync(int fd)
{
	int e = fault(F_FSYNC, fd);
	REAL(int, fsync, (int));

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real_fsync(fd);
}

int fdatasync(int fd)
{
	int e = fault(F_FDATASYNC, fd);
	REAL(int, fdatasync, (int));

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real_fdatasync(fd);
}

int sync_file_range(int fd, off_t off, off_t n, unsigned int flags)
{
	int e = fault(F_SYNC_FILE_RANGE, fd);
	REAL(int, sync_file_range, (int, off_t, off_t, unsigned int));

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real_sync_file_range(fd, off, n, flags);
}

static int writes(int flags)
{
	return (flags & (O_RDWR | O_WRONLY | O_CREAT)) != 0 ||
	       (flags & O_TMPFILE) == O_TMPFILE;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	int e = (flags & O_TMPFILE) == O_TMPFILE ? fault(F_TMPFILE, -1) : 0;
	REAL(int, open, (const char *, int, ...));

	if (e == 0 && writes(flags))
		e = fault(F_OPEN, -1);

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (e != 0) {
		errno = e;
		return -1;
	}
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return open(path, flags, mode);
}

int linkat(int ofd, const char *old, int nfd, const char *new, int flags)
{
	int e = fault(F_LINKAT, -1);
	REAL(int, linkat, (int, const char *, int, const char *, int));

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real_linkat(ofd, old, nfd, new, flags);
}

int rename(const char *old, const char *new)
{
	int e = fault(F_RENAME, -1);
	REAL(int, rename, (const char *, const char *));

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real_rename(old, new);
}
