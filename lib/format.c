/*
 * format.c - encoding and validation of the header (mmbuf(5)).
 *
 * Everything here is a pure function over bytes: no I/O, no allocation,
 * so tests and fuzzers can call it directly on hostile input.
 */
#include "internal.h"

#include <errno.h>
#include <stddef.h>

static bool mul_overflow(uint64_t a, uint64_t b, uint64_t *r)
{
	return __builtin_mul_overflow(a, b, r);
}

static bool add_overflow(uint64_t a, uint64_t b, uint64_t *r)
{
	return __builtin_add_overflow(a, b, r);
}

int mmbuf_utf8_decode(const void *s, size_t n, uint32_t *cp)
{
	const uint8_t *b = s;
	size_t len;
	uint32_t c;

	if (s == NULL || n == 0)
		return -EILSEQ;
	if (b[0] < 0x80) {
		len = 1;
		c = b[0];
	} else if (b[0] >= 0xc2 && b[0] <= 0xdf) {
		len = 2;
		c = b[0] & 0x1f;
	} else if (b[0] >= 0xe0 && b[0] <= 0xef) {
		len = 3;
		c = b[0] & 0x0f;
	} else if (b[0] >= 0xf0 && b[0] <= 0xf4) {
		len = 4;
		c = b[0] & 0x07;
	} else {
		return -EILSEQ;
	}
	if (n < len)
		return -EILSEQ;
	for (size_t k = 1; k < len; k++) {
		if ((b[k] & 0xc0) != 0x80)
			return -EILSEQ;
		c = c << 6 | (b[k] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return -EILSEQ;
	if (cp != NULL)
		*cp = c;
	return (int)len;
}

/* Strict UTF-8 throughout. */
static bool valid_utf8(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		int k = mmbuf_utf8_decode(s + i, n - i, NULL);

		if (k < 0)
			return false;
		i += (size_t)k;
	}
	return true;
}

int mmbuf__check_label(const char *label)
{
	size_t n = strlen(label);

	if (n > MMBUF_LABEL_MAX || !valid_utf8((const uint8_t *)label, n))
		return MMBUF_ELABEL;
	return 0;
}

int mmbuf__check_shape(uint32_t ndim, const uint64_t *shape,
		       uint32_t itemsize, uint64_t capacity)
{
	uint64_t bytes = itemsize;

	if (ndim > MMBUF_MAX_DIMS)
		return MMBUF_ESHAPE;
	for (uint32_t i = 0; i < ndim; i++)
		if (mul_overflow(bytes, shape[i], &bytes))
			return MMBUF_ESHAPE;
	if (ndim > 0 && bytes > capacity)
		return MMBUF_ESHAPE;
	return 0;
}

int mmbuf__row_bytes(uint32_t ndim, const uint64_t *shape, uint32_t itemsize,
		     uint64_t *row)
{
	uint64_t bytes = itemsize;

	if (ndim < 1 || ndim > MMBUF_MAX_DIMS)
		return MMBUF_ESHAPE;
	for (uint32_t i = 1; i < ndim; i++)
		if (mul_overflow(bytes, shape[i], &bytes))
			return MMBUF_ESHAPE;
	if (bytes == 0)
		return MMBUF_ESHAPE;
	*row = bytes;
	return 0;
}

void mmbuf__grow_rows(mmbuf_info *h)
{
	uint64_t row;

	if ((h->ro_compat & MMBUF_RO_COMPAT_GROWING) &&
	    mmbuf__row_bytes(h->ndim, h->shape, h->itemsize, &row) == 0)
		h->shape[0] = h->length / row;
}

/*
 * Where the data starts and how big the file is, for a capacity and a
 * data alignment (0 meaning the default, a page).
 */
int mmbuf__layout(uint64_t capacity, uint64_t align, uint64_t *data_offset,
		  uint64_t *file_size)
{
	uint64_t off = MMBUF_DATA_OFFSET_MIN;

	if (align == 0)
		align = MMBUF_PAGE;
	if ((align & (align - 1)) != 0 || align > MMBUF_DATA_OFFSET_MAX)
		return MMBUF_EALIGN;
	if (align > off)
		off = align;
	/* Keep the file size within off_t. */
	if (capacity > (uint64_t)INT64_MAX - off)
		return -EFBIG;
	*data_offset = off;
	*file_size = off + capacity;
	return 0;
}

/*
 * The integer fields of a header slot (mmbuf(5), "Header slot"): where
 * each is in the slot, where in mmbuf_info, and its bytes, little-endian
 * in the slot, native in mmbuf_info (ctime_ns and mtime_ns, signed there,
 * are their two's complement bits).  encode_slot and decode_slot both
 * walk it, so a field is added in one place.
 */
#define FIELD(slot, member) \
	{ slot, offsetof(mmbuf_info, member), sizeof(((mmbuf_info *)0)->member) }
static const struct slot_field {
	uint16_t slot;   /* byte offset in the slot */
	uint16_t info;   /* byte offset in mmbuf_info */
	uint8_t size;    /* 2, 4 or 8 */
} slot_fields[] = {
	FIELD(SLOT_GENERATION, generation),
	FIELD(SLOT_VERSION_MAJOR, version_major),
	FIELD(SLOT_VERSION_MINOR, version_minor),
	FIELD(SLOT_COMPAT, compat),
	FIELD(SLOT_RO_COMPAT, ro_compat),
	FIELD(SLOT_INCOMPAT, incompat),
	FIELD(SLOT_CTIME, ctime_ns),
	FIELD(SLOT_MTIME, mtime_ns),
	FIELD(SLOT_DATA_OFFSET, data_offset),
	FIELD(SLOT_CAPACITY, capacity),
	FIELD(SLOT_LENGTH, length),
	FIELD(SLOT_FILE_SIZE, file_size),
	FIELD(SLOT_STATE, state),
	FIELD(SLOT_WRITER_PID, writer_pid),
	FIELD(SLOT_NDIM, ndim),
	FIELD(SLOT_BLOCK_SHIFT, block_shift),
	FIELD(SLOT_DATA_CHECKSUM, data_checksum),
	FIELD(SLOT_CHECKSUM_GENERATION, checksum_generation),
	FIELD(SLOT_TABLE_OFFSET, table_offset),
	FIELD(SLOT_TABLE_SIZE, table_size),
};
#undef FIELD

void mmbuf__encode_slot(const mmbuf_info *h, uint8_t p[MMBUF_SLOT_SIZE])
{
	memset(p, 0, MMBUF_SLOT_SIZE);
	memcpy(p + SLOT_MAGIC, MMBUF_MAGIC, MMBUF_MAGIC_LEN);
	mmbuf__put32(p + SLOT_SLOT_SIZE, MMBUF_SLOT_SIZE);
	for (size_t i = 0; i < sizeof slot_fields / sizeof slot_fields[0]; i++) {
		const struct slot_field *f = &slot_fields[i];
		const uint8_t *m = (const uint8_t *)h + f->info;
		uint16_t v16;
		uint32_t v32;
		uint64_t v64;

		switch (f->size) {
		case 2:
			memcpy(&v16, m, 2);
			mmbuf__put16(p + f->slot, v16);
			break;
		case 4:
			memcpy(&v32, m, 4);
			mmbuf__put32(p + f->slot, v32);
			break;
		default:
			memcpy(&v64, m, 8);
			mmbuf__put64(p + f->slot, v64);
			break;
		}
	}
	memcpy(p + SLOT_UUID, h->uuid, 16);
	memcpy(p + SLOT_DTYPE, h->dtype, strnlen(h->dtype, MMBUF_DTYPE_MAX));
	for (uint32_t i = 0; i < h->ndim && i < MMBUF_MAX_DIMS; i++)
		mmbuf__put64(p + SLOT_SHAPE + 8 * i, h->shape[i]);
	memcpy(p + SLOT_LABEL, h->label, strnlen(h->label, MMBUF_LABEL_MAX));
	mmbuf__put64(p + SLOT_GENERATION_TAIL, h->generation);
	mmbuf__put32(p + SLOT_CRC, mmbuf__crc32(p, SLOT_CRC));
}

static void decode_slot(const uint8_t *p, mmbuf_info *h)
{
	memset(h, 0, sizeof *h);
	for (size_t i = 0; i < sizeof slot_fields / sizeof slot_fields[0]; i++) {
		const struct slot_field *f = &slot_fields[i];
		uint8_t *m = (uint8_t *)h + f->info;
		uint16_t v16;
		uint32_t v32;
		uint64_t v64;

		switch (f->size) {
		case 2:
			v16 = mmbuf__le16(p + f->slot);
			memcpy(m, &v16, 2);
			break;
		case 4:
			v32 = mmbuf__le32(p + f->slot);
			memcpy(m, &v32, 4);
			break;
		default:
			v64 = mmbuf__le64(p + f->slot);
			memcpy(m, &v64, 8);
			break;
		}
	}
	memcpy(h->uuid, p + SLOT_UUID, 16);
	for (int i = 0; i < MMBUF_MAX_DIMS; i++)
		h->shape[i] = mmbuf__le64(p + SLOT_SHAPE + 8 * i);
	/* Only well-formed strings are copied out: check_text() vets them. */
	memcpy(h->dtype, p + SLOT_DTYPE, MMBUF_DTYPE_MAX);
	h->dtype[MMBUF_DTYPE_MAX] = '\0';
	memcpy(h->label, p + SLOT_LABEL, MMBUF_LABEL_MAX);
	h->label[MMBUF_LABEL_MAX] = '\0';
}

/* A NUL-padded text field: a NUL within it, and only NULs after the first. */
static bool padded_text(const uint8_t *p, size_t size)
{
	const uint8_t *nul = memchr(p, 0, size);

	if (nul == NULL)
		return false;
	for (const uint8_t *q = nul; q < p + size; q++)
		if (*q != 0)
			return false;
	return true;
}

/* The text fields of a slot, which decode_slot() cannot judge. */
static int check_text(const uint8_t *p)
{
	if (!padded_text(p + SLOT_DTYPE, 8) ||
	    !padded_text(p + SLOT_LABEL, SLOT_LABEL_SIZE))
		return MMBUF_EINCONSISTENT;
	if (!valid_utf8(p + SLOT_LABEL, strlen((const char *)p + SLOT_LABEL)))
		return MMBUF_EINCONSISTENT;
	return 0;
}

/* The integrity of a slot: is it the whole slot a writer wrote? */
static int check_integrity(const uint8_t *p, size_t avail, int index)
{
	uint64_t gen;

	if (avail < MMBUF_MAGIC_LEN)
		return memcmp(p, MMBUF_MAGIC, avail) == 0 ? MMBUF_ETRUNCATED
							   : MMBUF_EMAGIC;
	if (memcmp(p, MMBUF_MAGIC, MMBUF_MAGIC_LEN) != 0)
		return MMBUF_EMAGIC;
	if (avail < MMBUF_SLOT_SIZE)
		return MMBUF_ETRUNCATED;
	if (mmbuf__crc32(p, SLOT_CRC) != mmbuf__le32(p + SLOT_CRC))
		return MMBUF_ECHECKSUM;
	gen = mmbuf__le64(p + SLOT_GENERATION);
	if (gen != mmbuf__le64(p + SLOT_GENERATION_TAIL))
		return MMBUF_ETORN;
	if (gen % 2 != (uint64_t)index ||
	    mmbuf__le32(p + SLOT_SLOT_SIZE) != MMBUF_SLOT_SIZE)
		return MMBUF_EINCONSISTENT;
	return 0;
}

/* mmbuf(5), "Block checksum table": the blocks of 2^shift bytes that
 * cover n bytes, one table entry each. */
uint64_t mmbuf__nblocks(uint64_t n, uint32_t shift)
{
	return (n >> shift) + ((n & ((1ull << shift) - 1)) != 0);
}

/* The file offset of the block table of a data region that ends at file
 * offset end: the first page boundary at or after it. */
uint64_t mmbuf__table_offset(uint64_t end)
{
	return (end + MMBUF_PAGE - 1) / MMBUF_PAGE * MMBUF_PAGE;
}

/* The rules of mmbuf(5), "Field validation", for a decoded slot. */
int mmbuf__check_fields(const mmbuf_info *h)
{
	uint64_t end, t;
	uint32_t itemsize;

	if (h->data_offset % MMBUF_PAGE != 0 ||
	    h->data_offset < MMBUF_DATA_OFFSET_MIN ||
	    h->data_offset > MMBUF_DATA_OFFSET_MAX)
		return MMBUF_EINCONSISTENT;
	if (h->length > h->capacity)
		return MMBUF_EINCONSISTENT;
	if (add_overflow(h->data_offset, h->capacity, &end) ||
	    end > (uint64_t)INT64_MAX)
		return MMBUF_EINCONSISTENT;
	if (h->ro_compat & MMBUF_RO_COMPAT_BLOCK_TABLE) {
		uint64_t blocks, table_off;

		if (h->block_shift < MMBUF_BLOCK_SHIFT_MIN ||
		    h->block_shift > MMBUF_BLOCK_SHIFT_MAX)
			return MMBUF_EINCONSISTENT;
		blocks = mmbuf__nblocks(h->capacity, h->block_shift);
		table_off = mmbuf__table_offset(end);
		if (h->table_offset != table_off ||
		    h->table_size != blocks * 8 ||
		    add_overflow(table_off, blocks * 8, &t) ||
		    h->file_size != t || t > (uint64_t)INT64_MAX)
			return MMBUF_EINCONSISTENT;
	} else {
		if (h->block_shift != 0 || h->table_offset != 0 ||
		    h->table_size != 0 || h->file_size != end)
			return MMBUF_EINCONSISTENT;
	}
	/* '<' or '>' then a code; writers store '<' for one-byte types, but
	 * a reader accepts either there. */
	if (mmbuf_dtype_check(h->dtype, &itemsize) != 0)
		return MMBUF_EINCONSISTENT;
	if (h->ndim > MMBUF_MAX_DIMS)
		return MMBUF_EINCONSISTENT;
	for (uint32_t i = h->ndim; i < MMBUF_MAX_DIMS; i++)
		if (h->shape[i] != 0)
			return MMBUF_EINCONSISTENT;
	if (mmbuf__check_shape(h->ndim, h->shape, itemsize, h->capacity) != 0)
		return MMBUF_EINCONSISTENT;
	if (h->ro_compat & MMBUF_RO_COMPAT_GROWING) {
		uint64_t row;

		if (mmbuf__row_bytes(h->ndim, h->shape, itemsize, &row) != 0 ||
		    h->shape[0] != h->length / row)
			return MMBUF_EINCONSISTENT;
	}
	if (h->state & ~MMBUF_STATE_KNOWN)
		return MMBUF_EINCONSISTENT;
	if (!(h->compat & MMBUF_COMPAT_DATA_CHECKSUM) &&
	    (h->data_checksum != 0 || h->checksum_generation != 0 ||
	     (h->state & MMBUF_STATE_SEALED)))
		return MMBUF_EINCONSISTENT;
	return 0;
}

/* What the reader of mmbuf(5) does with a slot that is intact. */
static int check_slot(const uint8_t *p, mmbuf_info *h)
{
	int err;

	decode_slot(p, h);
	if (h->version_major != MMBUF_FORMAT_VERSION_MAJOR)
		return MMBUF_EVERSION;
	if (h->incompat & ~MMBUF_INCOMPAT_KNOWN)
		return MMBUF_EFEATURE;
	if ((err = check_text(p)) != 0)
		return err;
	return mmbuf__check_fields(h);
}

/*
 * Slot index alone (its MMBUF_SLOT_SIZE bytes at p): its integrity, then
 * what a reader checks of an intact slot.  *out is filled as
 * mmbuf_validate_header() fills it, but slot_status, which cannot tell
 * anything of the other slot, is 0 for both.
 */
int mmbuf__validate_slot(const uint8_t *p, int index, mmbuf_info *out)
{
	mmbuf_info h;
	int err;

	memset(&h, 0, sizeof h);
	if ((err = check_integrity(p, MMBUF_SLOT_SIZE, index)) != 0 ||
	    (err = check_slot(p, &h)) != 0)
		return err;
	mmbuf_dtype_parse(h.dtype, NULL, &h.itemsize);
	h.slot = index;
	*out = h;
	return 0;
}

int mmbuf_validate_header(const void *bytes, size_t len, uint64_t file_size,
			  mmbuf_info *out)
{
	const uint8_t *b = bytes;
	int integ[2], status[2];
	mmbuf_info cand[2];
	int first, second;

	if (bytes == NULL)
		len = 0;
	if (len > file_size)
		len = (size_t)file_size;
	for (int i = 0; i < 2; i++) {
		size_t start = (size_t)i * MMBUF_PAGE;
		size_t avail = len > start ? len - start : 0;

		if (avail > MMBUF_SLOT_SIZE)
			avail = MMBUF_SLOT_SIZE;
		/* Never form a pointer past the bytes we were given. */
		integ[i] = avail == 0 ? MMBUF_ETRUNCATED
				      : check_integrity(b + start, avail, i);
		status[i] = integ[i] == 0 ? check_slot(b + start, &cand[i])
					  : integ[i];
	}
	if (out != NULL) {
		memset(out, 0, sizeof *out);
		out->slot = -1;
		out->slot_status[0] = status[0];
		out->slot_status[1] = status[1];
	}

	if (integ[0] != 0 && integ[1] != 0) {
		/*
		 * Neither slot is intact.  A file in which no slot starts
		 * with the whole magic is not a buffer file (mmbuf(5),
		 * "Magic"), even an empty one; otherwise the first slot that
		 * has the magic says what is damaged.
		 */
		if (len >= MMBUF_MAGIC_LEN &&
		    memcmp(b, MMBUF_MAGIC, MMBUF_MAGIC_LEN) == 0)
			return integ[0];
		if (len >= MMBUF_PAGE + MMBUF_MAGIC_LEN &&
		    memcmp(b + MMBUF_PAGE, MMBUF_MAGIC, MMBUF_MAGIC_LEN) == 0)
			return integ[1];
		return MMBUF_EMAGIC;
	}

	/* The intact slot with the higher generation is the current one. */
	if (integ[0] == 0 && integ[1] == 0)
		first = cand[1].generation > cand[0].generation;
	else
		first = integ[0] == 0 ? 0 : 1;
	second = 1 - first;

	/*
	 * A newer version or an unknown incompatible feature refuses the
	 * file: falling back to the older slot would roll back a newer
	 * writer's state.  Invalid fields in an intact slot are damage, and
	 * the other slot may still serve.
	 */
	if (status[first] == MMBUF_EVERSION || status[first] == MMBUF_EFEATURE)
		return status[first];
	if (status[first] != 0) {
		if (integ[second] != 0 || status[second] != 0)
			return status[first];
		first = second;
	}
	if (file_size < cand[first].file_size)
		return MMBUF_ETRUNCATED;
	if (out != NULL) {
		int s0 = status[0], s1 = status[1];

		*out = cand[first];
		mmbuf_dtype_parse(out->dtype, NULL, &out->itemsize);
		out->slot = first;
		out->slot_status[0] = s0;
		out->slot_status[1] = s1;
	}
	return 0;
}
