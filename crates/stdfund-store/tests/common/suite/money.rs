//! Budgets (CITY and district), batch review, payments and their guards, the report.

use stdfund_rules::money::Money;
use stdfund_store::{
    ApprovalInput, AuditAction, AuditFilter, BatchDecision, BudgetStatus, ClaimStatus, Decision,
    ReportFilter, ReportRow, StoreError,
};

use crate::common::{
    Harness, admin, all_audit, approve, audit_of, created, date, filing, finance, later, now,
    payment, placed, record, reject, reviewer, split, split_for, today, ts, yuan,
};

fn budget(year: i32, payer: &str, total: &str, used: &str) -> BudgetStatus {
    let (total, used) = (yuan(total), yuan(used));
    BudgetStatus {
        year,
        payer: payer.into(),
        total,
        used,
        left: total.saturating_sub(used),
        updated_at: None,
    }
}

fn figures(b: &BudgetStatus) -> (i32, String, Money, Money, Money) {
    (b.year, b.payer.clone(), b.total, b.used, b.left)
}

/// Approvals need a CITY budget and cannot exceed what is left; the error carries figures.
pub async fn city_budget_is_enforced<H: Harness>(h: &H) {
    let s = h.store();
    let a = created(s, filing("B-1", "i1", "p")).await;
    let b = created(s, filing("B-2", "i2", "p")).await;
    let c = created(s, filing("B-3", "i3", "p")).await;
    let other_year = created(s, placed(filing("B-4", "i4", "p"), 2027, "350102", "1")).await;
    let err = s
        .review(a.id, approve("600"), &reviewer(), &later())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::BudgetNotSet {
            year: 2026,
            payer: "CITY".into()
        }
    );
    assert_eq!(s.budget(2026, "CITY").await.unwrap(), None);

    let set = s
        .set_budget(2026, "CITY", yuan("1000.00"), &admin(), &now())
        .await
        .unwrap();
    assert_eq!(set.updated_at, Some(now()));
    assert_eq!(figures(&set), figures(&budget(2026, "CITY", "1000", "0")));
    s.review(a.id, approve("600.00"), &reviewer(), &later())
        .await
        .unwrap();
    let err = s
        .review(b.id, approve("400.01"), &reviewer(), &later())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::BudgetExceeded {
            year: 2026,
            payer: "CITY".into(),
            total: yuan("1000"),
            used: yuan("600"),
            left: yuan("400"),
            requested: yuan("400.01"),
        }
    );
    assert_eq!(
        s.claim(b.id).await.unwrap().status(),
        ClaimStatus::Submitted
    );
    // Exactly what is left fits; then nothing is left.
    s.review(b.id, approve("400"), &reviewer(), &later())
        .await
        .unwrap();
    let st = s.budget(2026, "CITY").await.unwrap().unwrap();
    assert_eq!((st.used, st.left), (yuan("1000"), yuan("0")));
    let err = s
        .review(c.id, approve("0.01"), &reviewer(), &later())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "BUDGET_EXCEEDED");
    // Rejections use nothing; lowering below what is used is refused; raising works.
    s.review(c.id, reject("no"), &reviewer(), &later())
        .await
        .unwrap();
    let err = s
        .set_budget(2026, "CITY", yuan("999.99"), &admin(), &later())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::BudgetBelowUsed {
            year: 2026,
            payer: "CITY".into(),
            total: yuan("999.99"),
            used: yuan("1000")
        }
    );
    let raised = s
        .set_budget(2026, "CITY", yuan("1500"), &admin(), &later())
        .await
        .unwrap();
    assert_eq!(raised.left, yuan("500"));
    let err = s
        .review(other_year.id, approve("1"), &reviewer(), &later())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "BUDGET_NOT_SET");
    let err = s
        .set_budget(2015, "CITY", yuan("1"), &admin(), &later())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
}

/// A district budget, when set, also bounds the frozen district shares of its fiscal unit.
pub async fn district_budgets<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("100000"), &admin(), &now())
        .await
        .unwrap();
    let a = created(s, filing("DB-1", "i1", "p")).await;
    let b = created(s, filing("DB-2", "i2", "p")).await;
    let other = created(s, placed(filing("DB-3", "i3", "p"), 2026, "350104", "1")).await;
    // No district budget: only CITY bounds.
    s.review(a.id, approve("1000"), &reviewer(), &later())
        .await
        .unwrap();
    // Below the 500 already used by 350102's district share: refused.
    let err = s
        .set_budget(2026, "350102", yuan("499.99"), &admin(), &later())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "BUDGET_BELOW_USED");
    s.set_budget(2026, "350102", yuan("800"), &admin(), &later())
        .await
        .unwrap();
    // 350102 has 300 left; an approval of 700 needs a district share of 350.
    let err = s
        .review(b.id, approve("700"), &reviewer(), &later())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::BudgetExceeded {
            year: 2026,
            payer: "350102".into(),
            total: yuan("800"),
            used: yuan("500"),
            left: yuan("300"),
            requested: yuan("350"),
        }
    );
    s.review(b.id, approve("600"), &reviewer(), &later())
        .await
        .unwrap();
    // Another fiscal unit is not bounded by 350102's budget.
    let d = Decision::Approve {
        amount: yuan("5000"),
        set_by_reviewer: false,
        split: split_for("350104", "5000"),
        record_json: record("5000"),
        reason: Some("big".into()),
        resubmissions: 0,
    };
    s.review(other.id, d, &reviewer(), &later()).await.unwrap();
    let all = s.budgets(Some(2026)).await.unwrap();
    let got: Vec<_> = all.iter().map(figures).collect();
    assert_eq!(
        got,
        vec![
            figures(&budget(2026, "CITY", "100000", "6600")),
            figures(&budget(2026, "350102", "800", "800")),
        ]
    );
    s.set_budget(2025, "CITY", yuan("1"), &admin(), &later())
        .await
        .unwrap();
    s.set_budget(2026, "350101", yuan("1"), &admin(), &later())
        .await
        .unwrap();
    let order: Vec<(i32, String)> = s
        .budgets(None)
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.year, b.payer))
        .collect();
    assert_eq!(
        order,
        vec![
            (2025, "CITY".into()),
            (2026, "CITY".into()),
            (2026, "350101".into()),
            (2026, "350102".into())
        ]
    );
    let log = all_audit(
        s,
        &AuditFilter {
            action: Some(AuditAction::SetBudget),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(log[1].target, "budget:2026:350102");
}

/// Concurrent approvals never overspend: with room for 10 of 15, exactly 10 succeed.
pub async fn concurrent_approvals_never_overspend<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("1000"), &admin(), &now())
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..15 {
        ids.push(
            created(s, filing(&format!("CA-{i}"), &format!("i{i}"), "p"))
                .await
                .id,
        );
    }
    let mut tasks = Vec::new();
    for id in ids {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.review(id, approve("100"), &reviewer(), &later()).await
        }));
    }
    let (mut ok, mut exceeded) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(c) => {
                assert_eq!(c.status(), ClaimStatus::Approved);
                ok += 1;
            }
            Err(StoreError::BudgetExceeded { left, .. }) => {
                assert_eq!(left, yuan("0"));
                exceeded += 1;
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, exceeded), (10, 5));
    let st = s.budget(2026, "CITY").await.unwrap().unwrap();
    assert_eq!((st.used, st.left), (yuan("1000"), yuan("0")));
    assert!(s.verify_audit().await.unwrap().is_intact());
}

/// Concurrent first settings of one budget take turns: each audit entry's "before" is the
/// previous entry's "after", and exactly one has none.
pub async fn concurrent_budget_changes_chain<H: Harness>(h: &H) {
    let s = h.store();
    let mut tasks = Vec::new();
    for i in 1..=12 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.set_budget(2030, "350102", yuan(&format!("{i}000")), &admin(), &now())
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let log = audit_of(s, None).await;
    assert_eq!(log.len(), 12);
    assert_eq!(log.iter().filter(|e| e.before_json.is_none()).count(), 1);
    for w in log.windows(2) {
        assert_eq!(w[1].before_json, w[0].after_json, "budget history broken");
    }
    let st = s.budget(2030, "350102").await.unwrap().unwrap();
    assert!(
        log[11]
            .after_json
            .as_deref()
            .unwrap()
            .contains(&st.total.to_string())
    );
}

fn input(amount: &str) -> ApprovalInput {
    ApprovalInput {
        amount: yuan(amount),
        set_by_reviewer: false,
        split: split(amount),
        record_json: record(amount),
        reason: None,
        resubmissions: 0,
    }
}

/// A batch is all or none; a dry run reports the same figures and commits nothing.
pub async fn batch_review_all_or_none<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("1000"), &admin(), &now())
        .await
        .unwrap();
    s.set_budget(2026, "350102", yuan("400"), &admin(), &now())
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(
            created(s, filing(&format!("BT-{i}"), &format!("i{i}"), "p"))
                .await
                .id,
        );
    }
    let batch = |amounts: &[&str]| {
        BatchDecision::Approve(
            ids.iter()
                .zip(amounts)
                .map(|(id, a)| (*id, input(a)))
                .collect(),
        )
    };
    let entries = audit_of(s, None).await.len();
    // The district budget (400) runs out at the fourth claim: nothing is approved.
    let err = s
        .review_batch(
            batch(&["200", "200", "200", "300"]),
            false,
            &reviewer(),
            &later(),
        )
        .await
        .unwrap_err();
    // Said of the batch: the district budget before it (nothing used, 400 left), what the
    // batch asks of it through the claim that does not fit (four district halves: 450),
    // and that claim.
    assert_eq!(
        err,
        StoreError::BatchBudgetExceeded {
            year: 2026,
            payer: "350102".into(),
            total: yuan("400"),
            used: yuan("0"),
            left: yuan("400"),
            requested: yuan("450"),
            claim_id: ids[3],
            over: vec![(ids[3], "350102".to_owned())],
        }
    );
    assert_eq!(err.code(), "BUDGET_EXCEEDED");
    // Every claim that does not fit is named with the budget it exceeds, each checked
    // against what those before it that fit leave: the second (900 of the city's 1000,
    // 200 used) and the fourth (700, 400 used), not the third.
    let err = s
        .review_batch(
            batch(&["200", "900", "200", "700"]),
            true,
            &reviewer(),
            &later(),
        )
        .await
        .unwrap_err();
    let StoreError::BatchBudgetExceeded { claim_id, over, .. } = err else {
        panic!("{err:?}");
    };
    let city = || "CITY".to_owned();
    assert_eq!(
        (claim_id, over),
        (ids[1], vec![(ids[1], city()), (ids[3], city())])
    );
    for id in &ids {
        assert_eq!(s.claim(*id).await.unwrap().status(), ClaimStatus::Submitted);
    }
    // A dry run reports what would happen and keeps nothing.
    let dry = s
        .review_batch(
            batch(&["100", "200", "300", "100"]),
            true,
            &reviewer(),
            &later(),
        )
        .await
        .unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.total, yuan("700"));
    assert!(
        dry.claims
            .iter()
            .all(|c| c.status() == ClaimStatus::Approved)
    );
    assert_eq!(dry.claims.iter().map(|c| c.id).collect::<Vec<_>>(), ids);
    let before: Vec<_> = dry.budgets_before.iter().map(figures).collect();
    let after: Vec<_> = dry.budgets_after.iter().map(figures).collect();
    assert_eq!(
        before,
        vec![
            figures(&budget(2026, "CITY", "1000", "0")),
            figures(&budget(2026, "350102", "400", "0"))
        ]
    );
    assert_eq!(
        after,
        vec![
            figures(&budget(2026, "CITY", "1000", "700")),
            figures(&budget(2026, "350102", "400", "350"))
        ]
    );
    assert_eq!(
        s.claim(ids[0]).await.unwrap().status(),
        ClaimStatus::Submitted
    );
    assert_eq!(
        audit_of(s, None).await.len(),
        entries,
        "no entry for refusals or dry runs"
    );
    // The same batch for real gives the same figures.
    let real = s
        .review_batch(
            batch(&["100", "200", "300", "100"]),
            false,
            &reviewer(),
            &later(),
        )
        .await
        .unwrap();
    assert!(!real.dry_run);
    assert_eq!(
        (real.total, real.budgets_after.clone()),
        (dry.total, dry.budgets_after.clone())
    );
    assert_eq!(audit_of(s, None).await.len(), entries + 4);
    // Refusals: a claim twice, a claim not SUBMITTED, an empty batch.
    let twice = BatchDecision::Reject {
        ids: vec![(ids[0], 0), (ids[0], 0)],
        reason: "x".into(),
    };
    assert_eq!(
        s.review_batch(twice, true, &reviewer(), &later())
            .await
            .unwrap_err()
            .code(),
        "INVALID_ARGUMENT"
    );
    let fresh = created(s, filing("BT-9", "i9", "p")).await;
    let mixed = BatchDecision::Reject {
        ids: vec![(fresh.id, 0), (ids[1], 0)],
        reason: "x".into(),
    };
    let err = s
        .review_batch(mixed, false, &reviewer(), &later())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_STATE");
    assert_eq!(
        s.claim(fresh.id).await.unwrap().status(),
        ClaimStatus::Submitted
    );
    let empty = BatchDecision::Reject {
        ids: vec![],
        reason: "x".into(),
    };
    assert!(
        s.review_batch(empty, false, &reviewer(), &later())
            .await
            .is_err()
    );
    let ok = s
        .review_batch(
            BatchDecision::Reject {
                ids: vec![(fresh.id, 0)],
                reason: "dup".into(),
            },
            false,
            &reviewer(),
            &later(),
        )
        .await
        .unwrap();
    assert_eq!(ok.claims[0].status(), ClaimStatus::Rejected);
    assert_eq!(ok.budgets_before, ok.budgets_after);
}

/// Payments: dated between approval (China time) and today, vouchers unique per payer,
/// never more than unpaid; each refusal has its code and changes nothing.
pub async fn payment_guards<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("100000"), &admin(), &now())
        .await
        .unwrap();
    let a = created(s, filing("PG-1", "i1", "p")).await;
    let b = created(s, filing("PG-2", "i2", "p")).await;
    // Approved at 2026-03-01T17:00Z = 2026-03-02 01:00 in China.
    let at = ts("2026-03-01T17:00:00.000000Z");
    s.review(a.id, approve("1000"), &reviewer(), &at)
        .await
        .unwrap();
    s.review(b.id, approve("10"), &reviewer(), &at)
        .await
        .unwrap();
    // Whoever approved it does not record its payment (B29), compared on the
    // locked claim (the eighth attack paid an approval being written).
    let err = s
        .disburse(
            a.id,
            payment("2026-03-02", "V-0", None),
            &reviewer(),
            &later(),
            today(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::PayOwnApproval { claim_id, actor } if *claim_id == a.id && *actor == reviewer().subject),
        "{err:?}"
    );
    assert_eq!(err.code(), "SEPARATION_OF_DUTIES");
    let fin = finance();
    let err = s
        .disburse(
            a.id,
            payment("2026-03-01", "V-1", None),
            &fin,
            &later(),
            today(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::PaymentBeforeApproval {
            approved_on: date("2026-03-02"),
            payment_date: date("2026-03-01")
        }
    );
    let err = s
        .disburse(
            a.id,
            payment("2031-01-01", "V-1", None),
            &fin,
            &later(),
            today(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::PaymentInFuture {
            today: today(),
            payment_date: date("2031-01-01")
        }
    );
    for amount in ["1000.01", "0"] {
        let err = s
            .disburse(
                a.id,
                payment("2026-03-02", "V-1", Some(amount)),
                &fin,
                &later(),
                today(),
            )
            .await
            .unwrap_err();
        assert_eq!(
            err,
            StoreError::PaymentExceedsUnpaid {
                unpaid: yuan("1000"),
                requested: yuan(amount)
            }
        );
    }
    let part = s
        .disburse(
            a.id,
            payment("2026-03-02", "V-1", Some("400")),
            &fin,
            &later(),
            today(),
        )
        .await
        .unwrap();
    assert_eq!(
        (part.status(), part.paid, part.unpaid()),
        (ClaimStatus::Approved, yuan("400"), yuan("600"))
    );
    let err = s
        .disburse(
            b.id,
            payment("2026-03-03", "V-1", None),
            &fin,
            &later(),
            today(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::VoucherReused {
            payer: "CITY".into(),
            voucher: "V-1".into(),
            claim_id: a.id
        }
    );
    assert_eq!(err.code(), "VOUCHER_REUSED");
    // The same number from another payer is another voucher.
    let mut other_payer = payment("2026-03-03", "V-1", None);
    other_payer.payer = "350102".into();
    let paid_b = s
        .disburse(b.id, other_payer, &fin, &later(), today())
        .await
        .unwrap();
    assert_eq!(paid_b.status(), ClaimStatus::Disbursed);
    let err = s
        .disburse(
            a.id,
            payment("2026-03-04", "V-2", Some("600.01")),
            &fin,
            &later(),
            today(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "PAYMENT_EXCEEDS_UNPAID");
    // The rest, on today itself.
    let full = s
        .disburse(
            a.id,
            payment("2026-06-30", "V-2", None),
            &fin,
            &later(),
            today(),
        )
        .await
        .unwrap();
    assert_eq!(
        (full.status(), full.paid, full.payments.len()),
        (ClaimStatus::Disbursed, yuan("1000"), 2)
    );
    let err = s
        .disburse(
            a.id,
            payment("2026-06-30", "V-3", Some("1")),
            &fin,
            &later(),
            today(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_STATE");
    assert_eq!(s.claim(a.id).await.unwrap(), full);
    let log = audit_of(s, Some(a.id)).await;
    assert_eq!(
        log.iter()
            .filter(|e| e.action == AuditAction::Disburse)
            .count(),
        2
    );
}

/// Partial payments split by the frozen ratio; the parts add up to the frozen split exactly.
pub async fn partial_payments_add_up<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("100000"), &admin(), &now())
        .await
        .unwrap();
    let c = created(s, filing("PP-1", "i1", "p")).await;
    // 100.01 at 0.50: district 50.01, municipal 50.00.
    let approved = s
        .review(c.id, approve("100.01"), &reviewer(), &later())
        .await
        .unwrap();
    let frozen = approved.approval().unwrap().split.clone();
    assert_eq!(
        (frozen.municipal, frozen.district),
        (yuan("50.00"), yuan("50.01"))
    );
    let mut last = approved;
    for (i, amount) in ["0.01", "0.01", "33.33", "0.03"].iter().enumerate() {
        last = s
            .disburse(
                c.id,
                payment("2026-03-03", &format!("PP-V{i}"), Some(amount)),
                &finance(),
                &later(),
                today(),
            )
            .await
            .unwrap();
        let p = last.payments.last().unwrap();
        assert_eq!(p.municipal.checked_add(p.district), Some(p.amount));
    }
    assert_eq!(
        last.payments[0].district,
        yuan("0.01"),
        "0.01 × 0.5 rounds half up"
    );
    let done = s
        .disburse(
            c.id,
            payment("2026-03-04", "PP-V9", None),
            &finance(),
            &later(),
            today(),
        )
        .await
        .unwrap();
    assert_eq!(done.status(), ClaimStatus::Disbursed);
    let sum = |f: &dyn Fn(&stdfund_store::Payment) -> Money| {
        done.payments
            .iter()
            .fold(Money::ZERO, |acc, p| acc.checked_add(f(p)).unwrap())
    };
    assert_eq!(sum(&|p| p.amount), yuan("100.01"));
    assert_eq!(sum(&|p| p.municipal), frozen.municipal);
    assert_eq!(sum(&|p| p.district), frozen.district);
    let listed = s.payments(Some(2026)).await.unwrap();
    assert_eq!(listed.len(), 5);
    assert!(listed.windows(2).all(|w| w[0].0.id < w[1].0.id));
    assert!(
        listed
            .iter()
            .all(|(p, c)| p.claim_id == c.id && c.payments.is_empty())
    );
    assert!(s.payments(Some(2025)).await.unwrap().is_empty());
}

/// The report: counts per status and sums per (year, fiscal unit, clause, item).
pub async fn report_counts_and_sums<H: Harness>(h: &H) {
    let s = h.store();
    for y in [2025, 2026] {
        s.set_budget(y, "CITY", yuan("1000000"), &admin(), &now())
            .await
            .unwrap();
    }
    // (year, unit, clause, final state, approved)
    let plan: [(i32, &str, &str, &str, &str); 9] = [
        (2026, "350102", "1", "disbursed", "100.10"),
        (2026, "350102", "1", "disbursed", "200.02"),
        (2026, "350102", "1", "approved", "0.99"),
        (2026, "350102", "1", "rejected", ""),
        (2026, "350102", "1", "returned", ""),
        (2026, "350102", "2", "submitted", ""),
        (2026, "350104", "1", "withdrawn", ""),
        (2025, "350102", "1", "disbursed", "10"),
        (2025, "350102", "1", "submitted", ""),
    ];
    for (i, (year, unit, clause, state, amount)) in plan.iter().enumerate() {
        let c = created(
            s,
            placed(
                filing(&format!("R-{i}"), &format!("i{i}"), "p"),
                *year,
                unit,
                clause,
            ),
        )
        .await;
        match *state {
            "submitted" => {}
            "rejected" => drop(
                s.review(c.id, reject("no"), &reviewer(), &later())
                    .await
                    .unwrap(),
            ),
            "returned" => drop(
                s.review(c.id, crate::common::send_back("x"), &reviewer(), &later())
                    .await
                    .unwrap(),
            ),
            "withdrawn" => drop(s.withdraw(c.id, None, &admin(), &later()).await.unwrap()),
            _ => {
                let mut d = approve(amount);
                if let Decision::Approve { split, .. } = &mut d {
                    split.fiscal_unit = unit.to_string();
                }
                s.review(c.id, d, &reviewer(), &later()).await.unwrap();
                if *state == "disbursed" {
                    s.disburse(
                        c.id,
                        payment("2026-03-03", &format!("R-V{i}"), None),
                        &finance(),
                        &later(),
                        today(),
                    )
                    .await
                    .unwrap();
                }
            }
        }
    }
    let row = |year, unit: &str, clause: &str, counts: [i64; 7], sums: [&str; 4]| ReportRow {
        year,
        fiscal_unit: unit.into(),
        clause: clause.into(),
        item: "NATIONAL_STANDARD".into(),
        claims: counts[0],
        submitted: counts[1],
        returned: counts[2],
        withdrawn: counts[3],
        approved: counts[4],
        rejected: counts[5],
        disbursed: counts[6],
        approved_amount: yuan(sums[0]),
        paid: yuan(sums[1]),
        municipal_paid: yuan(sums[2]),
        district_paid: yuan(sums[3]),
    };
    let expected = vec![
        row(
            2025,
            "350102",
            "1",
            [2, 1, 0, 0, 0, 0, 1],
            ["10", "10", "5", "5"],
        ),
        row(
            2026,
            "350102",
            "1",
            [5, 0, 1, 0, 1, 1, 2],
            ["301.11", "300.12", "150.06", "150.06"],
        ),
        row(
            2026,
            "350102",
            "2",
            [1, 1, 0, 0, 0, 0, 0],
            ["0", "0", "0", "0"],
        ),
        row(
            2026,
            "350104",
            "1",
            [1, 0, 0, 1, 0, 0, 0],
            ["0", "0", "0", "0"],
        ),
    ];
    assert_eq!(s.report(&ReportFilter::default()).await.unwrap(), expected);
    let only_2026 = ReportFilter {
        year: Some(2026),
        ..ReportFilter::default()
    };
    assert_eq!(s.report(&only_2026).await.unwrap(), expected[1..].to_vec());
    let by_item = ReportFilter {
        item: Some("OTHER".into()),
        ..ReportFilter::default()
    };
    assert!(s.report(&by_item).await.unwrap().is_empty());
    let unit_clause = ReportFilter {
        fiscal_unit: Some("350102".into()),
        clause: Some("1".into()),
        ..ReportFilter::default()
    };
    assert_eq!(
        s.report(&unit_clause).await.unwrap(),
        vec![expected[0].clone(), expected[1].clone()]
    );
    assert_eq!(
        s.budget(2026, "CITY").await.unwrap().unwrap().used,
        yuan("301.11")
    );
    let notice: Vec<i64> = s
        .approved_claims(Some(2026), None)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(notice.len(), 3);
    assert!(
        s.approved_claims(Some(2026), Some("350104"))
            .await
            .unwrap()
            .is_empty()
    );
}
