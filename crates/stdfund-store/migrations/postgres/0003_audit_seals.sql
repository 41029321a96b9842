-- Seals of the audit log (expand step: older builds run on it, and append entries without a
-- seal, which a verification with the key names). A seal is an HMAC of one entry's id and
-- hash under the audit key, which the server holds outside the database; the entry's hash
-- chains every entry before it, so one seal vouches for the whole log up to its entry.
CREATE TABLE audit_seals (
    entry_id BIGINT PRIMARY KEY REFERENCES audit_entries (id),
    key_id   TEXT NOT NULL,
    seal     TEXT NOT NULL
);

CREATE TRIGGER audit_seals_append_only
    BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION stdfund_refuse_change();
CREATE TRIGGER audit_seals_no_truncate
    BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION stdfund_refuse_change();
