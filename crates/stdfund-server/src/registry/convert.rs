//! The store's typed records as `stdfund.v1` messages, one way. Money and
//! dates are written by the rules crate's types; statuses and actions are
//! matched exhaustively, so a new store status cannot reach a client without
//! a decision here. The frozen documents (application, estimate, approval
//! assessment) are shown only in the full view.

use crate::auth::Role;
use crate::registry_error::RegistryError;
use stdfund_proto::{pb, stored};
use stdfund_rules::RuleBook;
use stdfund_rules::domain::ShareUse;
use stdfund_rules::ruleset::FiscalUnitDoc;
use stdfund_store::{
    Approval, Attachment, AuditAction, AuditEntry, BudgetStatus, CITY, Claim, ClaimState,
    ClaimStatus, FrozenSplit, Note, Objection, ObjectionOutcome, Payment, Publication,
    PublicationEntry, PublicationStatus, Timestamp,
};

/// A stored timestamp as a proto timestamp.
pub fn timestamp(t: &Timestamp) -> Option<prost_types::Timestamp> {
    t.as_str().parse::<prost_types::Timestamp>().ok()
}

/// The contract's status.
pub fn status(s: ClaimStatus) -> pb::ClaimStatus {
    match s {
        ClaimStatus::Submitted => pb::ClaimStatus::Submitted,
        ClaimStatus::Returned => pb::ClaimStatus::Returned,
        ClaimStatus::Withdrawn => pb::ClaimStatus::Withdrawn,
        ClaimStatus::Rejected => pb::ClaimStatus::Rejected,
        ClaimStatus::Approved => pb::ClaimStatus::Approved,
        ClaimStatus::Disbursed => pb::ClaimStatus::Disbursed,
    }
}

/// The contract's audit action.
pub fn action(a: AuditAction) -> pb::AuditAction {
    match a {
        AuditAction::Submit => pb::AuditAction::Submit,
        AuditAction::Approve => pb::AuditAction::Approve,
        AuditAction::Reject => pb::AuditAction::Reject,
        AuditAction::Disburse => pb::AuditAction::Disburse,
        AuditAction::SetBudget => pb::AuditAction::SetBudget,
        AuditAction::Return => pb::AuditAction::Return,
        AuditAction::Resubmit => pb::AuditAction::Resubmit,
        AuditAction::Withdraw => pb::AuditAction::Withdraw,
        AuditAction::Attach => pb::AuditAction::Attach,
        AuditAction::PublicationCreate => pb::AuditAction::PublicationCreate,
        AuditAction::PublicationIssue => pb::AuditAction::PublicationIssue,
        AuditAction::ObjectionRecord => pb::AuditAction::ObjectionRecord,
        AuditAction::ObjectionResolve => pb::AuditAction::ObjectionResolve,
        AuditAction::Rekey => pb::AuditAction::Rekey,
    }
}

/// The store's audit action of a contract action; `None` for unspecified.
pub fn action_filter(n: i32) -> Result<Option<AuditAction>, RegistryError> {
    use pb::AuditAction as P;
    Ok(Some(match P::try_from(n) {
        Ok(P::Unspecified) => return Ok(None),
        Ok(P::Submit) => AuditAction::Submit,
        Ok(P::Approve) => AuditAction::Approve,
        Ok(P::Reject) => AuditAction::Reject,
        Ok(P::Disburse) => AuditAction::Disburse,
        Ok(P::SetBudget) => AuditAction::SetBudget,
        Ok(P::Return) => AuditAction::Return,
        Ok(P::Resubmit) => AuditAction::Resubmit,
        Ok(P::Withdraw) => AuditAction::Withdraw,
        Ok(P::Attach) => AuditAction::Attach,
        Ok(P::PublicationCreate) => AuditAction::PublicationCreate,
        Ok(P::PublicationIssue) => AuditAction::PublicationIssue,
        Ok(P::ObjectionRecord) => AuditAction::ObjectionRecord,
        Ok(P::ObjectionResolve) => AuditAction::ObjectionResolve,
        Ok(P::Rekey) => AuditAction::Rekey,
        Err(_) => {
            return Err(RegistryError::invalid(
                "INVALID_ENUM_VALUE",
                "action",
                "未知的操作类型",
                "unknown audit action",
            ));
        }
    }))
}

fn access_role(role: &str) -> pb::AccessRole {
    Role::parse(role).map_or(pb::AccessRole::Unspecified, role_to_pb)
}

/// A token's role on the wire.
pub(crate) fn role_to_pb(role: Role) -> pb::AccessRole {
    match role {
        Role::Portal => pb::AccessRole::Portal,
        Role::Reviewer => pb::AccessRole::Reviewer,
        Role::Finance => pb::AccessRole::Finance,
        Role::Admin => pb::AccessRole::Admin,
    }
}

/// The Chinese name of a payer (`CITY` = 市级).
pub fn payer_name(book: &RuleBook, payer: &str) -> String {
    if payer == CITY {
        return "市级".to_string();
    }
    fiscal_unit_name(book, payer)
}

/// The Chinese name of a fiscal unit (its code when unknown).
pub fn fiscal_unit_name(book: &RuleBook, code: &str) -> String {
    fiscal_unit(book, code)
        .map(|u| u.name_zh.clone())
        .unwrap_or_else(|| code.to_string())
}

/// A fiscal unit of the rule book by its code (the latest ruleset's first).
pub fn fiscal_unit<'b>(book: &'b RuleBook, code: &str) -> Option<&'b FiscalUnitDoc> {
    book.rulesets()
        .iter()
        .rev()
        .flat_map(|r| r.doc().fiscal_units.iter())
        .find(|u| u.code == code)
}

/// The Chinese name of an item (its id when unknown).
pub fn item_name(book: &RuleBook, item: &str) -> String {
    book.any_item(book.default_jurisdiction(), item)
        .map(|i| i.doc.name_zh.clone())
        .unwrap_or_else(|| item.to_string())
}

/// A budget.
pub fn budget(book: &RuleBook, b: &BudgetStatus) -> pb::Budget {
    pb::Budget {
        year: b.year,
        total: b.total.to_canonical(),
        used: b.used.to_canonical(),
        left: b.left.to_canonical(),
        updated_at: b.updated_at.as_ref().and_then(timestamp),
        payer: b.payer.clone(),
        payer_name_zh: payer_name(book, &b.payer),
    }
}

/// A frozen split with its share table.
fn split(s: &FrozenSplit, book: &RuleBook) -> pb::Split {
    pb::Split {
        fiscal_unit: s.fiscal_unit.clone(),
        municipal_share: s.municipal.to_canonical(),
        district_share: s.district.to_canonical(),
        share_tables: vec![share_table(s, book)],
    }
}

/// The share table a frozen split names, with its notes from the rules.
fn share_table(s: &FrozenSplit, book: &RuleBook) -> pb::ShareTableUse {
    let ruleset = book.rulesets().iter().find(|r| {
        let t = r.share_table();
        t.id == s.share_table_id && t.version == s.share_table_version
    });
    // The fiscal unit's own entry decides what the table does not, as in an
    // estimate (`ShareUse`): 市本级's 0 is decided, not provisional, and has
    // its own note (D24). An approval recorded before its flag was read from
    // the entry showed 暂定 for it.
    let used = ruleset.and_then(|r| {
        let (ratio, entry) = r.share_ratio(&s.fiscal_unit)?;
        Some(ShareUse {
            table: r.share_table(),
            ratio,
            entry,
        })
    });
    let (provisional, note_zh, note_en) = match (used, ruleset) {
        (Some(u), _) => (u.provisional(), u.note_zh(), u.note_en()),
        (None, Some(r)) => {
            let t = r.share_table();
            (s.provisional, t.note_zh.as_str(), t.note_en.as_str())
        }
        (None, None) => (s.provisional, "", ""),
    };
    pb::ShareTableUse {
        id: s.share_table_id.clone(),
        version: s.share_table_version.clone(),
        provisional,
        district_ratio: s.district_ratio.clone(),
        note_zh: note_zh.to_string(),
        note_en: note_en.to_string(),
    }
}

fn payment(p: &Payment, approval: Option<&Approval>, book: &RuleBook) -> pb::Disbursement {
    pb::Disbursement {
        payment_date: p.payment_date.to_string(),
        voucher_number: p.voucher.clone(),
        municipal_share: p.municipal.to_canonical(),
        district_share: p.district.to_canonical(),
        share_table_id: approval
            .map(|a| a.split.share_table_id.clone())
            .unwrap_or_default(),
        recorded_by: p.by.clone(),
        recorded_at: timestamp(&p.at),
        share_table: approval.map(|a| share_table(&a.split, book)),
        amount: p.amount.to_canonical(),
        payer: p.payer.clone(),
    }
}

fn note(n: &Note) -> pb::ClaimNote {
    pb::ClaimNote {
        by: n.by.clone(),
        at: timestamp(&n.at),
        reason: n.reason.clone(),
    }
}

fn unreadable(what: &str, e: stdfund_rules::Error) -> RegistryError {
    RegistryError::StoredData {
        message: format!("{what}: {e}"),
    }
}

/// A claim as the contract shows it; `full` adds the frozen documents.
pub fn claim(book: &RuleBook, c: &Claim, full: bool) -> Result<pb::Claim, RegistryError> {
    let f = &c.filing;
    let estimate = if full {
        Some(stored::answer(&f.estimate_json).map_err(|e| unreadable("estimate", e))?)
    } else {
        None
    };
    let application = if full {
        Some(stored::request(&f.application_json).map_err(|e| unreadable("application", e))?)
    } else {
        None
    };
    let check_passed = estimate.as_ref().map_or(!f.credit_code_confirmed, |e| {
        e.applicant
            .as_ref()
            .is_some_and(|a| a.credit_code_check_passed)
    });
    let review = match &c.state {
        ClaimState::Submitted | ClaimState::Withdrawn(_) => None,
        ClaimState::Rejected(n) | ClaimState::Returned(n) => Some(pb::ClaimReview {
            decision: if matches!(c.state, ClaimState::Rejected(_)) {
                pb::ReviewDecision::Reject
            } else {
                pb::ReviewDecision::Return
            } as i32,
            reviewed_by: n.by.clone(),
            reviewed_at: timestamp(&n.at),
            reason: n.reason.clone(),
            ..pb::ClaimReview::default()
        }),
        ClaimState::Approved(a) | ClaimState::Disbursed(a) => Some(pb::ClaimReview {
            decision: pb::ReviewDecision::Approve as i32,
            reviewed_by: a.by.clone(),
            reviewed_at: timestamp(&a.at),
            reason: a.reason.clone().unwrap_or_default(),
            approved_amount: a.amount.to_canonical(),
            amount_set_by_reviewer: a.set_by_reviewer,
            approval_assessment: if full {
                Some(
                    stored::answer(&a.record_json)
                        .map_err(|e| unreadable("approval assessment", e))?,
                )
            } else {
                None
            },
            approved_split: Some(split(&a.split, book)),
        }),
    };
    let approval = c.approval();
    let payments: Vec<pb::Disbursement> = c
        .payments
        .iter()
        .map(|p| payment(p, approval, book))
        .collect();
    Ok(pb::Claim {
        claim_id: c.id,
        status: status(c.status()) as i32,
        idempotency_key: f.idempotency_key.clone(),
        submitted_by: f.submitted_by.clone(),
        submitted_at: timestamp(&c.created_at),
        updated_at: timestamp(&c.updated_at),
        credit_code: f.credit_code.clone(),
        credit_code_check_passed: check_passed,
        credit_code_confirmed: f.credit_code_confirmed,
        unit_name: f.unit_name.clone(),
        seat: f.seat.clone(),
        fiscal_unit: f.fiscal_unit.clone(),
        item: f.item.clone(),
        variant: f.variant.clone(),
        clause: f.clause.clone(),
        subject: f.subject.clone(),
        one_time_key: f.one_time_key.clone(),
        achievement_date: f.achievement_date.to_string(),
        year: f.year,
        application,
        estimate,
        estimated_amount: f.estimated_amount.to_canonical(),
        review,
        disbursement: payments.last().cloned(),
        subject_as_given: f.subject_as_given.clone(),
        payments,
        paid_amount: c.paid.to_canonical(),
        note: c.state.note().map(note),
        discretionary: f.discretionary,
        resubmissions: c.resubmissions,
        // Read beside the claim by GetClaim, for the bureau's roles.
        objections: Vec::new(),
    })
}

/// An audit entry.
pub fn audit_entry(e: AuditEntry) -> pb::AuditEntry {
    pb::AuditEntry {
        entry_id: e.id,
        claim_id: e.claim_id.unwrap_or(0),
        role: access_role(&e.role) as i32,
        actor: e.actor,
        at: timestamp(&e.at),
        action: action(e.action) as i32,
        before_json: e.before_json.unwrap_or_default(),
        after_json: e.after_json.unwrap_or_default(),
        target: e.target,
        entry_hash: e.entry_hash,
        previous_hash: e.previous_hash,
    }
}

/// An attachment's record.
pub fn attachment(a: &Attachment) -> pb::Attachment {
    pb::Attachment {
        attachment_id: a.id,
        claim_id: a.claim_id,
        file_name: a.file_name.clone(),
        content_type: a.content_type.clone(),
        size_bytes: a.size_bytes,
        sha256: a.sha256.clone(),
        uploaded_by: a.uploaded_by.clone(),
        uploaded_at: timestamp(&a.uploaded_at),
    }
}

/// A line of a public notice.
pub fn notice_entry(e: &PublicationEntry) -> pb::PublicNoticeEntry {
    pb::PublicNoticeEntry {
        row: e.row,
        claim_id: e.claim_id,
        unit_name: e.unit_name.clone(),
        credit_code: e.credit_code.clone(),
        fiscal_unit_name_zh: e.fiscal_unit_name_zh.clone(),
        item: e.item.clone(),
        item_name_zh: e.item_name_zh.clone(),
        clause: e.clause.clone(),
        subject: e.subject.clone(),
        amount: e.amount.to_canonical(),
    }
}

/// An objection.
pub fn objection(o: &Objection) -> pb::Objection {
    pb::Objection {
        objection_id: o.id,
        publication_id: o.publication_id,
        claim_id: o.claim_id,
        received_on: o.received_on.to_string(),
        objector: o.objector.clone(),
        contact: o.contact.clone(),
        content: o.content.clone(),
        status: if o.outcome.is_some() {
            pb::ObjectionStatus::Resolved
        } else {
            pb::ObjectionStatus::Open
        } as i32,
        outcome: match o.outcome {
            None => pb::ObjectionOutcome::Unspecified,
            Some(ObjectionOutcome::Upheld) => pb::ObjectionOutcome::Upheld,
            Some(ObjectionOutcome::Dismissed) => pb::ObjectionOutcome::Dismissed,
        } as i32,
        resolution: o.resolution.clone().unwrap_or_default(),
        recorded_by: o.recorded_by.clone(),
        recorded_at: timestamp(&o.recorded_at),
        resolved_by: o.resolved_by.clone().unwrap_or_default(),
        resolved_at: o.resolved_at.as_ref().and_then(timestamp),
    }
}

/// A publication.
pub fn publication(p: &Publication) -> pb::Publication {
    pb::Publication {
        publication_id: p.id,
        title: p.title.clone(),
        year: p.year,
        fiscal_unit: p.fiscal_unit.clone().unwrap_or_default(),
        status: match p.status {
            PublicationStatus::Draft => pb::PublicationStatus::Draft,
            PublicationStatus::Issued => pb::PublicationStatus::Issued,
        } as i32,
        period_start: p.period_start.to_string(),
        period_end: p.period_end.to_string(),
        working_days: p.working_days,
        objection_contact: p.objection_contact.clone(),
        entries: p.entries.iter().map(notice_entry).collect(),
        total: p.total.to_canonical(),
        count: i32::try_from(p.entry_count).unwrap_or(i32::MAX),
        created_by: p.created_by.clone(),
        created_at: timestamp(&p.created_at),
        issued_by: p.issued_by.clone().unwrap_or_default(),
        issued_at: p.issued_at.as_ref().and_then(timestamp),
        objections: p.objections.iter().map(objection).collect(),
    }
}
