# man: the manual pages, in mdoc: the library (mmbuf.3), the file format
# (mmbuf.5, the normative specification: code and Python follow it) and
# one page per tool.
dist_man_MANS += man/mmbuf.3 man/mmbuf.5 \
	man/dumpbuf.1 man/mkbuf.1 man/verifybuf.1 man/editbuf.1

# lint-man: check every installed page with mandoc(1) (Debian package
# mandoc).  Warnings and errors fail; style notes do not, since some of them
# (such as "referenced manual not found" for pages not installed yet) are
# not the page's fault.  It is not part of "make check", so that a build
# host without mandoc can still run the test suite.
MANDOC = mandoc
MANDOC_LINTFLAGS = -Tlint -Wwarning

lint-man:
	@if command -v $(MANDOC) >/dev/null 2>&1; then \
	  pages=; \
	  for page in $(dist_man_MANS); do \
	    pages="$$pages $(srcdir)/$$page"; \
	  done; \
	  echo "$(MANDOC) $(MANDOC_LINTFLAGS)$$pages"; \
	  $(MANDOC) $(MANDOC_LINTFLAGS) $$pages; \
	else \
	  echo "lint-man: $(MANDOC) not found, man pages not checked"; \
	fi

.PHONY: lint-man

# Every function of mmbuf(3) is installed under its own name too, as a
# link to mmbuf.3, so that "man mmbuf_open" finds the page without
# man-db's index.  The names are those of the page's NAME section, so
# the list cannot drift from the page.
MMBUF3_NAMES = sed -n '/^\.Sh NAME/,/^\.Nd/s/^\.Nm \([a-z_0-9]*\).*/\1/p' \
	$(srcdir)/man/mmbuf.3

install-data-hook: install-man-links
uninstall-hook: uninstall-man-links

install-man-links:
	@names=`$(MMBUF3_NAMES)` && test -n "$$names" || exit 1; \
	for f in $$names; do \
	  echo " $(LN_S) mmbuf.3 '$(DESTDIR)$(man3dir)/$$f.3'"; \
	  rm -f "$(DESTDIR)$(man3dir)/$$f.3" && \
	  (cd "$(DESTDIR)$(man3dir)" && $(LN_S) mmbuf.3 "$$f.3") || exit 1; \
	done

uninstall-man-links:
	@for f in `$(MMBUF3_NAMES)`; do \
	  echo " rm -f '$(DESTDIR)$(man3dir)/$$f.3'"; \
	  rm -f "$(DESTDIR)$(man3dir)/$$f.3"; \
	done

.PHONY: install-man-links uninstall-man-links
