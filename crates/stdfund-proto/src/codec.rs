//! The codec of the generated servers: prost's, except that a request which
//! does not decode is the caller's fault.
//!
//! tonic's `ProstCodec` answers an undecodable message `INTERNAL` (gRPC's
//! status-code table lists "error parsing request proto" so). For an
//! operator `INTERNAL` means a fault of the server, and alerts fire on it;
//! anyone who can reach the port could fire them with a few bad bytes. So
//! the servers of `stdfund.v1` are generated with [`ServerCodec`]
//! (`tonic-prost-build`'s `codec_path`): encoding is prost's, and a decode
//! error (a truncated varint, a wrong wire type, invalid UTF-8 in a string
//! field, a length past the end, …) is `INVALID_ARGUMENT` with the
//! project's error details: `google.rpc.ErrorInfo` reason
//! [`MALFORMED_MESSAGE`], domain `stdfund.v1`, metadata `field` (empty),
//! `messageZh` and `messageEn`, and a `zh-CN` and an `en-US`
//! `google.rpc.LocalizedMessage`.
//!
//! The clients keep prost's codec: an answer a client cannot decode is not
//! the client's fault.
//!
//! [`EncodedCodec`] serves answers that are already protobuf bytes
//! ([`Encoded`], written by [`crate::wire`] on the thread that computed
//! them): the connection's task only copies them into the gRPC frame. Its
//! requests stay bytes ([`RawMessage`]) until that thread reads them
//! ([`crate::direct`]).

use prost::Message;
use prost::bytes::BufMut;
use std::collections::HashMap;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::{Code, Status};
use tonic_prost::{ProstCodec, ProstDecoder, ProstEncoder};
use tonic_types::{ErrorDetail, ErrorInfo, LocalizedMessage, StatusExt};

/// The `ErrorInfo` reason of a request message that does not decode.
pub const MALFORMED_MESSAGE: &str = "MALFORMED_MESSAGE";

/// The servers' codec: [`ProstCodec`] with decode errors as
/// `INVALID_ARGUMENT` (reason [`MALFORMED_MESSAGE`]).
#[derive(Debug, Clone)]
pub struct ServerCodec<T, U> {
    inner: ProstCodec<T, U>,
}

impl<T, U> Default for ServerCodec<T, U> {
    fn default() -> Self {
        ServerCodec {
            inner: ProstCodec::default(),
        }
    }
}

impl<T, U> Codec for ServerCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = ServerDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        self.inner.encoder()
    }

    fn decoder(&mut self) -> Self::Decoder {
        ServerDecoder {
            inner: self.inner.decoder(),
        }
    }
}

/// An answer already encoded as the protobuf bytes of its message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Encoded(pub Vec<u8>);

/// A request message's bytes as received, read later on the thread that
/// answers it ([`crate::direct`], with prost for what that declines; a
/// message prost cannot decode is then answered with [`malformed`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawMessage(pub prost::bytes::Bytes);

/// A server codec whose answers are [`Encoded`] bytes and whose requests are
/// kept as [`RawMessage`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct EncodedCodec;

impl Codec for EncodedCodec {
    type Encode = Encoded;
    type Decode = RawMessage;
    type Encoder = EncodedEncoder;
    type Decoder = RawDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        EncodedEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawDecoder
    }
}

/// Takes a request message's bytes as they are (no copy: the frame's
/// buffer is split off).
#[derive(Debug, Clone, Copy)]
pub struct RawDecoder;

impl Decoder for RawDecoder {
    type Item = RawMessage;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<RawMessage>, Status> {
        use prost::bytes::Buf;
        let len = buf.remaining();
        Ok(Some(RawMessage(buf.copy_to_bytes(len))))
    }
}

/// Decodes a request with prost, its error as [`ServerDecoder`] gives it.
pub fn decode<U: Message + Default>(raw: &RawMessage) -> Result<U, Status> {
    U::decode(raw.0.clone()).map_err(|e| malformed(&e.to_string()))
}

/// Writes [`Encoded`] bytes into the frame as they are.
#[derive(Debug, Clone, Copy)]
pub struct EncodedEncoder;

impl Encoder for EncodedEncoder {
    type Item = Encoded;
    type Error = Status;

    fn encode(&mut self, item: Encoded, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item.0);
        Ok(())
    }
}

/// Decodes a request with prost; an error is [`malformed`].
#[derive(Debug, Clone)]
pub struct ServerDecoder<U> {
    inner: ProstDecoder<U>,
}

impl<U: Message + Default> Decoder for ServerDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        self.inner.decode(buf).map_err(|e| malformed(e.message()))
    }

    fn buffer_settings(&self) -> BufferSettings {
        self.inner.buffer_settings()
    }
}

/// `INVALID_ARGUMENT` for a request that is not a valid protobuf encoding
/// of the method's message; `cause` is prost's description.
pub fn malformed(cause: &str) -> Status {
    caller_fault(
        "请求消息不是该方法所需消息的有效protobuf编码,无法解码".to_string(),
        format!(
            "the request message is not a valid protobuf encoding of the method's message and \
             cannot be decoded ({cause})"
        ),
    )
}

/// `INVALID_ARGUMENT` (reason [`MALFORMED_MESSAGE`]) for a request whose
/// gRPC framing is broken (a frame cut short, an unknown flag, a compressed
/// frame without `grpc-encoding`); `cause` is tonic's description. The
/// server rewrites tonic's own `INTERNAL` for these into this.
pub fn malformed_frame(cause: &str) -> Status {
    caller_fault(
        "请求不是有效的gRPC消息帧,无法读取".to_string(),
        format!("the request is not a valid gRPC message frame and cannot be read ({cause})"),
    )
}

/// `INVALID_ARGUMENT` `MALFORMED_MESSAGE` for a unary call whose request
/// stream ends without a message (an empty body), which tonic answers
/// `INTERNAL` "Missing request message.": the caller sent nothing to read.
pub fn missing_message() -> Status {
    caller_fault(
        "请求中没有消息:每次调用须带一条请求消息".to_string(),
        "the request carries no message: a call takes exactly one request message".to_string(),
    )
}

/// The `ErrorInfo` reason of a request message larger than the server
/// accepts (`max_message_bytes`).
pub const MESSAGE_TOO_LARGE: &str = "MESSAGE_TOO_LARGE";

/// `OUT_OF_RANGE` (reason [`MESSAGE_TOO_LARGE`], metadata `foundBytes` and
/// `limitBytes`) for a request message of `found` bytes over the server's
/// limit of `limit`. The server rewrites tonic's own status for it (the same
/// code, with a message only) into this, so that the refusal has a stable
/// reason and Chinese words like every other.
pub fn message_too_large(found: u64, limit: u64) -> Status {
    fault(
        Code::OutOfRange,
        MESSAGE_TOO_LARGE,
        format!("请求消息过大({found}字节),超过服务器上限{limit}字节"),
        format!("the request message is {found} bytes, over the server's limit of {limit} bytes"),
        [
            ("foundBytes".to_string(), found.to_string()),
            ("limitBytes".to_string(), limit.to_string()),
        ],
    )
}

/// A compressed request message whose content, decompressed, would pass the
/// server's limit of `limit` bytes: refused as [`message_too_large`] is
/// (`OUT_OF_RANGE`, reason `MESSAGE_TOO_LARGE`), with the limit only — the
/// decompression stops at the limit, so the size it would reach is unknown.
pub fn decompressed_message_too_large(limit: u64) -> Status {
    fault(
        Code::OutOfRange,
        MESSAGE_TOO_LARGE,
        format!("请求消息解压后超过服务器上限{limit}字节"),
        format!("the request message, decompressed, is over the server's limit of {limit} bytes"),
        [("limitBytes".to_string(), limit.to_string())],
    )
}

/// Reason of a request compressed with an encoding the server does not read.
pub const UNSUPPORTED_ENCODING: &str = "UNSUPPORTED_ENCODING";
/// Reason of a call to a method the server does not have.
pub const METHOD_NOT_FOUND: &str = "METHOD_NOT_FOUND";
/// Reason of a call whose `content-type` is not protobuf gRPC.
pub const UNSUPPORTED_CONTENT_TYPE: &str = "UNSUPPORTED_CONTENT_TYPE";

/// A call sent with a `content-type` other than `application/grpc` or
/// `application/grpc+proto` (the server speaks protobuf only; grpc-web
/// arrives translated to `application/grpc`). `UNIMPLEMENTED`; the server
/// answers it with HTTP 415, as gRPC's HTTP/2 protocol asks.
pub fn unsupported_content_type(content_type: &str) -> Status {
    let shown = if content_type.is_empty() {
        "(none)"
    } else {
        content_type
    };
    fault(
        Code::Unimplemented,
        UNSUPPORTED_CONTENT_TYPE,
        format!(
            "请求的content-type`{shown}`不是服务端可读的格式:请用application/grpc(protobuf),浏览器可用application/grpc-web"
        ),
        format!(
            "the request's content-type `{shown}` is not one the server reads: use application/grpc (protobuf), or application/grpc-web from a browser"
        ),
        [("contentType".to_string(), content_type.to_string())],
    )
}

/// A request compressed with `encoding`, which the server does not read
/// (`UNIMPLEMENTED`; the answer's `grpc-accept-encoding` lists what it does).
pub fn unsupported_encoding(encoding: &str) -> Status {
    fault(
        Code::Unimplemented,
        UNSUPPORTED_ENCODING,
        format!("请求使用了服务端不支持的压缩方式`{encoding}`;可用gzip压缩或不压缩"),
        format!(
            "the request is compressed with `{encoding}`, which the server does not read; use gzip or no compression"
        ),
        [("encoding".to_string(), encoding.to_string())],
    )
}

/// A call to a method no service of the server has (`UNIMPLEMENTED`).
pub fn method_not_found() -> Status {
    fault(
        Code::Unimplemented,
        METHOD_NOT_FOUND,
        "服务端没有所调用的方法:请检查服务名和方法名是否与契约stdfund.v1一致".to_string(),
        "the server has no such method: check the service and method names against the stdfund.v1 contract".to_string(),
        [],
    )
}

fn caller_fault(zh: String, en: String) -> Status {
    fault(Code::InvalidArgument, MALFORMED_MESSAGE, zh, en, [])
}

fn fault<const N: usize>(
    code: Code,
    reason: &str,
    zh: String,
    en: String,
    figures: [(String, String); N],
) -> Status {
    let mut metadata = HashMap::from([
        ("field".to_string(), String::new()),
        ("messageZh".to_string(), zh.clone()),
        ("messageEn".to_string(), en.clone()),
    ]);
    metadata.extend(figures);
    Status::with_error_details_vec(
        code,
        en.clone(),
        [
            ErrorDetail::ErrorInfo(ErrorInfo::new(reason, crate::ERROR_DOMAIN, metadata)),
            ErrorDetail::LocalizedMessage(LocalizedMessage::new("zh-CN", zh)),
            ErrorDetail::LocalizedMessage(LocalizedMessage::new("en-US", en)),
        ],
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_malformed_message_is_invalid_argument_with_its_reason() {
        let s = malformed("buffer underflow");
        assert_eq!(s.code(), Code::InvalidArgument);
        assert!(s.message().contains("buffer underflow"), "{}", s.message());
        let details = s.get_error_details_vec();
        let info = details
            .iter()
            .find_map(|d| match d {
                ErrorDetail::ErrorInfo(i) => Some(i),
                _ => None,
            })
            .unwrap();
        assert_eq!(info.reason, MALFORMED_MESSAGE);
        assert_eq!(info.domain, "stdfund.v1");
        assert!(
            info.metadata
                .get("messageZh")
                .is_some_and(|m| !m.is_empty())
        );
        let locales: Vec<&str> = details
            .iter()
            .filter_map(|d| match d {
                ErrorDetail::LocalizedMessage(m) => Some(m.locale.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(locales, ["zh-CN", "en-US"]);
    }
}
