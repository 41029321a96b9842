//! RecordDisbursement: the guards of a payment (date, voucher, amount,
//! state) and partial payments whose municipal and district parts add up
//! exactly to the split frozen at approval.

use crate::registry_support::{self as s, Ach, Env};
use stdfund_proto::pb;
use stdfund_rules::money::Money;
use tonic::Code;

on_both_backends! {
    a_payment_is_checked_before_it_is_recorded = 30;
    partial_payments_add_up_to_the_frozen_split = 31;
}

fn pay(claim_id: i64, date: &str, voucher: &str, amount: &str) -> pb::RecordDisbursementRequest {
    pb::RecordDisbursementRequest {
        claim_id,
        payment_date: date.into(),
        voucher_number: voucher.into(),
        amount: amount.into(),
        payer: String::new(),
    }
}

fn yuan(s: &str) -> Money {
    Money::parse_yuan(s).unwrap()
}

fn sum<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values
        .fold(Money::ZERO, |acc, v| acc.checked_add(yuan(v)).unwrap())
        .to_canonical()
}

async fn a_payment_is_checked_before_it_is_recorded(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    let code = env.code(1);
    let a = env
        .approved("a", &code, &Ach::lead("GB/T 1-2020"))
        .await
        .claim_id;
    let submitted = env
        .submit("s", &code, &Ach::lead("GB/T 2-2020"))
        .await
        .claim_id;
    let voucher = env.key("V-1");

    let e = env
        .finance()
        .record_disbursement(pay(submitted, &s::day(0), &voucher, ""))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    assert_eq!(m["status"], "SUBMITTED");
    let e = env
        .finance()
        .record_disbursement(pay(a, &s::day(1), &voucher, ""))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "PAYMENT_IN_FUTURE");
    assert_eq!(
        (m["today"].clone(), m["field"].as_str()),
        (s::day(0), "payment_date")
    );
    let e = env
        .finance()
        .record_disbursement(pay(a, &s::day(-1), &voucher, ""))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "PAYMENT_BEFORE_APPROVAL");
    assert_eq!(
        (m["approvedOn"].clone(), m["field"].as_str()),
        (s::day(0), "payment_date")
    );
    let e = env
        .finance()
        .record_disbursement(pay(a, &s::day(0), &voucher, "300000.01"))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "PAYMENT_EXCEEDS_UNPAID");
    assert_eq!(
        (m["unpaid"].as_str(), m["requested"].as_str()),
        ("300000.00", "300000.01")
    );
    let malformed = [
        (
            pay(a, "2021-02-30", &voucher, ""),
            "INVALID_DATE",
            "payment_date",
        ),
        (pay(a, "", &voucher, ""), "MISSING_FIELD", "payment_date"),
        (
            pay(a, &s::day(0), "", ""),
            "MISSING_FIELD",
            "voucher_number",
        ),
        (
            pay(a, &s::day(0), &"9".repeat(65), ""),
            "FIELD_TOO_LONG",
            "voucher_number",
        ),
        (
            pay(a, &s::day(0), &voucher, "0.00"),
            "INVALID_AMOUNT",
            "amount",
        ),
        (
            pay(a, &s::day(0), &voucher, "-1.00"),
            "INVALID_AMOUNT",
            "amount",
        ),
        (
            pay(0, &s::day(0), &voucher, ""),
            "MISSING_FIELD",
            "claim_id",
        ),
        (
            pb::RecordDisbursementRequest {
                payer: "350102".into(),
                ..pay(a, &s::day(0), &voucher, "")
            },
            "INVALID_PAYER",
            "payer",
        ),
    ];
    for (req, reason, field) in malformed {
        let e = env.finance().record_disbursement(req).await.unwrap_err();
        let m = s::expect_error(&e, Code::InvalidArgument, reason);
        assert_eq!(m["field"], field, "{reason}");
    }
    let e = env
        .finance()
        .record_disbursement(pay(i64::MAX, &s::day(0), &voucher, ""))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::NotFound, "NOT_FOUND");
    let c = env.claim(a).await;
    assert!(
        c.payments.is_empty() && c.paid_amount == "0.00",
        "nothing was recorded"
    );

    // A payment; then its voucher is spent, for this claim and any other.
    let c = env
        .finance()
        .record_disbursement(pb::RecordDisbursementRequest {
            payer: "CITY".into(),
            ..pay(a, &s::day(0), &voucher, "100000.00")
        })
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(
        (c.status, c.paid_amount.as_str()),
        (pb::ClaimStatus::Approved as i32, "100000.00")
    );
    let b = env
        .approved("b", &code, &Ach::lead("GB/T 3-2020"))
        .await
        .claim_id;
    for id in [a, b] {
        let e = env
            .finance()
            .record_disbursement(pay(id, &s::day(0), &voucher, "1.00"))
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::AlreadyExists, "VOUCHER_REUSED");
        assert_eq!(
            (m["existingClaimId"].clone(), m["field"].as_str()),
            (a.to_string(), "voucher_number")
        );
    }
    let c = env.claim(a).await;
    assert_eq!((c.payments.len(), c.paid_amount.as_str()), (1, "100000.00"));
    assert_eq!(env.claim(b).await.payments.len(), 0);

    // The same voucher written another way is the same voucher (found by the
    // tenth attack on the registry: five spellings paid five more claims).
    let upper = voucher.to_uppercase();
    let full_width: String = upper
        .chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(u32::from(c).checked_add(0xFEE0).unwrap()).unwrap(),
            other => other,
        })
        .collect();
    for other in [
        voucher.to_lowercase(),
        upper.clone(),
        full_width,
        voucher.replace('-', "\u{2010}"),
        voucher.replace('-', "\u{2011}"),
        format!(" {} ", voucher.replace('-', "\u{2212}")),
    ] {
        let e = env
            .finance()
            .record_disbursement(pay(b, &s::day(0), &other, "1.00"))
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::AlreadyExists, "VOUCHER_REUSED");
        assert_eq!(m["existingClaimId"], a.to_string(), "{other:?}");
    }
    // What a reader cannot see or tell apart is refused, not dropped.
    for hidden in [
        format!("{voucher}\u{200B}"),
        format!("{voucher}\u{FEFF}"),
        voucher.replacen('V', "\u{0412}", 1),
        // Letters with case beyond ASCII (the eleventh attack: `é`/`É`,
        // `ı`/`i`, `ß`/`SS` and Greek `α`/`Α` were each a second voucher on
        // SQLite, whose `upper` folds ASCII only), a whole-Cyrillic `ВС`.
        format!("{voucher}-É01"),
        format!("{voucher}-\u{0131}02"),
        format!("{voucher}-STRAßE"),
        "记-\u{0391}".into(),
        "记-\u{0412}\u{0421}".into(),
        // What passes for a dash or a slash between letters or digits.
        voucher.replace('-', "\u{4E00}"),
        voucher.replace('-', "\u{30FC}"),
        voucher.replace('-', "\u{4E3F}"),
        // No letter or digit.
        "-".into(),
        "/(".into(),
    ] {
        let e = env
            .finance()
            .record_disbursement(pay(b, &s::day(0), &hidden, "1.00"))
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::InvalidArgument, "INVALID_TEXT");
        assert_eq!(m["field"], "voucher_number", "{hidden:?}");
    }
    // Longer than 64 characters once kept (NFKC makes `ﬃ` three letters).
    let e = env
        .finance()
        .record_disbursement(pay(b, &s::day(0), &"\u{FB03}".repeat(64), "1.00"))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "FIELD_TOO_LONG");
    assert_eq!(env.claim(b).await.payments.len(), 0);
    // A new voucher typed in full width is kept as shown, in ASCII.
    let typed = env.key("ｖ－２");
    let c = env.pay(b, &typed, "1.00").await;
    assert_eq!(c.payments[0].voucher_number, env.key("v-2"));
    // Middle dots of other scripts are one dot: the same voucher again.
    let dotted = env.pay(b, &env.key("PZ・6"), "1.00").await;
    assert_eq!(dotted.payments[1].voucher_number, env.key("PZ·6"));
    let e = env
        .finance()
        .record_disbursement(pay(b, &s::day(0), &env.key("PZ‧6"), "1.00"))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::AlreadyExists, "VOUCHER_REUSED");
    // A Chinese voucher is kept as typed.
    let c = env.pay(b, &env.key("银付字第12号"), "1.00").await;
    assert_eq!(c.payments[2].voucher_number, env.key("银付字第12号"));
}

async fn partial_payments_add_up_to_the_frozen_split(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    let c = env
        .submit("wto", &env.code(1), &Ach::discretionary("TBT预警-2020-7"))
        .await;
    let id = c.claim_id;
    // 50,000.01 at 0.50: district 25,000.01, municipal 25,000.00.
    env.approve_at(id, "50000.01").await;
    let parts = ["0.01", "0.01", "12345.67"];
    for (i, amount) in parts.iter().enumerate() {
        let c = env.pay(id, &env.key(&format!("P-{i}")), amount).await;
        assert_eq!(c.status, pb::ClaimStatus::Approved as i32, "partly paid");
        let last = c.disbursement.unwrap();
        assert_eq!(last.amount, *amount);
        assert_eq!(
            sum([last.municipal_share.as_str(), last.district_share.as_str()].into_iter()),
            *amount
        );
    }
    assert_eq!(env.claim(id).await.paid_amount, "12345.69");
    let done = env.pay(id, &env.key("P-rest"), "").await;
    assert_eq!(done.status, pb::ClaimStatus::Disbursed as i32);
    assert_eq!(done.paid_amount, "50000.01");
    let p = &done.payments;
    assert_eq!(p.len(), 4);
    assert_eq!(p[3].amount, "37654.32", "the rest");
    assert_eq!(p[0].district_share, "0.01", "0.005 rounds half up");
    assert_eq!(sum(p.iter().map(|x| x.amount.as_str())), "50000.01");
    assert_eq!(
        sum(p.iter().map(|x| x.municipal_share.as_str())),
        "25000.00"
    );
    assert_eq!(sum(p.iter().map(|x| x.district_share.as_str())), "25000.01");
    for x in p {
        assert_eq!(
            (x.payer.as_str(), x.recorded_by.as_str()),
            ("CITY", "finance-wang")
        );
        assert_eq!(
            (x.payment_date.clone(), x.share_table_id.as_str()),
            (s::day(0), "fz-share-provisional")
        );
        assert!(x.share_table.as_ref().unwrap().provisional && x.recorded_at.is_some());
    }
    assert_eq!(done.disbursement.as_ref(), p.last());
    let e = env
        .finance()
        .record_disbursement(pay(id, &s::day(0), &env.key("P-more"), "0.01"))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    assert_eq!(m["status"], "DISBURSED");
    let h = env.history(id).await;
    let actions: Vec<pb::AuditAction> = s::trail(&h).into_iter().map(|t| t.0).collect();
    use pb::AuditAction::{Approve, Disburse, Submit};
    assert_eq!(
        actions,
        [Submit, Approve, Disburse, Disburse, Disburse, Disburse]
    );

    // A computed line paid in two halves: each half split as the whole.
    let lead = env
        .approved("lead", &env.code(1), &Ach::lead("GB/T 9-2020"))
        .await
        .claim_id;
    env.pay(lead, &env.key("L-1"), "150000.00").await;
    let done = env.pay(lead, &env.key("L-2"), "").await;
    let halves: Vec<(&str, &str)> = done
        .payments
        .iter()
        .map(|x| (x.municipal_share.as_str(), x.district_share.as_str()))
        .collect();
    assert_eq!(halves, [("75000.00", "75000.00"), ("75000.00", "75000.00")]);
    // The budget counts approvals, not payments.
    assert_eq!(env.budget("CITY").await.used, "350000.01");
}
