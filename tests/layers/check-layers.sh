#!/bin/sh
# The include rules of shared/ (see shared/README.md), checked on every
# #include of the tree given (default: the checkout this script is in).
#
#	tests/layers/check-layers.sh [ROOT]
#
# A folder of shared/ may include its own headers and those of the layers
# listed for it below, never a layer above; the libraries that only one
# layer may touch (FastCGI, libcurl, SQLite, libpq) are checked too, and so
# are the programs around the core (endpoints/, registry/, bin/).  Prints
# every violation as FILE:LINE: message and exits 1 if there is any.
set -eu
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"

find shared endpoints registry bin -name '*.[ch]' | sort | awk '
BEGIN {
	# layer: the layers (besides itself) it may include, lowest first.
	allow["basics"]    = ""
	allow["http"]      = "basics"
	allow["validate"]  = "basics"
	allow["ledger"]    = "basics"
	allow["media"]     = "basics http"
	allow["x402"]      = "basics http validate"
	allow["providers"] = "basics http validate media"
	allow["flow"]      = "basics http validate ledger media x402 providers"
	allow["ops"]       = "basics http validate ledger media x402 providers flow"
	allow["serve"]     = "basics http validate ledger media x402 providers flow ops"
	# The programs around the core.
	allow["endpoints"] = "basics serve"
	allow["registry"]  = "basics validate x402 providers serve"
	allow["bin"]       = "basics http validate ledger media x402 providers flow ops serve"
	# System headers that belong to one layer only.
	lib["fcgiapp.h"] = "serve";  lib["fcgio.h"] = "serve"
	lib["fcgi_stdio.h"] = "-"	# never: the FCGX_* API only
	lib["curl/curl.h"] = "http"
	lib["sqlite3.h"] = "ledger"; lib["libpq-fe.h"] = "ledger"
	bad = 0
}
function layer_of(path,   n, a) {
	n = split(path, a, "/")
	if (a[1] == "shared")
		return n > 2 ? a[2] : "shared"
	return a[1]
}
function allowed(from, to,   n, a, i) {
	if (from == to)
		return 1
	n = split(allow[from], a, " ")
	for (i = 1; i <= n; i++)
		if (a[i] == to)
			return 1
	return 0
}
{
	file = $0
	from = layer_of(file)
	if (file ~ /^shared\/[^\/]*$/) {
		print file ": a file directly in shared/; it belongs in the folder of its concern"
		bad = 1
	} else if (!(from in allow)) {
		print file ": shared/" from "/ is not a known layer (add it to tests/layers/check-layers.sh and shared/README.md)"
		bad = 1
	}
	line = 0
	while ((getline l < file) > 0) {
		line++
		if (l ~ /^[ \t]*#[ \t]*include[ \t]*"/) {
			h = l; sub(/^[^"]*"/, "", h); sub(/".*$/, "", h)
			if (h !~ /\//)
				continue	# a header beside the file (registry/gen.h, tests)
			to = h; sub(/\/.*$/, "", to)
			if (!(to in allow) || to == "endpoints" || to == "registry" || to == "bin") {
				print file ":" line ": includes \"" h "\", not a header of a shared/ layer"
				bad = 1
			} else if (!allowed(from, to)) {
				print file ":" line ": " from " may not include " to " (\"" h "\"): " to " is not below " from
				bad = 1
			}
		} else if (l ~ /^[ \t]*#[ \t]*include[ \t]*</) {
			h = l; sub(/^[^<]*</, "", h); sub(/>.*$/, "", h)
			if ((h in lib) && lib[h] != from && !(from == "bin" && lib[h] != "-")) {
				if (lib[h] == "-")
					print file ":" line ": <" h "> is not used here: the FCGX_* API only"
				else
					print file ":" line ": <" h "> belongs to shared/" lib[h] "/ only"
				bad = 1
			}
		}
	}
	close(file)
}
END {
	if (!bad)
		print "ok - check-layers: every include goes down a layer"
	exit bad
}'
