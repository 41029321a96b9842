//! The registry workbench's web page, served by the binary itself at
//! `/workbench/`.
//!
//! The assets are built by `workbench/build.sh` into `assets/workbench/`
//! (committed) and embedded here with `include_bytes!`, so a fresh clone
//! serves the page without npm and nothing is read from disk or fetched at
//! run time. The page talks to RegistryService over grpc-web on the same
//! origin.
//!
//! [`Workbench`] answers `GET`/`HEAD` for `/workbench` (a redirect to
//! `/workbench/`), `/workbench/` and `/workbench/index.html` (the page),
//! `/workbench/app.js`, `/workbench/app.css` and `/workbench/favicon.svg`;
//! anything else under `/workbench/` is 404 and another method 405. Every
//! answer carries a strict Content-Security-Policy (same origin only:
//! scripts, styles and grpc-web calls to `'self'`, images also from `blob:`
//! for attachment previews, no frames, no plugins), `X-Content-Type-Options:
//! nosniff`, `Referrer-Policy: no-referrer` and `X-Frame-Options: DENY`.
//! Assets carry a strong ETag (sha256 of the bytes sent) and `Cache-Control:
//! no-cache`, so browsers revalidate and get `304 Not Modified` until the
//! binary changes; clients that accept gzip get the asset compressed once,
//! on first use.
//!
//! [`WorkbenchLayer`] puts it in front of another service: requests whose
//! path is `/workbench` or starts with `/workbench/` go to [`Workbench`],
//! `GET /` gets a short text naming the workbench's address (a person who
//! opens the server's address in a browser), everything else (gRPC,
//! grpc-web) goes to the inner service, e.g.
//! `Server::builder().layer(WorkbenchLayer)` as the outermost layer.

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use sha2::{Digest, Sha256};
use std::convert::Infallible;
use std::fmt::Write as _;
use std::future::{Future, Ready, ready};
use std::io::Write as _;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};
use tonic::body::Body;

/// The path the workbench is served under.
pub const PREFIX: &str = "/workbench";

/// The Content-Security-Policy of every workbench answer.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
style-src 'self'; img-src 'self' blob:; connect-src 'self'; font-src 'self'; \
manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; \
object-src 'none'";

/// One embedded file.
struct Asset {
    /// The request paths that answer it.
    paths: &'static [&'static str],
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: [Asset; 4] = [
    Asset {
        paths: &["/workbench/", "/workbench/index.html"],
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../assets/workbench/index.html"),
    },
    Asset {
        paths: &["/workbench/app.js"],
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/workbench/app.js"),
    },
    Asset {
        paths: &["/workbench/app.css"],
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/workbench/app.css"),
    },
    Asset {
        paths: &["/workbench/favicon.svg"],
        content_type: "image/svg+xml",
        bytes: include_bytes!("../assets/workbench/favicon.svg"),
    },
];

/// One representation of an asset: its bytes and strong ETag.
struct Representation {
    bytes: Bytes,
    etag: HeaderValue,
}

/// An asset ready to send: as stored, and gzip-compressed when that is smaller.
struct Prepared {
    content_type: HeaderValue,
    identity: Representation,
    gzip: Option<Representation>,
}

/// `"` + the first 128 bits of sha256 in hex + suffix + `"`.
fn etag_of(bytes: &[u8], suffix: &str) -> HeaderValue {
    let digest = Sha256::digest(bytes);
    let mut tag = String::from("\"");
    for b in digest.iter().take(16) {
        let _ = write!(tag, "{b:02x}");
    }
    tag.push_str(suffix);
    tag.push('"');
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

fn prepare(asset: &Asset) -> Prepared {
    let gzip = gzip(asset.bytes)
        .filter(|z| z.len() < asset.bytes.len())
        .map(|z| Representation {
            etag: etag_of(asset.bytes, "-gz"),
            bytes: Bytes::from(z),
        });
    Prepared {
        content_type: HeaderValue::from_static(asset.content_type),
        identity: Representation {
            bytes: Bytes::from_static(asset.bytes),
            etag: etag_of(asset.bytes, ""),
        },
        gzip,
    }
}

static PREPARED: LazyLock<Vec<Prepared>> = LazyLock::new(|| ASSETS.iter().map(prepare).collect());

fn find(path: &str) -> Option<&'static Prepared> {
    let index = ASSETS.iter().position(|a| a.paths.contains(&path))?;
    PREPARED.get(index)
}

/// What `GET /` answers: where the workbench is, and what else this
/// address serves.
const ROOT_TEXT: &str = "标准化资助服务 stdfund\n\n\
审核工作台(审核、财务、管理员使用):/workbench/\n\
The registry workbench (reviewers, finance officers, administrators): /workbench/\n\n\
本地址同时提供 gRPC 接口(stdfund.v1)。企业门户页面另行部署,见 README。\n\
This address also serves the gRPC API (stdfund.v1). The enterprise portal page is deployed on its own; see the README.\n";

/// Whether a request path belongs to the workbench (`/workbench` or below).
pub fn is_workbench_path(path: &str) -> bool {
    path == PREFIX
        || path
            .strip_prefix(PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether a `q` value is zero (`0`, `0.`, `0.000`).
fn q_is_zero(q: &str) -> bool {
    let q = q.trim();
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    int == "0" && frac.chars().all(|c| c == '0')
}

/// Whether `Accept-Encoding` admits gzip (`gzip`, `x-gzip` or `*` with q > 0).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .or_else(|| p.strip_prefix("Q="))
                    .is_some_and(q_is_zero)
            });
            !refused && (coding == "gzip" || coding == "x-gzip" || coding == "*")
        })
}

/// Whether `If-None-Match` names `etag` (weak comparison, RFC 9110 §13.1.2).
fn none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.to_str().unwrap_or("");
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == ours)
}

fn security_headers(headers: &mut HeaderMap) {
    let fixed: [(HeaderName, &'static str); 6] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::new(Full::new(Bytes::from_static(text.as_bytes()))));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    security_headers(headers);
    response
}

/// The answer to one request for a workbench path.
pub fn respond<B>(request: &Request<B>) -> Response<Body> {
    let path = request.uri().path();
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if path == PREFIX {
        let mut r = plain(StatusCode::PERMANENT_REDIRECT, "/workbench/\n");
        r.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/workbench/"));
        return r;
    }
    let Some(asset) = find(path) else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    let headers = request.headers();
    let (representation, gzipped) = match &asset.gzip {
        Some(z) if accepts_gzip(headers) => (z, true),
        _ => (&asset.identity, false),
    };
    let not_modified = none_match(headers, &representation.etag);
    let body = if not_modified || method == Method::HEAD {
        Body::empty()
    } else {
        Body::new(Full::new(representation.bytes.clone()))
    };
    let mut response = Response::new(body);
    if not_modified {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
    }
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, asset.content_type.clone());
    h.insert(header::ETAG, representation.etag.clone());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if gzipped {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    if !not_modified {
        h.insert(
            header::CONTENT_LENGTH,
            HeaderValue::from(representation.bytes.len()),
        );
    }
    security_headers(h);
    response
}

/// The workbench as a service: answers every request it gets from the
/// embedded assets (see the module documentation). Route only workbench
/// paths to it, or use [`WorkbenchLayer`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Workbench;

impl<B> tower_service::Service<Request<B>> for Workbench {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        ready(Ok(respond(&request)))
    }
}

/// Puts [`Workbench`] in front of a service: workbench paths are answered
/// from the embedded assets, everything else goes to the inner service.
#[derive(Clone, Copy, Debug, Default)]
pub struct WorkbenchLayer;

impl<S> tower_layer::Layer<S> for WorkbenchLayer {
    type Service = WithWorkbench<S>;

    fn layer(&self, inner: S) -> WithWorkbench<S> {
        WithWorkbench { inner }
    }
}

/// The service [`WorkbenchLayer`] makes.
#[derive(Clone, Debug)]
pub struct WithWorkbench<S> {
    inner: S,
}

impl<S, B> tower_service::Service<Request<B>> for WithWorkbench<S>
where
    S: tower_service::Service<Request<B>, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = WithWorkbenchFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if is_workbench_path(request.uri().path()) {
            WithWorkbenchFuture::Ready {
                response: Some(respond(&request)),
            }
        } else if request.uri().path() == "/"
            && matches!(*request.method(), Method::GET | Method::HEAD)
        {
            // A person who opens the server's address in a browser is told
            // where the page is, not given an empty 400.
            WithWorkbenchFuture::Ready {
                response: Some(plain(StatusCode::OK, ROOT_TEXT)),
            }
        } else {
            WithWorkbenchFuture::Inner {
                future: self.inner.call(request),
            }
        }
    }
}

pub use future::WithWorkbenchFuture;

mod future {
    // pin-project-lite's generated projection type has no documentation.
    #![allow(missing_docs)]
    use super::{Body, Response};

    pin_project_lite::pin_project! {
        /// The future of [`super::WithWorkbench`]: the workbench's ready
        /// answer or the inner service's.
        #[project = WithWorkbenchProj]
        pub enum WithWorkbenchFuture<F> {
            /// Answered from the embedded assets.
            Ready {
                response: Option<Response<Body>>,
            },
            /// Passed to the inner service.
            Inner {
                #[pin]
                future: F,
            },
        }
    }
}

use future::WithWorkbenchProj;

impl<F, E> Future for WithWorkbenchFuture<F>
where
    F: Future<Output = Result<Response<Body>, E>>,
{
    type Output = Result<Response<Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            WithWorkbenchProj::Ready { response } => match response.take() {
                Some(r) => Poll::Ready(Ok(r)),
                // Polled again after completion: answer an empty 500 rather
                // than panic.
                None => {
                    let mut r = Response::new(Body::empty());
                    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                    Poll::Ready(Ok(r))
                }
            },
            WithWorkbenchProj::Inner { future } => future.poll(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]
    use super::*;
    use http_body_util::BodyExt;
    use std::io::Read as _;
    use tower_service::Service as _;

    fn get(path: &str) -> Request<()> {
        Request::get(path).body(()).unwrap()
    }

    async fn body(r: Response<Body>) -> Vec<u8> {
        r.into_body().collect().await.unwrap().to_bytes().to_vec()
    }

    fn header<'a>(r: &'a Response<Body>, name: &str) -> &'a str {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    #[tokio::test]
    async fn serves_the_page_and_its_assets_with_types() {
        for (path, ty, needle) in [
            (
                "/workbench/",
                "text/html; charset=utf-8",
                "<div id=\"app\">",
            ),
            (
                "/workbench/index.html",
                "text/html; charset=utf-8",
                "app.js",
            ),
            ("/workbench/app.js", "text/javascript; charset=utf-8", ""),
            ("/workbench/app.css", "text/css; charset=utf-8", ""),
            ("/workbench/favicon.svg", "image/svg+xml", "<svg"),
        ] {
            let r = Workbench.call(get(path)).await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            assert_eq!(header(&r, "content-type"), ty, "{path}");
            assert_eq!(header(&r, "cache-control"), "no-cache");
            assert_eq!(header(&r, "x-content-type-options"), "nosniff");
            assert_eq!(
                header(&r, "content-security-policy"),
                CONTENT_SECURITY_POLICY
            );
            assert!(
                header(&r, "content-encoding").is_empty(),
                "no gzip unless asked"
            );
            let length: usize = header(&r, "content-length").parse().unwrap();
            let bytes = body(r).await;
            assert_eq!(bytes.len(), length);
            assert!(!bytes.is_empty());
            assert!(String::from_utf8_lossy(&bytes).contains(needle), "{path}");
        }
    }

    #[tokio::test]
    async fn the_policy_allows_only_the_same_origin() {
        let csp = CONTENT_SECURITY_POLICY;
        assert!(csp.starts_with("default-src 'none';"));
        for directive in [
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{directive}");
        }
        assert!(!csp.contains("unsafe"), "no unsafe-inline or unsafe-eval");
        assert!(!csp.contains("http"), "no other origin");
        let r = Workbench
            .call(get("/workbench/nothing-here"))
            .await
            .unwrap();
        assert_eq!(header(&r, "content-security-policy"), csp);
        assert_eq!(header(&r, "x-frame-options"), "DENY");
        assert_eq!(header(&r, "referrer-policy"), "no-referrer");
    }

    #[tokio::test]
    async fn strong_etags_revalidate_to_304() {
        let r = Workbench.call(get("/workbench/app.js")).await.unwrap();
        let etag = header(&r, "etag").to_string();
        assert!(etag.starts_with('"') && etag.ends_with('"') && !etag.starts_with("W/"));
        assert_eq!(etag.len(), 34, "32 hex digits in quotes: {etag}");
        let expected = Sha256::digest(include_bytes!("../assets/workbench/app.js"));
        let hex: String = expected
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(etag, format!("\"{hex}\""));

        for value in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"other\", {etag}"),
            "*".to_string(),
        ] {
            let req = Request::get("/workbench/app.js")
                .header("if-none-match", value.as_str())
                .body(())
                .unwrap();
            let r = Workbench.call(req).await.unwrap();
            assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "{value}");
            assert_eq!(header(&r, "etag"), etag);
            assert!(body(r).await.is_empty());
        }
        let req = Request::get("/workbench/app.js")
            .header("if-none-match", "\"stale\"")
            .body(())
            .unwrap();
        assert_eq!(Workbench.call(req).await.unwrap().status(), StatusCode::OK);
        let other = Workbench.call(get("/workbench/app.css")).await.unwrap();
        assert_ne!(header(&other, "etag"), etag, "each asset its own tag");
    }

    #[tokio::test]
    async fn gzip_when_accepted_with_its_own_etag() {
        let plain = Workbench.call(get("/workbench/app.js")).await.unwrap();
        let plain_etag = header(&plain, "etag").to_string();
        let original = body(plain).await;
        let req = Request::get("/workbench/app.js")
            .header("accept-encoding", "br, gzip;q=0.8")
            .body(())
            .unwrap();
        let r = Workbench.call(req).await.unwrap();
        assert_eq!(header(&r, "content-encoding"), "gzip");
        assert_eq!(header(&r, "vary"), "Accept-Encoding");
        let gz_etag = header(&r, "etag").to_string();
        assert_ne!(gz_etag, plain_etag);
        let compressed = body(r).await;
        assert!(compressed.len() < original.len());
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_end(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, original);
        // The gzip tag revalidates the gzip representation.
        let req = Request::get("/workbench/app.js")
            .header("accept-encoding", "gzip")
            .header("if-none-match", gz_etag.as_str())
            .body(())
            .unwrap();
        assert_eq!(
            Workbench.call(req).await.unwrap().status(),
            StatusCode::NOT_MODIFIED
        );
        // q=0 refuses gzip.
        for refused in ["gzip;q=0", "gzip; q=0.0", "identity"] {
            let req = Request::get("/workbench/app.js")
                .header("accept-encoding", refused)
                .body(())
                .unwrap();
            let r = Workbench.call(req).await.unwrap();
            assert!(header(&r, "content-encoding").is_empty(), "{refused}");
        }
    }

    #[tokio::test]
    async fn unknown_paths_404_other_methods_405_bare_prefix_redirects() {
        for path in [
            "/workbench/app.js.map",
            "/workbench/../Cargo.toml",
            "/workbench/index.htm",
            "/workbench/x/app.js",
        ] {
            let r = Workbench.call(get(path)).await.unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(header(&r, "x-content-type-options"), "nosniff");
        }
        let post = Request::post("/workbench/").body(()).unwrap();
        let r = Workbench.call(post).await.unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&r, "allow"), "GET, HEAD");
        let r = Workbench.call(get("/workbench")).await.unwrap();
        assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(header(&r, "location"), "/workbench/");
    }

    #[tokio::test]
    async fn head_has_the_headers_without_the_body() {
        let req = Request::head("/workbench/app.css").body(()).unwrap();
        let r = Workbench.call(req).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            header(&r, "content-length"),
            include_bytes!("../assets/workbench/app.css")
                .len()
                .to_string()
        );
        assert!(body(r).await.is_empty());
    }

    #[test]
    fn workbench_paths() {
        for p in [
            "/workbench",
            "/workbench/",
            "/workbench/app.js",
            "/workbench/a/b",
        ] {
            assert!(is_workbench_path(p), "{p}");
        }
        for p in [
            "/",
            "/workbenchx",
            "/workbench.js",
            "/stdfund.v1.RegistryService/ListClaims",
            "/Workbench/",
        ] {
            assert!(!is_workbench_path(p), "{p}");
        }
    }

    /// A stand-in for the gRPC router: answers 200 with a marker body.
    #[derive(Clone)]
    struct Inner;

    impl tower_service::Service<Request<()>> for Inner {
        type Response = Response<Body>;
        type Error = Infallible;
        type Future = Ready<Result<Response<Body>, Infallible>>;
        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, _req: Request<()>) -> Self::Future {
            ready(Ok(Response::new(Body::new(Full::new(Bytes::from_static(
                b"inner",
            ))))))
        }
    }

    #[tokio::test]
    async fn the_layer_routes_by_path() {
        use tower_layer::Layer as _;
        let mut svc = WorkbenchLayer.layer(Inner);
        let r = svc.call(get("/workbench/app.css")).await.unwrap();
        assert_eq!(header(&r, "content-type"), "text/css; charset=utf-8");
        for path in ["/stdfund.v1.RegistryService/ListClaims", "/", "/workbenchx"] {
            let r = svc
                .call(Request::post(path).body(()).unwrap())
                .await
                .unwrap();
            assert_eq!(body(r).await, b"inner", "{path}");
        }
        let r = svc.call(get("/workbench/missing")).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // The bare address in a browser says where the page is.
        let r = svc.call(get("/")).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header(&r, "content-type"), "text/plain; charset=utf-8");
        let text = String::from_utf8(body(r).await).unwrap();
        assert!(
            text.contains("审核工作台") && text.contains("/workbench/"),
            "{text}"
        );
    }
}
