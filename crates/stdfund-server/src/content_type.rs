//! Calls that are not protobuf gRPC are refused, not guessed at.
//!
//! tonic serves any POST on a method's path as protobuf gRPC whatever its
//! `content-type`: a JSON body sent with `application/json`, or a client
//! asking for `application/grpc+json`, got its bytes read as protobuf and,
//! when they happened to decode, an answer with `grpc-status: 0`. gRPC's
//! HTTP/2 protocol says a server should answer HTTP 415 to a content type
//! that does not begin with `application/grpc`, so that no other HTTP client
//! reads a gRPC error (HTTP 200) as a success. [`ContentTypeLayer`] does
//! that, and refuses a codec other than protobuf the same way: HTTP 415 with
//! the gRPC status `UNIMPLEMENTED`, reason `UNSUPPORTED_CONTENT_TYPE`
//! ([`stdfund_proto::codec::unsupported_content_type`]) in its headers, so
//! gRPC clients, the access log and the metrics all see why.
//!
//! It sits inside tonic-web's layer, which hands grpc-web calls on as
//! `application/grpc`; the workbench's own HTTP routes never reach it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, StatusCode, header};
use http_body_util::{Either, Empty};
use tower_layer::Layer;
use tower_service::Service;

/// The longest content type quoted back in a refusal.
const QUOTED_MAX: usize = 100;

/// Whether a `content-type` value names protobuf gRPC:
/// `application/grpc` or `application/grpc+proto`, any case, with or
/// without parameters.
pub fn is_protobuf_grpc(value: &str) -> bool {
    let media = value.split(';').next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/grpc")
        || media.eq_ignore_ascii_case("application/grpc+proto")
}

/// The refusal of a call with these headers, if it is one.
fn refusal(headers: &HeaderMap) -> Option<tonic::Status> {
    let value = match headers.get(header::CONTENT_TYPE) {
        None => String::new(),
        Some(v) => match v.to_str() {
            Ok(s) if is_protobuf_grpc(s) => return None,
            Ok(s) => s.chars().take(QUOTED_MAX).collect(),
            Err(_) => "(not text)".to_owned(),
        },
    };
    Some(stdfund_proto::codec::unsupported_content_type(&value))
}

/// The layer (see the module's documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct ContentTypeLayer;

impl<S> Layer<S> for ContentTypeLayer {
    type Service = ContentType<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ContentType { inner }
    }
}

/// The service [`ContentTypeLayer`] makes.
#[derive(Debug, Clone)]
pub struct ContentType<S> {
    inner: S,
}

type Refused = http::Response<Empty<Bytes>>;

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for ContentType<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
{
    type Response = http::Response<Either<ResBody, Empty<Bytes>>>;
    type Error = S::Error;
    type Future = Answer<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<ReqBody>) -> Self::Future {
        match refusal(req.headers()) {
            Some(status) => {
                let mut refused: Refused = status.into_http();
                *refused.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
                Answer::Refused {
                    refused: Some(refused),
                }
            }
            None => Answer::Served {
                future: self.inner.call(req),
            },
        }
    }
}

pub use answer::Answer;

mod answer {
    // pin-project-lite takes no documentation on an enum's fields.
    #![allow(missing_docs)]
    use super::Refused;
    use pin_project_lite::pin_project;

    pin_project! {
        /// The inner service's answer (`Served`), or the refusal, taken
        /// when answered (`Refused`).
        #[project = AnswerProj]
        pub enum Answer<F> {
            Served { #[pin] future: F },
            Refused { refused: Option<Refused> },
        }
    }
    pub(super) use AnswerProj as Proj;
}

impl<F, ResBody, E> Future for Answer<F>
where
    F: Future<Output = Result<http::Response<ResBody>, E>>,
{
    type Output = Result<http::Response<Either<ResBody, Empty<Bytes>>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            answer::Proj::Served { future } => future
                .poll(cx)
                .map(|r| r.map(|resp| resp.map(Either::Left))),
            answer::Proj::Refused { refused } => match refused.take() {
                Some(resp) => Poll::Ready(Ok(resp.map(Either::Right))),
                // Polled again after it answered: a broken caller; answer
                // the same refusal rather than panic.
                None => {
                    let again: Refused =
                        stdfund_proto::codec::unsupported_content_type("").into_http();
                    Poll::Ready(Ok(again.map(Either::Right)))
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn protobuf_grpc_is_recognised_with_any_case_and_parameters() {
        for ok in [
            "application/grpc",
            "application/grpc+proto",
            "Application/GRPC",
            "application/grpc; charset=utf-8",
            "application/grpc+proto ;x=y",
        ] {
            assert!(is_protobuf_grpc(ok), "{ok}");
        }
        for bad in [
            "",
            "application/json",
            "application/grpc+json",
            "application/grpcx",
            "text/plain",
            "application/grpc-web",
        ] {
            assert!(!is_protobuf_grpc(bad), "{bad}");
        }
    }

    #[test]
    fn a_refusal_names_the_content_type_and_is_unimplemented() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        let s = refusal(&h).unwrap();
        assert_eq!(s.code(), tonic::Code::Unimplemented);
        assert!(s.message().contains("application/json"), "{}", s.message());
        h.insert(header::CONTENT_TYPE, "application/grpc".parse().unwrap());
        assert!(refusal(&h).is_none());
        h.remove(header::CONTENT_TYPE);
        assert!(refusal(&h).unwrap().message().contains("(none)"));
    }
}
