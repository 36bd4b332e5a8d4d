//! Reading a file the user (or a module's `external_debug_info`) names:
//! only a regular file, of a size a module can have. `/dev/zero`, a FIFO
//! or a directory would otherwise hang or fill memory.

use std::io::Read as _;
use std::path::Path;

use super::error::{Result, SymbolsError};

/// Wasm's own limits keep a module far below this.
pub const MAX_INPUT: u64 = 4 * 1024 * 1024 * 1024;

/// The bytes of the regular file at `path`.
pub fn read_input_file(path: &Path) -> Result<Vec<u8>> {
    let io = |cause: std::io::Error| SymbolsError::Io { path: path.to_owned(), cause };
    // By path first: opening a FIFO would wait for a writer.
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(SymbolsError::NotAFile { path: path.to_owned(), kind: file_kind(&metadata) });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // Again on the open file: the path may have changed in between.
    let metadata = file.metadata().map_err(io)?;
    if !metadata.is_file() {
        return Err(SymbolsError::NotAFile { path: path.to_owned(), kind: file_kind(&metadata) });
    }
    if metadata.len() > MAX_INPUT {
        return Err(SymbolsError::TooLarge { path: path.to_owned(), size: metadata.len() });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(MAX_INPUT + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(SymbolsError::TooLarge { path: path.to_owned(), size: bytes.len() as u64 });
    }
    Ok(bytes)
}

fn file_kind(metadata: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let kind = metadata.file_type();
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if metadata.is_dir() { "a directory" } else { "not a regular file" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read() {
        let error = read_input_file(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(error.contains("/dev/zero is a device"), "{error}");
        let error = read_input_file(Path::new("/")).unwrap_err().to_string();
        assert!(error.contains("is a directory"), "{error}");
        let error = read_input_file(Path::new("/nonexistent/x.wasm")).unwrap_err();
        // The cause is said once, not repeated by an error chain.
        assert!(std::error::Error::source(&error).is_none());
        assert_eq!(error.to_string().matches("No such file").count(), 1, "{error}");
    }
}
