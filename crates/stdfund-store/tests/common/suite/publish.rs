//! Attachments, publications (draft → issued, frozen) and objections.

use stdfund_store::{
    Actor, AttachmentScope, AuditAction, ClaimAction, ClaimStatus, NewAttachment, NewObjection,
    NewPublication, ObjectionOutcome, PublicationEntry, PublicationStatus, StoreError,
};

use crate::common::{
    Harness, admin, approve, audit_of, created, date, filing, later, now, portal, reviewer, today,
    ts, yuan,
};

/// Attachments round-trip byte for byte (every byte value, a large file, an empty one), with
/// their digest; portal users attach only to their own claims.
pub async fn attachments_round_trip<H: Harness>(h: &H) {
    let s = h.store();
    let c = created(s, filing("AT-1", "i1", "portal-a")).await;
    let every_byte: Vec<u8> = (0..=255u8).cycle().take(256 * 40 + 7).collect();
    let big: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut stored = Vec::new();
    for (name, content) in [
        ("bytes.bin", every_byte),
        ("scan.pdf", big),
        ("empty.txt", Vec::new()),
    ] {
        let a = s
            .add_attachment(
                c.id,
                NewAttachment {
                    file_name: name.into(),
                    content_type: "application/octet-stream".into(),
                    content: content.clone(),
                },
                &portal("portal-a"),
                &now(),
            )
            .await
            .unwrap();
        assert_eq!(a.size_bytes, content.len() as i64);
        assert!(a.sha256.starts_with("sha256:") && a.sha256.len() == 71);
        let (meta, back) = s.attachment(a.id).await.unwrap();
        assert_eq!(meta, a);
        assert!(back == content, "{name} did not round-trip byte for byte");
        stored.push(a);
    }
    assert_eq!(
        stored[2].sha256,
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(s.attachments(c.id).await.unwrap(), stored);
    assert_eq!(s.claim(c.id).await.unwrap().attachment_count, 3);
    let other = NewAttachment {
        file_name: "x".into(),
        content_type: "text/plain".into(),
        content: b"x".to_vec(),
    };
    let err = s
        .add_attachment(c.id, other.clone(), &portal("portal-b"), &now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND");
    // Reviewers may attach (e.g. a verification note).
    s.add_attachment(c.id, other.clone(), &reviewer(), &now())
        .await
        .unwrap();
    // The applicant adds nothing to a decided file; the bureau still may.
    let done = created(s, filing("AT-2", "i2", "portal-a")).await;
    s.withdraw(done.id, None, &portal("portal-a"), &later())
        .await
        .unwrap();
    let err = s
        .add_attachment(done.id, other.clone(), &portal("portal-a"), &later())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::InvalidState {
                action: ClaimAction::Attach,
                actual: ClaimStatus::Withdrawn,
                ..
            }
        ),
        "{err:?}"
    );
    s.add_attachment(done.id, other, &reviewer(), &later())
        .await
        .unwrap();
    assert_eq!(s.attachment(999_999).await.unwrap_err().code(), "NOT_FOUND");
    assert_eq!(
        s.attachments(999_999).await.unwrap_err().code(),
        "NOT_FOUND"
    );
    let log = audit_of(s, Some(c.id)).await;
    assert_eq!(
        log.iter()
            .filter(|e| e.action == AuditAction::Attach)
            .count(),
        4
    );
    assert!(
        h.raw("UPDATE attachments SET file_name = 'y'")
            .await
            .is_err()
    );
    assert!(h.raw("DELETE FROM attachments").await.is_err());
}

fn entry(row: i32, claim_id: i64, amount: &str) -> PublicationEntry {
    PublicationEntry {
        row,
        claim_id,
        unit_name: "福州某某科技有限公司".into(),
        credit_code: "91350100M000100Y43".into(),
        fiscal_unit: "350102".into(),
        fiscal_unit_name_zh: "鼓楼区".into(),
        item: "NATIONAL_STANDARD".into(),
        item_name_zh: "国家标准".into(),
        clause: "五(五)1".into(),
        subject: "GB/T 1-2020".into(),
        amount: yuan(amount),
    }
}

fn publication(entries: Vec<PublicationEntry>) -> NewPublication {
    NewPublication {
        title: "2026年标准化资助拟资助名单公示".into(),
        year: 2026,
        fiscal_unit: None,
        period_start: date("2026-04-01"),
        period_end: date("2026-04-10"),
        working_days: 7,
        objection_contact: "0591-00000000".into(),
        entries,
    }
}

/// A draft lists approved claims with their approved amounts; issuing freezes it (the
/// database refuses changes); objections are taken only within the period, for listed claims.
/// An applicant holds at most 30 files on a claim and 300 over its claims,
/// withdrawn ones too (the eighth and ninth attacks filled a claim, then
/// withdrawn claims); the bureau's own files are not counted, so an
/// applicant's 30 do not keep the payment voucher off its claim.
/// A four-byte PNG named `p{n}.png`.
fn tiny(n: usize) -> NewAttachment {
    NewAttachment {
        file_name: format!("p{n}.png"),
        content_type: "image/png".into(),
        content: vec![0x89, b'P', b'N', b'G'],
    }
}

pub async fn attachment_limits<H: Harness>(h: &H) {
    let s = h.store();
    let first = created(s, filing("AL-0", "al-0", "portal-a")).await;
    for n in 0..30 {
        s.add_attachment(first.id, tiny(n), &portal("portal-a"), &now())
            .await
            .unwrap();
    }
    let err = s
        .add_attachment(first.id, tiny(30), &portal("portal-a"), &now())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::AttachmentLimit {
                scope: AttachmentScope::Claim(_),
                files: 30,
                max_files: 30,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "ATTACHMENT_LIMIT");
    s.add_attachment(first.id, tiny(31), &admin(), &now())
        .await
        .unwrap();
    for k in 1..10 {
        let c = created(
            s,
            filing(&format!("AL-{k}"), &format!("al-{k}"), "portal-a"),
        )
        .await;
        for n in 0..30 {
            s.add_attachment(c.id, tiny(n), &portal("portal-a"), &now())
                .await
                .unwrap();
        }
        s.withdraw(c.id, Some("x".into()), &portal("portal-a"), &now())
            .await
            .unwrap();
    }
    let last = created(s, filing("AL-10", "al-10", "portal-a")).await;
    let err = s
        .add_attachment(last.id, tiny(0), &portal("portal-a"), &now())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::AttachmentLimit {
                scope: AttachmentScope::Applicant(_),
                files: 300,
                max_files: 300,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "ATTACHMENT_LIMIT");
    assert!(s.attachments(last.id).await.unwrap().is_empty());
}

/// Files added at once to several claims of one applicant are counted one after the other:
/// with four places left under the applicant's 300, four of twelve go in (PostgreSQL took
/// eight at once, the fourteenth attack on the registry: each add locked only its claim).
pub async fn attachment_limits_hold_under_concurrent_adds<H: Harness>(h: &H) {
    let s = h.store();
    let mut claims = Vec::new();
    for k in 0..12 {
        let c = created(
            s,
            filing(&format!("AR-{k}"), &format!("ar-{k}"), "portal-r"),
        )
        .await;
        // 10 claims of 29 files and 2 of 3: 296 of the applicant's 300.
        let files = if k < 10 { 29 } else { 3 };
        for n in 0..files {
            s.add_attachment(c.id, tiny(n), &portal("portal-r"), &now())
                .await
                .unwrap();
        }
        claims.push(c.id);
    }
    let mut tasks = Vec::new();
    for id in claims.iter().copied() {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.add_attachment(id, tiny(99), &portal("portal-r"), &now())
                .await
        }));
    }
    let (mut added, mut refused) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => added += 1,
            Err(StoreError::AttachmentLimit {
                scope: AttachmentScope::Applicant(_),
                max_files: 300,
                ..
            }) => refused += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((added, refused), (4, 8));
    let mut total = 0;
    for id in claims {
        total += s.attachments(id).await.unwrap().len();
    }
    assert_eq!(total, 300);
    assert!(s.verify_audit().await.unwrap().is_intact());
}

pub async fn publications_and_objections<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("100000"), &admin(), &now())
        .await
        .unwrap();
    let a = created(s, filing("PB-1", "i1", "p")).await;
    let b = created(s, filing("PB-2", "i2", "p")).await;
    let pending = created(s, filing("PB-3", "i3", "p")).await;
    s.review(a.id, approve("300"), &reviewer(), &later())
        .await
        .unwrap();
    s.review(b.id, approve("200.50"), &reviewer(), &later())
        .await
        .unwrap();
    // Refusals at creation: a claim not approved, a wrong amount, bad row numbers.
    let err = s
        .create_publication(
            publication(vec![entry(1, a.id, "300"), entry(2, pending.id, "1")]),
            &admin(),
            &later(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_STATE");
    let err = s
        .create_publication(publication(vec![entry(1, a.id, "299")]), &admin(), &later())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    let err = s
        .create_publication(publication(vec![entry(2, a.id, "300")]), &admin(), &later())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    let draft = s
        .create_publication(
            publication(vec![entry(1, a.id, "300"), entry(2, b.id, "200.50")]),
            &admin(),
            &later(),
        )
        .await
        .unwrap();
    assert_eq!(
        (draft.status, draft.total, draft.entry_count),
        (PublicationStatus::Draft, yuan("500.50"), 2)
    );
    assert_eq!(draft.entries.len(), 2);
    assert!(s.published_claim_ids(2026).await.unwrap().is_empty());
    // Objections wait for the issue.
    let objection = |claim_id, on: &str| NewObjection {
        publication_id: draft.id,
        claim_id,
        received_on: date(on),
        objector: "张三".into(),
        contact: "13800000000".into(),
        content: "该单位未实际参与".into(),
    };
    let err = s
        .record_objection(objection(a.id, "2026-04-02"), &admin(), &later(), today())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");

    // A second draft listing `a` too: whichever is issued first, the other is refused.
    let twin = s
        .create_publication(publication(vec![entry(1, a.id, "300")]), &admin(), &later())
        .await
        .unwrap();
    let t = ts("2026-04-01T00:00:00.000000Z");
    let issued = s.issue_publication(draft.id, &admin(), &t).await.unwrap();
    let err = s
        .issue_publication(twin.id, &admin(), &t)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::AlreadyPublished {
            claim_id: a.id,
            publication_id: draft.id
        }
    );
    // And a new one listing it is refused at once: one 公示 per claim.
    let err = s
        .create_publication(publication(vec![entry(1, a.id, "300")]), &admin(), &later())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ALREADY_PUBLISHED");
    assert_eq!(
        (
            issued.status,
            issued.issued_by.as_deref(),
            issued.issued_at.clone()
        ),
        (PublicationStatus::Issued, Some("adm-1"), Some(t.clone()))
    );
    assert_eq!(issued.entries, draft.entries);
    assert_eq!(
        s.issue_publication(draft.id, &admin(), &t)
            .await
            .unwrap_err(),
        StoreError::PublicationNotDraft { id: draft.id }
    );
    assert_eq!(
        s.published_claim_ids(2026)
            .await
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![a.id, b.id]
    );
    // Frozen in the database.
    for sql in [
        "UPDATE publications SET title = 'x'",
        "UPDATE publications SET status = 'DRAFT'",
        "DELETE FROM publications",
        "UPDATE publication_entries SET amount_fen = 1",
        "DELETE FROM publication_entries",
    ] {
        let err = h.raw(sql).await.expect_err(sql);
        assert!(err.contains("frozen"), "{sql}: {err}");
    }
    let insert = format!(
        "INSERT INTO publication_entries (publication_id, row_no, claim_id, unit_name, credit_code, \
         fiscal_unit, fiscal_unit_name_zh, item, item_name_zh, clause, subject, amount_fen) \
         VALUES ({}, 3, {}, 'u', 'c', 'f', 'f', 'i', 'i', 'c', 's', 1)",
        draft.id, pending.id
    );
    assert!(h.raw(&insert).await.unwrap_err().contains("frozen"));

    // Objections: within the period, for listed claims; resolved once.
    let err = s
        .record_objection(objection(a.id, "2026-04-11"), &admin(), &later(), today())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::ObjectionOutsidePeriod {
            period_start: date("2026-04-01"),
            period_end: date("2026-04-10"),
            received_on: date("2026-04-11")
        }
    );
    assert_eq!(
        s.record_objection(objection(a.id, "2026-03-31"), &admin(), &later(), today())
            .await
            .unwrap_err()
            .code(),
        "OBJECTION_OUTSIDE_PERIOD"
    );
    // Received after today: refused, inside the period or not.
    assert_eq!(
        s.record_objection(
            objection(a.id, "2026-04-03"),
            &admin(),
            &later(),
            date("2026-04-02")
        )
        .await
        .unwrap_err(),
        StoreError::ObjectionInFuture {
            today: date("2026-04-02"),
            received_on: date("2026-04-03")
        }
    );
    assert_eq!(
        s.record_objection(
            objection(pending.id, "2026-04-02"),
            &admin(),
            &later(),
            today()
        )
        .await
        .unwrap_err(),
        StoreError::NotOnPublication {
            publication_id: draft.id,
            claim_id: pending.id
        }
    );
    let o = s
        .record_objection(objection(a.id, "2026-04-10"), &admin(), &later(), today())
        .await
        .unwrap();
    assert_eq!((o.outcome, o.resolution.clone()), (None, None));
    let resolved = s
        .resolve_objection(
            o.id,
            ObjectionOutcome::Dismissed,
            "经核实参与属实".into(),
            &Actor::new("rev-2", "reviewer"),
            &later(),
        )
        .await
        .unwrap();
    assert_eq!(
        (resolved.outcome, resolved.resolved_by.as_deref()),
        (Some(ObjectionOutcome::Dismissed), Some("rev-2"))
    );
    assert_eq!(
        s.resolve_objection(
            o.id,
            ObjectionOutcome::Upheld,
            "x".into(),
            &admin(),
            &later()
        )
        .await
        .unwrap_err(),
        StoreError::ObjectionResolved { id: o.id }
    );
    assert!(h.raw("UPDATE objections SET content = 'x'").await.is_err());
    assert!(h.raw("DELETE FROM objections").await.is_err());
    let full = s.publication(draft.id).await.unwrap();
    assert_eq!(full.objections, vec![resolved]);
    // The refused twin stays a draft beside the issued one.
    let listed: Vec<_> = s
        .publications(Some(2026))
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.id != twin.id)
        .collect();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].entries.is_empty() && listed[0].objections.is_empty());
    assert_eq!(
        (listed[0].entry_count, listed[0].total),
        (2, yuan("500.50"))
    );
    assert_eq!(s.publication(999).await.unwrap_err().code(), "NOT_FOUND");
    let actions: Vec<AuditAction> = audit_of(s, None).await.iter().map(|e| e.action).collect();
    // Two drafts created (the publication and its twin), one issued.
    assert_eq!(
        actions
            .iter()
            .filter(|x| **x == AuditAction::PublicationCreate)
            .count(),
        2
    );
    for a in [
        AuditAction::PublicationIssue,
        AuditAction::ObjectionRecord,
        AuditAction::ObjectionResolve,
    ] {
        assert_eq!(actions.iter().filter(|x| **x == a).count(), 1, "{a}");
    }
}

/// Publications, objections and attachments against the log (`audit verify`): with their
/// guards lifted, an objection's outcome, an issued list's line or title, and an
/// attachment's bytes changed in the database each name the row and what differs; each
/// restore makes the registry intact again; a row no entry wrote is counted, not failed.
pub async fn records_are_compared_with_the_log<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("100000"), &admin(), &now())
        .await
        .unwrap();
    let a = created(s, filing("RV-1", "i1", "p")).await;
    s.review(a.id, approve("300"), &reviewer(), &later())
        .await
        .unwrap();
    let draft = s
        .create_publication(publication(vec![entry(1, a.id, "300")]), &admin(), &later())
        .await
        .unwrap();
    let t = ts("2026-04-01T00:00:00.000000Z");
    let p = s
        .issue_publication(draft.id, &admin(), &t)
        .await
        .unwrap()
        .id;
    let o = s
        .record_objection(
            NewObjection {
                publication_id: p,
                claim_id: a.id,
                received_on: date("2026-04-02"),
                objector: "张三".into(),
                contact: "13800000000".into(),
                content: "该单位未实际参与".into(),
            },
            &admin(),
            &later(),
            today(),
        )
        .await
        .unwrap()
        .id;
    s.resolve_objection(
        o,
        ObjectionOutcome::Upheld,
        "核实不符".into(),
        &reviewer(),
        &later(),
    )
    .await
    .unwrap();
    let file = b"%PDF-1.4 verify".to_vec();
    let at = s
        .add_attachment(
            a.id,
            NewAttachment {
                file_name: "证书.pdf".into(),
                content_type: "application/pdf".into(),
                content: file.clone(),
            },
            &portal("p"),
            &now(),
        )
        .await
        .unwrap()
        .id;
    let v = s.verify_audit().await.unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!((v.records.checked, v.records.unverifiable), (3, 0));
    let unguard = if H::NAME == "sqlite" {
        "DROP TRIGGER publications_frozen; DROP TRIGGER publication_entries_no_update; \
         DROP TRIGGER objections_resolve_once; DROP TRIGGER attachments_no_update; \
         DROP TRIGGER objections_no_delete;"
    } else {
        "ALTER TABLE publications DISABLE TRIGGER ALL; \
         ALTER TABLE publication_entries DISABLE TRIGGER ALL; \
         ALTER TABLE objections DISABLE TRIGGER ALL; ALTER TABLE attachments DISABLE TRIGGER ALL;"
    };
    h.raw(unguard).await.unwrap();
    let bytes = |b: &[u8]| {
        let hex: String = b.iter().map(|b| format!("{b:02X}")).collect();
        if H::NAME == "sqlite" {
            format!("X'{hex}'")
        } else {
            format!("'\\x{hex}'::bytea")
        }
    };
    // The same size, other bytes: the CHECK on the size holds.
    let forged = bytes(b"%PDF-1.4 forged");
    let original = bytes(&file);
    let cases = [
        (
            format!("UPDATE objections SET outcome = 'DISMISSED' WHERE id = {o}"),
            format!("UPDATE objections SET outcome = 'UPHELD' WHERE id = {o}"),
            format!("objection:{o}"),
            "outcome",
        ),
        (
            format!(
                "UPDATE publication_entries SET unit_name = '别的公司' WHERE publication_id = {p}"
            ),
            format!(
                "UPDATE publication_entries SET unit_name = '福州某某科技有限公司' WHERE publication_id = {p}"
            ),
            format!("publication:{p}"),
            "unit_name",
        ),
        (
            format!("UPDATE publications SET objection_contact = '无' WHERE id = {p}"),
            format!("UPDATE publications SET objection_contact = '0591-00000000' WHERE id = {p}"),
            format!("publication:{p}"),
            "objection_contact",
        ),
        (
            format!(
                "UPDATE publication_entries SET fiscal_unit_name_zh = '台江区' WHERE publication_id = {p}"
            ),
            format!(
                "UPDATE publication_entries SET fiscal_unit_name_zh = '鼓楼区' WHERE publication_id = {p}"
            ),
            format!("publication:{p}"),
            "fiscal_unit_name_zh",
        ),
        (
            format!("UPDATE publications SET title = '另一个名单' WHERE id = {p}"),
            format!(
                "UPDATE publications SET title = '2026年标准化资助拟资助名单公示' WHERE id = {p}"
            ),
            format!("publication:{p}"),
            "title",
        ),
        (
            format!("UPDATE attachments SET content = {forged} WHERE id = {at}"),
            format!("UPDATE attachments SET content = {original} WHERE id = {at}"),
            format!("attachment:{at}"),
            "replaced",
        ),
    ];
    for (tamper, restore, target, what) in cases {
        assert_eq!(h.raw(&tamper).await, Ok(1), "{tamper}");
        let v = s.verify_audit().await.unwrap();
        assert!(!v.is_intact(), "{tamper}");
        assert_eq!(v.first_broken, None);
        let (got, why) = v.records.first_diverging.expect("a diverging record");
        assert_eq!(got, target, "{tamper}: {why}");
        assert!(why.contains(what), "{tamper}: {why}");
        assert_eq!(h.raw(&restore).await, Ok(1), "{restore}");
        assert!(s.verify_audit().await.unwrap().is_intact(), "{restore}");
    }
    // The upheld objection switched to dismissed for a payment and switched back: the rows
    // agree with the log again, but the log holds a payment no upheld objection lets pass.
    let flip = |to: &str| format!("UPDATE objections SET outcome = '{to}' WHERE id = {o}");
    assert_eq!(h.raw(&flip("DISMISSED")).await, Ok(1));
    s.disburse(
        a.id,
        crate::common::payment("2026-04-20", "V-9", None),
        &crate::common::finance(),
        &later(),
        date("2026-04-30"),
    )
    .await
    .unwrap();
    assert_eq!(h.raw(&flip("UPHELD")).await, Ok(1));
    let (got, why) = s
        .verify_audit()
        .await
        .unwrap()
        .records
        .first_diverging
        .unwrap();
    assert_eq!(got, format!("objection:{o}"), "{why}");
    assert!(why.contains("while this objection was upheld"), "{why}");
    // Deleted: the log still has it.
    assert_eq!(
        h.raw(&format!("DELETE FROM objections WHERE id = {o}"))
            .await,
        Ok(1)
    );
    let (got, why) = s
        .verify_audit()
        .await
        .unwrap()
        .records
        .first_diverging
        .unwrap();
    assert_eq!(got, format!("objection:{o}"));
    assert!(why.contains("deleted"), "{why}");
}
