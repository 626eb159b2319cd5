//! Tracking-link short codes, promo-code generation, and leaked-code detection.
//!
//! Randomness is passed in (`rand::Rng`) so the server can use a secure
//! generator while tests and the simulator use a seeded one.

use rand::Rng;
use std::collections::{BTreeMap, HashSet};

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Length of a tracking-link code: 62^7 ≈ 3.5e12, so random codes for
/// millions of links collide rarely and are not guessable by enumeration.
pub const SHORT_CODE_LEN: usize = 7;

/// A random base62 code of `len` characters.
pub fn short_code<R: Rng + ?Sized>(rng: &mut R, len: usize) -> String {
    (0..len)
        .map(|_| char::from(BASE62[rng.gen_range(0..BASE62.len())]))
        .collect()
}

/// A random short code not in `taken` (which is case-sensitive, like links).
pub fn unique_short_code<R: Rng + ?Sized>(rng: &mut R, taken: &HashSet<String>) -> String {
    loop {
        let code = short_code(rng, SHORT_CODE_LEN);
        if !taken.contains(&code) {
            return code;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("pattern {0:?} must contain {{HANDLE}}")]
    NoHandle(String),
    #[error("handle {0:?} has no letters or digits to build a code from")]
    EmptyHandle(String),
    #[error("pattern {0:?} must contain {{RANDOM}}")]
    NoRandom(String),
}

/// Upper-case letters and digits only: codes are typed at checkout, read
/// aloud in videos, and compared case-insensitively.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .flat_map(char::to_uppercase)
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// A promo code from `pattern` (e.g. `{HANDLE}15`) for `handle`, made unique
/// against `taken` (compared case-insensitively, as checkout does) by
/// appending 2, 3, … to it.
pub fn promo_code(
    pattern: &str,
    handle: &str,
    taken: &HashSet<String>,
) -> Result<String, CodeError> {
    if !pattern.contains("{HANDLE}") {
        return Err(CodeError::NoHandle(pattern.to_string()));
    }
    let clean = sanitize(handle);
    if clean.is_empty() {
        return Err(CodeError::EmptyHandle(handle.to_string()));
    }
    let base = sanitize(&pattern.replace("{HANDLE}", &clean));
    let taken: HashSet<String> = taken.iter().map(|c| c.to_uppercase()).collect();
    if !taken.contains(&base) {
        return Ok(base);
    }
    Ok((2u64..)
        .map(|n| format!("{base}{n}"))
        .find(|c| !taken.contains(c))
        .unwrap_or(base))
}

/// Letters and digits of single-use codes, without the look-alikes
/// 0/O and 1/I/L: they are read off screens and typed by hand.
const UNAMBIGUOUS: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Random characters standing for `{RANDOM}` in a batch pattern.
pub const RANDOM_LEN: usize = 6;
/// The default pattern of single-use codes.
pub const DEFAULT_BATCH_PATTERN: &str = "{HANDLE}{RANDOM}";

/// `count` distinct single-use codes for `handle` from `pattern`, which
/// must contain `{RANDOM}` (and may contain `{HANDLE}`); each is new to
/// `taken` (compared case-insensitively), which they are added to. With a
/// seeded `rng` the batch is reproducible.
pub fn single_use_codes<R: Rng + ?Sized>(
    rng: &mut R,
    pattern: &str,
    handle: &str,
    count: usize,
    taken: &mut HashSet<String>,
) -> Result<Vec<String>, CodeError> {
    if !pattern.contains("{RANDOM}") {
        return Err(CodeError::NoRandom(pattern.to_string()));
    }
    let clean = sanitize(handle);
    if pattern.contains("{HANDLE}") && clean.is_empty() {
        return Err(CodeError::EmptyHandle(handle.to_string()));
    }
    let base = pattern.replace("{HANDLE}", &clean);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let random: String = (0..RANDOM_LEN)
            .map(|_| char::from(UNAMBIGUOUS[rng.gen_range(0..UNAMBIGUOUS.len())]))
            .collect();
        let code = sanitize(&base.replace("{RANDOM}", &random));
        if taken.insert(code.to_uppercase()) {
            out.push(code);
        }
    }
    Ok(out)
}

/// Sites that publish codes they did not earn; an order referred from one
/// was not persuaded by the creator whose code it used.
pub const COUPON_SITES: &[&str] = &[
    "retailmenot.com",
    "retailmenot.ca",
    "joinhoney.com",
    "honey.com",
    "couponfollow.com",
    "dealspotr.com",
    "knoji.com",
    "wethrift.com",
    "coupons.com",
    "groupon.com",
    "slickdeals.net",
    "couponbirds.com",
    "couponcabin.com",
    "couponchief.com",
    "promocodes.com",
    "offers.com",
    "savings.com",
    "dontpayfull.com",
    "simplycodes.com",
    "coupert.com",
    "capitaloneshopping.com",
    "rakuten.com",
    "vouchercodes.co.uk",
    "myvouchercodes.co.uk",
    "vouchercloud.com",
    "hotukdeals.com",
    "mydealz.de",
    "picodi.com",
    "cuponation.com",
    "dealabs.com",
];

/// True for a coupon site or any of its subdomains.
pub fn is_coupon_site(host: &str) -> bool {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    COUPON_SITES
        .iter()
        .any(|site| host == *site || host.strip_suffix(site).is_some_and(|p| p.ends_with('.')))
}

/// One order that used a promo code, with what we know of how it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeOrder {
    pub code: String,
    /// A click on the code's creator's links preceded the order.
    pub had_prior_click: bool,
    /// Host of the page the shopper came from, if known.
    pub referrer_host: Option<String>,
}

/// The evidence that a code escaped its creator's audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeakReport {
    /// Upper-cased code.
    pub code: String,
    pub orders: usize,
    pub without_prior_click: usize,
    pub from_coupon_sites: usize,
    /// Orders per coupon-site host, by host.
    pub coupon_sites: BTreeMap<String, usize>,
}

/// Codes with at least `min_orders` orders, most of which came without a
/// prior click from the creator *and* most from coupon-site referrers.
/// Both are required: a creator's loyal audience often buys without
/// clicking, and a deal site may list a code that still mostly sells
/// through the creator. Sorted by code.
pub fn leaked_codes(orders: &[CodeOrder], min_orders: usize) -> Vec<LeakReport> {
    let mut per_code: BTreeMap<String, LeakReport> = BTreeMap::new();
    for o in orders {
        let code = o.code.to_uppercase();
        let r = per_code.entry(code.clone()).or_insert_with(|| LeakReport {
            code,
            orders: 0,
            without_prior_click: 0,
            from_coupon_sites: 0,
            coupon_sites: BTreeMap::new(),
        });
        r.orders += 1;
        r.without_prior_click += usize::from(!o.had_prior_click);
        if let Some(host) = o.referrer_host.as_deref().filter(|h| is_coupon_site(h)) {
            r.from_coupon_sites += 1;
            *r.coupon_sites.entry(host.to_ascii_lowercase()).or_default() += 1;
        }
    }
    per_code
        .into_values()
        .filter(|r| {
            r.orders >= min_orders.max(1)
                && r.without_prior_click * 2 > r.orders
                && r.from_coupon_sites * 2 > r.orders
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn short_codes_are_base62_and_seeded() {
        let mut a = ChaCha8Rng::seed_from_u64(7);
        let mut b = ChaCha8Rng::seed_from_u64(7);
        let code = short_code(&mut a, SHORT_CODE_LEN);
        assert_eq!(code.len(), SHORT_CODE_LEN);
        assert!(code.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(code, short_code(&mut b, SHORT_CODE_LEN));
    }

    #[test]
    fn unique_short_code_avoids_taken_codes() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let first = short_code(&mut ChaCha8Rng::seed_from_u64(1), SHORT_CODE_LEN);
        let taken: HashSet<String> = [first.clone()].into();
        assert_ne!(unique_short_code(&mut rng, &taken), first);
    }

    #[test]
    fn promo_code_follows_the_pattern_and_sanitizes() {
        let none = HashSet::new();
        assert_eq!(
            promo_code("{HANDLE}15", "maya.styles", &none).unwrap(),
            "MAYASTYLES15"
        );
        assert_eq!(
            promo_code("{HANDLE}15", "@zoë_eats", &none).unwrap(),
            "ZOEATS15"
        );
        assert_eq!(
            promo_code("save-{HANDLE}", "Noah", &none).unwrap(),
            "SAVENOAH"
        );
        assert!(matches!(
            promo_code("SPRING", "maya", &none),
            Err(CodeError::NoHandle(_))
        ));
        assert!(matches!(
            promo_code("{HANDLE}", "🎉", &none),
            Err(CodeError::EmptyHandle(_))
        ));
    }

    #[test]
    fn promo_code_is_unique_case_insensitively() {
        let taken: HashSet<String> = ["maya15".to_string(), "MAYA152".to_string()].into();
        assert_eq!(promo_code("{HANDLE}15", "maya", &taken).unwrap(), "MAYA153");
    }

    #[test]
    fn single_use_batches_are_seeded_unique_and_avoid_taken_codes() {
        let mut taken: HashSet<String> = ["maya15".to_string()].into();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let a = single_use_codes(&mut rng, "{HANDLE}{RANDOM}", "maya", 200, &mut taken).unwrap();
        assert_eq!(a.len(), 200);
        assert!(a
            .iter()
            .all(|c| c.starts_with("MAYA") && c.len() == 4 + RANDOM_LEN));
        assert!(a
            .iter()
            .all(|c| !c[4..].contains(['0', 'O', '1', 'I', 'L'])));
        let distinct: HashSet<&String> = a.iter().collect();
        assert_eq!(distinct.len(), 200);
        assert_eq!(taken.len(), 201);
        let mut again: HashSet<String> = ["maya15".to_string()].into();
        let b = single_use_codes(
            &mut ChaCha8Rng::seed_from_u64(3),
            "{HANDLE}{RANDOM}",
            "maya",
            200,
            &mut again,
        )
        .unwrap();
        assert_eq!(a, b);
        assert!(matches!(
            single_use_codes(&mut rng, "{HANDLE}15", "maya", 1, &mut taken),
            Err(CodeError::NoRandom(_))
        ));
        let plain = single_use_codes(&mut rng, "SPRING-{RANDOM}", "", 2, &mut taken).unwrap();
        assert!(plain.iter().all(|c| c.starts_with("SPRING")));
    }

    #[test]
    fn coupon_sites_match_hosts_and_subdomains_only() {
        assert!(is_coupon_site("www.RetailMeNot.com"));
        assert!(is_coupon_site("slickdeals.net"));
        assert!(is_coupon_site("www.coupons.com."));
        assert!(!is_coupon_site("notretailmenot.com"));
        assert!(!is_coupon_site("instagram.com"));
    }

    fn order(code: &str, click: bool, host: Option<&str>) -> CodeOrder {
        CodeOrder {
            code: code.into(),
            had_prior_click: click,
            referrer_host: host.map(str::to_string),
        }
    }

    #[test]
    fn leaked_codes_need_both_kinds_of_evidence() {
        let mut orders = vec![
            // MAYA15: leaked — 3 of 4 without click and from coupon sites.
            order("MAYA15", false, Some("www.retailmenot.com")),
            order("maya15", false, Some("www.retailmenot.com")),
            order("MAYA15", false, Some("slickdeals.net")),
            order("MAYA15", true, Some("instagram.com")),
            // NOAH10: loyal audience buying without clicks, but not from deal sites.
            order("NOAH10", false, None),
            order("NOAH10", false, Some("tiktok.com")),
            order("NOAH10", false, None),
        ];
        // ZOE5: from a deal site but after clicks: the creator drove it.
        orders.extend((0..3).map(|_| order("ZOE5", true, Some("groupon.com"))));
        let report = leaked_codes(&orders, 3);
        assert_eq!(report.len(), 1);
        let r = &report[0];
        assert_eq!(
            (
                r.code.as_str(),
                r.orders,
                r.without_prior_click,
                r.from_coupon_sites
            ),
            ("MAYA15", 4, 3, 3)
        );
        assert_eq!(r.coupon_sites.get("www.retailmenot.com"), Some(&2));
        assert!(leaked_codes(&orders, 5).is_empty());
    }
}
