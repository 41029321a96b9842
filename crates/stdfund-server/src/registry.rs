//! RegistryService: the claim registry (资助申报登记).
//!
//! Thin by design: authenticate, convert the request, compute with
//! `stdfund_rules` (estimate at submission, recomputation at approval,
//! `split_amount` for a reviewer's amount), call the store, convert back.
//! Every state change goes through [`ClaimStore`], which writes the change
//! and its audit row in one transaction; no rule logic lives here.
//!
//! The registry's one-time key is `CREDIT_CODE|ITEM|SUBJECT` (see
//! [`stdfund_rules::engine::registry_key`]): stricter than the estimate's line key, which includes
//! the variant. A participation item (五(五)2) names its conflicting lead
//! item (五(五)1) in the ruleset (`conflictsWithItem`) and keys under that
//! item's id, so the database's unique index lets one unit hold either a lead
//! or a participation claim on one standard, never both (`CONFLICTS_WITH_LEAD`).
//!
//! The approval freezes an *approval record* as the claim's receipt: the
//! approved amount, whether a reviewer set it, the split of that amount with
//! its share table, and the recomputed assessment (with the engine version,
//! ruleset hashes and input hash). The disbursement takes its shares from
//! that record, so a later share table never changes an approved split.

use crate::auth::{Principal, Role, Tokens, rpc_roles};
use crate::notice;
use crate::progress;
use crate::registry_error::RegistryError;
use crate::status::ApiError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;
use stdfund_proto::pb;
use stdfund_proto::pb::registry_service_server::RegistryService;
use stdfund_rules::engine::{self, status as line_status};
use stdfund_rules::ident::{self, CreditCode};
use stdfund_rules::model::{Application, Assessment, Line, Split};
use stdfund_rules::money::Money;
use stdfund_rules::{RuleBook, date::Date, json};
use stdfund_store::{
    Actor, AnyStore, AuditAction, ClaimFilter, ClaimStatus, ClaimStore, Decision, Disbursement,
    NewClaim, ReportFilter, StoreError, SubmitOutcome,
};
use tonic::{Request, Response, Status};

/// Longest reviewer reason, characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Longest voucher number, characters.
pub const MAX_VOUCHER_CHARS: usize = 64;
/// Longest idempotency key, characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 128;
/// Largest page of ListClaims and ListAuditLog.
pub const MAX_PAGE_SIZE: i32 = 500;
/// ListClaims' default page.
pub const DEFAULT_CLAIMS_PAGE: u32 = 50;
/// ListAuditLog's default page.
pub const DEFAULT_AUDIT_PAGE: u32 = 100;
/// The budget years accepted (SetBudget, GetBudget, SubmitClaim's `year`).
pub const YEARS: std::ops::RangeInclusive<i32> = 2016..=9999;
/// The last achievement date GetTargetProgress counts by default.
pub const TARGETS_END: &str = "2020-12-31";

/// The approval record frozen as a claim's receipt (`receipt_json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApprovalRecord {
    /// The approved amount, yuan.
    pub approved_amount: String,
    /// Whether a reviewer entered the amount (clause 五(五)9).
    pub amount_set_by_reviewer: bool,
    /// The split of the approved amount and the share table used.
    pub split: Split,
    /// The assessment recomputed at approval, with its receipt.
    pub assessment: Assessment,
}

struct Inner {
    store: AnyStore,
    tokens: Tokens,
    book: &'static RuleBook,
}

/// The RegistryService implementation.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("backend", &self.inner.store.backend())
            .field("tokens", &self.inner.tokens.len())
            .finish()
    }
}

/// Now as an RFC 3339 UTC timestamp, and the year in China Standard Time.
fn now() -> (String, i32) {
    let ts = prost_types::Timestamp::from(std::time::SystemTime::now());
    let cst = prost_types::Timestamp {
        seconds: ts.seconds.saturating_add(8 * 3600),
        nanos: 0,
    };
    let year = cst
        .to_string()
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .unwrap_or(0);
    (ts.to_string(), year)
}

fn timestamp(s: Option<&str>) -> Option<prost_types::Timestamp> {
    s.and_then(|s| s.parse::<prost_types::Timestamp>().ok())
}

fn yuan(d: Decimal) -> String {
    format!("{d:.2}")
}

fn stored(what: &str, e: impl std::fmt::Display) -> RegistryError {
    RegistryError::StoredData {
        message: format!("{what}: {e}"),
    }
}

fn internal(message: impl Into<String>) -> RegistryError {
    RegistryError::StoredData {
        message: message.into(),
    }
}

fn actor(p: &Principal) -> Actor {
    Actor::new(p.name.clone(), p.role.as_str())
}

/// Whether a line can be claimed: `Ok(true)` for a discretionary line,
/// `Ok(false)` for an eligible line with a payable amount above zero.
fn claimable(line: &Line, step: &'static str) -> Result<bool, RegistryError> {
    if line.status == line_status::DISCRETIONARY {
        return Ok(true);
    }
    let payable = Money::parse_yuan(&line.payable).unwrap_or(Money::ZERO);
    if line.status == line_status::ELIGIBLE && !payable.is_zero() {
        return Ok(false);
    }
    Err(RegistryError::NotClaimable {
        reason_code: line.reason_code.clone(),
        line_status: line.status.clone(),
        step,
        zh: line.explanation_zh.clone(),
        en: line.explanation_en.clone(),
    })
}

fn check_idempotency_key(key: &str) -> Result<(), RegistryError> {
    if key.is_empty() {
        return Err(RegistryError::missing("idempotency_key"));
    }
    if key.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
        return Err(RegistryError::invalid(
            "FIELD_TOO_LONG",
            "idempotency_key",
            format!("幂等键最长{MAX_IDEMPOTENCY_KEY_CHARS}个字符"),
            format!("the idempotency key is longer than {MAX_IDEMPOTENCY_KEY_CHARS} characters"),
        ));
    }
    if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    {
        return Err(RegistryError::invalid(
            "INVALID_IDEMPOTENCY_KEY",
            "idempotency_key",
            "幂等键只能包含字母、数字和 . _ : -",
            "the idempotency key may contain only letters, digits and . _ : -",
        ));
    }
    Ok(())
}

fn check_year(year: i32, field: &str) -> Result<i32, RegistryError> {
    if YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(RegistryError::invalid(
            "INVALID_YEAR",
            field,
            format!("预算年度`{year}`应在2016至9999之间"),
            format!("the budget year `{year}` must lie between 2016 and 9999"),
        ))
    }
}

fn check_reason(reason: &str) -> Result<(), RegistryError> {
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(RegistryError::invalid(
            "FIELD_TOO_LONG",
            "reason",
            format!("理由最长{MAX_REASON_CHARS}个字符"),
            format!("the reason is longer than {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(())
}

fn check_date(value: &str, field: &str) -> Result<Date, RegistryError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(RegistryError::missing(field));
    }
    Date::parse(v).ok_or_else(|| {
        RegistryError::invalid(
            "INVALID_DATE",
            field,
            format!("`{v}`不是YYYY-MM-DD格式的日期"),
            format!("`{v}` is not a YYYY-MM-DD date"),
        )
    })
}

fn parse_amount(value: &str, field: &str) -> Result<Money, RegistryError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(RegistryError::missing(field));
    }
    Money::parse_yuan(v).map_err(|_| {
        RegistryError::invalid(
            "INVALID_AMOUNT",
            field,
            format!("`{v}`不是金额(元,最多两位小数,不带符号)"),
            format!("`{v}` is not an amount (yuan, at most two decimals, no sign)"),
        )
    })
}

fn page_size(requested: i32, default: u32) -> Result<u32, RegistryError> {
    if requested < 0 {
        return Err(RegistryError::invalid(
            "INVALID_ARGUMENT",
            "page_size",
            "每页条数不能为负数",
            "page_size must not be negative",
        ));
    }
    Ok(match requested {
        0 => default,
        n => u32::try_from(n.min(MAX_PAGE_SIZE)).unwrap_or(default),
    })
}

fn store_status(s: ClaimStatus) -> pb::ClaimStatus {
    match s {
        ClaimStatus::Submitted => pb::ClaimStatus::Submitted,
        ClaimStatus::Approved => pb::ClaimStatus::Approved,
        ClaimStatus::Rejected => pb::ClaimStatus::Rejected,
        ClaimStatus::Disbursed => pb::ClaimStatus::Disbursed,
    }
}

fn access_role(role: &str) -> pb::AccessRole {
    match Role::parse(role) {
        Some(Role::Portal) => pb::AccessRole::Portal,
        Some(Role::Reviewer) => pb::AccessRole::Reviewer,
        Some(Role::Finance) => pb::AccessRole::Finance,
        Some(Role::Admin) => pb::AccessRole::Admin,
        None => pb::AccessRole::Unspecified,
    }
}

fn audit_action(a: AuditAction) -> pb::AuditAction {
    match a {
        AuditAction::Submit => pb::AuditAction::Submit,
        AuditAction::Approve => pb::AuditAction::Approve,
        AuditAction::Reject => pb::AuditAction::Reject,
        AuditAction::Disburse => pb::AuditAction::Disburse,
        AuditAction::SetBudget => pb::AuditAction::SetBudget,
    }
}

fn budget_pb(b: &stdfund_store::BudgetStatus, updated_at: Option<&str>) -> pb::Budget {
    pb::Budget {
        year: b.year,
        total: yuan(b.total),
        used: yuan(b.used),
        left: yuan(b.left),
        updated_at: timestamp(updated_at),
    }
}

/// Reads a frozen approval record.
pub fn approval_record(receipt_json: &str) -> Result<ApprovalRecord, RegistryError> {
    serde_json::from_str(receipt_json).map_err(|e| stored("approval record", e))
}

/// A stored claim as the contract shows it.
pub fn claim_pb(c: &stdfund_store::Claim) -> Result<pb::Claim, RegistryError> {
    let application =
        json::parse_application(&c.application_json).map_err(|e| stored("application", e))?;
    let estimate: Assessment = json::parse(&c.estimate_json).map_err(|e| stored("estimate", e))?;
    let check_passed = estimate.applicant.credit_code_check_passed;
    let application =
        pb::EstimateRequest::try_from(application).map_err(|e| stored("application", e))?;
    let estimate = pb::EstimateResponse::try_from(estimate).map_err(|e| stored("estimate", e))?;
    let record = c.receipt_json.as_deref().map(approval_record).transpose()?;
    let review = match &c.reviewed_by {
        None => None,
        Some(by) => {
            let decision = if c.status == ClaimStatus::Rejected {
                pb::ReviewDecision::Reject
            } else {
                pb::ReviewDecision::Approve
            };
            let approval_assessment = match &record {
                Some(r) => Some(
                    pb::EstimateResponse::try_from(r.assessment.clone())
                        .map_err(|e| stored("approval assessment", e))?,
                ),
                None => None,
            };
            Some(pb::ClaimReview {
                decision: decision as i32,
                reviewed_by: by.clone(),
                reviewed_at: timestamp(c.reviewed_at.as_deref()),
                reason: c.review_reason.clone().unwrap_or_default(),
                approved_amount: c.approved_amount.map(yuan).unwrap_or_default(),
                amount_set_by_reviewer: record.as_ref().is_some_and(|r| r.amount_set_by_reviewer),
                approval_assessment,
                approved_split: record.as_ref().map(|r| pb::Split::from(r.split.clone())),
            })
        }
    };
    let disbursement = c.payment_date.as_ref().map(|date| {
        let table_id = c.share_table_id.clone().unwrap_or_default();
        pb::Disbursement {
            payment_date: date.clone(),
            voucher_number: c.voucher_no.clone().unwrap_or_default(),
            municipal_share: c.municipal_share.map(yuan).unwrap_or_default(),
            district_share: c.district_share.map(yuan).unwrap_or_default(),
            share_table: record.as_ref().and_then(|r| {
                r.split
                    .share_tables
                    .iter()
                    .find(|t| t.id == table_id)
                    .cloned()
                    .map(pb::ShareTableUse::from)
            }),
            share_table_id: table_id,
            recorded_by: c.disbursed_by.clone().unwrap_or_default(),
            recorded_at: timestamp(c.disbursed_at.as_deref()),
        }
    });
    Ok(pb::Claim {
        claim_id: c.id,
        status: store_status(c.status) as i32,
        idempotency_key: c.idempotency_key.clone(),
        submitted_by: c.submitted_by.clone(),
        submitted_at: timestamp(Some(&c.created_at)),
        updated_at: timestamp(Some(&c.updated_at)),
        credit_code: c.credit_code.clone(),
        credit_code_check_passed: check_passed,
        credit_code_confirmed: c.credit_code_confirmed,
        unit_name: c.unit_name.clone(),
        seat: c.seat.clone(),
        fiscal_unit: c.fiscal_unit.clone(),
        item: c.item.clone(),
        variant: c.variant.clone().unwrap_or_default(),
        clause: c.clause.clone(),
        subject: c.subject.clone(),
        one_time_key: c.one_time_key.clone(),
        achievement_date: c.achievement_date.clone(),
        year: c.year,
        application: Some(application),
        estimate: Some(estimate),
        estimated_amount: yuan(c.estimated_amount),
        review,
        disbursement,
    })
}

impl Registry {
    /// Builds the service over a store, with the configured tokens.
    pub fn new(store: AnyStore, tokens: Tokens) -> Result<Registry, stdfund_rules::Error> {
        Ok(Registry {
            inner: Arc::new(Inner {
                store,
                tokens,
                book: stdfund_rules::ruleset::embedded()?,
            }),
        })
    }

    /// The store (to close its pool on shutdown).
    pub fn store(&self) -> &AnyStore {
        &self.inner.store
    }

    fn authorize<T>(
        &self,
        request: &Request<T>,
        rpc: &'static str,
        roles: &'static [Role],
    ) -> Result<Principal, RegistryError> {
        self.inner
            .tokens
            .authorize(request.metadata(), rpc, roles)
            .map_err(|e| {
                tracing::info!(rpc, ?e, "registry call refused");
                RegistryError::Auth(e)
            })
    }

    /// SubmitClaim.
    pub async fn submit(
        &self,
        who: &Principal,
        req: pb::SubmitClaimRequest,
    ) -> Result<pb::SubmitClaimResponse, RegistryError> {
        check_idempotency_key(&req.idempotency_key)?;
        let application = req
            .application
            .ok_or_else(|| RegistryError::missing("application"))?;
        if !application.what_if_ruleset.trim().is_empty() {
            return Err(RegistryError::invalid(
                "WHAT_IF_NOT_ALLOWED",
                "application.what_if_ruleset",
                "申报按现行规则测算,不能附带假设规则",
                "a claim is computed under the rules in force; a what-if ruleset is not allowed",
            ));
        }
        if application.achievements.len() != 1 {
            return Err(RegistryError::invalid(
                "CLAIM_NEEDS_ONE_ACHIEVEMENT",
                "application.achievements",
                format!(
                    "每项申报只能包含一项成果(收到{}项)",
                    application.achievements.len()
                ),
                format!(
                    "a claim carries exactly one achievement (got {})",
                    application.achievements.len()
                ),
            ));
        }
        let app = Application::from(application);
        if app.applicant.name.trim().is_empty() {
            return Err(RegistryError::missing("application.applicant.name"));
        }
        let assessment = stdfund_rules::estimate(&app)?;
        let line = assessment
            .lines
            .first()
            .ok_or_else(|| internal("the engine returned no line for one achievement"))?;
        let applicant = &assessment.applicant;
        if !applicant.credit_code_check_passed && !req.confirm_credit_code {
            let expected = match ident::check_credit_code(&applicant.credit_code) {
                CreditCode::CheckMismatch(_, c) => c.to_string(),
                _ => String::new(),
            };
            return Err(RegistryError::CreditCodeCheckMismatch {
                code: applicant.credit_code.clone(),
                expected,
            });
        }
        let discretionary = claimable(line, "submission")?;
        let book = self.inner.book;
        let key = stdfund_rules::engine::registry_key(book, &applicant.credit_code, line)
            .ok_or_else(|| internal(format!("no registry key for line `{}`", line.item)))?;
        let (now, this_year) = now();
        let year = if req.year == 0 {
            check_year(this_year, "year")?
        } else {
            check_year(req.year, "year")?
        };
        let estimated = if discretionary {
            Money::ZERO
        } else {
            Money::parse_yuan(&line.payable).map_err(|_| internal("unreadable payable"))?
        };
        let new = NewClaim {
            idempotency_key: req.idempotency_key.clone(),
            submitted_by: who.name.clone(),
            credit_code: applicant.credit_code.clone(),
            credit_code_confirmed: req.confirm_credit_code && !applicant.credit_code_check_passed,
            unit_name: applicant.name.clone(),
            seat: applicant.seat.clone(),
            fiscal_unit: applicant.fiscal_unit.clone(),
            item: line.item.clone(),
            variant: Some(line.variant.clone()),
            clause: line.clause.clone(),
            subject: line.subject.clone(),
            one_time_key: key.clone(),
            achievement_date: line.date.clone(),
            year,
            application_json: json::to_canonical(&app),
            estimate_json: json::assessment_to_canonical(&assessment),
            estimated_amount: estimated.as_decimal(),
        };
        let outcome = match self.inner.store.submit_claim(new, &actor(who), &now).await {
            Ok(o) => o,
            Err(StoreError::Conflict { message }) if message.starts_with("idempotency key") => {
                return Err(RegistryError::IdempotencyKeyReused {
                    key: req.idempotency_key,
                });
            }
            Err(e) => return Err(e.into()),
        };
        let (claim, created) = match outcome {
            SubmitOutcome::Created(c) => (c, true),
            SubmitOutcome::Existing(c) => (c, false),
            SubmitOutcome::AlreadyGranted { existing_claim_id } => {
                let holder = self.inner.store.get_claim(existing_claim_id).await;
                return Err(match holder {
                    Ok(h) if h.item != line.item => RegistryError::ConflictsWithLead {
                        existing_claim_id,
                        existing_item: h.item,
                        item: line.item.clone(),
                    },
                    _ => RegistryError::AlreadyGranted {
                        existing_claim_id,
                        one_time_key: key,
                    },
                });
            }
        };
        if created {
            tracing::info!(
                claim_id = claim.id,
                by = %who.name,
                credit_code = %crate::mask::mask_credit_code(&claim.credit_code),
                item = %claim.item,
                confirmed = claim.credit_code_confirmed,
                "claim submitted"
            );
        }
        Ok(pb::SubmitClaimResponse {
            claim: Some(claim_pb(&claim)?),
            created,
        })
    }

    /// ReviewClaim.
    pub async fn review(
        &self,
        who: &Principal,
        req: pb::ReviewClaimRequest,
    ) -> Result<pb::ReviewClaimResponse, RegistryError> {
        if req.claim_id <= 0 {
            return Err(RegistryError::missing("claim_id"));
        }
        let decision = match pb::ReviewDecision::try_from(req.decision) {
            Ok(pb::ReviewDecision::Approve) => pb::ReviewDecision::Approve,
            Ok(pb::ReviewDecision::Reject) => pb::ReviewDecision::Reject,
            _ => {
                return Err(RegistryError::invalid(
                    "INVALID_ENUM_VALUE",
                    "decision",
                    "审核意见应为REVIEW_DECISION_APPROVE或REVIEW_DECISION_REJECT",
                    "decision must be REVIEW_DECISION_APPROVE or REVIEW_DECISION_REJECT",
                ));
            }
        };
        let reason = req.reason.trim().to_string();
        check_reason(&reason)?;
        let reviewer_amount = req.reviewer_amount.trim();
        let not_allowed = || {
            RegistryError::invalid(
                "REVIEWER_AMOUNT_NOT_ALLOWED",
                "reviewer_amount",
                "该项金额由规则计算,评审人员不能另定金额(仅五(五)9可由评审核定)",
                "the engine computes this line's amount; a reviewer sets the amount only for a discretionary line (五(五)9)",
            )
        };
        let store = &self.inner.store;
        let (now, _) = now();
        let claim = match decision {
            pb::ReviewDecision::Reject => {
                if reason.is_empty() {
                    return Err(RegistryError::missing("reason"));
                }
                if !reviewer_amount.is_empty() {
                    return Err(not_allowed());
                }
                store
                    .review_claim(req.claim_id, Decision::Reject { reason }, &actor(who), &now)
                    .await?
            }
            _ => {
                let claim = store.get_claim(req.claim_id).await?;
                if claim.status != ClaimStatus::Submitted {
                    return Err(RegistryError::Store(StoreError::InvalidState {
                        claim_id: claim.id,
                        actual: claim.status,
                        expected: ClaimStatus::Submitted,
                        action: "review",
                    }));
                }
                let record = self.approval(&claim, reviewer_amount, &reason)?;
                let amount = Money::parse_yuan(&record.approved_amount)
                    .map_err(|_| internal("unreadable approved amount"))?;
                let receipt_json =
                    serde_json::to_string(&record).map_err(|e| internal(e.to_string()))?;
                if !record.amount_set_by_reviewer && !reviewer_amount.is_empty() {
                    return Err(not_allowed());
                }
                store
                    .review_claim(
                        req.claim_id,
                        Decision::Approve {
                            amount: amount.as_decimal(),
                            receipt_json,
                            reason: (!reason.is_empty()).then_some(reason),
                        },
                        &actor(who),
                        &now,
                    )
                    .await?
            }
        };
        tracing::info!(
            claim_id = claim.id,
            by = %who.name,
            status = %claim.status,
            amount = %claim.approved_amount.map(yuan).unwrap_or_default(),
            "claim reviewed"
        );
        Ok(pb::ReviewClaimResponse {
            claim: Some(claim_pb(&claim)?),
        })
    }

    /// Recomputes a submitted claim for approval and builds the record to
    /// freeze.
    fn approval(
        &self,
        claim: &stdfund_store::Claim,
        reviewer_amount: &str,
        reason: &str,
    ) -> Result<ApprovalRecord, RegistryError> {
        let app = json::parse_application(&claim.application_json)
            .map_err(|e| stored("application", e))?;
        // The engine picks the ruleset in force on the achievement's date.
        let assessment =
            stdfund_rules::estimate(&app).map_err(|e| RegistryError::NotClaimable {
                reason_code: e.code().to_string(),
                line_status: String::new(),
                step: "approval",
                zh: e.message_zh(),
                en: e.to_string(),
            })?;
        let line = assessment
            .lines
            .first()
            .ok_or_else(|| internal("the engine returned no line for one achievement"))?;
        let discretionary = claimable(line, "approval")?;
        if discretionary {
            let amount = parse_amount(reviewer_amount, "reviewer_amount")?;
            if amount.is_zero() {
                return Err(RegistryError::invalid(
                    "INVALID_AMOUNT",
                    "reviewer_amount",
                    "评审核定金额必须大于0",
                    "the reviewer's amount must be above 0",
                ));
            }
            if reason.is_empty() {
                return Err(RegistryError::missing("reason"));
            }
            let s = engine::split_amount(self.inner.book, &claim.seat, &line.date, amount)
                .map_err(ApiError::Contract)?;
            Ok(ApprovalRecord {
                approved_amount: amount.to_canonical(),
                amount_set_by_reviewer: true,
                split: Split {
                    fiscal_unit: s.fiscal_unit,
                    municipal_share: s.municipal_share.to_canonical(),
                    district_share: s.district_share.to_canonical(),
                    share_tables: vec![s.share_table],
                },
                assessment,
            })
        } else {
            let split = Split {
                fiscal_unit: assessment.split.fiscal_unit.clone(),
                municipal_share: line.municipal_share.clone(),
                district_share: line.district_share.clone(),
                share_tables: assessment
                    .split
                    .share_tables
                    .iter()
                    .filter(|t| t.id == line.share_table_id)
                    .cloned()
                    .collect(),
            };
            Ok(ApprovalRecord {
                approved_amount: line.payable.clone(),
                amount_set_by_reviewer: false,
                split,
                assessment,
            })
        }
    }

    /// RecordDisbursement.
    pub async fn disburse(
        &self,
        who: &Principal,
        req: pb::RecordDisbursementRequest,
    ) -> Result<pb::RecordDisbursementResponse, RegistryError> {
        if req.claim_id <= 0 {
            return Err(RegistryError::missing("claim_id"));
        }
        let date = check_date(&req.payment_date, "payment_date")?;
        let voucher = req.voucher_number.trim();
        if voucher.is_empty() {
            return Err(RegistryError::missing("voucher_number"));
        }
        if voucher.chars().count() > MAX_VOUCHER_CHARS {
            return Err(RegistryError::invalid(
                "FIELD_TOO_LONG",
                "voucher_number",
                format!("凭证号最长{MAX_VOUCHER_CHARS}个字符"),
                format!("the voucher number is longer than {MAX_VOUCHER_CHARS} characters"),
            ));
        }
        let store = &self.inner.store;
        let claim = store.get_claim(req.claim_id).await?;
        let receipt = match (&claim.status, &claim.receipt_json) {
            (ClaimStatus::Approved, Some(r)) => r,
            _ => {
                return Err(RegistryError::Store(StoreError::InvalidState {
                    claim_id: claim.id,
                    actual: claim.status,
                    expected: ClaimStatus::Approved,
                    action: "disbursement",
                }));
            }
        };
        let record = approval_record(receipt)?;
        let share = |s: &str| {
            Money::parse_yuan(s)
                .map(Money::as_decimal)
                .map_err(|_| stored("approval record", format!("unreadable share `{s}`")))
        };
        let table = record
            .split
            .share_tables
            .first()
            .ok_or_else(|| stored("approval record", "no share table"))?;
        let (now, _) = now();
        let claim = store
            .record_disbursement(
                req.claim_id,
                Disbursement {
                    payment_date: date.to_string(),
                    voucher_no: voucher.to_string(),
                    municipal_share: share(&record.split.municipal_share)?,
                    district_share: share(&record.split.district_share)?,
                    share_table_id: table.id.clone(),
                },
                &actor(who),
                &now,
            )
            .await?;
        tracing::info!(claim_id = claim.id, by = %who.name, "disbursement recorded");
        Ok(pb::RecordDisbursementResponse {
            claim: Some(claim_pb(&claim)?),
        })
    }

    /// GetClaim.
    pub async fn get(
        &self,
        who: &Principal,
        req: pb::GetClaimRequest,
    ) -> Result<pb::GetClaimResponse, RegistryError> {
        let not_found = || {
            RegistryError::Store(StoreError::NotFound {
                what: "claim",
                id: req.claim_id.to_string(),
            })
        };
        if req.claim_id <= 0 {
            return Err(not_found());
        }
        let claim = self.inner.store.get_claim(req.claim_id).await?;
        if who.role == Role::Portal && claim.submitted_by != who.name {
            return Err(not_found());
        }
        Ok(pb::GetClaimResponse {
            claim: Some(claim_pb(&claim)?),
        })
    }

    /// ListClaims.
    pub async fn list(
        &self,
        who: &Principal,
        req: pb::ListClaimsRequest,
    ) -> Result<pb::ListClaimsResponse, RegistryError> {
        let size = page_size(req.page_size, DEFAULT_CLAIMS_PAGE)?;
        let status = match pb::ClaimStatus::try_from(req.status) {
            Ok(pb::ClaimStatus::Unspecified) => None,
            Ok(pb::ClaimStatus::Submitted) => Some(ClaimStatus::Submitted),
            Ok(pb::ClaimStatus::Approved) => Some(ClaimStatus::Approved),
            Ok(pb::ClaimStatus::Rejected) => Some(ClaimStatus::Rejected),
            Ok(pb::ClaimStatus::Disbursed) => Some(ClaimStatus::Disbursed),
            Err(_) => {
                return Err(RegistryError::invalid(
                    "INVALID_ENUM_VALUE",
                    "status",
                    "未知的申报状态",
                    "unknown claim status",
                ));
            }
        };
        let filter = ClaimFilter {
            year: match req.year {
                0 => None,
                y => Some(check_year(y, "year")?),
            },
            fiscal_unit: Some(req.fiscal_unit.trim().to_string()).filter(|s| !s.is_empty()),
            clause: Some(req.clause.trim().to_string()).filter(|s| !s.is_empty()),
            status,
            submitted_by: (who.role == Role::Portal).then(|| who.name.clone()),
        };
        let cursor = Some(req.page_token.as_str()).filter(|t| !t.is_empty());
        let page = self.inner.store.list_claims(&filter, cursor, size).await?;
        Ok(pb::ListClaimsResponse {
            claims: page.items.iter().map(claim_pb).collect::<Result<_, _>>()?,
            next_page_token: page.next_cursor.unwrap_or_default(),
        })
    }

    fn fiscal_unit_name(&self, code: &str) -> String {
        self.inner
            .book
            .latest()
            .and_then(|r| r.doc().fiscal_units.iter().find(|u| u.code == code))
            .map(|u| u.name_zh.clone())
            .unwrap_or_else(|| code.to_string())
    }

    /// ExportPublicNotice.
    pub async fn export(
        &self,
        req: pb::ExportPublicNoticeRequest,
    ) -> Result<pb::ExportPublicNoticeResponse, RegistryError> {
        if req.year == 0 {
            return Err(RegistryError::missing("year"));
        }
        let year = check_year(req.year, "year")?;
        let format = match pb::NoticeFormat::try_from(req.format) {
            Ok(f @ (pb::NoticeFormat::Csv | pb::NoticeFormat::Xlsx)) => f,
            _ => {
                return Err(RegistryError::invalid(
                    "INVALID_ENUM_VALUE",
                    "format",
                    "文件格式应为NOTICE_FORMAT_CSV或NOTICE_FORMAT_XLSX",
                    "format must be NOTICE_FORMAT_CSV or NOTICE_FORMAT_XLSX",
                ));
            }
        };
        let unit = req.fiscal_unit.trim();
        let claims = self.inner.store.approved_claims(Some(year)).await?;
        let mut entries = Vec::new();
        for c in claims
            .iter()
            .filter(|c| unit.is_empty() || c.fiscal_unit == unit)
        {
            let row = i32::try_from(entries.len().saturating_add(1)).unwrap_or(i32::MAX);
            entries.push(pb::PublicNoticeEntry {
                row,
                claim_id: c.id,
                unit_name: c.unit_name.clone(),
                credit_code: c.credit_code.clone(),
                fiscal_unit_name_zh: self.fiscal_unit_name(&c.fiscal_unit),
                item: c.item.clone(),
                item_name_zh: self
                    .inner
                    .book
                    .any_item(&c.item)
                    .map(|i| i.doc.name_zh.clone())
                    .unwrap_or_else(|| c.item.clone()),
                clause: c.clause.clone(),
                subject: c.subject.clone(),
                amount: c.approved_amount.map(yuan).unwrap_or_default(),
            });
        }
        let stem = if unit.is_empty() {
            format!("stdfund-public-notice-{year}")
        } else {
            format!("stdfund-public-notice-{year}-{unit}")
        };
        let (file_name, content_type, content) = match format {
            pb::NoticeFormat::Xlsx => (
                format!("{stem}.xlsx"),
                notice::XLSX_CONTENT_TYPE,
                notice::xlsx(&entries).map_err(|e| internal(e.to_string()))?,
            ),
            _ => (
                format!("{stem}.csv"),
                notice::CSV_CONTENT_TYPE,
                notice::csv(&entries),
            ),
        };
        Ok(pb::ExportPublicNoticeResponse {
            file_name,
            content_type: content_type.to_string(),
            content,
            entries,
        })
    }

    /// GetReport.
    pub async fn report(
        &self,
        req: pb::GetReportRequest,
    ) -> Result<pb::GetReportResponse, RegistryError> {
        let filter = ReportFilter {
            year: match req.year {
                0 => None,
                y => Some(check_year(y, "year")?),
            },
            fiscal_unit: Some(req.fiscal_unit.trim().to_string()).filter(|s| !s.is_empty()),
            clause: Some(req.clause.trim().to_string()).filter(|s| !s.is_empty()),
        };
        let rows = self.inner.store.report(&filter).await?;
        let overflow = || internal("report sums overflow");
        let mut total = (0i64, 0i64, 0i64, 0i64, 0i64);
        let mut sums = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        let mut years: BTreeSet<i32> = filter.year.into_iter().collect();
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            years.insert(r.year);
            total = (
                total.0.checked_add(r.claims).ok_or_else(overflow)?,
                total.1.checked_add(r.submitted).ok_or_else(overflow)?,
                total.2.checked_add(r.approved).ok_or_else(overflow)?,
                total.3.checked_add(r.rejected).ok_or_else(overflow)?,
                total.4.checked_add(r.disbursed).ok_or_else(overflow)?,
            );
            sums = (
                sums.0.checked_add(r.approved_amount).ok_or_else(overflow)?,
                sums.1.checked_add(r.municipal_share).ok_or_else(overflow)?,
                sums.2.checked_add(r.district_share).ok_or_else(overflow)?,
            );
            out.push(pb::ReportRow {
                year: r.year,
                fiscal_unit: r.fiscal_unit.clone(),
                fiscal_unit_name_zh: self.fiscal_unit_name(&r.fiscal_unit),
                clause: r.clause.clone(),
                figures: Some(pb::ReportFigures {
                    claims: r.claims,
                    submitted: r.submitted,
                    approved: r.approved,
                    rejected: r.rejected,
                    disbursed: r.disbursed,
                    approved_amount: yuan(r.approved_amount),
                    municipal_share: yuan(r.municipal_share),
                    district_share: yuan(r.district_share),
                }),
            });
        }
        let mut budgets = Vec::new();
        for y in years {
            if let Some(b) = self.inner.store.budget(y).await? {
                budgets.push(budget_pb(&b, None));
            }
        }
        Ok(pb::GetReportResponse {
            rows: out,
            total: Some(pb::ReportFigures {
                claims: total.0,
                submitted: total.1,
                approved: total.2,
                rejected: total.3,
                disbursed: total.4,
                approved_amount: yuan(sums.0),
                municipal_share: yuan(sums.1),
                district_share: yuan(sums.2),
            }),
            budgets,
        })
    }

    /// GetTargetProgress.
    pub async fn target_progress(
        &self,
        req: pb::GetTargetProgressRequest,
    ) -> Result<pb::GetTargetProgressResponse, RegistryError> {
        let ruleset = self
            .inner
            .book
            .rulesets()
            .iter()
            .rev()
            .find(|r| !r.doc().targets2020.is_empty())
            .ok_or_else(|| internal("no ruleset defines the 2020 targets"))?;
        let from = if req.period_from.trim().is_empty() {
            ruleset.effective_from()
        } else {
            check_date(&req.period_from, "period_from")?
        };
        let to = if req.period_to.trim().is_empty() {
            check_date(TARGETS_END, "period_to")?
        } else {
            check_date(&req.period_to, "period_to")?
        };
        if from > to {
            return Err(RegistryError::invalid(
                "INVALID_DATE",
                "period_to",
                "统计截止日期早于起始日期",
                "period_to is before period_from",
            ));
        }
        let (from_s, to_s) = (from.to_string(), to.to_string());
        let claims = self.inner.store.approved_claims(None).await?;
        let in_period: Vec<&stdfund_store::Claim> = claims
            .iter()
            .filter(|c| {
                c.achievement_date.as_str() >= from_s.as_str()
                    && c.achievement_date.as_str() <= to_s.as_str()
            })
            .collect();
        Ok(pb::GetTargetProgressResponse {
            ruleset: Some(pb::RulesetRef::from(engine::ruleset_ref(ruleset))),
            period_from: from_s,
            period_to: to_s,
            targets: progress::progress(&ruleset.doc().targets2020, &in_period),
        })
    }

    /// ListAuditLog.
    pub async fn audit(
        &self,
        req: pb::ListAuditLogRequest,
    ) -> Result<pb::ListAuditLogResponse, RegistryError> {
        let size = page_size(req.page_size, DEFAULT_AUDIT_PAGE)?;
        let claim = match req.claim_id {
            0 => None,
            id if id > 0 => Some(id),
            _ => {
                return Err(RegistryError::invalid(
                    "INVALID_ARGUMENT",
                    "claim_id",
                    "申报编号不能为负数",
                    "claim_id must not be negative",
                ));
            }
        };
        let cursor = Some(req.page_token.as_str()).filter(|t| !t.is_empty());
        let page = self.inner.store.audit_log(claim, cursor, size).await?;
        Ok(pb::ListAuditLogResponse {
            entries: page
                .items
                .into_iter()
                .map(|e| pb::AuditEntry {
                    entry_id: e.id,
                    claim_id: e.claim_id.unwrap_or(0),
                    role: access_role(&e.role) as i32,
                    actor: e.actor,
                    at: timestamp(Some(&e.at)),
                    action: audit_action(e.action) as i32,
                    before_json: e.before_json.unwrap_or_default(),
                    after_json: e.after_json.unwrap_or_default(),
                })
                .collect(),
            next_page_token: page.next_cursor.unwrap_or_default(),
        })
    }

    /// SetBudget.
    pub async fn set_budget(
        &self,
        who: &Principal,
        req: pb::SetBudgetRequest,
    ) -> Result<pb::SetBudgetResponse, RegistryError> {
        let year = check_year(req.year, "year")?;
        let total = parse_amount(&req.total, "total")?;
        let (now, _) = now();
        let b = self
            .inner
            .store
            .set_budget(year, total.as_decimal(), &actor(who), &now)
            .await?;
        tracing::info!(year, total = %yuan(b.total), by = %who.name, "budget set");
        Ok(pb::SetBudgetResponse {
            budget: Some(budget_pb(&b, Some(&now))),
        })
    }

    /// GetBudget.
    pub async fn get_budget(
        &self,
        req: pb::GetBudgetRequest,
    ) -> Result<pb::GetBudgetResponse, RegistryError> {
        let year = check_year(req.year, "year")?;
        match self.inner.store.budget(year).await? {
            Some(b) => Ok(pb::GetBudgetResponse {
                budget: Some(budget_pb(&b, None)),
            }),
            None => Err(RegistryError::NoBudget { year }),
        }
    }
}

fn answer<T>(r: Result<T, RegistryError>) -> Result<Response<T>, Status> {
    r.map(Response::new).map_err(Status::from)
}

#[tonic::async_trait]
impl RegistryService for Registry {
    async fn submit_claim(
        &self,
        request: Request<pb::SubmitClaimRequest>,
    ) -> Result<Response<pb::SubmitClaimResponse>, Status> {
        let who = self.authorize(&request, "SubmitClaim", rpc_roles::SUBMIT_CLAIM)?;
        answer(self.submit(&who, request.into_inner()).await)
    }

    async fn get_claim(
        &self,
        request: Request<pb::GetClaimRequest>,
    ) -> Result<Response<pb::GetClaimResponse>, Status> {
        let who = self.authorize(&request, "GetClaim", rpc_roles::READ_CLAIMS)?;
        answer(self.get(&who, request.into_inner()).await)
    }

    async fn list_claims(
        &self,
        request: Request<pb::ListClaimsRequest>,
    ) -> Result<Response<pb::ListClaimsResponse>, Status> {
        let who = self.authorize(&request, "ListClaims", rpc_roles::READ_CLAIMS)?;
        answer(self.list(&who, request.into_inner()).await)
    }

    async fn review_claim(
        &self,
        request: Request<pb::ReviewClaimRequest>,
    ) -> Result<Response<pb::ReviewClaimResponse>, Status> {
        let who = self.authorize(&request, "ReviewClaim", rpc_roles::REVIEW_CLAIM)?;
        answer(self.review(&who, request.into_inner()).await)
    }

    async fn record_disbursement(
        &self,
        request: Request<pb::RecordDisbursementRequest>,
    ) -> Result<Response<pb::RecordDisbursementResponse>, Status> {
        let who = self.authorize(
            &request,
            "RecordDisbursement",
            rpc_roles::RECORD_DISBURSEMENT,
        )?;
        answer(self.disburse(&who, request.into_inner()).await)
    }

    async fn export_public_notice(
        &self,
        request: Request<pb::ExportPublicNoticeRequest>,
    ) -> Result<Response<pb::ExportPublicNoticeResponse>, Status> {
        self.authorize(
            &request,
            "ExportPublicNotice",
            rpc_roles::EXPORT_PUBLIC_NOTICE,
        )?;
        answer(self.export(request.into_inner()).await)
    }

    async fn get_report(
        &self,
        request: Request<pb::GetReportRequest>,
    ) -> Result<Response<pb::GetReportResponse>, Status> {
        self.authorize(&request, "GetReport", rpc_roles::GET_REPORT)?;
        answer(self.report(request.into_inner()).await)
    }

    async fn get_target_progress(
        &self,
        request: Request<pb::GetTargetProgressRequest>,
    ) -> Result<Response<pb::GetTargetProgressResponse>, Status> {
        self.authorize(
            &request,
            "GetTargetProgress",
            rpc_roles::GET_TARGET_PROGRESS,
        )?;
        answer(self.target_progress(request.into_inner()).await)
    }

    async fn list_audit_log(
        &self,
        request: Request<pb::ListAuditLogRequest>,
    ) -> Result<Response<pb::ListAuditLogResponse>, Status> {
        self.authorize(&request, "ListAuditLog", rpc_roles::LIST_AUDIT_LOG)?;
        answer(self.audit(request.into_inner()).await)
    }

    async fn set_budget(
        &self,
        request: Request<pb::SetBudgetRequest>,
    ) -> Result<Response<pb::SetBudgetResponse>, Status> {
        let who = self.authorize(&request, "SetBudget", rpc_roles::SET_BUDGET)?;
        answer(Registry::set_budget(self, &who, request.into_inner()).await)
    }

    async fn get_budget(
        &self,
        request: Request<pb::GetBudgetRequest>,
    ) -> Result<Response<pb::GetBudgetResponse>, Status> {
        self.authorize(&request, "GetBudget", rpc_roles::GET_BUDGET)?;
        answer(Registry::get_budget(self, request.into_inner()).await)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn claimable_lines() {
        let mut l = Line {
            status: line_status::ELIGIBLE.into(),
            reason_code: "ELIGIBLE".into(),
            payable: "300000.00".into(),
            ..Line::default()
        };
        assert!(!claimable(&l, "submission").unwrap());
        l.payable = "0.00".into();
        l.reason_code = "COVERED_BY_HIGHER_LEVEL".into();
        assert!(matches!(
            claimable(&l, "submission"),
            Err(RegistryError::NotClaimable { reason_code, .. }) if reason_code == "COVERED_BY_HIGHER_LEVEL"
        ));
        l.status = line_status::DISCRETIONARY.into();
        assert!(claimable(&l, "submission").unwrap());
        l.status = line_status::PENDING.into();
        l.reason_code = "NOT_YET_ACCEPTED".into();
        assert!(claimable(&l, "submission").is_err());
    }

    #[test]
    fn idempotency_keys_and_years() {
        assert!(check_idempotency_key("portal:2026-01-01.a_b-1").is_ok());
        assert!(check_idempotency_key("").is_err());
        assert!(check_idempotency_key("a b").is_err());
        assert!(check_idempotency_key(&"x".repeat(129)).is_err());
        assert!(check_year(2015, "year").is_err());
        assert!(check_year(2016, "year").is_ok());
        let (ts, year) = now();
        assert!(ts.ends_with('Z'), "{ts}");
        assert!(year >= 2024, "{year}");
        assert!(timestamp(Some(&ts)).is_some());
    }
}
