//! SubmitClaim: a claim is created once per (submitter, idempotency key);
//! the credit code's check character needs a recorded confirmation; a line
//! that cannot be paid is refused with its reason code; the one-time key
//! admits one live claim per achievement, and one unit cannot lead and
//! participate in one standard.
#![allow(clippy::arithmetic_side_effects)]

use crate::registry_support::{self as s, Ach, Env};
use stdfund_proto::pb;
use tonic::Code;

on_both_backends! {
    submit_creates_a_claim_once_per_idempotency_key = 1;
    credit_code_mismatch_needs_a_recorded_confirmation = 2;
    lines_that_cannot_be_paid_are_refused_with_their_reason = 3;
    the_one_time_key_is_granted_once = 4;
    a_claim_is_one_achievement_under_the_rules_in_force = 5;
    claims_whose_subjects_read_alike_are_shown_to_the_reviewer = 64;
    other_units_leading_the_same_standard_are_shown_to_the_reviewer = 65;
    the_notice_reads_past_the_first_page_of_claims = 69;
    ended_claims_are_few_the_rejected_first = 70;
    other_fiscal_units_of_the_applicant_are_shown_to_the_reviewer = 74;
}

/// A unit refused by its district's budget, returned and resubmitted under
/// 市本级 (`350100`), put the whole grant on the city's budget and nobody was
/// told (the twelfth attack on the registry). The reviewer now reads the
/// other fiscal units under which the same credit code filed, and the
/// claim's own seat before the resubmission; a portal reads nothing.
async fn other_fiscal_units_of_the_applicant_are_shown_to_the_reviewer(env: Env) {
    env.set_budget("CITY", "10000000.00").await;
    env.set_budget("350102", "150000.00").await;
    let code = env.code(1);
    let first = env
        .approved("a", &code, &Ach::lead("GB/T 74001-2020"))
        .await;
    let second = env
        .submitted("b", &code, &Ach::lead("GB/T 74002-2020"))
        .await;
    let e = env
        .reviewer()
        .review_claim(s::approve(second))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::FailedPrecondition, "BUDGET_EXCEEDED");
    assert!(
        env.reviewed(second).await.other_fiscal_units.is_empty(),
        "one seat so far"
    );
    env.decide(second, pb::ReviewDecision::Return, "请核对所在地")
        .await;
    env.portal()
        .resubmit_claim(pb::ResubmitClaimRequest {
            claim_id: second,
            application: Some(s::application_at(
                &code,
                "350100",
                &Ach::lead("GB/T 74002-2020"),
            )),
            confirm_credit_code: false,
        })
        .await
        .unwrap();
    let read = env.reviewed(second).await;
    assert_eq!(read.claim.as_ref().unwrap().fiscal_unit, "350100");
    assert_eq!(
        read.other_fiscal_units,
        [pb::OtherFiscalUnit {
            fiscal_unit: "350102".into(),
            fiscal_unit_name_zh: "鼓楼区".into(),
            claim_ids: vec![first.claim_id],
            claims_total: 1,
            this_claim_before: true,
        }]
    );
    // The first claim reads the unit's other seat too.
    let read = env.reviewed(first.claim_id).await;
    assert_eq!(read.other_fiscal_units.len(), 1, "{read:?}");
    let other = &read.other_fiscal_units[0];
    assert_eq!(other.fiscal_unit, "350100");
    assert_eq!(other.claim_ids, [second]);
    assert!(!other.this_claim_before);
    // Another unit's claims are not counted; a portal reads no notice.
    env.submit_at("c", &env.code(2), "350100", &Ach::lead("GB/T 74003-2020"))
        .await;
    assert_eq!(env.reviewed(second).await.other_fiscal_units.len(), 1);
    let portal = s::get_claim(env.portal(), second).await;
    assert!(portal.other_fiscal_units.is_empty());
}

/// The applicant's ended claims beside a claim are at most 20, the rejected
/// first, then the newest, each reason cut to 200 characters, with the count
/// of all: 3,000 withdrawals made one GetClaim 4.6 MB (the eleventh attack).
async fn ended_claims_are_few_the_rejected_first(env: Env) {
    let code = env.code(1);
    let number = "GB/T 65070-2021";
    let rejected = env
        .submit("rejected", &code, &Ach::lead(number))
        .await
        .claim_id;
    env.reviewer()
        .review_claim(s::decide(
            rejected,
            pb::ReviewDecision::Reject,
            "非主导单位",
        ))
        .await
        .unwrap();
    let long = "撤".repeat(300);
    let mut withdrawn = Vec::new();
    for i in 0..24 {
        let c = env
            .submit(&format!("w-{i}"), &code, &Ach::lead(number))
            .await
            .claim_id;
        env.portal()
            .withdraw_claim(pb::WithdrawClaimRequest {
                claim_id: c,
                reason: long.clone(),
            })
            .await
            .unwrap();
        withdrawn.push(c);
    }
    let now = env.submit("now", &code, &Ach::lead(number)).await.claim_id;
    let read = env.reviewed(now).await;
    assert_eq!(read.ended_claims_total, 25);
    let ids: Vec<i64> = read.ended_claims.iter().map(|c| c.claim_id).collect();
    let mut want = vec![rejected];
    want.extend(withdrawn.iter().rev().take(19));
    assert_eq!(ids, want);
    let cut = &read.ended_claims[1].reason;
    assert_eq!(cut.chars().count(), 201, "{cut}");
    assert!(cut.ends_with('…'));
}

/// The look-alike notice reads every page of the applicant's claims of the
/// item: 500 withdrawn claims filed first no longer hide a look-alike (the
/// ninth attack on the registry).
async fn the_notice_reads_past_the_first_page_of_claims(env: Env) {
    let code = env.code(1);
    let product = |subject: &str| {
        let mut g = Ach::of("GEOGRAPHICAL_INDICATION", "GI_PRODUCT_PROTECTION", subject);
        g.approved = true;
        g
    };
    for i in 0..500 {
        let junk = env
            .submit(
                &format!("junk-{i}"),
                &code,
                &product(&format!("占位产品{i}")),
            )
            .await;
        env.portal()
            .withdraw_claim(pb::WithdrawClaimRequest {
                claim_id: junk.claim_id,
                reason: String::new(),
            })
            .await
            .unwrap();
    }
    let plain = env.submit("plain", &code, &product("福州茉莉花茶")).await;
    let marked = env
        .submit("marked", &code, &product("《福州茉莉花茶》"))
        .await;
    let shown: Vec<i64> = env
        .reviewed(marked.claim_id)
        .await
        .similar_claims
        .iter()
        .map(|c| c.claim_id)
        .collect();
    assert_eq!(shown, [plain.claim_id]);
}

/// Three units each claim to be the lead or first drafting unit of one
/// standard: each may be paid (the one-time key is per unit), but the
/// reviewer of each claim sees the other two, with their names and codes; a
/// withdrawn claim, another standard, a participant's claim and the portal's
/// view show none (found by the sixth attack on the registry).
async fn other_units_leading_the_same_standard_are_shown_to_the_reviewer(env: Env) {
    let (a, b, c, d) = (env.code(1), env.code(2), env.code(3), env.code(4));
    let number = "GB/T 65065-2021";
    let first = env.submit("a", &a, &Ach::lead(number)).await;
    // Typed another way: the same canonical subject.
    let second = env.submit("b", &b, &Ach::lead("gb/t 065065—2021")).await;
    let third = env.submit("c", &c, &Ach::lead(number)).await;
    let elsewhere = env.submit("d", &d, &Ach::lead("GB/T 65066-2021")).await;
    let participant = env
        .submit(
            "p",
            &d,
            &Ach::of("STANDARD_PARTICIPANT", "NATIONAL", number),
        )
        .await;
    let env = &env;
    let shown = |id: i64| async move { env.reviewed(id).await.other_units_same_subject };
    let others = shown(first.claim_id).await;
    let mut ids: Vec<i64> = others.iter().map(|o| o.claim_id).collect();
    ids.sort_unstable();
    assert_eq!(ids, [second.claim_id, third.claim_id]);
    let named = others
        .iter()
        .find(|o| o.claim_id == second.claim_id)
        .unwrap();
    assert_eq!(named.credit_code, b);
    assert_eq!(named.subject, number);
    assert!(
        named.unit_name.starts_with("福州示例科技有限公司"),
        "{named:?}"
    );
    assert_eq!(named.status, pb::ClaimStatus::Submitted as i32);
    assert!(shown(elsewhere.claim_id).await.is_empty());
    assert!(
        shown(participant.claim_id).await.is_empty(),
        "participants are many"
    );
    env.portal()
        .withdraw_claim(pb::WithdrawClaimRequest {
            claim_id: third.claim_id,
            reason: String::new(),
        })
        .await
        .unwrap();
    let others: Vec<i64> = shown(first.claim_id)
        .await
        .iter()
        .map(|o| o.claim_id)
        .collect();
    assert_eq!(others, [second.claim_id]);
    let portal = env
        .portal()
        .get_claim(pb::GetClaimRequest {
            claim_id: first.claim_id,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(portal.other_units_same_subject.is_empty());
}

/// Two spellings of one pilot's approval number (〔〕 and [], 第 and a leading
/// zero) are two subjects under the canonical identity, so both are taken;
/// the reviewer sees each named beside the other, the portal does not, and a
/// different number or another applicant's claim is not named.
async fn claims_whose_subjects_read_alike_are_shown_to_the_reviewer(env: Env) {
    let (a, b) = (env.code(1), env.code(2));
    let pilot = |subject: &str| {
        let mut p = Ach::of("DEMONSTRATION_PILOT", "NATIONAL", subject);
        p.accepted = true;
        p
    };
    let first = env.submit("first", &a, &pilot("闽标试〔2019〕12号")).await;
    let second = env
        .submit("second", &a, &pilot("闽标试[2019]第012号"))
        .await;
    let other_number = env.submit("other", &a, &pilot("闽标试〔2019〕13号")).await;
    // `〇` typed for the digit 0: a subject of its own, read alike.
    let zero = env.submit("zero", &a, &pilot("闽标试〔2〇19〕12号")).await;
    let other_unit = env.submit("unit", &b, &pilot("闽标试〔2019〕12号")).await;
    let env = &env;
    let shown = |id: i64| async move { env.reviewed(id).await.similar_claims };
    let similar = shown(second.claim_id).await;
    assert_eq!(
        similar
            .iter()
            .map(|c| (c.claim_id, c.subject.as_str()))
            .collect::<Vec<_>>(),
        [
            (first.claim_id, "闽标试〔2019〕12号"),
            (zero.claim_id, "闽标试〔2〇19〕12号")
        ]
    );
    assert_eq!(similar[0].status, pb::ClaimStatus::Submitted as i32);
    assert_eq!(
        shown(first.claim_id)
            .await
            .iter()
            .map(|c| c.claim_id)
            .collect::<Vec<_>>(),
        [second.claim_id, zero.claim_id]
    );
    assert!(shown(other_number.claim_id).await.is_empty());
    assert!(shown(other_unit.claim_id).await.is_empty());

    // The eighth attack's spellings, each paid again without a notice: a
    // reference in quotation marks, in traditional characters, with letters
    // typed for digits; a product in book-title marks; a committee by name.
    let quoted = env
        .submit("quoted", &a, &pilot("“闽标试〔2019〕12号”"))
        .await;
    let traditional = env.submit("trad", &a, &pilot("閩標試〔2019〕12號")).await;
    let ids = |v: Vec<pb::SimilarClaim>| v.iter().map(|c| c.claim_id).collect::<Vec<_>>();
    let named = ids(shown(first.claim_id).await);
    for id in [quoted.claim_id, traditional.claim_id] {
        assert!(named.contains(&id), "{id} in {named:?}");
    }
    let research = |subject: &str| {
        let mut r = Ach::of("RESEARCH_PROJECT", "MUNICIPAL", subject);
        r.accepted = true;
        r
    };
    let digits = env.submit("r1", &a, &research("FZKJ-2020-007")).await;
    let letters = env.submit("r2", &a, &research("FZKJ-2020-OO7")).await;
    assert_eq!(ids(shown(digits.claim_id).await), [letters.claim_id]);
    let product = |subject: &str| {
        let mut g = Ach::of("GEOGRAPHICAL_INDICATION", "GI_PRODUCT_PROTECTION", subject);
        g.approved = true;
        g
    };
    let plain = env.submit("g1", &a, &product("福州茉莉花茶")).await;
    let marked = env.submit("g2", &a, &product("《福州茉莉花茶》")).await;
    assert_eq!(ids(shown(plain.claim_id).await), [marked.claim_id]);
    let committee = |subject: &str| Ach::of("TC_SECRETARIAT", "NATIONAL_TC_SC", subject);
    let coded = env.submit("t1", &a, &committee("SAC/TC 339")).await;
    let by_name = env
        .submit("t2", &a, &committee("全国茶叶标准化技术委员会"))
        .await;
    let other_code = env.submit("t3", &a, &committee("SAC/TC 340")).await;
    assert_eq!(ids(shown(coded.claim_id).await), [by_name.claim_id]);
    assert_eq!(
        ids(shown(by_name.claim_id).await),
        [coded.claim_id, other_code.claim_id]
    );
    let portal = env
        .portal()
        .get_claim(pb::GetClaimRequest {
            claim_id: second.claim_id,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(portal.similar_claims.is_empty());
}

async fn submit_creates_a_claim_once_per_idempotency_key(env: Env) {
    let code = env.code(1);
    let app = s::application(&code, &Ach::lead("GB/T 12345-2020"));
    let r = env
        .portal()
        .submit_claim(env.submit_req("lead", app.clone()))
        .await
        .unwrap()
        .into_inner();
    assert!(r.created);
    let c = r.claim.unwrap();
    assert_eq!(c.status, pb::ClaimStatus::Submitted as i32);
    assert_eq!(c.estimated_amount, "300000.00");
    assert_eq!(
        (c.clause.as_str(), c.fiscal_unit.as_str()),
        ("五(五)1", "350102")
    );
    assert_eq!(
        (c.item.as_str(), c.variant.as_str()),
        ("STANDARD_LEAD", "NATIONAL")
    );
    assert_eq!(c.year, env.year);
    assert_eq!(c.submitted_by, "gateway");
    assert_eq!(c.idempotency_key, env.key("lead"));
    assert_eq!(
        c.one_time_key,
        format!("{code}|STANDARD_LEAD|GB/T 12345-2020")
    );
    assert!(c.credit_code_check_passed && !c.credit_code_confirmed);
    assert!(!c.discretionary);
    assert_eq!(c.resubmissions, 0);
    assert!(c.review.is_none() && c.payments.is_empty());
    assert_eq!(c.estimate.as_ref().unwrap().total, "300000.00");
    assert_eq!(
        c.application.as_ref().unwrap().achievements[0].subject,
        "GB/T 12345-2020"
    );

    // The same key and request: the same claim, not a new one.
    let again = env
        .portal()
        .submit_claim(env.submit_req("lead", app.clone()))
        .await
        .unwrap()
        .into_inner();
    assert!(!again.created);
    assert_eq!(again.claim.unwrap(), c);

    // The same key with another request.
    let other = s::application(&code, &Ach::lead("GB/T 54321-2020"));
    let e = env.submit_err("lead", other.clone()).await;
    let m = s::expect_error(&e, Code::AlreadyExists, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(m["field"], "idempotency_key");
    // Keys are per submitter: another portal may use the same key.
    let theirs = env
        .portal2()
        .submit_claim(env.submit_req(
            "lead",
            s::application(&env.code(2), &Ach::lead("GB/T 1-2020")),
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(theirs.created);
    assert_ne!(theirs.claim.unwrap().claim_id, c.claim_id);

    // Malformed keys.
    let bad_keys = [
        ("", "MISSING_FIELD"),
        ("a b", "INVALID_IDEMPOTENCY_KEY"),
        ("键", "INVALID_IDEMPOTENCY_KEY"),
        (&*"k".repeat(129), "FIELD_TOO_LONG"),
    ];
    for (key, reason) in bad_keys {
        let e = env
            .portal()
            .submit_claim(s::submit(key, other.clone(), env.year))
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::InvalidArgument, reason);
        assert_eq!(m["field"], "idempotency_key", "{key:?}");
    }
    // An achievement not completed yet (dated after today) is not claimed;
    // nor is a two-digit year beside the four-digit one already held.
    let future = Ach::new("STANDARD_LEAD", "NATIONAL", "GB/T 80008-2020", "2099-01-01");
    let two_digit = Ach::new("STANDARD_LEAD", "NATIONAL", "GB/T 1-20", "2020-05-01");
    // Nor an edition no one has published yet (R28).
    let future_edition = Ach::new("STANDARD_LEAD", "NATIONAL", "GB/T 89701-2099", "2021-05-01");
    for (ach, reason, field) in [
        (
            future_edition,
            "INVALID_STANDARD_NUMBER",
            "application.achievements[0].subject",
        ),
        (
            future,
            "ACHIEVEMENT_IN_FUTURE",
            "application.achievements[0].date",
        ),
        (
            two_digit,
            "INVALID_STANDARD_NUMBER",
            "application.achievements[0].subject",
        ),
    ] {
        let e = env
            .portal()
            .submit_claim(env.submit_req("not-yet", s::application(&env.code(1), &ach)))
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::InvalidArgument, reason);
        assert_eq!(m["field"], field, "{reason}");
    }
    // Only the two created claims exist in this year.
    let ids: Vec<i64> = env
        .claims_of_year()
        .await
        .iter()
        .map(|c| c.claim_id)
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&c.claim_id));
}

async fn credit_code_mismatch_needs_a_recorded_confirmation(env: Env) {
    let good = env.code(1);
    let bad = s::bad_check_code(env.slot * 1000 + 1);
    let gi = Ach {
        approved: true,
        ..Ach::new(
            "GEOGRAPHICAL_INDICATION",
            "AGRICULTURAL_GI",
            "福州茉莉花茶",
            "2020-10-01",
        )
    };
    let e = env.submit_err("gi", s::application(&bad, &gi)).await;
    let m = s::expect_error(&e, Code::FailedPrecondition, "CREDIT_CODE_CHECK_MISMATCH");
    assert_eq!(m["expected"], good[17..]);
    assert_eq!(m["field"], "application.applicant.credit_code");
    assert!(m["messageZh"].contains("confirm_credit_code"), "{m:?}");
    assert!(env.claims_of_year().await.is_empty(), "nothing is stored");

    // Confirmed: stored with the confirmation.
    let c = env
        .portal()
        .submit_claim(pb::SubmitClaimRequest {
            confirm_credit_code: true,
            ..env.submit_req("gi", s::application(&bad, &gi))
        })
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(c.credit_code, bad);
    assert!(c.credit_code_confirmed && !c.credit_code_check_passed);
    assert_eq!(c.estimated_amount, "200000.00");
    let h = env.history(c.claim_id).await;
    assert_eq!(
        s::trail(&h),
        [(
            pb::AuditAction::Submit,
            "gateway".into(),
            pb::AccessRole::Portal
        )]
    );
    let after: serde_json::Value = serde_json::from_str(&h[0].after_json).unwrap();
    assert_eq!(after["credit_code_confirmed"], true);
    assert_eq!(after["credit_code"], bad.as_str());
    assert!(h[0].before_json.is_empty());

    // A confirmation of a code that passes its check records nothing.
    let ok = env
        .portal()
        .submit_claim(pb::SubmitClaimRequest {
            confirm_credit_code: true,
            ..env.submit_req("gi-good", s::application(&env.code(2), &gi))
        })
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert!(ok.credit_code_check_passed && !ok.credit_code_confirmed);

    // The check character is a function of the other 17: a code differing
    // only there names the same unit, confirmed or not, so the achievement
    // the confirmed code holds is not claimed again under the right code
    // or under a third check character.
    let third = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('2') { '3' } else { '2' }
    );
    for (name, code, confirm) in [("gi-right", &good, false), ("gi-third", &third, true)] {
        let e = env
            .portal()
            .submit_claim(pb::SubmitClaimRequest {
                confirm_credit_code: confirm,
                ..env.submit_req(name, s::application(code, &gi))
            })
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
        assert_eq!(m["existingClaimId"], c.claim_id.to_string(), "{name}");
    }
    assert_eq!(
        c.one_time_key,
        format!("{good}|GEOGRAPHICAL_INDICATION|福州茉莉花茶")
    );
}

async fn lines_that_cannot_be_paid_are_refused_with_their_reason(env: Env) {
    let funded = |amount: &str| Ach {
        funding: vec![pb::Funding {
            level: pb::FundingLevel::Provincial as i32,
            amount: amount.into(),
            source: "福建省市场监督管理局".into(),
        }],
        ..Ach::lead("GB/T 77-2020")
    };
    let cases = [
        (
            Ach::new(
                "STANDARD_PARTICIPANT",
                "LOCAL",
                "DB35/T 9-2020",
                "2020-05-01",
            ),
            "350102",
            "NOT_COVERED",
            "LINE_STATUS_INELIGIBLE",
        ),
        (
            Ach {
                role: pb::Role::Lead,
                ..Ach::new("AWARD_CHINA", "INDIVIDUAL", "GB/T 9-2019", "2020-05-01")
            },
            "350102",
            "NOT_COVERED",
            "LINE_STATUS_INELIGIBLE",
        ),
        (
            Ach::lead("GB/T 9-2020"),
            "350128",
            "OUTSIDE_FUZHOU",
            "LINE_STATUS_INELIGIBLE",
        ),
        (
            Ach::new("STANDARD_LEAD", "NATIONAL", "GB/T 9-2015", "2015-05-01"),
            "350102",
            "NO_POLICY_IN_FORCE",
            "LINE_STATUS_INELIGIBLE",
        ),
        (
            Ach::new(
                "DEMONSTRATION_PILOT",
                "NATIONAL",
                "试点-2020-9",
                "2020-05-01",
            ),
            "350102",
            "NOT_YET_ACCEPTED",
            "LINE_STATUS_PENDING",
        ),
        (
            Ach::new(
                "GEOGRAPHICAL_INDICATION",
                "GI_PRODUCT_PROTECTION",
                "连江鲍鱼",
                "2020-05-01",
            ),
            "350102",
            "NOT_YET_APPROVED",
            "LINE_STATUS_PENDING",
        ),
        (
            funded("300000.00"),
            "350102",
            "COVERED_BY_HIGHER_LEVEL",
            "LINE_STATUS_ELIGIBLE",
        ),
    ];
    for (i, (a, seat, reason, status)) in cases.iter().enumerate() {
        let e = env
            .submit_err(
                &format!("refused-{i}"),
                s::application_at(&env.code(1), seat, a),
            )
            .await;
        let m = s::expect_error(&e, Code::FailedPrecondition, reason);
        assert_eq!(m["reasonCode"], *reason);
        assert_eq!(m["lineStatus"], *status, "{reason}");
        assert_eq!(m["step"], "submission");
        assert!(m["messageZh"].starts_with("该项不可申报资助"), "{m:?}");
    }
    assert!(env.claims_of_year().await.is_empty(), "nothing is stored");

    // Funding below the municipal amount: the difference is claimed.
    let c = env
        .submit("topped-up", &env.code(1), &funded("100000.00"))
        .await;
    assert_eq!(c.estimated_amount, "200000.00");
    // A pilot once accepted is claimable.
    let accepted = Ach {
        accepted: true,
        ..Ach::new(
            "DEMONSTRATION_PILOT",
            "NATIONAL",
            "试点-2020-9",
            "2020-05-01",
        )
    };
    let c = env.submit("pilot", &env.code(1), &accepted).await;
    assert_eq!(
        (c.estimated_amount.as_str(), c.clause.as_str()),
        ("200000.00", "五(五)5")
    );
}

async fn the_one_time_key_is_granted_once(env: Env) {
    let (a, b) = (env.code(1), env.code(2));
    let lead = env.submit("lead", &a, &Ach::lead("GB/T 12345-2020")).await;

    // The same standard typed otherwise and at another level: one achievement.
    let again = Ach::new(
        "STANDARD_LEAD",
        "INDUSTRY",
        "gb/t　12345—2020",
        "2020-06-01",
    );
    let e = env
        .submit_err("lead-again", s::application(&a, &again))
        .await;
    let m = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
    assert_eq!(m["existingClaimId"], lead.claim_id.to_string());
    assert_eq!(m["oneTimeKey"], lead.one_time_key);
    // Whoever submits it.
    let e = env
        .admin()
        .submit_claim(env.submit_req("admin-again", s::application(&a, &again)))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
    assert_eq!(m["existingClaimId"], lead.claim_id.to_string());
    // Another portal is told the achievement is claimed, not which claim of
    // another submitter holds it (R9: that claim is NOT_FOUND to it).
    let e = env
        .portal2()
        .submit_claim(env.submit_req("portal2-again", s::application(&a, &again)))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
    assert!(!m.contains_key("existingClaimId"), "{m:?}");
    assert!(
        !m["messageZh"].contains(&lead.claim_id.to_string()),
        "{m:?}"
    );
    let e = env
        .portal2()
        .submit_claim(env.submit_req(
            "portal2-part",
            s::application(
                &a,
                &Ach::new(
                    "STANDARD_PARTICIPANT",
                    "NATIONAL",
                    "GB/T 12345-2020",
                    "2020-05-01",
                ),
            ),
        ))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "CONFLICTS_WITH_LEAD");
    assert!(!m.contains_key("existingClaimId"), "{m:?}");
    assert_eq!(m["existingItem"], "STANDARD_LEAD");

    // The lead unit cannot also participate in its standard.
    let part = Ach::new(
        "STANDARD_PARTICIPANT",
        "NATIONAL",
        "GB/T 12345-2020",
        "2020-05-01",
    );
    let e = env.submit_err("part", s::application(&a, &part)).await;
    let m = s::expect_error(&e, Code::FailedPrecondition, "CONFLICTS_WITH_LEAD");
    assert_eq!(m["existingClaimId"], lead.claim_id.to_string());
    assert_eq!(m["existingItem"], "STANDARD_LEAD");

    // Another unit participates; it then cannot lead the same standard.
    let theirs = env.submit("part-b", &b, &part).await;
    assert_eq!(
        (theirs.estimated_amount.as_str(), theirs.clause.as_str()),
        ("150000.00", "五(五)2")
    );
    let e = env
        .submit_err("lead-b", s::application(&b, &Ach::lead("GB/T 12345-2020")))
        .await;
    let m = s::expect_error(&e, Code::FailedPrecondition, "CONFLICTS_WITH_LEAD");
    assert_eq!(m["existingClaimId"], theirs.claim_id.to_string());
    assert_eq!(m["existingItem"], "STANDARD_PARTICIPANT");

    // A standard number without its year names no edition: a claim must
    // give it (else `GB/T 12345` would be a second achievement beside
    // `GB/T 12345-2020`), a year typed as a part or run into the number
    // included.
    for (name, subject) in [
        ("yearless", "GB/T 12345"),
        ("year-as-part", "GB/T 12345.2020"),
        ("year-run-in", "GB/T 12345\u{2062}2020"),
        ("iso-yearless", "ISO 12345"),
    ] {
        let e = env
            .submit_err(name, s::application(&a, &Ach::lead(subject)))
            .await;
        let m = s::expect_error(&e, Code::InvalidArgument, "INVALID_STANDARD_NUMBER");
        assert_eq!(m["field"], "application.achievements[0].subject", "{name}");
        assert!(m["messageZh"].contains("年代号"), "{name}: {m:?}");
    }

    // A revised standard (a new year) is a new achievement.
    let revised = env
        .submit("revised", &a, &Ach::lead("GB/T 12345-2021"))
        .await;
    assert_ne!(revised.one_time_key, lead.one_time_key);
    assert_eq!(env.claims_of_year().await.len(), 3);
}

async fn a_claim_is_one_achievement_under_the_rules_in_force(env: Env) {
    let code = env.code(1);
    let one = s::application(&code, &Ach::lead("GB/T 5-2020"));
    let mut two = one.clone();
    two.achievements.push(pb::Achievement {
        id: "a2".into(),
        subject: "GB/T 6-2020".into(),
        ..one.achievements[0].clone()
    });
    let none = pb::EstimateRequest {
        achievements: Vec::new(),
        ..one.clone()
    };
    let what_if = pb::EstimateRequest {
        what_if_ruleset: "fz-2016".into(),
        ..one.clone()
    };
    let mut nameless = one.clone();
    nameless.applicant.as_mut().unwrap().name = "  ".into();
    let mut invisible = one.clone();
    invisible.applicant.as_mut().unwrap().name = " \u{200B} ".into();
    // Shown reversed after U+202E: `福州有限公司` in the workbench and the 公示.
    let mut reversed = one.clone();
    reversed.applicant.as_mut().unwrap().name = "福州\u{202E}司公限有".into();
    let mut nul = one.clone();
    nul.achievements[0].subject = "GB/T 1\u{0}-2020".into();
    let mut malformed = one.clone();
    malformed.applicant.as_mut().unwrap().credit_code = "91350100-BAD".into();
    // The other texts a claim stores as typed (B17).
    let mut id_reversed = one.clone();
    id_reversed.achievements[0].id = "a\u{202E}1".into();
    let mut source_nul = one.clone();
    source_nul.achievements[0].higher_level_funding = vec![pb::Funding {
        level: pb::FundingLevel::Provincial as i32,
        amount: "1.00".into(),
        source: "省\u{0}级".into(),
    }];
    let cases = [
        (
            two,
            "CLAIM_NEEDS_ONE_ACHIEVEMENT",
            "application.achievements",
        ),
        (
            none,
            "CLAIM_NEEDS_ONE_ACHIEVEMENT",
            "application.achievements",
        ),
        (
            what_if,
            "WHAT_IF_NOT_ALLOWED",
            "application.what_if_ruleset",
        ),
        (nameless, "MISSING_FIELD", "application.applicant.name"),
        (invisible, "MISSING_FIELD", "application.applicant.name"),
        (reversed, "INVALID_TEXT", "application.applicant.name"),
        (nul, "INVALID_TEXT", "application.achievements[0].subject"),
        (
            id_reversed,
            "INVALID_TEXT",
            "application.achievements[0].id",
        ),
        (
            source_nul,
            "INVALID_TEXT",
            "application.achievements[0].higher_level_funding[0].source",
        ),
    ];
    for (i, (app, reason, field)) in cases.into_iter().enumerate() {
        let e = env.submit_err(&format!("bad-{i}"), app).await;
        let m = s::expect_error(&e, Code::InvalidArgument, reason);
        assert_eq!(m["field"], field);
    }
    let e = env.submit_err("bad-code", malformed).await;
    s::expect_error(&e, Code::InvalidArgument, "INVALID_CREDIT_CODE");
    let e = env
        .portal()
        .submit_claim(pb::SubmitClaimRequest {
            application: None,
            ..env.submit_req("no-app", one.clone())
        })
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "MISSING_FIELD");
    assert_eq!(m["field"], "application");
    let e = env
        .portal()
        .submit_claim(s::submit(&env.key("year"), one.clone(), 2015))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "INVALID_YEAR");
    assert_eq!(m["field"], "year");
    assert!(env.claims_of_year().await.is_empty(), "nothing is stored");

    // Year 0: the budget year of the submission day in China.
    let c = env
        .portal()
        .submit_claim(s::submit(&env.key("this-year"), one, 0))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(c.year, i32::from(s::today().year()));
}

/// A clock the test moves.
#[derive(Debug, Clone)]
struct Moved(std::sync::Arc<std::sync::Mutex<String>>);

impl stdfund_server::registry::Clock for Moved {
    fn now(&self) -> Option<stdfund_store::Timestamp> {
        stdfund_store::Timestamp::parse(&self.0.lock().ok()?.clone()).ok()
    }
}

/// A submission that leaves the year to the server (`year: 0`), sent just
/// before midnight of 31 December in China and retried just after it, is
/// the same call: the retry answers the claim of the first, in the year it
/// was given, instead of `IDEMPOTENCY_KEY_REUSED` (the fourteenth attack).
/// Another request under the key is still refused, in either year.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_across_the_new_year_is_the_same_call() {
    use stdfund_server::auth::{Principal, Role};
    let store = s::sqlite_store().await;
    let tokens = stdfund_server::auth::Tokens::load(&s::tokens_file()).unwrap();
    // 23:59:50 on 31 December 2026 in China (UTC+8).
    let now = std::sync::Arc::new(std::sync::Mutex::new(
        "2026-12-31T15:59:50.000000Z".to_string(),
    ));
    let registry =
        stdfund_server::registry::Registry::with_clock(store, tokens, Box::new(Moved(now.clone())))
            .unwrap();
    let portal = Principal {
        name: "portal-new-year".into(),
        role: Role::Portal,
    };
    let code = s::credit_code(7_300_001);
    let app = s::application(&code, &Ach::lead("GB/T 73001-2020"));
    let first = registry
        .submit(&portal, s::submit("new-year-1", app.clone(), 0))
        .await
        .unwrap();
    let claim = first.claim.unwrap();
    assert!(first.created);
    assert_eq!(claim.year, 2026);

    // 00:00:10 on 1 January 2027 in China: the same call again.
    *now.lock().unwrap() = "2026-12-31T16:00:10.000000Z".into();
    let again = registry
        .submit(&portal, s::submit("new-year-1", app.clone(), 0))
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.claim.unwrap().claim_id, claim.claim_id);

    // Another application under the same key is still another request.
    let other = s::application(&code, &Ach::lead("GB/T 73002-2020"));
    let e = registry
        .submit(&portal, s::submit("new-year-1", other, 0))
        .await
        .unwrap_err();
    let status = tonic::Status::from(e);
    s::expect_error(&status, Code::AlreadyExists, "IDEMPOTENCY_KEY_REUSED");
    // And so is the same application sent for another year named.
    let e = registry
        .submit(&portal, s::submit("new-year-1", app, 2027))
        .await
        .unwrap_err();
    s::expect_error(
        &tonic::Status::from(e),
        Code::AlreadyExists,
        "IDEMPOTENCY_KEY_REUSED",
    );
}
