-- stdfund claim registry, SQLite schema v2: typed claim states (returned, withdrawn),
-- payments, budgets per (year, payer), attachments, publications and objections, key
-- collisions, and the hash-chained audit log. Older builds cannot read it (contract step).
--
-- The claims table is rebuilt for its new CHECKs. Other tables reference claims, so the
-- rebuild keeps the table's name: copy the rows aside, drop, create, copy back. With
-- defer_foreign_keys the references left dangling by the drop are counted and settled again
-- by the re-insert of their parents, all before the commit. The Rust step of this migration
-- then normalises timestamps, fills the folded unit names, and moves `audit_log` into the
-- hash chain (`audit_entries`); 0002_typed_registry.after.sql finishes.

PRAGMA defer_foreign_keys = ON;

CREATE TABLE claims_v1 AS SELECT * FROM claims;
DROP TABLE claims;

CREATE TABLE claims (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key       TEXT    NOT NULL,
    submitted_by          TEXT    NOT NULL,
    request_hash          TEXT    NOT NULL,
    credit_code           TEXT    NOT NULL,
    credit_code_confirmed INTEGER NOT NULL CHECK (credit_code_confirmed IN (0, 1)),
    unit_name             TEXT    NOT NULL,
    unit_name_folded      TEXT    NOT NULL,
    seat                  TEXT    NOT NULL,
    fiscal_unit           TEXT    NOT NULL,
    item                  TEXT    NOT NULL,
    variant               TEXT    NOT NULL,
    clause                TEXT    NOT NULL,
    subject               TEXT    NOT NULL,
    subject_as_given      TEXT    NOT NULL,
    one_time_key          TEXT    NOT NULL,
    achievement_date      TEXT    NOT NULL,
    year                  INTEGER NOT NULL,
    estimated_amount_fen  INTEGER NOT NULL CHECK (estimated_amount_fen >= 0),
    discretionary         INTEGER NOT NULL CHECK (discretionary IN (0, 1)),
    status                TEXT    NOT NULL CHECK (status IN
        ('SUBMITTED', 'RETURNED', 'WITHDRAWN', 'REJECTED', 'APPROVED', 'DISBURSED')),
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    resubmissions         INTEGER NOT NULL DEFAULT 0 CHECK (resubmissions >= 0),
    note_by               TEXT,
    note_at               TEXT,
    note_reason           TEXT,
    approved_by           TEXT,
    approved_at           TEXT,
    approval_reason       TEXT,
    approved_amount_fen   INTEGER CHECK (approved_amount_fen >= 0),
    set_by_reviewer       INTEGER CHECK (set_by_reviewer IN (0, 1)),
    split_fiscal_unit     TEXT,
    municipal_fen         INTEGER CHECK (municipal_fen >= 0),
    district_fen          INTEGER CHECK (district_fen >= 0),
    share_table_id        TEXT,
    share_table_version   TEXT,
    district_ratio        TEXT,
    provisional           INTEGER CHECK (provisional IN (0, 1)),
    paid_fen              INTEGER NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
    amount_fen            INTEGER GENERATED ALWAYS AS
        (COALESCE(approved_amount_fen, estimated_amount_fen)) VIRTUAL,
    -- The payloads last: a row's other columns stay on its first page, so filters, sorts
    -- and counts never read the overflow pages of a large payload.
    application_json      TEXT    NOT NULL,
    estimate_json         TEXT    NOT NULL,
    record_json           TEXT,
    UNIQUE (submitted_by, idempotency_key),
    CHECK ((status IN ('RETURNED', 'WITHDRAWN', 'REJECTED'))
           = (note_by IS NOT NULL AND note_at IS NOT NULL AND note_reason IS NOT NULL)),
    CHECK ((status IN ('APPROVED', 'DISBURSED'))
           = (approved_by IS NOT NULL AND approved_at IS NOT NULL
              AND approved_amount_fen IS NOT NULL AND set_by_reviewer IS NOT NULL
              AND split_fiscal_unit IS NOT NULL AND municipal_fen IS NOT NULL
              AND district_fen IS NOT NULL AND share_table_id IS NOT NULL
              AND share_table_version IS NOT NULL AND district_ratio IS NOT NULL
              AND provisional IS NOT NULL AND record_json IS NOT NULL)),
    CHECK (approved_amount_fen IS NULL OR municipal_fen + district_fen = approved_amount_fen),
    CHECK (paid_fen <= COALESCE(approved_amount_fen, 0)),
    CHECK (status <> 'DISBURSED' OR paid_fen = approved_amount_fen)
) STRICT;

INSERT INTO claims (
    id, idempotency_key, submitted_by, request_hash, credit_code, credit_code_confirmed,
    unit_name, unit_name_folded, seat, fiscal_unit, item, variant, clause, subject,
    subject_as_given, one_time_key, achievement_date, year, estimated_amount_fen,
    discretionary, application_json, estimate_json, status, created_at, updated_at,
    note_by, note_at, note_reason,
    approved_by, approved_at, approval_reason, approved_amount_fen, set_by_reviewer,
    split_fiscal_unit, municipal_fen, district_fen, share_table_id, share_table_version,
    district_ratio, provisional, record_json, paid_fen)
SELECT
    id, idempotency_key, submitted_by, request_hash, credit_code, credit_code_confirmed,
    unit_name, '', seat, fiscal_unit, item, COALESCE(variant, ''), clause, subject,
    subject, one_time_key, achievement_date, year, estimated_amount_fen,
    COALESCE(json_extract(estimate_json, '$.lines[0].status') = 'LINE_STATUS_DISCRETIONARY', 0),
    application_json, estimate_json, status, created_at, updated_at,
    CASE WHEN status = 'REJECTED' THEN COALESCE(reviewed_by, '') END,
    CASE WHEN status = 'REJECTED' THEN reviewed_at END,
    CASE WHEN status = 'REJECTED' THEN review_reason END,
    CASE WHEN approved THEN COALESCE(reviewed_by, '') END,
    CASE WHEN approved THEN reviewed_at END,
    CASE WHEN approved THEN review_reason END,
    CASE WHEN approved THEN approved_amount_fen END,
    CASE WHEN approved THEN COALESCE(json_extract(receipt_json, '$.amountSetByReviewer'), 0) END,
    CASE WHEN approved THEN COALESCE(json_extract(receipt_json, '$.split.fiscalUnit'), fiscal_unit) END,
    CASE WHEN approved THEN COALESCE(
        CAST(REPLACE(json_extract(receipt_json, '$.split.municipalShare'), '.', '') AS INTEGER),
        municipal_share_fen) END,
    CASE WHEN approved THEN COALESCE(
        CAST(REPLACE(json_extract(receipt_json, '$.split.districtShare'), '.', '') AS INTEGER),
        district_share_fen) END,
    CASE WHEN approved THEN COALESCE(
        json_extract(receipt_json, '$.split.shareTables[0].id'), share_table_id, '') END,
    CASE WHEN approved THEN COALESCE(
        json_extract(receipt_json, '$.split.shareTables[0].version'), '') END,
    CASE WHEN approved THEN COALESCE(
        json_extract(receipt_json, '$.split.shareTables[0].districtRatio'), '') END,
    CASE WHEN approved THEN COALESCE(
        json_extract(receipt_json, '$.split.shareTables[0].provisional'), 0) END,
    CASE WHEN approved THEN COALESCE(json_extract(receipt_json, '$.assessment'), '') END,
    CASE WHEN status = 'DISBURSED' THEN approved_amount_fen ELSE 0 END
FROM (SELECT *, status IN ('APPROVED', 'DISBURSED') AS approved FROM claims_v1)
ORDER BY id;

CREATE TABLE payments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id      INTEGER NOT NULL REFERENCES claims (id),
    payment_date  TEXT    NOT NULL,
    voucher       TEXT    NOT NULL,
    -- 0 for every payment the store records; 1, 2, … only for vouchers that were already
    -- reused before schema v2 (kept, not rewritten).
    voucher_seq   INTEGER NOT NULL DEFAULT 0 CHECK (voucher_seq >= 0),
    payer         TEXT    NOT NULL,
    amount_fen    INTEGER NOT NULL CHECK (amount_fen >= 0),
    municipal_fen INTEGER NOT NULL CHECK (municipal_fen >= 0),
    district_fen  INTEGER NOT NULL CHECK (district_fen >= 0),
    paid_by       TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL,
    UNIQUE (payer, voucher, voucher_seq),
    CHECK (municipal_fen + district_fen = amount_fen)
) STRICT;

INSERT INTO payments (claim_id, payment_date, voucher, voucher_seq, payer, amount_fen,
                      municipal_fen, district_fen, paid_by, recorded_at)
SELECT id, payment_date, voucher_no,
       ROW_NUMBER() OVER (PARTITION BY voucher_no ORDER BY id) - 1,
       'CITY', approved_amount_fen, municipal_share_fen, district_share_fen,
       COALESCE(disbursed_by, ''), COALESCE(disbursed_at, updated_at)
FROM claims_v1 WHERE status = 'DISBURSED' ORDER BY id;

DROP TABLE claims_v1;

CREATE UNIQUE INDEX claims_one_time_key_live ON claims (one_time_key)
    WHERE status NOT IN ('WITHDRAWN', 'REJECTED');
CREATE INDEX claims_status ON claims (status, id);
CREATE INDEX claims_year_status ON claims (year, status);
CREATE INDEX claims_unit ON claims (fiscal_unit, year, status);
CREATE INDEX claims_split_unit ON claims (year, split_fiscal_unit)
    WHERE approved_amount_fen IS NOT NULL;
CREATE INDEX claims_submitted_by ON claims (submitted_by, id);
CREATE INDEX claims_created ON claims (created_at, id);
CREATE INDEX claims_amount ON claims (amount_fen, id);
CREATE INDEX claims_unit_name ON claims (unit_name, id);
CREATE INDEX claims_credit_code ON claims (credit_code);
CREATE INDEX payments_claim ON payments (claim_id, id);

CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
BEGIN
    SELECT RAISE(ABORT, 'claims are never deleted');
END;

-- Budgets per (year, payer); the v1 budgets were the municipal ones.
CREATE TABLE budgets_v1 AS SELECT * FROM budgets;
DROP TABLE budgets;
CREATE TABLE budgets (
    year       INTEGER NOT NULL,
    payer      TEXT    NOT NULL,
    total_fen  INTEGER NOT NULL CHECK (total_fen >= 0),
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (year, payer)
) STRICT;
INSERT INTO budgets (year, payer, total_fen, updated_at)
SELECT year, 'CITY', total_fen, updated_at FROM budgets_v1;
DROP TABLE budgets_v1;

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id     INTEGER NOT NULL REFERENCES claims (id),
    file_name    TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256       TEXT    NOT NULL,
    content      BLOB    NOT NULL,
    uploaded_by  TEXT    NOT NULL,
    uploaded_at  TEXT    NOT NULL,
    CHECK (length(content) = size_bytes)
) STRICT;
CREATE INDEX attachments_claim ON attachments (claim_id, id);

CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are append-only');
END;

CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are append-only');
END;

CREATE TABLE publications (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    title             TEXT    NOT NULL,
    year              INTEGER NOT NULL,
    fiscal_unit       TEXT,
    status            TEXT    NOT NULL CHECK (status IN ('DRAFT', 'ISSUED')),
    period_start      TEXT    NOT NULL,
    period_end        TEXT    NOT NULL,
    working_days      INTEGER NOT NULL CHECK (working_days > 0),
    objection_contact TEXT    NOT NULL,
    total_fen         INTEGER NOT NULL CHECK (total_fen >= 0),
    entry_count       INTEGER NOT NULL CHECK (entry_count >= 0),
    created_by        TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    issued_by         TEXT,
    issued_at         TEXT,
    CHECK (period_start <= period_end),
    CHECK ((status = 'ISSUED') = (issued_by IS NOT NULL AND issued_at IS NOT NULL))
) STRICT;
CREATE INDEX publications_year ON publications (year, id);

-- A publication changes once: DRAFT -> ISSUED, nothing else; it is never deleted.
CREATE TRIGGER publications_frozen BEFORE UPDATE ON publications
WHEN OLD.status <> 'DRAFT' OR NEW.status <> 'ISSUED'
  OR NEW.id IS NOT OLD.id OR NEW.title IS NOT OLD.title OR NEW.year IS NOT OLD.year
  OR NEW.fiscal_unit IS NOT OLD.fiscal_unit OR NEW.period_start IS NOT OLD.period_start
  OR NEW.period_end IS NOT OLD.period_end OR NEW.working_days IS NOT OLD.working_days
  OR NEW.objection_contact IS NOT OLD.objection_contact OR NEW.total_fen IS NOT OLD.total_fen
  OR NEW.entry_count IS NOT OLD.entry_count OR NEW.created_by IS NOT OLD.created_by
  OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'publications are frozen once issued');
END;

CREATE TRIGGER publications_no_delete BEFORE DELETE ON publications
BEGIN
    SELECT RAISE(ABORT, 'publications are frozen once issued');
END;

CREATE TABLE publication_entries (
    publication_id      INTEGER NOT NULL REFERENCES publications (id),
    row_no              INTEGER NOT NULL CHECK (row_no >= 1),
    claim_id            INTEGER NOT NULL REFERENCES claims (id),
    unit_name           TEXT    NOT NULL,
    credit_code         TEXT    NOT NULL,
    fiscal_unit         TEXT    NOT NULL,
    fiscal_unit_name_zh TEXT    NOT NULL,
    item                TEXT    NOT NULL,
    item_name_zh        TEXT    NOT NULL,
    clause              TEXT    NOT NULL,
    subject             TEXT    NOT NULL,
    amount_fen          INTEGER NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (publication_id, row_no),
    UNIQUE (publication_id, claim_id)
) STRICT;
CREATE INDEX publication_entries_claim ON publication_entries (claim_id);

CREATE TRIGGER publication_entries_draft_only BEFORE INSERT ON publication_entries
WHEN (SELECT status FROM publications WHERE id = NEW.publication_id) IS NOT 'DRAFT'
BEGIN
    SELECT RAISE(ABORT, 'publications are frozen once issued');
END;

CREATE TRIGGER publication_entries_no_update BEFORE UPDATE ON publication_entries
BEGIN
    SELECT RAISE(ABORT, 'publications are frozen once issued');
END;

CREATE TRIGGER publication_entries_no_delete BEFORE DELETE ON publication_entries
BEGIN
    SELECT RAISE(ABORT, 'publications are frozen once issued');
END;

CREATE TABLE objections (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    publication_id INTEGER NOT NULL,
    claim_id       INTEGER NOT NULL,
    received_on    TEXT    NOT NULL,
    objector       TEXT    NOT NULL,
    contact        TEXT    NOT NULL,
    content        TEXT    NOT NULL,
    outcome        TEXT CHECK (outcome IN ('UPHELD', 'DISMISSED')),
    resolution     TEXT,
    recorded_by    TEXT    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    resolved_by    TEXT,
    resolved_at    TEXT,
    FOREIGN KEY (publication_id, claim_id)
        REFERENCES publication_entries (publication_id, claim_id),
    CHECK ((outcome IS NULL) = (resolution IS NULL AND resolved_by IS NULL AND resolved_at IS NULL))
) STRICT;
CREATE INDEX objections_publication ON objections (publication_id, id);

-- An objection changes once: open -> resolved, and only its resolution columns.
CREATE TRIGGER objections_resolve_once BEFORE UPDATE ON objections
WHEN OLD.outcome IS NOT NULL OR NEW.outcome IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.publication_id IS NOT OLD.publication_id
  OR NEW.claim_id IS NOT OLD.claim_id OR NEW.received_on IS NOT OLD.received_on
  OR NEW.objector IS NOT OLD.objector OR NEW.contact IS NOT OLD.contact
  OR NEW.content IS NOT OLD.content OR NEW.recorded_by IS NOT OLD.recorded_by
  OR NEW.recorded_at IS NOT OLD.recorded_at
BEGIN
    SELECT RAISE(ABORT, 'objections are resolved once');
END;

CREATE TRIGGER objections_no_delete BEFORE DELETE ON objections
BEGIN
    SELECT RAISE(ABORT, 'objections are never deleted');
END;

CREATE TABLE key_collisions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id        INTEGER NOT NULL REFERENCES claims (id),
    holder_claim_id INTEGER NOT NULL REFERENCES claims (id),
    one_time_key    TEXT    NOT NULL,
    found_at        TEXT    NOT NULL,
    UNIQUE (claim_id, holder_claim_id, one_time_key)
) STRICT;

-- The hash-chained audit log. Ids are assigned by the store: audit_head.last_id + 1.
CREATE TABLE audit_entries (
    id            INTEGER PRIMARY KEY,
    claim_id      INTEGER REFERENCES claims (id),
    target        TEXT NOT NULL DEFAULT '',
    actor         TEXT NOT NULL,
    role          TEXT NOT NULL,
    at            TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('SUBMIT', 'APPROVE', 'REJECT', 'DISBURSE',
        'SET_BUDGET', 'RETURN', 'RESUBMIT', 'WITHDRAW', 'ATTACH', 'PUBLICATION_CREATE',
        'PUBLICATION_ISSUE', 'OBJECTION_RECORD', 'OBJECTION_RESOLVE', 'REKEY')),
    before_json   TEXT,
    after_json    TEXT,
    previous_hash TEXT NOT NULL,
    entry_hash    TEXT NOT NULL
) STRICT;
CREATE INDEX audit_entries_claim ON audit_entries (claim_id, id);

CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   INTEGER NOT NULL,
    last_hash TEXT    NOT NULL
) STRICT;
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '');

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;

CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;

-- The head only moves forward, to an entry that exists, with that entry's hash.
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.id IS NOT OLD.id OR NEW.last_id <= OLD.last_id
  OR NEW.last_hash IS NOT (SELECT entry_hash FROM audit_entries WHERE id = NEW.last_id)
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only: the head only moves forward');
END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
