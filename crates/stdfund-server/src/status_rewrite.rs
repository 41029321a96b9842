//! One tower layer for the layers that edit a call's gRPC status on its way
//! out ([`crate::locale`], [`crate::framing`]).
//!
//! Below grpc-web every answer is gRPC: the status of a trailers-only answer
//! is in the response headers, that of a full answer (or a stream) in the
//! trailers. [`StatusRewriteLayer`] hands both to a [`StatusRewrite`], which
//! first looks at the request's headers (the caller's language, say) and
//! may decline the call, then edits the status headers in place.

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// An edit of the gRPC status of the calls it takes.
pub trait StatusRewrite: Clone + Send + 'static {
    /// What the edit keeps of a request (e.g. the caller's language).
    type Call: Clone + Send + std::fmt::Debug + 'static;

    /// Whether (and how) to edit the answer to a request with these
    /// headers; `None` leaves the answer alone.
    fn begin(&self, request: &HeaderMap) -> Option<Self::Call>;

    /// Edits a status in `headers` (response headers of a trailers-only
    /// answer, or trailers); headers without a status are left alone.
    fn rewrite(call: &Self::Call, headers: &mut HeaderMap);
}

/// The layer applying a [`StatusRewrite`] to every call.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatusRewriteLayer<R>(pub R);

impl<S, R: Clone> Layer<S> for StatusRewriteLayer<R> {
    type Service = StatusRewriteService<S, R>;

    fn layer(&self, inner: S) -> Self::Service {
        StatusRewriteService {
            inner,
            rewrite: self.0.clone(),
        }
    }
}

/// The service [`StatusRewriteLayer`] makes.
#[derive(Debug, Clone)]
pub struct StatusRewriteService<S, R> {
    inner: S,
    rewrite: R,
}

impl<S, R, ReqBody, ResBody> Service<http::Request<ReqBody>> for StatusRewriteService<S, R>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
    R: StatusRewrite,
{
    type Response = http::Response<StatusRewriteBody<ResBody, R>>;
    type Error = S::Error;
    type Future =
        Pin<Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<ReqBody>) -> Self::Future {
        let call = self.rewrite.begin(req.headers());
        let fut = self.inner.call(req);
        Box::pin(async move {
            let resp = fut.await?;
            let (mut parts, body) = resp.into_parts();
            if let Some(c) = &call {
                R::rewrite(c, &mut parts.headers);
            }
            Ok(http::Response::from_parts(
                parts,
                StatusRewriteBody {
                    inner: body,
                    call,
                    _rewrite: std::marker::PhantomData,
                },
            ))
        })
    }
}

pin_project! {
    /// A response body whose trailers get the same edit.
    #[derive(Debug)]
    pub struct StatusRewriteBody<B, R: StatusRewrite> {
        #[pin]
        inner: B,
        call: Option<R::Call>,
        _rewrite: std::marker::PhantomData<fn() -> R>,
    }
}

impl<B: Body<Data = Bytes>, R: StatusRewrite> Body for StatusRewriteBody<B, R> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        let Some(call) = this.call.as_ref() else {
            return polled;
        };
        match polled {
            Poll::Ready(Some(Ok(frame))) => match frame.into_trailers() {
                Ok(mut trailers) => {
                    R::rewrite(call, &mut trailers);
                    Poll::Ready(Some(Ok(Frame::trailers(trailers))))
                }
                Err(frame) => Poll::Ready(Some(Ok(frame))),
            },
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
