//! The thread that writes a process's compiled functions to its pack, off
//! the compile's path: inserts queue here (bounded: a compile that outruns
//! the disk waits), and each batch is appended, flushed, indexed and then
//! published to the process's index.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write as _};
use std::path::Path;
use std::sync::Weak;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::Shared;
use super::pack_format::{ValueSpan, checksum, encode_entry};

pub(crate) enum Message {
    /// A compiled function: its key and its bytes.
    Insert(Vec<u8>, Vec<u8>),
    /// Answered once everything sent before it is written and published.
    Settle(std::sync::mpsc::Sender<()>),
}

/// Inserts waiting at most (a few MB of machine code).
const QUEUE: usize = 512;
/// Inserts written per flush.
const BATCH: usize = 256;

/// Starts the writer of `shared`'s directory; `None` when no thread could
/// be started (the cache then only reads).
pub(super) fn spawn(shared: Weak<Shared>) -> Option<SyncSender<Message>> {
    let (sender, receiver) = sync_channel(QUEUE);
    std::thread::Builder::new()
        .name("wasmscope-cache-write".into())
        .spawn(move || write_until_closed(&shared, &receiver))
        .ok()?;
    Some(sender)
}

/// Writes batches until every sender is gone or the disk fails (then the
/// receiver drops, and later inserts report that they were not kept).
fn write_until_closed(shared: &Weak<Shared>, receiver: &Receiver<Message>) {
    let Some(directory) = shared.upgrade().map(|shared| shared.directory.clone()) else { return };
    let Ok(mut pack) = Pack::create(&directory) else { return };
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH
            && let Ok(message) = receiver.try_recv()
        {
            batch.push(message);
        }
        let mut inserts = Vec::new();
        let mut settled = Vec::new();
        for message in batch {
            match message {
                Message::Insert(key, value) => inserts.push((key, value)),
                Message::Settle(done) => settled.push(done),
            }
        }
        let Ok(written) = pack.append(inserts) else { return };
        let Some(shared) = shared.upgrade() else { return };
        shared.publish(&pack.name, written);
        for done in settled {
            let _ = done.send(());
        }
    }
}

/// The pack and index files this process appends to.
struct Pack {
    name: std::sync::Arc<str>,
    values: BufWriter<File>,
    index: File,
    length: u64,
}

impl Pack {
    /// New files named by the time and the process: names sort by age.
    fn create(directory: &Path) -> std::io::Result<Pack> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let name = format!("{nanos:020}-{}", std::process::id());
        let create = |extension: &str| {
            OpenOptions::new().append(true).create_new(true).open(directory.join(format!("{name}.{extension}")))
        };
        let values = BufWriter::with_capacity(1 << 18, create("pack")?);
        let index = create("index")?;
        Ok(Pack { name: name.into(), values, index, length: 0 })
    }

    /// Appends `inserts` and then their index entries, the values flushed
    /// first: an index entry never points past what is written.
    fn append(&mut self, inserts: Vec<(Vec<u8>, Vec<u8>)>) -> std::io::Result<Vec<(Box<[u8]>, ValueSpan)>> {
        let mut written = Vec::with_capacity(inserts.len());
        for (key, value) in inserts {
            self.values.write_all(&value)?;
            let span = ValueSpan { offset: self.length, length: value.len() as u32, crc32: checksum(&value) };
            self.length += value.len() as u64;
            written.push((key.into_boxed_slice(), span));
        }
        self.values.flush()?;
        let mut entries = Vec::new();
        for (key, span) in &written {
            encode_entry(key, *span, &mut entries);
        }
        self.index.write_all(&entries)?;
        Ok(written)
    }
}
