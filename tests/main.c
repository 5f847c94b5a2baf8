/*
 * main.c - the main() of every Check program of mmbuf.
 *
 * Each program is built from this file and one area, with
 * -DMMBUF_TEST_SUITE=mmbuf_<area>_suite naming the area's suite.
 */
#include "config.h"

#include <stdlib.h>

#include "testutil.h"

#ifndef MMBUF_TEST_SUITE
#error "build with -DMMBUF_TEST_SUITE=mmbuf_<area>_suite"
#endif

#define STR_(x) #x
#define STR(x) STR_(x)

Suite *MMBUF_TEST_SUITE(void);

int main(void)
{
	SRunner *sr;
	int failed;

	tu_init(STR(MMBUF_TEST_SUITE));
	sr = srunner_create(MMBUF_TEST_SUITE());
	/* CK_FORK stays the default: every test runs in its own process. */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_fini();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
