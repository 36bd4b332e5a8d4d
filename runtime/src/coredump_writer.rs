//! Coredumps of traps on the production engine (`wasmscope run --coredump`,
//! `wasmscope serve --coredump-dir`): wasmtime records the stack (positions
//! only: a production engine keeps no Wasm locals), the globals and memory;
//! wasmscope adds its note (the trap, the program's fingerprint, the
//! request's route). A server writes one file per trapping request, within
//! a count and a size: a crash loop must not fill the disk.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use wasmscope_debugger::coredump::{DumpNote, ProgramFingerprint, append_note};
use wasmtime::{AsContextMut, Trap, WasmCoreDump};

use crate::wasi_run::trap_kind;

/// Where dumps go.
#[derive(Debug)]
enum Destination {
    /// One run, one file.
    File(PathBuf),
    /// A file per trap, named after its time, number and context.
    Directory { dir: PathBuf, max_files: usize, max_bytes: u64 },
}

/// Writes the coredump a trap carries (the engine must have
/// `coredump_on_trap`).
#[derive(Debug)]
pub struct CoredumpWriter {
    destination: Destination,
    program: PathBuf,
    fingerprint: ProgramFingerprint,
    /// Files and bytes written so far.
    written: Mutex<(usize, u64)>,
}

/// Where a server writes its requests' coredumps, and how many.
#[derive(Clone, Debug)]
pub struct CoredumpDir {
    pub dir: PathBuf,
    pub max_files: usize,
    pub max_bytes: u64,
}

/// The default bounds of `serve --coredump-dir`.
pub const DEFAULT_MAX_COREDUMPS: usize = 16;
pub const DEFAULT_MAX_COREDUMP_BYTES: u64 = 1 << 30;

impl CoredumpWriter {
    /// A writer of one file, `path`, for a run of `program` (its bytes).
    pub fn to_file(path: &Path, program: &Path, bytes: &[u8]) -> Self {
        Self::new(Destination::File(path.to_owned()), program, bytes)
    }

    /// A writer of up to `max_files` files and `max_bytes` bytes in `dir`
    /// (made if missing).
    pub fn to_directory(
        dir: &Path,
        max_files: usize,
        max_bytes: u64,
        program: &Path,
        bytes: &[u8],
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot make the coredump directory {}: {e}", dir.display()))?;
        let destination = Destination::Directory { dir: dir.to_owned(), max_files, max_bytes };
        Ok(Self::new(destination, program, bytes))
    }

    fn new(destination: Destination, program: &Path, bytes: &[u8]) -> Self {
        let program = std::path::absolute(program).unwrap_or_else(|_| program.to_owned());
        CoredumpWriter { destination, program, fingerprint: ProgramFingerprint::of(bytes), written: Mutex::new((0, 0)) }
    }

    /// Writes the dump `error` carries, if it carries one; `context` names
    /// the request (or is empty). Returns what was written, or why not.
    pub fn write(
        &self,
        store: impl AsContextMut,
        error: &wasmtime::Error,
        context: &str,
    ) -> Option<Result<PathBuf, String>> {
        let dump = error.downcast_ref::<WasmCoreDump>()?;
        let trap = error.downcast_ref::<Trap>().copied();
        let note = DumpNote {
            program_path: Some(self.program.display().to_string()),
            program_fingerprint: Some(self.fingerprint),
            trap: trap.map(trap_kind),
            trap_message: trap.map(|t| t.to_string()),
            modules_in_file_order: false,
            context: (!context.is_empty()).then(|| context.to_owned()),
        };
        let bytes = append_note(dump.serialize(store, &self.program.display().to_string()), &note);
        Some(self.store_bytes(&bytes, context))
    }

    fn store_bytes(&self, bytes: &[u8], context: &str) -> Result<PathBuf, String> {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        let path = match &self.destination {
            Destination::File(path) => path.clone(),
            Destination::Directory { dir, max_files, max_bytes } => {
                if written.0 >= *max_files {
                    return Err(format!("{max_files} coredumps written already (--coredump-max-files)"));
                }
                if written.1 + bytes.len() as u64 > *max_bytes {
                    return Err(format!(
                        "a {}-byte coredump would pass the {max_bytes}-byte bound (--coredump-max-bytes)",
                        bytes.len()
                    ));
                }
                dir.join(file_name(written.0 + 1, context))
            }
        };
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.0 += 1;
        written.1 += bytes.len() as u64;
        Ok(path)
    }
}

/// `<unix milliseconds>-<n>-<context>.coredump`, the context reduced to
/// characters every file system takes.
fn file_name(number: usize, context: &str) -> String {
    let millis = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let mut safe: String = context
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .take(80)
        .collect();
    if safe.is_empty() {
        safe.push_str("trap");
    }
    format!("{millis}-{number}-{safe}.coredump")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_the_route_readable_and_safe() {
        let name = file_name(3, "GET /users/../../etc?x=1");
        assert!(name.ends_with("-3-GET__users_.._.._etc_x_1.coredump"), "{name}");
        assert!(!name.contains('/'));
        assert!(file_name(1, "").ends_with("-1-trap.coredump"));
    }

    #[test]
    fn a_directory_writer_stops_at_its_bounds() {
        let dir = std::env::temp_dir().join(format!("wasmscope-coredump-bounds-{}", std::process::id()));
        let writer = CoredumpWriter::to_directory(&dir, 2, 100, Path::new("app.wasm"), b"\0asm").unwrap();
        assert!(writer.store_bytes(&[1; 40], "a").is_ok());
        let too_big = writer.store_bytes(&[1; 70], "b").unwrap_err();
        assert!(too_big.contains("100-byte bound"), "{too_big}");
        assert!(writer.store_bytes(&[1; 40], "c").is_ok());
        let too_many = writer.store_bytes(&[1; 1], "d").unwrap_err();
        assert!(too_many.contains("2 coredumps"), "{too_many}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
