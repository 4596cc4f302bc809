#!/bin/sh
# Write the man pages and the site: sf-gen, then mandoc renders each man
# page to HTML and Markdown beside the generated pages (reference §4.1:
# mandoc's own HTML, styled by our stylesheet).
#
#	registry/pages.sh SF_GEN MANDIR WWWDIR [sf-gen options]
#
# Configuration as for the endpoints ($SYNTHFORGE_CONFIG, SYNTHFORGE_*).
# With SF_DEVWALLET=KEYFILE and no PAY_TO anywhere, the development wallet
# make run would use is the payee, exactly as etc/run.sh decides it.
set -eu
gen=$1 man=$2 www=$3
shift 3

if [ -n "${SF_DEVWALLET:-}" ] && [ -z "${SYNTHFORGE_PAY_TO:-}" ]; then
	conf=${SYNTHFORGE_CONFIG:-etc/synthforge.conf}
	payto=
	[ -f "$conf" ] && payto=$(sed -n \
	    's/^[[:space:]]*PAY_TO[[:space:]]*=[[:space:]]*//p' "$conf" | tail -n 1)
	if [ -z "$payto" ]; then
		mkdir -p "$(dirname "$SF_DEVWALLET")"
		SYNTHFORGE_PAY_TO=$("$(dirname "$gen")/sf-devwallet" "$SF_DEVWALLET")
		export SYNTHFORGE_PAY_TO
	fi
fi

mkdir -p "$man" "$www"
"$gen" -m "$man" -w "$www" "$@"
for p in "$man"/*.1 "$man"/*.7; do
	[ -f "$p" ] || continue
	b=$(basename "$p")
	mandoc -T html -O style=style.css,man=%N.%S.html "$p" > "$www/$b.html.tmp"
	mv "$www/$b.html.tmp" "$www/$b.html"
	mandoc -T markdown "$p" > "$www/$b.html.md.tmp"
	mv "$www/$b.html.md.tmp" "$www/$b.html.md"
done
