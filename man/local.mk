# man: the manual pages, in mdoc.  mmbuf.5 is the normative specification
# of the file format; code and Python follow it.
dist_man_MANS += man/mmbuf.3 man/mmbuf.5

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
