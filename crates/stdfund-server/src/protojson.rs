//! The proto3 JSON mapping of the contract's messages, through the served
//! descriptors (`prost-reflect`): field names in lowerCamelCase, fields with
//! default values and empty lists left out, 64-bit integers as strings,
//! enums by name — what `buf curl`, grpcurl or any protobuf JSON printer
//! shows for the same message.
//!
//! `stdfund rules --format json` prints GetCatalog's answer this way, so the
//! command line and the service cannot differ in empty lists or nulls.

use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};
use stdfund_proto::pb;

/// Why a message could not be written as JSON (a bug: the descriptors and
/// the generated code come from the same files).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("proto3 JSON of {message}: {reason}")]
pub struct ProtoJsonError {
    /// The message's full name.
    pub message: String,
    /// What failed.
    pub reason: String,
}

/// The proto3 JSON of `msg`, whose full protobuf name is `full_name`, on
/// one line.
pub fn to_json<M: Message>(msg: &M, full_name: &str) -> Result<String, ProtoJsonError> {
    let fail = |reason: String| ProtoJsonError {
        message: full_name.to_string(),
        reason,
    };
    let pool = DescriptorPool::decode(stdfund_proto::FILE_DESCRIPTOR_SET)
        .map_err(|e| fail(e.to_string()))?;
    let descriptor = pool
        .get_message_by_name(full_name)
        .ok_or_else(|| fail("not in the descriptor set".into()))?;
    let dynamic = DynamicMessage::decode(descriptor, msg.encode_to_vec().as_slice())
        .map_err(|e| fail(e.to_string()))?;
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::new(&mut out);
    dynamic
        .serialize_with_options(&mut serializer, &SerializeOptions::new())
        .map_err(|e| fail(e.to_string()))?;
    String::from_utf8(out).map_err(|e| fail(e.to_string()))
}

/// GetCatalog's answer, as the service builds it.
pub fn catalog_response() -> Result<pb::GetCatalogResponse, stdfund_rules::Error> {
    Ok(stdfund_proto::convert::catalog(
        stdfund_rules::ruleset::embedded()?,
    ))
}

/// The proto3 JSON of [`catalog_response`].
pub fn catalog_json() -> Result<String, String> {
    let response = catalog_response().map_err(|e| e.to_string())?;
    to_json(&response, "stdfund.v1.GetCatalogResponse").map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn catalog_json_leaves_out_defaults_and_keeps_set_optionals() {
        let v: serde_json::Value = serde_json::from_str(&catalog_json().unwrap()).unwrap();
        let doc = &v["rulesets"][0]["document"];
        assert_eq!(doc["id"], "fz-2016");
        // Proto3 JSON has no nulls anywhere.
        fn no_nulls(v: &serde_json::Value) -> bool {
            match v {
                serde_json::Value::Null => false,
                serde_json::Value::Array(a) => a.iter().all(no_nulls),
                serde_json::Value::Object(o) => o.values().all(no_nulls),
                _ => true,
            }
        }
        assert!(no_nulls(&v));
        assert!(v["engineVersion"].is_string());
    }

    /// catalog.proto promises that the proto3 JSON of a `RulesetDocument`
    /// can be passed back as `whatIfRuleset`. That JSON leaves out the
    /// defaults (`levelCheck: false`, an empty `counted`), which the reader
    /// must take as such: the document read back is the same ruleset, with
    /// the same hash, and gives the same answer.
    #[test]
    fn the_catalogue_document_reads_back_as_the_same_ruleset() {
        let v: serde_json::Value = serde_json::from_str(&catalog_json().unwrap()).unwrap();
        let served = &v["rulesets"][0];
        let document = serde_json::to_string(&served["document"]).unwrap();
        // The printer does leave defaults out here, or this test proves nothing.
        assert!(!document.contains("\"levelCheck\":false"));
        assert!(
            served["document"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i.get("levelCheck").is_none())
        );

        let application = include_str!("../../../examples/application.json");
        let normal: serde_json::Value =
            serde_json::from_str(&stdfund_rules::json::estimate_text(application).unwrap())
                .unwrap();
        let what_if: serde_json::Value = serde_json::from_str(
            &stdfund_rules::json::what_if_text(application, &document)
                .unwrap_or_else(|e| panic!("{}", e.to_report().message_en)),
        )
        .unwrap();
        assert_eq!(what_if["whatIf"], true);
        assert_eq!(what_if["receipt"]["rulesets"][0]["hash"], served["hash"]);
        assert_eq!(
            what_if["receipt"]["rulesets"],
            normal["receipt"]["rulesets"]
        );
        assert_eq!(what_if["lines"], normal["lines"]);
        assert_eq!(what_if["total"], normal["total"]);
        assert_eq!(what_if["split"], normal["split"]);
    }
}
