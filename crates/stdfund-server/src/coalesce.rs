//! One write per answer: an HTTP/2 answer's trailers leave with its data.
//!
//! h2 (0.4) copies a DATA frame of fewer than 256 bytes into its write
//! buffer but hands a larger payload to the socket as a second slice of a
//! vectored write, and it buffers no further frame until that write is
//! done: it writes, flushes, then buffers the trailers and writes and
//! flushes again. A unary answer over 256 bytes — an Estimate's is 2–7 KB —
//! therefore leaves in two writes, data then trailers (10 bytes), and each
//! wakes the client once. On a loopback or a busy host the second system
//! call and wake-up cost more than the estimate itself (docs/BENCHMARKS.md,
//! "One write per answer").
//!
//! [`Coalesced`] wraps an accepted socket. On an HTTP/2 connection in clear
//! text (its first bytes read are the client preface) a vectored write of
//! more than one slice is copied and held, and the flush that follows at
//! once is answered ready without writing; h2 then buffers the trailers and
//! flushes again at the end of the same pass (its `poll_complete` always
//! ends with a flush), and that flush writes everything held in one write.
//! The connection's task is also woken when a flush is answered so, so that
//! if nothing flushed again in that pass the next pass writes what is held:
//! nothing waits on a timer or on the peer. Everything else — HTTP/1.1
//! (the workbench, grpc-web), TLS (encrypted bytes: no preface to see),
//! single-slice writes with nothing held — goes straight to the socket.
//!
//! Held bytes are bounded ([`HOLD_LIMIT`]): past it they are written before
//! more are accepted. Shutting down writes what is held first.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tonic::transport::server::Connected;

/// Held bytes past which a write first writes out what is held.
pub const HOLD_LIMIT: usize = 64 * 1024;

/// The start of the HTTP/2 client connection preface (RFC 9113 §3.4); no
/// HTTP/1.1 request starts so.
const PREFACE: &[u8] = b"PRI * HTTP/2.0";

/// What the connection was seen to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// Fewer bytes read than tell; `usize` of the preface matched so far.
    Unknown(usize),
    /// HTTP/2 in clear text: writes are coalesced.
    Http2,
    /// Anything else: writes go straight through.
    Other,
}

/// An accepted socket whose HTTP/2 answers leave in one write each.
#[derive(Debug)]
pub struct Coalesced<T> {
    io: T,
    seen: Seen,
    /// Bytes accepted and not yet written to `io`, from `sent` on.
    held: Vec<u8>,
    sent: usize,
    /// Whether a flush was already answered without writing what is held.
    flush_passed: bool,
}

impl<T> Coalesced<T> {
    /// Wraps `io`.
    pub fn new(io: T) -> Self {
        Self {
            io,
            seen: Seen::Unknown(0),
            held: Vec::new(),
            sent: 0,
            flush_passed: false,
        }
    }

    fn holding(&self) -> bool {
        self.sent < self.held.len()
    }

    fn hold(&mut self, bufs: &[IoSlice<'_>]) -> usize {
        let mut n: usize = 0;
        for b in bufs {
            self.held.extend_from_slice(b);
            n = n.saturating_add(b.len());
        }
        n
    }

    /// Looks at bytes read while it is not yet known what the peer speaks.
    fn look(&mut self, read: &[u8]) {
        let Seen::Unknown(matched) = self.seen else {
            return;
        };
        let want = PREFACE.get(matched..).unwrap_or_default();
        let n = want.len().min(read.len());
        self.seen = if read.get(..n) != want.get(..n) {
            Seen::Other
        } else if matched.saturating_add(n) == PREFACE.len() {
            Seen::Http2
        } else {
            Seen::Unknown(matched.saturating_add(n))
        };
    }
}

impl<T: AsyncWrite + Unpin> Coalesced<T> {
    /// Writes out everything held.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some(rest) = self.held.get(self.sent..).filter(|r| !r.is_empty()) {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent = self.sent.saturating_add(n);
        }
        self.held.clear();
        self.sent = 0;
        self.flush_passed = false;
        Poll::Ready(Ok(()))
    }

    /// Accepts `bufs` behind what is held, writing that out first when it
    /// reached [`HOLD_LIMIT`].
    fn poll_hold(&mut self, cx: &mut Context<'_>, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>> {
        if self.held.len().saturating_sub(self.sent) >= HOLD_LIMIT {
            ready!(self.poll_drain(cx))?;
        }
        Poll::Ready(Ok(self.hold(bufs)))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Coalesced<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.holding() {
            return this.poll_hold(cx, &[IoSlice::new(buf)]);
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let chained = this.seen == Seen::Http2 && bufs.iter().filter(|b| !b.is_empty()).count() > 1;
        if this.holding() || chained {
            return this.poll_hold(cx, bufs);
        }
        Pin::new(&mut this.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.holding() {
            if !this.flush_passed {
                // h2 flushes again at the end of this pass, after buffering
                // the frames that follow (the trailers); should it not, the
                // task runs again at once and that pass writes.
                this.flush_passed = true;
                cx.waker().wake_by_ref();
                return Poll::Ready(Ok(()));
            }
            ready!(this.poll_drain(cx))?;
        }
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncRead for Coalesced<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // A pass of the connection's task begins with reading: what an
        // earlier pass held and did not flush goes out first.
        if this.flush_passed {
            ready!(this.poll_drain(cx))?;
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.io).poll_read(cx, buf))?;
        if let Some(read) = buf.filled().get(before..) {
            this.look(read);
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: Connected> Connected for Coalesced<T> {
    type ConnectInfo = T::ConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.io.connect_info()
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )]
    use super::*;
    use std::collections::VecDeque;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake, Waker};

    /// A socket that records each write, accepts at most `limit` bytes a
    /// write, is not ready for writing `pending` more times, and reads
    /// `reads` one after another.
    #[derive(Default)]
    struct Recorder {
        writes: Vec<Vec<u8>>,
        flushes: usize,
        shut: bool,
        limit: Option<usize>,
        pending: usize,
        reads: VecDeque<Vec<u8>>,
    }

    impl Recorder {
        fn all(&self) -> Vec<u8> {
            self.writes.concat()
        }
    }

    impl AsyncWrite for Recorder {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            if this.pending > 0 {
                this.pending -= 1;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let n = this.limit.map_or(buf.len(), |l| l.min(buf.len()));
            this.writes.push(buf.get(..n).unwrap().to_vec());
            Poll::Ready(Ok(n))
        }
        fn poll_write_vectored(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let joined: Vec<u8> = bufs.iter().flat_map(|b| b.iter().copied()).collect();
            self.poll_write(cx, &joined)
        }
        fn is_write_vectored(&self) -> bool {
            true
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.get_mut().flushes += 1;
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.get_mut().shut = true;
            Poll::Ready(Ok(()))
        }
    }

    impl AsyncRead for Recorder {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            match self.get_mut().reads.pop_front() {
                Some(r) => {
                    buf.put_slice(&r);
                    Poll::Ready(Ok(()))
                }
                None => Poll::Pending,
            }
        }
    }

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> (Waker, Arc<Count>) {
        let c = Arc::new(Count(AtomicUsize::new(0)));
        (Waker::from(c.clone()), c)
    }

    fn read(io: &mut Coalesced<Recorder>, cx: &mut Context<'_>) -> Poll<io::Result<Vec<u8>>> {
        let mut space = [0u8; 64];
        let mut buf = ReadBuf::new(&mut space);
        ready!(Pin::new(io).poll_read(cx, &mut buf))?;
        Poll::Ready(Ok(buf.filled().to_vec()))
    }

    /// A connection whose client sent the HTTP/2 preface in `parts`.
    fn http2(recorder: Recorder, cx: &mut Context<'_>) -> Coalesced<Recorder> {
        let mut io = Coalesced::new(recorder);
        io.io
            .reads
            .push_back(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec());
        assert!(read(&mut io, cx).is_ready());
        assert_eq!(io.seen, Seen::Http2);
        io
    }

    fn vectored(
        io: &mut Coalesced<Recorder>,
        cx: &mut Context<'_>,
        parts: &[&[u8]],
    ) -> Poll<io::Result<usize>> {
        let slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
        Pin::new(io).poll_write_vectored(cx, &slices)
    }

    fn flushed(io: &mut Coalesced<Recorder>, cx: &mut Context<'_>) -> bool {
        matches!(Pin::new(io).poll_flush(cx), Poll::Ready(Ok(())))
    }

    #[test]
    fn an_answer_with_a_chained_payload_leaves_in_one_write_with_its_trailers() {
        let (w, woken) = waker();
        let mut cx = Context::from_waker(&w);
        let mut io = http2(Recorder::default(), &mut cx);
        // headers + data frame head, then the payload as its own slice.
        let r = vectored(&mut io, &mut cx, &[b"HEAD", &[7u8; 2254]]);
        assert!(matches!(r, Poll::Ready(Ok(2258))));
        assert!(io.io.writes.is_empty(), "held, not written");
        // The flush h2 makes at once passes (and wakes the task, should no
        // other flush follow in this pass)...
        assert!(flushed(&mut io, &mut cx));
        assert_eq!(woken.0.load(Ordering::SeqCst), 1);
        assert!(io.io.writes.is_empty());
        // ...h2 buffers the trailers and flushes at the end of the pass.
        let r = Pin::new(&mut io).poll_write_vectored(&mut cx, &[IoSlice::new(b"TRAILERS")]);
        assert!(matches!(r, Poll::Ready(Ok(8))));
        assert!(flushed(&mut io, &mut cx));
        assert_eq!(io.io.writes.len(), 1, "one write");
        let mut want = b"HEAD".to_vec();
        want.extend_from_slice(&[7u8; 2254]);
        want.extend_from_slice(b"TRAILERS");
        assert_eq!(io.io.all(), want);
        assert_eq!(io.io.flushes, 1);
        // Nothing is held any more: a flush goes through.
        assert!(flushed(&mut io, &mut cx));
        assert_eq!(io.io.flushes, 2);
        assert_eq!(woken.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn what_a_pass_held_without_a_second_flush_goes_out_when_the_next_pass_reads() {
        let (w, woken) = waker();
        let mut cx = Context::from_waker(&w);
        let mut io = http2(Recorder::default(), &mut cx);
        let _ = vectored(&mut io, &mut cx, &[b"A", b"B"]);
        assert!(flushed(&mut io, &mut cx));
        assert!(io.io.writes.is_empty());
        assert_eq!(woken.0.load(Ordering::SeqCst), 1, "the task runs again");
        // The next pass begins with a read (nothing to read here).
        assert!(read(&mut io, &mut cx).is_pending());
        assert_eq!(io.io.all(), b"AB");
        assert!(!io.holding());
    }

    #[test]
    fn single_slices_with_nothing_held_go_straight_through() {
        let (w, woken) = waker();
        let mut cx = Context::from_waker(&w);
        let mut io = http2(Recorder::default(), &mut cx);
        let r = Pin::new(&mut io).poll_write(&mut cx, b"small answer");
        assert!(matches!(r, Poll::Ready(Ok(12))));
        let r = vectored(&mut io, &mut cx, &[b"", b"one slice", b""]);
        assert!(matches!(r, Poll::Ready(Ok(9))));
        assert_eq!(
            io.io.writes,
            vec![b"small answer".to_vec(), b"one slice".to_vec()]
        );
        assert!(flushed(&mut io, &mut cx));
        assert_eq!(woken.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn http1_and_anything_not_http2_goes_straight_through() {
        let (w, _) = waker();
        let mut cx = Context::from_waker(&w);
        for first in [
            &b"GET /workbench/ HTTP/1.1\r\n"[..],
            b"\x16\x03\x01\x02\x00",
            b"PRX",
        ] {
            let mut io = Coalesced::new(Recorder::default());
            io.io.reads.push_back(first.to_vec());
            assert_eq!(
                read(&mut io, &mut cx).map(Result::unwrap),
                Poll::Ready(first.to_vec())
            );
            assert_eq!(io.seen, Seen::Other, "{first:?}");
            let _ = vectored(&mut io, &mut cx, &[b"HTTP/1.1 200 OK\r\n\r\n", b"body"]);
            assert_eq!(io.io.writes.len(), 1, "written at once");
            assert!(flushed(&mut io, &mut cx));
        }
    }

    #[test]
    fn the_preface_is_recognised_across_reads() {
        let (w, _) = waker();
        let mut cx = Context::from_waker(&w);
        let mut io = Coalesced::new(Recorder::default());
        // Before anything is read, writes go through (h2 sends its settings
        // first).
        let _ = vectored(&mut io, &mut cx, &[b"SETTINGS", b"!"]);
        assert_eq!(io.io.writes.len(), 1);
        for part in [
            &b"PR"[..],
            b"I * HTT",
            b"P/2.0\r\n\r\nSM\r\n\r\n\0\0\x12\x04",
        ] {
            io.io.reads.push_back(part.to_vec());
            assert!(read(&mut io, &mut cx).is_ready());
        }
        assert_eq!(io.seen, Seen::Http2);
        // Seen once, it stays.
        io.io.reads.push_back(b"GET".to_vec());
        assert!(read(&mut io, &mut cx).is_ready());
        assert_eq!(io.seen, Seen::Http2);
    }

    #[test]
    fn partial_and_refused_writes_keep_every_byte_in_order() {
        let (w, _) = waker();
        let mut cx = Context::from_waker(&w);
        let recorder = Recorder {
            limit: Some(3),
            pending: 2,
            ..Recorder::default()
        };
        let mut io = http2(recorder, &mut cx);
        let _ = vectored(&mut io, &mut cx, &[b"0123", b"4567"]);
        let _ = Pin::new(&mut io).poll_write(&mut cx, b"89");
        assert!(flushed(&mut io, &mut cx), "passed");
        // The socket is not ready twice, then takes three bytes a write.
        let mut turns = 0;
        while Pin::new(&mut io).poll_flush(&mut cx).is_pending() {
            turns += 1;
            assert!(turns < 10);
        }
        assert_eq!(turns, 2);
        assert_eq!(io.io.all(), b"0123456789");
        assert!(io.io.writes.iter().all(|w| w.len() <= 3));
    }

    #[test]
    fn shutting_down_writes_what_is_held_first() {
        let (w, _) = waker();
        let mut cx = Context::from_waker(&w);
        let mut io = http2(Recorder::default(), &mut cx);
        let _ = vectored(&mut io, &mut cx, &[b"GOAWAY", b"!"]);
        assert!(flushed(&mut io, &mut cx));
        assert!(matches!(
            Pin::new(&mut io).poll_shutdown(&mut cx),
            Poll::Ready(Ok(()))
        ));
        assert_eq!(io.io.all(), b"GOAWAY!");
        assert!(io.io.shut);
    }

    #[test]
    fn held_bytes_are_bounded() {
        let (w, _) = waker();
        let mut cx = Context::from_waker(&w);
        let mut io = http2(Recorder::default(), &mut cx);
        let chunk = vec![1u8; 16 * 1024];
        for _ in 0..10 {
            let r = vectored(&mut io, &mut cx, &[b"h", &chunk]);
            assert!(matches!(r, Poll::Ready(Ok(_))));
            assert!(io.held.len() - io.sent <= HOLD_LIMIT + chunk.len() + 1);
        }
        assert!(!io.io.writes.is_empty(), "written out past the limit");
        assert!(flushed(&mut io, &mut cx));
        assert!(flushed(&mut io, &mut cx));
        assert_eq!(io.io.all().len(), 10 * (chunk.len() + 1));
    }
}
