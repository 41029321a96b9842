-- stdfund claim registry, SQLite schema v1.
-- Amounts are INTEGER fen. Timestamps are RFC 3339 text passed in by the application.
-- JSON payloads are stored as the exact text received.

CREATE TABLE claims (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key       TEXT    NOT NULL,
    submitted_by          TEXT    NOT NULL,
    request_hash          TEXT    NOT NULL,
    credit_code           TEXT    NOT NULL,
    credit_code_confirmed INTEGER NOT NULL CHECK (credit_code_confirmed IN (0, 1)),
    unit_name             TEXT    NOT NULL,
    seat                  TEXT    NOT NULL,
    fiscal_unit           TEXT    NOT NULL,
    item                  TEXT    NOT NULL,
    variant               TEXT,
    clause                TEXT    NOT NULL,
    subject               TEXT    NOT NULL,
    one_time_key          TEXT    NOT NULL,
    achievement_date      TEXT    NOT NULL,
    year                  INTEGER NOT NULL,
    application_json      TEXT    NOT NULL,
    estimate_json         TEXT    NOT NULL,
    estimated_amount_fen  INTEGER NOT NULL CHECK (estimated_amount_fen >= 0),
    status                TEXT    NOT NULL
        CHECK (status IN ('SUBMITTED', 'APPROVED', 'REJECTED', 'DISBURSED')),
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    reviewed_by           TEXT,
    review_reason         TEXT,
    approved_amount_fen   INTEGER CHECK (approved_amount_fen >= 0),
    receipt_json          TEXT,
    reviewed_at           TEXT,
    payment_date          TEXT,
    voucher_no            TEXT,
    municipal_share_fen   INTEGER CHECK (municipal_share_fen >= 0),
    district_share_fen    INTEGER CHECK (district_share_fen >= 0),
    share_table_id        TEXT,
    disbursed_by          TEXT,
    disbursed_at          TEXT,
    UNIQUE (submitted_by, idempotency_key),
    CHECK (status NOT IN ('APPROVED', 'DISBURSED')
           OR (approved_amount_fen IS NOT NULL AND receipt_json IS NOT NULL
               AND reviewed_at IS NOT NULL)),
    CHECK (status <> 'REJECTED' OR (review_reason IS NOT NULL AND reviewed_at IS NOT NULL)),
    CHECK (status <> 'DISBURSED'
           OR (payment_date IS NOT NULL AND voucher_no IS NOT NULL AND share_table_id IS NOT NULL
               AND municipal_share_fen + district_share_fen = approved_amount_fen))
) STRICT;

-- The one-time rule: at most one non-rejected claim per one-time key.
CREATE UNIQUE INDEX claims_one_time_key_live ON claims (one_time_key) WHERE status <> 'REJECTED';
CREATE INDEX claims_year_unit_clause ON claims (year, fiscal_unit, clause);
CREATE INDEX claims_submitted_by ON claims (submitted_by, id);
CREATE INDEX claims_status ON claims (status, id);

-- Claims are never deleted.
CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
BEGIN
    SELECT RAISE(ABORT, 'claims are never deleted');
END;

CREATE TABLE budgets (
    year       INTEGER PRIMARY KEY,
    total_fen  INTEGER NOT NULL CHECK (total_fen >= 0),
    updated_at TEXT    NOT NULL
) STRICT;

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id    INTEGER REFERENCES claims (id),
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    at          TEXT NOT NULL,
    action      TEXT NOT NULL
        CHECK (action IN ('SUBMIT', 'APPROVE', 'REJECT', 'DISBURSE', 'SET_BUDGET')),
    before_json TEXT,
    after_json  TEXT
) STRICT;

CREATE INDEX audit_log_claim ON audit_log (claim_id, id);

-- The audit log is append-only.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
