//! Attachments: the type comes from the content (PDF, JPEG, PNG), never the
//! name; at most 10 MiB; the bytes and their SHA-256 come back exactly; a
//! portal sees only its own claims' files.

use crate::registry_support::{self as s, Ach, Env};
use sha2::{Digest, Sha256};
use stdfund_proto::pb;
use tonic::Code;

on_both_backends! {
    files_are_checked_by_content_and_kept_exactly = 35;
    a_portal_sees_only_its_own_files = 36;
    a_claim_holds_at_most_30_files_and_100_mib = 68;
}

/// One applicant cannot fill the registry's disk through one claim (the
/// eighth attack stored 110 files of 1 MiB on one): 30 of its files, 100
/// MiB; the bureau's files are not counted. (Over all of an applicant's
/// claims: `store_suite` `attachment_limits`.)
async fn a_claim_holds_at_most_30_files_and_100_mib(env: Env) {
    let limit = |e: &tonic::Status, files: &str, bytes: &str| {
        let meta = s::expect_error(e, Code::FailedPrecondition, "ATTACHMENT_LIMIT");
        assert_eq!(
            (meta["files"].as_str(), meta["bytes"].as_str()),
            (files, bytes),
            "{meta:?}"
        );
        assert_eq!(
            (meta["maxFiles"].as_str(), meta["maxBytes"].as_str()),
            ("30", "104857600"),
            "{meta:?}"
        );
        assert!(meta["messageZh"].contains("每件申报最多"), "{meta:?}");
    };
    let many = env
        .submit("many", &env.code(1), &Ach::lead("GB/T 68001-2021"))
        .await
        .claim_id;
    let small = s::png();
    for i in 0..30 {
        env.portal()
            .add_attachment(add(many, &format!("第{i}页.png"), small.clone()))
            .await
            .unwrap_or_else(|e| panic!("file {i}: {e:?}"));
    }
    let e = env
        .portal()
        .add_attachment(add(many, "第31页.png", small.clone()))
        .await
        .unwrap_err();
    limit(&e, "30", &small.len().saturating_mul(30).to_string());
    // The bureau's own files are not the applicant's: the payment voucher
    // still goes on (the ninth attack kept it off with 30 small files).
    env.admin()
        .add_attachment(add(many, "凭证.png", small.clone()))
        .await
        .unwrap();

    let large = env
        .submit("large", &env.code(2), &Ach::lead("GB/T 68002-2021"))
        .await
        .claim_id;
    let mut ten = s::pdf("ten");
    ten.resize(10 * MIB - 6, b'x');
    ten.extend(b"%%EOF\n");
    for i in 0..10 {
        env.portal()
            .add_attachment(add(large, &format!("分册{i}.pdf"), ten.clone()))
            .await
            .unwrap_or_else(|e| panic!("part {i}: {e:?}"));
    }
    let e = env
        .portal()
        .add_attachment(add(large, "补充.png", small.clone()))
        .await
        .unwrap_err();
    limit(&e, "10", &(100 * MIB).to_string());
    let listed = env
        .portal()
        .list_attachments(pb::ListAttachmentsRequest { claim_id: large })
        .await
        .unwrap()
        .into_inner()
        .attachments;
    assert_eq!(listed.len(), 10, "nothing stored by the refusal");
}

const MIB: usize = 1024 * 1024;

fn add(claim_id: i64, name: &str, content: Vec<u8>) -> pb::AddAttachmentRequest {
    pb::AddAttachmentRequest {
        claim_id,
        file_name: name.into(),
        content,
    }
}

fn sha256(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    format!(
        "sha256:{}",
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

async fn fetch(c: &mut s::Client, id: i64) -> Result<(pb::Attachment, Vec<u8>), tonic::Status> {
    let r = c
        .get_attachment(pb::GetAttachmentRequest { attachment_id: id })
        .await?
        .into_inner();
    Ok((r.attachment.unwrap(), r.content))
}

async fn files_are_checked_by_content_and_kept_exactly(env: Env) {
    let claim = env
        .submit("c", &env.code(1), &Ach::lead("GB/T 1-2020"))
        .await
        .claim_id;
    // Exactly 10 MiB: the largest file accepted (its end-of-file marker
    // last, as a PDF has it).
    let mut big = s::pdf("big");
    big.resize(10 * MIB - 6, b'x');
    big.extend(b"%%EOF\n");
    let files = [
        ("标准文本.pdf", s::pdf("标准文本"), "application/pdf"),
        ("证书.JPG", s::jpeg(), "image/jpeg"),
        ("scan", s::png(), "image/png"),
        ("全文.pdf", big, "application/pdf"),
    ];
    let mut stored = Vec::new();
    for (name, bytes, kind) in &files {
        let a = env
            .portal()
            .add_attachment(add(claim, name, bytes.clone()))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"))
            .into_inner()
            .attachment
            .unwrap();
        assert_eq!(
            (a.file_name.as_str(), a.content_type.as_str()),
            (*name, *kind),
            "typed by content"
        );
        assert_eq!(a.size_bytes, i64::try_from(bytes.len()).unwrap());
        assert_eq!(a.sha256, sha256(bytes));
        assert_eq!((a.claim_id, a.uploaded_by.as_str()), (claim, "gateway"));
        assert!(a.uploaded_at.is_some());
        stored.push(a);
    }

    // Refused: by content, by size, by name.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec();
    exe.extend([0u8; 512]);
    let mut too_big = s::pdf("too big");
    too_big.resize(10 * MIB + 1, b'x');
    let refused = [
        (
            add(claim, "setup.pdf", exe),
            "UNSUPPORTED_FILE_TYPE",
            "content",
        ),
        (
            add(
                claim,
                "page.pdf",
                b"<html><body>%PDF-</body></html>".to_vec(),
            ),
            "UNSUPPORTED_FILE_TYPE",
            "content",
        ),
        // A magic number before a web page is no PDF (the sixth attack).
        (
            add(
                claim,
                "审核须知.pdf",
                b"%PDF-\n<html><form action=https://x.invalid><script></script></html>".to_vec(),
            ),
            "UNSUPPORTED_FILE_TYPE",
            "content",
        ),
        // A name that promises another type than the content: the
        // reviewer's browser would save and open it by its name.
        (
            add(claim, "审核须知.html", s::pdf("x")),
            "INVALID_FILE_NAME",
            "file_name",
        ),
        (
            add(claim, "营业执照.pdf.hta", s::pdf("x")),
            "INVALID_FILE_NAME",
            "file_name",
        ),
        (
            add(claim, "证书.png", s::jpeg()),
            "INVALID_FILE_NAME",
            "file_name",
        ),
        (
            add(claim, "big.pdf", too_big),
            "ATTACHMENT_TOO_LARGE",
            "content",
        ),
        (
            add(claim, "empty.pdf", Vec::new()),
            "MISSING_FIELD",
            "content",
        ),
        (
            add(claim, "../etc/passwd.pdf", s::pdf("x")),
            "INVALID_FILE_NAME",
            "file_name",
        ),
        (add(claim, " ", s::pdf("x")), "MISSING_FIELD", "file_name"),
        (
            add(claim, &"长".repeat(201), s::pdf("x")),
            "FIELD_TOO_LONG",
            "file_name",
        ),
    ];
    for (req, reason, field) in refused {
        let e = env.portal().add_attachment(req).await.unwrap_err();
        let m = s::expect_error(&e, Code::InvalidArgument, reason);
        assert_eq!(m["field"], field, "{reason}");
    }

    // Listed oldest first, without content; read back byte for byte.
    let list = env
        .reviewer()
        .list_attachments(pb::ListAttachmentsRequest { claim_id: claim })
        .await
        .unwrap()
        .into_inner()
        .attachments;
    assert_eq!(list, stored);
    for (a, (_, bytes, _)) in stored.iter().zip(&files) {
        let (meta, content) = fetch(&mut env.finance(), a.attachment_id).await.unwrap();
        assert_eq!(&meta, a);
        assert!(content == *bytes, "{} comes back exactly", a.file_name);
        assert_eq!(sha256(&content), a.sha256);
    }
    let e = fetch(&mut env.admin(), i64::MAX).await.unwrap_err();
    s::expect_error(&e, Code::NotFound, "NOT_FOUND");
    let h = env.history(claim).await;
    let attach: Vec<&pb::AuditEntry> = h
        .iter()
        .filter(|e| e.action == pb::AuditAction::Attach as i32)
        .collect();
    assert_eq!(attach.len(), 4);
    assert_eq!(
        attach[0].target,
        format!("attachment:{}", stored[0].attachment_id)
    );
    assert!(attach[0].after_json.contains(&stored[0].sha256));
}

async fn a_portal_sees_only_its_own_files(env: Env) {
    let mine = env
        .submit("mine", &env.code(1), &Ach::lead("GB/T 1-2020"))
        .await
        .claim_id;
    let a = env
        .portal()
        .add_attachment(add(mine, "a.pdf", s::pdf("a")))
        .await
        .unwrap()
        .into_inner()
        .attachment
        .unwrap();
    let theirs = env
        .portal2()
        .submit_claim(env.submit_req(
            "theirs",
            s::application(&env.code(2), &Ach::lead("GB/T 2-2020")),
        ))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap()
        .claim_id;
    let b = env
        .portal2()
        .add_attachment(add(theirs, "b.png", s::png()))
        .await
        .unwrap()
        .into_inner()
        .attachment
        .unwrap();

    // Each portal: the other's claim and files do not exist.
    for (client, other_claim, other_file) in [
        (env.portal2(), mine, a.attachment_id),
        (env.portal(), theirs, b.attachment_id),
    ] {
        let mut c = client;
        let e = c
            .add_attachment(add(other_claim, "x.pdf", s::pdf("x")))
            .await
            .unwrap_err();
        s::expect_error(&e, Code::NotFound, "NOT_FOUND");
        let e = c
            .list_attachments(pb::ListAttachmentsRequest {
                claim_id: other_claim,
            })
            .await
            .unwrap_err();
        s::expect_error(&e, Code::NotFound, "NOT_FOUND");
        let e = fetch(&mut c, other_file).await.unwrap_err();
        s::expect_error(&e, Code::NotFound, "NOT_FOUND");
    }
    // Its own, yes.
    let (meta, content) = fetch(&mut env.portal(), a.attachment_id).await.unwrap();
    assert_eq!((meta, content), (a.clone(), s::pdf("a")));
    // Reviewers, finance and administrators see every claim's files; an
    // administrator may attach to any claim.
    for mut c in [env.reviewer(), env.finance(), env.admin()] {
        let list = c
            .list_attachments(pb::ListAttachmentsRequest { claim_id: theirs })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(list.attachments, std::slice::from_ref(&b));
        assert_eq!(fetch(&mut c, a.attachment_id).await.unwrap().1, s::pdf("a"));
    }
    let by_admin = env
        .admin()
        .add_attachment(add(theirs, "补充.jpg", s::jpeg()))
        .await
        .unwrap()
        .into_inner()
        .attachment
        .unwrap();
    assert_eq!(by_admin.uploaded_by, "admin-chen");
    let list = env
        .portal2()
        .list_attachments(pb::ListAttachmentsRequest { claim_id: theirs })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.attachments, [b, by_admin]);
    // Nothing was stored by the refused calls.
    let list = env
        .portal()
        .list_attachments(pb::ListAttachmentsRequest { claim_id: mine })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.attachments, [a]);
}
