//! `--log FILE`: one line per message, a summary (kind, seq, command or
//! event, outcome), never a payload: logs get pasted into bug reports and
//! payloads hold the user's memory and source.

use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Clone, Debug, Default)]
pub struct MessageLog {
    file: Option<Arc<Mutex<File>>>,
    start: Option<Instant>,
}

impl MessageLog {
    pub fn to_file(path: &Path) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        Ok(MessageLog { file: Some(Arc::new(Mutex::new(file))), start: Some(Instant::now()) })
    }

    pub fn is_enabled(&self) -> bool {
        self.file.is_some()
    }

    pub fn line(&self, text: &str) {
        if let (Some(file), Some(start)) = (&self.file, self.start) {
            let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
            let _ = writeln!(file, "{:>10.3} {text}", start.elapsed().as_secs_f64());
        }
    }
}
