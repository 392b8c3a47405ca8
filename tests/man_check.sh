#!/usr/bin/env bash
# The manual page: renders without a warning, names every option that
# "gpofs --help" lists, and "meson install" puts it (and gpofs) in place.
#
#   tests/man_check.sh BUILD_DIR GPOFS_BIN MESON
#
# Exit 0 passes, 77 skips (no groff), anything else fails.
set -euo pipefail
build=$1 bin=$2 meson=${3:-}
page=$build/docs/gpofs.1
command -v groff >/dev/null || { echo "man: skipped: groff is not installed"; exit 77; }
[ -f "$page" ] || { echo "FAIL: $page was not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. No warning from groff (-ww: all of them) nor from man(1).
groff -man -ww -z "$page" 2>"$tmp/groff.err" || true
if [ -s "$tmp/groff.err" ]; then
	cat "$tmp/groff.err"
	echo "FAIL: groff warns about gpofs.1"
	exit 1
fi
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$page" 2>"$tmp/man.err" >"$tmp/man.txt" || true
	if [ -s "$tmp/man.err" ]; then
		cat "$tmp/man.err"
		echo "FAIL: man --warnings complains about gpofs.1"
		exit 1
	fi
fi

# 2. Every -o option of --help is described (as "name=" or the bare flag,
# in bold at the start of an item or in the text).
groff -man -Tutf8 -P-cbou "$page" 2>/dev/null >"$tmp/page.txt"
# gpofs's own options: those before FUSE's list
"$bin" --help | sed '/^FUSE options:/q' >"$tmp/help.txt"
opts=$(grep -o -- '-o [a-z_]*' "$tmp/help.txt" | awk '{print $2}' | sort -u)
[ -n "$opts" ] || { echo "FAIL: no -o option found in --help"; exit 1; }
missing=
for o in $opts; do
	grep -Eq "(^|[^a-z_])$o(=|[^a-z_]|$)" "$tmp/page.txt" || missing+=" $o"
done
for o in -f -d --help --version; do
	grep -q -- "$o" "$tmp/page.txt" || missing+=" $o"
done
if [ -n "$missing" ]; then
	echo "FAIL: gpofs.1 does not describe:$missing"
	exit 1
fi
echo "ok - gpofs.1 describes $(echo "$opts" | wc -w) -o options of --help"

# 3. meson install --destdir puts the page in section 1, and the binary.
if [ -z "$meson" ]; then
	echo "ok - (meson not found: install not checked)"
	exit 0
fi
"$meson" install -C "$build" --no-rebuild --destdir "$tmp/root" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; echo "FAIL: meson install"; exit 1; }
installed=$(find "$tmp/root" -path '*/share/man/man1/gpofs.1*' | head -1)
[ -n "$installed" ] || { find "$tmp/root"; echo "FAIL: no man1/gpofs.1 installed"; exit 1; }
find "$tmp/root" -path '*/bin/gpofs' | grep -q . || { echo "FAIL: gpofs not installed"; exit 1; }
# what man would show from there
if command -v man >/dev/null; then
	# (lines joined: where man wraps depends on the width it picks;
	# what man said is shown when the page does not read)
	man -l "$installed" >"$tmp/installed.txt" 2>"$tmp/man.err" || echo "man -l: exit $?" >>"$tmp/man.err"
	tr -s " \n" "  " <"$tmp/installed.txt" | grep -q "mount Active Directory" || {
		cat "$tmp/man.err"
		head -8 "$tmp/installed.txt"
		echo "FAIL: the installed page does not read"
		exit 1
	}
fi
echo "ok - meson install: ${installed#"$tmp/root"}"
