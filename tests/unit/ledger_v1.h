/*
 * The SQLite ledger file as schema version 1 made it (payment_id UNIQUE
 * alone, no SIWX or webhook tables), for the tests that open an old file
 * and expect it brought up to date. Kept verbatim: a migration is tested
 * against what was shipped, not against today's layout.
 */
#ifndef LEDGER_V1_H
#define LEDGER_V1_H

#define LEDGER_V1_SCHEMA \
    "CREATE TABLE payments (id INTEGER PRIMARY KEY, endpoint TEXT NOT NULL," \
    " request_hash TEXT NOT NULL, payer TEXT NOT NULL, amount TEXT NOT NULL," \
    " asset TEXT NOT NULL, network TEXT NOT NULL, x402_version INTEGER NOT" \
    " NULL, nonce TEXT NOT NULL, valid_after TEXT NOT NULL, valid_before" \
    " TEXT NOT NULL, valid_before_s INTEGER NOT NULL, payload TEXT NOT NULL," \
    " requirements TEXT NOT NULL, payment_id TEXT UNIQUE, state TEXT NOT" \
    " NULL CHECK (state IN ('verified', 'working', 'delivered', 'settled'," \
    " 'settle_failed', 'work_failed')), result BLOB, content_type TEXT, tx" \
    " TEXT, error TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL," \
    " UNIQUE (network, asset, payer, nonce));" \
    "CREATE INDEX payments_state ON payments (state, valid_before_s);" \
    "CREATE INDEX payments_endpoint ON payments (endpoint);"

#endif
