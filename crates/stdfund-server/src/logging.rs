//! `tracing` output for the server: pretty or JSON lines on standard error,
//! filtered by the `log_level` setting, with every credit code masked.
//!
//! Masking happens in the writer ([`MaskingWriter`]), after formatting, so
//! it covers every field and message of every event — including a code
//! quoted inside an engine error message — without each call site having to
//! remember it. Call sites that log a code on purpose still mask it
//! themselves with [`crate::mask::mask_credit_code`].

use crate::config::{LogFormat, Settings};
use crate::mask::mask_credit_codes_in;
use std::io::{self, Write};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// A writer that masks credit codes in what passes through it.
///
/// The `fmt` layer formats a whole event into a buffer and writes it with a
/// single `write_all`, so each `write` call sees complete tokens.
#[derive(Debug)]
pub struct MaskingWriter<W> {
    inner: W,
}

impl<W: Write> MaskingWriter<W> {
    /// Wraps a writer.
    pub fn new(inner: W) -> Self {
        MaskingWriter { inner }
    }
}

impl<W: Write> Write for MaskingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => self
                .inner
                .write_all(mask_credit_codes_in(text).as_bytes())?,
            Err(_) => self.inner.write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Makes a [`MaskingWriter`] per event around another `MakeWriter`.
#[derive(Debug, Clone)]
pub struct MaskingMakeWriter<M> {
    inner: M,
}

impl<M> MaskingMakeWriter<M> {
    /// Wraps a `MakeWriter`.
    pub fn new(inner: M) -> Self {
        MaskingMakeWriter { inner }
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for MaskingMakeWriter<M> {
    type Writer = MaskingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        MaskingWriter::new(self.inner.make_writer())
    }
}

/// Installs the global subscriber. Fails if the filter does not parse; a
/// second call (tests) leaves the first subscriber in place.
pub fn init(settings: &Settings) -> Result<(), String> {
    let filter = EnvFilter::try_new(&settings.log_level)
        .map_err(|e| format!("log_level `{}`: {e}", settings.log_level))?;
    let writer = MaskingMakeWriter::new(io::stderr);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let installed = match settings.log_format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Pretty => builder.with_ansi(false).try_init(),
    };
    // Already installed (a second server in one test process): keep it.
    drop(installed);
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Buf {
            self.clone()
        }
    }

    #[test]
    fn json_log_lines_never_carry_a_credit_code() {
        let buf = Buf::default();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(MaskingMakeWriter::new(buf.clone()))
            .with_max_level(tracing::Level::DEBUG)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(
                credit_code = "91350100M000100Y43",
                "estimate for 91350100m000100y43 done"
            );
            tracing::warn!(
                error = "`91350100M000100Y4O` is not a unified social credit code",
                "rejected"
            );
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("913501********0Y43"), "{text}");
        assert!(text.contains("913501********0y43"), "{text}");
        assert!(text.contains("913501********0Y4O"), "{text}");
        assert!(!text.to_uppercase().contains("M000100Y4"), "{text}");
        for line in text.lines() {
            serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
    }
}
