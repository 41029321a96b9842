-- stdfund claim registry, SQLite schema v2, after the Rust step of migration 0002 (which
-- normalised the payments' timestamps and moved `audit_log` into `audit_entries`).

CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN
    SELECT RAISE(ABORT, 'payments are append-only');
END;

CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'payments are append-only');
END;

DROP TABLE audit_log;
