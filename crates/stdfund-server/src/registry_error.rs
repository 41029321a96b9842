//! The errors of the claim registry and their one mapping to `tonic::Status`.
//!
//! `From<StoreError> for Status` cannot be written in this crate (both types
//! are foreign: the orphan rule), so, as [`crate::status::ApiError`] does for
//! engine errors, [`RegistryError`] is the local type that carries the
//! mapping, and `From<RegistryError> for Status` is the only place that
//! chooses a gRPC code for a registry answer. Every store error variant is
//! matched by name and `StoreError` is exhaustive: a variant added to the
//! store is a compile error here until it has its code and messages.
//!
//! Details, in the style of the estimate errors: `google.rpc.ErrorInfo`
//! (`reason` = stable code, `domain` = `stdfund.v1`, `metadata` = `field`,
//! `messageZh`, `messageEn` and the figures of the case), a
//! `google.rpc.BadRequest` field violation when a field is concerned, a
//! `google.rpc.PreconditionFailure` for refused transitions
//! (`FAILED_PRECONDITION`), and `zh-CN` / `en-US` `LocalizedMessage`s.

use crate::auth::AuthError;
use crate::status::{ApiError, LOCALE_EN, LOCALE_ZH};
use std::collections::HashMap;
use stdfund_proto::ERROR_DOMAIN;
use stdfund_rules::Error as RulesError;
use stdfund_rules::RuleBook;
use stdfund_rules::ruleset::FiscalUnitDoc;
use stdfund_store::StoreError;
use stdfund_store::{AttachmentScope, ClaimAction};
use tonic::{Code, Status};
use tonic_types::{
    BadRequest, ErrorDetail, ErrorInfo, FieldViolation, LocalizedMessage, PreconditionFailure,
    PreconditionViolation, StatusExt,
};

/// A malformed or missing registry field (`INVALID_ARGUMENT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The stable code: `MISSING_FIELD`, `INVALID_DATE`, `INVALID_AMOUNT`,
    /// `FIELD_TOO_LONG`, `INVALID_ENUM_VALUE`, `INVALID_PAGE_TOKEN`,
    /// `INVALID_IDEMPOTENCY_KEY`, `INVALID_YEAR`, `CLAIM_NEEDS_ONE_ACHIEVEMENT`,
    /// `WHAT_IF_NOT_ALLOWED`, `REVIEWER_AMOUNT_NOT_ALLOWED`.
    pub code: &'static str,
    /// The request field (proto name, e.g. `reviewer_amount`).
    pub field: String,
    /// Chinese message.
    pub zh: String,
    /// English message.
    pub en: String,
    /// The value the refused one was probably meant to be (metadata
    /// `meant`, as the estimate's errors carry it: D32).
    pub meant: Option<String>,
}

/// Every error a RegistryService RPC returns.
#[derive(Debug)]
pub enum RegistryError {
    /// Authentication or authorisation failed.
    Auth(AuthError),
    /// A registry field is missing or malformed.
    Invalid(Invalid),
    /// The engine refused the application (or answered what the contract
    /// cannot carry).
    Api(ApiError),
    /// The credit code's check character does not match and the submitter
    /// did not confirm it.
    CreditCodeCheckMismatch {
        /// The upper-cased code.
        code: String,
        /// The check character GB 32100-2015 gives.
        expected: String,
    },
    /// The line is not payable or discretionary (at submission or approval).
    NotClaimable {
        /// The line's reason code (`NOT_COVERED`, `OUTSIDE_FUZHOU`, …).
        reason_code: String,
        /// The line's status (`LINE_STATUS_INELIGIBLE`, …).
        line_status: String,
        /// At which step: `submission` or `approval`.
        step: &'static str,
        /// The line's Chinese explanation.
        zh: String,
        /// The line's English explanation.
        en: String,
    },
    /// The one-time key is held by a claim that is not rejected.
    AlreadyGranted {
        /// The holder, when the caller may see it (a portal sees its own
        /// claims only, R9).
        existing_claim_id: Option<i64>,
        /// The key.
        one_time_key: String,
    },
    /// A participation claim and a lead claim of one unit on one standard.
    ConflictsWithLead {
        /// The claim already holding the standard, when the caller may see it.
        existing_claim_id: Option<i64>,
        /// Its item.
        existing_item: String,
        /// The refused claim's item.
        item: String,
    },
    /// The submitter reused an idempotency key for another request.
    IdempotencyKeyReused {
        /// The key.
        key: String,
    },
    /// GetBudget of a year without a budget.
    NoBudget {
        /// The year.
        year: i32,
        /// Whose budget.
        payer: String,
    },
    /// One person would both submit and review a claim, or both approve and
    /// pay it (不相容职务分离, docs/DECISIONS.md B29).
    SeparationOfDuties {
        /// The claim.
        claim_id: i64,
        /// What the caller would do twice.
        duty: Duty,
        /// The caller's name (the token's).
        who: String,
    },
    /// Data stored by the registry could not be read back (a bug or a
    /// hand-edited database).
    StoredData {
        /// What could not be read.
        message: String,
    },
    /// The store refused or failed.
    Store(StoreError),
}

/// The two duties one person may not hold on one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// Reviewing a claim one submitted.
    ReviewOwnSubmission,
    /// Reviewing a claim one resubmitted (an admin filing a corrected
    /// application on the applicant's behalf).
    ReviewOwnResubmission,
    /// Paying a claim one approved.
    PayOwnApproval,
    /// Dismissing an objection against a claim one approved.
    ResolveObjectionOwnApproval,
}

impl From<AuthError> for RegistryError {
    fn from(e: AuthError) -> Self {
        RegistryError::Auth(e)
    }
}

impl From<StoreError> for RegistryError {
    fn from(e: StoreError) -> Self {
        RegistryError::Store(e)
    }
}

impl From<RulesError> for RegistryError {
    fn from(e: RulesError) -> Self {
        RegistryError::Api(ApiError::Rules(e))
    }
}

impl From<ApiError> for RegistryError {
    fn from(e: ApiError) -> Self {
        RegistryError::Api(e)
    }
}

impl RegistryError {
    /// A missing or malformed field.
    pub fn invalid(
        code: &'static str,
        field: impl Into<String>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> RegistryError {
        RegistryError::Invalid(Invalid {
            code,
            field: field.into(),
            zh: zh.into(),
            en: en.into(),
            meant: None,
        })
    }

    /// [`RegistryError::invalid`] with the value probably meant.
    pub fn invalid_meant(
        code: &'static str,
        field: impl Into<String>,
        zh: impl Into<String>,
        en: impl Into<String>,
        meant: Option<String>,
    ) -> RegistryError {
        RegistryError::Invalid(Invalid {
            code,
            field: field.into(),
            zh: zh.into(),
            en: en.into(),
            meant,
        })
    }

    /// A fault of the server itself (never the caller's): logged, answered
    /// `INTERNAL`.
    pub fn internal(message: impl Into<String>) -> RegistryError {
        RegistryError::StoredData {
            message: message.into(),
        }
    }

    /// A required field left empty.
    pub fn missing(field: &str) -> RegistryError {
        RegistryError::invalid(
            "MISSING_FIELD",
            field,
            format!("缺少必填字段`{field}`"),
            format!("the field `{field}` is required"),
        )
    }
}

/// What a status is built from.
struct Parts {
    code: Code,
    reason: String,
    field: String,
    zh: String,
    en: String,
    metadata: Vec<(&'static str, String)>,
    /// A precondition violation: (type, subject).
    precondition: Option<(&'static str, String)>,
}

impl Parts {
    fn new(code: Code, reason: impl Into<String>, zh: String, en: String) -> Parts {
        Parts {
            code,
            reason: reason.into(),
            field: String::new(),
            zh,
            en,
            metadata: Vec::new(),
            precondition: None,
        }
    }

    fn meta(mut self, key: &'static str, value: impl ToString) -> Parts {
        self.metadata.push((key, value.to_string()));
        self
    }

    fn field(mut self, field: impl Into<String>) -> Parts {
        self.field = field.into();
        self
    }

    /// The figures of a budget an approval would overspend: `[total, used, left, requested]`.
    fn budget_exceeded(
        self,
        year: i32,
        payer: &str,
        figures: [stdfund_rules::money::Money; 4],
    ) -> Parts {
        let [total, used, left, requested] = figures;
        self.meta("year", year)
            .meta("payer", payer)
            .meta("total", total)
            .meta("used", used)
            .meta("left", left)
            .meta("requested", requested)
            .precondition("BUDGET_EXCEEDED", format!("budgets/{year}/{payer}"))
    }

    fn precondition(mut self, kind: &'static str, subject: impl Into<String>) -> Parts {
        self.precondition = Some((kind, subject.into()));
        self
    }

    fn into_status(self) -> Status {
        let mut metadata: HashMap<String, String> = HashMap::new();
        metadata.insert("field".into(), self.field.clone());
        metadata.insert("messageZh".into(), self.zh.clone());
        metadata.insert("messageEn".into(), self.en.clone());
        for (k, v) in self.metadata {
            metadata.insert(k.to_string(), v);
        }
        let mut details = vec![ErrorDetail::ErrorInfo(ErrorInfo::new(
            self.reason.clone(),
            ERROR_DOMAIN,
            metadata,
        ))];
        if !self.field.is_empty() {
            details.push(ErrorDetail::BadRequest(BadRequest::new(vec![
                FieldViolation {
                    field: self.field.clone(),
                    description: self.en.clone(),
                    reason: self.reason.clone(),
                    localized_message: Some(LocalizedMessage::new(LOCALE_ZH, self.zh.clone())),
                },
            ])));
        }
        if let Some((kind, subject)) = self.precondition {
            details.push(ErrorDetail::PreconditionFailure(PreconditionFailure::new(
                vec![PreconditionViolation::new(kind, subject, self.en.clone())],
            )));
        }
        details.push(ErrorDetail::LocalizedMessage(LocalizedMessage::new(
            LOCALE_ZH,
            self.zh.clone(),
        )));
        details.push(ErrorDetail::LocalizedMessage(LocalizedMessage::new(
            LOCALE_EN,
            self.en.clone(),
        )));
        Status::with_error_details_vec(self.code, self.en, details)
    }
}

fn roles_list(roles: &[crate::auth::Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn auth_parts(e: AuthError) -> Parts {
    match e {
        AuthError::NoTokensConfigured => Parts::new(
            Code::Unauthenticated,
            "UNAUTHENTICATED",
            "服务端未配置访问令牌(tokens_file),申报登记接口不可用;测算接口无需令牌".into(),
            "no tokens are configured on this server (tokens_file), so the claim registry refuses every call; estimates need no token".into(),
        )
        .meta("tokensConfigured", "false"),
        AuthError::MissingToken => Parts::new(
            Code::Unauthenticated,
            "UNAUTHENTICATED",
            "缺少访问令牌:请在`authorization`中携带`Bearer <令牌>`".into(),
            "no token: send `authorization: Bearer <token>`".into(),
        ),
        AuthError::MalformedHeader => Parts::new(
            Code::Unauthenticated,
            "UNAUTHENTICATED",
            "`authorization`应为一个`Bearer <令牌>`".into(),
            "send one `authorization` header: `Bearer <token>`".into(),
        ),
        AuthError::UnknownToken => Parts::new(
            Code::Unauthenticated,
            "UNAUTHENTICATED",
            "访问令牌无效".into(),
            "unknown token".into(),
        ),
        AuthError::RoleNotAllowed { role, rpc, allowed } => Parts::new(
            Code::PermissionDenied,
            "PERMISSION_DENIED",
            format!(
                "{}角色无权调用`{rpc}`;允许的角色:{}",
                role.name_zh(),
                allowed
                    .iter()
                    .map(|r| r.name_zh())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            format!(
                "role `{role}` may not call {rpc}; allowed: {}",
                roles_list(allowed)
            ),
        )
        .meta("role", role)
        .meta("allowedRoles", roles_list(allowed)),
        AuthError::WholeAuditLog { role } => Parts::new(
            Code::PermissionDenied,
            "PERMISSION_DENIED",
            format!(
                "{}角色只能查看某一申报的审计日志(请给出`claim_id`);全部审计日志只有管理员可以查看",
                role.name_zh()
            ),
            format!(
                "role `{role}` reads the audit entries of one claim (give `claim_id`); only an admin reads the whole log"
            ),
        )
        .meta("role", role)
        .meta("allowedRoles", roles_list(&[crate::auth::Role::Admin])),
    }
}

fn internal(reason: &str, zh: &str, en: &str) -> Parts {
    Parts::new(Code::Internal, reason, zh.to_string(), en.to_string())
}

fn action_zh(action: ClaimAction) -> &'static str {
    match action {
        ClaimAction::Review => "审核",
        ClaimAction::Withdraw => "撤回",
        ClaimAction::Resubmit => "重新提交",
        ClaimAction::Disburse => "登记拨付",
        ClaimAction::Publish => "列入公示",
        ClaimAction::RevokePartlyPaid => "撤销已部分拨付的核准",
        ClaimAction::Attach => "补充材料",
    }
}

fn status_zh(s: stdfund_store::ClaimStatus) -> &'static str {
    use stdfund_store::ClaimStatus as S;
    match s {
        S::Submitted => "已提交",
        S::Returned => "退回补正",
        S::Withdrawn => "已撤回",
        S::Rejected => "已驳回",
        S::Approved => "已核准",
        S::Disbursed => "已拨付",
    }
}

/// Claims named per budget in a batch's BUDGET_EXCEEDED message.
const OVER_NAMED: usize = 10;
/// Claims listed in its `claimIdsOver` and `claimPayersOver` metadata.
const OVER_LISTED: usize = 50;

/// Who pays, as messages name it: the city, not its internal id `CITY`
/// (the tenth user test read `the 2026 budget of CITY`), and a district by
/// its name in the rule book (鼓楼区(350102)), not by its code alone. Without
/// a rule book, or for a code the book does not know, the code.
#[derive(Clone, Copy)]
struct Payers(Option<&'static RuleBook>);

impl Payers {
    fn unit(self, payer: &str) -> Option<&'static FiscalUnitDoc> {
        crate::registry::convert::fiscal_unit(self.0?, payer)
    }

    /// The city as `city`, a known unit as `name` with its code after
    /// `open` (and `close`), any other by its code.
    fn named(
        self,
        payer: &str,
        city: &str,
        name: fn(&FiscalUnitDoc) -> &str,
        [open, close]: [&str; 2],
    ) -> String {
        if payer == stdfund_store::CITY {
            return city.to_string();
        }
        match self.unit(payer) {
            Some(u) => format!("{}{open}{payer}{close}", name(u)),
            None => payer.to_string(),
        }
    }

    fn zh(self, payer: &str) -> String {
        self.named(payer, "市级", |u| &u.name_zh, ["(", ")"])
    }

    fn en(self, payer: &str) -> String {
        self.named(payer, "the city", |u| &u.name_en, [" (", ")"])
    }
}

const PAGE_TOKEN_ZH: &str = "分页令牌无效:不是本服务给出的令牌,或查询条件已改变;请从第一页重新查询";
const PAGE_TOKEN_EN: &str =
    "invalid page token: not one this server gave for this query; ask again from the first page";

impl RegistryError {
    /// `INVALID_PAGE_TOKEN` on `page_token`, as the store's refusal of a
    /// token it did not write is answered; the token is never quoted.
    pub fn invalid_page_token() -> RegistryError {
        RegistryError::invalid(
            "INVALID_PAGE_TOKEN",
            "page_token",
            PAGE_TOKEN_ZH,
            PAGE_TOKEN_EN,
        )
    }
}

/// `ALREADY_GRANTED`: the one-time key is held by a live claim.
fn already_granted(existing_claim_id: Option<i64>, one_time_key: &str) -> Parts {
    let parts = match existing_claim_id {
        Some(id) => Parts::new(
            Code::AlreadyExists,
            "ALREADY_GRANTED",
            format!("该成果已有未驳回的申报(申报编号{id}):同一成果只资助一次"),
            format!(
                "this achievement is already claimed by claim {id}, which is not rejected: each achievement is paid once"
            ),
        )
        .meta("existingClaimId", id),
        None => Parts::new(
            Code::AlreadyExists,
            "ALREADY_GRANTED",
            "该成果已有未驳回的申报:同一成果只资助一次".to_string(),
            "this achievement is already claimed by a claim that is not rejected: each achievement is paid once".to_string(),
        ),
    };
    parts.meta("oneTimeKey", one_time_key)
}

/// The refusal of one person holding two duties on a claim (B29).
fn duty_parts(claim_id: i64, duty: Duty, who: String) -> Parts {
    let (zh, en) = match duty {
        Duty::ReviewOwnSubmission => (
            format!(
                "申报{claim_id}由`{who}`提交,不能由同一人审核(不相容职务分离):请由另一名审核人员办理"
            ),
            format!(
                "claim {claim_id} was submitted by {who}, who may not also review it (separation of duties): another reviewer must"
            ),
        ),
        Duty::ReviewOwnResubmission => (
            format!(
                "申报{claim_id}由`{who}`重新提交,不能由同一人审核(不相容职务分离):请由另一名审核人员办理"
            ),
            format!(
                "claim {claim_id} was resubmitted by {who}, who may not also review it (separation of duties): another reviewer must"
            ),
        ),
        Duty::ResolveObjectionOwnApproval => (
            format!(
                "申报{claim_id}由`{who}`核准,针对它的异议不能由同一人驳回(不相容职务分离):请由另一名审核人员办理"
            ),
            format!(
                "claim {claim_id} was approved by {who}, who may not also dismiss an objection against it (separation of duties): another reviewer must"
            ),
        ),
        Duty::PayOwnApproval => (
            format!(
                "申报{claim_id}由`{who}`核准,不能由同一人登记拨付(不相容职务分离):请由财务人员办理"
            ),
            format!(
                "claim {claim_id} was approved by {who}, who may not also record its payment (separation of duties): a finance officer must"
            ),
        ),
    };
    Parts::new(Code::FailedPrecondition, "SEPARATION_OF_DUTIES", zh, en)
        .meta("claimId", claim_id)
        .meta("actor", who)
        .precondition("SEPARATION_OF_DUTIES", format!("claims/{claim_id}"))
}

/// An amount in a sentence for people: `1,000,000.00`, grouped as the
/// workbench shows it beside the message (the metadata keeps the contract's
/// `1000000.00`).
fn grouped(m: stdfund_rules::money::Money) -> String {
    stdfund_rules::amount_input::group_thousands(&m.to_canonical())
}

/// Bytes as MiB with one decimal, rounded half up, in integers.
fn mib(b: i64) -> String {
    let tenths = b.saturating_mul(10).saturating_add(524_288) / 1_048_576;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// One language's way of listing the claims a budget does not hold.
struct Lang {
    line: fn(&str, &str) -> String,
    sep: &'static str,
    more: fn(usize) -> String,
    join: &'static str,
}

impl Lang {
    const ZH: Lang = Lang {
        line: |budget, claims| format!("{budget}预算不足以核准申报{claims}"),
        sep: "、",
        more: |n| format!("等{n}件"),
        join: ";",
    };
    const EN: Lang = Lang {
        line: |budget, claims| format!("the budget of {budget} does not hold claim(s) {claims}"),
        sep: ", ",
        more: |n| format!(" and others, {n} in all"),
        join: "; ",
    };
}

/// Each budget with the claims it does not hold, at most OVER_NAMED named.
fn over_lines(by_payer: &[(&str, Vec<i64>)], name: impl Fn(&str) -> String, lang: Lang) -> String {
    by_payer
        .iter()
        .map(|(p, ids)| {
            let mut claims = ids
                .iter()
                .take(OVER_NAMED)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(lang.sep);
            if ids.len() > OVER_NAMED {
                claims.push_str(&(lang.more)(ids.len()));
            }
            (lang.line)(&name(p), &claims)
        })
        .collect::<Vec<_>>()
        .join(lang.join)
}

/// The one mapping of store errors. Database messages stay in the server
/// log (they can carry SQL and schema names); the client gets the stable
/// code and a message of its own.
fn store_parts(e: StoreError, payers: Payers) -> Parts {
    let code = e.code();
    match e {
        StoreError::PayOwnApproval { claim_id, actor } => {
            duty_parts(claim_id, Duty::PayOwnApproval, actor)
        }
        StoreError::NotFound { what, id } => Parts::new(
            Code::NotFound,
            code,
            format!(
                "{}`{id}`不存在",
                match what {
                    "claim" => "申报",
                    "attachment" => "材料",
                    "publication" => "公示",
                    "objection" => "异议",
                    other => other,
                }
            ),
            format!("{what} `{id}` not found"),
        )
        .meta("id", id),
        StoreError::InvalidState {
            claim_id,
            actual,
            action: ClaimAction::RevokePartlyPaid,
            ..
        } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!(
                "申报{claim_id}已核准且已部分拨付,不能撤销核准:已拨付的款项须先按财务程序追回"
            ),
            format!(
                "claim {claim_id} is approved and partly paid: its approval cannot be revoked; what was paid must first be recovered through the finance procedure"
            ),
        )
        .meta("claimId", claim_id)
        .meta("status", actual)
        .precondition("INVALID_STATE", format!("claims/{claim_id}")),
        StoreError::InvalidState {
            claim_id,
            actual,
            action,
            allowed,
        } => {
            let allowed_zh: Vec<&str> = allowed.iter().map(|s| status_zh(*s)).collect();
            let allowed_en: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
            Parts::new(
                Code::FailedPrecondition,
                code,
                format!(
                    "申报{claim_id}当前状态为{},{}要求状态为{}",
                    status_zh(actual),
                    action_zh(action),
                    allowed_zh.join("或")
                ),
                format!(
                    "claim {claim_id} is {actual}, but {action} requires {}",
                    allowed_en.join(" or ")
                ),
            )
            .meta("claimId", claim_id)
            .meta("status", actual)
            .meta("expectedStatus", allowed_en.join(","))
            .precondition("INVALID_STATE", format!("claims/{claim_id}"))
        }
        StoreError::BudgetExceeded {
            year,
            payer,
            total,
            used,
            left,
            requested,
        } => {
            // The city's budget carries the whole grant; a district's, its
            // share only, which the message names as such (the eleventh user
            // test read 核准150,000.00元 for a claim of 300,000).
            let (zh, en, asked) = (payers.zh(&payer), payers.en(&payer), grouped(requested));
            let (asked_zh, asked_en) = if payer == stdfund_store::CITY {
                (format!("核准{asked}元"), format!("approving {asked}"))
            } else {
                (
                    format!("本申报由{zh}承担的{asked}元"),
                    format!("the share of {en} in this claim, {asked},"),
                )
            };
            let (total_g, used_g, left_g) = (grouped(total), grouped(used), grouped(left));
            Parts::new(
                Code::FailedPrecondition,
                code,
                format!(
                    "{asked_zh}将超出{year}年度{zh}预算:预算总额{total_g}元,已使用{used_g}元,剩余{left_g}元"
                ),
                format!(
                    "{asked_en} would exceed the {year} budget of {en}: total {total_g}, used {used_g}, left {left_g}"
                ),
            )
            .budget_exceeded(year, &payer, [total, used, left, requested])
        }
        StoreError::BatchBudgetExceeded {
            year,
            payer,
            total,
            used,
            left,
            requested,
            claim_id,
            over,
        } => {
            // Each budget with the claims it does not hold, in the order
            // chosen (a 市本级 claim over the city's budget is not said to be
            // over a district's); at most OVER_NAMED claims named per budget
            // and OVER_LISTED in the metadata, so that the refusal stays
            // within a client's limit on trailers (8 KiB for grpcio; the
            // thirteenth attack met 500 claims as RESOURCE_EXHAUSTED).
            let mut by_payer: Vec<(&str, Vec<i64>)> = Vec::new();
            for (id, p) in &over {
                match by_payer.iter_mut().find(|(q, _)| q == p) {
                    Some((_, ids)) => ids.push(*id),
                    None => by_payer.push((p.as_str(), vec![*id])),
                }
            }
            let zh = over_lines(&by_payer, |p| payers.zh(p), Lang::ZH);
            let en = over_lines(&by_payer, |p| payers.en(p), Lang::EN);
            let listed = over
                .iter()
                .take(OVER_LISTED)
                .map(|(id, _)| id.to_string())
                .collect::<Vec<_>>()
                .join(",");
            // Beside each listed claim, whose budget it exceeds (`payer` and
            // the figures are those of the first, `claimId`).
            let payers_over = over
                .iter()
                .take(OVER_LISTED)
                .map(|(_, p)| p.as_str())
                .collect::<Vec<_>>()
                .join(",");
            Parts::new(
                Code::FailedPrecondition,
                code,
                format!(
                    "本批按所选顺序核准,{year}年度{zh}(申报{claim_id}所超的{}预算:本批核准前剩余{}元,预算总额{}元,已使用{}元,核准到申报{claim_id}时需用{}元);所选的其余申报可在预算内核准。本批未作任何改动:请取消选择上述申报后重试,或请财务调整预算",
                    payers.zh(&payer),
                    grouped(left),
                    grouped(total),
                    grouped(used),
                    grouped(requested)
                ),
                format!(
                    "approved in the order chosen, for {year} {en} (the budget of {} that claim {claim_id} exceeds: left before the batch {}, total {}, used {}; through claim {claim_id} the batch asks {}); the other claims chosen fit. Nothing of the batch was changed: leave those claims out and try again, or ask finance to adjust the budget",
                    payers.en(&payer),
                    grouped(left),
                    grouped(total),
                    grouped(used),
                    grouped(requested)
                ),
            )
            .meta("claimId", claim_id)
            .meta("claimIdsOver", listed)
            .meta("claimPayersOver", payers_over)
            .meta("claimsOverTotal", over.len())
            .budget_exceeded(year, &payer, [total, used, left, requested])
        }
        StoreError::BudgetNotSet { year, payer } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!("{year}年度{}预算尚未设置,无法核准", payers.zh(&payer)),
            format!(
                "no {year} budget is set for {}, so nothing can be approved against it",
                payers.en(&payer)
            ),
        )
        .meta("year", year)
        .meta("payer", &payer)
        .precondition("BUDGET_NOT_SET", format!("budgets/{year}/{payer}")),
        StoreError::BudgetBelowUsed {
            year,
            payer,
            total,
            used,
        } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!(
                "{year}年度{}预算{}元低于已使用金额{}元",
                payers.zh(&payer),
                grouped(total),
                grouped(used)
            ),
            format!(
                "a {year} budget of {} for {} is below the {} already used",
                grouped(total),
                payers.en(&payer),
                grouped(used)
            ),
        )
        .meta("year", year)
        .meta("payer", &payer)
        .meta("total", total)
        .meta("used", used)
        .field("total")
        .precondition("BUDGET_BELOW_USED", format!("budgets/{year}/{payer}")),
        StoreError::IdempotencyKeyReused { key, claim_id } => Parts::new(
            Code::AlreadyExists,
            code,
            format!("幂等键`{key}`已用于另一内容不同的申报"),
            format!("the idempotency key `{key}` was already used for a different request"),
        )
        .meta("existingClaimId", claim_id)
        .field("idempotency_key"),
        // Mapped with the caller's view where it arises (a resubmission);
        // here the holder is not named.
        StoreError::KeyHeld { key, .. } => already_granted(None, &key),
        StoreError::PublicationIsDraft { publication_id } => Parts::new(
            Code::InvalidArgument,
            code,
            format!("公示{publication_id}尚未发布:异议只能针对已发布的公示登记"),
            format!(
                "publication {publication_id} is a draft: objections are recorded against issued publications"
            ),
        )
        .field("publication_id"),
        StoreError::Conflict { message } => {
            tracing::info!(%message, "store conflict");
            Parts::new(
                Code::Aborted,
                code,
                "记录在处理过程中被并发修改,请重试".into(),
                "the record changed concurrently; retry".into(),
            )
        }
        StoreError::InvalidInput { field, message } => {
            if field == "cursor" {
                // The token is not quoted (it can be as long as a message
                // may be); the log keeps why it was refused.
                tracing::debug!(%message, "page token refused");
                Parts::new(
                    Code::InvalidArgument,
                    "INVALID_PAGE_TOKEN",
                    PAGE_TOKEN_ZH.into(),
                    PAGE_TOKEN_EN.into(),
                )
                .field("page_token")
            } else {
                // The store's checks behind the server's own (which say what
                // is wrong in both languages): its English detail stays out
                // of the Chinese message.
                Parts::new(
                    Code::InvalidArgument,
                    code,
                    format!("字段`{field}`的值无效"),
                    format!("invalid {field}: {message}"),
                )
                .field(field)
            }
        }
        StoreError::PaymentBeforeApproval {
            approved_on,
            payment_date,
        } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!("支付日期{payment_date}早于核准日期{approved_on}"),
            format!("the payment date {payment_date} is before the approval on {approved_on}"),
        )
        .meta("approvedOn", approved_on)
        .field("payment_date"),
        StoreError::PaymentInFuture {
            today,
            payment_date,
        } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!("支付日期{payment_date}晚于今天({today}),不能登记尚未发生的支付"),
            format!("the payment date {payment_date} is after today ({today}): a payment not yet made cannot be recorded"),
        )
        .meta("today", today)
        .field("payment_date"),
        StoreError::VoucherReused {
            payer,
            voucher,
            claim_id,
        } => Parts::new(
            Code::AlreadyExists,
            code,
            format!("凭证号`{voucher}`已用于申报{claim_id}的支付"),
            format!("voucher `{voucher}` of {payer} was already used for claim {claim_id}"),
        )
        .meta("existingClaimId", claim_id)
        .field("voucher_number"),
        StoreError::PaymentExceedsUnpaid { unpaid, requested } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!(
                "支付金额{}元超过已核准未支付的{}元",
                grouped(requested),
                grouped(unpaid)
            ),
            format!(
                "a payment of {} is more than the {} approved and not yet paid",
                grouped(requested),
                grouped(unpaid)
            ),
        )
        .meta("unpaid", unpaid)
        .meta("requested", requested)
        .field("amount"),
        StoreError::PublicationNotDraft { id } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!("公示{id}已发布,不能再修改"),
            format!("publication {id} is already issued and frozen"),
        )
        .precondition("PUBLICATION_ISSUED", format!("publications/{id}")),
        StoreError::AlreadyPublished {
            claim_id,
            publication_id,
        } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!("申报{claim_id}已列入已发布的公示{publication_id},不能再次公示"),
            format!("claim {claim_id} is already on issued publication {publication_id}: a claim is published once"),
        )
        .meta("publicationId", publication_id)
        .field("claim_ids"),
        StoreError::ObjectionInFuture { today, received_on } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!("异议收到日期{received_on}晚于今天({today}),只能登记已收到的异议"),
            format!("the objection's day received {received_on} is after today ({today}): only an objection already received is recorded"),
        )
        .meta("today", today)
        .field("received_on"),
        StoreError::ObjectionDuplicate { objection_id } => Parts::new(
            Code::AlreadyExists,
            code,
            format!("该异议已登记为异议{objection_id}:同一异议人同日收到的相同内容不重复登记"),
            format!("this objection is already recorded as objection {objection_id}: the same objector, day received and content are not recorded twice"),
        )
        .meta("existingObjectionId", objection_id),
        StoreError::ObjectionOutsidePeriod {
            period_start,
            period_end,
            received_on,
        } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!("异议收到日期{received_on}不在公示期{period_start}至{period_end}内"),
            format!("an objection received on {received_on} is outside the notice period {period_start} to {period_end}"),
        )
        .field("received_on"),
        StoreError::NotOnPublication {
            publication_id,
            claim_id,
        } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!("申报{claim_id}不在公示{publication_id}的名单上(或该公示尚未发布)"),
            format!("claim {claim_id} is not on publication {publication_id} (or it is not issued)"),
        )
        .field("claim_id"),
        StoreError::AttachmentLimit {
            scope,
            files,
            bytes,
            adding,
            max_files,
            max_bytes,
        } => {
            let (whose_zh, per_zh, whose_en, per_en) = match &scope {
                AttachmentScope::Claim(id) => (
                    format!("申报{id}已有申报单位上传的附件"),
                    "每件申报",
                    format!("claim {id} holds"),
                    "a claim",
                ),
                AttachmentScope::Applicant(_) => (
                    "该单位的各件申报(含已撤回的)已有附件".to_string(),
                    "每个单位",
                    "the applicant's claims (withdrawn ones too) hold".to_string(),
                    "an applicant",
                ),
            };
            let (zh, en) = if files >= max_files {
                (
                    format!(
                        "{whose_zh}{files}个,{per_zh}最多{max_files}个。请将材料合并为较少的文件后再上传"
                    ),
                    format!(
                        "{whose_en} {files} of the applicant's files, the most {per_en} takes ({max_files}): combine the material into fewer files"
                    ),
                )
            } else {
                (
                    format!(
                        "{whose_zh}{}MB,{per_zh}最多{}MB,再上传这个{}MB的文件会超出。请压缩或合并材料后再上传",
                        mib(bytes),
                        mib(max_bytes),
                        mib(adding)
                    ),
                    format!(
                        "{whose_en} {} MiB of the applicant's files; {per_en} takes at most {} MiB, and this file of {} MiB would pass that: compress or combine the material",
                        mib(bytes),
                        mib(max_bytes),
                        mib(adding)
                    ),
                )
            };
            let parts = Parts::new(Code::FailedPrecondition, code, zh, en)
                .field("content")
                .meta("files", files)
                .meta("bytes", bytes)
                .meta("maxFiles", max_files)
                .meta("maxBytes", max_bytes);
            match scope {
                AttachmentScope::Claim(id) => parts.meta("claimId", id),
                AttachmentScope::Applicant(credit_code) => parts.meta("creditCode", credit_code),
            }
        }
        StoreError::ObjectionResolved { id } => Parts::new(
            Code::FailedPrecondition,
            code,
            format!("异议{id}已处理"),
            format!("objection {id} is already resolved"),
        ),
        StoreError::ClaimChanged {
            claim_id,
            seen,
            now,
        } => {
            let (zh, en) = if seen > now {
                // Not a resubmission: a count the claim never had.
                (
                    format!(
                        "申报{claim_id}只重新提交过{now}次,本次审核所依据的第{seen}次并不存在,本次审核未生效,请重新打开申报后审核"
                    ),
                    format!(
                        "claim {claim_id} was resubmitted {now} times, so the resubmission {seen} this decision names does not exist; nothing was changed: open the claim again and review it"
                    ),
                )
            } else {
                (
                    format!(
                        "申报{claim_id}在审核期间已被补正后重新提交(现为第{now}次重新提交,本次审核依据的是{}),本次审核未生效,请按其现在的内容重新审核",
                        if seen == 0 {
                            "首次提交的内容".to_string()
                        } else {
                            format!("第{seen}次重新提交的内容")
                        }
                    ),
                    format!(
                        "claim {claim_id} was resubmitted while it was being reviewed (resubmission {now}; this decision was made on resubmission {seen}); nothing was changed: review it as it now stands"
                    ),
                )
            };
            Parts::new(Code::Aborted, code, zh, en).meta("claimId", claim_id)
        }
        StoreError::ObjectionBlocksPayment {
            claim_id,
            objection_id,
            upheld,
        } => {
            let (zh, en) = if upheld {
                (
                    format!(
                        "申报{claim_id}不能拨付:异议{objection_id}成立;请审核员撤销核准(驳回),或保持不予拨付"
                    ),
                    format!(
                        "claim {claim_id} cannot be paid: objection {objection_id} was upheld; a reviewer revokes the approval (reject), or it stays unpaid"
                    ),
                )
            } else {
                (
                    format!("申报{claim_id}不能拨付:异议{objection_id}尚未处理,处理后才能拨付"),
                    format!(
                        "claim {claim_id} cannot be paid: objection {objection_id} is not yet resolved; it can be paid once it is"
                    ),
                )
            };
            Parts::new(Code::FailedPrecondition, code, zh, en)
                .precondition("OBJECTION_BLOCKS_PAYMENT", format!("objections/{objection_id}"))
                .meta("objectionId", objection_id.to_string())
                .field("claim_id")
        }
        // Only ever from taking the key at start-up; a server fault if a call
        // meets it.
        StoreError::AuditSealsRemoved { .. } => {
            tracing::error!(error = %e, "audit seals removed");
            internal(
                code,
                "审计日志的封签已被删除,为免为篡改内容背书,暂停写入;请核验审计日志并从备份恢复",
                "the audit log's seals were removed: nothing is written, lest a seal vouch for forged entries; verify the audit log and restore it",
            )
        }
        StoreError::AuditKeyMismatch { .. } => {
            tracing::error!(error = %e, "audit key mismatch");
            internal(
                code,
                "审计密钥与审计日志的封签不符",
                "the audit key does not match the audit log's seals",
            )
        }
        StoreError::Migration { message } => {
            tracing::error!(%message, "store migration error");
            internal(
                code,
                "数据库结构与本版本不符",
                "the database schema does not match this version",
            )
        }
        StoreError::DatabaseMissing { path } => {
            tracing::error!(%path, "database missing");
            Parts::new(
                Code::Unavailable,
                "UNAVAILABLE",
                "登记数据库不可用,请稍后重试".into(),
                "the registry database is unavailable; retry later".into(),
            )
        }
        StoreError::Corrupt { message } => {
            tracing::error!(%message, "corrupt stored data");
            internal(code, "数据库中的记录无法读取", "a stored record could not be read")
        }
        StoreError::Unavailable { message } => {
            tracing::warn!(%message, "database unavailable");
            Parts::new(
                Code::Unavailable,
                code,
                "登记数据库暂时不可用,请稍后重试".into(),
                "the registry database is busy or unreachable; retry later".into(),
            )
        }
        StoreError::Database { message } => {
            tracing::error!(%message, "database error");
            internal(code, "数据库错误", "database error")
        }
        StoreError::Io { message } => {
            tracing::error!(%message, "i/o error");
            internal(code, "文件读写错误", "i/o error")
        }
    }
}

impl From<RegistryError> for Status {
    /// Without a rule book: districts are named by their codes.
    fn from(e: RegistryError) -> Status {
        e.into_status_in(None)
    }
}

impl RegistryError {
    /// The status a caller receives, with fiscal units named from `book`.
    pub fn into_status_in(self, book: Option<&'static RuleBook>) -> Status {
        let payers = Payers(book);
        let parts = match self {
            RegistryError::Auth(a) => auth_parts(a),
            RegistryError::Invalid(i) => {
                let parts = Parts::new(Code::InvalidArgument, i.code, i.zh, i.en).field(i.field);
                match i.meant {
                    Some(m) => parts.meta("meant", m),
                    None => parts,
                }
            }
            RegistryError::Api(api) => {
                let r = api.report();
                let meant = api.meant();
                let parts =
                    Parts::new(api.code(), r.code, r.message_zh, r.message_en).field(r.field);
                match meant {
                    Some(m) => parts.meta("meant", m),
                    None => parts,
                }
            }
            RegistryError::CreditCodeCheckMismatch { code, expected } => Parts::new(
                Code::FailedPrecondition,
                "CREDIT_CODE_CHECK_MISMATCH",
                format!(
                    "统一社会信用代码`{code}`的校验位不符(按GB 32100-2015应为`{expected}`);如确认代码无误,请以`confirm_credit_code`为`true`重新提交,确认将被记录"
                ),
                format!(
                    "the check character of credit code `{code}` does not match (GB 32100-2015 gives `{expected}`); if the code is right, submit again with confirm_credit_code = true and the confirmation is recorded"
                ),
            )
            .meta("expected", expected)
            .field("application.applicant.credit_code")
            .precondition("CREDIT_CODE_CHECK_MISMATCH", "application.applicant.credit_code"),
            RegistryError::NotClaimable {
                reason_code,
                line_status,
                step,
                zh,
                en,
            } => {
                let (zh, en) = if step == "approval" {
                    (
                        format!("按核准时适用的规则重新测算,该项不可资助:{zh}"),
                        format!("recomputed for approval, the line is not payable: {en}"),
                    )
                } else {
                    (
                        format!("该项不可申报资助:{zh}"),
                        format!("the line cannot be claimed: {en}"),
                    )
                };
                Parts::new(Code::FailedPrecondition, reason_code.clone(), zh, en)
                    .meta("reasonCode", &reason_code)
                    .meta("lineStatus", line_status)
                    .meta("step", step)
                    .precondition("LINE_NOT_CLAIMABLE", "application.achievements[0]")
            }
            RegistryError::AlreadyGranted {
                existing_claim_id,
                one_time_key,
            } => already_granted(existing_claim_id, &one_time_key),
            RegistryError::ConflictsWithLead {
                existing_claim_id,
                existing_item,
                item,
            } => {
                let (named_zh, named_en, subject) = match existing_claim_id {
                    Some(id) => (format!("申报{id}"), format!("claim {id}"), format!("claims/{id}")),
                    None => (
                        "申报".to_string(),
                        "a claim".to_string(),
                        "claims".to_string(),
                    ),
                };
                let parts = Parts::new(
                    Code::FailedPrecondition,
                    "CONFLICTS_WITH_LEAD",
                    format!(
                        "同一单位不能既是同一标准的主导单位又是参与单位:该单位已有该标准的{named_zh}({existing_item})"
                    ),
                    format!(
                        "one unit cannot be both lead and participant of one standard: {named_en} ({existing_item}) of this unit already holds it, so this {item} claim is refused"
                    ),
                );
                match existing_claim_id {
                    Some(id) => parts.meta("existingClaimId", id),
                    None => parts,
                }
                .meta("existingItem", existing_item)
                .precondition("CONFLICTS_WITH_LEAD", subject)
            }
            RegistryError::IdempotencyKeyReused { key } => Parts::new(
                Code::AlreadyExists,
                "IDEMPOTENCY_KEY_REUSED",
                format!("幂等键`{key}`已用于另一内容不同的申报"),
                format!("the idempotency key `{key}` was already used for a different request"),
            )
            .field("idempotency_key"),
            RegistryError::NoBudget { year, payer } => Parts::new(
                Code::NotFound,
                "BUDGET_NOT_SET",
                format!("{year}年度{}预算尚未设置", payers.zh(&payer)),
                format!("no {year} budget is set for {}", payers.en(&payer)),
            )
            .meta("year", year)
            .meta("payer", payer),
            RegistryError::SeparationOfDuties {
                claim_id,
                duty,
                who,
            } => duty_parts(claim_id, duty, who),
            RegistryError::StoredData { message } => {
                tracing::error!(%message, "stored registry data unreadable");
                internal(
                    "CORRUPT_DATA",
                    "数据库中的记录无法读取",
                    "a stored record could not be read",
                )
            }
            RegistryError::Store(s) => store_parts(s, payers),
        };
        parts.into_status()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use stdfund_store::ClaimStatus;

    fn info(s: &Status) -> ErrorInfo {
        s.get_error_details().error_info().cloned().unwrap()
    }

    fn yuan(s: &str) -> stdfund_rules::money::Money {
        stdfund_rules::money::Money::parse_yuan(s).unwrap()
    }

    #[test]
    fn budget_exceeded_carries_the_figures() {
        let s = Status::from(RegistryError::Store(StoreError::BudgetExceeded {
            year: 2020,
            payer: "CITY".into(),
            total: yuan("100000"),
            used: yuan("80000"),
            left: yuan("20000"),
            requested: yuan("300000"),
        }));
        assert_eq!(s.code(), Code::FailedPrecondition);
        let i = info(&s);
        assert_eq!(i.reason, "BUDGET_EXCEEDED");
        assert_eq!(i.domain, "stdfund.v1");
        assert_eq!(i.metadata["total"], "100000.00");
        assert_eq!(i.metadata["used"], "80000.00");
        assert_eq!(i.metadata["left"], "20000.00");
        assert_eq!(i.metadata["requested"], "300000.00");
        assert!(i.metadata["messageZh"].contains("剩余20,000.00元"));
        let d = s.get_error_details();
        let pf = d.precondition_failure().unwrap();
        assert_eq!(pf.violations[0].r#type, "BUDGET_EXCEEDED");
        let report = crate::status::error_report(&s).unwrap();
        assert_eq!(report.code, "BUDGET_EXCEEDED");
    }

    #[test]
    fn each_store_error_has_its_code() {
        let d = |s: &str| stdfund_rules::date::Date::parse(s).unwrap();
        let cases: Vec<(StoreError, Code, &str)> = vec![
            (
                StoreError::NotFound {
                    what: "claim",
                    id: "7".into(),
                },
                Code::NotFound,
                "NOT_FOUND",
            ),
            (
                StoreError::InvalidState {
                    claim_id: 7,
                    actual: ClaimStatus::Rejected,
                    action: ClaimAction::Review,
                    allowed: &[ClaimStatus::Submitted],
                },
                Code::FailedPrecondition,
                "INVALID_STATE",
            ),
            (
                StoreError::BudgetNotSet {
                    year: 2021,
                    payer: "CITY".into(),
                },
                Code::FailedPrecondition,
                "BUDGET_NOT_SET",
            ),
            (
                StoreError::BudgetBelowUsed {
                    year: 2021,
                    payer: "CITY".into(),
                    total: yuan("1"),
                    used: yuan("2"),
                },
                Code::FailedPrecondition,
                "BUDGET_BELOW_USED",
            ),
            (
                StoreError::IdempotencyKeyReused {
                    key: "k".into(),
                    claim_id: 3,
                },
                Code::AlreadyExists,
                "IDEMPOTENCY_KEY_REUSED",
            ),
            (
                StoreError::Conflict {
                    message: "x".into(),
                },
                Code::Aborted,
                "CONFLICT",
            ),
            (
                StoreError::InvalidInput {
                    field: "cursor",
                    message: "x".into(),
                },
                Code::InvalidArgument,
                "INVALID_PAGE_TOKEN",
            ),
            (
                StoreError::PaymentBeforeApproval {
                    approved_on: d("2026-01-02"),
                    payment_date: d("2026-01-01"),
                },
                Code::FailedPrecondition,
                "PAYMENT_BEFORE_APPROVAL",
            ),
            (
                StoreError::BatchBudgetExceeded {
                    year: 2026,
                    payer: "350102".into(),
                    total: yuan("400"),
                    used: yuan("0"),
                    left: yuan("400"),
                    requested: yuan("450"),
                    claim_id: 4,
                    over: vec![(4, "350102".into()), (6, "CITY".into())],
                },
                Code::FailedPrecondition,
                "BUDGET_EXCEEDED",
            ),
            (
                StoreError::AlreadyPublished {
                    claim_id: 2,
                    publication_id: 1,
                },
                Code::FailedPrecondition,
                "ALREADY_PUBLISHED",
            ),
            (
                StoreError::PaymentInFuture {
                    today: d("2026-01-02"),
                    payment_date: d("2031-01-01"),
                },
                Code::FailedPrecondition,
                "PAYMENT_IN_FUTURE",
            ),
            (
                StoreError::ObjectionInFuture {
                    today: d("2026-01-02"),
                    received_on: d("2026-01-05"),
                },
                Code::FailedPrecondition,
                "OBJECTION_IN_FUTURE",
            ),
            (
                StoreError::ObjectionDuplicate { objection_id: 4 },
                Code::AlreadyExists,
                "OBJECTION_DUPLICATE",
            ),
            (
                StoreError::VoucherReused {
                    payer: "CITY".into(),
                    voucher: "V".into(),
                    claim_id: 2,
                },
                Code::AlreadyExists,
                "VOUCHER_REUSED",
            ),
            (
                StoreError::PaymentExceedsUnpaid {
                    unpaid: yuan("1"),
                    requested: yuan("2"),
                },
                Code::FailedPrecondition,
                "PAYMENT_EXCEEDS_UNPAID",
            ),
            (
                StoreError::Migration {
                    message: "x".into(),
                },
                Code::Internal,
                "MIGRATION",
            ),
            (
                StoreError::AuditKeyMismatch {
                    given: "k-1".into(),
                    sealed_with: "k-2".into(),
                    entry: 3,
                },
                Code::Internal,
                "AUDIT_KEY_MISMATCH",
            ),
            (
                StoreError::Corrupt {
                    message: "x".into(),
                },
                Code::Internal,
                "CORRUPT_DATA",
            ),
            (
                StoreError::Unavailable {
                    message: "pool timed out".into(),
                },
                Code::Unavailable,
                "UNAVAILABLE",
            ),
            (
                StoreError::Io {
                    message: "disk".into(),
                },
                Code::Internal,
                "IO",
            ),
        ];
        for (e, code, reason) in cases {
            let s = Status::from(RegistryError::Store(e));
            assert_eq!(s.code(), code, "{reason}");
            let i = info(&s);
            assert_eq!(i.reason, reason);
            assert!(!i.metadata["messageZh"].is_empty());
            assert!(!i.metadata["messageEn"].is_empty());
        }
    }

    #[test]
    fn auth_errors() {
        let s = Status::from(RegistryError::Auth(AuthError::NoTokensConfigured));
        assert_eq!(s.code(), Code::Unauthenticated);
        assert!(s.message().contains("no tokens are configured"));
        assert_eq!(info(&s).metadata["tokensConfigured"], "false");
        let s = Status::from(RegistryError::Auth(AuthError::RoleNotAllowed {
            role: crate::auth::Role::Portal,
            rpc: "ReviewClaim",
            allowed: crate::auth::rpc_roles::REVIEW_CLAIM,
        }));
        assert_eq!(s.code(), Code::PermissionDenied);
        assert_eq!(info(&s).metadata["allowedRoles"], "reviewer, admin");
    }
}
