//! Attachments, publications (公示) and objections.

use crate::error::ClaimAction;
use std::collections::BTreeSet;

use sha2::{Digest, Sha256};
use stdfund_rules::date::Date;
use stdfund_rules::money::Money;

use super::get_claim;
use crate::AttachmentScope;
use crate::audit::{self, Record};
use crate::backend::{Backend, Dialect, Stmt};
use crate::db::{Cx, N, fen};
use crate::error::StoreError;
use crate::model::{
    Actor, Attachment, AuditAction, ClaimId, ClaimStatus, NewAttachment, NewObjection,
    NewPublication, Objection, ObjectionOutcome, Publication, PublicationStatus, Timestamp,
};
use crate::records::{
    ATTACHMENT_COLUMNS, AttachmentWithContent, ENTRY_COLUMNS, OBJECTION_COLUMNS,
    PUBLICATION_COLUMNS, attachment_json, objection_json, publication_json,
};
use crate::validate;

// ---------------------------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------------------------

pub(crate) fn check_attachment(a: &NewAttachment) -> Result<(), StoreError> {
    validate::text("file_name", &a.file_name)?;
    validate::text("content_type", &a.content_type)?;
    if a.content.len() > validate::MAX_ATTACHMENT {
        return Err(StoreError::invalid(
            "content",
            format!("larger than {} bytes", validate::MAX_ATTACHMENT),
        ));
    }
    Ok(())
}

/// The applicant's files (those its submitter uploaded) on one claim, and
/// on every claim of its credit code, with one more of `adding` bytes: at
/// most [`validate::MAX_CLAIM_ATTACHMENTS`] files and
/// [`validate::MAX_CLAIM_ATTACHMENT_BYTES`] on the claim, and
/// [`validate::MAX_APPLICANT_ATTACHMENTS`] files and
/// [`validate::MAX_APPLICANT_ATTACHMENT_BYTES`] over its claims — withdrawn
/// ones too, whose files stay (the ninth attack stored 120 MiB on withdrawn
/// claims). The bureau's own files (a payment voucher, an objection's
/// papers) are neither counted nor limited: an applicant's 30 files must not
/// keep the voucher off its claim.
async fn applicant_within_limits<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    claim: &crate::Claim,
    adding: i64,
) -> Result<(), StoreError> {
    let on_claim = |sql| {
        Stmt::new(sql)
            .bind(claim.id)
            .bind(&claim.filing.submitted_by)
    };
    within_limit(
        cx,
        AttachmentScope::Claim(claim.id),
        [
            on_claim(
                "SELECT COUNT(*) AS n FROM attachments WHERE claim_id = $1 AND uploaded_by = $2",
            ),
            on_claim(
                "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) AS n \
                 FROM attachments WHERE claim_id = $1 AND uploaded_by = $2",
            ),
        ],
        adding,
        (
            validate::MAX_CLAIM_ATTACHMENTS,
            validate::MAX_CLAIM_ATTACHMENT_BYTES,
        ),
    )
    .await?;
    let code = &claim.filing.credit_code;
    // The applicant's files span its claims, and the claim lock above holds
    // one of them: files added at once to several claims of one unit are
    // counted one after the other (PostgreSQL; the fourteenth attack put 308
    // files under a limit of 300). Taken after the claim lock, as budgets
    // and one-time keys are.
    super::advisory_lock(cx, &["applicant_files", code]).await?;
    let of_applicant = |sql| Stmt::new(sql).bind(code);
    within_limit(
        cx,
        AttachmentScope::Applicant(code.clone()),
        [
            of_applicant(
                "SELECT COUNT(*) AS n FROM attachments a JOIN claims c ON c.id = a.claim_id \
                 WHERE c.credit_code = $1 AND a.uploaded_by = c.submitted_by",
            ),
            of_applicant(
                "SELECT CAST(COALESCE(SUM(a.size_bytes), 0) AS BIGINT) AS n \
                 FROM attachments a JOIN claims c ON c.id = a.claim_id \
                 WHERE c.credit_code = $1 AND a.uploaded_by = c.submitted_by",
            ),
        ],
        adding,
        (
            validate::MAX_APPLICANT_ATTACHMENTS,
            validate::MAX_APPLICANT_ATTACHMENT_BYTES,
        ),
    )
    .await
}

/// One limit: the files and bytes `[count, sum]` find, with one more of
/// `adding` bytes, within `(max_files, max_bytes)`.
async fn within_limit<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    scope: AttachmentScope,
    [count, sum]: [Stmt; 2],
    adding: i64,
    (max_files, max_bytes): (i64, i64),
) -> Result<(), StoreError> {
    let N(files) = cx.one(count).await?;
    let N(bytes) = cx.one(sum).await?;
    if files >= max_files || bytes.saturating_add(adding) > max_bytes {
        return Err(StoreError::AttachmentLimit {
            scope,
            files,
            bytes,
            adding,
            max_files,
            max_bytes,
        });
    }
    Ok(())
}

const INSERT_ATTACHMENT: &str = "INSERT INTO attachments (claim_id, file_name, content_type, \
    size_bytes, sha256, content, uploaded_by, uploaded_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id AS n";

pub(crate) async fn add_attachment<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    claim_id: ClaimId,
    a: NewAttachment,
    actor: &Actor,
    now: &Timestamp,
) -> Result<Attachment, StoreError> {
    // Locked: two files added at once are counted one after the other.
    let claim = super::lock_claim(cx, claim_id).await?;
    if actor.role == Actor::PORTAL {
        if actor.subject != claim.filing.submitted_by {
            return Err(StoreError::not_found("claim", claim_id));
        }
        // The applicant adds material while the claim is under review or
        // approved; not to a decided file (paid, rejected, withdrawn) the
        // reviewer will not read again. An admin attaches at any time (a
        // payment voucher, an objection's papers).
        const OPEN: &[ClaimStatus] = &[
            ClaimStatus::Submitted,
            ClaimStatus::Returned,
            ClaimStatus::Approved,
        ];
        if !OPEN.contains(&claim.status()) {
            return Err(StoreError::InvalidState {
                claim_id,
                actual: claim.status(),
                action: ClaimAction::Attach,
                allowed: OPEN,
            });
        }
    }
    let sha256 = format!("sha256:{}", validate::hex(&Sha256::digest(&a.content)));
    let size_bytes =
        i64::try_from(a.content.len()).map_err(|_| StoreError::invalid("content", "too large"))?;
    if actor.role == Actor::PORTAL {
        applicant_within_limits(cx, &claim, size_bytes).await?;
    }
    let N(id) = cx
        .one(
            Stmt::new(INSERT_ATTACHMENT)
                .bind(claim_id)
                .bind(&a.file_name)
                .bind(&a.content_type)
                .bind(size_bytes)
                .bind(sha256.clone())
                .bind(a.content)
                .bind(&actor.subject)
                .bind(now.as_str()),
        )
        .await?;
    let stored = Attachment {
        id,
        claim_id,
        file_name: a.file_name,
        content_type: a.content_type,
        size_bytes,
        sha256,
        uploaded_by: actor.subject.clone(),
        uploaded_at: now.clone(),
    };
    audit::append(
        cx,
        actor,
        now,
        Record {
            claim_id: Some(claim_id),
            target: format!("attachment:{id}"),
            action: AuditAction::Attach,
            before: None,
            after: Some(attachment_json(&stored)),
        },
    )
    .await?;
    Ok(stored)
}

pub(crate) async fn attachments<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    claim_id: ClaimId,
) -> Result<Vec<Attachment>, StoreError> {
    get_claim(cx, claim_id).await?;
    let sql =
        format!("SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE claim_id = $1 ORDER BY id");
    cx.all(Stmt::assembled(sql, Vec::new()).bind(claim_id))
        .await
}

pub(crate) async fn attachment<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: i64,
) -> Result<(Attachment, Vec<u8>), StoreError> {
    let sql = format!("SELECT {ATTACHMENT_COLUMNS}, content FROM attachments WHERE id = $1");
    let found: Option<AttachmentWithContent> =
        cx.opt(Stmt::assembled(sql, Vec::new()).bind(id)).await?;
    found
        .map(|AttachmentWithContent(a, bytes)| (a, bytes))
        .ok_or_else(|| StoreError::not_found("attachment", id))
}

// ---------------------------------------------------------------------------------------------
// Publications
// ---------------------------------------------------------------------------------------------

pub(crate) fn check_publication(p: &NewPublication) -> Result<(), StoreError> {
    validate::text("title", &p.title)?;
    validate::year("year", p.year)?;
    if let Some(u) = &p.fiscal_unit {
        validate::text("fiscal_unit", u)?;
    }
    if p.period_start > p.period_end {
        return Err(StoreError::invalid(
            "period_end",
            format!("{} is before {}", p.period_end, p.period_start),
        ));
    }
    if p.working_days <= 0 {
        return Err(StoreError::invalid("working_days", "must be above 0"));
    }
    validate::text("objection_contact", &p.objection_contact)?;
    if p.entries.is_empty() {
        return Err(StoreError::invalid(
            "entries",
            "a publication lists at least one claim",
        ));
    }
    let mut claims = BTreeSet::new();
    for (i, e) in p.entries.iter().enumerate() {
        let row = i32::try_from(i.saturating_add(1)).unwrap_or(i32::MAX);
        if e.row != row {
            return Err(StoreError::invalid(
                "entries",
                format!("row {} is numbered {}", row, e.row),
            ));
        }
        if !claims.insert(e.claim_id) {
            return Err(StoreError::invalid(
                "entries",
                format!("claim {} is listed twice", e.claim_id),
            ));
        }
        for (field, v) in [
            ("entries.unit_name", &e.unit_name),
            ("entries.credit_code", &e.credit_code),
            ("entries.fiscal_unit", &e.fiscal_unit),
            ("entries.fiscal_unit_name_zh", &e.fiscal_unit_name_zh),
            ("entries.item", &e.item),
            ("entries.item_name_zh", &e.item_name_zh),
            ("entries.clause", &e.clause),
            ("entries.subject", &e.subject),
        ] {
            validate::optional_text(field, v)?;
        }
        fen("entries.amount", e.amount)?;
    }
    Ok(())
}

const INSERT_PUBLICATION: &str = "INSERT INTO publications (title, year, fiscal_unit, status, \
    period_start, period_end, working_days, objection_contact, total_fen, entry_count, \
    created_by, created_at) VALUES ($1, $2, $3, 'DRAFT', $4, $5, $6, $7, $8, $9, $10, $11) \
    RETURNING id AS n";

const INSERT_ENTRY: &str = "INSERT INTO publication_entries (publication_id, row_no, claim_id, \
    unit_name, credit_code, fiscal_unit, fiscal_unit_name_zh, item, item_name_zh, clause, \
    subject, amount_fen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

pub(crate) async fn create_publication<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    p: &NewPublication,
    actor: &Actor,
    now: &Timestamp,
) -> Result<Publication, StoreError> {
    let mut total = Money::ZERO;
    for e in &p.entries {
        let claim = get_claim(cx, e.claim_id).await?;
        let issued: Option<N> = cx
            .opt(
                Stmt::new(
                    "SELECT p.id AS n FROM publication_entries e \
                     JOIN publications p ON p.id = e.publication_id \
                     WHERE e.claim_id = $1 AND p.status = 'ISSUED' ORDER BY p.id LIMIT 1",
                )
                .bind(e.claim_id),
            )
            .await?;
        if let Some(N(publication_id)) = issued {
            return Err(StoreError::AlreadyPublished {
                claim_id: e.claim_id,
                publication_id,
            });
        }
        let Some(approval) = claim.approval() else {
            return Err(StoreError::InvalidState {
                claim_id: claim.id,
                actual: claim.status(),
                action: ClaimAction::Publish,
                allowed: &[ClaimStatus::Approved, ClaimStatus::Disbursed],
            });
        };
        if claim.filing.year != p.year {
            return Err(StoreError::invalid(
                "entries",
                format!(
                    "claim {} is of {}, not {}",
                    claim.id, claim.filing.year, p.year
                ),
            ));
        }
        if let Some(unit) = &p.fiscal_unit
            && &claim.filing.fiscal_unit != unit
        {
            return Err(StoreError::invalid(
                "entries",
                format!(
                    "claim {} is of fiscal unit {}, not {unit}",
                    claim.id, claim.filing.fiscal_unit
                ),
            ));
        }
        if e.amount != approval.amount {
            return Err(StoreError::invalid(
                "entries",
                format!(
                    "claim {} is approved at {}, not {}",
                    claim.id, approval.amount, e.amount
                ),
            ));
        }
        total = total
            .checked_add(e.amount)
            .ok_or_else(|| StoreError::invalid("entries", "the total is out of range"))?;
    }
    let count = i64::try_from(p.entries.len()).unwrap_or(i64::MAX);
    let N(id) = cx
        .one(
            Stmt::new(INSERT_PUBLICATION)
                .bind(&p.title)
                .bind(p.year)
                .bind(p.fiscal_unit.clone())
                .bind(p.period_start.to_string())
                .bind(p.period_end.to_string())
                .bind(p.working_days)
                .bind(&p.objection_contact)
                .bind(fen("total", total)?)
                .bind(count)
                .bind(&actor.subject)
                .bind(now.as_str()),
        )
        .await?;
    for e in &p.entries {
        cx.exec(
            Stmt::new(INSERT_ENTRY)
                .bind(id)
                .bind(e.row)
                .bind(e.claim_id)
                .bind(&e.unit_name)
                .bind(&e.credit_code)
                .bind(&e.fiscal_unit)
                .bind(&e.fiscal_unit_name_zh)
                .bind(&e.item)
                .bind(&e.item_name_zh)
                .bind(&e.clause)
                .bind(&e.subject)
                .bind(fen("entries.amount", e.amount)?),
        )
        .await?;
    }
    let created = publication(cx, id).await?;
    audit::append(
        cx,
        actor,
        now,
        Record {
            claim_id: None,
            target: format!("publication:{id}"),
            action: AuditAction::PublicationCreate,
            before: None,
            after: Some(publication_json(&created)),
        },
    )
    .await?;
    Ok(created)
}

async fn publication_row<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: i64,
    lock: bool,
) -> Result<Publication, StoreError> {
    let tail = if lock && DB::DIALECT == Dialect::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let sql = format!("SELECT {PUBLICATION_COLUMNS} FROM publications WHERE id = $1{tail}");
    cx.opt(Stmt::assembled(sql, Vec::new()).bind(id))
        .await?
        .ok_or_else(|| StoreError::not_found("publication", id))
}

pub(crate) async fn publication<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: i64,
) -> Result<Publication, StoreError> {
    let mut p = publication_row(cx, id, false).await?;
    let entries = format!(
        "SELECT {ENTRY_COLUMNS} FROM publication_entries WHERE publication_id = $1 ORDER BY row_no"
    );
    p.entries = cx
        .all(Stmt::assembled(entries, Vec::new()).bind(id))
        .await?;
    let objections =
        format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE publication_id = $1 ORDER BY id");
    p.objections = cx
        .all(Stmt::assembled(objections, Vec::new()).bind(id))
        .await?;
    Ok(p)
}

pub(crate) async fn issue_publication<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: i64,
    actor: &Actor,
    now: &Timestamp,
) -> Result<Publication, StoreError> {
    let before = publication_row(cx, id, true).await?;
    if before.status != PublicationStatus::Draft {
        return Err(StoreError::PublicationNotDraft { id });
    }
    // Its claims locked in id order (PostgreSQL): two drafts listing one claim, issued at
    // once, each read the other as a draft and both were issued (the twelfth attack on the
    // registry, R30). The second now waits for the first and reads it issued.
    if DB::DIALECT == Dialect::Postgres {
        let _: Vec<N> = cx
            .all(
                Stmt::new(
                    "SELECT c.id AS n FROM claims c WHERE c.id IN \
                     (SELECT e.claim_id FROM publication_entries e WHERE e.publication_id = $1) \
                     ORDER BY c.id FOR UPDATE",
                )
                .bind(id),
            )
            .await?;
    }
    // Another draft listing one of its claims may have been issued since.
    let twice: Option<N> = cx
        .opt(
            Stmt::new(
                "SELECT e.claim_id AS n FROM publication_entries e \
                 JOIN publication_entries o ON o.claim_id = e.claim_id \
                 JOIN publications p ON p.id = o.publication_id \
                 WHERE e.publication_id = $1 AND p.status = 'ISSUED' AND p.id <> $1 \
                 ORDER BY e.row_no LIMIT 1",
            )
            .bind(id),
        )
        .await?;
    if let Some(N(claim_id)) = twice {
        let N(publication_id) = cx
            .one(
                Stmt::new(
                    "SELECT p.id AS n FROM publication_entries o \
                     JOIN publications p ON p.id = o.publication_id \
                     WHERE o.claim_id = $1 AND p.status = 'ISSUED' ORDER BY p.id LIMIT 1",
                )
                .bind(claim_id),
            )
            .await?;
        return Err(StoreError::AlreadyPublished {
            claim_id,
            publication_id,
        });
    }
    cx.exec(
        Stmt::new(
            "UPDATE publications SET status = 'ISSUED', issued_by = $1, issued_at = $2 \
             WHERE id = $3 AND status = 'DRAFT'",
        )
        .bind(&actor.subject)
        .bind(now.as_str())
        .bind(id),
    )
    .await?;
    // The issued list as the public sees it, lines included (so `audit verify` compares
    // them; before 2026-12-05 this entry held the row alone).
    let after = publication(cx, id).await?;
    let mut before = before;
    before.entries.clone_from(&after.entries);
    audit::append(
        cx,
        actor,
        now,
        Record {
            claim_id: None,
            target: format!("publication:{id}"),
            action: AuditAction::PublicationIssue,
            before: Some(publication_json(&before)),
            after: Some(publication_json(&after)),
        },
    )
    .await?;
    Ok(after)
}

pub(crate) async fn publications<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    year: Option<i32>,
) -> Result<Vec<Publication>, StoreError> {
    let sql = format!(
        "SELECT {PUBLICATION_COLUMNS} FROM publications WHERE ($1 IS NULL OR year = $1) \
         ORDER BY created_at DESC, id DESC"
    );
    cx.all(Stmt::assembled(sql, Vec::new()).bind(year)).await
}

pub(crate) async fn published_claim_ids<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    year: i32,
) -> Result<BTreeSet<ClaimId>, StoreError> {
    let rows: Vec<N> = cx
        .all(
            Stmt::new(
                "SELECT DISTINCT e.claim_id AS n FROM publication_entries e \
                 JOIN publications p ON p.id = e.publication_id \
                 WHERE p.status = 'ISSUED' AND p.year = $1",
            )
            .bind(year),
        )
        .await?;
    Ok(rows.into_iter().map(|N(id)| id).collect())
}

// ---------------------------------------------------------------------------------------------
// Objections
// ---------------------------------------------------------------------------------------------

pub(crate) fn check_objection(o: &NewObjection) -> Result<(), StoreError> {
    validate::text("objector", &o.objector)?;
    validate::optional_text("contact", &o.contact)?;
    validate::text("content", &o.content)
}

const INSERT_OBJECTION: &str = "INSERT INTO objections (publication_id, claim_id, received_on, \
    objector, contact, content, recorded_by, recorded_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id AS n";

pub(crate) async fn objection<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: i64,
    lock: bool,
) -> Result<Objection, StoreError> {
    let tail = if lock && DB::DIALECT == Dialect::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let sql = format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE id = $1{tail}");
    cx.opt(Stmt::assembled(sql, Vec::new()).bind(id))
        .await?
        .ok_or_else(|| StoreError::not_found("objection", id))
}

/// The objections recorded against a claim (on any publication), oldest first.
pub(crate) async fn claim_objections<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    claim_id: ClaimId,
) -> Result<Vec<Objection>, StoreError> {
    let sql = format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE claim_id = $1 ORDER BY id");
    cx.all(Stmt::assembled(sql, Vec::new()).bind(claim_id))
        .await
}

/// The objection that stops a payment of the claim: the first still open
/// (异议待处理) or upheld (异议成立). An upheld objection stops it until the
/// reviewer revokes the approval; a dismissed one does not.
pub(crate) async fn blocking_objection<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    claim_id: ClaimId,
) -> Result<Option<Objection>, StoreError> {
    Ok(claim_objections(cx, claim_id)
        .await?
        .into_iter()
        .find(|o| o.outcome != Some(ObjectionOutcome::Dismissed)))
}

pub(crate) async fn record_objection<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    o: &NewObjection,
    actor: &Actor,
    now: &Timestamp,
    today: Date,
) -> Result<Objection, StoreError> {
    let p = publication_row(cx, o.publication_id, false).await?;
    if p.status != PublicationStatus::Issued {
        return Err(StoreError::PublicationIsDraft {
            publication_id: p.id,
        });
    }
    let listed: Option<N> = cx
        .opt(
            Stmt::new(
                "SELECT claim_id AS n FROM publication_entries \
                 WHERE publication_id = $1 AND claim_id = $2",
            )
            .bind(o.publication_id)
            .bind(o.claim_id),
        )
        .await?;
    if listed.is_none() {
        return Err(StoreError::NotOnPublication {
            publication_id: o.publication_id,
            claim_id: o.claim_id,
        });
    }
    if o.received_on < p.period_start || o.received_on > p.period_end {
        return Err(StoreError::ObjectionOutsidePeriod {
            period_start: p.period_start,
            period_end: p.period_end,
            received_on: o.received_on,
        });
    }
    // Only an objection already received is recorded: a day ahead is a typo
    // that would stop the payment until someone noticed (the tenth user test).
    if o.received_on > today {
        return Err(StoreError::ObjectionInFuture {
            today,
            received_on: o.received_on,
        });
    }
    // The claim before the audit head, as every transition of it does: an objection that
    // took the head first deadlocked with a payment of the claim on PostgreSQL (the
    // twelfth attack on the registry).
    super::lock_claim(cx, o.claim_id).await?;
    // The same objection again (a form sent twice) is not a second objection: it would
    // count twice against the payment (`异议待处理 2 件`; the eleventh user test).
    let same: Option<N> = cx
        .opt(
            Stmt::new(
                "SELECT id AS n FROM objections WHERE publication_id = $1 AND claim_id = $2 \
                 AND received_on = $3 AND objector = $4 AND content = $5 ORDER BY id LIMIT 1",
            )
            .bind(o.publication_id)
            .bind(o.claim_id)
            .bind(o.received_on.to_string())
            .bind(&o.objector)
            .bind(&o.content),
        )
        .await?;
    if let Some(N(objection_id)) = same {
        return Err(StoreError::ObjectionDuplicate { objection_id });
    }
    let N(id) = cx
        .one(
            Stmt::new(INSERT_OBJECTION)
                .bind(o.publication_id)
                .bind(o.claim_id)
                .bind(o.received_on.to_string())
                .bind(&o.objector)
                .bind(&o.contact)
                .bind(&o.content)
                .bind(&actor.subject)
                .bind(now.as_str()),
        )
        .await?;
    let stored = objection(cx, id, false).await?;
    audit::append(
        cx,
        actor,
        now,
        Record {
            claim_id: Some(o.claim_id),
            target: format!("objection:{id}"),
            action: AuditAction::ObjectionRecord,
            before: None,
            after: Some(objection_json(&stored)),
        },
    )
    .await?;
    Ok(stored)
}

pub(crate) async fn resolve_objection<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: i64,
    outcome: ObjectionOutcome,
    resolution: &str,
    actor: &Actor,
    now: &Timestamp,
) -> Result<Objection, StoreError> {
    // The claim before the objection and the audit head (the lock order of every
    // transition; see `record_objection`).
    let claim_id = objection(cx, id, false).await?.claim_id;
    super::lock_claim(cx, claim_id).await?;
    let before = objection(cx, id, true).await?;
    if before.outcome.is_some() {
        return Err(StoreError::ObjectionResolved { id });
    }
    cx.exec(
        Stmt::new(
            "UPDATE objections SET outcome = $1, resolution = $2, resolved_by = $3, \
             resolved_at = $4 WHERE id = $5 AND outcome IS NULL",
        )
        .bind(outcome.as_str())
        .bind(resolution)
        .bind(&actor.subject)
        .bind(now.as_str())
        .bind(id),
    )
    .await?;
    let after = objection(cx, id, false).await?;
    audit::append(
        cx,
        actor,
        now,
        Record {
            claim_id: Some(after.claim_id),
            target: format!("objection:{id}"),
            action: AuditAction::ObjectionResolve,
            before: Some(objection_json(&before)),
            after: Some(objection_json(&after)),
        },
    )
    .await?;
    Ok(after)
}
