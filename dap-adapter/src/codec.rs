//! DAP's base framing: `Content-Length: N\r\n\r\n` then N bytes of JSON.
//! The reader never trusts the peer: header lines and bodies are bounded,
//! and every malformed frame is an error the caller can report and survive
//! (the stream stays usable after a bad body; a bad header resynchronizes at
//! the next blank line).

use std::io::{self, BufRead, Write};

/// Largest body accepted (a `setBreakpoints` for a huge file is well under).
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// Longest header line accepted.
const MAX_HEADER_LINE: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
    #[error("header without Content-Length")]
    MissingLength,
    #[error("malformed header line: {0:?}")]
    BadHeader(String),
    #[error("header line longer than {MAX_HEADER_LINE} bytes")]
    HeaderTooLong,
    #[error("message of {0} bytes is over the {MAX_BODY}-byte limit")]
    TooLarge(usize),
    #[error("stream ended inside a message")]
    Truncated,
}

impl FrameError {
    /// Whether the stream can go on after this error (the next frame can
    /// still be read).
    pub fn is_recoverable(&self) -> bool {
        !matches!(self, FrameError::Io(_) | FrameError::Truncated)
    }
}

/// Reads frames from a byte stream.
#[derive(Debug)]
pub struct FrameReader<R> {
    input: R,
}

impl<R: BufRead> FrameReader<R> {
    pub fn new(input: R) -> Self {
        FrameReader { input }
    }

    /// The next frame's body; `Ok(None)` at a clean end of stream.
    pub fn read_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        let mut length = None;
        let mut error = None;
        let mut saw_header = false;
        loop {
            let Some(line) = self.read_header_line()? else {
                return if saw_header { Err(FrameError::Truncated) } else { Ok(None) };
            };
            if line.is_empty() {
                if !saw_header {
                    continue; // stray blank lines between frames
                }
                break;
            }
            saw_header = true;
            match parse_header(&line) {
                Ok(Some(n)) => length = Some(n),
                Ok(None) => {}
                Err(e) => {
                    error.get_or_insert(e);
                }
            }
        }
        if let Some(e) = error {
            return Err(e);
        }
        let length = length.ok_or(FrameError::MissingLength)?;
        if length > MAX_BODY {
            // Skip the body so the next frame can still be read.
            let skipped = io::copy(&mut io::Read::take(&mut self.input, length as u64), &mut io::sink())?;
            return Err(if skipped < length as u64 { FrameError::Truncated } else { FrameError::TooLarge(length) });
        }
        let mut body = vec![0; length];
        self.input.read_exact(&mut body).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => FrameError::Truncated,
            _ => FrameError::Io(e),
        })?;
        Ok(Some(body))
    }

    /// One header line without its line ending; `None` at end of stream.
    fn read_header_line(&mut self) -> Result<Option<String>, FrameError> {
        let mut line = Vec::new();
        loop {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                return if line.is_empty() { Ok(None) } else { Err(FrameError::Truncated) };
            }
            let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..=i], true),
                None => (available, false),
            };
            if line.len() + chunk.len() > MAX_HEADER_LINE {
                let n = chunk.len();
                self.input.consume(n);
                return Err(FrameError::HeaderTooLong);
            }
            line.extend_from_slice(chunk);
            let n = chunk.len();
            self.input.consume(n);
            if done {
                break;
            }
        }
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        Ok(Some(String::from_utf8_lossy(&line).into_owned()))
    }
}

/// `Some(length)` for a Content-Length header, `None` for other headers.
fn parse_header(line: &str) -> Result<Option<usize>, FrameError> {
    let (name, value) = line.split_once(':').ok_or_else(|| FrameError::BadHeader(line.to_owned()))?;
    if !name.trim().eq_ignore_ascii_case("content-length") {
        return Ok(None);
    }
    let value = value.trim();
    let length: usize = value.parse().map_err(|_| FrameError::BadHeader(line.to_owned()))?;
    Ok(Some(length))
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

    #[test]
    fn frames_round_trip_with_other_headers_and_any_case() {
        let mut wire = Vec::new();
        write_frame(&mut wire, b"{\"seq\":1}").unwrap();
        wire.extend_from_slice(b"content-length: 2\r\nContent-Type: application/json\r\n\r\n{}");
        assert_eq!(read_all(&wire), vec![Ok(b"{\"seq\":1}".to_vec()), Ok(b"{}".to_vec())]);
    }

    #[test]
    fn a_bad_frame_is_an_error_and_the_next_one_still_reads() {
        let wire = b"Content-Length: x\r\n\r\nContent-Length: 2\r\n\r\n{}Nonsense\r\n\r\nContent-Length: 1\r\n\r\n1";
        let got = read_all(wire);
        assert!(got[0].as_ref().unwrap_err().contains("malformed header"));
        assert_eq!(got[1], Ok(b"{}".to_vec()));
        assert!(got[2].as_ref().unwrap_err().contains("malformed header"));
        assert_eq!(got[3], Ok(b"1".to_vec()));
    }

    #[test]
    fn oversized_missing_and_truncated_frames_are_reported() {
        let huge = format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1);
        assert!(read_all(huge.as_bytes())[0].as_ref().unwrap_err().contains("ended inside"));
        assert!(read_all(b"X-Other: 1\r\n\r\n")[0].as_ref().unwrap_err().contains("without Content-Length"));
        assert!(read_all(b"Content-Length: 10\r\n\r\n{}")[0].as_ref().unwrap_err().contains("ended inside"));
        let long = vec![b'a'; MAX_HEADER_LINE + 10];
        assert!(read_all(&long)[0].as_ref().unwrap_err().contains("longer than"));
    }
}
