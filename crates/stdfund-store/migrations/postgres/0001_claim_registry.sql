-- stdfund claim registry, PostgreSQL schema v1.
-- Amounts are BIGINT fen. Timestamps are RFC 3339 text passed in by the application (kept as
-- text so both backends return exactly what was stored). JSON payloads are TEXT, not JSONB:
-- JSONB would reorder keys and drop whitespace, and a frozen receipt must read back byte for
-- byte.

CREATE TABLE claims (
    id                    BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key       TEXT    NOT NULL,
    submitted_by          TEXT    NOT NULL,
    request_hash          TEXT    NOT NULL,
    credit_code           TEXT    NOT NULL,
    credit_code_confirmed BOOLEAN NOT NULL,
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
    estimated_amount_fen  BIGINT  NOT NULL CHECK (estimated_amount_fen >= 0),
    status                TEXT    NOT NULL
        CHECK (status IN ('SUBMITTED', 'APPROVED', 'REJECTED', 'DISBURSED')),
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    reviewed_by           TEXT,
    review_reason         TEXT,
    approved_amount_fen   BIGINT  CHECK (approved_amount_fen >= 0),
    receipt_json          TEXT,
    reviewed_at           TEXT,
    payment_date          TEXT,
    voucher_no            TEXT,
    municipal_share_fen   BIGINT  CHECK (municipal_share_fen >= 0),
    district_share_fen    BIGINT  CHECK (district_share_fen >= 0),
    share_table_id        TEXT,
    disbursed_by          TEXT,
    disbursed_at          TEXT,
    CONSTRAINT claims_idempotency UNIQUE (submitted_by, idempotency_key),
    CHECK (status NOT IN ('APPROVED', 'DISBURSED')
           OR (approved_amount_fen IS NOT NULL AND receipt_json IS NOT NULL
               AND reviewed_at IS NOT NULL)),
    CHECK (status <> 'REJECTED' OR (review_reason IS NOT NULL AND reviewed_at IS NOT NULL)),
    CHECK (status <> 'DISBURSED'
           OR (payment_date IS NOT NULL AND voucher_no IS NOT NULL AND share_table_id IS NOT NULL
               AND municipal_share_fen + district_share_fen = approved_amount_fen))
);

-- The one-time rule: at most one non-rejected claim per one-time key.
CREATE UNIQUE INDEX claims_one_time_key_live ON claims (one_time_key) WHERE status <> 'REJECTED';
CREATE INDEX claims_year_unit_clause ON claims (year, fiscal_unit, clause);
CREATE INDEX claims_submitted_by ON claims (submitted_by, id);
CREATE INDEX claims_status ON claims (status, id);

CREATE TABLE budgets (
    year       INTEGER PRIMARY KEY,
    total_fen  BIGINT  NOT NULL CHECK (total_fen >= 0),
    updated_at TEXT    NOT NULL
);

CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id    BIGINT REFERENCES claims (id),
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    at          TEXT NOT NULL,
    action      TEXT NOT NULL
        CHECK (action IN ('SUBMIT', 'APPROVE', 'REJECT', 'DISBURSE', 'SET_BUDGET')),
    before_json TEXT,
    after_json  TEXT
);

CREATE INDEX audit_log_claim ON audit_log (claim_id, id);

-- Claims are never deleted; the audit log is append-only (no UPDATE, DELETE or TRUNCATE).
CREATE FUNCTION stdfund_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION stdfund_refuse_change();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION stdfund_refuse_change();

CREATE TRIGGER claims_no_delete
    BEFORE DELETE ON claims
    FOR EACH ROW EXECUTE FUNCTION stdfund_refuse_change();

CREATE TRIGGER claims_no_truncate
    BEFORE TRUNCATE ON claims
    FOR EACH STATEMENT EXECUTE FUNCTION stdfund_refuse_change();
