//! DAP's base framing: `Content-Length: N\r\n\r\n` then N bytes of JSON.
//! The reader never trusts the peer: header lines and bodies are bounded,
//! and every malformed frame is an error the caller can report and survive.
//! After an error the reader resynchronises on the next `Content-Length:`
//! header, wherever it starts: a frame whose length was off by some bytes,
//! a length over the limit (refused at once, its body never awaited) or
//! garbage between frames costs that frame only.
//!
//! A stream must *start* with a `Content-Length:` header: anything else is
//! not a DAP client (a browser's `POST / HTTP/1.1` to a loopback port, say)
//! and ends the stream (`FrameError::NotDap`).

use std::io::{self, Read, Write};

/// Largest body accepted (a `setBreakpoints` for a huge file is well under).
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// Longest header line accepted.
const MAX_HEADER_LINE: usize = 1024;
/// The header every frame starts with, lower-cased for matching.
const LENGTH_HEADER: &[u8] = b"content-length:";
/// Bytes asked of the stream at a time.
const READ_CHUNK: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
    #[error("the stream does not start with a Content-Length header: not a DAP client")]
    NotDap,
    #[error("header without Content-Length")]
    MissingLength,
    #[error("malformed header line: {0:?}")]
    BadHeader(String),
    #[error("header line longer than {MAX_HEADER_LINE} bytes")]
    HeaderTooLong,
    #[error("message of {0} bytes is over the {MAX_BODY}-byte limit")]
    TooLarge(u64),
    #[error("message body is not a JSON object (its Content-Length is probably wrong)")]
    MisSized,
    #[error("stream ended inside a message")]
    Truncated,
}

impl FrameError {
    /// Whether the stream can go on after this error (the next frame can
    /// still be read).
    pub fn is_recoverable(&self) -> bool {
        !matches!(self, FrameError::Io(_) | FrameError::Truncated | FrameError::NotDap)
    }
}

/// Reads frames from a byte stream, with a buffer of its own so that it can
/// look ahead and step back when it resynchronises.
#[derive(Debug)]
pub struct FrameReader<R> {
    input: R,
    buffer: Vec<u8>,
    /// Start of the unread bytes in `buffer`.
    position: usize,
    /// Nothing read yet: the first header decides whether this is DAP.
    at_start: bool,
    /// After an error: skip to the next `Content-Length:` header.
    resync: bool,
    ended: bool,
}

impl<R: Read> FrameReader<R> {
    pub fn new(input: R) -> Self {
        FrameReader { input, buffer: Vec::new(), position: 0, at_start: true, resync: false, ended: false }
    }

    /// The stream underneath (to change its timeouts, say).
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.input
    }

    /// The next frame's body; `Ok(None)` at a clean end of stream.
    pub fn read_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        if self.resync && !self.skip_to_length_header()? {
            return Ok(None);
        }
        self.resync = false;
        let result = self.read_frame_in_sync();
        if let Err(error) = &result
            && error.is_recoverable()
        {
            self.resync = true;
        }
        result
    }

    fn read_frame_in_sync(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        let mut length = None;
        let mut saw_header = false;
        loop {
            let Some(line) = self.read_header_line()? else {
                return if saw_header { Err(FrameError::Truncated) } else { Ok(None) };
            };
            if line.is_empty() {
                if !saw_header && !self.at_start {
                    continue; // stray blank lines between frames
                }
                if !saw_header {
                    return Err(FrameError::NotDap);
                }
                break;
            }
            let header = parse_header(&line);
            if self.at_start && !matches!(header, Ok(Some(_)) | Err(FrameError::TooLarge(_))) {
                return Err(FrameError::NotDap);
            }
            self.at_start = false;
            saw_header = true;
            if let Some(n) = header? {
                length = Some(n);
            }
        }
        let length = length.ok_or(FrameError::MissingLength)?;
        if !self.fill_to(length)? {
            return Err(FrameError::Truncated);
        }
        let body = &self.buffer[self.position..self.position + length];
        if !looks_like_json_object(body) {
            // Leave the bytes unread: the next header may start inside them.
            return Err(FrameError::MisSized);
        }
        let body = body.to_vec();
        self.position += length;
        Ok(Some(body))
    }

    /// One header line without its line ending; `None` at end of stream.
    fn read_header_line(&mut self) -> Result<Option<String>, FrameError> {
        let mut searched = 0;
        loop {
            let unread = &self.buffer[self.position..];
            if let Some(i) = unread[searched..].iter().position(|&b| b == b'\n') {
                let end = searched + i;
                if end > MAX_HEADER_LINE {
                    self.position += end + 1;
                    return Err(FrameError::HeaderTooLong);
                }
                let mut line = &unread[..end];
                while line.last() == Some(&b'\r') {
                    line = &line[..line.len() - 1];
                }
                let line = String::from_utf8_lossy(line).into_owned();
                self.position += end + 1;
                return Ok(Some(line));
            }
            searched = unread.len();
            if searched > MAX_HEADER_LINE {
                // Keep nothing of it: the resync scan finds the next header.
                self.position = self.buffer.len();
                return Err(FrameError::HeaderTooLong);
            }
            if !self.fill()? {
                return if searched == 0 { Ok(None) } else { Err(FrameError::Truncated) };
            }
        }
    }

    /// Discards bytes up to the next `Content-Length:` (any case); false at
    /// the end of the stream.
    fn skip_to_length_header(&mut self) -> Result<bool, FrameError> {
        loop {
            let unread = &self.buffer[self.position..];
            if let Some(i) = find_ignoring_case(unread, LENGTH_HEADER) {
                self.position += i;
                return Ok(true);
            }
            // Keep a tail that may be the start of a split header.
            let keep = unread.len().min(LENGTH_HEADER.len() - 1);
            self.position = self.buffer.len() - keep;
            if !self.fill()? {
                return Ok(false);
            }
        }
    }

    /// Reads until `length` unread bytes are buffered; false at end of stream.
    fn fill_to(&mut self, length: usize) -> Result<bool, FrameError> {
        while self.buffer.len() - self.position < length {
            if !self.fill()? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Reads more of the stream into the buffer; false at end of stream.
    fn fill(&mut self) -> Result<bool, FrameError> {
        if self.ended {
            return Ok(false);
        }
        if self.position > 0 {
            self.buffer.drain(..self.position);
            self.position = 0;
        }
        let old = self.buffer.len();
        self.buffer.resize(old + READ_CHUNK, 0);
        let read = loop {
            match self.input.read(&mut self.buffer[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buffer.truncate(old);
                    return Err(FrameError::Io(e));
                }
            }
        };
        self.buffer.truncate(old + read);
        if read == 0 {
            self.ended = true;
        }
        Ok(read > 0)
    }
}

/// Whether a body can be a DAP message: a JSON object, from `{` to `}`. A
/// Content-Length that is off by any amount cuts one of the two braces
/// off, or takes in part of the next header.
fn looks_like_json_object(body: &[u8]) -> bool {
    let trimmed = body.trim_ascii();
    trimmed.first() == Some(&b'{') && trimmed.last() == Some(&b'}')
}

fn find_ignoring_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window.eq_ignore_ascii_case(needle))
}

/// `Some(length)` for a Content-Length header, `None` for other headers.
fn parse_header(line: &str) -> Result<Option<usize>, FrameError> {
    let (name, value) = line.split_once(':').ok_or_else(|| FrameError::BadHeader(printable(line)))?;
    if !name.trim().eq_ignore_ascii_case("content-length") {
        return Ok(None);
    }
    let value = value.trim();
    let length: u64 = match value.parse() {
        Ok(length) => length,
        // Digits beyond any integer: a length, and far too large.
        Err(_) if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => u64::MAX,
        Err(_) => return Err(FrameError::BadHeader(printable(line))),
    };
    match usize::try_from(length) {
        Ok(length) if length <= MAX_BODY => Ok(Some(length)),
        _ => Err(FrameError::TooLarge(length)),
    }
}

/// A header line as it may appear in a message: bounded, no control bytes.
fn printable(line: &str) -> String {
    line.chars().take(80).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect()
}

/// Writes one frame.
pub fn write_frame(output: &mut impl Write, body: &[u8]) -> io::Result<()> {
    write!(output, "Content-Length: {}\r\n\r\n", body.len())?;
    output.write_all(body)?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8]) -> Vec<Result<Vec<u8>, String>> {
        let mut reader = FrameReader::new(input);
        let mut out = Vec::new();
        loop {
            match reader.read_frame() {
                Ok(Some(body)) => out.push(Ok(body)),
                Ok(None) => return out,
                Err(e) => {
                    let recoverable = e.is_recoverable();
                    out.push(Err(e.to_string()));
                    if !recoverable {
                        return out;
                    }
                }
            }
        }
    }

    fn frame(body: &str) -> Vec<u8> {
        let mut wire = Vec::new();
        write_frame(&mut wire, body.as_bytes()).unwrap();
        wire
    }

    #[test]
    fn frames_round_trip_with_other_headers_and_any_case() {
        let mut wire = frame(r#"{"seq":1}"#);
        wire.extend_from_slice(b"content-length: 2\r\nContent-Type: application/json\r\n\r\n{}");
        assert_eq!(read_all(&wire), vec![Ok(br#"{"seq":1}"#.to_vec()), Ok(b"{}".to_vec())]);
    }

    #[test]
    fn a_bad_frame_is_an_error_and_the_next_one_still_reads() {
        let wire = b"Content-Length: 2\r\n\r\n{}Content-Length: x\r\n\r\nContent-Length: 2\r\n\r\n{}Nonsense\r\n\r\nContent-Length: 3\r\n\r\n{ }";
        let got = read_all(wire);
        assert_eq!(got[0], Ok(b"{}".to_vec()));
        assert!(got[1].as_ref().unwrap_err().contains("malformed header"), "{got:?}");
        assert_eq!(got[2], Ok(b"{}".to_vec()));
        assert!(got[3].as_ref().unwrap_err().contains("malformed header"), "{got:?}");
        assert_eq!(got[4], Ok(b"{ }".to_vec()));
        assert_eq!(got.len(), 5);
    }

    #[test]
    fn a_stream_that_does_not_start_with_content_length_is_not_dap() {
        let mut wire = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec();
        wire.extend(frame(r#"{"seq":1}"#));
        let got = read_all(&wire);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].as_ref().unwrap_err().contains("not a DAP client"));
        assert!(read_all(b"\r\n\r\n")[0].as_ref().unwrap_err().contains("not a DAP client"));
        assert!(
            read_all(b"Content-Type: x\r\nContent-Length: 2\r\n\r\n{}")[0].as_ref().unwrap_err().contains("not a DAP")
        );
    }

    #[test]
    fn an_oversized_length_is_refused_at_once_and_the_next_frame_reads() {
        // The huge body never comes: the error must not wait for it.
        let mut wire = b"Content-Length: 1099511627776\r\n\r\n".to_vec();
        wire.extend(frame(r#"{"seq":2}"#));
        let got = read_all(&wire);
        assert!(got[0].as_ref().unwrap_err().contains("over the"), "{got:?}");
        assert_eq!(got[1], Ok(br#"{"seq":2}"#.to_vec()));
        let huge = format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1);
        assert!(read_all(huge.as_bytes())[0].as_ref().unwrap_err().contains("over the"));
        assert!(
            read_all(b"Content-Length: 99999999999999999999999\r\n\r\n")[0].as_ref().unwrap_err().contains("over the")
        );
        assert!(read_all(b"Content-Length: -1\r\n\r\n")[0].as_ref().unwrap_err().contains("not a DAP client"));
    }

    #[test]
    fn lengths_off_by_some_bytes_cost_one_frame_only() {
        for delta in [-3i64, -1, 1, 2, 9] {
            let body = r#"{"seq":1,"command":"threads"}"#;
            let mut wire = format!("Content-Length: {}\r\n\r\n{body}", body.len() as i64 + delta).into_bytes();
            for seq in 2..5 {
                wire.extend(frame(&format!(r#"{{"seq":{seq}}}"#)));
            }
            let got = read_all(&wire);
            let good: Vec<_> = got.iter().filter_map(|r| r.as_ref().ok()).collect();
            assert!(got[0].is_err(), "delta {delta}: {got:?}");
            // At most the frame right after the bad one is lost with it.
            assert!(good.len() >= 2, "delta {delta}: {got:?}");
            assert_eq!(*good.last().unwrap(), &br#"{"seq":4}"#.to_vec(), "delta {delta}");
        }
    }

    #[test]
    fn missing_and_truncated_frames_are_reported() {
        let mut wire = frame("{}");
        wire.extend_from_slice(b"X-Other: 1\r\n\r\n");
        assert!(read_all(&wire)[1].as_ref().unwrap_err().contains("without Content-Length"));
        assert!(read_all(b"Content-Length: 10\r\n\r\n{}")[0].as_ref().unwrap_err().contains("ended inside"));
        let mut long = frame("{}");
        long.extend(vec![b'a'; MAX_HEADER_LINE + 10]);
        assert!(read_all(&long)[1].as_ref().unwrap_err().contains("longer than"));
    }

    #[test]
    fn frames_split_across_reads_are_put_together() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(out.len()).min(3);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut wire = frame(r#"{"seq":1}"#);
        wire.extend_from_slice(b"garbage\r\n");
        wire.extend(frame(r#"{"seq":2}"#));
        let mut reader = FrameReader::new(Trickle(&wire));
        assert_eq!(reader.read_frame().unwrap(), Some(br#"{"seq":1}"#.to_vec()));
        assert!(reader.read_frame().is_err());
        assert_eq!(reader.read_frame().unwrap(), Some(br#"{"seq":2}"#.to_vec()));
        assert_eq!(reader.read_frame().unwrap(), None);
    }
}
