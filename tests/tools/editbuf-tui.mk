# editbuf's terminal UI, driven end to end through tmux (send-keys,
# capture-pane) on a private server socket; holdbuf (tests/tools/local.mk),
# editbuf and mkbuf play the other writers.
EDITBUF_TUI_TESTS = \
	tests/tools/editbuf-tui-view.sh \
	tests/tools/editbuf-tui-edit.sh \
	tests/tools/editbuf-tui-readonly.sh \
	tests/tools/editbuf-tui-replaced.sh \
	tests/tools/editbuf-tui-changed.sh \
	tests/tools/editbuf-tui-growing.sh
TESTS += $(EDITBUF_TUI_TESTS)
EXTRA_DIST += $(EDITBUF_TUI_TESTS) tests/tools/editbuf-tui-lib.sh \
	tests/lsan.supp
