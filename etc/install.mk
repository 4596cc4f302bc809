# make install [PREFIX=/usr/local] [DESTDIR=]: a packaged layout.
#   $(PREFIX)/lib/synthforge/        endpoint binaries, sf-ops, sf-mcp,
#                                    sf-jobs, sf-hostconf, sf-devwallet
#   $(PREFIX)/bin/synthforge-ctl
#   $(PREFIX)/share/man/man1, man7   from manpages/ (make pages)
#   $(PREFIX)/share/synthforge/www   the site (without runtime media)
#   $(PREFIX)/share/synthforge/fal-contracts.json   the fal input contract
#                                    check --online compares with fal's
#   $(PREFIX)/share/doc/synthforge/synthforge.conf.example
#   $(PREFIX)/lib/systemd/system     socket-activated units, one pair per
#                                    endpoint, synthforge.target, settle timer
#   $(PREFIX)/lib/sysusers.d, tmpfiles.d   the synthforge user, /var/lib
# Nothing is written to /etc or /var: the administrator copies the example
# configuration (a distribution would ship it as a conffile).
# Included by the top-level Makefile.

BINDIR		?= $(PREFIX)/bin
LIBEXECDIR	?= $(PREFIX)/lib/synthforge
DATADIR		?= $(PREFIX)/share/synthforge
DOCDIR		?= $(PREFIX)/share/doc/synthforge
MANDIR		?= $(PREFIX)/share/man
UNITDIR		?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR	?= $(PREFIX)/lib/tmpfiles.d
SYSCONFDIR	?= /etc
INSTALL		?= install

# sf-ops, sf-mcp and sf-jobs are listed in the Makefile's PROGRAMS.
OPS_BIN		= $(B)/bin/sf-ops
MCP_BIN		= $(B)/bin/sf-mcp
JOBS_BIN	= $(B)/bin/sf-jobs

INSTALL_SUBST	= sed -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
		      -e 's|@BINDIR@|$(BINDIR)|g' \
		      -e 's|@DATADIR@|$(DATADIR)|g' \
		      -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

# The man pages come from `make pages`; run it when that target exists
# (make -q answers 2 for an unknown target).
install-pages:
	@$(MAKE) -q pages >/dev/null 2>&1; if [ $$? -ne 2 ]; then $(MAKE) pages; \
	  else echo "install: no 'pages' target yet, man pages as found in manpages/"; fi

install: all install-pages
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) \
	    $(DESTDIR)$(DATADIR)/www $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	$(INSTALL) -m 0755 $(EP_BIN) $(OPS_BIN) $(MCP_BIN) $(JOBS_BIN) \
	    $(B)/bin/sf-hostconf \
	    $(B)/bin/sf-devwallet $(DESTDIR)$(LIBEXECDIR)/
	$(INSTALL) -m 0755 $(B)/bin/synthforge-ctl $(DESTDIR)$(BINDIR)/
	@set -e; for f in manpages/*.1 manpages/*.7; do [ -f "$$f" ] || continue; \
	  s=$${f##*.}; echo "$(INSTALL) -m 0644 $$f $(DESTDIR)$(MANDIR)/man$$s/"; \
	  $(INSTALL) -m 0644 "$$f" $(DESTDIR)$(MANDIR)/man$$s/; done
	@# The site as files, without what the service writes at run time.
	(cd www && find . -path ./media -prune -o -type f -print) | \
	  while read -r f; do $(INSTALL) -D -m 0644 "www/$$f" \
	    "$(DESTDIR)$(DATADIR)/www/$$f"; done
	$(INSTALL) -m 0644 etc/fal-contracts.json $(DESTDIR)$(DATADIR)/
	$(INSTALL) -m 0644 etc/synthforge.conf.example $(DESTDIR)$(DOCDIR)/
	@set -e; for u in synthforge@.service synthforge@.socket \
	    synthforge-settle.service; do \
	  $(INSTALL_SUBST) etc/systemd/$$u.in > $(DESTDIR)$(UNITDIR)/$$u; \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$u; done
	$(INSTALL) -m 0644 etc/systemd/synthforge-settle.timer $(DESTDIR)$(UNITDIR)/
	@# One socket per endpoint binary, sf-ops for /metrics, /healthz,
	@# sf-mcp for /mcp and sf-jobs for /v1/jobs (and the job runners).
	@{ echo '[Unit]'; echo 'Description=synthforge x402 endpoints'; \
	  echo 'Documentation=man:synthforge(7)'; \
	  for s in $(EP_STEMS) sf-ops sf-mcp sf-jobs; do echo "Wants=synthforge@$$s.socket"; done; \
	  echo 'Wants=synthforge@sf-jobs.service'; \
	  echo; echo '[Install]'; echo 'WantedBy=multi-user.target'; \
	  } > $(DESTDIR)$(UNITDIR)/synthforge.target
	$(INSTALL) -m 0644 etc/systemd/synthforge.sysusers $(DESTDIR)$(SYSUSERSDIR)/synthforge.conf
	$(INSTALL) -m 0644 etc/systemd/synthforge.tmpfiles $(DESTDIR)$(TMPFILESDIR)/synthforge.conf

uninstall:
	rm -f $(EP_STEMS:%=$(DESTDIR)$(LIBEXECDIR)/%) \
	    $(DESTDIR)$(LIBEXECDIR)/sf-ops $(DESTDIR)$(LIBEXECDIR)/sf-mcp \
	    $(DESTDIR)$(LIBEXECDIR)/sf-jobs \
	    $(DESTDIR)$(LIBEXECDIR)/sf-hostconf \
	    $(DESTDIR)$(LIBEXECDIR)/sf-devwallet $(DESTDIR)$(BINDIR)/synthforge-ctl \
	    $(DESTDIR)$(DOCDIR)/synthforge.conf.example \
	    $(DESTDIR)$(UNITDIR)/synthforge@.service $(DESTDIR)$(UNITDIR)/synthforge@.socket \
	    $(DESTDIR)$(UNITDIR)/synthforge.target $(DESTDIR)$(UNITDIR)/synthforge-settle.service \
	    $(DESTDIR)$(UNITDIR)/synthforge-settle.timer \
	    $(DESTDIR)$(SYSUSERSDIR)/synthforge.conf $(DESTDIR)$(TMPFILESDIR)/synthforge.conf
	rm -rf $(DESTDIR)$(DATADIR)
	-rmdir $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DOCDIR)

.PHONY: install install-pages uninstall

# make run SERVER=apache|nginx needs the server and spawn-fcgi.
DEB_RUN_apache	= apache2 spawn-fcgi
DEB_RUN_nginx	= nginx-light spawn-fcgi
deps-lighttpd:
deps-apache deps-nginx:
	@missing=; for p in $(DEB_RUN_$(@:deps-%=%)); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi

.PHONY: deps-lighttpd deps-apache deps-nginx
