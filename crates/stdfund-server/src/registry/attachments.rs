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

/// The media type of a file read from its first bytes, when it is one the
/// registry accepts.
pub fn sniff(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if content.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
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
    use super::sniff;

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some("image/png")
        );
        assert_eq!(sniff(b"MZ\x90\x00"), None, "an executable");
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(b""), None);
    }
}
