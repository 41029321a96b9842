//! How stored rows become domain values: the column lists the queries select and the
//! decoding of claims, payments, attachments, publications, objections, collisions and
//! audit entries. A claim's status picks which columns make its [`ClaimState`]; the
//! schema's CHECKs guarantee those columns are present.
//!
//! Also the audit snapshots (`before_json` / `after_json`) of each record, written with
//! `serde_json`; payload texts appear in them as strings, never parsed.

use std::str::FromStr;

use serde_json::{Value, json};

use crate::backend::DbRow;
use crate::db::{FromDbRow, date_col, money, money_col, opt_ts_col, present, ts_col};
use crate::error::StoreError;
use crate::model::{
    Approval, Attachment, AuditAction, AuditEntry, Claim, ClaimState, ClaimStatus, Filing,
    FrozenSplit, KeyCollision, Note, Objection, ObjectionOutcome, Payment, Publication,
    PublicationEntry, PublicationStatus,
};

/// The columns of a claim, selected from `claims c`.
pub(crate) const CLAIM_COLUMNS: &str = "c.id, c.idempotency_key, c.submitted_by, \
    c.credit_code, c.credit_code_confirmed, c.unit_name, c.seat, c.fiscal_unit, c.item, \
    c.variant, c.clause, c.subject, c.subject_as_given, c.one_time_key, c.achievement_date, \
    c.year, c.estimated_amount_fen, c.discretionary, c.application_json, c.estimate_json, \
    c.status, c.created_at, c.updated_at, c.resubmissions, c.note_by, c.note_at, \
    c.note_reason, c.approved_by, c.approved_at, c.approval_reason, c.approved_amount_fen, \
    c.set_by_reviewer, c.split_fiscal_unit, c.municipal_fen, c.district_fen, \
    c.share_table_id, c.share_table_version, c.district_ratio, c.provisional, c.record_json, \
    c.paid_fen, \
    (SELECT COUNT(*) FROM attachments a WHERE a.claim_id = c.id) AS attachment_count";

/// `SELECT <claim columns> FROM claims c <tail>`.
pub(crate) fn select_claims(tail: &str) -> String {
    format!("SELECT {CLAIM_COLUMNS} FROM claims c {tail}")
}

fn note<R: DbRow>(r: &R) -> Result<Note, StoreError> {
    Ok(Note {
        by: present("note_by", r.opt_text("note_by")?)?,
        at: present("note_at", opt_ts_col(r, "note_at")?)?,
        reason: present("note_reason", r.opt_text("note_reason")?)?,
    })
}

fn approval<R: DbRow>(r: &R) -> Result<Approval, StoreError> {
    let fen = |col: &str| -> Result<i64, StoreError> { present(col, r.opt_i64(col)?) };
    let flag = |col: &str| -> Result<bool, StoreError> { present(col, r.opt_bool(col)?) };
    Ok(Approval {
        by: present("approved_by", r.opt_text("approved_by")?)?,
        at: present("approved_at", opt_ts_col(r, "approved_at")?)?,
        reason: r.opt_text("approval_reason")?,
        amount: money("approved_amount_fen", fen("approved_amount_fen")?)?,
        set_by_reviewer: flag("set_by_reviewer")?,
        split: FrozenSplit {
            fiscal_unit: present("split_fiscal_unit", r.opt_text("split_fiscal_unit")?)?,
            municipal: money("municipal_fen", fen("municipal_fen")?)?,
            district: money("district_fen", fen("district_fen")?)?,
            share_table_id: present("share_table_id", r.opt_text("share_table_id")?)?,
            share_table_version: present(
                "share_table_version",
                r.opt_text("share_table_version")?,
            )?,
            district_ratio: present("district_ratio", r.opt_text("district_ratio")?)?,
            provisional: flag("provisional")?,
        },
        record_json: present("record_json", r.opt_text("record_json")?)?,
    })
}

impl FromDbRow for Claim {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        let status_text = r.text("status")?;
        let status = ClaimStatus::from_str(&status_text)
            .map_err(|_| StoreError::corrupt(format!("unknown claim status {status_text:?}")))?;
        let state = match status {
            ClaimStatus::Submitted => ClaimState::Submitted,
            ClaimStatus::Returned => ClaimState::Returned(note(r)?),
            ClaimStatus::Withdrawn => ClaimState::Withdrawn(note(r)?),
            ClaimStatus::Rejected => ClaimState::Rejected(note(r)?),
            ClaimStatus::Approved => ClaimState::Approved(approval(r)?),
            ClaimStatus::Disbursed => ClaimState::Disbursed(approval(r)?),
        };
        Ok(Claim {
            id: r.i64("id")?,
            filing: Filing {
                idempotency_key: r.text("idempotency_key")?,
                submitted_by: r.text("submitted_by")?,
                credit_code: r.text("credit_code")?,
                credit_code_confirmed: r.boolean("credit_code_confirmed")?,
                unit_name: r.text("unit_name")?,
                seat: r.text("seat")?,
                fiscal_unit: r.text("fiscal_unit")?,
                item: r.text("item")?,
                variant: r.text("variant")?,
                clause: r.text("clause")?,
                subject: r.text("subject")?,
                subject_as_given: r.text("subject_as_given")?,
                one_time_key: r.text("one_time_key")?,
                achievement_date: date_col(r, "achievement_date")?,
                year: r.i32("year")?,
                estimated_amount: money_col(r, "estimated_amount_fen")?,
                discretionary: r.boolean("discretionary")?,
                application_json: r.text("application_json")?,
                estimate_json: r.text("estimate_json")?,
            },
            state,
            created_at: ts_col(r, "created_at")?,
            updated_at: ts_col(r, "updated_at")?,
            resubmissions: r.i32("resubmissions")?,
            paid: money_col(r, "paid_fen")?,
            payments: Vec::new(),
            attachment_count: r.i64("attachment_count")?,
        })
    }
}

/// The columns of a payment, selected from `payments p`.
pub(crate) const PAYMENT_COLUMNS: &str = "p.id AS payment_id, p.claim_id AS payment_claim_id, \
    p.payment_date, p.voucher, p.payer, p.amount_fen AS payment_amount_fen, \
    p.municipal_fen AS payment_municipal_fen, p.district_fen AS payment_district_fen, \
    p.paid_by, p.recorded_at";

impl FromDbRow for Payment {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(Payment {
            id: r.i64("payment_id")?,
            claim_id: r.i64("payment_claim_id")?,
            payment_date: date_col(r, "payment_date")?,
            voucher: r.text("voucher")?,
            payer: r.text("payer")?,
            amount: money_col(r, "payment_amount_fen")?,
            municipal: money_col(r, "payment_municipal_fen")?,
            district: money_col(r, "payment_district_fen")?,
            by: r.text("paid_by")?,
            at: ts_col(r, "recorded_at")?,
        })
    }
}

/// A payment with its claim (one joined row).
pub(crate) struct PaymentWithClaim(pub(crate) Payment, pub(crate) Claim);

impl FromDbRow for PaymentWithClaim {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(PaymentWithClaim(Payment::from_row(r)?, Claim::from_row(r)?))
    }
}

/// The metadata columns of an attachment.
pub(crate) const ATTACHMENT_COLUMNS: &str =
    "id, claim_id, file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at";

impl FromDbRow for Attachment {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(Attachment {
            id: r.i64("id")?,
            claim_id: r.i64("claim_id")?,
            file_name: r.text("file_name")?,
            content_type: r.text("content_type")?,
            size_bytes: r.i64("size_bytes")?,
            sha256: r.text("sha256")?,
            uploaded_by: r.text("uploaded_by")?,
            uploaded_at: ts_col(r, "uploaded_at")?,
        })
    }
}

/// An attachment with its content.
pub(crate) struct AttachmentWithContent(pub(crate) Attachment, pub(crate) Vec<u8>);

impl FromDbRow for AttachmentWithContent {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(AttachmentWithContent(
            Attachment::from_row(r)?,
            r.blob("content")?,
        ))
    }
}

/// The columns of a publication.
pub(crate) const PUBLICATION_COLUMNS: &str = "id, title, year, fiscal_unit, status, \
    period_start, period_end, working_days, objection_contact, total_fen, entry_count, \
    created_by, created_at, issued_by, issued_at";

impl FromDbRow for Publication {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        let status = match r.text("status")?.as_str() {
            "DRAFT" => PublicationStatus::Draft,
            "ISSUED" => PublicationStatus::Issued,
            other => {
                return Err(StoreError::corrupt(format!(
                    "unknown publication status {other:?}"
                )));
            }
        };
        Ok(Publication {
            id: r.i64("id")?,
            title: r.text("title")?,
            year: r.i32("year")?,
            fiscal_unit: r.opt_text("fiscal_unit")?,
            status,
            period_start: date_col(r, "period_start")?,
            period_end: date_col(r, "period_end")?,
            working_days: r.i32("working_days")?,
            objection_contact: r.text("objection_contact")?,
            entries: Vec::new(),
            entry_count: r.i64("entry_count")?,
            total: money_col(r, "total_fen")?,
            created_by: r.text("created_by")?,
            created_at: ts_col(r, "created_at")?,
            issued_by: r.opt_text("issued_by")?,
            issued_at: opt_ts_col(r, "issued_at")?,
            objections: Vec::new(),
        })
    }
}

/// The columns of a publication entry.
pub(crate) const ENTRY_COLUMNS: &str = "row_no, claim_id, unit_name, credit_code, fiscal_unit, \
    fiscal_unit_name_zh, item, item_name_zh, clause, subject, amount_fen";

impl FromDbRow for PublicationEntry {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(PublicationEntry {
            row: r.i32("row_no")?,
            claim_id: r.i64("claim_id")?,
            unit_name: r.text("unit_name")?,
            credit_code: r.text("credit_code")?,
            fiscal_unit: r.text("fiscal_unit")?,
            fiscal_unit_name_zh: r.text("fiscal_unit_name_zh")?,
            item: r.text("item")?,
            item_name_zh: r.text("item_name_zh")?,
            clause: r.text("clause")?,
            subject: r.text("subject")?,
            amount: money_col(r, "amount_fen")?,
        })
    }
}

/// The columns of an objection.
pub(crate) const OBJECTION_COLUMNS: &str = "id, publication_id, claim_id, received_on, \
    objector, contact, content, outcome, resolution, recorded_by, recorded_at, resolved_by, \
    resolved_at";

impl FromDbRow for Objection {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        let outcome = match r.opt_text("outcome")?.as_deref() {
            None => None,
            Some("UPHELD") => Some(ObjectionOutcome::Upheld),
            Some("DISMISSED") => Some(ObjectionOutcome::Dismissed),
            Some(other) => {
                return Err(StoreError::corrupt(format!(
                    "unknown objection outcome {other:?}"
                )));
            }
        };
        Ok(Objection {
            id: r.i64("id")?,
            publication_id: r.i64("publication_id")?,
            claim_id: r.i64("claim_id")?,
            received_on: date_col(r, "received_on")?,
            objector: r.text("objector")?,
            contact: r.text("contact")?,
            content: r.text("content")?,
            outcome,
            resolution: r.opt_text("resolution")?,
            recorded_by: r.text("recorded_by")?,
            recorded_at: ts_col(r, "recorded_at")?,
            resolved_by: r.opt_text("resolved_by")?,
            resolved_at: opt_ts_col(r, "resolved_at")?,
        })
    }
}

/// A key collision with the current status of its two claims (for `resolved`).
pub(crate) const COLLISION_SELECT: &str = "SELECT k.id, k.claim_id, k.holder_claim_id, \
    k.one_time_key, k.found_at, c.status AS claim_status, c.one_time_key AS claim_key, \
    h.status AS holder_status, h.one_time_key AS holder_key \
    FROM key_collisions k JOIN claims c ON c.id = k.claim_id \
    JOIN claims h ON h.id = k.holder_claim_id";

impl FromDbRow for KeyCollision {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        let live = |col: &str| -> Result<bool, StoreError> {
            let s = r.text(col)?;
            ClaimStatus::from_str(&s)
                .map(ClaimStatus::holds_key)
                .map_err(|_| StoreError::corrupt(format!("unknown claim status {s:?}")))
        };
        let key = r.text("one_time_key")?;
        let stands = live("claim_status")?
            && live("holder_status")?
            && r.text("holder_key")? == key
            && r.text("claim_key")? != key;
        Ok(KeyCollision {
            id: r.i64("id")?,
            claim_id: r.i64("claim_id")?,
            holder_claim_id: r.i64("holder_claim_id")?,
            one_time_key: key,
            found_at: ts_col(r, "found_at")?,
            resolved: !stands,
        })
    }
}

impl FromDbRow for AuditEntry {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        let action = r.text("action")?;
        Ok(AuditEntry {
            id: r.i64("id")?,
            claim_id: r.opt_i64("claim_id")?,
            target: r.text("target")?,
            actor: r.text("actor")?,
            role: r.text("role")?,
            at: ts_col(r, "at")?,
            action: AuditAction::from_str(&action)
                .map_err(|_| StoreError::corrupt(format!("unknown audit action {action:?}")))?,
            before_json: r.opt_text("before_json")?,
            after_json: r.opt_text("after_json")?,
            previous_hash: r.text("previous_hash")?,
            entry_hash: r.text("entry_hash")?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Audit snapshots
// ---------------------------------------------------------------------------------------------

/// Which parts of a claim an audit snapshot carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Status, note, approval figures and payments: transitions.
    State,
    /// Also the approval's record (the frozen assessment): approval.
    Approval,
    /// Also the filing's payloads (application and estimate): submission, resubmission.
    Filing,
}

/// The audit snapshot of a claim.
pub(crate) fn claim_json(c: &Claim, detail: Detail) -> String {
    let f = &c.filing;
    let mut v = json!({
        "id": c.id,
        "status": c.status().as_str(),
        "submitted_by": f.submitted_by,
        "idempotency_key": f.idempotency_key,
        "credit_code": f.credit_code,
        "credit_code_confirmed": f.credit_code_confirmed,
        "unit_name": f.unit_name,
        "seat": f.seat,
        "fiscal_unit": f.fiscal_unit,
        "item": f.item,
        "variant": f.variant,
        "clause": f.clause,
        "subject": f.subject,
        "subject_as_given": f.subject_as_given,
        "one_time_key": f.one_time_key,
        "achievement_date": f.achievement_date.to_string(),
        "year": f.year,
        "estimated_amount": f.estimated_amount.to_string(),
        "discretionary": f.discretionary,
        "resubmissions": c.resubmissions,
        "paid": c.paid.to_string(),
        "created_at": c.created_at.as_str(),
        "updated_at": c.updated_at.as_str(),
    });
    if let Value::Object(map) = &mut v {
        if let Some(n) = c.state.note() {
            map.insert(
                "note".into(),
                json!({"by": n.by, "at": n.at.as_str(), "reason": n.reason}),
            );
        }
        if let Some(a) = c.approval() {
            let mut approval = json!({
                "by": a.by,
                "at": a.at.as_str(),
                "reason": a.reason,
                "amount": a.amount.to_string(),
                "set_by_reviewer": a.set_by_reviewer,
                "split": {
                    "fiscal_unit": a.split.fiscal_unit,
                    "municipal": a.split.municipal.to_string(),
                    "district": a.split.district.to_string(),
                    "share_table_id": a.split.share_table_id,
                    "share_table_version": a.split.share_table_version,
                    "district_ratio": a.split.district_ratio,
                    "provisional": a.split.provisional,
                },
            });
            if detail != Detail::State
                && let Value::Object(am) = &mut approval
            {
                am.insert("record_json".into(), Value::String(a.record_json.clone()));
            }
            map.insert("approval".into(), approval);
        }
        if !c.payments.is_empty() {
            let payments: Vec<Value> = c.payments.iter().map(payment_value).collect();
            map.insert("payments".into(), Value::Array(payments));
        }
        if detail == Detail::Filing {
            map.insert(
                "application_json".into(),
                Value::String(f.application_json.clone()),
            );
            map.insert(
                "estimate_json".into(),
                Value::String(f.estimate_json.clone()),
            );
        }
    }
    v.to_string()
}

fn payment_value(p: &Payment) -> Value {
    json!({
        "id": p.id,
        "claim_id": p.claim_id,
        "payment_date": p.payment_date.to_string(),
        "voucher": p.voucher,
        "payer": p.payer,
        "amount": p.amount.to_string(),
        "municipal": p.municipal.to_string(),
        "district": p.district.to_string(),
        "by": p.by,
        "at": p.at.as_str(),
    })
}

/// The audit snapshot of an attachment (metadata and digest, not the bytes).
pub(crate) fn attachment_json(a: &Attachment) -> String {
    json!({
        "id": a.id,
        "claim_id": a.claim_id,
        "file_name": a.file_name,
        "content_type": a.content_type,
        "size_bytes": a.size_bytes,
        "sha256": a.sha256,
        "uploaded_by": a.uploaded_by,
        "uploaded_at": a.uploaded_at.as_str(),
    })
    .to_string()
}

/// The audit snapshot of a publication (with its lines when it has them).
pub(crate) fn publication_json(p: &Publication) -> String {
    let entries: Vec<Value> = p
        .entries
        .iter()
        .map(|e| {
            json!({
                "row": e.row,
                "claim_id": e.claim_id,
                "amount": e.amount.to_string(),
                // What the public list shows of the line, so that a name or subject changed
                // in an issued list shows in `audit verify`.
                "unit_name": e.unit_name,
                "credit_code": e.credit_code,
                "fiscal_unit": e.fiscal_unit,
                "fiscal_unit_name_zh": e.fiscal_unit_name_zh,
                "item": e.item,
                "item_name_zh": e.item_name_zh,
                "clause": e.clause,
                "subject": e.subject,
            })
        })
        .collect();
    json!({
        "id": p.id,
        "title": p.title,
        "year": p.year,
        "fiscal_unit": p.fiscal_unit,
        "status": p.status.as_str(),
        "period_start": p.period_start.to_string(),
        "period_end": p.period_end.to_string(),
        "working_days": p.working_days,
        // Where objections go during the notice period.
        "objection_contact": p.objection_contact,
        "created_by": p.created_by,
        "created_at": p.created_at.as_str(),
        "issued_by": p.issued_by,
        "issued_at": p.issued_at.as_ref().map(crate::Timestamp::as_str),
        "total": p.total.to_string(),
        "entry_count": p.entry_count,
        "entries": entries,
    })
    .to_string()
}

/// The audit snapshot of an objection.
pub(crate) fn objection_json(o: &Objection) -> String {
    json!({
        "id": o.id,
        "publication_id": o.publication_id,
        "claim_id": o.claim_id,
        "received_on": o.received_on.to_string(),
        "objector": o.objector,
        "contact": o.contact,
        "content": o.content,
        "outcome": o.outcome.map(ObjectionOutcome::as_str),
        "resolution": o.resolution,
        "recorded_by": o.recorded_by,
        "recorded_at": o.recorded_at.as_str(),
        "resolved_by": o.resolved_by,
        "resolved_at": o.resolved_at.as_ref().map(crate::Timestamp::as_str),
    })
    .to_string()
}
