/*
 * check_buffer.c - creating, opening and using buffers: round trips of
 * every dtype and shape, persistence (also across processes), commits,
 * sync/advise/prefault, mmbuf_fill, atomic and exclusive creation, slot fallback, and
 * the bytes of the file against mmbuf(5).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "testutil.h"

#define KIB 1024u
#define MIB (1024u * 1024u)

/* What a buffer should say about itself. */
struct expect {
	uint64_t capacity, length;
	const char *dtype;
	uint32_t itemsize, ndim;
	uint64_t shape[MMBUF_MAX_DIMS];
	const char *label;
};

static void check_accessors(mmbuf *b, const struct expect *e)
{
	const uint64_t *dims = NULL;
	mmbuf_info info;

	ck_assert_uint_eq(mmbuf_capacity(b), e->capacity);
	ck_assert_uint_eq(mmbuf_length(b), e->length);
	ck_assert_str_eq(mmbuf_dtype(b), e->dtype);
	ck_assert_uint_eq(mmbuf_itemsize(b), e->itemsize);
	ck_assert_uint_eq(mmbuf_shape(b, &dims), e->ndim);
	for (uint32_t i = 0; i < e->ndim; i++)
		ck_assert_uint_eq(dims[i], e->shape[i]);
	ck_assert_str_eq(mmbuf_label(b), e->label);
	if (e->capacity == 0)
		ck_assert_ptr_null(mmbuf_data(b));
	else
		ck_assert_ptr_nonnull(mmbuf_data(b));

	/* mmbuf_get_info agrees with the accessors. */
	memset(&info, 0x55, sizeof info);
	mmbuf_get_info(b, &info);
	ck_assert_uint_eq(info.capacity, e->capacity);
	ck_assert_uint_eq(info.length, e->length);
	ck_assert_str_eq(info.dtype, e->dtype);
	ck_assert_uint_eq(info.itemsize, e->itemsize);
	ck_assert_uint_eq(info.ndim, e->ndim);
	for (uint32_t i = 0; i < MMBUF_MAX_DIMS; i++)
		ck_assert_uint_eq(info.shape[i], i < e->ndim ? e->shape[i] : 0);
	ck_assert_str_eq(info.label, e->label);
	ck_assert_mem_eq(info.uuid, mmbuf_uuid(b), 16);
	ck_assert_uint_eq(info.generation, mmbuf_generation(b));
	ck_assert_uint_eq(info.state, mmbuf_state(b));
	ck_assert_int_eq(info.slot, (int)(info.generation % 2));
	ck_assert_uint_eq(info.version_major, 1);
	ck_assert_uint_eq(info.data_offset, 8192);
	ck_assert_uint_eq(info.file_size, 8192 + e->capacity);
	ck_assert_uint_eq(info.ro_compat, MMBUF_RO_COMPAT_LOCKING);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void check_uuid_v4(const uint8_t *u)
{
	ck_assert_msg(!all_zero(u, 16), "uuid is zero");
	ck_assert_msg((u[6] & 0xf0) == 0x40, "uuid version %x", u[6] >> 4);
	ck_assert_msg((u[8] & 0xc0) == 0x80, "uuid variant %x", u[8] >> 6);
}

/* ---------------------------------------------------------------- */
/* Round trips                                                       */

/* Every code in both byte orders, with 1 to 8 dimensions. */
START_TEST(test_roundtrip_dtype)
{
	char want[8];
	const struct tu_dtype *dt = &tu_dtypes[_i / 2];
	char dtype[8], label[64];
	struct expect e;
	mmbuf_create_opts o;
	uint8_t uuid[16];
	uint64_t gen, product = 1;
	mmbuf *b;

	memset(&e, 0, sizeof e);
	snprintf(dtype, sizeof dtype, "%c%s", _i % 2 ? '>' : '<', dt->code);
	snprintf(label, sizeof label, "round trip %s \xe2\x9c\x93", dtype);
	e.ndim = 1 + (uint32_t)_i % 8;
	for (uint32_t k = 0; k < e.ndim; k++) {
		e.shape[k] = 1 + (k + (uint32_t)_i) % 3;
		product *= e.shape[k];
	}
	e.capacity = product * dt->itemsize + (uint64_t)(_i * 37 % 300);
	e.length = e.capacity;
	/* One-byte types are stored with '<' whatever order was asked. */
	snprintf(want, sizeof want, "%c%s",
		 dt->itemsize == 1 ? '<' : dtype[0], dt->code);
	e.dtype = want;
	e.itemsize = dt->itemsize;
	e.label = label;

	tu_opts(&o, e.capacity);
	o.dtype = dtype;
	o.ndim = e.ndim;
	memcpy(o.shape, e.shape, sizeof o.shape);
	o.label = label;
	b = tu_create("rt.mmb", &o);
	check_accessors(b, &e);
	ck_assert_int_eq(mmbuf_writable(b), 1);
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	ck_assert_uint_ne(mmbuf_state(b) & MMBUF_STATE_WRITER_OPEN, 0);
	check_uuid_v4(mmbuf_uuid(b));
	memcpy(uuid, mmbuf_uuid(b), 16);
	gen = mmbuf_generation(b);
	ck_assert_msg(all_zero(mmbuf_data(b), (size_t)e.capacity),
		      "new data is not zero");
	tu_fill(mmbuf_data(b), (size_t)e.capacity, (uint32_t)_i);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Read-only: the same buffer, the data persisted. */
	b = tu_open(tu_path("rt.mmb"), MMBUF_RDONLY);
	check_accessors(b, &e);
	ck_assert_int_eq(mmbuf_writable(b), 0);
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	ck_assert_int_eq(mmbuf_writer_active(b), 0);
	ck_assert_uint_eq(mmbuf_state(b) & MMBUF_STATE_WRITER_OPEN, 0);
	ck_assert_mem_eq(mmbuf_uuid(b), uuid, 16);
	ck_assert_uint_gt(mmbuf_generation(b), gen);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), (size_t)e.capacity,
				       (uint32_t)_i),
			 -1);
	gen = mmbuf_generation(b);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Read-write. */
	b = tu_open(tu_path("rt.mmb"), MMBUF_RDWR);
	check_accessors(b, &e);
	ck_assert_int_eq(mmbuf_writable(b), 1);
	ck_assert_mem_eq(mmbuf_uuid(b), uuid, 16);
	ck_assert_uint_gt(mmbuf_generation(b), gen);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), (size_t)e.capacity,
				       (uint32_t)_i),
			 -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* ndim 0 to 8, with product(shape) * itemsize exactly the capacity. */
START_TEST(test_roundtrip_ndim)
{
	struct expect e;
	mmbuf_create_opts o;
	mmbuf *b;

	memset(&e, 0, sizeof e);
	e.ndim = (uint32_t)_i;
	e.capacity = 4;
	for (uint32_t k = 0; k < e.ndim; k++) {
		e.shape[k] = k + 2;
		e.capacity *= e.shape[k];
	}
	if (e.ndim == 0)
		e.capacity = 4096;
	e.length = e.capacity;
	e.dtype = "<i4";
	e.itemsize = 4;
	e.label = "";

	tu_opts(&o, e.capacity);
	o.dtype = "i4";
	o.ndim = e.ndim;
	memcpy(o.shape, e.shape, sizeof o.shape);
	b = tu_create("nd.mmb", &o);
	check_accessors(b, &e);
	tu_fill(mmbuf_data(b), (size_t)e.capacity, 99);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(tu_path("nd.mmb"), MMBUF_RDONLY);
	check_accessors(b, &e);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), (size_t)e.capacity, 99),
			 -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_uuid_distinct)
{
	mmbuf_create_opts o;
	mmbuf *a, *b;

	tu_opts(&o, 100);
	a = tu_create("a.mmb", &o);
	b = tu_create("b.mmb", &o);
	ck_assert_mem_ne(mmbuf_uuid(a), mmbuf_uuid(b), 16);
	ck_assert_int_eq(mmbuf_close(a), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_create_defaults)
{
	mmbuf_create_opts o;
	mmbuf *b;
	const uint64_t *dims;

	memset(&o, 0xa5, sizeof o);
	mmbuf_create_opts_init(&o);
	ck_assert_uint_eq(o.capacity, 0);
	ck_assert_uint_eq(o.length, MMBUF_LENGTH_CAPACITY);
	ck_assert_ptr_null(o.dtype);
	ck_assert_uint_eq(o.ndim, 0);
	for (int i = 0; i < MMBUF_MAX_DIMS; i++)
		ck_assert_uint_eq(o.shape[i], 0);
	ck_assert_ptr_null(o.label);
	ck_assert_uint_eq(o.align, 0);
	ck_assert_uint_eq(o.flags, 0);
	ck_assert_uint_eq(o.mode, 0);

	o.capacity = 1000;
	b = tu_create("d.mmb", &o);
	ck_assert_str_eq(mmbuf_dtype(b), "<u1");
	ck_assert_uint_eq(mmbuf_itemsize(b), 1);
	ck_assert_uint_eq(mmbuf_shape(b, &dims), 0);
	ck_assert_str_eq(mmbuf_label(b), "");
	ck_assert_uint_eq(mmbuf_length(b), 1000);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(tu_file_size(tu_path("d.mmb")), 8192 + 1000);

	/* An explicit initial length. */
	o.length = 10;
	o.flags = MMBUF_CREATE_REPLACE;
	b = tu_create("d.mmb", &o);
	ck_assert_uint_eq(mmbuf_length(b), 10);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(tu_path("d.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_length(b), 10);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* Type strings are normalised on input ('|', '=', bare codes). */
START_TEST(test_create_dtype_forms)
{
	static const struct {
		const char *in, *out;
	} forms[] = {
		{"|u1", "<u1"}, {"|b1", "<b1"}, {"f8", "<f8"}, {"c16", "<c16"},
		{"=f4", __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "<f4" : ">f4"},
		{">u2", ">u2"},
	};

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		mmbuf_create_opts o;
		mmbuf *b;

		tu_opts(&o, 64);
		o.dtype = forms[i].in;
		o.flags = MMBUF_CREATE_REPLACE;
		b = tu_create("f.mmb", &o);
		ck_assert_str_eq(mmbuf_dtype(b), forms[i].out);
		ck_assert_int_eq(mmbuf_close(b), 0);
		b = tu_open(tu_path("f.mmb"), MMBUF_RDONLY);
		ck_assert_str_eq(mmbuf_dtype(b), forms[i].out);
		ck_assert_int_eq(mmbuf_close(b), 0);
	}
}
END_TEST

/* Mode 0 is the default (0666) unless MMBUF_CREATE_MODE says it is given. */
START_TEST(test_create_mode)
{
	static const struct {
		mode_t mode;
		unsigned flags;
		mode_t want;
	} modes[] = {{0600, 0, 0600}, {0, 0, 0644}, {0777, 0, 0755},
		     {0640, 0, 0640}, {0, MMBUF_CREATE_MODE, 0},
		     {0640, MMBUF_CREATE_MODE, 0640},
		     {0777, MMBUF_CREATE_MODE, 0755}};

	umask(022);
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		mmbuf_create_opts o;
		struct stat st;

		tu_opts(&o, 10);
		o.mode = modes[i].mode;
		o.flags = MMBUF_CREATE_REPLACE | modes[i].flags;
		ck_assert_int_eq(mmbuf_close(tu_create("m.mmb", &o)), 0);
		ck_assert_int_eq(stat(tu_path("m.mmb"), &st), 0);
		ck_assert_msg((st.st_mode & 07777) == modes[i].want,
			      "mode %o, flags %#x: file has %o, want %o",
			      modes[i].mode, modes[i].flags, st.st_mode & 07777,
			      modes[i].want);
	}
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
}
END_TEST

/* Preallocated by default, sparse on request; zeros either way. */
START_TEST(test_create_sparse)
{
	const uint64_t cap = 16 * MIB;
	mmbuf_create_opts o;
	struct stat st;
	mmbuf *b;

	tu_opts(&o, cap);
	b = tu_create("full.mmb", &o);
	ck_assert(all_zero(mmbuf_data(b), cap));
	ck_assert_int_eq(stat(tu_path("full.mmb"), &st), 0);
	ck_assert_msg((uint64_t)st.st_blocks * 512 >= cap,
		      "not preallocated: %lld blocks", (long long)st.st_blocks);
	ck_assert_int_eq(mmbuf_close(b), 0);

	o.flags = MMBUF_CREATE_SPARSE;
	b = tu_create("sparse.mmb", &o);
	ck_assert_int_eq(stat(tu_path("sparse.mmb"), &st), 0);
	ck_assert_msg((uint64_t)st.st_blocks * 512 < cap / 2,
		      "not sparse: %lld blocks", (long long)st.st_blocks);
	ck_assert(all_zero(mmbuf_data(b), cap));
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(tu_file_size(tu_path("sparse.mmb")), 8192 + cap);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Persistence                                                       */

START_TEST(test_persist_reopen)
{
	const uint64_t cap = 300 * KIB + 5;
	mmbuf *b;
	uint8_t *d;

	tu_create_closed("p.mmb", cap, 1);
	b = tu_open(tu_path("p.mmb"), MMBUF_RDWR);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), cap, 1), -1);
	d = mmbuf_data(b);
	d[0] = 0xaa;
	d[cap - 1] = 0xbb;
	d[cap / 2] = 0xcc;
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Through plain read(), not the library. */
	{
		uint8_t c;

		tu_pread(tu_path("p.mmb"), 8192, &c, 1);
		ck_assert_uint_eq(c, 0xaa);
		tu_pread(tu_path("p.mmb"), 8192 + cap - 1, &c, 1);
		ck_assert_uint_eq(c, 0xbb);
		tu_pread(tu_path("p.mmb"), 8192 + cap / 2, &c, 1);
		ck_assert_uint_eq(c, 0xcc);
	}
	b = tu_open(tu_path("p.mmb"), MMBUF_RDONLY);
	{
		uint8_t *want = malloc(cap);

		ck_assert_ptr_nonnull(want);
		tu_fill(want, cap, 1);
		want[0] = 0xaa;
		want[cap - 1] = 0xbb;
		want[cap / 2] = 0xcc;
		ck_assert_msg(memcmp(mmbuf_data(b), want, cap) == 0,
			      "data changed across close and reopen");
		free(want);
	}
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* A child process creates and writes, then exits; the parent reads. */
START_TEST(test_persist_child_process)
{
	const uint64_t cap = 100000;
	pid_t pid;
	int status;
	mmbuf *b;

	pid = tu_fork();
	if (pid == 0) {
		mmbuf_create_opts o;
		mmbuf *c = NULL;

		mmbuf_create_opts_init(&o);
		o.capacity = cap;
		o.dtype = "<u2";
		o.label = "made by a child";
		if (mmbuf_create(tu_path("c.mmb"), &o, &c) != 0)
			_exit(1);
		tu_fill(mmbuf_data(c), cap, 77);
		if (mmbuf_set_length(c, 50000, MMBUF_DURABLE_SYNC) != 0)
			_exit(2);
		_exit(mmbuf_close(c) == 0 ? 0 : 3);
	}
	status = tu_wait(pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child failed: status %#x", status);

	b = tu_open(tu_path("c.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_capacity(b), cap);
	ck_assert_uint_eq(mmbuf_length(b), 50000);
	ck_assert_str_eq(mmbuf_dtype(b), "<u2");
	ck_assert_str_eq(mmbuf_label(b), "made by a child");
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 50000, 77), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* Writes through a writer's mapping are seen at once by a reader in
 * another process. */
START_TEST(test_live_visibility)
{
	int up[2], down[2], v;
	pid_t pid;
	mmbuf *b;

	ck_assert_int_eq(pipe(up), 0);
	ck_assert_int_eq(pipe(down), 0);
	pid = tu_fork();
	if (pid == 0) {
		mmbuf_create_opts o;
		mmbuf *c = NULL;

		close(up[0]);
		close(down[1]);
		mmbuf_create_opts_init(&o);
		o.capacity = 8192;
		if (mmbuf_create(tu_path("v.mmb"), &o, &c) != 0)
			_exit(1);
		tu_send(up[1], 1);
		if (!tu_recv(down[0], &v))
			_exit(2);
		tu_fill(mmbuf_data(c), 8192, 5); /* no sync */
		tu_send(up[1], 2);
		if (!tu_recv(down[0], &v))
			_exit(3);
		_exit(mmbuf_close(c) == 0 ? 0 : 4);
	}
	close(up[1]);
	close(down[0]);
	ck_assert(tu_recv(up[0], &v) && v == 1);
	b = tu_open(tu_path("v.mmb"), MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_writer_active(b), 1);
	ck_assert(all_zero(mmbuf_data(b), 8192));
	ck_assert(tu_send(down[1], 1));
	ck_assert(tu_recv(up[0], &v) && v == 2);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 8192, 5), -1);
	ck_assert(tu_send(down[1], 2));
	v = tu_wait(pid);
	ck_assert_msg(WIFEXITED(v) && WEXITSTATUS(v) == 0, "child: %#x", v);
	ck_assert_int_eq(mmbuf_close(b), 0);
	close(up[0]);
	close(down[1]);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Commits                                                           */

/* Each commit adds one to the generation (mmbuf(5), commit protocol). */
START_TEST(test_generation)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, 4096);
	b = tu_create("g.mmb", &o);
	/* Creation writes gen 1 into slot 1 and gen 2 into slot 0. */
	ck_assert_uint_eq(mmbuf_generation(b), 2);
	ck_assert_int_eq(mmbuf_set_length(b, 10, MMBUF_DURABLE_SYNC), 0);
	ck_assert_uint_eq(mmbuf_generation(b), 3);
	ck_assert_int_eq(mmbuf_set_label(b, "g", MMBUF_DURABLE_NONE), 0);
	ck_assert_uint_eq(mmbuf_generation(b), 4);
	ck_assert_int_eq(mmbuf_close(b), 0); /* commits the clean state */

	b = tu_open(tu_path("g.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_generation(b), 5);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* A reader commits nothing. */
	b = tu_open(tu_path("g.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_generation(b), 5);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* A writer commits "writer open" at open and the clean state at close. */
	b = tu_open(tu_path("g.mmb"), MMBUF_RDWR);
	ck_assert_uint_eq(mmbuf_generation(b), 6);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(tu_path("g.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_generation(b), 7);
	ck_assert_int_eq(tu_current_slot(tu_path("g.mmb")), 1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_set_length)
{
	const uint64_t cap = 10000;
	mmbuf_create_opts o;
	uint64_t gen;
	mmbuf *b;

	tu_opts(&o, cap);
	b = tu_create("l.mmb", &o);
	for (int d = MMBUF_DURABLE_NONE; d <= MMBUF_DURABLE_SYNC; d++) {
		uint64_t len = 1000 * (uint64_t)(d + 1);

		ck_assert_int_eq(mmbuf_set_length(b, len, d), 0);
		ck_assert_uint_eq(mmbuf_length(b), len);
	}
	ck_assert_int_eq(mmbuf_set_length(b, cap, MMBUF_DURABLE_SYNC), 0);
	ck_assert_uint_eq(mmbuf_length(b), cap);
	ck_assert_int_eq(mmbuf_set_length(b, 0, MMBUF_DURABLE_ASYNC), 0);
	ck_assert_uint_eq(mmbuf_length(b), 0);
	ck_assert_int_eq(mmbuf_set_length(b, 4321, MMBUF_DURABLE_SYNC), 0);

	/* Refusals change nothing. */
	gen = mmbuf_generation(b);
	ck_assert_err(mmbuf_set_length(b, cap + 1, MMBUF_DURABLE_SYNC),
		      MMBUF_ELENGTH);
	ck_assert_err(mmbuf_set_length(b, UINT64_MAX, MMBUF_DURABLE_SYNC),
		      MMBUF_ELENGTH);
	ck_assert_err(mmbuf_set_length(b, 5, 3), -EINVAL);
	ck_assert_err(mmbuf_set_length(b, 5, -1), -EINVAL);
	ck_assert_uint_eq(mmbuf_length(b), 4321);
	ck_assert_uint_eq(mmbuf_generation(b), gen);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("l.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_length(b), 4321);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* MMBUF_DURABLE_NONE survives a process crash (the page cache). */
START_TEST(test_length_survives_crash)
{
	int up[2], v, status;
	pid_t pid;
	mmbuf *b;

	ck_assert_int_eq(pipe(up), 0);
	pid = tu_fork();
	if (pid == 0) {
		mmbuf_create_opts o;
		mmbuf *c = NULL;

		close(up[0]);
		mmbuf_create_opts_init(&o);
		o.capacity = 8192;
		o.length = 0;
		if (mmbuf_create(tu_path("k.mmb"), &o, &c) != 0)
			_exit(1);
		tu_fill(mmbuf_data(c), 4000, 9);
		if (mmbuf_set_length(c, 4000, MMBUF_DURABLE_NONE) != 0 ||
		    mmbuf_set_label(c, "before the crash",
				    MMBUF_DURABLE_NONE) != 0)
			_exit(2);
		tu_send(up[1], 1);
		for (;;)
			pause();
	}
	close(up[1]);
	ck_assert(tu_recv(up[0], &v) && v == 1);
	kill(pid, SIGKILL);
	status = tu_wait(pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(up[0]);

	b = tu_open(tu_path("k.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_length(b), 4000);
	ck_assert_str_eq(mmbuf_label(b), "before the crash");
	ck_assert_int_eq(mmbuf_unclean(b), 1);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 4000, 9), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_set_label)
{
	static const char *const labels[] = {
		"", "plain", "\xce\xb1\xce\xb2\xce\xb3 \xf0\x9f\x98\x80",
	};
	char l255[256], l256[257];
	mmbuf_create_opts o;
	uint64_t gen;
	mmbuf *b;

	memset(l255, 'q', 255);
	l255[255] = '\0';
	memset(l256, 'q', 256);
	l256[256] = '\0';

	tu_opts(&o, 100);
	o.label = "first";
	b = tu_create("lab.mmb", &o);
	ck_assert_str_eq(mmbuf_label(b), "first");
	for (int d = MMBUF_DURABLE_NONE; d <= MMBUF_DURABLE_SYNC; d++) {
		ck_assert_int_eq(mmbuf_set_label(b, labels[d], d), 0);
		ck_assert_str_eq(mmbuf_label(b), labels[d]);
	}
	ck_assert_int_eq(mmbuf_set_label(b, l255, MMBUF_DURABLE_SYNC), 0);
	ck_assert_str_eq(mmbuf_label(b), l255);

	gen = mmbuf_generation(b);
	ck_assert_err(mmbuf_set_label(b, l256, MMBUF_DURABLE_SYNC), MMBUF_ELABEL);
	ck_assert_err(mmbuf_set_label(b, "bad \xff", MMBUF_DURABLE_SYNC),
		      MMBUF_ELABEL);
	ck_assert_err(mmbuf_set_label(b, "\xc0\xaf", MMBUF_DURABLE_SYNC),
		      MMBUF_ELABEL);
	ck_assert_err(mmbuf_set_label(b, "ok", 7), -EINVAL);
	ck_assert_str_eq(mmbuf_label(b), l255);
	ck_assert_uint_eq(mmbuf_generation(b), gen);

	ck_assert_int_eq(mmbuf_set_label(b, labels[2], MMBUF_DURABLE_ASYNC), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(tu_path("lab.mmb"), MMBUF_RDONLY);
	ck_assert_str_eq(mmbuf_label(b), labels[2]);
	ck_assert_err(mmbuf_set_label(b, "x", MMBUF_DURABLE_SYNC),
		      MMBUF_EREADONLY);
	ck_assert_str_eq(mmbuf_label(b), labels[2]);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* A commit writes the other slot and never touches the current one. */
START_TEST(test_commit_other_slot)
{
	const char *p = tu_path("cs.mmb");
	uint8_t before[2][MMBUF_SLOT_SIZE], after[2][MMBUF_SLOT_SIZE];
	int cur;
	uint64_t gen;
	mmbuf *b;

	tu_create_closed("cs.mmb", 4096, 3);
	b = tu_open(p, MMBUF_RDWR);
	gen = mmbuf_generation(b);
	cur = tu_current_slot(p);
	ck_assert_int_eq(cur, (int)(gen % 2));
	for (int round = 0; round < 4; round++) {
		int other = 1 - cur;

		tu_slot_read(p, 0, before[0]);
		tu_slot_read(p, 1, before[1]);
		if (round % 2)
			ck_assert_int_eq(mmbuf_set_label(b, round == 1 ? "a" : "b",
							 MMBUF_DURABLE_SYNC),
					 0);
		else
			ck_assert_int_eq(mmbuf_set_length(b, 100 + (uint64_t)round,
							  MMBUF_DURABLE_SYNC),
					 0);
		tu_slot_read(p, 0, after[0]);
		tu_slot_read(p, 1, after[1]);
		ck_assert_mem_eq(after[cur], before[cur], MMBUF_SLOT_SIZE);
		ck_assert_uint_eq(tu_le64(after[other] + TU_GENERATION), gen + 1);
		ck_assert_uint_eq(tu_le64(after[other] + TU_GENERATION_TAIL),
				  gen + 1);
		ck_assert_uint_eq(tu_le32(after[other] + TU_CRC),
				  tu_slot_crc(after[other]));
		ck_assert_uint_eq(tu_le64(after[other] + TU_LENGTH),
				  mmbuf_length(b));
		ck_assert_str_eq((const char *)after[other] + TU_LABEL,
				 mmbuf_label(b));
		ck_assert_uint_eq(tu_le32(after[other] + TU_WRITER_PID),
				  (uint32_t)getpid());
		ck_assert_uint_eq(mmbuf_generation(b), gen + 1);
		gen++;
		cur = other;
	}
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/*
 * SEALED is cleared by any read-write open (mmbuf(5)).  The seal is
 * forged here as a later version would write it: DATA_CHECKSUM with the
 * XXH3-64 of data[0:length] and the generation it was taken at.
 */
START_TEST(test_sealed_cleared_by_writer)
{
	const char *p = tu_path("seal.mmb");
	uint8_t s[MMBUF_SLOT_SIZE], *data;
	mmbuf *b;

	tu_create_closed("seal.mmb", 4096, 61);
	data = malloc(4096);
	ck_assert_ptr_nonnull(data);
	tu_pread(p, 8192, data, 4096);
	for (int i = 0; i < 2; i++) {
		tu_slot_read(p, i, s);
		tu_put64(s + TU_COMPAT, MMBUF_COMPAT_DATA_CHECKSUM);
		tu_put32(s + TU_STATE, MMBUF_STATE_SEALED);
		tu_put64(s + TU_DATA_CHECKSUM, XXH3_64bits(data, 4096));
		tu_put64(s + TU_CHECKSUM_GENERATION, tu_le64(s + TU_GENERATION));
		tu_fix_crc(s);
		tu_slot_write(p, i, s);
	}
	free(data);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_state(b), MMBUF_STATE_SEALED);
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(p, MMBUF_RDWR);
	ck_assert_uint_eq(mmbuf_state(b), MMBUF_STATE_WRITER_OPEN);
	tu_slot_read(p, tu_current_slot(p), s);
	ck_assert_uint_eq(tu_le32(s + TU_STATE), MMBUF_STATE_WRITER_OPEN);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_state(b), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 4096, 61), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/*
 * A file truncated under its writer: every commit, the close's included,
 * writes the header with pwrite, so it fails or lengthens the file again,
 * but never faults (a store through a mapping of the missing page would be
 * SIGBUS, which kills the test).  The verifier then calls it truncated.
 */
START_TEST(test_commit_truncated)
{
	const char *p = tu_path("trunc.mmb");
	mmbuf_report *r;
	mmbuf *b;

	tu_create_closed("trunc.mmb", 64 * KIB, 13);
	b = tu_open(p, MMBUF_RDWR);
	tu_truncate(p, 0);
	ck_assert_int_eq(mmbuf_set_label(b, "after", MMBUF_DURABLE_SYNC), 0);
	ck_assert_int_eq(mmbuf_set_length(b, 100, MMBUF_DURABLE_NONE), 0);
	ck_assert_err(mmbuf_seal(b, 0, 0, 1, NULL, NULL), MMBUF_ETRUNCATED);
	tu_truncate(p, 100);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(tu_file_size(p), MMBUF_PAGE + MMBUF_SLOT_SIZE);
	ck_assert_int_eq(mmbuf_verify_path(p, 0, 1, NULL, NULL, &r), 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_CORRUPT);
	ck_assert_err(r->error, MMBUF_ETRUNCATED);
	mmbuf_report_free(r);
}
END_TEST

/* Give both slots of a closed buffer the generations gen (in its slot)
 * and gen - 1 (in the other), as if it had had that many commits. */
static void set_generations(const char *p, uint64_t gen)
{
	uint8_t s[MMBUF_SLOT_SIZE];

	for (int i = 0; i < 2; i++) {
		tu_slot_read(p, i, s);
		tu_set_generation(s, gen % 2 == (uint64_t)i ? gen : gen - 1);
		tu_slot_write(p, i, s);
	}
}

/* Both header pages of p are as they were in before. */
static void header_unchanged(const char *p, const uint8_t *before,
			     const char *after_what)
{
	uint8_t now[MMBUF_HEADER_SIZE];

	tu_pread(p, 0, now, sizeof now);
	ck_assert_msg(memcmp(now, before, sizeof now) == 0,
		      "%s changed the header", after_what);
}

/*
 * The last generation is 2^64 - 1: no writer commits after it (mmbuf(5),
 * "Committing a header"), since generation 0 would read as older than
 * every slot, so the commit would be lost and a crash after it unseen.
 * Every kind of commit is refused with MMBUF_EINCONSISTENT, writing
 * nothing, as Python refuses it.
 */
START_TEST(test_generation_last)
{
	const char *p = tu_path("last.mmb");
	uint8_t before[MMBUF_HEADER_SIZE], bytes[100] = { 0 };
	mmbuf *b = NULL;
	int repaired;

	tu_create_closed("last.mmb", 8 * KIB, 5);
	set_generations(p, UINT64_MAX);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_generation(b), UINT64_MAX);
	ck_assert_int_eq(mmbuf_close(b), 0);
	tu_pread(p, 0, before, sizeof before);
	/* Opening for writing commits "writer open". */
	ck_assert_err(mmbuf_open(p, MMBUF_RDWR, &b), MMBUF_EINCONSISTENT);
	ck_assert_ptr_null(b);
	header_unchanged(p, before, "a refused open");
	/* A repair of the older slot would be the next commit too. */
	tu_flip(p, TU_LABEL);
	tu_pread(p, 0, before, sizeof before);
	ck_assert_err(mmbuf_repair_path(p, 0, &repaired), MMBUF_EINCONSISTENT);
	header_unchanged(p, before, "a refused repair");

	/* One commit before the last: the open takes 2^64 - 1, and every
	 * later commit is refused. */
	p = tu_path("next.mmb");
	tu_create_closed("next.mmb", 8 * KIB, 5);
	set_generations(p, UINT64_MAX - 1);
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_uint_eq(mmbuf_generation(b), UINT64_MAX);
	ck_assert_int_eq(tu_current_slot(p), 1);
	tu_pread(p, 0, before, sizeof before);
	ck_assert_err(mmbuf_set_length(b, 10, MMBUF_DURABLE_SYNC),
		      MMBUF_EINCONSISTENT);
	ck_assert_err(mmbuf_set_label(b, "x", MMBUF_DURABLE_NONE),
		      MMBUF_EINCONSISTENT);
	ck_assert_err(mmbuf_append(b, bytes, sizeof bytes, MMBUF_DURABLE_NONE),
		      MMBUF_EINCONSISTENT);
	ck_assert_err(mmbuf_seal(b, 0, 0, 1, NULL, NULL), MMBUF_EINCONSISTENT);
	ck_assert_err(mmbuf_resize(b, 4 * KIB, 0), MMBUF_EINCONSISTENT);
	ck_assert_err(mmbuf_resize(b, 1 * MIB, 0), MMBUF_EINCONSISTENT);
	ck_assert_uint_eq(mmbuf_generation(b), UINT64_MAX);
	header_unchanged(p, before, "a refused commit");
	ck_assert_err(mmbuf_close(b), MMBUF_EINCONSISTENT);
	header_unchanged(p, before, "a refused close");
}
END_TEST

/* ro_compat of slot i of p. */
static uint64_t slot_ro_compat(const char *p, int i)
{
	uint8_t s[MMBUF_SLOT_SIZE];

	tu_slot_read(p, i, s);
	return tu_le64(s + TU_RO_COMPAT);
}

/* Clear LOCKING in both slots, as a writer that takes no locks would
 * leave them. */
static void clear_locking(const char *p)
{
	uint8_t s[MMBUF_SLOT_SIZE];

	for (int i = 0; i < 2; i++) {
		tu_slot_read(p, i, s);
		tu_put64(s + TU_RO_COMPAT,
			 tu_le64(s + TU_RO_COMPAT) & ~MMBUF_RO_COMPAT_LOCKING);
		tu_fix_crc(s);
		tu_slot_write(p, i, s);
	}
}

/* The slot that the last commit wrote has LOCKING. */
static void check_locking(const char *p, const char *after_what)
{
	int cur = tu_current_slot(p);

	ck_assert_msg(slot_ro_compat(p, cur) & MMBUF_RO_COMPAT_LOCKING,
		      "slot %d lacks LOCKING after %s", cur, after_what);
}

/*
 * A writer that takes the locks sets LOCKING in every slot it writes
 * (mmbuf(5), "Feature flags"), also in a file whose slots lack it: every
 * kind of commit, from the open's to the close's, and a repair.
 */
START_TEST(test_commit_sets_locking)
{
	const char *p = tu_path("lk.mmb");
	uint8_t bytes[100] = { 0 };
	int repaired;
	mmbuf *b;

	tu_create_closed("lk.mmb", 8 * KIB, 3);
	clear_locking(p);
	b = tu_open(p, MMBUF_RDWR);
	check_locking(p, "open");
	ck_assert_uint_eq(mmbuf_set_length(b, 10, MMBUF_DURABLE_SYNC), 0);
	check_locking(p, "set_length");
	ck_assert_uint_eq(mmbuf_set_label(b, "l", MMBUF_DURABLE_NONE), 0);
	check_locking(p, "set_label");
	ck_assert_uint_eq(mmbuf_append(b, bytes, sizeof bytes,
				       MMBUF_DURABLE_ASYNC), 0);
	check_locking(p, "append");
	ck_assert_uint_eq(mmbuf_resize(b, 64 * KIB, 0), 0);
	check_locking(p, "resize (grow)");
	ck_assert_uint_eq(mmbuf_resize(b, 16 * KIB, 0), 0);
	check_locking(p, "resize (shrink)");
	ck_assert_uint_eq(mmbuf_seal(b, 0, 0, 1, NULL, NULL), 0);
	check_locking(p, "seal");
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* A sealed close commits twice: both slots. */
	ck_assert(slot_ro_compat(p, 0) & MMBUF_RO_COMPAT_LOCKING);
	ck_assert(slot_ro_compat(p, 1) & MMBUF_RO_COMPAT_LOCKING);

	/* A repair rewrites the older slot from the current one. */
	clear_locking(p);
	tu_flip(p, (uint64_t)(1 - tu_current_slot(p)) * MMBUF_PAGE + TU_LABEL);
	ck_assert_int_eq(mmbuf_repair_path(p, 0, &repaired), 0);
	ck_assert_int_ge(repaired, 0);
	check_locking(p, "repair");
}
END_TEST

/* ---------------------------------------------------------------- */
/* sync, advise, prefault                                            */

#define RCAP (3 * 4096 + 123)

START_TEST(test_sync)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, RCAP);
	b = tu_create("s.mmb", &o);
	tu_fill(mmbuf_data(b), RCAP, 4);
	for (int d = MMBUF_DURABLE_NONE; d <= MMBUF_DURABLE_SYNC; d++) {
		ck_assert_err(mmbuf_sync(b, 0, 0, d), 0);
		ck_assert_err(mmbuf_sync(b, 0, RCAP, d), 0);
		ck_assert_err(mmbuf_sync(b, 1, 100, d), 0); /* unaligned */
		ck_assert_err(mmbuf_sync(b, 4095, 2, d), 0); /* two pages */
		ck_assert_err(mmbuf_sync(b, RCAP - 1, 1, d), 0);
		ck_assert_err(mmbuf_sync(b, 5000, 0, d), 0); /* to the end */
	}
	ck_assert_err(mmbuf_sync(b, 0, RCAP + 1, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, RCAP, 1, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, RCAP + 1, 0, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, 1, RCAP, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, UINT64_MAX, 2, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, 2, UINT64_MAX, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, UINT64_MAX, 0, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, 0, 0, 3), -EINVAL);
	ck_assert_err(mmbuf_sync(b, 0, 0, -1), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* The synced data is in the file. */
	{
		uint8_t *d = malloc(RCAP);

		ck_assert_ptr_nonnull(d);
		tu_pread(tu_path("s.mmb"), 8192, d, RCAP);
		ck_assert_int_eq(tu_check_fill(d, RCAP, 4), -1);
		free(d);
	}
}
END_TEST

START_TEST(test_advise)
{
	mmbuf_create_opts o;
	mmbuf *b;
	int rc;

	tu_opts(&o, RCAP);
	b = tu_create("a.mmb", &o);
	tu_fill(mmbuf_data(b), RCAP, 6);
	for (int a = MMBUF_ADVICE_NORMAL; a <= MMBUF_ADVICE_DONTNEED; a++) {
		ck_assert_err(mmbuf_advise(b, 0, 0, a), 0);
		ck_assert_err(mmbuf_advise(b, 100, 5000, a), 0);
		ck_assert_err(mmbuf_advise(b, RCAP - 1, 1, a), 0);
	}
	rc = mmbuf_advise(b, 0, 0, MMBUF_ADVICE_HUGEPAGE);
	ck_assert_msg(rc == 0 || rc == -EINVAL, "HUGEPAGE: %s",
		      mmbuf_err_name(rc));
	/* DONTNEED drops pages, not data. */
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), RCAP, 6), -1);

	ck_assert_err(mmbuf_advise(b, 0, 0, 6), -EINVAL);
	ck_assert_err(mmbuf_advise(b, 0, 0, -1), -EINVAL);
	ck_assert_err(mmbuf_advise(b, 0, RCAP + 1, MMBUF_ADVICE_NORMAL), -EINVAL);
	ck_assert_err(mmbuf_advise(b, RCAP, 1, MMBUF_ADVICE_NORMAL), -EINVAL);
	ck_assert_err(mmbuf_advise(b, RCAP + 1, 0, MMBUF_ADVICE_NORMAL), -EINVAL);
	ck_assert_err(mmbuf_advise(b, UINT64_MAX, 2, MMBUF_ADVICE_WILLNEED),
		      -EINVAL);
	ck_assert_err(mmbuf_advise(b, 2, UINT64_MAX, MMBUF_ADVICE_DONTNEED),
		      -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Read-only handles take advice too. */
	b = tu_open(tu_path("a.mmb"), MMBUF_RDONLY);
	ck_assert_err(mmbuf_advise(b, 0, 0, MMBUF_ADVICE_SEQUENTIAL), 0);
	ck_assert_err(mmbuf_advise(b, 0, 0, MMBUF_ADVICE_DONTNEED), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), RCAP, 6), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_prefault)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, RCAP);
	b = tu_create("pf.mmb", &o);
	tu_fill(mmbuf_data(b), RCAP, 8);
	ck_assert_err(mmbuf_prefault(b, 0, 0), 0);
	ck_assert_err(mmbuf_prefault(b, 4096, 8192), 0);
	ck_assert_err(mmbuf_prefault(b, 1, 1), 0);
	ck_assert_err(mmbuf_prefault(b, RCAP - 1, 1), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), RCAP, 8), -1);
	ck_assert_err(mmbuf_prefault(b, 0, RCAP + 1), -EINVAL);
	ck_assert_err(mmbuf_prefault(b, RCAP, 1), -EINVAL);
	ck_assert_err(mmbuf_prefault(b, RCAP + 1, 0), -EINVAL);
	ck_assert_err(mmbuf_prefault(b, UINT64_MAX, 2), -EINVAL);
	ck_assert_err(mmbuf_prefault(b, 2, UINT64_MAX), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("pf.mmb"), MMBUF_RDONLY);
	ck_assert_err(mmbuf_prefault(b, 0, 0), 0);
	ck_assert_err(mmbuf_prefault(b, 5, 10000), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), RCAP, 8), -1);
	ck_assert_err(mmbuf_prefault(b, 0, RCAP + 1), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* mmbuf_fill, and mmbuf_prefault over a large range                  */

/* The byte a fill test expects at a data offset. */
static uint8_t fill_byte(uint64_t off, uint8_t seed)
{
	return (uint8_t)((off * 2654435761u) >> 13) ^ seed;
}

/* What the fill producer saw, shared by its threads. */
struct fillrec {
	uint8_t seed;
	uint64_t bytes;         /* bytes handed out (atomic) */
	uint64_t calls;         /* calls (atomic) */
	int bad;                /* a piece broke a rule (atomic) */
	pid_t tids[64];         /* the distinct threads that called */
	int ntids;
	uint64_t fail_at;       /* return -ECANCELED for the piece holding
				 * this offset; UINT64_MAX: never */
	uint64_t after_fail;    /* calls that started after the failure */
	int failed;
	bool wait_fail;         /* the other pieces wait for the failure
				 * (at most 10 s) before they return */
};

static int fill_producer(void *dst, uint64_t offset, size_t len, void *arg)
{
	struct fillrec *r = arg;
	uint8_t *d = dst;
	pid_t me = gettid();
	bool known = false;

	if (__atomic_load_n(&r->failed, __ATOMIC_SEQ_CST))
		__atomic_fetch_add(&r->after_fail, 1, __ATOMIC_SEQ_CST);
	if (len == 0 || len > 256 * KIB)
		__atomic_store_n(&r->bad, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&r->calls, 1, __ATOMIC_SEQ_CST);
	/* Few threads, few calls: a lock-free list is not needed. */
	for (int i = 0; i < __atomic_load_n(&r->ntids, __ATOMIC_SEQ_CST); i++)
		known = known || r->tids[i] == me;
	if (!known) {
		int i = __atomic_fetch_add(&r->ntids, 1, __ATOMIC_SEQ_CST);

		if (i < 64)
			r->tids[i] = me;
	}
	if (r->fail_at >= offset && r->fail_at - offset < len) {
		__atomic_store_n(&r->failed, 1, __ATOMIC_SEQ_CST);
		return -ECANCELED;
	}
	for (size_t i = 0; i < len; i++)
		d[i] = fill_byte(offset + i, r->seed);
	for (int ms = 0; r->wait_fail && ms < 10000 &&
			 !__atomic_load_n(&r->failed, __ATOMIC_SEQ_CST); ms++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	__atomic_fetch_add(&r->bytes, len, __ATOMIC_SEQ_CST);
	return 0;
}

static void fillrec_init(struct fillrec *r, uint8_t seed)
{
	memset(r, 0, sizeof *r);
	r->seed = seed;
	r->fail_at = UINT64_MAX;
}

/* -1 if the n bytes at p hold the fill pattern of the data offsets
 * [base, base + n), else the index of the first wrong byte. */
static long check_fill_at(const uint8_t *p, uint64_t base, uint64_t n,
			  uint8_t seed)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i] != fill_byte(base + i, seed))
			return (long)i;
	return -1;
}

/* The same for the bytes [from, to) of a data region. */
static long check_fill_range(const uint8_t *data, uint64_t from, uint64_t to,
			     uint8_t seed)
{
	return check_fill_at(data + from, from, to - from, seed);
}

/* A large fill on several threads: every byte written once (the pieces
 * add up to the range, and every byte is right), in pieces of at most
 * 256 KiB, by two threads; the mapping sees the bytes, and they are in
 * the file after close. */
START_TEST(test_fill_threads)
{
	const uint64_t cap = 72 * MIB + 4096 + 17;
	mmbuf_create_opts o;
	struct fillrec r;
	uint8_t back[4096];
	mmbuf *b;

	tu_opts(&o, cap);
	o.flags = MMBUF_CREATE_SPARSE;
	b = tu_create("fill.mmb", &o);
	fillrec_init(&r, 0x5a);
	ck_assert_err(mmbuf_fill(b, 0, 0, 2, fill_producer, &r), 0);
	ck_assert_int_eq(r.bad, 0);
	ck_assert_uint_eq(r.bytes, cap);
	ck_assert_uint_ge(r.calls, (cap + 256 * KIB - 1) / (256 * KIB));
	ck_assert_int_eq(r.ntids, 2);
	ck_assert_int_eq(check_fill_range(mmbuf_data(b), 0, cap, 0x5a), -1);
	ck_assert_uint_eq(mmbuf_length(b), cap);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* Independently of the library: the last bytes are in the file. */
	tu_pread(tu_path("fill.mmb"), MMBUF_DATA_OFFSET_MIN + cap - sizeof back,
		 back, sizeof back);
	ck_assert_int_eq(check_fill_at(back, cap - sizeof back, sizeof back,
				       0x5a), -1);
}
END_TEST

/* A small range: the caller's thread alone, exactly the bytes asked for,
 * the rest untouched; one thread asked for on a large range. */
START_TEST(test_fill_range)
{
	const uint64_t cap = 40 * MIB;
	mmbuf_create_opts o;
	struct fillrec r;
	uint8_t *d;
	mmbuf *b;

	tu_opts(&o, cap);
	o.flags = MMBUF_CREATE_SPARSE;
	o.length = 0;
	b = tu_create("fillr.mmb", &o);
	d = mmbuf_data(b);
	fillrec_init(&r, 7);
	ck_assert_err(mmbuf_fill(b, 1000, 5000, 0, fill_producer, &r), 0);
	ck_assert_int_eq(r.bad, 0);
	ck_assert_uint_eq(r.calls, 1);
	ck_assert_int_eq(r.ntids, 1);
	ck_assert_int_eq(r.tids[0], gettid());
	ck_assert_int_eq(check_fill_range(d, 1000, 6000, 7), -1);
	ck_assert(all_zero(d, 1000));
	ck_assert(all_zero(d + 6000, 3 * 4096));
	ck_assert_uint_eq(mmbuf_length(b), 0);

	/* To the end, from an odd offset, on one thread: 40 MiB - 3 bytes
	 * in pieces of 256 KiB, over the first fill. */
	fillrec_init(&r, 9);
	ck_assert_err(mmbuf_fill(b, 3, 0, 1, fill_producer, &r), 0);
	ck_assert_int_eq(r.bad, 0);
	ck_assert_uint_eq(r.calls, 160);
	ck_assert_int_eq(r.ntids, 1);
	ck_assert_uint_eq(r.bytes, cap - 3);
	ck_assert(all_zero(d, 3));
	ck_assert_int_eq(check_fill_range(d, 3, cap, 9), -1);

	/* An empty range at the end calls nothing. */
	fillrec_init(&r, 1);
	ck_assert_err(mmbuf_fill(b, cap, 0, 0, fill_producer, &r), 0);
	ck_assert_uint_eq(r.calls, 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* A failing producer stops the fill: its value comes back, and no piece
 * is started after it; a full disk is an error code. */
START_TEST(test_fill_error)
{
	const uint64_t cap = 80 * MIB;
	mmbuf_create_opts o;
	struct fillrec r;
	mmbuf *b;

	tu_opts(&o, cap);
	o.flags = MMBUF_CREATE_SPARSE;
	b = tu_create("fille.mmb", &o);

	fillrec_init(&r, 3);
	r.fail_at = 9 * MIB + 1;
	ck_assert_err(mmbuf_fill(b, 0, 0, 1, fill_producer, &r), -ECANCELED);
	ck_assert_uint_eq(r.calls, 37);
	ck_assert_uint_eq(r.after_fail, 0);
	ck_assert_uint_eq(r.bytes, 9 * MIB);
	ck_assert_int_eq(check_fill_range(mmbuf_data(b), 0, 9 * MIB, 3), -1);
	ck_assert(all_zero((uint8_t *)mmbuf_data(b) + 9 * MIB, 4 * MIB));

	/* On two threads (slices of 40 MiB), a failure in the first piece
	 * of the first slice: its value comes back, nothing of that slice
	 * is written, and the other thread stops at its next piece (how
	 * far it got depends on timing). */
	fillrec_init(&r, 3);
	r.fail_at = 0;
	ck_assert_err(mmbuf_fill(b, 0, 0, 2, fill_producer, &r), -ECANCELED);
	ck_assert_uint_le(r.bytes, 40 * MIB);
	ck_assert_int_eq(check_fill_range(mmbuf_data(b), 0, 9 * MIB, 3), -1);
	ck_assert(all_zero((uint8_t *)mmbuf_data(b) + 9 * MIB, 31 * MIB));

	/* The same, with the second thread's pieces held until the first
	 * has failed: at most one of them starts after the failure (one it
	 * may have begun before seeing it), where without the stop it would
	 * go through all ten. */
	fillrec_init(&r, 5);
	r.fail_at = 0;
	r.wait_fail = true;
	ck_assert_err(mmbuf_fill(b, 0, 0, 2, fill_producer, &r), -ECANCELED);
	ck_assert_uint_le(r.after_fail, 1);
	ck_assert_uint_le(r.bytes, 256 * KIB);

	/* Arguments. */
	ck_assert_err(mmbuf_fill(b, 0, 0, 0, NULL, &r), -EINVAL);
	ck_assert_err(mmbuf_fill(b, 0, cap + 1, 0, fill_producer, &r), -EINVAL);
	ck_assert_err(mmbuf_fill(b, cap + 1, 0, 0, fill_producer, &r), -EINVAL);
	ck_assert_err(mmbuf_fill(b, UINT64_MAX, 2, 0, fill_producer, &r),
		      -EINVAL);
	ck_assert_err(mmbuf_fill(b, 2, UINT64_MAX, 0, fill_producer, &r),
		      -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("fille.mmb"), MMBUF_RDONLY);
	fillrec_init(&r, 3);
	ck_assert_err(mmbuf_fill(b, 0, 0, 0, fill_producer, &r),
		      MMBUF_EREADONLY);
	ck_assert_uint_eq(r.calls, 0);
	ck_assert_int_eq(mmbuf_close(b), 0);

	tu_opts(&o, 0);
	b = tu_create("fillz.mmb", &o);
	fillrec_init(&r, 3);
	ck_assert_err(mmbuf_fill(b, 0, 0, 0, fill_producer, &r), 0);
	ck_assert_uint_eq(r.calls, 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* mmbuf_prefault over a large sparse range: every page ends up resident
 * and the contents are untouched, for a writer and a reader. */
START_TEST(test_prefault_large)
{
	const uint64_t cap = 96 * MIB + 8192;
	const size_t pages = (size_t)(cap / 4096);
	mmbuf_create_opts o;
	unsigned char *vec = malloc(pages);
	uint8_t *d;
	mmbuf *b;

	ck_assert_ptr_nonnull(vec);
	tu_opts(&o, cap);
	o.flags = MMBUF_CREATE_SPARSE;
	b = tu_create("pfl.mmb", &o);
	d = mmbuf_data(b);
	ck_assert_int_eq(mincore(d, (size_t)cap, vec), 0);
	ck_assert_int_eq(vec[pages / 2] & 1, 0); /* a sparse file: a hole */
	memset(d + 50 * MIB, 0xab, 4096);
	ck_assert_err(mmbuf_prefault(b, 0, 0), 0);
	ck_assert_int_eq(mincore(d, (size_t)cap, vec), 0);
	for (size_t i = 0; i < pages; i++)
		ck_assert_msg(vec[i] & 1, "page %zu not resident", i);
	ck_assert(all_zero(d, 50 * MIB));
	ck_assert_int_eq(d[50 * MIB + 4095], 0xab);
	ck_assert(all_zero(d + 50 * MIB + 4096, cap - 50 * MIB - 4096));
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("pfl.mmb"), MMBUF_RDONLY);
	ck_assert_err(mmbuf_prefault(b, 4097, 80 * MIB), 0);
	ck_assert_int_eq(((uint8_t *)mmbuf_data(b))[50 * MIB], 0xab);
	ck_assert_int_eq(mmbuf_close(b), 0);
	free(vec);
}
END_TEST

START_TEST(test_capacity_zero)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, 0);
	b = tu_create("z.mmb", &o);
	ck_assert_ptr_null(mmbuf_data(b));
	ck_assert_uint_eq(mmbuf_capacity(b), 0);
	ck_assert_uint_eq(mmbuf_length(b), 0);
	ck_assert_err(mmbuf_sync(b, 0, 0, MMBUF_DURABLE_SYNC), 0);
	ck_assert_err(mmbuf_advise(b, 0, 0, MMBUF_ADVICE_NORMAL), 0);
	ck_assert_err(mmbuf_prefault(b, 0, 0), 0);
	ck_assert_err(mmbuf_sync(b, 0, 1, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_set_length(b, 0, MMBUF_DURABLE_SYNC), 0);
	ck_assert_err(mmbuf_set_length(b, 1, MMBUF_DURABLE_SYNC), MMBUF_ELENGTH);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(tu_file_size(tu_path("z.mmb")), 8192);
	b = tu_open(tu_path("z.mmb"), MMBUF_RDONLY);
	ck_assert_ptr_null(mmbuf_data(b));
	ck_assert_uint_eq(mmbuf_capacity(b), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* ---------------------------------------------------------------- */
/* The bytes of the file, read without the library                   */

/* What every slot written by this implementation must hold. */
static void check_slot_bytes(const uint8_t *s, int index, mmbuf *b,
			     const mmbuf_create_opts *o, uint32_t state)
{
	char dtype[8] = {0};
	uint8_t label[256] = {0};
	int64_t now = (int64_t)time(NULL) * 1000000000;
	int64_t ctime_ns = (int64_t)tu_le64(s + TU_CTIME);
	int64_t mtime_ns = (int64_t)tu_le64(s + TU_MTIME);

	ck_assert_mem_eq(s, "\x8d\x4d\x4d\x42\x0d\x0a\x1a\x0a", 8);
	ck_assert_uint_eq(tu_le32(s + TU_CRC), (uint32_t)tu_slot_crc(s));
	ck_assert_uint_eq(tu_le64(s + TU_GENERATION),
			  tu_le64(s + TU_GENERATION_TAIL));
	ck_assert_int_eq((int)(tu_le64(s + TU_GENERATION) % 2), index);
	ck_assert_uint_eq(tu_le16(s + TU_VERSION_MAJOR), 1);
	ck_assert_uint_eq(tu_le16(s + TU_VERSION_MINOR), 1);
	ck_assert_uint_eq(tu_le32(s + TU_SLOT_SIZE), 512);
	ck_assert_uint_eq(tu_le64(s + TU_COMPAT), MMBUF_COMPAT_NOTIFY);
	ck_assert_uint_eq(tu_le64(s + TU_RO_COMPAT), MMBUF_RO_COMPAT_LOCKING);
	ck_assert_uint_eq(tu_le64(s + TU_INCOMPAT), 0);
	ck_assert_mem_eq(s + TU_UUID, mmbuf_uuid(b), 16);
	check_uuid_v4(s + TU_UUID);
	ck_assert_msg(ctime_ns > now - INT64_C(600000000000) &&
			      ctime_ns < now + INT64_C(600000000000),
		      "ctime %lld is not now (%lld)", (long long)ctime_ns,
		      (long long)now);
	ck_assert_msg(mtime_ns >= ctime_ns, "mtime before ctime");
	ck_assert_uint_eq(tu_le64(s + TU_DATA_OFFSET), 8192);
	ck_assert_uint_eq(tu_le64(s + TU_CAPACITY), o->capacity);
	ck_assert_uint_eq(tu_le64(s + TU_LENGTH), mmbuf_length(b));
	ck_assert_uint_eq(tu_le64(s + TU_FILE_SIZE), 8192 + o->capacity);
	ck_assert_uint_eq(tu_le32(s + TU_STATE), state);
	ck_assert_uint_eq(tu_le32(s + TU_WRITER_PID), (uint32_t)getpid());
	strcpy(dtype, mmbuf_dtype(b));
	ck_assert_mem_eq(s + TU_DTYPE, dtype, 8);
	ck_assert_uint_eq(tu_le32(s + TU_NDIM), o->ndim);
	ck_assert_uint_eq(tu_le32(s + TU_BLOCK_SHIFT), 0);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(tu_le64(s + TU_SHAPE + 8 * i),
				  (uint32_t)i < o->ndim ? o->shape[i] : 0);
	ck_assert_uint_eq(tu_le64(s + TU_DATA_CHECKSUM), 0);
	ck_assert_uint_eq(tu_le64(s + TU_CHECKSUM_GENERATION), 0);
	ck_assert_uint_eq(tu_le64(s + TU_TABLE_OFFSET), 0);
	ck_assert_uint_eq(tu_le64(s + TU_TABLE_SIZE), 0);
	ck_assert(all_zero(s + TU_RESERVED1, 8));
	memcpy(label, mmbuf_label(b), strlen(mmbuf_label(b)));
	ck_assert_mem_eq(s + TU_LABEL, label, 256);
	ck_assert(all_zero(s + TU_RESERVED2, 4));
}

START_TEST(test_spec_bytes)
{
	const char *p = tu_path("spec.mmb");
	mmbuf_create_opts o;
	uint8_t *f, *s0, *s1;
	size_t n;
	mmbuf *b;

	tu_opts(&o, 10000);
	o.length = 1234;
	o.dtype = ">i2";
	o.ndim = 2;
	o.shape[0] = 100;
	o.shape[1] = 50;
	o.label = "spec \xe2\x9c\x93";
	b = tu_create("spec.mmb", &o);

	/* While the creating writer has it open. */
	f = tu_read_file(p, &n);
	ck_assert_uint_eq(n, 8192 + 10000);
	s0 = f;
	s1 = f + 4096;
	ck_assert_mem_eq(f, MMBUF_MAGIC, 8);
	ck_assert_mem_eq(f + 4096, MMBUF_MAGIC, 8);
	check_slot_bytes(s0, 0, b, &o, MMBUF_STATE_WRITER_OPEN);
	check_slot_bytes(s1, 1, b, &o, MMBUF_STATE_WRITER_OPEN);
	ck_assert_mem_eq(s0 + TU_DTYPE, ">i2\0\0\0\0\0", 8);
	ck_assert_str_eq((const char *)s0 + TU_LABEL, "spec \xe2\x9c\x93");
	/* Creation: gen 1 in slot 1, gen 2 in slot 0, otherwise the same. */
	ck_assert_uint_eq(tu_le64(s0 + TU_GENERATION), 2);
	ck_assert_uint_eq(tu_le64(s1 + TU_GENERATION), 1);
	ck_assert_mem_eq(s0 + 16, s1 + 16, TU_GENERATION_TAIL - 16);
	/* The rest of each header page is zero, and so is the new data. */
	ck_assert(all_zero(f + 512, 4096 - 512));
	ck_assert(all_zero(f + 4096 + 512, 4096 - 512));
	ck_assert(all_zero(f + 8192, 10000));
	/* The library agrees with our reading. */
	{
		mmbuf_info info;

		ck_assert_int_eq(mmbuf_validate_header(f, n, n, &info), 0);
		ck_assert_uint_eq(info.generation, 2);
		ck_assert_int_eq(info.slot, 0);
		ck_assert_uint_eq(info.length, 1234);
		ck_assert_str_eq(info.dtype, ">i2");
	}
	free(f);

	/* Stores through the mapping are the file's bytes. */
	((uint8_t *)mmbuf_data(b))[0] = 0xab;
	((uint8_t *)mmbuf_data(b))[9999] = 0xcd;
	f = tu_read_file(p, &n);
	ck_assert_uint_eq(f[8192], 0xab);
	ck_assert_uint_eq(f[8192 + 9999], 0xcd);
	free(f);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* After a clean close: gen 3 in slot 1, clean; slot 0 untouched. */
START_TEST(test_spec_after_close)
{
	const char *p = tu_path("spec.mmb");
	mmbuf_create_opts o;
	uint8_t *before, *after;
	size_t n;
	mmbuf *b;

	tu_opts(&o, 5000);
	o.dtype = "<c8";
	o.ndim = 1;
	o.shape[0] = 625;
	b = tu_create("spec.mmb", &o);
	before = tu_read_file(p, &n);
	ck_assert_int_eq(mmbuf_close(b), 0);
	after = tu_read_file(p, &n);
	ck_assert_uint_eq(n, 8192 + 5000);
	ck_assert_mem_eq(after, before, 4096); /* slot 0 (gen 2) untouched */
	ck_assert_uint_eq(tu_le64(after + 4096 + TU_GENERATION), 3);
	ck_assert_uint_eq(tu_le64(after + 4096 + TU_GENERATION_TAIL), 3);
	ck_assert_uint_eq(tu_le32(after + 4096 + TU_CRC),
			  tu_slot_crc(after + 4096));
	ck_assert_uint_eq(tu_le32(after + 4096 + TU_STATE), 0);
	ck_assert_mem_eq(after + 4096 + TU_UUID, before + TU_UUID, 16);
	ck_assert_mem_eq(after + 4096 + TU_DATA_OFFSET,
			 before + TU_DATA_OFFSET, TU_STATE - TU_DATA_OFFSET);
	ck_assert_mem_eq(after + 4096 + TU_DTYPE, "<c8\0\0\0\0\0", 8);
	ck_assert(all_zero(after + 4096 + 512, 4096 - 512));
	free(before);
	free(after);
}
END_TEST

START_TEST(test_align)
{
	static const struct {
		uint64_t align, offset;
	} ok[] = {
		{0, 8192}, {1, 8192}, {2, 8192}, {4096, 8192}, {8192, 8192},
		{16384, 16384}, {65536, 65536}, {2 * MIB, 2 * MIB},
	};
	static const uint64_t bad[] = {
		3, 6, 4097, 12288, 4 * MIB, 1ull << 40, 1ull << 63, UINT64_MAX,
	};
	const char *p = tu_path("al.mmb");

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		mmbuf_create_opts o;
		mmbuf_info info;
		mmbuf *b;
		uint8_t s[MMBUF_SLOT_SIZE];

		tu_opts(&o, 5000);
		o.align = ok[i].align;
		o.flags = MMBUF_CREATE_REPLACE;
		b = tu_create("al.mmb", &o);
		mmbuf_get_info(b, &info);
		ck_assert_uint_eq(info.data_offset, ok[i].offset);
		tu_fill(mmbuf_data(b), 5000, 12);
		ck_assert_int_eq(mmbuf_close(b), 0);
		ck_assert_uint_eq(tu_file_size(p), ok[i].offset + 5000);
		tu_slot_read(p, 1, s);
		ck_assert_uint_eq(tu_le64(s + TU_DATA_OFFSET), ok[i].offset);
		ck_assert_uint_eq(tu_le64(s + TU_FILE_SIZE), ok[i].offset + 5000);
		{
			size_t n;
			uint8_t *f = tu_read_file(p, &n);

			/* Padding between the header pages and the data. */
			ck_assert(all_zero(f + 8192, ok[i].offset - 8192));
			ck_assert_int_eq(tu_check_fill(f + ok[i].offset, 5000, 12),
					 -1);
			free(f);
		}
		b = tu_open(p, MMBUF_RDONLY);
		ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 5000, 12), -1);
		ck_assert_int_eq(mmbuf_close(b), 0);
	}
	ck_assert_int_eq(unlink(p), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mmbuf_create_opts o;
		mmbuf *b = (mmbuf *)&o;

		tu_opts(&o, 5000);
		o.align = bad[i];
		ck_assert_err(mmbuf_create(p, &o, &b), MMBUF_EALIGN);
		ck_assert_ptr_null(b);
		ck_assert_int_eq(tu_dir_entries(tu_dir), 0);
	}
}
END_TEST

/* ---------------------------------------------------------------- */
/* Atomic, exclusive and replacing creation                         */

#define KILL_ROUNDS 24

static unsigned seed_random(void)
{
	const char *env = getenv("MMBUF_TEST_SEED"); /* to replay a run */
	unsigned seed = env ? (unsigned)strtoul(env, NULL, 0)
			    : (unsigned)time(NULL) ^ (unsigned)getpid() << 8;

	srand(seed);
	return seed;
}

/* Microseconds to create and close a buffer like o here (then removed):
 * the kill delays are spread over that window. */
static unsigned create_time_us(const char *path, const mmbuf_create_opts *o)
{
	struct timespec t0, t1;
	mmbuf *b = NULL;
	long us;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(mmbuf_create(path, o, &b), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_eq(unlink(path), 0);
	us = (t1.tv_sec - t0.tv_sec) * 1000000L +
	     (t1.tv_nsec - t0.tv_nsec) / 1000;
	return (unsigned)(us < 100 ? 100 : us);
}

/*
 * Fork a child that creates path (after telling us it is about to), kill
 * it after delay_us, and return whether it had finished.
 */
static bool create_and_kill(const char *path, const mmbuf_create_opts *o,
			    unsigned delay_us)
{
	int up[2], v, status;
	pid_t pid;

	ck_assert_int_eq(pipe(up), 0);
	pid = tu_fork();
	if (pid == 0) {
		mmbuf *c = NULL;

		close(up[0]);
		tu_send(up[1], 1);
		if (mmbuf_create(path, o, &c) != 0)
			_exit(1);
		mmbuf_close(c);
		_exit(0);
	}
	close(up[1]);
	ck_assert(tu_recv(up[0], &v));
	close(up[0]);
	if (delay_us)
		usleep(delay_us);
	kill(pid, SIGKILL);
	status = tu_wait(pid);
	ck_assert_msg(WIFSIGNALED(status) ||
			      (WIFEXITED(status) && WEXITSTATUS(status) == 0),
		      "child failed to create: %#x", status);
	return WIFEXITED(status);
}

/* The path names a buffer that opens and validates; returns its capacity. */
static uint64_t check_complete(const char *path, char label[256])
{
	mmbuf *b = NULL;
	mmbuf_info info;
	uint8_t head[MMBUF_HEADER_SIZE];
	uint64_t size = tu_file_size(path), cap;
	int rc;

	rc = mmbuf_open(path, MMBUF_RDONLY, &b);
	ck_assert_msg(rc == 0, "interrupted create left a bad file: %s (size %llu)",
		      mmbuf_err_name(rc), (unsigned long long)size);
	ck_assert_uint_ge(size, MMBUF_HEADER_SIZE);
	tu_pread(path, 0, head, sizeof head);
	ck_assert_int_eq(mmbuf_validate_header(head, sizeof head, size, &info), 0);
	cap = mmbuf_capacity(b);
	ck_assert_uint_eq(info.capacity, cap);
	strcpy(label, mmbuf_label(b));
	ck_assert_int_eq(mmbuf_close(b), 0);
	return cap;
}

START_TEST(test_atomic_create_kill)
{
	const char *p = tu_path("atomic.mmb");
	unsigned seed = seed_random(), window;
	int absent = 0, complete = 0, finished = 0, strays = 0;
	mmbuf_create_opts o;

	tu_opts(&o, 64 * MIB);
	window = create_time_us(p, &o) * 3 / 2;
	for (int r = 0; r < KILL_ROUNDS; r++) {
		uint64_t want = r % 3 ? 64 * MIB : (uint64_t)(rand() % 100000);
		char label[256];

		tu_opts(&o, want);
		o.label = "new";
		if (create_and_kill(p, &o, (unsigned)rand() % window))
			finished++;
		/* A killed creator may leave a named temporary file (not with
		 * O_TMPFILE); the promise is about the target name only. */
		strays += tu_remove_others(tu_dir, "atomic.mmb");
		if (!tu_exists(p)) {
			absent++;
			continue;
		}
		ck_assert_uint_eq(check_complete(p, label), want);
		ck_assert_str_eq(label, "new");
		complete++;
		ck_assert_int_eq(unlink(p), 0);
	}
	printf("atomic create (seed %u, kills within %u us): %d absent, "
	       "%d complete, %d finished before the kill, %d stray files\n",
	       seed, window, absent, complete, finished, strays);
}
END_TEST

/* Killed while replacing: the old buffer or the complete new one. */
START_TEST(test_atomic_replace_kill)
{
	const char *p = tu_path("atomic.mmb");
	unsigned seed = seed_random(), window;
	int old = 0, new = 0, strays = 0;
	mmbuf_create_opts o;

	tu_opts(&o, 64 * MIB);
	window = create_time_us(p, &o) * 3 / 2;
	tu_opts(&o, 4096);
	o.label = "old";
	ck_assert_int_eq(mmbuf_close(tu_create("atomic.mmb", &o)), 0);
	for (int r = 0; r < KILL_ROUNDS / 2; r++) {
		char label[256];
		uint64_t cap;

		tu_opts(&o, 64 * MIB);
		o.label = "new";
		o.flags = MMBUF_CREATE_REPLACE;
		create_and_kill(p, &o, (unsigned)rand() % window);
		strays += tu_remove_others(tu_dir, "atomic.mmb");
		ck_assert_msg(tu_exists(p), "replace lost the old file");
		cap = check_complete(p, label);
		if (strcmp(label, "old") == 0) {
			ck_assert_uint_eq(cap, 4096);
			old++;
			continue;
		}
		ck_assert_str_eq(label, "new");
		ck_assert_uint_eq(cap, 64 * MIB);
		new++;
		/* Put the old one back. */
		tu_opts(&o, 4096);
		o.label = "old";
		o.flags = MMBUF_CREATE_REPLACE;
		ck_assert_int_eq(mmbuf_close(tu_create("atomic.mmb", &o)), 0);
	}
	printf("atomic replace (seed %u, kills within %u us): %d old, %d new, "
	       "%d stray files\n", seed, window, old, new, strays);
}
END_TEST

START_TEST(test_exclusive_create)
{
	static const char precious[] = "precious, not a buffer\n";
	const char *p = tu_path("x.mmb");
	mmbuf_create_opts o;
	struct stat st1, st2;
	uint8_t *before, *after;
	size_t n1, n2;
	mmbuf *b;

	tu_opts(&o, 4096);

	/* A plain file. */
	tu_write_file(p, precious, sizeof precious);
	ck_assert_int_eq(stat(p, &st1), 0);
	b = (mmbuf *)&o;
	ck_assert_err(mmbuf_create(p, &o, &b), -EEXIST);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(stat(p, &st2), 0);
	ck_assert_uint_eq(st1.st_ino, st2.st_ino);
	after = tu_read_file(p, &n2);
	ck_assert_uint_eq(n2, sizeof precious);
	ck_assert_mem_eq(after, precious, sizeof precious);
	free(after);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	ck_assert_int_eq(unlink(p), 0);

	/* A buffer, closed, then open by a writer. */
	tu_create_closed("x.mmb", 4096, 21);
	before = tu_read_file(p, &n1);
	for (int round = 0; round < 2; round++) {
		mmbuf *w = NULL;

		if (round == 1) {
			w = tu_open(p, MMBUF_RDWR); /* commits: new bytes */
			free(before);
			before = tu_read_file(p, &n1);
		}
		o.capacity = 8192;
		b = (mmbuf *)&o;
		ck_assert_err(mmbuf_create(p, &o, &b), -EEXIST);
		ck_assert_ptr_null(b);
		after = tu_read_file(p, &n2);
		ck_assert_uint_eq(n2, n1);
		ck_assert_mem_eq(after, before, n1);
		free(after);
		ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
		ck_assert_int_eq(mmbuf_close(w), 0);
	}
	free(before);

	/* A directory, and a dangling symlink, are existing names too. */
	ck_assert_int_eq(mkdir(tu_path("dir"), 0755), 0);
	ck_assert_err(mmbuf_create(tu_path("dir"), &o, &b), -EEXIST);
	ck_assert_int_eq(tu_dir_entries(tu_path("dir")), 0);
	ck_assert_int_eq(symlink("nowhere", tu_path("link")), 0);
	ck_assert_err(mmbuf_create(tu_path("link"), &o, &b), -EEXIST);
	ck_assert(!tu_exists(tu_path("nowhere")));
	ck_assert_int_eq(tu_dir_entries(tu_dir), 3);
}
END_TEST

START_TEST(test_replace)
{
	const char *p = tu_path("r.mmb");
	mmbuf_create_opts o;
	uint8_t old_uuid[16];
	mmbuf *reader, *b;

	tu_create_closed("r.mmb", 4096, 31);
	reader = tu_open(p, MMBUF_RDONLY);
	memcpy(old_uuid, mmbuf_uuid(reader), 16);

	/* Without the flag: refused. */
	tu_opts(&o, 8192);
	o.label = "replacement";
	b = (mmbuf *)&o;
	ck_assert_err(mmbuf_create(p, &o, &b), -EEXIST);
	ck_assert_ptr_null(b);

	o.flags = MMBUF_CREATE_REPLACE;
	b = tu_create("r.mmb", &o);
	ck_assert_mem_ne(mmbuf_uuid(b), old_uuid, 16);
	ck_assert(all_zero(mmbuf_data(b), 8192));
	tu_fill(mmbuf_data(b), 8192, 32);
	/* The old reader keeps the old file, unchanged. */
	ck_assert_uint_eq(mmbuf_capacity(reader), 4096);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(reader), 4096, 31), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(mmbuf_close(reader), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_str_eq(mmbuf_label(b), "replacement");
	ck_assert_uint_eq(mmbuf_capacity(b), 8192);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 8192, 32), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Replacing a file that is not a buffer, and a missing one. */
	tu_write_file(tu_path("plain"), "hello", 5);
	tu_opts(&o, 100);
	o.flags = MMBUF_CREATE_REPLACE;
	ck_assert_int_eq(mmbuf_close(tu_create("plain", &o)), 0);
	ck_assert_uint_eq(tu_file_size(tu_path("plain")), 8192 + 100);
	ck_assert_int_eq(mmbuf_close(tu_create("fresh", &o)), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 3);

	/* A failed replace leaves the old file as it was. */
	{
		uint8_t *before, *after;
		size_t n1, n2;

		before = tu_read_file(p, &n1);
		o.dtype = "<f3";
		ck_assert_err(mmbuf_create(p, &o, &b), MMBUF_EDTYPE);
		o.dtype = NULL;
		o.capacity = 1ull << 62; /* no room for that */
		ck_assert_int_lt(mmbuf_create(p, &o, &b), 0);
		ck_assert_ptr_null(b);
		after = tu_read_file(p, &n2);
		ck_assert_uint_eq(n1, n2);
		ck_assert_mem_eq(before, after, n1);
		free(before);
		free(after);
		ck_assert_int_eq(tu_dir_entries(tu_dir), 3);
	}
}
END_TEST

/* lstat of name in the test's directory. */
static struct stat node_of(const char *name)
{
	struct stat st;

	ck_assert_msg(lstat(tu_path(name), &st) == 0, "lstat %s: %s", name,
		      strerror(errno));
	return st;
}

/* name is still the node it was: same inode, type, mode and size. */
static void same_node(const char *name, const struct stat *was)
{
	struct stat now = node_of(name);

	ck_assert_msg(now.st_ino == was->st_ino &&
		      now.st_mode == was->st_mode &&
		      now.st_uid == was->st_uid && now.st_size == was->st_size,
		      "%s was replaced or changed", name);
}

/*
 * A replace replaces a regular file and nothing else: a FIFO, a socket, a
 * directory, a character device, a symbolic link (to a buffer, or to
 * nowhere) stays where it is, and the call fails with MMBUF_ENOTREG, at
 * mmbuf_create() and again at mmbuf_publish().
 */
START_TEST(test_replace_not_regular)
{
	static const char *const names[] = {"fifo", "sock", "dir", "link",
					    "dangling", "chr"};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mmbuf_create_opts o;
	struct stat was;
	int sock, cwd, entries;
	mmbuf *b;

	tu_create_closed("target.mmb", 4096, 5);
	ck_assert_int_eq(mkfifo(tu_path("fifo"), 0600), 0);
	/* Bound by a relative name: the directory's may be too long. */
	strcpy(sa.sun_path, "sock");
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(sock, 0);
	cwd = open(".", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(cwd, 0);
	ck_assert_int_eq(chdir(tu_dir), 0);
	ck_assert_int_eq(bind(sock, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(fchdir(cwd), 0);
	close(cwd);
	ck_assert_int_eq(mkdir(tu_path("dir"), 0755), 0);
	ck_assert_int_eq(symlink("target.mmb", tu_path("link")), 0);
	ck_assert_int_eq(symlink("nowhere", tu_path("dangling")), 0);
	/* /dev/null's numbers, in the scratch directory (CI runs as root). */
	if (geteuid() == 0)
		ck_assert_int_eq(mknod(tu_path("chr"), S_IFCHR | 0666,
				       makedev(1, 3)), 0);
	entries = tu_dir_entries(tu_dir);

	tu_opts(&o, 100);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(names[i], "chr") == 0 && geteuid() != 0)
			continue;
		was = node_of(names[i]);
		o.flags = MMBUF_CREATE_REPLACE;
		b = (mmbuf *)&o;
		ck_assert_err(mmbuf_create(tu_path(names[i]), &o, &b),
			      MMBUF_ENOTREG);
		ck_assert_ptr_null(b);
		o.flags = MMBUF_CREATE_REPLACE | MMBUF_CREATE_UNPUBLISHED;
		ck_assert_err(mmbuf_create(tu_path(names[i]), &o, &b),
			      MMBUF_ENOTREG);
		same_node(names[i], &was);
		ck_assert_int_eq(tu_dir_entries(tu_dir), entries);
	}
	close(sock);
	ck_assert_int_eq(tu_dir_entries(tu_path("dir")), 0);
	/* The buffer behind the link is as it was. */
	b = tu_open(tu_path("target.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_capacity(b), 4096);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 4096, 5), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Checked again at publication: a FIFO made meanwhile stays. */
	o.flags = MMBUF_CREATE_REPLACE | MMBUF_CREATE_UNPUBLISHED;
	b = tu_create("late", &o);
	ck_assert_int_eq(mkfifo(tu_path("late"), 0600), 0);
	was = node_of("late");
	ck_assert_err(mmbuf_publish(b), MMBUF_ENOTREG);
	same_node("late", &was);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), entries + 1);
}
END_TEST

/* Replace name (in dir, or the test's directory) by a new buffer of
 * capacity cap, closed; the result. */
static int replace_with(const char *path, uint64_t cap)
{
	mmbuf_create_opts o;
	mmbuf *b = NULL;
	int err;

	tu_opts(&o, cap);
	o.flags = MMBUF_CREATE_REPLACE;
	err = mmbuf_create(path, &o, &b);
	if (err == 0)
		err = mmbuf_close(b);
	return err;
}

static void check_capacity(const char *path, uint64_t cap)
{
	mmbuf *b = tu_open(path, MMBUF_RDONLY);

	ck_assert_uint_eq(mmbuf_capacity(b), cap);
	ck_assert_int_eq(mmbuf_close(b), 0);
}

/*
 * mmbuf(5), "Creating a file": what was planted under the staging name and
 * is not a dead creator's file of the writer's own user (a symbolic link,
 * another user's file, a file the writer may not open) neither stops a
 * replace nor is removed by it: the replace goes through a name of its own.
 */
START_TEST(test_replace_staging_planted)
{
	static const char planted[] = "planted\n";
	char p[PATH_MAX], staging[PATH_MAX];
	struct stat was, victim;
	int up[2], got[2] = {1, 1}, status;
	pid_t pid;

	/* Copies: tu_path() reuses its buffers. */
	snprintf(p, sizeof p, "%s", tu_path("s.mmb"));
	snprintf(staging, sizeof staging, "%s", tu_path(".s.mmb.mmbuf-new"));
	tu_create_closed("s.mmb", 100, 1);
	tu_write_file(tu_path("victim"), planted, sizeof planted);
	victim = node_of("victim");

	/* A symbolic link, to a file of ours. */
	ck_assert_int_eq(symlink("victim", staging), 0);
	was = node_of(".s.mmb.mmbuf-new");
	ck_assert_int_eq(replace_with(p, 200), 0);
	check_capacity(p, 200);
	same_node(".s.mmb.mmbuf-new", &was);
	same_node("victim", &victim);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 3);
	ck_assert_int_eq(unlink(staging), 0);

	/* Another user's file, in a sticky directory: root could remove it,
	 * and must not. */
	if (geteuid() == 0) {
		ck_assert_int_eq(chmod(tu_dir, 01777), 0);
		tu_write_file(staging, planted, sizeof planted);
		ck_assert_int_eq(chown(staging, 65534, 65534), 0);
		was = node_of(".s.mmb.mmbuf-new");
		ck_assert_int_eq(replace_with(p, 300), 0);
		check_capacity(p, 300);
		same_node(".s.mmb.mmbuf-new", &was);
		ck_assert_int_eq(tu_dir_entries(tu_dir), 3);
		ck_assert_int_eq(unlink(staging), 0);
		ck_assert_int_eq(chmod(tu_dir, 0700), 0);
	}

	/*
	 * A mode 000 file of the writer's own, which it cannot open to see
	 * whether a creator holds it.  Run as nobody when we are root (who can
	 * open anything), in a directory nobody owns.
	 */
	ck_assert_int_eq(chmod(tu_root, 0755), 0);
	ck_assert_int_eq(chmod(tu_dir, 0755), 0);
	ck_assert_int_eq(mkdir(tu_path("nb"), 0755), 0);
	if (geteuid() == 0)
		ck_assert_int_eq(chown(tu_path("nb"), 65534, 65534), 0);
	ck_assert_int_eq(pipe(up), 0);
	pid = tu_fork();
	if (pid == 0) {
		int fd;

		close(up[0]);
		tu_become_nobody();
		if (replace_with(tu_path("nb/s.mmb"), 100) != 0)
			_exit(103);
		fd = open(tu_path("nb/.s.mmb.mmbuf-new"),
			  O_WRONLY | O_CREAT | O_EXCL, 0);
		if (fd < 0 || write(fd, planted, sizeof planted) < 0)
			_exit(104);
		close(fd);
		tu_send(up[1], replace_with(tu_path("nb/s.mmb"), 400));
		tu_send(up[1], access(tu_path("nb/.s.mmb.mmbuf-new"), F_OK));
		_exit(0);
	}
	close(up[1]);
	for (int i = 0; i < 2; i++)
		if (!tu_recv(up[0], &got[i]))
			break;
	close(up[0]);
	status = tu_wait(pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child: status %#x", status);
	ck_assert_msg(got[0] == 0, "replace: %s", mmbuf_err_name(got[0]));
	ck_assert_int_eq(got[1], 0);
	check_capacity(tu_path("nb/s.mmb"), 400);
	was = node_of("nb/.s.mmb.mmbuf-new");
	ck_assert_uint_eq(was.st_mode & 07777, 0);
	ck_assert_uint_eq(was.st_size, sizeof planted);
	ck_assert_int_eq(tu_dir_entries(tu_path("nb")), 2);
	ck_assert_int_eq(chmod(tu_dir, 0700), 0);
}
END_TEST

/* Whatever the outcome, nothing but the target is left in the directory. */
START_TEST(test_no_temp_files)
{
	char l256[257];
	mmbuf_create_opts o;
	mmbuf *b;

	memset(l256, 'a', 256);
	l256[256] = '\0';

	tu_opts(&o, 4096);
	ck_assert_int_eq(mmbuf_close(tu_create("ok.mmb", &o)), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);

	o.dtype = "bad";
	ck_assert_err(mmbuf_create(tu_path("f1"), &o, &b), MMBUF_EDTYPE);
	o.dtype = NULL;
	o.label = l256;
	ck_assert_err(mmbuf_create(tu_path("f2"), &o, &b), MMBUF_ELABEL);
	o.label = NULL;
	o.length = 4097;
	ck_assert_err(mmbuf_create(tu_path("f3"), &o, &b), MMBUF_ELENGTH);
	o.length = MMBUF_LENGTH_CAPACITY;
	ck_assert_err(mmbuf_create(tu_path("ok.mmb"), &o, &b), -EEXIST);
	o.capacity = 1ull << 62;
	ck_assert_int_lt(mmbuf_create(tu_path("f4"), &o, &b), 0);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	o.capacity = 10;
	ck_assert_err(mmbuf_create(tu_path("no/such/dir"), &o, &b), -ENOENT);
	ck_assert_err(mmbuf_create(tu_path("ok.mmb/below"), &o, &b), -ENOTDIR);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* MMBUF_CREATE_UNPUBLISHED and mmbuf_publish                          */

/* Whether the test directory's file system has O_TMPFILE (without it an
 * unpublished buffer has a hidden name, which a kill leaves behind). */
static bool have_tmpfile(void)
{
#ifdef O_TMPFILE
	int fd = open(tu_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0) {
		close(fd);
		return true;
	}
#endif
	return false;
}

START_TEST(test_unpublished_create)
{
	const char *p = tu_path("u.mmb");
	mmbuf_create_opts o;
	mmbuf *b, *r;
	int entries = have_tmpfile() ? 0 : 1;

	tu_opts(&o, 64 * 1024);
	o.label = "fresh";
	o.length = 0;
	o.flags = MMBUF_CREATE_UNPUBLISHED;
	b = tu_create("u.mmb", &o);
	/* No name yet, and a handle that works as any other. */
	ck_assert(!tu_exists(p));
	ck_assert_int_eq(tu_dir_entries(tu_dir), entries);
	tu_fill(mmbuf_data(b), 32 * 1024, 41);
	ck_assert_int_eq(mmbuf_write(b, 32 * 1024, "tail", 4), 0);
	ck_assert_int_eq(mmbuf_set_length(b, 32 * 1024 + 4, MMBUF_DURABLE_NONE), 0);
	ck_assert_int_eq(mmbuf_seal(b, 0, 0, 0, NULL, NULL), 0);
	ck_assert_err(mmbuf_open(p, MMBUF_RDONLY, &r), -ENOENT);

	ck_assert_int_eq(mmbuf_publish(b), 0);
	ck_assert(tu_exists(p));
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	/* Published: the usual writer, whose file a reader can open. */
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert(mmbuf_writer_active(r));
	ck_assert_str_eq(mmbuf_label(r), "fresh");
	ck_assert_uint_eq(mmbuf_length(r), 32 * 1024 + 4);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), 32 * 1024, 41), -1);
	ck_assert_mem_eq((uint8_t *)mmbuf_data(r) + 32 * 1024, "tail", 4);
	ck_assert_int_eq(mmbuf_close(r), 0);
	ck_assert_err(mmbuf_publish(b), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);

	{
		mmbuf_report *rep = NULL;

		ck_assert_int_eq(mmbuf_verify_path(p, 0, 0, NULL, NULL, &rep), 0);
		ck_assert_int_eq(rep->verdict, MMBUF_VERDICT_OK);
		mmbuf_report_free(rep);
	}

	/* Only for a buffer made unpublished. */
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_err(mmbuf_publish(b), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);
	tu_opts(&o, 4096);
	ck_assert_err(mmbuf_publish(b = tu_create("plain.mmb", &o)), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* Closed before it is published: it was never there. */
START_TEST(test_unpublished_discard)
{
	const char *p = tu_path("d.mmb");
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, 1 << 20);
	o.flags = MMBUF_CREATE_UNPUBLISHED;
	b = tu_create("d.mmb", &o);
	tu_fill(mmbuf_data(b), 1 << 20, 42);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert(!tu_exists(p));
	ck_assert_int_eq(tu_dir_entries(tu_dir), 0);

	/* A replacement discarded: the old file stays as it was. */
	tu_create_closed("d.mmb", 4096, 43);
	o.flags = MMBUF_CREATE_UNPUBLISHED | MMBUF_CREATE_REPLACE;
	b = tu_create("d.mmb", &o);
	tu_fill(mmbuf_data(b), 1 << 20, 44);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_capacity(b), 4096);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 4096, 43), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Unknown flags are refused. */
	o.flags = 0x80;
	ck_assert_err(mmbuf_create(tu_path("z.mmb"), &o, &b), -EINVAL);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
}
END_TEST

/* reserved[] is 0 from mmbuf_create_opts_init() and in what the library
 * fills in; mmbuf_create() refuses options with a reserved field set. */
START_TEST(test_reserved_fields)
{
	const char *p = tu_path("r.mmb");
	uint8_t hdr[MMBUF_HEADER_SIZE];
	mmbuf_create_opts o;
	mmbuf_info info;
	mmbuf *b;

	memset(&o, 0xa5, sizeof o);
	mmbuf_create_opts_init(&o);
	for (size_t i = 0; i < sizeof o.reserved / sizeof o.reserved[0]; i++)
		ck_assert_uint_eq(o.reserved[i], 0);
	o.capacity = 100;
	for (size_t i = 0; i < sizeof o.reserved / sizeof o.reserved[0]; i++) {
		o.reserved[i] = 1;
		ck_assert_err(mmbuf_create(p, &o, &b), -EINVAL);
		ck_assert_ptr_null(b);
		ck_assert(!tu_exists(p));
		o.reserved[i] = 0;
	}
	b = tu_create("r.mmb", &o);
	memset(&info, 0xa5, sizeof info);
	mmbuf_get_info(b, &info);
	for (size_t i = 0; i < sizeof info.reserved / sizeof info.reserved[0];
	     i++)
		ck_assert_uint_eq(info.reserved[i], 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	tu_pread(p, 0, hdr, sizeof hdr);
	memset(&info, 0xa5, sizeof info);
	ck_assert_int_eq(mmbuf_validate_header(hdr, sizeof hdr,
					       tu_file_size(p), &info), 0);
	for (size_t i = 0; i < sizeof info.reserved / sizeof info.reserved[0];
	     i++)
		ck_assert_uint_eq(info.reserved[i], 0);
}
END_TEST

/* Exclusive: a file made meanwhile wins and is not touched; replace: the
 * old file serves readers until the new one takes its name. */
START_TEST(test_unpublished_publish_races)
{
	static const char precious[] = "made meanwhile\n";
	const char *p = tu_path("e.mmb");
	mmbuf_create_opts o;
	uint8_t *after;
	size_t n;
	mmbuf *b, *r;

	tu_opts(&o, 8192);
	o.flags = MMBUF_CREATE_UNPUBLISHED;
	b = tu_create("e.mmb", &o);
	tu_fill(mmbuf_data(b), 8192, 45);
	tu_write_file(p, precious, sizeof precious);
	ck_assert_err(mmbuf_publish(b), -EEXIST);
	after = tu_read_file(p, &n);
	ck_assert_uint_eq(n, sizeof precious);
	ck_assert_mem_eq(after, precious, n);
	free(after);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	ck_assert_int_eq(unlink(p), 0);

	tu_create_closed("e.mmb", 4096, 46);
	r = tu_open(p, MMBUF_RDONLY);
	o.flags = MMBUF_CREATE_UNPUBLISHED | MMBUF_CREATE_REPLACE;
	o.label = "new";
	b = tu_create("e.mmb", &o);
	tu_fill(mmbuf_data(b), 8192, 47);
	/* Before publication a new reader still finds the old buffer. */
	{
		mmbuf *r2 = tu_open(p, MMBUF_RDONLY);

		ck_assert_uint_eq(mmbuf_capacity(r2), 4096);
		ck_assert_int_eq(mmbuf_close(r2), 0);
	}
	ck_assert_int_eq(mmbuf_publish(b), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	/* The old reader keeps the old file; a new one sees the new. */
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), 4096, 46), -1);
	ck_assert_int_eq(mmbuf_close(r), 0);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_str_eq(mmbuf_label(r), "new");
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), 8192, 47), -1);
	ck_assert_int_eq(mmbuf_close(r), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/*
 * A child builds a buffer unpublished (fills 16 MiB, seals), publishes and
 * closes it; killed at random, it leaves the name absent or the whole,
 * sealed buffer, and with O_TMPFILE nothing else at all.
 */
START_TEST(test_unpublished_kill)
{
	const char *p = tu_path("k.mmb");
	unsigned seed = seed_random(), window;
	bool tmpfile = have_tmpfile();
	int absent = 0, complete = 0, strays = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int r = -1; r < KILL_ROUNDS; r++) {
		int up[2], v;
		pid_t pid;

		ck_assert_int_eq(pipe(up), 0);
		pid = tu_fork();
		if (pid == 0) {
			mmbuf_create_opts o;
			mmbuf *c = NULL;

			close(up[0]);
			tu_send(up[1], 1);
			tu_opts(&o, 16 * MIB);
			o.flags = MMBUF_CREATE_UNPUBLISHED;
			if (mmbuf_create(p, &o, &c) != 0)
				_exit(1);
			tu_fill(mmbuf_data(c), 16 * MIB, 48);
			if (mmbuf_seal(c, 0, 0, 0, NULL, NULL) != 0 ||
			    mmbuf_publish(c) != 0 || mmbuf_close(c) != 0)
				_exit(1);
			_exit(0);
		}
		close(up[1]);
		ck_assert(tu_recv(up[0], &v));
		close(up[0]);
		if (r < 0) {
			/* A first run to time: the kills are spread over it. */
			ck_assert_int_eq(tu_wait(pid), 0);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			window = (unsigned)((t1.tv_sec - t0.tv_sec) * 1000000L +
					    (t1.tv_nsec - t0.tv_nsec) / 1000);
			window = window * 3 / 2 + 100;
		} else {
			usleep((unsigned)rand() % window);
			kill(pid, SIGKILL);
			v = tu_wait(pid);
			ck_assert_msg(WIFSIGNALED(v) || (WIFEXITED(v) &&
							 WEXITSTATUS(v) == 0),
				      "child failed: %#x", v);
		}
		strays += tu_remove_others(tu_dir, "k.mmb");
		if (!tu_exists(p)) {
			absent++;
			continue;
		}
		{
			mmbuf *b = tu_open(p, MMBUF_RDONLY);

			ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 16 * MIB, 48),
					 -1);
			ck_assert(mmbuf_state(b) & MMBUF_STATE_SEALED);
			ck_assert_int_eq(mmbuf_close(b), 0);
		}
		complete++;
		ck_assert_int_eq(unlink(p), 0);
	}
	printf("unpublished create (seed %u, kills within %u us): %d absent, "
	       "%d complete, %d stray files\n", seed, window, absent, complete,
	       strays);
	if (tmpfile)
		ck_assert_int_eq(strays, 0);
}
END_TEST

START_TEST(test_create_arg_errors)
{
	char l256[257];
	mmbuf_create_opts o;
	mmbuf *b;
	static const char *const bad_labels[] = {
		"\xff", "caf\xc3", "\xc0\x80", "\xed\xb2\x80", "\xf5\x80\x80\x80",
	};

	memset(l256, 'a', 256);
	l256[256] = '\0';
#define REFUSE(want)                                                   \
	do {                                                           \
		b = (mmbuf *)&o;                                           \
		ck_assert_err(mmbuf_create(tu_path("e.mmb"), &o, &b), want); \
		ck_assert_ptr_null(b);                                     \
		ck_assert(!tu_exists(tu_path("e.mmb")));                   \
		tu_opts(&o, 4096);                                         \
	} while (0)

	tu_opts(&o, 4096);
	o.dtype = "<f3";
	REFUSE(MMBUF_EDTYPE);
	o.dtype = "";
	REFUSE(MMBUF_EDTYPE);
	o.dtype = "|f8"; /* '|' only for one-byte types */
	REFUSE(MMBUF_EDTYPE);
	o.ndim = 9;
	REFUSE(MMBUF_ESHAPE);
	o.ndim = 1;
	o.shape[0] = 4097; /* 4097 bytes of u1 in 4096 */
	REFUSE(MMBUF_ESHAPE);
	o.dtype = "<f8";
	o.ndim = 2;
	o.shape[0] = 32;
	o.shape[1] = 17; /* 32*17*8 = 4352 > 4096 */
	REFUSE(MMBUF_ESHAPE);
	o.ndim = 2;
	o.shape[0] = 1ull << 32;
	o.shape[1] = 1ull << 32; /* overflows */
	REFUSE(MMBUF_ESHAPE);
	o.dtype = "<c16";
	o.ndim = 1;
	o.shape[0] = 1ull << 60; /* times 16 overflows */
	REFUSE(MMBUF_ESHAPE);
	o.label = l256;
	REFUSE(MMBUF_ELABEL);
	for (size_t i = 0; i < sizeof bad_labels / sizeof bad_labels[0]; i++) {
		o.label = bad_labels[i];
		REFUSE(MMBUF_ELABEL);
	}
	o.length = 4097;
	REFUSE(MMBUF_ELENGTH);
	o.length = UINT64_MAX - 1;
	REFUSE(MMBUF_ELENGTH);
	o.align = 3;
	REFUSE(MMBUF_EALIGN);
	o.align = 4 * MIB;
	REFUSE(MMBUF_EALIGN);
#undef REFUSE

	/* The limits themselves are fine. */
	{
		char l255[256];

		memset(l255, 'a', 255);
		l255[255] = '\0';
		tu_opts(&o, 4096);
		o.label = l255;
		o.dtype = "<f8";
		o.ndim = 2;
		o.shape[0] = 16;
		o.shape[1] = 32; /* exactly 4096 bytes */
		o.length = 4096;
		b = tu_create("limits.mmb", &o);
		ck_assert_str_eq(mmbuf_label(b), l255);
		ck_assert_int_eq(mmbuf_close(b), 0);
	}
}
END_TEST

/* mmbuf_write: the bytes land in the region, seen by the mapping at once,
 * and persist; the length is not touched; ranges and modes are checked. */
START_TEST(test_write)
{
	mmbuf_create_opts o;
	uint8_t src[3 * 4096 + 100], back[sizeof src];
	mmbuf *b;

	tu_opts(&o, 5 * 4096);
	o.length = 0;
	b = tu_create("w.mmb", &o);
	tu_fill(src, sizeof src, 77);
	ck_assert_int_eq(mmbuf_write(b, 1000, src, sizeof src), 0);
	ck_assert_int_eq(memcmp((uint8_t *)mmbuf_data(b) + 1000, src,
				sizeof src), 0);
	ck_assert_uint_eq(mmbuf_length(b), 0);
	ck_assert_int_eq(mmbuf_write(b, 5 * 4096, src, 0), 0);
	ck_assert_err(mmbuf_write(b, 5 * 4096 - 10, src, 11), -EINVAL);
	ck_assert_err(mmbuf_write(b, 5 * 4096 + 1, src, 0), -EINVAL);
	ck_assert_err(mmbuf_write(b, UINT64_MAX, src, 2), -EINVAL);
	ck_assert_int_eq(mmbuf_set_length(b, 5 * 4096, MMBUF_DURABLE_SYNC), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("w.mmb"), MMBUF_RDONLY);
	ck_assert_int_eq(memcmp((uint8_t *)mmbuf_data(b) + 1000, src,
				sizeof src), 0);
	ck_assert_err(mmbuf_write(b, 0, src, 1), MMBUF_EREADONLY);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* Independently of the library: the bytes are in the file. */
	tu_pread(tu_path("w.mmb"), MMBUF_DATA_OFFSET_MIN + 1000, back,
		 sizeof back);
	ck_assert_int_eq(memcmp(back, src, sizeof src), 0);
}
END_TEST

START_TEST(test_close_null)
{
	ck_assert_int_eq(mmbuf_close(NULL), 0);
}
END_TEST

START_TEST(test_readonly_handle)
{
	mmbuf *b;
	uint64_t gen;

	tu_create_closed("ro.mmb", 4096, 41);
	b = tu_open(tu_path("ro.mmb"), MMBUF_RDONLY);
	gen = mmbuf_generation(b);
	ck_assert_int_eq(mmbuf_writable(b), 0);
	ck_assert_err(mmbuf_set_length(b, 10, MMBUF_DURABLE_SYNC),
		      MMBUF_EREADONLY);
	ck_assert_err(mmbuf_set_length(b, 4096, MMBUF_DURABLE_NONE),
		      MMBUF_EREADONLY);
	ck_assert_err(mmbuf_set_label(b, "no", MMBUF_DURABLE_SYNC),
		      MMBUF_EREADONLY);
	ck_assert_uint_eq(mmbuf_length(b), 4096);
	ck_assert_uint_eq(mmbuf_generation(b), gen);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 4096, 41), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(tu_path("ro.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_generation(b), gen);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* mmbuf_open_fd: the file behind the descriptor, read-only or for
 * writing (even from a read-only descriptor), whatever the name now
 * holds; the descriptor stays the caller's. */
START_TEST(test_open_fd_same_file)
{
	const char *p = tu_path("fd.mmb"), *q = tu_path("other.mmb");
	uint8_t x = 0xee, back;
	mmbuf *r, *w;
	int fd;

	tu_create_closed("fd.mmb", 4096, 61);
	tu_create_closed("other.mmb", 4096, 62);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(mmbuf_open_fd(fd, MMBUF_RDONLY, &r), 0);
	ck_assert_int_eq(mmbuf_writable(r), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), 4096, 61), -1);
	/* The name now holds another buffer: the descriptor's file is the
	 * one opened, for writing too. */
	ck_assert_int_eq(rename(q, p), 0);
	ck_assert_int_eq(mmbuf_open_fd(fd, MMBUF_RDWR, &w), 0);
	ck_assert_int_eq(mmbuf_writable(w), 1);
	ck_assert_int_eq(memcmp(mmbuf_uuid(w), mmbuf_uuid(r), 16), 0);
	ck_assert_int_eq(mmbuf_write(w, 5, &x, 1), 0);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_uint_eq(((const uint8_t *)mmbuf_data(r))[5], 0xee);
	ck_assert_int_eq(pread(fd, &back, 1, MMBUF_DATA_OFFSET_MIN + 5), 1);
	ck_assert_uint_eq(back, 0xee);
	/* ...and not the file that has the name now. */
	w = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(w), 4096, 62), -1);
	ck_assert_int_eq(mmbuf_close(w), 0);
	/* The handle does not need the descriptor, nor the name. */
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(mmbuf_open_fd(fd, MMBUF_RDWR, &w), 0);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(mmbuf_write(w, 6, &x, 1), 0);
	ck_assert_uint_eq(((const uint8_t *)mmbuf_data(r))[6], 0xee);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_int_eq(mmbuf_close(r), 0);
}
END_TEST

/* The handle's locks are its own: a second writer through the same
 * descriptor is refused, and closing the handle releases the lock while
 * the descriptor stays open (a duplicate descriptor would hold it). */
START_TEST(test_open_fd_own_locks)
{
	const char *p = tu_path("lk.mmb");
	mmbuf *w, *w2;
	int fd;

	tu_create_closed("lk.mmb", 4096, 63);
	fd = open(p, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(mmbuf_open_fd(fd, MMBUF_RDWR, &w), 0);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDWR, &w2), MMBUF_EBUSY);
	ck_assert_ptr_null(w2);
	ck_assert_err(mmbuf_open(p, MMBUF_RDWR, &w2), MMBUF_EBUSY);
	ck_assert_int_eq(mmbuf_close(w), 0);
	w = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_int_eq(mmbuf_open_fd(fd, MMBUF_RDWR, &w), 0);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_int_eq(close(fd), 0);
}
END_TEST

/* What mmbuf_open refuses, mmbuf_open_fd refuses the same way. */
START_TEST(test_open_fd_errors)
{
	uint8_t junk[MMBUF_HEADER_SIZE + 4096];
	mmbuf *b = (mmbuf *)&b;
	int fd, dir;

	ck_assert_err(mmbuf_open_fd(-1, MMBUF_RDONLY, &b), -EBADF);
	ck_assert_ptr_null(b);
	fd = open(tu_path("x"), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDONLY, NULL), -EINVAL);
	ck_assert_err(mmbuf_open_fd(fd, 0x2, &b), -EINVAL);
	/* Empty (not a buffer file, mmbuf(5) "Magic"), then junk: the
	 * errors of mmbuf_open. */
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDONLY, &b), MMBUF_EMAGIC);
	ck_assert_err(mmbuf_open(tu_path("x"), MMBUF_RDONLY, &b),
		      MMBUF_EMAGIC);
	memset(junk, 'j', sizeof junk);
	tu_write_file(tu_path("x"), junk, sizeof junk);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDWR, &b), MMBUF_EMAGIC);
	ck_assert_int_eq(close(fd), 0);
	/* A truncated buffer. */
	tu_create_closed("t.mmb", 8192, 64);
	tu_truncate(tu_path("t.mmb"), MMBUF_HEADER_SIZE + 4096);
	fd = open(tu_path("t.mmb"), O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDONLY, &b), MMBUF_ETRUNCATED);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDWR, &b), MMBUF_ETRUNCATED);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDONLY, &b), -EBADF);
	/* Not a regular file. */
	dir = open(tu_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dir, 0);
	ck_assert_err(mmbuf_open_fd(dir, MMBUF_RDONLY, &b), MMBUF_ENOTREG);
	ck_assert_int_eq(close(dir), 0);
	ck_assert_ptr_null(b);
	/* No descriptor leaked by the failures: the next one is dir's. */
	fd = open(tu_dir, O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(fd, dir);
	ck_assert_int_eq(close(fd), 0);
}
END_TEST

/* The permissions of the mapping holding addr, from /proc/self/maps. */
static void map_perms(const void *addr, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long lo, hi, a = (unsigned long)addr;

	ck_assert_ptr_nonnull(f);
	strcpy(perms, "none");
	while (fgets(line, sizeof line, f) != NULL) {
		char p[5];

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && a >= lo &&
		    a < hi) {
			strcpy(perms, p);
			break;
		}
	}
	fclose(f);
}

/* A read-only handle's data is mapped read-only (stores fault), shared. */
START_TEST(test_readonly_mapping)
{
	char perms[5];
	mmbuf *b;

	tu_create_closed("ro.mmb", 3 * 4096, 41);
	b = tu_open(tu_path("ro.mmb"), MMBUF_RDONLY);
	map_perms(mmbuf_data(b), perms);
	ck_assert_str_eq(perms, "r--s");
	map_perms((uint8_t *)mmbuf_data(b) + 3 * 4096 - 1, perms);
	ck_assert_str_eq(perms, "r--s");
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("ro.mmb"), MMBUF_RDWR);
	map_perms(mmbuf_data(b), perms);
	ck_assert_str_eq(perms, "rw-s");
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Slot fallback on real files                                       */

#define FCAP (3 * 4096)

/*
 * Flip a byte in the middle of one field of one slot of a cleanly closed
 * buffer: it opens from the other slot, read-only and read-write, with its
 * data, and a writer's commits repair the damaged slot.
 */
START_TEST(test_fallback_field)
{
	int s = _i / (int)tu_nfields;
	const struct tu_field *f = &tu_fields[_i % (int)tu_nfields];
	const char *p = tu_path("fb.mmb");
	int want = f->off == TU_MAGIC ? MMBUF_EMAGIC : MMBUF_ECHECKSUM;
	mmbuf_info info;
	mmbuf *b;

	tu_create_closed("fb.mmb", FCAP, 51);
	tu_flip(p, (uint64_t)s * MMBUF_PAGE + f->off + f->size / 2);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_msg(mmbuf_slot_status(b, s) == want,
		      "slot %d field %s: status %s, want %s", s, f->name,
		      mmbuf_err_name(mmbuf_slot_status(b, s)),
		      mmbuf_err_name(want));
	ck_assert_int_eq(mmbuf_slot_status(b, 1 - s), 0);
	ck_assert_err(mmbuf_slot_status(b, 2), -EINVAL);
	ck_assert_err(mmbuf_slot_status(b, -1), -EINVAL);
	mmbuf_get_info(b, &info);
	ck_assert_int_eq(info.slot, 1 - s);
	ck_assert_int_eq(info.slot_status[s], want);
	ck_assert_uint_eq(mmbuf_capacity(b), FCAP);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), FCAP, 51), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* (What a writer's slot_status says: test_fallback_rdwr_status.) */
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), FCAP, 51), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_slot_status(b, 0), 0);
	ck_assert_int_eq(mmbuf_slot_status(b, 1), 0);
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), FCAP, 51), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/*
 * A read-write open reports what it found too ("what open found in header
 * slot 0 or 1"), although its own first commit overwrites the damaged
 * slot (the older one, or the one that was current but unreadable).
 */
START_TEST(test_fallback_rdwr_status)
{
	const char *p = tu_path("fbw.mmb");

	for (int s = 0; s < 2; s++) {
		mmbuf *b;

		tu_create_closed("fbw.mmb", FCAP, 53);
		tu_flip(p, (uint64_t)s * MMBUF_PAGE + TU_LENGTH);
		b = tu_open(p, MMBUF_RDWR);
		ck_assert_int_eq(tu_check_fill(mmbuf_data(b), FCAP, 53), -1);
		ck_assert_msg(mmbuf_slot_status(b, s) == MMBUF_ECHECKSUM,
			      "rdwr open, slot %d damaged: slot_status %s",
			      s, mmbuf_err_name(mmbuf_slot_status(b, s)));
		ck_assert_int_eq(mmbuf_slot_status(b, 1 - s), 0);
		ck_assert_int_eq(mmbuf_close(b), 0);
		ck_assert_int_eq(unlink(p), 0);
	}
}
END_TEST

/* A forged slot with a good CRC but generation head != tail is torn. */
START_TEST(test_fallback_torn)
{
	const char *p = tu_path("torn.mmb");

	for (int s = 0; s < 2; s++) {
		uint8_t slot[MMBUF_SLOT_SIZE];
		mmbuf *b;

		tu_create_closed("torn.mmb", FCAP, 52);
		tu_slot_read(p, s, slot);
		tu_put64(slot + TU_GENERATION, tu_le64(slot + TU_GENERATION) + 2);
		tu_fix_crc(slot);
		tu_slot_write(p, s, slot);
		b = tu_open(p, MMBUF_RDONLY);
		ck_assert_err(mmbuf_slot_status(b, s), MMBUF_ETORN);
		ck_assert_int_eq(mmbuf_slot_status(b, 1 - s), 0);
		ck_assert_int_eq(tu_check_fill(mmbuf_data(b), FCAP, 52), -1);
		ck_assert_int_eq(mmbuf_close(b), 0);
		ck_assert_int_eq(unlink(p), 0);
	}
}
END_TEST

Suite *mmbuf_buffer_suite(void);

Suite *mmbuf_buffer_suite(void)
{
	Suite *s = suite_create("buffer");
	TCase *tc;

	tc = tu_tcase(s, "roundtrip", 60);
	tcase_add_loop_test(tc, test_roundtrip_dtype, 0, (int)(2 * tu_ndtypes));
	tcase_add_loop_test(tc, test_roundtrip_ndim, 0, MMBUF_MAX_DIMS + 1);
	tcase_add_test(tc, test_uuid_distinct);
	tc = tu_tcase(s, "create_opts", 60);
	tcase_add_test(tc, test_create_defaults);
	tcase_add_test(tc, test_reserved_fields);
	tcase_add_test(tc, test_create_dtype_forms);
	tcase_add_test(tc, test_create_mode);
	tcase_add_test(tc, test_create_sparse);
	tc = tu_tcase(s, "create_errors", 60);
	tcase_add_test(tc, test_create_arg_errors);
	tc = tu_tcase(s, "persistence", 60);
	tcase_add_test(tc, test_persist_reopen);
	tcase_add_test(tc, test_persist_child_process);
	tcase_add_test(tc, test_live_visibility);
	tc = tu_tcase(s, "generation", 60);
	tcase_add_test(tc, test_generation);
	tc = tu_tcase(s, "set_length", 60);
	tcase_add_test(tc, test_set_length);
	tcase_add_test(tc, test_length_survives_crash);
	tc = tu_tcase(s, "set_label", 60);
	tcase_add_test(tc, test_set_label);
	tc = tu_tcase(s, "commit", 60);
	tcase_add_test(tc, test_commit_other_slot);
	tcase_add_test(tc, test_sealed_cleared_by_writer);
	tc = tu_tcase(s, "commit_truncated", 60);
	tcase_add_test(tc, test_commit_truncated);
	tc = tu_tcase(s, "generation_last", 60);
	tcase_add_test(tc, test_generation_last);
	tc = tu_tcase(s, "commit_locking", 60);
	tcase_add_test(tc, test_commit_sets_locking);
	tc = tu_tcase(s, "sync", 60);
	tcase_add_test(tc, test_sync);
	tcase_add_test(tc, test_write);
	tc = tu_tcase(s, "advise", 60);
	tcase_add_test(tc, test_advise);
	tc = tu_tcase(s, "prefault", 60);
	tcase_add_test(tc, test_prefault);
	tcase_add_test(tc, test_prefault_large);
	tc = tu_tcase(s, "fill", 120);
	tcase_add_test(tc, test_fill_threads);
	tcase_add_test(tc, test_fill_range);
	tcase_add_test(tc, test_fill_error);
	tc = tu_tcase(s, "capacity_zero", 60);
	tcase_add_test(tc, test_capacity_zero);
	tc = tu_tcase(s, "spec_bytes", 60);
	tcase_add_test(tc, test_spec_bytes);
	tcase_add_test(tc, test_spec_after_close);
	tc = tu_tcase(s, "align", 60);
	tcase_add_test(tc, test_align);
	tc = tu_tcase(s, "atomic_create", 120);
	tcase_add_test(tc, test_atomic_create_kill);
	tcase_add_test(tc, test_atomic_replace_kill);
	tc = tu_tcase(s, "exclusive_create", 60);
	tcase_add_test(tc, test_exclusive_create);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_no_temp_files);
	tcase_add_test(tc, test_unpublished_create);
	tcase_add_test(tc, test_unpublished_discard);
	tcase_add_test(tc, test_unpublished_publish_races);
	tcase_add_test(tc, test_unpublished_kill);
	tc = tu_tcase(s, "replace_not_regular", 60);
	tcase_add_test(tc, test_replace_not_regular);
	tc = tu_tcase(s, "replace_staging_planted", 60);
	tcase_add_test(tc, test_replace_staging_planted);
	tc = tu_tcase(s, "open_fd", 60);
	tcase_add_test(tc, test_open_fd_same_file);
	tcase_add_test(tc, test_open_fd_own_locks);
	tcase_add_test(tc, test_open_fd_errors);
	tc = tu_tcase(s, "close", 60);
	tcase_add_test(tc, test_close_null);
	tc = tu_tcase(s, "readonly", 60);
	tcase_add_test(tc, test_readonly_handle);
	tcase_add_test(tc, test_readonly_mapping);
	tc = tu_tcase(s, "slot_fallback", 60);
	tcase_add_loop_test(tc, test_fallback_field, 0, (int)(2 * tu_nfields));
	tcase_add_test(tc, test_fallback_rdwr_status);
	tcase_add_test(tc, test_fallback_torn);
	return s;
}
