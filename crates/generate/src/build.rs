//! Turning a [`Plan`] into a [`CreatorRecord`]: identity, posts, follower
//! history, audience and follower sample. Every function writes into an
//! existing record so that a streaming writer can reuse its allocations.

use crate::people::{ascii_fold, language_of, POOLS, TAIL_COUNTRIES};
use crate::plan::{Jump, Plan};
use crate::rng::{below, chance, lognormal, mean_one, normal, pick, range, unit, word, Rng};
use crate::text::{self, Slots, POD_COMMENTS};
use crate::{GenOptions, LabelKind, Truth};
use chorus_core::creator::{
    Audience, AudienceSource, FollowerPoint, FollowerProfile, Post, AGE_BANDS,
};
use chorus_core::CreatorRecord;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Fill `rec` with the creator drawn from `r`; `days` is scratch space.
pub fn creator(
    r: &mut Rng,
    o: &GenOptions,
    index: u64,
    salt: u64,
    days: &mut Vec<f64>,
    rec: &mut CreatorRecord,
) -> Truth {
    let mut plan = Plan::sample(r, o);
    rec.platform = plan.platform;
    rec.creator_key = None;
    let first = identity(r, &plan, index, salt, rec);
    post_days(r, o.post_months, days);
    let viral = choose_viral(r, &mut plan, o, days);
    let city = word(r, plan.country.cities);
    let slots = Slots {
        niche: plan.niche,
        first,
        city,
        flag: plan.country.flag,
    };
    bio(r, &plan, &slots, rec);
    let off = below(r, POD_COMMENTS.len() - 4);
    let ctx = PostCtx {
        plan: &plan,
        slots,
        now: o.now,
        viral,
        pod_pool: &POD_COMMENTS[off..off + 4],
    };
    posts(r, &ctx, days, &mut rec.posts);
    history(r, &plan, o.now, &mut rec.follower_history);
    audience(r, &plan, o.now, &mut rec.audience);
    sample(
        r,
        &plan,
        o.follower_sample_size,
        &ctx.slots,
        &mut rec.follower_sample,
    );
    rec.followers = plan.shown_at(0.0).round() as u64;
    rec.following = lognormal(r, 450.0, 0.8).clamp(20.0, 7500.0).round() as u64;
    rec.post_count = (days.len() as f64 * (1.0 + lognormal(r, 2.0, 0.8))).round() as u64;
    Truth {
        kind: plan.kind,
        niche: plan.niche.name,
    }
}

const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Overwrite an optional string in place, keeping its buffer.
fn set_opt(opt: &mut Option<String>, v: &str) {
    match opt {
        Some(s) => {
            s.clear();
            s.push_str(v);
        }
        None => *opt = Some(v.to_owned()),
    }
}

/// Resize a vector of reusable items, creating new ones with `make`.
fn resize_with<T>(v: &mut Vec<T>, n: usize, make: impl Fn() -> T) {
    v.truncate(n);
    while v.len() < n {
        v.push(make());
    }
}

fn round_share(x: f64) -> f64 {
    (x * 1000.0).floor() / 1000.0
}

/// A number unique to `index` with as many digits as `index` has: a
/// bijection within each block of equal digit count. Appending it to a stem
/// without digits makes handles unique per platform without counters, while
/// not looking sequential.
pub fn index_digits(index: u64, salt: u64) -> u64 {
    let (lo, size) = if index < 10 {
        (0u64, 10u64)
    } else {
        let mut lo = 10u64;
        while let Some(next) = lo.checked_mul(10).filter(|n| *n <= index) {
            lo = next;
        }
        (lo, lo.saturating_mul(9))
    };
    // 1_000_003 is coprime with 2, 3 and 5, hence with every block size.
    let x = (1_000_003u128 * u128::from(index - lo) + u128::from(salt)) % u128::from(size);
    lo + x as u64
}

/// Names, handle, e-mail, bio, country and language; returns the first name.
pub fn identity(
    r: &mut Rng,
    p: &Plan,
    index: u64,
    salt: u64,
    rec: &mut CreatorRecord,
) -> &'static str {
    let names = if p.female { p.pool.female } else { p.pool.male };
    let first = word(r, names);
    let last = word(r, p.pool.last);
    rec.name.clear();
    match below(r, 10) {
        0 | 1 => write!(rec.name, "{first} {}", word(r, text::EMOJI)).unwrap(),
        2 => write!(rec.name, "{first} {}.", last.chars().next().unwrap_or('X')).unwrap(),
        _ => write!(rec.name, "{first} {last}").unwrap(),
    }
    let stem = word(r, &p.niche.stems);
    let h = &mut rec.handle;
    h.clear();
    match below(r, 6) {
        0 => handle_parts(h, &[first, ".", stem]),
        1 => handle_parts(h, &[first, last]),
        2 => handle_parts(h, &[first, "_", last]),
        3 => handle_parts(h, &[stem, "with", first]),
        4 => handle_parts(h, &[first, stem]),
        _ => handle_parts(h, &["the", first, last]),
    }
    h.push_str(word(r, &["", "_", "."]));
    write!(h, "{}", index_digits(index, salt)).unwrap();
    email(r, first, last, rec);
    set_opt(&mut rec.country, p.country.code);
    set_opt(&mut rec.language, p.lang);
    set_opt(&mut rec.niche, p.niche.name);
    first
}

fn handle_parts(h: &mut String, parts: &[&str]) {
    for part in parts {
        match *part {
            "." | "_" => h.push_str(part),
            _ => ascii_fold(part, h),
        }
    }
}

/// About 60% of creators list a contact address. Only reserved example
/// domains are used so that a demo with a real mail relay mails nobody.
fn email(r: &mut Rng, first: &str, last: &str, rec: &mut CreatorRecord) {
    if !chance(r, 0.6) {
        rec.email = None;
        return;
    }
    const DOMAINS: &[&str] = &["example.com", "example.net", "example.org", "mail.example"];
    let e = rec.email.get_or_insert_with(String::new);
    e.clear();
    let domain = word(r, DOMAINS);
    match below(r, 4) {
        0 => {
            ascii_fold(first, e);
            e.push('.');
            ascii_fold(last, e);
            write!(e, "@{domain}").unwrap();
        }
        1 => write!(e, "collabs.{}@{domain}", rec.handle).unwrap(),
        2 => {
            e.push_str("hello@");
            ascii_fold(first, e);
            ascii_fold(last, e);
            e.push_str(".example");
        }
        _ => write!(e, "{}@talent.example", rec.handle.replace('.', "_")).unwrap(),
    }
}

pub fn bio(r: &mut Rng, p: &Plan, slots: &Slots, rec: &mut CreatorRecord) {
    rec.bio.clear();
    text::bio(r, &mut rec.bio, slots, p.lang, rec.email.is_some());
}

/// Days before now of each post, newest first, spread over 12–24 months
/// (or weekly over exactly `months` months when given).
pub fn post_days(r: &mut Rng, months: Option<u32>, days: &mut Vec<f64>) {
    if let Some(m) = months {
        let span = f64::from(m.max(1)) * 30.44;
        let n = ((span / 7.0).round() as usize).max(2);
        let newest = range(r, 0.3, 6.0);
        let gap = (span - newest) / (n - 1) as f64;
        days.clear();
        days.extend((0..n).map(|k| newest + gap * k as f64));
        return;
    }
    // Strongly skewed: most creators show 12–20 posts, a few up to 60.
    let n = 12 + (48.0 * unit(r).powi(12)).round() as usize;
    let span = range(r, 365.0, 730.0);
    let newest = range(r, 0.3, 12.0);
    let gap = (span - newest) / (n - 1) as f64;
    days.clear();
    days.push(newest);
    for k in 1..n {
        days.push(newest + gap * (k as f64 + range(r, -0.4, 0.4)));
    }
}

/// A few authentic creators have one post that went viral; followers jump
/// two days after it.
pub fn choose_viral(r: &mut Rng, p: &mut Plan, o: &GenOptions, days: &[f64]) -> Option<usize> {
    if p.kind != LabelKind::Authentic || !chance(r, o.viral_share) {
        return None;
    }
    let older: Vec<usize> = (0..days.len()).filter(|&k| days[k] > 60.0).collect();
    let k = *pick(r, &older);
    p.viral = Some(Jump {
        days_ago: days[k] - 2.0,
        size: range(r, 0.15, 0.6),
    });
    Some(k)
}

/// Per-post state shared by all posts of one creator.
pub struct PostCtx<'a> {
    pub plan: &'a Plan,
    pub slots: Slots<'a>,
    pub now: DateTime<Utc>,
    pub viral: Option<usize>,
    /// The few generic comments a pod keeps pasting.
    pub pod_pool: &'a [&'static str],
}

pub fn posts(r: &mut Rng, c: &PostCtx, days: &[f64], out: &mut Vec<Post>) {
    resize_with(out, days.len(), || Post {
        id: String::new(),
        caption: String::new(),
        hashtags: Vec::new(),
        published_at: DateTime::<Utc>::default(),
        likes: 0,
        comments: 0,
        views: None,
        comment_samples: Vec::new(),
    });
    for (k, post) in out.iter_mut().enumerate() {
        post_text(r, c, k, post);
        post_numbers(r, c, k, days[k], post);
        comment_samples(r, c, post);
    }
}

fn post_text(r: &mut Rng, c: &PostCtx, k: usize, post: &mut Post) {
    post.id.clear();
    let mut x = r.next_u32_compat();
    for _ in 0..4 {
        post.id.push(BASE36[(x % 36) as usize] as char);
        x /= 36;
    }
    write!(post.id, "{k:02}").unwrap();
    post.caption.clear();
    text::caption(r, &mut post.caption, &c.slots, c.plan.lang);
    let tags = &c.plan.niche.tags;
    let n_tags = 2 + below(r, 3);
    let mut picked: [usize; 4] = [usize::MAX; 4];
    let mut list = Reuse::new(&mut post.hashtags);
    for j in 0..n_tags {
        let mut t = below(r, tags.len());
        while picked.contains(&t) {
            t = (t + 1) % tags.len();
        }
        picked[j] = t;
        list.push(tags[t]);
    }
    if chance(r, 0.2) {
        list.push(word(r, text::GENERIC_TAGS));
    }
    if c.plan.platform == chorus_core::Platform::Tiktok && chance(r, 0.5) {
        list.push("fyp");
    }
    list.finish();
    disclosure_or_mention(r, c, post);
}

/// Refills a list of strings in place, reusing the strings already there.
struct Reuse<'a> {
    v: &'a mut Vec<String>,
    used: usize,
}

impl<'a> Reuse<'a> {
    fn new(v: &'a mut Vec<String>) -> Self {
        Reuse { v, used: 0 }
    }

    fn push(&mut self, s: &str) {
        if let Some(slot) = self.v.get_mut(self.used) {
            slot.clear();
            slot.push_str(s);
        } else {
            self.v.push(s.to_owned());
        }
        self.used += 1;
    }

    fn finish(self) {
        self.v.truncate(self.used);
    }
}

/// About 8% of posts are sponsored, mostly disclosed (some are not, as in
/// real data); some others mention a fellow creator.
fn disclosure_or_mention(r: &mut Rng, c: &PostCtx, post: &mut Post) {
    let stem = word(r, &c.plan.niche.stems);
    if chance(r, 0.08) {
        let suffix = word(
            r,
            &["co", "hq", "lab", "studio", ".official", "works", "supply"],
        );
        let (text, tag) = match below(r, 5) {
            0 | 1 => (" #ad @", Some("ad")),
            2 => (" Paid partnership with @", Some("ad")),
            3 => (" #sponsored by @", Some("sponsored")),
            _ => (" thanks @", None),
        };
        write!(post.caption, "{text}{stem}{suffix}").unwrap();
        if let Some(t) = tag {
            post.hashtags.push(t.to_owned());
        }
    } else if chance(r, 0.1) {
        let friend = word(r, c.plan.pool.female);
        post.caption.push_str(" with @");
        ascii_fold(friend, &mut post.caption);
        post.caption.push('.');
        post.caption.push_str(stem);
    }
}

/// Likes and comments follow the followers that engaged at the time of the
/// post times the creator's rate, with per-post noise; views scale with
/// shown followers on video platforms.
fn post_numbers(r: &mut Rng, c: &PostCtx, k: usize, days: f64, post: &mut Post) {
    let p = c.plan;
    post.published_at = c.now - Duration::seconds((days * 86_400.0) as i64);
    let noise = mean_one(r, p.post_sigma);
    let boost = if c.viral == Some(k) {
        range(r, 8.0, 30.0)
    } else {
        1.0
    };
    let eng = p.real_at(days) * p.er * noise * boost;
    let share = (p.comment_share * mean_one(r, 0.3)).min(0.5);
    post.comments = (eng * share).round() as u64;
    post.likes = (eng * (1.0 - share)).round() as u64;
    post.views = if p.platform.is_video() {
        let organic = mean_one(r, 0.3) * noise.powf(0.7) * boost;
        let v = p.shown_at(days) * p.view_ratio * organic;
        Some(v.max(eng * 4.0).round() as u64)
    } else {
        None
    };
}

fn comment_samples(r: &mut Rng, c: &PostCtx, post: &mut Post) {
    let (p_has, p_generic) = match c.plan.kind {
        LabelKind::EngagementPod => (0.35, 0.8),
        _ => (0.12, 0.15),
    };
    let v = &mut post.comment_samples;
    if !chance(r, p_has) {
        v.clear();
        return;
    }
    let n = 2 + below(r, 3);
    resize_with(v, n, String::new);
    for s in v.iter_mut() {
        s.clear();
        if chance(r, p_generic) {
            let pool = if c.plan.kind == LabelKind::EngagementPod {
                c.pod_pool
            } else {
                POD_COMMENTS
            };
            s.push_str(word(r, pool));
        } else {
            text::real_comment(r, s, &c.slots);
        }
    }
    post.comments = post.comments.max(n as u64);
}

/// Monthly points over 12–18 months (one creator in ten: weekly over a
/// year), oldest first, with a little measurement noise.
pub fn history(r: &mut Rng, p: &Plan, now: DateTime<Utc>, out: &mut Vec<FollowerPoint>) {
    let today = now.date_naive();
    out.clear();
    let weekly = chance(r, 0.1);
    let n = if weekly {
        53 + below(r, 4)
    } else {
        13 + below(r, 7)
    };
    for k in (0..n).rev() {
        let date = if weekly {
            today - Duration::days(7 * k as i64)
        } else {
            months_back(today, k as i32)
        };
        let days = (today - date).num_days() as f64;
        let f = p.shown_at(days) * (1.0 + 0.004 * normal(r));
        out.push(FollowerPoint {
            date,
            followers: f.round().max(0.0) as u64,
        });
    }
}

/// The first of the month `k` months before `today`'s month.
fn months_back(today: NaiveDate, k: i32) -> NaiveDate {
    let m = today.year() * 12 + today.month0() as i32 - k;
    NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1).unwrap_or(today)
}

/// Trait shim: `RngCore::next_u32` without importing it at every call site.
trait NextU32 {
    fn next_u32_compat(&mut self) -> u32;
}
impl NextU32 for Rng {
    fn next_u32_compat(&mut self) -> u32 {
        rand::RngCore::next_u32(self)
    }
}

/// Audience by country (home dominant, then neighbours, the US, a small
/// tail; the rest unknown), by age and gender from the niche, and by
/// language from the countries.
pub fn audience(r: &mut Rng, p: &Plan, now: DateTime<Utc>, out: &mut Option<Audience>) {
    let a = out.get_or_insert_with(|| Audience {
        source: AudienceSource::Estimated,
        as_of: now.date_naive(),
        countries: BTreeMap::new(),
        ages: BTreeMap::new(),
        genders: BTreeMap::new(),
        languages: BTreeMap::new(),
    });
    a.source = if chance(r, 0.15) {
        AudienceSource::CreatorAuthorized
    } else {
        AudienceSource::Estimated
    };
    a.as_of = now.date_naive() - Duration::days(below(r, 21) as i64);
    countries(r, p, &mut a.countries);
    languages(p, &a.countries, &mut a.languages);
    ages(r, p, &mut a.ages);
    genders(r, p, &mut a.genders);
}

fn countries(r: &mut Rng, p: &Plan, out: &mut BTreeMap<String, f64>) {
    let mut w: Vec<(&str, f64)> = Vec::with_capacity(8);
    let home = p.country.code;
    w.push((
        home,
        if home == "US" {
            range(r, 5.0, 12.0)
        } else {
            range(r, 3.0, 8.0)
        },
    ));
    if home != "US" {
        w.push(("US", range(r, 0.4, 1.5)));
    }
    for nb in p.country.neighbours.iter().filter(|c| **c != "US") {
        w.push((nb, range(r, 0.2, 0.8)));
    }
    for _ in 0..2 {
        w.push((word(r, TAIL_COUNTRIES), range(r, 0.05, 0.2)));
    }
    let known = range(r, 0.86, 0.97);
    let total: f64 = w.iter().map(|x| x.1).sum();
    out.clear();
    for (c, x) in w {
        *out.entry(c.to_owned()).or_insert(0.0) += x / total * known;
    }
    for v in out.values_mut() {
        *v = round_share(*v);
    }
}

fn languages(p: &Plan, countries: &BTreeMap<String, f64>, out: &mut BTreeMap<String, f64>) {
    out.clear();
    for (c, share) in countries {
        let (second, part) = match (c.as_str(), p.country.second_lang) {
            (code, Some((l, s))) if code == p.country.code => (Some(l), s),
            ("CA", _) => (Some("fr"), 0.2),
            ("IN", _) => (Some("hi"), 0.35),
            ("CH", _) => (Some("fr"), 0.25),
            ("BE", _) => (Some("nl"), 0.55),
            _ => (None, 0.0),
        };
        *out.entry(language_of(c).to_owned()).or_insert(0.0) += share * (1.0 - part);
        if let Some(l) = second {
            *out.entry(l.to_owned()).or_insert(0.0) += share * part;
        }
    }
    for v in out.values_mut() {
        *v = round_share(*v);
    }
}

fn ages(r: &mut Rng, p: &Plan, out: &mut BTreeMap<String, f64>) {
    let mut w = p.niche.ages;
    for x in w.iter_mut() {
        *x *= mean_one(r, 0.25);
    }
    let total: f64 = w.iter().sum();
    out.clear();
    for (band, x) in AGE_BANDS.iter().zip(w) {
        out.insert((*band).to_owned(), round_share(x / total));
    }
}

fn genders(r: &mut Rng, p: &Plan, out: &mut BTreeMap<String, f64>) {
    let nudge = if p.female { 0.04 } else { -0.04 };
    let female = (p.niche.female + nudge + 0.06 * normal(r)).clamp(0.03, 0.97);
    let other = range(r, 0.005, 0.03);
    out.clear();
    out.insert("female".to_owned(), round_share(female * (1.0 - other)));
    out.insert(
        "male".to_owned(),
        round_share((1.0 - female) * (1.0 - other)),
    );
    out.insert("other".to_owned(), round_share(other));
}

/// What kind of account a sampled follower is.
#[derive(Clone, Copy)]
enum Follower {
    Real,
    Mass,
    Influencer,
    Fake,
}

/// A follower sample mixing real people, mass-followers, a few creators and
/// fake accounts; the fake share is small unless followers were bought.
/// To keep records small, an empty bio and the absence of an external URL
/// are written as missing fields rather than `""` and `false`.
pub fn sample(r: &mut Rng, p: &Plan, size: usize, slots: &Slots, out: &mut Vec<FollowerProfile>) {
    let fake = match p.kind {
        LabelKind::BoughtFollowers => range(r, 0.4, 0.8),
        _ => range(r, 0.03, 0.15),
    };
    let mass = range(r, 0.05, 0.15);
    let infl = range(r, 0.02, 0.06);
    resize_with(out, size, FollowerProfile::default);
    for f in out.iter_mut() {
        let u = unit(r);
        let kind = if u < fake {
            Follower::Fake
        } else if u < fake + mass {
            Follower::Mass
        } else if u < fake + mass + infl {
            Follower::Influencer
        } else {
            Follower::Real
        };
        profile(r, p, kind, slots, f);
    }
}

fn profile(r: &mut Rng, p: &Plan, kind: Follower, slots: &Slots, f: &mut FollowerProfile) {
    match kind {
        Follower::Fake => {
            fake_profile(r, f);
            return;
        }
        Follower::Real => {
            person(r, p, f);
            set_counts(
                f,
                lognormal(r, 300.0, 1.0),
                following_of_person(r),
                lognormal(r, 80.0, 1.2),
            );
            f.is_private = Some(chance(r, 0.35));
            f.has_external_url = chance(r, 0.05).then_some(true);
        }
        Follower::Mass => {
            person(r, p, f);
            set_counts(
                f,
                lognormal(r, 600.0, 0.8),
                range(r, 1500.0, 7500.0),
                lognormal(r, 40.0, 1.0),
            );
            f.is_private = Some(chance(r, 0.1));
            f.has_external_url = chance(r, 0.1).then_some(true);
        }
        Follower::Influencer => {
            person(r, p, f);
            let bio = f.bio.get_or_insert_with(String::new);
            bio.clear();
            text::bio(r, bio, slots, "en", false);
            set_counts(
                f,
                lognormal(r, 40_000.0, 1.0).max(10_000.0),
                lognormal(r, 800.0, 0.6),
                lognormal(r, 900.0, 0.7),
            );
            f.is_private = Some(false);
            f.has_external_url = chance(r, 0.7).then_some(true);
        }
    }
    f.has_profile_pic = Some(chance(r, 0.95));
}

/// Ordinary people follow a few hundred accounts, rarely more than 1,500
/// (beyond that they count as mass-followers).
fn following_of_person(r: &mut Rng) -> f64 {
    let f = lognormal(r, 350.0, 0.6);
    if f < 1450.0 {
        f
    } else {
        range(r, 300.0, 1450.0)
    }
}

fn set_counts(f: &mut FollowerProfile, followers: f64, following: f64, posts: f64) {
    f.followers = Some(followers.round() as u64);
    f.following = Some(following.round() as u64);
    f.posts = Some(posts.round() as u64);
}

/// A plausible person from the creator's culture (or an English-speaking
/// one), with a short bio half of the time.
fn person(r: &mut Rng, p: &Plan, f: &mut FollowerProfile) {
    let pool = if chance(r, 0.7) { p.pool } else { &POOLS[0] };
    let names = if chance(r, p.niche.female) {
        pool.female
    } else {
        pool.male
    };
    let first = word(r, names);
    let last = word(r, pool.last);
    let u = f.username.get_or_insert_with(String::new);
    u.clear();
    ascii_fold(first, u);
    u.push_str(word(r, &["", ".", "_"]));
    ascii_fold(last, u);
    if chance(r, 0.5) {
        write!(u, "{}", below(r, 1000)).unwrap();
    }
    if chance(r, 0.75) {
        let n = f.full_name.get_or_insert_with(String::new);
        n.clear();
        write!(n, "{first} {last}").unwrap();
    } else {
        f.full_name = None;
    }
    if chance(r, 0.25) {
        let b = f.bio.get_or_insert_with(String::new);
        b.clear();
        b.push_str(word(r, text::GENERIC));
        b.push_str(" | ");
        b.push_str(word(r, &p.niche.words));
    } else {
        f.bio = None;
    }
}

/// Shaped like real fake-account data: no picture, almost no posts, a huge
/// following-to-followers ratio, digit-heavy username, empty bio.
fn fake_profile(r: &mut Rng, f: &mut FollowerProfile) {
    let u = f.username.get_or_insert_with(String::new);
    u.clear();
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    for _ in 0..3 + below(r, 5) {
        u.push(LETTERS[below(r, 26)] as char);
    }
    u.push_str(word(r, &["", "_", "."]));
    for _ in 0..5 + below(r, 6) {
        u.push((b'0' + below(r, 10) as u8) as char);
    }
    f.full_name = None;
    f.bio = None;
    f.followers = Some(below(r, 30) as u64);
    f.following = Some(range(r, 800.0, 7500.0).round() as u64);
    f.posts = Some(below(r, 4) as u64);
    f.has_profile_pic = Some(chance(r, 0.12));
    f.is_private = Some(chance(r, 0.2));
    f.has_external_url = None;
}
