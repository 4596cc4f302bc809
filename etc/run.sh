#!/bin/sh
# make run: write the server configuration from ours and start the server in
# the foreground on 127.0.0.1:PORT.  Usage: etc/run.sh SERVER [PORT]
#   PORT given here (make run PORT=N) wins over SYNTHFORGE_PORT, which wins
#   over PORT in the configuration file; 8080 without any.
#   SERVER: lighttpd (starts the endpoint binaries itself), apache
#   (mod_proxy_fcgi) or nginx; for the last two the endpoint processes are
#   started here with spawn-fcgi and stopped when the server stops.
set -eu
server=${1:-lighttpd}
port=${2:-}
top=$(pwd)
var="$top/var"
run="$var/run"
www="$top/www"
fcgi="$top/build/fcgi"
media="$var/media"

# Apache and nginx run their workers as www-data when started as root.
# A checkout they cannot enter (a 0700 home or mktemp -d folder) keeps
# the ledger, but the sockets, the media and a copy of the site go to a
# folder of their own under /var/tmp, the same one for every run of this
# checkout (media URLs stay valid across restarts).
workers_reach() {
	runuser -u www-data -- test -x "$1" 2>/dev/null
}
if [ "$(id -u)" = 0 ] && [ "$server" != lighttpd ] && ! workers_reach "$top"; then
	rt="/var/tmp/synthforge-$(printf '%s' "$top" | cksum | cut -d' ' -f1)"
	mkdir -p "$rt"
	chmod 0755 "$rt"
	run="$rt/run"
	media="$rt/media"
	rm -rf "$rt/www"
	cp -R "$top/www" "$rt/www"
	www="$rt/www"
	echo "$top is closed to www-data: sockets, media and the site under $rt"
fi
mkdir -p "$var" "$run" "$media"
if [ -n "$port" ]; then
	export SYNTHFORGE_PORT="$port"
fi
export SYNTHFORGE_MEDIA_DIR="${SYNTHFORGE_MEDIA_DIR:-$media}"
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

# Each endpoint process serves up to WORKERS_MAX requests at once, each
# holding a FastCGI connection and an upstream socket: take the hard limit
# on descriptors (lighttpd raises its own with server.max-fds).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || :

# Fail early, naming the bad key, before the server forks anything.
build/fcgi/image_generate --check
build/bin/sf-hostconf offline
# The port the configuration settles on (command line, environment, file).
port=$(build/bin/sf-hostconf port)

# Apache and nginx run their workers as www-data when started as root:
# they must reach the sockets, the site and the media.
sockmode=0600
if [ "$(id -u)" = 0 ]; then
	sockmode=0660
	chmod o+x "$var" "$run" 2>/dev/null || :
	chmod o+rx "$SYNTHFORGE_MEDIA_DIR" 2>/dev/null || :
fi

pids=
stop_spawned() {
	# Our binaries finish the request in hand and exit on SIGTERM.
	for p in $pids; do kill -TERM "$p" 2>/dev/null || :; done
	for p in $pids; do wait "$p" 2>/dev/null || :; done
	pids=
}

# One process per endpoint (plus sf-ops, sf-mcp, sf-jobs) on RUN/<stem>.sock; spawn-fcgi
# -n execs in place, so each is our child, logs to our stderr and is
# stopped by stop_spawned.
spawn_all() {
	tab=$(printf '\t')
	build/bin/sf-hostconf spawn "$run" "$fcgi" > "$run/spawn.list"
	while IFS="$tab" read -r name sock bin; do
		rm -f "$sock"
		if [ "$(id -u)" = 0 ]; then
			spawn-fcgi -n -s "$sock" -M "$sockmode" -G www-data \
			    -- "$bin" &
		else
			spawn-fcgi -n -s "$sock" -M "$sockmode" -- "$bin" &
		fi
		pids="$pids $!"
	done < "$run/spawn.list"
	# Wait for every socket: the server must not answer 503 at first.
	i=0
	while IFS="$tab" read -r name sock bin; do
		while [ ! -S "$sock" ]; do
			i=$((i + 1))
			if [ $i -gt 100 ]; then
				echo "run.sh: $name did not start" >&2
				exit 1
			fi
			sleep 0.1
		done
	done < "$run/spawn.list"
}

case "$server" in
lighttpd)
	build/bin/sf-hostconf lighttpd "$www" "$run" "$fcgi" \
	    > "$run/lighttpd.conf"
	lighttpd -tt -f "$run/lighttpd.conf" >/dev/null
	echo "synthforge on http://127.0.0.1:$port/ (lighttpd, Ctrl-C stops)"
	exec lighttpd -D -f "$run/lighttpd.conf"
	;;
apache)
	build/bin/sf-hostconf apache "$www" "$run" "$fcgi" \
	    > "$run/apache.conf"
	apache2 -t -f "$run/apache.conf"
	set -- apache2 -DFOREGROUND -f "$run/apache.conf"
	;;
nginx)
	build/bin/sf-hostconf nginx "$www" "$run" "$fcgi" \
	    > "$run/nginx.conf"
	nginx -t -q -p "$run" -c "$run/nginx.conf"
	set -- nginx -p "$run" -c "$run/nginx.conf" -g 'daemon off;'
	;;
*)
	echo "run.sh: SERVER=$server is not supported (lighttpd, apache, nginx)" >&2
	exit 2
	;;
esac

trap stop_spawned EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
spawn_all
echo "synthforge on http://127.0.0.1:$port/ ($server, Ctrl-C stops)"
"$@" &
srv=$!
# Stop the server first, then the endpoints: no request is cut off.
trap 'kill -TERM $srv 2>/dev/null; wait $srv 2>/dev/null; exit 130' INT
trap 'kill -TERM $srv 2>/dev/null; wait $srv 2>/dev/null; exit 143' TERM
wait $srv
