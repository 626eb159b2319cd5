//! Realistic synthetic creators for demos, tests and benchmarks.
//!
//! [`Generator::creator`] turns `(seed, index)` into one [`CreatorRecord`]
//! (the import schema of `chorus-core`) and its ground-truth [`Label`]. Each
//! index has its own ChaCha stream, so any index can be generated alone, in
//! any order or in parallel, and the same seed always gives the same bytes.
//! [`write_ndjson`] streams records with constant memory; the labels (which
//! creators are inauthentic, and how) go only to the separate labels CSV,
//! never into the records.
//!
//! Pure apart from writing to the `std::io::Write` the caller passes.

mod build;
mod json;
mod niches;
mod people;
mod plan;
mod rng;
mod text;

use chorus_core::{CreatorRecord, Platform};
use chrono::{DateTime, TimeZone, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::io::{self, Write};
use std::time::Instant;

pub use niches::{niche_hashtags, niche_names, niche_words};
pub use plan::{base_er, MAX_FOLLOWERS, MIN_FOLLOWERS};

/// Knobs of the generator. The defaults give the population.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Share of creators that are inauthentic (bought followers or pods).
    pub inauthentic_share: f64,
    /// Among inauthentic creators, the share in engagement pods.
    pub pod_share: f64,
    /// Among authentic creators, the share with one viral post.
    pub viral_share: f64,
    /// Profiles in each follower sample. 20 (rather than more) keeps records
    /// near 4–5 KB, which is what lets a million of them stream to disk in
    /// well under a minute.
    pub follower_sample_size: usize,
    /// When set, every creator posts about once a week over exactly this
    /// many months (a full brand-safety window); `None` keeps the natural
    /// 12–60 posts over 12–24 months.
    pub post_months: Option<u32>,
    /// "Now" for post dates and histories; fixed by default so that output is
    /// reproducible. Truncated to whole seconds.
    pub now: DateTime<Utc>,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            inauthentic_share: 0.08,
            pod_share: 0.45,
            viral_share: 0.05,
            follower_sample_size: 20,
            post_months: None,
            now: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        }
    }
}

/// Ground truth of a generated creator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelKind {
    Authentic,
    BoughtFollowers,
    EngagementPod,
}

impl LabelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LabelKind::Authentic => "authentic",
            LabelKind::BoughtFollowers => "bought_followers",
            LabelKind::EngagementPod => "engagement_pod",
        }
    }

    pub fn is_authentic(self) -> bool {
        self == LabelKind::Authentic
    }
}

/// One row of the labels file, keyed like the record by (platform, handle).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub index: u64,
    pub platform: Platform,
    pub handle: String,
    pub niche: &'static str,
    pub authentic: bool,
    pub kind: LabelKind,
}

impl Label {
    /// Header of the labels CSV.
    pub const CSV_HEADER: &'static str = "platform,handle,niche,label,kind\n";

    /// Append this label as one CSV line. No field needs quoting: handles and
    /// niche names never contain commas, quotes or line breaks (tested).
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        csv_row(out, self.platform, &self.handle, self.niche, self.kind);
    }
}

fn csv_row(out: &mut Vec<u8>, platform: Platform, handle: &str, niche: &str, kind: LabelKind) {
    let label = if kind.is_authentic() {
        "authentic"
    } else {
        "inauthentic"
    };
    for (i, field) in [platform.as_str(), handle, niche, label, kind.as_str()]
        .iter()
        .enumerate()
    {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(field.as_bytes());
    }
    out.push(b'\n');
}

/// What [`Generator::fill`] knows beyond the record.
#[derive(Debug, Clone, Copy)]
pub struct Truth {
    pub kind: LabelKind,
    pub niche: &'static str,
}

/// Counts of a generation run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub records: u64,
    /// Bytes of NDJSON written (labels not included).
    pub bytes: u64,
    pub bought_followers: u64,
    pub engagement_pods: u64,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.records += o.records;
        self.bytes += o.bytes;
        self.bought_followers += o.bought_followers;
        self.engagement_pods += o.engagement_pods;
    }
}

/// Generates creators for one seed; keeps scratch buffers between calls.
pub struct Generator {
    key: [u8; 32],
    salt: u64,
    opts: GenOptions,
    days: Vec<f64>,
}

/// SplitMix64: spreads a user seed over the ChaCha key.
fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Append `rec` as one line of NDJSON (without the newline), exactly as
/// `serde_json::to_writer` would write it, only faster.
pub fn write_json(out: &mut Vec<u8>, rec: &CreatorRecord) {
    json::write_record(out, rec);
}

/// A record with nothing in it, to be filled by [`Generator::fill`].
pub fn empty_record() -> CreatorRecord {
    CreatorRecord {
        platform: Platform::Instagram,
        handle: String::new(),
        creator_key: None,
        name: String::new(),
        bio: String::new(),
        country: None,
        language: None,
        email: None,
        followers: 0,
        following: 0,
        post_count: 0,
        niche: None,
        posts: Vec::new(),
        follower_history: Vec::new(),
        audience: None,
        follower_sample: Vec::new(),
    }
}

impl Generator {
    pub fn new(seed: u64, mut opts: GenOptions) -> Generator {
        let mut s = seed;
        let mut key = [0u8; 32];
        for chunk in key.chunks_mut(8) {
            chunk.copy_from_slice(&splitmix(&mut s).to_le_bytes());
        }
        let secs = opts.now.timestamp();
        opts.now = Utc.timestamp_opt(secs, 0).single().unwrap_or(opts.now);
        Generator {
            key,
            salt: splitmix(&mut s),
            opts,
            days: Vec::new(),
        }
    }

    pub fn options(&self) -> &GenOptions {
        &self.opts
    }

    /// The creator at `index`, with its label; independent of every other index.
    pub fn creator(&mut self, index: u64) -> (CreatorRecord, Label) {
        let mut rec = empty_record();
        let t = self.fill(index, &mut rec);
        let label = Label {
            index,
            platform: rec.platform,
            handle: rec.handle.clone(),
            niche: t.niche,
            authentic: t.kind.is_authentic(),
            kind: t.kind,
        };
        (rec, label)
    }

    /// Overwrite `rec` with the creator at `index`, reusing its allocations;
    /// the result is identical to [`Generator::creator`].
    pub fn fill(&mut self, index: u64, rec: &mut CreatorRecord) -> Truth {
        let mut r = ChaCha8Rng::from_seed(self.key);
        r.set_stream(index);
        build::creator(&mut r, &self.opts, index, self.salt, &mut self.days, rec)
    }
}

/// Records are serialized into a buffer and handed to the writer in blocks of
/// about this size, so an unbuffered file is fine.
const FLUSH_BYTES: usize = 1 << 20;
/// Progress is reported after every this many records (and at the end).
pub const PROGRESS_EVERY: u64 = 4096;

/// Generate `range` into `buf` (NDJSON) and `labels` (CSV rows, if wanted).
fn generate_range(
    g: &mut Generator,
    rec: &mut CreatorRecord,
    range: std::ops::Range<u64>,
    buf: &mut Vec<u8>,
    labels: Option<&mut Vec<u8>>,
) -> Stats {
    let mut st = Stats::default();
    let mut labels = labels;
    for i in range {
        let t = g.fill(i, rec);
        let start = buf.len();
        json::write_record(buf, rec);
        buf.push(b'\n');
        st.bytes += (buf.len() - start) as u64;
        st.records += 1;
        match t.kind {
            LabelKind::BoughtFollowers => st.bought_followers += 1,
            LabelKind::EngagementPod => st.engagement_pods += 1,
            LabelKind::Authentic => {}
        }
        if let Some(l) = labels.as_deref_mut() {
            csv_row(l, rec.platform, &rec.handle, t.niche, t.kind);
        }
    }
    st
}

/// Stream `count` creators as NDJSON to `out` (and their labels as CSV to
/// `labels`), single-threaded, in constant memory. `progress` receives the
/// number of records done so far.
pub fn write_ndjson(
    seed: u64,
    count: u64,
    opts: GenOptions,
    out: &mut dyn Write,
    mut labels: Option<&mut dyn Write>,
    mut progress: impl FnMut(u64),
) -> io::Result<Stats> {
    let mut g = Generator::new(seed, opts);
    let mut rec = empty_record();
    let (mut buf, mut lbuf) = (Vec::with_capacity(FLUSH_BYTES * 2), Vec::new());
    if let Some(l) = labels.as_deref_mut() {
        l.write_all(Label::CSV_HEADER.as_bytes())?;
    }
    let mut total = Stats::default();
    let mut i = 0;
    while i < count {
        let end = count.min(i + PROGRESS_EVERY);
        let want = labels.is_some().then_some(&mut lbuf);
        total.add(&generate_range(&mut g, &mut rec, i..end, &mut buf, want));
        if buf.len() >= FLUSH_BYTES || end == count {
            out.write_all(&buf)?;
            buf.clear();
            if let Some(l) = labels.as_deref_mut() {
                l.write_all(&lbuf)?;
                lbuf.clear();
            }
        }
        i = end;
        progress(i);
    }
    out.flush()?;
    if let Some(l) = labels {
        l.flush()?;
    }
    Ok(total)
}

mod parallel;
pub use parallel::write_ndjson_parallel;

/// Generate `count` creators into a sink with all available cores and time it:
/// `(stats, seconds)`. For `chorus bench`.
pub fn bench_generate(count: u64, seed: u64) -> (Stats, f64) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let start = Instant::now();
    let stats = write_ndjson_parallel(
        seed,
        count,
        GenOptions::default(),
        threads,
        &mut io::sink(),
        None,
        |_| {},
    )
    .expect("writing to a sink cannot fail");
    (stats, start.elapsed().as_secs_f64())
}
