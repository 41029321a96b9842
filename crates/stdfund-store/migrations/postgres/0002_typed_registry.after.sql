-- stdfund claim registry, PostgreSQL schema v2, after the Rust step of migration 0002 (which
-- normalised the payments' timestamps and moved `audit_log` into `audit_entries`).

CREATE TRIGGER payments_append_only
    BEFORE UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION stdfund_refuse_change();
CREATE TRIGGER payments_no_truncate
    BEFORE TRUNCATE ON payments
    FOR EACH STATEMENT EXECUTE FUNCTION stdfund_refuse_change();

DROP TABLE audit_log;
