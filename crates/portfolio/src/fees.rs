//! Fee estimates for one deliverable. A creator's rate card always wins; the
//! model fills in for creators who have not quoted, and each organization
//! edits it to its market (all amounts are integer minor units).

use crate::candidate::{Candidate, Tier};
use chorus_core::{Currency, Money, Platform};
use serde::{Deserialize, Serialize};

/// Price of one deliverable for one platform and tier:
/// `max(floor, followers / 1000 × per_1k)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRule {
    pub platform: Platform,
    pub tier: Tier,
    /// Minor units per 1,000 followers.
    pub per_1k_minor: i64,
    /// Minor units; nobody posts for less.
    pub floor_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeModel {
    pub currency: Currency,
    pub rules: Vec<FeeRule>,
}

/// Default USD rate per 1k followers (in cents) by platform: the common
/// "$10 per 1k on Instagram" rule of thumb, with YouTube's longer
/// production priced higher and text platforms lower.
fn default_per_1k_cents(p: Platform) -> i64 {
    match p {
        Platform::Instagram => 1_000,
        Platform::Tiktok => 800,
        Platform::Youtube => 2_000,
        Platform::Twitch => 1_500,
        Platform::X => 500,
        Platform::Pinterest => 500,
        Platform::Facebook => 600,
    }
}

/// Default tier discount (percent of the platform rate) and floor (cents):
/// larger accounts charge less per follower, but never less than the floor.
fn default_tier_terms(t: Tier) -> (i64, i64) {
    match t {
        Tier::Nano => (120, 5_000),
        Tier::Micro => (100, 10_000),
        Tier::Mid => (90, 100_000),
        Tier::Macro => (80, 500_000),
        Tier::Mega => (70, 1_000_000),
    }
}

impl Default for FeeModel {
    /// The documented USD defaults; an organization replaces them.
    fn default() -> Self {
        let mut rules = Vec::new();
        for p in Platform::ALL {
            for t in Tier::ALL {
                let (pct, floor) = default_tier_terms(t);
                rules.push(FeeRule {
                    platform: p,
                    tier: t,
                    per_1k_minor: default_per_1k_cents(p) * pct / 100,
                    floor_minor: floor,
                });
            }
        }
        FeeModel {
            currency: Currency::USD,
            rules,
        }
    }
}

impl FeeModel {
    /// Model price for an account; `None` when no rule covers it.
    pub fn model_fee(&self, platform: Platform, followers: u64) -> Option<Money> {
        let tier = Tier::of(followers);
        let r = self
            .rules
            .iter()
            .find(|r| r.platform == platform && r.tier == tier)?;
        // followers × per_1k / 1000, rounded half-to-even in integers.
        let num = followers as i128 * r.per_1k_minor as i128;
        let (q, rem) = (num / 1000, num % 1000);
        let rounded = if rem > 500 || (rem == 500 && q % 2 == 1) {
            q + 1
        } else {
            q
        };
        let minor = i64::try_from(rounded).ok()?.max(r.floor_minor);
        Some(Money {
            minor,
            currency: self.currency,
        })
    }

    /// The fee the planner uses: the rate card when known, else the model.
    pub fn fee(&self, c: &Candidate) -> Option<Money> {
        c.rate_card
            .or_else(|| self.model_fee(c.platform, c.followers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_fee_is_rate_times_followers_with_a_floor() {
        let m = FeeModel::default();
        let fee = m.model_fee(Platform::Instagram, 25_000).unwrap();
        assert_eq!(fee.minor, 25_000); // $250 = 25 × $10
        let nano = m.model_fee(Platform::Instagram, 2_000).unwrap();
        assert_eq!(nano.minor, 5_000); // floor $50 beats 2 × $12
        let mega = m.model_fee(Platform::Youtube, 3_000_000).unwrap();
        assert_eq!(mega.minor, 3_000 * 1_400);
    }
}
