# Building blocks of the async jobs (issue 25): Standard Webhooks signing
# against the reference `standardwebhooks` npm package, and the webhook
# driver tests/integ/webhooks.test.mjs runs.  Included by the top-level
# Makefile.  (Sign-In-With-X is in tests/x402.mk.)

WEBHOOK_DIFF_N		?= 2000
WEBHOOK_DIFF_SEED	?= 25

$(B)/tests/webhook_diff_driver: tests/diff/webhook_diff_driver.c $(B)/libsf.a
	@mkdir -p $(dir $@)
	$(CC) $(SF_CFLAGS) $(CFLAGS) -o $@ $< $(B)/libsf.a $(LDLIBS)

$(B)/tests/test_webhook_sig: tests/unit/webhook_vectors.h

webhook-diff: $(B)/tests/webhook_diff_driver
	cd tests && node vectors/webhook_vectors.mjs --check
	cd tests && WEBHOOK_DIFF_DRIVER=$(CURDIR)/$(B)/tests/webhook_diff_driver \
	    node diff/webhook_diff.mjs $(WEBHOOK_DIFF_N) $(WEBHOOK_DIFF_SEED)

.PHONY: webhook-diff

# Queues job events and runs the webhook pump as a runner would (listed in
# DRIVER_BIN, so `all` builds it).
$(B)/tests/webhook_driver: tests/drivers/webhook_driver.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(SF_CFLAGS) $(DEPLINK) $(CFLAGS) -o $@ $< -Wl,--start-group $(LIBS) -Wl,--end-group $(LDLIBS)
