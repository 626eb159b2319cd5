//! Country of a visitor from an IP-range table: the fallback when no proxy
//! header names the country. The table format is the common
//! `start,end,country` CSV (inclusive bounds, IPv4 or IPv6, ISO 3166 alpha-2
//! codes, `#` comments); a compact table of well-known ranges is bundled
//! (`data/ip-country.csv`), and a full one can be loaded in its place.

use std::net::IpAddr;

/// The bundled table's text.
pub const BUNDLED: &str = include_str!("../data/ip-country.csv");

/// Sorted, non-overlapping ranges; lookups are binary searches.
#[derive(Debug, Clone, Default)]
pub struct IpCountryTable {
    v4: Vec<(u32, u32, [u8; 2])>,
    v6: Vec<(u128, u128, [u8; 2])>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {field}: {reason}")]
pub struct TableError {
    pub line: usize,
    pub field: &'static str,
    pub reason: String,
}

impl IpCountryTable {
    /// The bundled table of well-known ranges.
    pub fn bundled() -> IpCountryTable {
        IpCountryTable::parse(BUNDLED).expect("the bundled IP table parses")
    }

    /// Parse `start,end,country` lines; a header line and `#` comments are
    /// skipped. Overlapping ranges are an error: a lookup must have one answer.
    pub fn parse(text: &str) -> Result<IpCountryTable, TableError> {
        let mut t = IpCountryTable::default();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = l.split(',').map(|c| c.trim().trim_matches('"')).collect();
            if cols.len() < 3 {
                return Err(err(line, "row", "expected start,end,country"));
            }
            if cols[0].eq_ignore_ascii_case("start") {
                continue;
            }
            let start: IpAddr = cols[0].parse().map_err(|_| {
                err(
                    line,
                    "start",
                    &format!("{:?} is not an IP address", cols[0]),
                )
            })?;
            let end: IpAddr = cols[1]
                .parse()
                .map_err(|_| err(line, "end", &format!("{:?} is not an IP address", cols[1])))?;
            let c = cols[2].as_bytes();
            if c.len() != 2 || !c.iter().all(u8::is_ascii_alphabetic) {
                return Err(err(
                    line,
                    "country",
                    "expected two letters (ISO 3166 alpha-2)",
                ));
            }
            let cc = [c[0].to_ascii_uppercase(), c[1].to_ascii_uppercase()];
            match (start, end) {
                (IpAddr::V4(a), IpAddr::V4(b)) if u32::from(a) <= u32::from(b) => {
                    t.v4.push((a.into(), b.into(), cc))
                }
                (IpAddr::V6(a), IpAddr::V6(b)) if u128::from(a) <= u128::from(b) => {
                    t.v6.push((a.into(), b.into(), cc))
                }
                _ => {
                    return Err(err(
                        line,
                        "end",
                        "must be of the same family as start and not below it",
                    ))
                }
            }
        }
        t.v4.sort_unstable();
        t.v6.sort_unstable();
        if t.v4.windows(2).any(|w| w[1].0 <= w[0].1) || t.v6.windows(2).any(|w| w[1].0 <= w[0].1) {
            return Err(err(0, "start", "ranges overlap"));
        }
        Ok(t)
    }

    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The country of `ip`, upper case, if a range holds it. IPv4-mapped
    /// IPv6 addresses are looked up as IPv4.
    pub fn lookup(&self, ip: IpAddr) -> Option<&str> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let cc = match ip {
            IpAddr::V4(a) => find(&self.v4, u32::from(a)),
            IpAddr::V6(a) => find(&self.v6, u128::from(a)),
        }?;
        std::str::from_utf8(cc).ok()
    }
}

fn find<T: Ord + Copy>(ranges: &[(T, T, [u8; 2])], x: T) -> Option<&[u8; 2]> {
    let i = ranges.partition_point(|r| r.0 <= x);
    let r = ranges.get(i.checked_sub(1)?)?;
    (x <= r.1).then_some(&r.2)
}

fn err(line: usize, field: &'static str, reason: &str) -> TableError {
    TableError {
        line,
        field,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn bundled_table_answers_well_known_ranges() {
        let t = IpCountryTable::bundled();
        assert!(t.len() >= 10);
        assert_eq!(t.lookup(ip("17.253.144.10")), Some("US"));
        assert_eq!(t.lookup(ip("25.1.2.3")), Some("GB"));
        assert_eq!(t.lookup(ip("53.0.0.1")), Some("DE"));
        assert_eq!(t.lookup(ip("126.255.255.255")), Some("JP"));
        assert_eq!(t.lookup(ip("::ffff:133.11.0.1")), Some("JP"));
        // Edges of a range, and addresses between ranges.
        assert_eq!(t.lookup(ip("3.0.0.0")), Some("US"));
        assert_eq!(t.lookup(ip("4.0.0.0")), None);
        assert_eq!(t.lookup(ip("203.0.113.9")), None);
        assert_eq!(t.lookup(ip("2001:db8::1")), None);
    }

    #[test]
    fn full_tables_in_the_common_format_load_with_both_families() {
        let t = IpCountryTable::parse(
            "start,end,country\n\"1.0.0.0\",\"1.0.0.255\",au\n\
             2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,NL\n# comment\n\n\
             81.2.69.0,81.2.69.255,GB\n",
        )
        .unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t.lookup(ip("1.0.0.7")), Some("AU"));
        assert_eq!(t.lookup(ip("81.2.69.160")), Some("GB"));
        assert_eq!(t.lookup(ip("2001:db8:1::5")), Some("NL"));
        assert_eq!(t.lookup(ip("2001:db9::1")), None);
    }

    #[test]
    fn bad_lines_are_located() {
        let e = IpCountryTable::parse("1.0.0.0,1.0.0.9,AU\nx,1.0.0.1,AU\n").unwrap_err();
        assert_eq!((e.line, e.field), (2, "start"));
        let e = IpCountryTable::parse("1.0.0.9,1.0.0.0,AU\n").unwrap_err();
        assert_eq!(e.field, "end");
        let e = IpCountryTable::parse("1.0.0.0,::1,AU\n").unwrap_err();
        assert_eq!(e.field, "end");
        let e = IpCountryTable::parse("1.0.0.0,1.0.0.9,Australia\n").unwrap_err();
        assert_eq!(e.field, "country");
        let e = IpCountryTable::parse("1.0.0.0,1.0.0.9,AU\n1.0.0.5,1.0.1.0,NZ\n").unwrap_err();
        assert!(e.reason.contains("overlap"));
    }
}
