/* error.c - messages and names for every error code. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *mmbuf_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
#define MSG_(name, value, msg) \
	case MMBUF_E##name: \
		return msg;
	MMBUF_ERROR_MAP(MSG_)
#undef MSG_
	}
	if (err < 0 && err > -4096) {
#ifdef HAVE_STRERRORDESC_NP
		/* Static and thread-safe, unlike strerror(). */
		const char *s = strerrordesc_np(-err);
		if (s != NULL)
			return s;
#else
		return strerror(-err);
#endif
	}
	return "unknown error";
}

const char *mmbuf_err_name(int err)
{
	switch (err) {
	case 0:
		return "OK";
#define NAME_(name, value, msg) \
	case MMBUF_E##name: \
		return "MMBUF_E" #name;
	MMBUF_ERROR_MAP(NAME_)
#undef NAME_
	}
	if (err < 0 && err > -4096) {
#ifdef HAVE_STRERRORNAME_NP
		const char *s = strerrorname_np(-err);
		if (s != NULL)
			return s;
#else
		switch (-err) {
		case ENOENT: return "ENOENT";
		case EACCES: return "EACCES";
		case EEXIST: return "EEXIST";
		case EINVAL: return "EINVAL";
		case ENOSPC: return "ENOSPC";
		case ENOMEM: return "ENOMEM";
		case EIO: return "EIO";
		}
#endif
	}
	return "UNKNOWN";
}

const char *mmbuf_version(void)
{
	return MMBUF_VERSION_STRING;
}
