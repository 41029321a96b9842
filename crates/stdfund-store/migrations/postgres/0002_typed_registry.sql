-- stdfund claim registry, PostgreSQL schema v2: typed claim states (returned, withdrawn),
-- payments, budgets per (year, payer), attachments, publications and objections, key
-- collisions, and the hash-chained audit log. Older builds cannot read it (contract step).
--
-- The claims table is altered in place. The Rust step of this migration then normalises
-- timestamps, fills the folded unit names, and moves `audit_log` into the hash chain
-- (`audit_entries`); 0002_typed_registry.after.sql finishes.

-- The v1 CHECK constraints are unnamed: look them up and drop them; v2 adds its own.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN
        SELECT conname FROM pg_constraint
        WHERE conrelid = 'claims'::regclass AND contype = 'c'
    LOOP
        EXECUTE format('ALTER TABLE claims DROP CONSTRAINT %I', c.conname);
    END LOOP;
END
$$;

ALTER TABLE claims
    ADD COLUMN unit_name_folded    TEXT    NOT NULL DEFAULT '',
    ADD COLUMN subject_as_given    TEXT,
    ADD COLUMN discretionary       BOOLEAN,
    ADD COLUMN resubmissions       INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN note_by             TEXT,
    ADD COLUMN note_at             TEXT,
    ADD COLUMN note_reason         TEXT,
    ADD COLUMN approved_by         TEXT,
    ADD COLUMN approved_at         TEXT,
    ADD COLUMN approval_reason     TEXT,
    ADD COLUMN set_by_reviewer     BOOLEAN,
    ADD COLUMN split_fiscal_unit   TEXT,
    ADD COLUMN municipal_fen       BIGINT,
    ADD COLUMN district_fen        BIGINT,
    ADD COLUMN share_table_version TEXT,
    ADD COLUMN district_ratio      TEXT,
    ADD COLUMN provisional         BOOLEAN,
    ADD COLUMN record_json         TEXT,
    ADD COLUMN paid_fen            BIGINT  NOT NULL DEFAULT 0;

UPDATE claims SET
    variant = COALESCE(variant, ''),
    subject_as_given = subject,
    discretionary = COALESCE(
        (estimate_json::json #>> '{lines,0,status}') = 'LINE_STATUS_DISCRETIONARY', FALSE),
    note_by = CASE WHEN status = 'REJECTED' THEN COALESCE(reviewed_by, '') END,
    note_at = CASE WHEN status = 'REJECTED' THEN reviewed_at END,
    note_reason = CASE WHEN status = 'REJECTED' THEN review_reason END,
    paid_fen = CASE WHEN status = 'DISBURSED' THEN approved_amount_fen ELSE 0 END;

UPDATE claims SET
    approved_by = COALESCE(reviewed_by, ''),
    approved_at = reviewed_at,
    approval_reason = review_reason,
    set_by_reviewer = COALESCE((receipt_json::json ->> 'amountSetByReviewer')::boolean, FALSE),
    split_fiscal_unit = COALESCE(receipt_json::json #>> '{split,fiscalUnit}', fiscal_unit),
    municipal_fen = COALESCE(
        replace(receipt_json::json #>> '{split,municipalShare}', '.', '')::bigint,
        municipal_share_fen),
    district_fen = COALESCE(
        replace(receipt_json::json #>> '{split,districtShare}', '.', '')::bigint,
        district_share_fen),
    share_table_id = COALESCE(receipt_json::json #>> '{split,shareTables,0,id}',
        share_table_id, ''),
    share_table_version = COALESCE(receipt_json::json #>> '{split,shareTables,0,version}', ''),
    district_ratio = COALESCE(receipt_json::json #>> '{split,shareTables,0,districtRatio}', ''),
    provisional = COALESCE(
        (receipt_json::json #>> '{split,shareTables,0,provisional}')::boolean, FALSE),
    record_json = COALESCE((receipt_json::json -> 'assessment')::text, '')
WHERE status IN ('APPROVED', 'DISBURSED');

UPDATE claims SET share_table_id = NULL WHERE status NOT IN ('APPROVED', 'DISBURSED');

CREATE TABLE payments (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id      BIGINT  NOT NULL REFERENCES claims (id),
    payment_date  TEXT    NOT NULL,
    voucher       TEXT    NOT NULL,
    -- 0 for every payment the store records; 1, 2, … only for vouchers that were already
    -- reused before schema v2 (kept, not rewritten).
    voucher_seq   INTEGER NOT NULL DEFAULT 0 CHECK (voucher_seq >= 0),
    payer         TEXT    NOT NULL,
    amount_fen    BIGINT  NOT NULL CHECK (amount_fen >= 0),
    municipal_fen BIGINT  NOT NULL CHECK (municipal_fen >= 0),
    district_fen  BIGINT  NOT NULL CHECK (district_fen >= 0),
    paid_by       TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL,
    CONSTRAINT payments_voucher UNIQUE (payer, voucher, voucher_seq),
    CHECK (municipal_fen + district_fen = amount_fen)
);

INSERT INTO payments (claim_id, payment_date, voucher, voucher_seq, payer, amount_fen,
                      municipal_fen, district_fen, paid_by, recorded_at)
SELECT id, payment_date, voucher_no,
       (ROW_NUMBER() OVER (PARTITION BY voucher_no ORDER BY id) - 1)::integer,
       'CITY', approved_amount_fen, municipal_share_fen, district_share_fen,
       COALESCE(disbursed_by, ''), COALESCE(disbursed_at, updated_at)
FROM claims WHERE status = 'DISBURSED' ORDER BY id;

ALTER TABLE claims
    DROP COLUMN reviewed_by,
    DROP COLUMN review_reason,
    DROP COLUMN receipt_json,
    DROP COLUMN reviewed_at,
    DROP COLUMN payment_date,
    DROP COLUMN voucher_no,
    DROP COLUMN municipal_share_fen,
    DROP COLUMN district_share_fen,
    DROP COLUMN disbursed_by,
    DROP COLUMN disbursed_at,
    ALTER COLUMN variant SET NOT NULL,
    ALTER COLUMN subject_as_given SET NOT NULL,
    ALTER COLUMN discretionary SET NOT NULL,
    ALTER COLUMN unit_name_folded DROP DEFAULT,
    -- Byte order for the columns the queue sorts, compares and searches, whatever the
    -- database's collation: the same order as SQLite.
    ALTER COLUMN created_at TYPE TEXT COLLATE "C",
    ALTER COLUMN unit_name TYPE TEXT COLLATE "C",
    ALTER COLUMN unit_name_folded TYPE TEXT COLLATE "C",
    ALTER COLUMN credit_code TYPE TEXT COLLATE "C",
    ADD COLUMN amount_fen BIGINT GENERATED ALWAYS AS
        (COALESCE(approved_amount_fen, estimated_amount_fen)) STORED,
    ADD CONSTRAINT claims_estimated_amount CHECK (estimated_amount_fen >= 0),
    ADD CONSTRAINT claims_status CHECK (status IN
        ('SUBMITTED', 'RETURNED', 'WITHDRAWN', 'REJECTED', 'APPROVED', 'DISBURSED')),
    ADD CONSTRAINT claims_resubmissions CHECK (resubmissions >= 0),
    ADD CONSTRAINT claims_amounts CHECK (approved_amount_fen >= 0 AND municipal_fen >= 0
        AND district_fen >= 0 AND paid_fen >= 0),
    ADD CONSTRAINT claims_note CHECK ((status IN ('RETURNED', 'WITHDRAWN', 'REJECTED'))
        = (note_by IS NOT NULL AND note_at IS NOT NULL AND note_reason IS NOT NULL)),
    ADD CONSTRAINT claims_approval CHECK ((status IN ('APPROVED', 'DISBURSED'))
        = (approved_by IS NOT NULL AND approved_at IS NOT NULL
           AND approved_amount_fen IS NOT NULL AND set_by_reviewer IS NOT NULL
           AND split_fiscal_unit IS NOT NULL AND municipal_fen IS NOT NULL
           AND district_fen IS NOT NULL AND share_table_id IS NOT NULL
           AND share_table_version IS NOT NULL AND district_ratio IS NOT NULL
           AND provisional IS NOT NULL AND record_json IS NOT NULL)),
    ADD CONSTRAINT claims_split CHECK (approved_amount_fen IS NULL
        OR municipal_fen + district_fen = approved_amount_fen),
    ADD CONSTRAINT claims_paid CHECK (paid_fen <= COALESCE(approved_amount_fen, 0)),
    ADD CONSTRAINT claims_disbursed CHECK (status <> 'DISBURSED'
        OR paid_fen = approved_amount_fen);

DROP INDEX claims_one_time_key_live;
CREATE UNIQUE INDEX claims_one_time_key_live ON claims (one_time_key)
    WHERE status NOT IN ('WITHDRAWN', 'REJECTED');
DROP INDEX claims_year_unit_clause;
CREATE INDEX claims_year_status ON claims (year, status);
CREATE INDEX claims_unit ON claims (fiscal_unit, year, status);
CREATE INDEX claims_split_unit ON claims (year, split_fiscal_unit)
    WHERE approved_amount_fen IS NOT NULL;
CREATE INDEX claims_created ON claims (created_at, id);
CREATE INDEX claims_amount ON claims (amount_fen, id);
CREATE INDEX claims_unit_name ON claims (unit_name, id);
CREATE INDEX claims_credit_code ON claims (credit_code);
CREATE INDEX payments_claim ON payments (claim_id, id);

-- Budgets per (year, payer); the v1 budgets were the municipal ones.
ALTER TABLE budgets ADD COLUMN payer TEXT NOT NULL DEFAULT 'CITY';
ALTER TABLE budgets ALTER COLUMN payer DROP DEFAULT;
ALTER TABLE budgets DROP CONSTRAINT budgets_pkey;
ALTER TABLE budgets ADD CONSTRAINT budgets_pkey PRIMARY KEY (year, payer);

CREATE TABLE attachments (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id     BIGINT NOT NULL REFERENCES claims (id),
    file_name    TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    size_bytes   BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256       TEXT   NOT NULL,
    content      BYTEA  NOT NULL,
    uploaded_by  TEXT   NOT NULL,
    uploaded_at  TEXT   NOT NULL,
    CHECK (octet_length(content) = size_bytes)
);
CREATE INDEX attachments_claim ON attachments (claim_id, id);

CREATE TRIGGER attachments_append_only
    BEFORE UPDATE OR DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION stdfund_refuse_change();
CREATE TRIGGER attachments_no_truncate
    BEFORE TRUNCATE ON attachments
    FOR EACH STATEMENT EXECUTE FUNCTION stdfund_refuse_change();

CREATE TABLE publications (
    id                BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title             TEXT    NOT NULL,
    year              INTEGER NOT NULL,
    fiscal_unit       TEXT,
    status            TEXT    NOT NULL CHECK (status IN ('DRAFT', 'ISSUED')),
    period_start      TEXT    NOT NULL,
    period_end        TEXT    NOT NULL,
    working_days      INTEGER NOT NULL CHECK (working_days > 0),
    objection_contact TEXT    NOT NULL,
    total_fen         BIGINT  NOT NULL CHECK (total_fen >= 0),
    entry_count       BIGINT  NOT NULL CHECK (entry_count >= 0),
    created_by        TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    issued_by         TEXT,
    issued_at         TEXT,
    CHECK (period_start <= period_end),
    CHECK ((status = 'ISSUED') = (issued_by IS NOT NULL AND issued_at IS NOT NULL))
);
CREATE INDEX publications_year ON publications (year, id);

-- A publication changes once: DRAFT -> ISSUED, nothing else; it is never deleted.
CREATE FUNCTION stdfund_publication_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'DRAFT' AND NEW.status = 'ISSUED'
       AND (NEW.id, NEW.title, NEW.year, NEW.fiscal_unit, NEW.period_start, NEW.period_end,
            NEW.working_days, NEW.objection_contact, NEW.total_fen, NEW.entry_count,
            NEW.created_by, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.title, OLD.year, OLD.fiscal_unit, OLD.period_start, OLD.period_end,
            OLD.working_days, OLD.objection_contact, OLD.total_fen, OLD.entry_count,
            OLD.created_by, OLD.created_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'publications are frozen once issued: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER publications_frozen
    BEFORE UPDATE OR DELETE ON publications
    FOR EACH ROW EXECUTE FUNCTION stdfund_publication_guard();
CREATE TRIGGER publications_no_truncate
    BEFORE TRUNCATE ON publications
    FOR EACH STATEMENT EXECUTE FUNCTION stdfund_refuse_change();

CREATE TABLE publication_entries (
    publication_id      BIGINT  NOT NULL REFERENCES publications (id),
    row_no              INTEGER NOT NULL CHECK (row_no >= 1),
    claim_id            BIGINT  NOT NULL REFERENCES claims (id),
    unit_name           TEXT    NOT NULL,
    credit_code         TEXT    NOT NULL,
    fiscal_unit         TEXT    NOT NULL,
    fiscal_unit_name_zh TEXT    NOT NULL,
    item                TEXT    NOT NULL,
    item_name_zh        TEXT    NOT NULL,
    clause              TEXT    NOT NULL,
    subject             TEXT    NOT NULL,
    amount_fen          BIGINT  NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (publication_id, row_no),
    CONSTRAINT publication_entries_claim_once UNIQUE (publication_id, claim_id)
);
CREATE INDEX publication_entries_claim ON publication_entries (claim_id);

CREATE FUNCTION stdfund_publication_entry_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
       AND (SELECT status FROM publications WHERE id = NEW.publication_id) = 'DRAFT' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'publications are frozen once issued: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER publication_entries_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON publication_entries
    FOR EACH ROW EXECUTE FUNCTION stdfund_publication_entry_guard();
CREATE TRIGGER publication_entries_no_truncate
    BEFORE TRUNCATE ON publication_entries
    FOR EACH STATEMENT EXECUTE FUNCTION stdfund_refuse_change();

CREATE TABLE objections (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    publication_id BIGINT NOT NULL,
    claim_id       BIGINT NOT NULL,
    received_on    TEXT   NOT NULL,
    objector       TEXT   NOT NULL,
    contact        TEXT   NOT NULL,
    content        TEXT   NOT NULL,
    outcome        TEXT CHECK (outcome IN ('UPHELD', 'DISMISSED')),
    resolution     TEXT,
    recorded_by    TEXT   NOT NULL,
    recorded_at    TEXT   NOT NULL,
    resolved_by    TEXT,
    resolved_at    TEXT,
    FOREIGN KEY (publication_id, claim_id)
        REFERENCES publication_entries (publication_id, claim_id),
    CHECK ((outcome IS NULL) = (resolution IS NULL AND resolved_by IS NULL AND resolved_at IS NULL))
);
CREATE INDEX objections_publication ON objections (publication_id, id);

-- An objection changes once: open -> resolved, and only its resolution columns.
CREATE FUNCTION stdfund_objection_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.outcome IS NULL AND NEW.outcome IS NOT NULL
       AND (NEW.id, NEW.publication_id, NEW.claim_id, NEW.received_on, NEW.objector,
            NEW.contact, NEW.content, NEW.recorded_by, NEW.recorded_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.publication_id, OLD.claim_id, OLD.received_on, OLD.objector,
            OLD.contact, OLD.content, OLD.recorded_by, OLD.recorded_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'objections are resolved once and never deleted: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER objections_resolve_once
    BEFORE UPDATE OR DELETE ON objections
    FOR EACH ROW EXECUTE FUNCTION stdfund_objection_guard();
CREATE TRIGGER objections_no_truncate
    BEFORE TRUNCATE ON objections
    FOR EACH STATEMENT EXECUTE FUNCTION stdfund_refuse_change();

CREATE TABLE key_collisions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id        BIGINT NOT NULL REFERENCES claims (id),
    holder_claim_id BIGINT NOT NULL REFERENCES claims (id),
    one_time_key    TEXT   NOT NULL,
    found_at        TEXT   NOT NULL,
    CONSTRAINT key_collisions_once UNIQUE (claim_id, holder_claim_id, one_time_key)
);

-- The hash-chained audit log. Ids are assigned by the store: audit_head.last_id + 1.
CREATE TABLE audit_entries (
    id            BIGINT PRIMARY KEY,
    claim_id      BIGINT REFERENCES claims (id),
    target        TEXT NOT NULL DEFAULT '',
    actor         TEXT NOT NULL,
    role          TEXT NOT NULL,
    at            TEXT COLLATE "C" NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('SUBMIT', 'APPROVE', 'REJECT', 'DISBURSE',
        'SET_BUDGET', 'RETURN', 'RESUBMIT', 'WITHDRAW', 'ATTACH', 'PUBLICATION_CREATE',
        'PUBLICATION_ISSUE', 'OBJECTION_RECORD', 'OBJECTION_RESOLVE', 'REKEY')),
    before_json   TEXT,
    after_json    TEXT,
    previous_hash TEXT NOT NULL,
    entry_hash    TEXT NOT NULL
);
CREATE INDEX audit_entries_claim ON audit_entries (claim_id, id);

CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   BIGINT  NOT NULL,
    last_hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '');

CREATE TRIGGER audit_entries_append_only
    BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION stdfund_refuse_change();
CREATE TRIGGER audit_entries_no_truncate
    BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION stdfund_refuse_change();

-- The head only moves forward, to an entry that exists, with that entry's hash.
CREATE FUNCTION stdfund_audit_head_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.last_id > OLD.last_id
       AND NEW.last_hash IS NOT DISTINCT FROM
           (SELECT entry_hash FROM audit_entries WHERE id = NEW.last_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_entries is append-only: the head only moves forward (% refused)',
        TG_OP USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER audit_head_forward_only
    BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION stdfund_audit_head_guard();
CREATE TRIGGER audit_head_no_truncate
    BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION stdfund_refuse_change();
