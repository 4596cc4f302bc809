#!/bin/sh
# make run: write the server configuration from ours and start the server in
# the foreground on 127.0.0.1:PORT.  Usage: etc/run.sh SERVER PORT
set -eu
server=${1:-lighttpd}
port=${2:-8080}
top=$(pwd)
var="$top/var"
run="$var/run"
mkdir -p "$run" "$var/media"
export SYNTHFORGE_PORT="${SYNTHFORGE_PORT:-$port}"
export SYNTHFORGE_MEDIA_DIR="${SYNTHFORGE_MEDIA_DIR:-$var/media}"
export SYNTHFORGE_DB="${SYNTHFORGE_DB:-$var/ledger.db}"

# A testnet run without PAY_TO gets a local development wallet.
payto=${SYNTHFORGE_PAY_TO:-}
if [ -z "$payto" ] && [ -f "${SYNTHFORGE_CONFIG:-etc/synthforge.conf}" ]; then
	payto=$(sed -n 's/^[[:space:]]*PAY_TO[[:space:]]*=[[:space:]]*//p' \
	    "${SYNTHFORGE_CONFIG:-etc/synthforge.conf}" | tail -n 1)
fi
if [ -z "$payto" ]; then
	export SYNTHFORGE_PAY_TO="$(build/bin/sf-devwallet "$var/dev-wallet.key")"
	echo "PAY_TO not set: using the development wallet $SYNTHFORGE_PAY_TO"
	echo "  (its key is in $var/dev-wallet.key, mode 0600; testnets only)"
fi

# Fail early, naming the bad key, before the server forks anything.
build/fcgi/image_generate --check

case "$server" in
lighttpd)
	build/bin/sf-hostconf lighttpd "$top/www" "$run" "$top/build/fcgi" \
	    > "$run/lighttpd.conf"
	lighttpd -tt -f "$run/lighttpd.conf" >/dev/null
	echo "synthforge on http://127.0.0.1:$SYNTHFORGE_PORT/ (lighttpd, Ctrl-C stops)"
	exec lighttpd -D -f "$run/lighttpd.conf"
	;;
*)
	echo "run.sh: SERVER=$server is not supported (use lighttpd)" >&2
	exit 2
	;;
esac
