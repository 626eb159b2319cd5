//! The fixed query mix: what influencer managers actually ask — a topic in
//! a few words plus 3–6 filters, a third of them on audience shares.

use crate::fit::Target;
use crate::query::{SearchQuery, Sort};
use chorus_core::creator::Platform;
use chorus_generate::{niche_names, niche_words};

/// Countries that get their own audience column in the SQL baselines;
/// the mix only filters on these so both sides answer the same question.
pub const SQL_COUNTRIES: [&str; 12] = [
    "US", "GB", "CA", "AU", "DE", "FR", "ES", "IT", "BR", "MX", "IN", "JP",
];

/// SplitMix64: a seeded stream without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
}

pub fn queries(seed: u64, n: usize) -> Vec<SearchQuery> {
    let mut r = Rng(seed ^ 0x005E_A2C4);
    (0..n).map(|_| one(&mut r)).collect()
}

fn one(r: &mut Rng) -> SearchQuery {
    let k = r.below(niche_names().len());
    let words = niche_words(k);
    let mut text: Vec<String> = (0..2 + r.below(2))
        .map(|_| r.pick(words).to_owned())
        .collect();
    text.dedup();
    let mut q = SearchQuery {
        q: Some(text.join(" ")),
        limit: Some(20),
        ..Default::default()
    };
    let mut kinds: Vec<usize> = (0..9).collect();
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, r.below(i + 1));
    }
    for kind in kinds.into_iter().take(3 + r.below(4)) {
        filter(r, kind, &mut q);
    }
    q.sort = match r.below(20) {
        0..=11 => None,
        12..=14 => Some(Sort::Followers),
        15..=16 => Some(Sort::Er),
        _ => {
            q.target = Some(Target {
                countries: [(r.pick(&SQL_COUNTRIES[..4]).to_owned(), 0.6)].into(),
                genders: [(r.pick(&["female", "male"]).to_owned(), 1.0)].into(),
                ages: [("25-34".to_owned(), 0.7), ("35-44".to_owned(), 0.3)].into(),
            });
            Some(Sort::BestFit)
        }
    };
    q
}

fn filter(r: &mut Rng, kind: usize, q: &mut SearchQuery) {
    const BANDS: [&str; 6] = ["13-17", "18-24", "25-34", "35-44", "45-64", "65+"];
    match kind {
        0 => {
            q.platforms = vec![r.pick(&[Platform::Instagram, Platform::Tiktok, Platform::Youtube])]
        }
        1 => {
            let lo = r.pick(&[1_000u64, 5_000, 10_000, 50_000]);
            q.followers_min = Some(lo);
            q.followers_max = Some(lo * r.pick(&[10u64, 50, 100]));
        }
        2 => q.er_min = Some(r.pick(&[0.01, 0.02, 0.03])),
        3 => q.countries = vec![r.pick(&SQL_COUNTRIES).to_owned()],
        4 => {
            q.audience_countries = vec![
                r.pick(&SQL_COUNTRIES[..6]).to_owned(),
                r.pick(&SQL_COUNTRIES).to_owned(),
            ];
            q.audience_countries.dedup();
            q.audience_country_min = Some(r.pick(&[0.1, 0.2, 0.3, 0.4]));
        }
        5 => {
            q.audience_gender = Some(r.pick(&["female", "male"]).to_owned());
            q.audience_gender_min = Some(r.pick(&[0.5, 0.6, 0.7]));
        }
        6 => {
            let b = r.below(4);
            q.audience_ages = vec![BANDS[b + 1].to_owned(), BANDS[b + 2].to_owned()];
            q.audience_age_min = Some(r.pick(&[0.3, 0.4, 0.5]));
        }
        7 => q.has_email = Some(true),
        _ => q.posted_within_days = Some(r.pick(&[7, 30, 90])),
    }
}
