//! Multi-threaded streaming: workers generate fixed chunks of indexes and the
//! calling thread writes them strictly in index order, so the output is
//! byte-identical to [`crate::write_ndjson`]. Chunk buffers circulate between
//! writer and workers, so memory stays constant however many records are made.

use crate::{empty_record, generate_range, GenOptions, Generator, Label, Stats};
use std::io::{self, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};

const CHUNK: u64 = 2048;

#[derive(Default)]
struct Chunk {
    ndjson: Vec<u8>,
    labels: Vec<u8>,
    stats: Stats,
}

struct Worker {
    filled: Receiver<Chunk>,
    recycle: Sender<Chunk>,
}

/// What every worker needs to know about the run.
#[derive(Clone)]
struct Job {
    seed: u64,
    count: u64,
    chunks: u64,
    threads: u64,
    opts: GenOptions,
    want_labels: bool,
}

fn work(w: u64, job: Job, filled: SyncSender<Chunk>, recycle: Receiver<Chunk>) {
    let Job {
        seed,
        count,
        chunks,
        threads,
        opts,
        want_labels,
    } = job;
    let mut g = Generator::new(seed, opts);
    let mut rec = empty_record();
    for c in (w..chunks).step_by(threads as usize) {
        let mut chunk = recycle.try_recv().unwrap_or_default();
        chunk.ndjson.clear();
        chunk.labels.clear();
        let range = c * CHUNK..count.min((c + 1) * CHUNK);
        let labels = want_labels.then_some(&mut chunk.labels);
        chunk.stats = generate_range(&mut g, &mut rec, range, &mut chunk.ndjson, labels);
        if filled.send(chunk).is_err() {
            return; // the writer gave up (write error); stop quietly
        }
    }
}

/// Like [`crate::write_ndjson`] (same bytes), with `threads` generator threads.
pub fn write_ndjson_parallel(
    seed: u64,
    count: u64,
    opts: GenOptions,
    threads: usize,
    out: &mut dyn Write,
    mut labels: Option<&mut dyn Write>,
    mut progress: impl FnMut(u64),
) -> io::Result<Stats> {
    let threads = threads.max(1) as u64;
    let chunks = count.div_ceil(CHUNK);
    let want_labels = labels.is_some();
    if let Some(l) = labels.as_deref_mut() {
        l.write_all(Label::CSV_HEADER.as_bytes())?;
    }
    let mut total = Stats::default();
    std::thread::scope(|s| -> io::Result<()> {
        let job = Job {
            seed,
            count,
            chunks,
            threads,
            opts,
            want_labels,
        };
        let mut workers = Vec::new();
        for w in 0..threads {
            let (ftx, frx) = sync_channel(2);
            let (rtx, rrx) = channel();
            let job = job.clone();
            s.spawn(move || work(w, job, ftx, rrx));
            workers.push(Worker {
                filled: frx,
                recycle: rtx,
            });
        }
        for c in 0..chunks {
            let wk = &workers[(c % threads) as usize];
            let chunk = wk
                .filled
                .recv()
                .map_err(|_| io::Error::other("generator thread stopped"))?;
            out.write_all(&chunk.ndjson)?;
            if let Some(l) = labels.as_deref_mut() {
                l.write_all(&chunk.labels)?;
            }
            total.add(&chunk.stats);
            progress(total.records);
            let _ = wk.recycle.send(chunk);
        }
        Ok(())
    })?;
    out.flush()?;
    if let Some(l) = labels {
        l.flush()?;
    }
    Ok(total)
}
