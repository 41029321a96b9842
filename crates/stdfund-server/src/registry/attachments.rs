//! Attachments (申报材料): files an applicant attaches to a claim. The type
//! is read from the content, never from the name (PDF, JPEG or PNG only);
//! the size is bounded; the store keeps the bytes, their SHA-256 and who
//! uploaded them, in the registry database on both backends.

use super::{Registry, actor, convert, input};
use crate::auth::Principal;
use crate::registry_error::RegistryError;
use stdfund_proto::pb;
use stdfund_store::NewAttachment;

/// The largest file accepted, bytes (10 MiB).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Longest file name, characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;

/// The PNG signature.
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// The last chunk of every PNG: length 0, `IEND`, its CRC.
const PNG_END: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];

/// The media type of a file read from its content, when it is one the
/// registry accepts: a PDF begins with `%PDF-` and has its end-of-file
/// marker `%%EOF` in its last 1,024 bytes (where readers look for it); a PNG
/// begins with its signature and ends with its `IEND` chunk; a JPEG begins
/// with a start-of-image marker followed by another marker. Five bytes of
/// `%PDF-` before an HTML page are no PDF (found by attacking the registry,
/// 2026-12-05).
pub fn sniff(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(b"%PDF-") {
        let tail = content
            .len()
            .checked_sub(1024)
            .and_then(|from| content.get(from..))
            .unwrap_or(content);
        tail.windows(5)
            .any(|w| w == b"%%EOF")
            .then_some("application/pdf")
    } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if content.starts_with(&PNG_SIGNATURE) && content.ends_with(&PNG_END) {
        Some("image/png")
    } else {
        None
    }
}

/// The file-name extensions that name a media type [`sniff`] gives, the
/// first being the one a name without any gets.
pub fn extensions(content_type: &str) -> &'static [&'static str] {
    match content_type {
        "application/pdf" => &["pdf"],
        "image/jpeg" => &["jpg", "jpeg", "jpe", "jfif"],
        "image/png" => &["png"],
        _ => &[],
    }
}

/// A file name's extension (after its last dot), when it has one.
fn extension(file_name: &str) -> Option<&str> {
    file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.trim())
        .filter(|ext| !ext.is_empty())
}

/// A file name whose extension names another type than the content is
/// refused: a reviewer's browser saves and opens the file by its name, so
/// `审核须知.html`, `营业执照.pdf.html` or `run.hta` holding a PDF would be
/// opened as a web page or a program (found by attacking the registry,
/// 2026-12-05). Any case is accepted (`扫描件.JPG`); a name without an
/// extension is kept as typed (the workbench adds one when saving it).
fn name_fits(file_name: &str, content_type: &str) -> Result<(), RegistryError> {
    let Some(ext) = extension(file_name) else {
        return Ok(());
    };
    let allowed = extensions(content_type);
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(ext)) {
        return Ok(());
    }
    let kind = match content_type {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPEG",
        _ => "PNG",
    };
    let want = allowed.first().copied().unwrap_or("pdf");
    let shown: String = ext.chars().take(20).collect();
    Err(RegistryError::invalid(
        "INVALID_FILE_NAME",
        "file_name",
        format!("文件内容是{kind},文件名却以.{shown}结尾:请把文件名改为以.{want}结尾"),
        format!(
            "the file is a {kind} but its name ends in .{shown}: name it with .{want} at the end"
        ),
    ))
}

impl Registry {
    /// AddAttachment.
    pub async fn attach(
        &self,
        who: &Principal,
        req: pb::AddAttachmentRequest,
    ) -> Result<pb::AddAttachmentResponse, RegistryError> {
        let claim = self.visible_claim(who, req.claim_id).await?;
        let file_name = input::text(
            &req.file_name,
            "file_name",
            true,
            MAX_FILE_NAME_CHARS,
            "文件名",
            "file name",
        )?;
        if file_name.contains(['/', '\\']) {
            return Err(RegistryError::invalid(
                "INVALID_FILE_NAME",
                "file_name",
                "文件名不能包含路径分隔符",
                "the file name may not contain a path separator",
            ));
        }
        if req.content.is_empty() {
            return Err(RegistryError::missing("content"));
        }
        if req.content.len() > MAX_ATTACHMENT_BYTES {
            return Err(RegistryError::invalid(
                "ATTACHMENT_TOO_LARGE",
                "content",
                format!("文件超过{}MB", MAX_ATTACHMENT_BYTES / (1024 * 1024)),
                format!(
                    "the file is larger than {} MiB",
                    MAX_ATTACHMENT_BYTES / (1024 * 1024)
                ),
            ));
        }
        let content_type = sniff(&req.content).ok_or_else(|| {
            RegistryError::invalid(
                "UNSUPPORTED_FILE_TYPE",
                "content",
                "只接受PDF、JPEG或PNG文件(按文件内容判断)",
                "only PDF, JPEG and PNG files are accepted (judged by their content)",
            )
        })?;
        name_fits(&file_name, content_type)?;
        let now = self.now()?;
        let a = self
            .inner
            .store
            .add_attachment(
                claim.id,
                NewAttachment {
                    file_name,
                    content_type: content_type.to_string(),
                    content: req.content,
                },
                &actor(who),
                &now,
            )
            .await?;
        tracing::info!(
            claim_id = claim.id,
            attachment_id = a.id,
            bytes = a.size_bytes,
            "attachment stored"
        );
        Ok(pb::AddAttachmentResponse {
            attachment: Some(convert::attachment(&a)),
        })
    }

    /// ListAttachments.
    pub async fn list_attachments(
        &self,
        who: &Principal,
        req: pb::ListAttachmentsRequest,
    ) -> Result<pb::ListAttachmentsResponse, RegistryError> {
        let claim = self.visible_claim(who, req.claim_id).await?;
        let list = self.inner.store.attachments(claim.id).await?;
        Ok(pb::ListAttachmentsResponse {
            attachments: list.iter().map(convert::attachment).collect(),
        })
    }

    /// GetAttachment.
    pub async fn get_attachment(
        &self,
        who: &Principal,
        req: pb::GetAttachmentRequest,
    ) -> Result<pb::GetAttachmentResponse, RegistryError> {
        let id = input::id(req.attachment_id, "attachment_id")?;
        let (a, content) = self.inner.store.attachment(id).await?;
        // A portal token reads only its own claims' files.
        self.visible_claim(who, a.claim_id).await.map_err(|_| {
            RegistryError::Store(stdfund_store::StoreError::NotFound {
                what: "attachment",
                id: id.to_string(),
            })
        })?;
        Ok(pb::GetAttachmentResponse {
            attachment: Some(convert::attachment(&a)),
            content,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(sniff(b"%PDF-1.7\n...\n%%EOF\n"), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(&PNG_END);
        assert_eq!(sniff(&png), Some("image/png"));
        assert_eq!(sniff(b"MZ\x90\x00"), None, "an executable");
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(b""), None);
        // The sixth attack: a magic number before something else.
        assert_eq!(sniff(b"%PDF-"), None);
        assert_eq!(
            sniff(b"%PDF-\n<html><script>alert(1)</script></html>"),
            None
        );
        let mut far = b"%PDF-1.4\n%%EOF\n".to_vec();
        far.extend(std::iter::repeat_n(b' ', 2000));
        assert_eq!(sniff(&far), None, "%%EOF not at the end");
        assert_eq!(sniff(&PNG_SIGNATURE), None, "a PNG without its end");
    }

    #[test]
    fn a_name_must_not_promise_another_type() {
        for ok in [
            "营业执照.pdf",
            "营业执照.PDF",
            "营业执照",
            "scan.jpeg",
            "scan.JPG",
            "a.b.png",
        ] {
            let ty = if ok.ends_with("pdf") || ok.ends_with("PDF") || ok == "营业执照" {
                "application/pdf"
            } else if ok.ends_with("png") {
                "image/png"
            } else {
                "image/jpeg"
            };
            assert!(name_fits(ok, ty).is_ok(), "{ok}");
        }
        for bad in [
            "审核须知.html",
            "营业执照.pdf.html",
            "补充材料.svg",
            "run.hta",
            "x.png",
        ] {
            match name_fits(bad, "application/pdf") {
                Err(RegistryError::Invalid(i)) => assert_eq!(i.code, "INVALID_FILE_NAME", "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
