-- Seals of the audit log (expand step: older builds run on it, and append entries without a
-- seal, which a verification with the key names). A seal is an HMAC of one entry's id and
-- hash under the audit key, which the server holds outside the database; the entry's hash
-- chains every entry before it, so one seal vouches for the whole log up to its entry.
CREATE TABLE audit_seals (
    entry_id INTEGER PRIMARY KEY REFERENCES audit_entries (id),
    key_id   TEXT NOT NULL,
    seal     TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals
BEGIN
    SELECT RAISE(ABORT, 'audit_seals is append-only');
END;

CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
BEGIN
    SELECT RAISE(ABORT, 'audit_seals is append-only');
END;
