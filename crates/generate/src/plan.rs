//! The hidden state of one generated creator: who they are, how big, how
//! engaging, how they grew, and whether they cheat. Every number in the record
//! is derived from this plan, so the record is internally consistent (likes
//! follow followers at the time of the post, a viral post sits where the
//! follower jump is, and so on).

use crate::niches::{niches, Niche};
use crate::people::{Country, NamePool, COUNTRIES, POOLS};
use crate::rng::{chance, lognormal, mean_one, range, unit, weighted_by, Rng};
use crate::{GenOptions, LabelKind};
use chorus_core::Platform;

/// Platforms in the order of `Niche::platforms`.
const PLATFORMS: [Platform; 6] = [
    Platform::Instagram,
    Platform::Tiktok,
    Platform::Youtube,
    Platform::Twitch,
    Platform::X,
    Platform::Pinterest,
];

pub const MIN_FOLLOWERS: f64 = 1_000.0;
pub const MAX_FOLLOWERS: f64 = 5_000_000.0;
const DAYS_PER_MONTH: f64 = 30.44;

/// An event that multiplies followers from some day on (viral post or purchase).
#[derive(Debug, Clone, Copy)]
pub struct Jump {
    pub days_ago: f64,
    /// Relative increase, 0.5 = +50%.
    pub size: f64,
}

#[derive(Debug)]
pub struct Plan {
    pub kind: LabelKind,
    pub niche: &'static Niche,
    pub country: &'static Country,
    pub pool: &'static NamePool,
    pub platform: Platform,
    pub lang: &'static str,
    pub female: bool,
    /// Followers that really follow (engage); for bought accounts fewer than shown.
    pub real_now: f64,
    /// Monthly organic growth rate (log scale).
    pub growth: f64,
    /// Engagements per real follower per post, before per-post noise.
    pub er: f64,
    pub post_sigma: f64,
    pub comment_share: f64,
    /// Views per shown follower on video platforms.
    pub view_ratio: f64,
    pub viral: Option<Jump>,
    pub spike: Option<Jump>,
}

/// Heavy-tailed follower counts: a log-normal core centred in the micro tier
/// (10k–100k) plus a wide log-normal tail that reaches nano and mega accounts.
pub fn sample_followers(r: &mut Rng) -> f64 {
    for _ in 0..16 {
        let f = if chance(r, 0.82) {
            lognormal(r, 28_000.0, 0.8)
        } else {
            lognormal(r, 40_000.0, 1.9)
        };
        if (MIN_FOLLOWERS..=MAX_FOLLOWERS).contains(&f) {
            return f;
        }
    }
    28_000.0
}

/// Typical engagement rate at a follower count: about 6% at 20k, falling
/// gently for smaller accounts and steeply for larger ones (0.75% at 2M).
pub fn base_er(followers: f64) -> f64 {
    let x = followers / 20_000.0;
    let slope = if x < 1.0 { -0.25 } else { -0.45 };
    0.06 * x.powf(slope)
}

fn platform_er_factor(p: Platform) -> f64 {
    match p {
        Platform::Tiktok => 1.25,
        Platform::Youtube => 0.8,
        Platform::Twitch => 0.6,
        Platform::X | Platform::Pinterest => 0.35,
        _ => 1.0,
    }
}

fn view_ratio(r: &mut Rng, p: Platform) -> f64 {
    match p {
        Platform::Tiktok => lognormal(r, 0.9, 0.6),
        Platform::Youtube => lognormal(r, 0.3, 0.5),
        Platform::Twitch => lognormal(r, 0.08, 0.5),
        _ => 0.0,
    }
}

fn sample_kind(r: &mut Rng, o: &GenOptions) -> LabelKind {
    if !chance(r, o.inauthentic_share) {
        LabelKind::Authentic
    } else if chance(r, o.pod_share) {
        LabelKind::EngagementPod
    } else {
        LabelKind::BoughtFollowers
    }
}

impl Plan {
    pub fn sample(r: &mut Rng, o: &GenOptions) -> Plan {
        let kind = sample_kind(r, o);
        let all = niches();
        let niche = &all[(unit(r) * all.len() as f64) as usize % all.len()];
        let country = &COUNTRIES[weighted_by(r, COUNTRIES, |c| c.weight)];
        let pool = &POOLS[country.pools[weighted_by(r, country.pools, |p| p.1)].0];
        let platform = PLATFORMS[weighted_by(r, &niche.platforms, |w| *w)];
        let lang = match country.second_lang {
            Some((l, p)) if chance(r, p) => l,
            _ => country.lang,
        };
        let female = chance(r, 0.15 + 0.7 * niche.female);
        let shown = sample_followers(r);
        let mut plan = Plan {
            kind,
            niche,
            country,
            pool,
            platform,
            lang,
            female,
            real_now: shown,
            growth: (0.015 + 0.015 * crate::rng::normal(r)).clamp(-0.01, 0.06),
            er: 0.0,
            post_sigma: range(r, 0.35, 0.55),
            comment_share: range(r, 0.01, 0.05),
            view_ratio: view_ratio(r, platform),
            viral: None,
            spike: None,
        };
        plan.er = base_er(shown) * platform_er_factor(platform) * mean_one(r, 0.3);
        plan.apply_kind(r);
        plan
    }

    /// Bought followers inflate the shown count over a real base and come with
    /// weak engagement; pods inflate engagement and flatten its variance.
    fn apply_kind(&mut self, r: &mut Rng) {
        match self.kind {
            LabelKind::Authentic => {}
            LabelKind::BoughtFollowers => {
                let size = 0.2 + 1.8 * unit(r).powi(2);
                let shown = self.real_now;
                self.real_now /= 1.0 + size;
                self.er *= base_er(self.real_now) / base_er(shown) * range(r, 0.5, 0.8);
                self.spike = Some(Jump {
                    days_ago: range(r, 45.0, 270.0),
                    size,
                });
            }
            LabelKind::EngagementPod => {
                self.er *= range(r, 1.8, 2.8);
                self.post_sigma = range(r, 0.04, 0.09);
                self.comment_share = range(r, 0.08, 0.15);
            }
        }
    }

    /// Followers that engage, `days_ago` days before now.
    pub fn real_at(&self, days_ago: f64) -> f64 {
        let mut f = self.real_now * (-self.growth * days_ago / DAYS_PER_MONTH).exp();
        if let Some(v) = self.viral {
            if days_ago > v.days_ago {
                f /= 1.0 + v.size;
            }
        }
        f
    }

    /// Followers the platform shows, `days_ago` days before now.
    pub fn shown_at(&self, days_ago: f64) -> f64 {
        let f = self.real_at(days_ago);
        match self.spike {
            Some(s) if days_ago < s.days_ago => f * (1.0 + s.size),
            _ => f,
        }
    }
}
