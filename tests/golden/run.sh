#!/bin/sh
# Golden-file test of the generator on the fixture definitions in defs/
# with the fixed synthforge.conf and date: the output must equal expected/
# byte for byte (refresh with `make golden-update` and review the diff),
# every page must pass mandoc -T lint -W style, and the throwaway
# definition must appear in all five outputs.
#
#	tests/golden/run.sh SF_GEN EPOCH	(from the top of the tree)
set -u
gen=$1 epoch=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sf-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fail=1; }

if env -i PATH="$PATH" LC_ALL=C SYNTHFORGE_CONFIG=tests/golden/synthforge.conf \
    "$gen" -t "$epoch" -s registry/style.css -m "$tmp/man" -w "$tmp/www"; then
	ok "sf-gen runs on the fixtures"
else
	notok "sf-gen runs on the fixtures"
fi
rm -f "$tmp/www/style.css" "$tmp/www/pay.js"
if diff -ru tests/golden/expected "$tmp"; then
	ok "output equals tests/golden/expected"
else
	notok "output differs from tests/golden/expected (make golden-update if intended)"
fi
# From inside the directory, so that .Xr finds the pages beside it.
if (cd "$tmp/man" && mandoc -T lint -W style ./*.1 ./*.7); then
	ok "mandoc -T lint -W style: fixture pages"
else
	notok "mandoc -T lint -W style: fixture pages"
fi

t=throwaway-tool
[ -f "$tmp/man/$t.1" ] && grep -q "^\.Xr $t 1" "$tmp/man/synthforge.7" &&
    ok "$t: man page and synthforge(7)" || notok "$t: man pages"
[ -f "$tmp/www/$t.html" ] && [ -f "$tmp/www/$t.html.md" ] &&
    grep -q "href=\"$t.html\"" "$tmp/www/index.html" &&
    ok "$t: site page, Markdown copy, index" || notok "$t: site"
grep -q "^- \[$t\](https://synthforge.example/$t.html.md): " "$tmp/www/llms.txt" &&
    ok "$t: llms.txt" || notok "$t: llms.txt"
grep -q "\"resource\": \"https://synthforge.example/v1/$t\"" "$tmp/www/registry.json" &&
    ok "$t: registry.json" || notok "$t: registry.json"
grep -q "\"/v1/$t\": {" "$tmp/www/openapi.json" &&
    ok "$t: openapi.json" || notok "$t: openapi.json"

# Unavailable here (its provider's key is not set): said wherever an
# agent looks, and the provider key never written anywhere.
v=fixture-video
grep -q "^- \[$v\](https://synthforge.example/$v.html.md): UNAVAILABLE on this server (needs REPLICATE_API_TOKEN)" "$tmp/www/llms.txt" &&
    grep -q "status: unavailable: needs REPLICATE_API_TOKEN" "$tmp/www/$v.html.md" &&
    grep -q "unavailable: needs REPLICATE_API_TOKEN" "$tmp/www/$v.html" &&
    grep -q "^Unavailable on this server (needs REPLICATE_API_TOKEN)" "$tmp/man/$v.1" &&
    ! grep -q "status: unavailable" "$tmp/www/fixture-image.html.md" "$tmp/www/$t.html.md" &&
    ok "$v: unavailable on its pages and in llms.txt" || notok "$v: unavailable"
# ... and in every table and list that names it (issue 23 item 10): the
# index, the cluster page, the other endpoints' ADJACENT tables (HTML and
# Markdown), synthforge(7) and mcp(7).
mark="unavailable: needs REPLICATE_API_TOKEN"
row() { grep "$1" "$2" | grep -q "$mark"; }
row 'id="ep-fixture-video"' "$tmp/www/index.html" &&
    row 'id="ep-fixture-video"' "$tmp/www/synthforge.html" &&
    row 'id="ep-fixture-video"' "$tmp/www/fixture-image.html" &&
    row 'id="ep-fixture-video"' "$tmp/www/throwaway-tool.html" &&
    row '\[fixture-video\]' "$tmp/www/index.html.md" &&
    row '\[fixture-video\]' "$tmp/www/synthforge.html.md" &&
    row '\[fixture-video\]' "$tmp/www/fixture-image.html.md" &&
    ! grep 'id="ep-fixture-image"' "$tmp/www/index.html" | grep -q unavailable &&
    awk '/^\.It Xr fixture-video 1/{f=1;next} /^\.It/{f=0} f' "$tmp/man/synthforge.7" |
    grep -q "^Unavailable on this server (needs REPLICATE_API_TOKEN)" &&
    awk '/^\.It Cm .*fixture-video$/{f=1;next} /^\.It/{f=0} f' "$tmp/man/mcp.7" |
    grep -q "^Unavailable on this server (needs REPLICATE_API_TOKEN)" &&
    ok "$v: marked unavailable in the index, cluster, ADJACENT tables, synthforge(7), mcp(7)" ||
    notok "$v: not marked unavailable everywhere it is listed"
# Discovery: the manifest lists it apart, openapi.json offers no payment.
grep -q '"name": "fixture-video"' "$tmp/www/.well-known/x402.json" &&
    ! grep -q '"url": "https://synthforge.example/v1/fixture-video"' "$tmp/www/.well-known/x402.json" &&
    ok "$v: .well-known/x402.json lists it under unavailable" ||
    notok "$v: .well-known/x402.json"

if grep -rq "golden-not-a-secret" "$tmp"; then
	notok "the provider key leaked into a generated file"
else
	ok "no provider key in any generated file"
fi

# Definition text never reaches a page unescaped.
if grep -l '<b>no</b>\|<for tests>' "$tmp"/www/*.html >/dev/null; then
	notok "HTML escaping"
else
	ok "HTML escaping"
fi
exit $fail
