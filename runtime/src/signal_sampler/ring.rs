//! A single-producer single-consumer ring of words: the signal handler
//! writes stacks, a drainer thread reads them. Lock-free and allocation-free
//! on the producer side, as a signal handler requires.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

#[derive(Debug)]
pub struct Ring {
    slots: Box<[AtomicU64]>,
    /// Words written (producer only advances it).
    head: AtomicUsize,
    /// Words consumed (consumer only advances it).
    tail: AtomicUsize,
    /// Records dropped because the ring was full.
    pub overflowed: AtomicU64,
    /// The record being written: words so far, or usize::MAX when it is
    /// being dropped for lack of room. Producer only.
    pending: AtomicUsize,
}

impl Ring {
    pub fn with_capacity(words: usize) -> Self {
        Ring {
            slots: (0..words).map(|_| AtomicU64::new(0)).collect(),
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
            overflowed: AtomicU64::new(0),
            pending: AtomicUsize::new(0),
        }
    }

    /// Starts a record of at most `max_words`; it is dropped as a whole
    /// when that much room is not free. Signal-safe, like `write`/`commit`.
    pub fn begin(&self, max_words: usize) {
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Acquire);
        let room = self.slots.len() - (head - tail);
        self.pending.store(if room > max_words { 0 } else { usize::MAX }, Ordering::Relaxed);
    }

    pub fn write(&self, words: &[u64]) {
        let written = self.pending.load(Ordering::Relaxed);
        if written == usize::MAX {
            return;
        }
        let start = self.head.load(Ordering::Relaxed) + 1 + written;
        for (i, word) in words.iter().enumerate() {
            self.slots[(start + i) % self.slots.len()].store(*word, Ordering::Relaxed);
        }
        self.pending.store(written + words.len(), Ordering::Relaxed);
    }

    /// Publishes the record to the consumer.
    pub fn commit(&self) {
        let written = self.pending.load(Ordering::Relaxed);
        if written == usize::MAX {
            self.overflowed.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let head = self.head.load(Ordering::Relaxed);
        self.slots[head % self.slots.len()].store(written as u64, Ordering::Relaxed);
        self.head.store(head + 1 + written, Ordering::Release);
    }

    /// Appends one whole record.
    #[cfg(test)]
    pub fn push(&self, words: &[u64]) {
        self.begin(words.len());
        self.write(words);
        self.commit();
    }

    /// Hands every complete record to `each`, then frees their space.
    pub fn drain(&self, mut each: impl FnMut(&[u64])) {
        let capacity = self.slots.len();
        let head = self.head.load(Ordering::Acquire);
        let mut tail = self.tail.load(Ordering::Relaxed);
        let mut record = Vec::new();
        while tail < head {
            let len = self.slots[tail % capacity].load(Ordering::Relaxed) as usize;
            record.clear();
            record.extend((0..len).map(|i| self.slots[(tail + 1 + i) % capacity].load(Ordering::Relaxed)));
            each(&record);
            tail += len + 1;
        }
        self.tail.store(tail, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_out_in_order_and_a_full_ring_drops_whole_records() {
        let ring = Ring::with_capacity(8);
        ring.push(&[1, 2, 3]);
        ring.push(&[4]);
        ring.push(&[5, 6, 7]); // needs 4 words, 2 left: dropped
        let mut seen = Vec::new();
        ring.drain(|r| seen.push(r.to_vec()));
        assert_eq!(seen, vec![vec![1, 2, 3], vec![4]]);
        assert_eq!(ring.overflowed.load(Ordering::Relaxed), 1);
        ring.push(&[8, 9, 10, 11, 12, 13]); // wraps around
        let mut seen = Vec::new();
        ring.drain(|r| seen.push(r.to_vec()));
        assert_eq!(seen, vec![vec![8, 9, 10, 11, 12, 13]]);
    }
}
