//! Claims: submit, read, list, review (one or a batch), return, withdraw,
//! resubmit. A decision is always the rules crate's: the line is estimated
//! (at submission, resubmission and approval) and `stdfund_rules::claim`
//! says whether it can be claimed, under which one-time key, and what split
//! to freeze; the store writes the result with its audit entry.

use super::{Registry, actor, convert, input};
use crate::auth::{Principal, Role};
use crate::registry_error::RegistryError;
use stdfund_proto::{convert as to_pb, pb};
use stdfund_rules::canon;
use stdfund_rules::claim::{self, Claimable, RegistryKey};
use stdfund_rules::domain::Assessment;
use stdfund_rules::ident::CreditCheck;
use stdfund_rules::json::{self, dto::View, write};
use stdfund_rules::money::Money;
use stdfund_rules::reasons::{Cx, Lang};
use stdfund_rules::ruleset::SubjectKind;
use stdfund_store::{
    ApprovalInput, BatchDecision, Claim, ClaimQuery, ClaimSort, Decision, Filing, FrozenSplit,
    ObjectionOutcome, Resubmission, StoreError, SubmitOutcome,
};

/// The most claims one batch review takes.
pub const MAX_BATCH: usize = 500;

/// What an application contributes to a claim, computed by the rules.
struct Computed {
    filing: Filing,
}

/// Reads the one line of an assessment into a filing, or says why it cannot
/// be claimed.
fn file_line(
    book: &stdfund_rules::RuleBook,
    a: &Assessment<'_, '_>,
    confirm_credit_code: bool,
    subject_as_given: &str,
) -> Result<Filing, RegistryError> {
    let applicant = a.applicant();
    let line = a.lines.first().ok_or_else(|| {
        RegistryError::internal("the engine returned no line for one achievement")
    })?;
    if let CreditCheck::Mismatch { expected } = applicant.check
        && !confirm_credit_code
    {
        return Err(RegistryError::CreditCodeCheckMismatch {
            code: applicant.credit_code.to_string(),
            expected: expected.to_string(),
        });
    }
    let claimable = claim::claimable(line).map_err(|_| not_claimable(a, line, "submission"))?;
    if claim::edition_unnamed(line) {
        return Err(RegistryError::invalid(
            "INVALID_STANDARD_NUMBER",
            "application.achievements[0].subject",
            format!(
                "申报须写明标准编号的年代号(例如`{}-2020`):同一标准的各版本以年代号区分,没有年代号的编号不能确定是哪一版",
                line.achievement.subject.text
            ),
            format!(
                "a claim must give the standard's year (as in `{}-2020`): the editions of a standard differ by their year, and a number without one names no edition",
                line.achievement.subject.text
            ),
        ));
    }
    let key = RegistryKey::of(book, applicant.credit_code, line)
        .ok_or_else(|| RegistryError::internal("no registry key for the line's item"))?;
    let ach = line.achievement;
    let (estimated, discretionary) = match claimable {
        Claimable::Amount(m) => (m, false),
        Claimable::Discretionary => (Money::ZERO, true),
    };
    Ok(Filing {
        idempotency_key: String::new(),
        submitted_by: String::new(),
        credit_code: applicant.credit_code.to_string(),
        credit_code_confirmed: confirm_credit_code && !applicant.check.passed(),
        unit_name: applicant.name.to_string(),
        seat: applicant.seat.to_string(),
        fiscal_unit: a.fiscal_unit().map(|u| u.code.clone()).unwrap_or_default(),
        item: ach.item.to_string(),
        variant: ach.variant.to_string(),
        clause: line.clause().unwrap_or("").to_string(),
        subject: ach.subject.text.clone(),
        subject_as_given: subject_as_given.to_string(),
        one_time_key: key.to_string(),
        achievement_date: ach.date,
        year: 0,
        estimated_amount: estimated,
        discretionary,
        application_json: String::new(),
        estimate_json: write::assessment(a, View::Full),
    })
}

/// The refusal of a line that cannot be claimed, with its explanation.
fn not_claimable(
    a: &Assessment<'_, '_>,
    line: &stdfund_rules::domain::Line<'_, '_>,
    step: &'static str,
) -> RegistryError {
    let cx = Cx {
        line,
        assessment: a,
    };
    let mut zh = String::new();
    let mut en = String::new();
    line.reason.explain(cx, Lang::Zh, &mut zh);
    line.reason.explain(cx, Lang::En, &mut en);
    RegistryError::NotClaimable {
        reason_code: line.reason.code().as_str().to_string(),
        line_status: line.status().name().to_string(),
        step,
        zh,
        en,
    }
}

/// The checks of an application a claim carries: one achievement, no
/// what-if ruleset, a unit name.
fn check_application(app: &pb::EstimateRequest, field: &str) -> Result<(), RegistryError> {
    if !app.what_if_ruleset.trim().is_empty() {
        return Err(RegistryError::invalid(
            "WHAT_IF_NOT_ALLOWED",
            format!("{field}.what_if_ruleset"),
            "申报按现行规则测算,不能附带假设规则",
            "a claim is computed under the rules in force; a what-if ruleset is not allowed",
        ));
    }
    if app.achievements.len() != 1 {
        return Err(RegistryError::invalid(
            "CLAIM_NEEDS_ONE_ACHIEVEMENT",
            format!("{field}.achievements"),
            format!("每项申报只能包含一项成果(收到{}项)", app.achievements.len()),
            format!(
                "a claim carries exactly one achievement (got {})",
                app.achievements.len()
            ),
        ));
    }
    // The subject as typed is kept beside its canonical form; a control
    // character in it (NUL, which PostgreSQL cannot store, among them) is
    // refused here by its field, not by the store under a column's name.
    let subject = app.achievements.first().map_or("", |a| a.subject.as_str());
    if subject
        .chars()
        .any(|c| c.is_control() && !c.is_whitespace())
    {
        return Err(RegistryError::invalid(
            "INVALID_TEXT",
            format!("{field}.achievements[0].subject"),
            "成果对象含有控制字符",
            "the subject contains control characters",
        ));
    }
    let name_field = format!("{field}.applicant.name");
    let name = app.applicant.as_ref().map_or("", |a| a.name.trim());
    // Its length is the rules' to check; here, that it shows what it holds.
    input::shown_as_typed(name, &name_field, true, "单位名称", "unit name")?;
    // The other texts a claim stores as typed (B17): the achievement's id
    // and the funding entries' sources.
    for (i, a) in app.achievements.iter().enumerate() {
        let at = format!("{field}.achievements[{i}]");
        input::shown_as_typed(
            a.id.trim(),
            &format!("{at}.id"),
            false,
            "成果编号",
            "achievement id",
        )?;
        for (j, f) in a.higher_level_funding.iter().enumerate() {
            input::shown_as_typed(
                f.source.trim(),
                &format!("{at}.higher_level_funding[{j}].source"),
                false,
                "资助来源",
                "funding source",
            )?;
        }
    }
    Ok(())
}

impl Registry {
    /// Estimates an application for a claim and builds its filing.
    fn compute(
        &self,
        app: &pb::EstimateRequest,
        confirm_credit_code: bool,
    ) -> Result<Computed, RegistryError> {
        let req = stdfund_proto::convert::request(app);
        let subject_as_given = app
            .achievements
            .first()
            .map_or("", |a| a.subject.trim())
            .to_string();
        let book = self.book();
        // The engine's paths are the application's own; the caller sent it
        // as the request's `application`.
        let mut filing = stdfund_rules::engine::assess_with(book, &req, false, |a| {
            file_line(book, a, confirm_credit_code, &subject_as_given)
        })
        .map_err(|e| RegistryError::from(e.within("application.")))??;
        filing.application_json = write::request(&req);
        Ok(Computed { filing })
    }

    /// SubmitClaim.
    pub async fn submit(
        &self,
        who: &Principal,
        req: pb::SubmitClaimRequest,
    ) -> Result<pb::SubmitClaimResponse, RegistryError> {
        input::idempotency_key(&req.idempotency_key)?;
        let app = req
            .application
            .as_ref()
            .ok_or_else(|| RegistryError::missing("application"))?;
        check_application(app, "application")?;
        let Computed { mut filing } = self.compute(app, req.confirm_credit_code)?;
        let now = self.now()?;
        completed_by(&filing, &now)?;
        filing.year = match req.year {
            0 => input::year(self.book(), i32::from(now.china_date().year()), "year")?,
            y => input::year(self.book(), y, "year")?,
        };
        filing.idempotency_key = req.idempotency_key.clone();
        filing.submitted_by = who.name.clone();
        let item = filing.item.clone();
        let key = filing.one_time_key.clone();
        // A year left to the server is the budget year of the day (China
        // time), so a retry across midnight of 31 December hashes another
        // year: the retry of the same call is read with the year its claim
        // was given (the fourteenth attack met IDEMPOTENCY_KEY_REUSED).
        let retry = (req.year == 0).then(|| filing.clone());
        let outcome = match self.inner.store.submit(filing, &actor(who), &now).await {
            Err(StoreError::IdempotencyKeyReused { key, claim_id }) => match retry {
                Some(mut again) => {
                    let year = self.inner.store.claim(claim_id).await?.filing.year;
                    if year == again.year {
                        return Err(StoreError::IdempotencyKeyReused { key, claim_id }.into());
                    }
                    again.year = year;
                    self.inner.store.submit(again, &actor(who), &now).await?
                }
                None => return Err(StoreError::IdempotencyKeyReused { key, claim_id }.into()),
            },
            other => other?,
        };
        let (claim, created) = match outcome {
            SubmitOutcome::Created(c) => (c, true),
            SubmitOutcome::Existing(c) => (c, false),
            SubmitOutcome::AlreadyGranted {
                existing_claim_id,
                existing_item,
            } => {
                return Err(
                    key_taken(self, who, existing_claim_id, existing_item, item, key).await,
                );
            }
        };
        if created {
            tracing::info!(
                claim_id = claim.id,
                by = %who.name,
                credit_code = %crate::mask::mask_credit_code(&claim.filing.credit_code),
                item = %claim.filing.item,
                confirmed = claim.filing.credit_code_confirmed,
                "claim submitted"
            );
        }
        Ok(pb::SubmitClaimResponse {
            claim: Some(convert::claim(self.book(), &claim, true)?),
            created,
        })
    }

    /// A claim the principal may see: a portal token sees only its own
    /// (another's is NOT_FOUND, as if it did not exist).
    pub(crate) async fn visible_claim(
        &self,
        who: &Principal,
        id: i64,
    ) -> Result<Claim, RegistryError> {
        let not_found = || {
            RegistryError::Store(StoreError::NotFound {
                what: "claim",
                id: id.to_string(),
            })
        };
        if id <= 0 {
            return Err(not_found());
        }
        let claim = self.inner.store.claim(id).await?;
        if who.role == Role::Portal && claim.filing.submitted_by != who.name {
            return Err(not_found());
        }
        Ok(claim)
    }

    /// GetClaim.
    pub async fn get(
        &self,
        who: &Principal,
        req: pb::GetClaimRequest,
    ) -> Result<pb::GetClaimResponse, RegistryError> {
        let claim = self.visible_claim(who, req.claim_id).await?;
        let full = full_view(req.view)?;
        let mut shown = convert::claim(self.book(), &claim, full)?;
        // The objections name their objectors and how to reach them: the
        // bureau's roles see them, a portal does not.
        if full && who.role != Role::Portal {
            shown.objections = self
                .inner
                .store
                .claim_objections(claim.id)
                .await?
                .iter()
                .map(convert::objection)
                .collect();
        }
        if who.role == Role::Portal {
            return Ok(pb::GetClaimResponse {
                claim: Some(shown),
                ..pb::GetClaimResponse::default()
            });
        }
        // The applicant's claims of the item, read once for both notices: the
        // live ones that read alike, the ended ones.
        let f = &claim.filing;
        let applicants = self.claims_of_item(&f.item, &f.credit_code).await?;
        let (ended_claims, ended_claims_total) = self.ended(&claim, &applicants).await?;
        let book = self.book();
        let other_fiscal_units = self
            .inner
            .store
            .other_fiscal_units(&claim)
            .await?
            .into_iter()
            .map(|u| pb::OtherFiscalUnit {
                fiscal_unit_name_zh: convert::fiscal_unit_name(book, &u.fiscal_unit),
                fiscal_unit: u.fiscal_unit,
                claim_ids: u.claim_ids,
                claims_total: i32::try_from(u.claims_total).unwrap_or(i32::MAX),
                this_claim_before: u.this_claim_before,
            })
            .collect();
        Ok(pb::GetClaimResponse {
            claim: Some(shown),
            similar_claims: similar(book, &claim, &applicants),
            other_units_same_subject: self.other_leads(&claim).await?,
            ended_claims,
            ended_claims_total,
            other_fiscal_units,
        })
    }

    /// The applicant's rejected and withdrawn claims of the same item whose
    /// subjects are this claim's or read alike, with why each ended and the
    /// objections upheld against it: a claim revoked on an upheld objection
    /// frees its one-time key (B19), and the same application filed again
    /// would otherwise come to the reviewer as new (found by the tenth attack
    /// on the registry).
    async fn ended(
        &self,
        claim: &Claim,
        applicants: &[Claim],
    ) -> Result<(Vec<pb::EndedClaim>, i32), RegistryError> {
        let f = &claim.filing;
        let mine = loose_simplified(&f.subject);
        let mut found: Vec<&Claim> = applicants
            .iter()
            .filter(|c| {
                c.id != claim.id
                    && c.filing.credit_code == f.credit_code
                    && !is_live(c)
                    && c.state.note().is_some()
                    && (c.filing.subject == f.subject
                        || loose_simplified(&c.filing.subject) == mine)
            })
            .collect();
        // An applicant controls how many it withdraws: the rejected ones (a
        // revocation on an upheld objection among them) first, then the
        // newest, at most ENDED_SHOWN (the eleventh attack made one answer
        // 4.6 MB with 3,000 withdrawals).
        found.sort_by_key(|c| {
            (
                c.status() != stdfund_store::ClaimStatus::Rejected,
                std::cmp::Reverse(c.id),
            )
        });
        let total = i32::try_from(found.len()).unwrap_or(i32::MAX);
        let mut out = Vec::new();
        for c in found.iter().take(ENDED_SHOWN) {
            let upheld = self
                .inner
                .store
                .claim_objections(c.id)
                .await?
                .iter()
                .filter(|o| o.outcome == Some(ObjectionOutcome::Upheld))
                .count();
            let reason = c.state.note().map_or("", |n| n.reason.as_str());
            out.push(pb::EndedClaim {
                claim_id: c.id,
                subject: c.filing.subject.clone(),
                status: convert::status(c.status()).into(),
                reason: shortened(reason, ENDED_REASON_CHARS),
                upheld_objections: i32::try_from(upheld).unwrap_or(i32::MAX),
            });
        }
        Ok((out, total))
    }

    /// For an item whose ruleset role is a lead role (the lead or first
    /// drafting unit of a standard, an award's first unit): other units'
    /// live claims of the same item, variant and canonical subject. Each may
    /// be paid (the one-time key is per unit, RULES.md §5), but a standard
    /// has one first drafting unit: the reviewer sees who else claims it.
    async fn other_leads(&self, claim: &Claim) -> Result<Vec<pb::SimilarClaim>, RegistryError> {
        let f = &claim.filing;
        let leads = self
            .book()
            .current_rulesets()
            .iter()
            .find_map(|r| r.item(&f.item))
            .is_some_and(|i| !matches!(i.doc.role, stdfund_rules::ruleset::RoleRule::None));
        if !leads {
            return Ok(Vec::new());
        }
        Ok(self
            .claims_of_item(&f.item, &f.subject)
            .await?
            .iter()
            .filter(|c| {
                c.filing.credit_code != f.credit_code
                    && c.filing.variant == f.variant
                    && c.filing.subject == f.subject
                    && is_live(c)
            })
            .map(similar_claim)
            .collect())
    }

    /// The claims of `item`, live or ended, that the queue search finds for
    /// `search` (a credit code or a canonical subject), for the notices (each
    /// keeps the ones it speaks of): every page,
    /// up to [`NOTICE_PAGES`] of 500 — not the first page alone, which 500
    /// withdrawn claims filed first would fill (the ninth attack on the
    /// registry hid a look-alike so).
    async fn claims_of_item(&self, item: &str, search: &str) -> Result<Vec<Claim>, RegistryError> {
        let mut found = Vec::new();
        let mut cursor = None;
        for _ in 0..NOTICE_PAGES {
            let query = ClaimQuery {
                search: Some(search.to_owned()),
                item: Some(item.to_owned()),
                page_size: input::MAX_PAGE_SIZE.unsigned_abs(),
                cursor: cursor.take(),
                ..ClaimQuery::default()
            };
            let page = self.inner.store.claims(&query).await?;
            found.extend(page.claims);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(found),
            }
        }
        tracing::warn!(
            item,
            pages = NOTICE_PAGES,
            "the look-alike notice read only the first pages of claims"
        );
        Ok(found)
    }

    /// ListClaims.
    pub async fn list(
        &self,
        who: &Principal,
        req: pb::ListClaimsRequest,
    ) -> Result<pb::ListClaimsResponse, RegistryError> {
        let book = self.book();
        let full = full_view(req.view)?;
        let from = input::date_filter(&req.submitted_from, "submitted_from")?;
        let to = input::date_filter(&req.submitted_to, "submitted_to")?;
        let query = ClaimQuery {
            year: input::year_filter(book, req.year, "year")?,
            fiscal_unit: input::fiscal_unit_filter(book, &req.fiscal_unit, "fiscal_unit")?,
            clause: input::clause_filter(book, &req.clause, "clause")?,
            item: input::item_filter(book, &req.item, "item")?,
            status: input::status(req.status, "status")?,
            submitted_by: (who.role == Role::Portal).then(|| who.name.clone()),
            search: input::filter_text(&req.query, "query")?,
            amount_min: input::amount_filter(&req.amount_min, "amount_min")?,
            amount_max: input::amount_filter(&req.amount_max, "amount_max")?,
            submitted_from: from.map(input::china_day_start).transpose()?.flatten(),
            submitted_to: to
                .and_then(|d| d.next_day())
                .map(input::china_day_start)
                .transpose()?
                .flatten(),
            sort: sort(req.sort)?,
            cursor: input::page_token(&req.page_token)?,
            page_size: input::page_size(req.page_size, input::DEFAULT_CLAIMS_PAGE)?,
            with_counts: true,
        };
        let page = self.inner.store.claims(&query).await?;
        Ok(pb::ListClaimsResponse {
            claims: page
                .claims
                .iter()
                .map(|c| convert::claim(book, c, full))
                .collect::<Result<_, _>>()?,
            next_page_token: page.next_cursor.unwrap_or_default(),
            total_count: page.total_count.unwrap_or(0),
            status_counts: page
                .status_counts
                .into_iter()
                .map(|(s, count)| pb::StatusCount {
                    status: convert::status(s) as i32,
                    count,
                })
                .collect(),
        })
    }

    /// Recomputes a submitted claim for approval: what to freeze.
    fn approval(
        &self,
        claim: &Claim,
        reviewer_amount: Option<Money>,
        reason: &str,
    ) -> Result<ApprovalInput, RegistryError> {
        let book = self.book();
        let stored = |e: stdfund_rules::Error| RegistryError::StoredData {
            message: format!("application of claim {}: {e}", claim.id),
        };
        let req = json::parse_request(&claim.filing.application_json).map_err(stored)?;
        // The engine picks the ruleset in force on the achievement's date.
        let decided = stdfund_rules::engine::assess_with(book, &req, false, |a| {
            let line = a
                .lines
                .first()
                .ok_or_else(|| RegistryError::internal("no line for one achievement"))?;
            let claimable =
                claim::claimable(line).map_err(|_| not_claimable(a, line, "approval"))?;
            let record_json = write::assessment(a, View::Full);
            match claimable {
                Claimable::Discretionary => {
                    let amount =
                        reviewer_amount.ok_or_else(|| RegistryError::missing("reviewer_amount"))?;
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
                    let s = claim::split_amount(
                        book,
                        &claim.filing.seat,
                        line.achievement.date,
                        amount,
                    )?;
                    Ok(ApprovalInput {
                        amount,
                        set_by_reviewer: true,
                        split: FrozenSplit {
                            fiscal_unit: s.unit.code.clone(),
                            municipal: s.municipal_share,
                            district: s.district_share,
                            share_table_id: s.share.table.id.clone(),
                            share_table_version: s.share.table.version.clone(),
                            district_ratio: s.share.ratio.to_string(),
                            provisional: s.share.provisional(),
                        },
                        record_json,
                        reason: Some(reason.to_string()),
                        resubmissions: claim.resubmissions,
                    })
                }
                Claimable::Amount(amount) => {
                    if reviewer_amount.is_some() {
                        return Err(reviewer_amount_not_allowed());
                    }
                    let table = line.share_table.ok_or_else(|| {
                        RegistryError::internal("a payable line without a share table")
                    })?;
                    let used = a
                        .share_tables
                        .iter()
                        .find(|u| u.table.id == table.id && u.table.version == table.version);
                    let ratio = used.map(|u| u.ratio.to_string()).unwrap_or_default();
                    // The unit's entry, not the table, says whether its
                    // ratio is provisional (市本级's 0 is decided: D24).
                    let provisional = used.map_or(table.provisional, |u| u.provisional());
                    Ok(ApprovalInput {
                        amount,
                        set_by_reviewer: false,
                        split: FrozenSplit {
                            fiscal_unit: a
                                .fiscal_unit()
                                .map(|u| u.code.clone())
                                .unwrap_or_default(),
                            municipal: line.amounts.municipal_share,
                            district: line.amounts.district_share,
                            share_table_id: table.id.clone(),
                            share_table_version: table.version.clone(),
                            district_ratio: ratio,
                            provisional,
                        },
                        record_json,
                        reason: (!reason.is_empty()).then(|| reason.to_string()),
                        resubmissions: claim.resubmissions,
                    })
                }
            }
        });
        match decided {
            Ok(r) => r,
            // The stored application no longer validates (e.g. a ruleset
            // change removed its item): it cannot be approved.
            Err(e) => Err(RegistryError::NotClaimable {
                reason_code: e.code().to_string(),
                line_status: String::new(),
                step: "approval",
                zh: e.message_zh(),
                en: e.to_string(),
            }),
        }
    }

    /// ReviewClaim: approve, reject or return for correction.
    pub async fn review(
        &self,
        who: &Principal,
        req: pb::ReviewClaimRequest,
    ) -> Result<pb::ReviewClaimResponse, RegistryError> {
        let id = input::id(req.claim_id, "claim_id")?;
        let decision = decision(req.decision)?;
        let reason = input::reason(&req.reason, "reason", false)?;
        let reviewer_amount = input::amount_filter(&req.reviewer_amount, "reviewer_amount")?;
        let seen = req
            .seen_resubmissions
            .map(|n| input::resubmissions(n, "seen_resubmissions"))
            .transpose()?;
        let store = &self.inner.store;
        let now = self.now()?;
        let claim = store.claim(id).await?;
        // The claim as the server read it is the one the reviewer read:
        // else CLAIM_CHANGED before anything is computed.
        if let Some(seen) = seen {
            claim.same_application(seen)?;
        }
        let decision = match decision {
            pb::ReviewDecision::Approve => {
                self.own_submission(who, &claim).await?;
                Decision::from(self.approval(&claim, reviewer_amount, &reason)?)
            }
            other => {
                if reason.is_empty() {
                    return Err(RegistryError::missing("reason"));
                }
                if reviewer_amount.is_some() {
                    return Err(reviewer_amount_not_allowed());
                }
                self.own_submission(who, &claim).await?;
                let resubmissions = claim.resubmissions;
                if other == pb::ReviewDecision::Reject {
                    Decision::Reject {
                        reason,
                        resubmissions,
                    }
                } else {
                    Decision::Return {
                        reason,
                        resubmissions,
                    }
                }
            }
        };
        let claim = store.review(id, decision, &actor(who), &now).await?;
        tracing::info!(
            claim_id = claim.id,
            by = %who.name,
            status = %claim.status(),
            amount = %claim.amount(),
            "claim reviewed"
        );
        Ok(pb::ReviewClaimResponse {
            claim: Some(convert::claim(self.book(), &claim, true)?),
        })
    }

    /// ReviewClaims: a batch approval or rejection, all or none.
    pub async fn review_batch(
        &self,
        who: &Principal,
        req: pb::ReviewClaimsRequest,
    ) -> Result<pb::ReviewClaimsResponse, RegistryError> {
        if req.claim_ids.is_empty() {
            return Err(RegistryError::missing("claim_ids"));
        }
        if req.claim_ids.len() > MAX_BATCH {
            return Err(RegistryError::invalid(
                "TOO_MANY_ENTRIES",
                "claim_ids",
                format!("一次批量审核最多{MAX_BATCH}件"),
                format!("a batch review takes at most {MAX_BATCH} claims"),
            ));
        }
        let mut ids = Vec::with_capacity(req.claim_ids.len());
        for id in &req.claim_ids {
            let id = input::id(*id, "claim_ids")?;
            if ids.contains(&id) {
                return Err(RegistryError::invalid(
                    "DUPLICATE_CLAIM",
                    "claim_ids",
                    format!("申报{id}在批量审核中出现两次"),
                    format!("claim {id} appears twice in the batch"),
                ));
            }
            ids.push(id);
        }
        let reason = input::reason(&req.reason, "reason", false)?;
        let approving = match decision(req.decision)? {
            pb::ReviewDecision::Approve => true,
            pb::ReviewDecision::Reject if reason.is_empty() => {
                return Err(RegistryError::missing("reason"));
            }
            pb::ReviewDecision::Reject => false,
            _ => {
                return Err(RegistryError::invalid(
                    "INVALID_ENUM_VALUE",
                    "decision",
                    "批量审核只能核准或驳回",
                    "a batch review approves or rejects; claims are returned one by one",
                ));
            }
        };
        let seen = &req.seen_resubmissions;
        if !seen.is_empty() && seen.len() != ids.len() {
            return Err(RegistryError::invalid(
                "INVALID_ARGUMENT",
                "seen_resubmissions",
                format!(
                    "补正次数须逐件给出:批量审核{}件申报,给出了{}个",
                    ids.len(),
                    seen.len()
                ),
                format!(
                    "seen_resubmissions gives one count per claim: {} claims, {} counts",
                    ids.len(),
                    seen.len()
                ),
            ));
        }
        let mut claims = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let claim = self.inner.store.claim(*id).await?;
            if let Some(&n) = seen.get(i) {
                claim.same_application(input::resubmissions(n, "seen_resubmissions")?)?;
            }
            self.own_submission(who, &claim).await?;
            claims.push(claim);
        }
        let batch = if approving {
            let mut approvals = Vec::with_capacity(claims.len());
            for claim in &claims {
                let id = claim.id;
                if claim.filing.discretionary {
                    return Err(RegistryError::invalid(
                        "BATCH_DISCRETIONARY",
                        "claim_ids",
                        format!("申报{id}属五(五)9,金额须由评审逐项核定,不能批量核准"),
                        format!(
                            "claim {id} is discretionary (五(五)9): its amount is set one by one, not in a batch"
                        ),
                    ));
                }
                approvals.push((id, self.approval(claim, None, &reason)?));
            }
            BatchDecision::Approve(approvals)
        } else {
            BatchDecision::Reject {
                ids: claims.iter().map(|c| (c.id, c.resubmissions)).collect(),
                reason,
            }
        };
        let now = self.now()?;
        // The contract's total is the sum of the approved amounts: a
        // rejection approves nothing (the store sums each claim's amount,
        // which for a rejected claim is its estimate).
        let rejecting = matches!(batch, BatchDecision::Reject { .. });
        let out = self
            .inner
            .store
            .review_batch(batch, req.dry_run, &actor(who), &now)
            .await?;
        let total = if rejecting { Money::ZERO } else { out.total };
        let book = self.book();
        let claims = if out.dry_run {
            // A dry run answers the claims as they are (nothing changed), not
            // as the rolled-back decision left them.
            let mut current = Vec::with_capacity(out.claims.len());
            for c in &out.claims {
                current.push(self.inner.store.claim(c.id).await?);
            }
            current
        } else {
            tracing::info!(by = %who.name, count = out.claims.len(), total = %total, "batch reviewed");
            out.claims
        };
        Ok(pb::ReviewClaimsResponse {
            count: i32::try_from(claims.len()).unwrap_or(i32::MAX),
            claims: claims
                .iter()
                .map(|c| convert::claim(book, c, false))
                .collect::<Result<_, _>>()?,
            total: total.to_canonical(),
            budgets_before: out
                .budgets_before
                .iter()
                .map(|b| convert::budget(book, b))
                .collect(),
            budgets_after: out
                .budgets_after
                .iter()
                .map(|b| convert::budget(book, b))
                .collect(),
            dry_run: out.dry_run,
        })
    }

    /// WithdrawClaim.
    pub async fn withdraw(
        &self,
        who: &Principal,
        req: pb::WithdrawClaimRequest,
    ) -> Result<pb::WithdrawClaimResponse, RegistryError> {
        let claim = self.visible_claim(who, req.claim_id).await?;
        let reason = input::reason(&req.reason, "reason", false)?;
        let now = self.now()?;
        let claim = self
            .inner
            .store
            .withdraw(
                claim.id,
                Some(reason).filter(|r| !r.is_empty()),
                &actor(who),
                &now,
            )
            .await?;
        tracing::info!(claim_id = claim.id, by = %who.name, "claim withdrawn");
        Ok(pb::WithdrawClaimResponse {
            claim: Some(convert::claim(self.book(), &claim, true)?),
        })
    }

    /// ResubmitClaim.
    pub async fn resubmit(
        &self,
        who: &Principal,
        req: pb::ResubmitClaimRequest,
    ) -> Result<pb::ResubmitClaimResponse, RegistryError> {
        let claim = self.visible_claim(who, req.claim_id).await?;
        let app = req
            .application
            .as_ref()
            .ok_or_else(|| RegistryError::missing("application"))?;
        check_application(app, "application")?;
        let Computed { mut filing } = self.compute(app, req.confirm_credit_code)?;
        if filing.credit_code != claim.filing.credit_code {
            return Err(RegistryError::invalid(
                "CREDIT_CODE_CHANGED",
                "application.applicant.credit_code",
                "补正不能更换申报单位(统一社会信用代码须与原申报一致)",
                "a correction cannot change the applicant: the credit code must be the original one",
            ));
        }
        filing.year = claim.filing.year;
        filing.idempotency_key = claim.filing.idempotency_key.clone();
        filing.submitted_by = claim.filing.submitted_by.clone();
        if filing.one_time_key != claim.filing.one_time_key {
            // As at submission: a key another live claim holds is
            // ALREADY_GRANTED or CONFLICTS_WITH_LEAD. (The store checks it
            // again in its transaction.)
            if let Some(holder) = self
                .key_holder(&filing.credit_code, &filing.one_time_key, claim.id)
                .await?
            {
                return Err(key_taken(
                    self,
                    who,
                    holder.id,
                    holder.filing.item,
                    filing.item,
                    filing.one_time_key,
                )
                .await);
            }
        }
        let now = self.now()?;
        completed_by(&filing, &now)?;
        let item = filing.item.clone();
        let resubmitted = self
            .inner
            .store
            .resubmit(claim.id, Resubmission { filing }, &actor(who), &now)
            .await;
        let claim = match resubmitted {
            Ok(c) => c,
            // A concurrent claim took the key after the check above.
            Err(StoreError::KeyHeld {
                claim_id,
                item: held,
                key,
            }) => return Err(key_taken(self, who, claim_id, held, item, key).await),
            Err(e) => return Err(e.into()),
        };
        tracing::info!(claim_id = claim.id, by = %who.name, "claim resubmitted");
        Ok(pb::ResubmitClaimResponse {
            claim: Some(convert::claim(self.book(), &claim, true)?),
        })
    }
}

impl Registry {
    /// The live claim other than `except` that holds `key`, among the claims
    /// of the key's credit code (every key starts with it).
    async fn key_holder(
        &self,
        credit_code: &str,
        key: &str,
        except: i64,
    ) -> Result<Option<Claim>, RegistryError> {
        let mut cursor = None;
        loop {
            let page = self
                .inner
                .store
                .claims(&ClaimQuery {
                    search: Some(credit_code.to_string()),
                    cursor,
                    page_size: 1000,
                    ..ClaimQuery::default()
                })
                .await?;
            if let Some(holder) = page
                .claims
                .into_iter()
                .find(|c| c.id != except && c.status().holds_key() && c.filing.one_time_key == key)
            {
                return Ok(Some(holder));
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(None),
            }
        }
    }
}

/// The refusal of a one-time key held by another live claim: the same item
/// is the same achievement claimed twice (ALREADY_GRANTED); lead and
/// participation of one standard conflict (CONFLICTS_WITH_LEAD). The holder
/// is named only to a caller who may see it: a portal learns that the
/// achievement is claimed, not which claim of another submitter holds it
/// (R9: another's claim is as good as missing).
async fn key_taken(
    registry: &Registry,
    who: &Principal,
    holder: i64,
    existing_item: String,
    item: String,
    one_time_key: String,
) -> RegistryError {
    let existing_claim_id = registry
        .visible_claim(who, holder)
        .await
        .is_ok()
        .then_some(holder);
    if existing_item != item {
        RegistryError::ConflictsWithLead {
            existing_claim_id,
            existing_item,
            item,
        }
    } else {
        RegistryError::AlreadyGranted {
            existing_claim_id,
            one_time_key,
        }
    }
}

fn reviewer_amount_not_allowed() -> RegistryError {
    RegistryError::invalid(
        "REVIEWER_AMOUNT_NOT_ALLOWED",
        "reviewer_amount",
        "该项金额由规则计算,评审人员不能另定金额(仅五(五)9可由评审核定)",
        "the engine computes this line's amount; a reviewer sets the amount only for a discretionary line (五(五)9)",
    )
}

fn decision(n: i32) -> Result<pb::ReviewDecision, RegistryError> {
    match pb::ReviewDecision::try_from(n) {
        Ok(
            d @ (pb::ReviewDecision::Approve
            | pb::ReviewDecision::Reject
            | pb::ReviewDecision::Return),
        ) => Ok(d),
        _ => Err(RegistryError::invalid(
            "INVALID_ENUM_VALUE",
            "decision",
            "审核意见应为`REVIEW_DECISION_APPROVE`、`REVIEW_DECISION_REJECT`或`REVIEW_DECISION_RETURN`",
            "decision must be REVIEW_DECISION_APPROVE, REVIEW_DECISION_REJECT or REVIEW_DECISION_RETURN",
        )),
    }
}

fn full_view(n: i32) -> Result<bool, RegistryError> {
    match pb::ClaimView::try_from(n) {
        Ok(pb::ClaimView::Unspecified | pb::ClaimView::Full) => Ok(true),
        Ok(pb::ClaimView::Summary) => Ok(false),
        Err(_) => Err(RegistryError::invalid(
            "INVALID_ENUM_VALUE",
            "view",
            "未知的视图",
            "unknown claim view",
        )),
    }
}

fn sort(n: i32) -> Result<ClaimSort, RegistryError> {
    match pb::ClaimSort::try_from(n) {
        Ok(pb::ClaimSort::Unspecified) => Ok(ClaimSort::IdAsc),
        Ok(pb::ClaimSort::SubmittedDesc) => Ok(ClaimSort::SubmittedDesc),
        Ok(pb::ClaimSort::AmountDesc) => Ok(ClaimSort::AmountDesc),
        Ok(pb::ClaimSort::AmountAsc) => Ok(ClaimSort::AmountAsc),
        Ok(pb::ClaimSort::UnitName) => Ok(ClaimSort::UnitName),
        Err(_) => Err(RegistryError::invalid(
            "INVALID_ENUM_VALUE",
            "sort",
            "未知的排序方式",
            "unknown sort",
        )),
    }
}

// Keep the proto conversion crate in view for readers: the estimate itself
// is written by `stdfund_proto::convert::to_pb` wherever a live assessment
// is answered; here the registry shows stored documents (see `convert`).
#[allow(dead_code)]
fn _uses(_: &dyn Fn(&Assessment<'_, '_>, View) -> pb::EstimateResponse) {}
#[allow(dead_code)]
const _TO_PB: fn(&Assessment<'_, '_>, View) -> pb::EstimateResponse = to_pb::to_pb;

/// An achievement is claimed once it is completed (RULES.md §2: the date is
/// when the standard was published, the award announced, the project
/// accepted …): a date after today, China time, is refused, as a payment
/// dated in the future is (`PAYMENT_IN_FUTURE`). An estimate still answers
/// for such a date: a unit may ask what it would receive.
fn completed_by(
    filing: &stdfund_store::Filing,
    now: &stdfund_store::Timestamp,
) -> Result<(), RegistryError> {
    let today = now.china_date();
    let date = filing.achievement_date;
    if !stdfund_rules::claim::completed_by(date, today) {
        return Err(RegistryError::invalid(
            "ACHIEVEMENT_IN_FUTURE",
            "application.achievements[0].date",
            format!("成果日期{date}晚于今天({today}):成果完成(发布、公布、批准或验收)后方可申报"),
            format!(
                "the achievement date {date} is after today ({today}): an achievement can be claimed once it is completed (published, announced, approved or accepted)"
            ),
        ));
    }
    if !stdfund_rules::claim::edition_published_by(&filing.subject, today) {
        let subject = &filing.subject;
        return Err(RegistryError::invalid(
            "INVALID_STANDARD_NUMBER",
            "application.achievements[0].subject",
            format!(
                "标准编号`{subject}`的年代号晚于今年({}年):该版本尚未发布,请核对编号",
                today.year()
            ),
            format!(
                "the year of `{subject}` is after this year ({}): that edition is not published yet; check the number",
                today.year()
            ),
        ));
    }
    Ok(())
}

/// Whether a claim holds its one-time key (not rejected or withdrawn).
/// How many pages of 500 claims the notices of GetClaim read (10,000
/// claims of one item for one applicant or one subject).
/// How many ended claims GetClaim lists beside a claim.
const ENDED_SHOWN: usize = 20;
/// How much of each one's reason.
const ENDED_REASON_CHARS: usize = 200;

/// `text` cut to `limit` characters, with `…` when cut.
fn shortened(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or(text)),
        None => text.to_owned(),
    }
}

const NOTICE_PAGES: usize = 20;

/// A subject's loose form ([`canon::loose`]) with traditional characters
/// read as simplified: for the notice only, never for identity.
fn loose_simplified(subject: &str) -> String {
    canon::loose(&fast2s::convert(subject))
}

fn is_live(c: &Claim) -> bool {
    !matches!(
        c.status(),
        stdfund_store::ClaimStatus::Rejected | stdfund_store::ClaimStatus::Withdrawn
    )
}

/// A claim as a notice names it.
/// The applicant's other live claims of the same item whose subjects may
/// be one achievement, for the reviewer to check: they read alike in the
/// loose form ([`stdfund_rules::canon::loose`]) with traditional
/// characters read as simplified; or, for a committee secretariat, one of
/// them names its committee without a code (`全国茶叶标准化技术委员会`
/// beside `SAC/TC 339`: nothing tells whether they are one).
fn similar(
    book: &stdfund_rules::RuleBook,
    claim: &Claim,
    applicants: &[Claim],
) -> Vec<pb::SimilarClaim> {
    let f = &claim.filing;
    let committee = book
        .any_item(book.default_jurisdiction(), &f.item)
        .is_some_and(|i| i.doc.subject_kind == SubjectKind::Committee);
    let uncoded = |subject: &str| committee && !canon::names_committee_kind(subject);
    let mine = loose_simplified(&f.subject);
    applicants
        .iter()
        .filter(|c| {
            c.id != claim.id
                && c.filing.credit_code == f.credit_code
                && is_live(c)
                && (uncoded(&f.subject)
                    || uncoded(&c.filing.subject)
                    || loose_simplified(&c.filing.subject) == mine)
        })
        .map(similar_claim)
        .collect()
}

fn similar_claim(c: &Claim) -> pb::SimilarClaim {
    pb::SimilarClaim {
        claim_id: c.id,
        subject: c.filing.subject.clone(),
        status: convert::status(c.status()).into(),
        unit_name: c.filing.unit_name.clone(),
        credit_code: c.filing.credit_code.clone(),
    }
}

/// Refuses `duty` (paying, dismissing an objection) to whoever approved
/// `claim` (不相容职务分离); the approval never changes once given, so a read
/// before the write stands.
pub(super) fn own_approval(
    who: &Principal,
    claim: &Claim,
    duty: crate::registry_error::Duty,
) -> Result<(), RegistryError> {
    if claim.approval().is_some_and(|a| a.by == who.name) {
        return Err(RegistryError::SeparationOfDuties {
            claim_id: claim.id,
            duty,
            who: who.name.clone(),
        });
    }
    Ok(())
}

impl Registry {
    /// Refuses a review by a person who filed the claim's application
    /// (不相容职务分离: the applicant's gateway, or an admin who filed it or
    /// resubmitted it with an application of their own, does not also decide
    /// it). Compared by the token's name, as the audit log records both; a
    /// resubmission is found in the claim's audit entries.
    pub(super) async fn own_submission(
        &self,
        who: &Principal,
        claim: &Claim,
    ) -> Result<(), RegistryError> {
        let duty = if claim.filing.submitted_by == who.name {
            crate::registry_error::Duty::ReviewOwnSubmission
        } else if claim.resubmissions > 0 && self.resubmitted_by(claim.id, &who.name).await? {
            crate::registry_error::Duty::ReviewOwnResubmission
        } else {
            return Ok(());
        };
        Err(RegistryError::SeparationOfDuties {
            claim_id: claim.id,
            duty,
            who: who.name.clone(),
        })
    }

    /// Whether `name` ever resubmitted claim `id` (its audit entries).
    async fn resubmitted_by(&self, id: i64, name: &str) -> Result<bool, RegistryError> {
        let filter = stdfund_store::AuditFilter {
            claim_id: Some(id),
            actor: Some(name.to_string()),
            action: Some(stdfund_store::AuditAction::Resubmit),
            ..stdfund_store::AuditFilter::default()
        };
        let page = self.inner.store.audit_log(&filter, None, 1).await?;
        Ok(!page.items.is_empty())
    }
}
