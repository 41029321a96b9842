//! The review queue: filters, search, sort, keyset paging (no repeats, no skips) and counts.

use std::collections::BTreeSet;

use stdfund_store::{ClaimQuery, ClaimSort, ClaimStatus, Filing};

use crate::common::{
    Harness, admin, all_claims, all_pages, approve, created, filing, later, now, placed, reject,
    reviewer, send_back, ts, yuan,
};

/// 25 claims across years, units, clauses and submitters; every claim exactly once, in
/// order, also when claims arrive between pages; bad cursors are refused.
pub async fn keyset_paging_is_stable<H: Harness>(h: &H) {
    let s = h.store();
    for i in 0..25 {
        let unit = if i % 2 == 0 { "350102" } else { "350104" };
        let clause = if i % 3 == 0 { "1" } else { "2" };
        let year = if i < 20 { 2026 } else { 2025 };
        let f = placed(
            filing(&format!("P-{i}"), &format!("i{i}"), &format!("p{}", i % 4)),
            year,
            unit,
            clause,
        );
        created(s, f).await;
    }
    let q = ClaimQuery {
        page_size: 10,
        ..ClaimQuery::default()
    };
    let p1 = s.claims(&q).await.unwrap();
    assert_eq!(p1.claims.len(), 10);
    assert!(p1.claims.iter().all(|c| c.payments.is_empty()));
    assert_eq!(s.claims(&q).await.unwrap(), p1, "the same page twice");
    for i in 25..28 {
        created(
            s,
            placed(
                filing(&format!("P-{i}"), &format!("i{i}"), "p-late"),
                2026,
                "350102",
                "1",
            ),
        )
        .await;
    }
    let rest = all_claims(
        s,
        &ClaimQuery {
            cursor: p1.next_cursor.clone(),
            ..q.clone()
        },
    )
    .await;
    let ids: Vec<i64> = p1.claims.iter().chain(&rest).map(|c| c.id).collect();
    assert_eq!(ids.len(), 28);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ascending, no repeats");
    assert_eq!(
        all_claims(
            s,
            &ClaimQuery {
                page_size: 7,
                ..ClaimQuery::default()
            }
        )
        .await
        .len(),
        28
    );
    assert_eq!(
        s.claims(&ClaimQuery::default()).await.unwrap().claims.len(),
        28,
        "0 = 50"
    );
    let huge = ClaimQuery {
        page_size: u32::MAX,
        ..ClaimQuery::default()
    };
    assert_eq!(s.claims(&huge).await.unwrap().claims.len(), 28);
    let combo = ClaimQuery {
        year: Some(2026),
        fiscal_unit: Some("350102".into()),
        clause: Some("1".into()),
        status: Some(ClaimStatus::Submitted),
        page_size: 2,
        ..ClaimQuery::default()
    };
    // i < 20, even, multiple of 3: 0, 6, 12, 18; plus the three late ones.
    assert_eq!(all_claims(s, &combo).await.len(), 7);
    let mine = ClaimQuery {
        submitted_by: Some("p1".into()),
        page_size: 2,
        ..ClaimQuery::default()
    };
    assert_eq!(all_claims(s, &mine).await.len(), 6);
    for bad in ["", "abc", "-5", "0", "c1zz"] {
        let err = s
            .claims(&ClaimQuery {
                cursor: Some(bad.into()),
                ..q.clone()
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "cursor {bad:?}");
    }
    // A cursor belongs to its query.
    let other = ClaimQuery {
        year: Some(2025),
        cursor: p1.next_cursor.clone(),
        ..q.clone()
    };
    assert_eq!(
        s.claims(&other).await.unwrap_err().code(),
        "INVALID_ARGUMENT"
    );
}

fn named(otk: &str, idem: &str, unit_name: &str, credit_code: &str, amount: &str) -> Filing {
    let mut f = filing(otk, idem, "p");
    f.unit_name = unit_name.into();
    f.credit_code = credit_code.into();
    f.estimated_amount = yuan(amount);
    f
}

/// Search (folded unit name, credit-code prefix, canonical subject), amount and period filters, every sort with
/// paging, and counts per status under the other filters.
pub async fn filters_sorts_and_counts<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("1000000"), &admin(), &now())
        .await
        .unwrap();
    let rows = [
        ("Q-1", "福州ＡＢＣ科技有限公司", "91350100M000100Y43", "500"),
        ("Q-2", "福州abc电子有限公司", "91350100M000200Y43", "100"),
        ("Q-3", "厦门某某有限公司", "91350200X000300Y43", "300"),
        ("Q-4", "福州100%_纯净水厂", "92350100M000400Y43", "100"),
        ("Q-5", "Alpha Standards Co.", "91350100M000500Y43", "0"),
    ];
    let mut ids = Vec::new();
    for (i, (otk, name, code, amount)) in rows.iter().enumerate() {
        let c = s
            .submit(
                named(otk, &format!("i{i}"), name, code, amount),
                &crate::common::portal("p"),
                &ts(&format!("2026-03-0{}T00:00:00.000000Z", i + 1)),
            )
            .await
            .unwrap();
        ids.push(c.claim().unwrap().id);
    }
    s.review(ids[1], approve("150"), &reviewer(), &later())
        .await
        .unwrap();
    s.review(ids[2], reject("no"), &reviewer(), &later())
        .await
        .unwrap();
    s.review(ids[3], send_back("fix"), &reviewer(), &later())
        .await
        .unwrap();
    let q = |f: &dyn Fn(&mut ClaimQuery)| {
        let mut q = ClaimQuery {
            page_size: 2,
            ..ClaimQuery::default()
        };
        f(&mut q);
        q
    };
    let got = |q: ClaimQuery| async move {
        all_claims(s, &q)
            .await
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    };
    // Search: full-width, case, and LIKE metacharacters are literal.
    assert_eq!(
        got(q(&|q| q.search = Some("abc".into()))).await,
        vec![ids[0], ids[1]]
    );
    assert_eq!(
        got(q(&|q| q.search = Some("ＡＢＣ科技".into()))).await,
        vec![ids[0]]
    );
    assert_eq!(
        got(q(&|q| q.search = Some(" 100%_ ".into()))).await,
        vec![ids[3]]
    );
    assert_eq!(got(q(&|q| q.search = Some("%".into()))).await, vec![ids[3]]);
    assert_eq!(
        got(q(&|q| q.search = Some("alpha standards".into()))).await,
        vec![ids[4]]
    );
    assert_eq!(
        got(q(&|q| q.search = Some("91350100m".into()))).await,
        vec![ids[0], ids[1], ids[4]]
    );
    // A code typed in groups, or whole with look-alike letters (O for 0),
    // finds the code; a unit name with the same letters is still found.
    assert_eq!(
        got(q(&|q| q.search = Some("9135 0100 M000 100Y 43".into()))).await,
        vec![ids[0]]
    );
    assert_eq!(
        got(q(&|q| q.search = Some("9135O100M000100Y43".into()))).await,
        vec![ids[0]]
    );
    assert_eq!(
        got(q(&|q| q.search = Some("９１３５０１００-M000 2".into()))).await,
        vec![ids[1]]
    );
    assert_eq!(
        got(q(&|q| q.search = Some("alpha standards co".into()))).await,
        vec![ids[4]]
    );
    assert_eq!(
        got(q(&|q| q.search = Some("M000100".into()))).await,
        Vec::<i64>::new(),
        "a prefix, not a substring"
    );
    // The subject, in its canonical form: lower case, full width and a
    // dash typed otherwise find it.
    assert_eq!(
        got(q(&|q| q.search = Some("gb/t q—3".into()))).await,
        vec![ids[2]]
    );
    assert_eq!(
        got(q(&|q| q.search = Some("Ｑ-5-2020".into()))).await,
        vec![ids[4]]
    );
    // Amounts: the approved amount once approved, else the estimate.
    assert_eq!(
        got(q(&|q| q.amount_min = Some(yuan("150")))).await,
        vec![ids[0], ids[1], ids[2]]
    );
    assert_eq!(
        got(q(&|q| {
            q.amount_min = Some(yuan("100"));
            q.amount_max = Some(yuan("150"));
        }))
        .await,
        vec![ids[1], ids[3]]
    );
    // Period [from, to).
    assert_eq!(
        got(q(&|q| {
            q.submitted_from = Some(ts("2026-03-02T00:00:00.000000Z"));
            q.submitted_to = Some(ts("2026-03-04T00:00:00.000000Z"));
        }))
        .await,
        vec![ids[1], ids[2]]
    );
    // Sorts, paged two at a time.
    assert_eq!(
        got(q(&|q| q.sort = ClaimSort::SubmittedDesc)).await,
        ids.iter().rev().copied().collect::<Vec<_>>()
    );
    assert_eq!(
        got(q(&|q| q.sort = ClaimSort::AmountDesc)).await,
        vec![ids[0], ids[2], ids[1], ids[3], ids[4]]
    );
    assert_eq!(
        got(q(&|q| q.sort = ClaimSort::AmountAsc)).await,
        vec![ids[4], ids[3], ids[1], ids[2], ids[0]]
    );
    assert_eq!(
        got(q(&|q| q.sort = ClaimSort::UnitName)).await,
        vec![ids[4], ids[2], ids[3], ids[1], ids[0]]
    );
    // Counts: per status under every filter but the status.
    let counted = s
        .claims(&ClaimQuery {
            status: Some(ClaimStatus::Submitted),
            search: Some("福州".into()),
            with_counts: true,
            ..ClaimQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        counted.claims.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![ids[0]]
    );
    assert_eq!(counted.total_count, Some(1));
    let counts: Vec<(ClaimStatus, i64)> = counted.status_counts.clone();
    assert_eq!(
        counts,
        vec![
            (ClaimStatus::Submitted, 1),
            (ClaimStatus::Returned, 1),
            (ClaimStatus::Withdrawn, 0),
            (ClaimStatus::Rejected, 0),
            (ClaimStatus::Approved, 1),
            (ClaimStatus::Disbursed, 0),
        ]
    );
    let all = s
        .claims(&ClaimQuery {
            with_counts: true,
            ..ClaimQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.total_count, Some(5));
    let none = s.claims(&ClaimQuery::default()).await.unwrap();
    assert_eq!((none.total_count, none.status_counts.len()), (None, 0));
    // Sort keys change while paging: a claim moved by an approval is seen at most once.
    let pages = all_pages(s, &q(&|q| q.sort = ClaimSort::AmountDesc)).await;
    let seen: BTreeSet<i64> = pages
        .iter()
        .flat_map(|p| p.claims.iter().map(|c| c.id))
        .collect();
    assert_eq!(seen.len(), 5);
    let bad = ClaimQuery {
        submitted_from: Some(ts("2026-03-05T00:00:00.000000Z")),
        submitted_to: Some(ts("2026-03-01T00:00:00.000000Z")),
        ..ClaimQuery::default()
    };
    assert_eq!(s.claims(&bad).await.unwrap_err().code(), "INVALID_ARGUMENT");
}

/// A project number searched with other brackets than it was filed with
/// finds it (its letters and numbers in order), and a number that is not in
/// it does not.
pub async fn search_reads_a_number_with_other_brackets<H: Harness>(h: &H) {
    let s = h.store();
    let mut f = named(
        "QB-1",
        "qb-1",
        "福州闽江标准化服务中心",
        "91350100M000900Y43",
        "100",
    );
    f.subject = "榕标试〔2020〕3号".into();
    f.subject_as_given = "榕标试〔2020〕3号".into();
    let c = s
        .submit(f, &crate::common::portal("p"), &now())
        .await
        .unwrap();
    let id = c.claim().unwrap().id;
    let found = |text: &'static str| async move {
        all_claims(
            s,
            &ClaimQuery {
                search: Some(text.into()),
                ..ClaimQuery::default()
            },
        )
        .await
        .iter()
        .map(|c| c.id)
        .collect::<Vec<_>>()
    };
    for typed in [
        "榕标试[2020]3号",
        "榕标试(2020)3号",
        "榕标试（2020）3号",
        "榕标试〔2020〕3号",
    ] {
        assert_eq!(found(typed).await, vec![id], "{typed}");
    }
    assert!(found("榕标试[2021]3号").await.is_empty());
    assert!(found("榕标试[2020]4号").await.is_empty());
}
