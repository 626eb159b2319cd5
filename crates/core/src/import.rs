//! Reading creator files: NDJSON (the full record) and CSV (flat fields).
//! Every bad row becomes a `RowError` naming its line, field and reason; the
//! good rows keep flowing, so one typo never costs a whole import.

use crate::creator::{CreatorRecord, Platform};
use serde::Serialize;
use std::io::{BufRead, Read};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line in the file (for CSV, the header is line 1).
    pub line: u64,
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.reason)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Csv,
}

impl Format {
    /// From a file name; `None` when the extension says nothing.
    pub fn from_path(path: &str) -> Option<Format> {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".ndjson") || lower.ends_with(".jsonl") || lower.ends_with(".json") {
            Some(Format::Ndjson)
        } else if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else {
            None
        }
    }

    /// From content: NDJSON starts with `{`.
    pub fn sniff(head: &[u8]) -> Format {
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Format::Ndjson,
            _ => Format::Csv,
        }
    }
}

pub type Row = Result<(u64, CreatorRecord), Vec<RowError>>;

fn invalid(line: u64, errs: Vec<crate::FieldError>) -> Vec<RowError> {
    errs.into_iter()
        .map(|e| RowError {
            line,
            field: e.field,
            reason: e.reason,
        })
        .collect()
}

/// Parse and validate one NDJSON line.
pub fn parse_ndjson_line(line: u64, text: &str) -> Row {
    let de = &mut serde_json::Deserializer::from_str(text);
    let mut rec: CreatorRecord = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "(record)".to_string()
        } else {
            path
        };
        vec![RowError {
            line,
            field,
            reason: e.into_inner().to_string(),
        }]
    })?;
    rec.validate().map_err(|errs| invalid(line, errs))?;
    Ok((line, rec))
}

/// NDJSON rows from a reader; blank lines are skipped but still counted.
pub fn ndjson_rows<R: BufRead>(reader: R) -> impl Iterator<Item = Row> {
    reader.lines().enumerate().filter_map(|(i, line)| {
        let line_no = i as u64 + 1;
        match line {
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => Some(parse_ndjson_line(line_no, &text)),
            Err(e) => Some(Err(vec![RowError {
                line: line_no,
                field: "(line)".into(),
                reason: e.to_string(),
            }])),
        }
    })
}

/// Columns a creator CSV may have; `platform`, `handle` and `followers` are required.
pub const CSV_COLUMNS: [&str; 12] = [
    "platform",
    "handle",
    "creator_key",
    "name",
    "bio",
    "country",
    "language",
    "email",
    "followers",
    "following",
    "post_count",
    "niche",
];

/// CSV rows from a reader with a header line.
pub fn csv_rows<R: Read + Send + 'static>(reader: R) -> Box<dyn Iterator<Item = Row> + Send> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.to_ascii_lowercase()).collect::<Vec<_>>(),
        Err(e) => {
            let err = vec![RowError {
                line: 1,
                field: "(header)".into(),
                reason: e.to_string(),
            }];
            return Box::new(std::iter::once(Err(err)));
        }
    };
    let missing: Vec<_> = ["platform", "handle", "followers"]
        .into_iter()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        let err = vec![RowError {
            line: 1,
            field: "(header)".into(),
            reason: format!("missing required column(s): {}", missing.join(", ")),
        }];
        return Box::new(std::iter::once(Err(err)));
    }
    Box::new(rdr.into_records().map(move |rec| {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            vec![RowError {
                line,
                field: "(row)".into(),
                reason: e.to_string(),
            }]
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        csv_record(line, &headers, &rec)
    }))
}

fn csv_record(line: u64, headers: &[String], rec: &csv::StringRecord) -> Row {
    let col = |name: &str| -> Option<&str> {
        headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| rec.get(i))
            .filter(|v| !v.is_empty())
    };
    let mut errs = Vec::new();
    let mut num = |name: &str, required: bool| -> u64 {
        match col(name) {
            None if required => {
                errs.push(RowError {
                    line,
                    field: name.into(),
                    reason: "is required".into(),
                });
                0
            }
            None => 0,
            Some(v) => v.replace([',', '_'], "").parse().unwrap_or_else(|_| {
                errs.push(RowError {
                    line,
                    field: name.into(),
                    reason: format!("{v:?} is not a whole non-negative number"),
                });
                0
            }),
        }
    };
    let followers = num("followers", true);
    let following = num("following", false);
    let post_count = num("post_count", false);
    let platform = match col("platform").map(str::parse::<Platform>) {
        Some(Ok(p)) => Some(p),
        Some(Err(reason)) => {
            errs.push(RowError {
                line,
                field: "platform".into(),
                reason,
            });
            None
        }
        None => {
            errs.push(RowError {
                line,
                field: "platform".into(),
                reason: "is required".into(),
            });
            None
        }
    };
    let Some(platform) = platform.filter(|_| errs.is_empty()) else {
        return Err(errs);
    };
    let mut r = CreatorRecord {
        platform,
        handle: col("handle").unwrap_or_default().to_string(),
        creator_key: col("creator_key").map(str::to_string),
        name: col("name").unwrap_or_default().to_string(),
        bio: col("bio").unwrap_or_default().to_string(),
        country: col("country").map(str::to_string),
        language: col("language").map(str::to_string),
        email: col("email").map(str::to_string),
        followers,
        following,
        post_count,
        niche: col("niche").map(str::to_string),
        posts: vec![],
        follower_history: vec![],
        audience: None,
        follower_sample: vec![],
    };
    r.validate().map_err(|e| invalid(line, e))?;
    Ok((line, r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_errors_name_the_field_path() {
        let rows: Vec<_> = ndjson_rows(
            "{\"platform\":\"instagram\",\"handle\":\"ok\",\"followers\":10}\n\n\
             {\"platform\":\"instagram\",\"handle\":\"bad\",\"followers\":\"many\"}\n\
             {\"platform\":\"instagram\",\"handle\":\"p\",\"followers\":1,\"posts\":[{\"id\":\"a\",\"published_at\":\"yesterday\"}]}\n\
             not json\n"
                .as_bytes(),
        )
        .collect();
        assert_eq!(rows.len(), 4);
        assert!(rows[0].is_ok());
        let e = &rows[1].as_ref().unwrap_err()[0];
        assert_eq!((e.line, e.field.as_str()), (3, "followers"));
        let e = &rows[2].as_ref().unwrap_err()[0];
        assert_eq!((e.line, e.field.as_str()), (4, "posts[0].published_at"));
        assert_eq!(rows[3].as_ref().unwrap_err()[0].line, 5);
    }

    #[test]
    fn csv_rows_report_line_field_and_reason() {
        let data = "platform,handle,followers,email\n\
                    instagram,@Maya,\"23,000\",maya@example.com\n\
                    myspace,tom,10,\n\
                    tiktok,leo,lots,\n\
                    youtube,,5,\n";
        let rows: Vec<_> = csv_rows(data.as_bytes()).collect();
        let (line, rec) = rows[0].as_ref().unwrap();
        assert_eq!(
            (*line, rec.handle.as_str(), rec.followers),
            (2, "maya", 23_000)
        );
        let e = &rows[1].as_ref().unwrap_err()[0];
        assert_eq!((e.line, e.field.as_str()), (3, "platform"));
        let e = &rows[2].as_ref().unwrap_err()[0];
        assert_eq!((e.line, e.field.as_str()), (4, "followers"));
        let e = &rows[3].as_ref().unwrap_err()[0];
        assert_eq!((e.line, e.field.as_str()), (5, "handle"));
    }

    #[test]
    fn csv_without_required_columns_is_one_header_error() {
        let rows: Vec<_> = csv_rows("name,bio\nx,y\n".as_bytes()).collect();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].as_ref().unwrap_err()[0]
            .reason
            .contains("platform, handle, followers"));
    }

    #[test]
    fn format_is_sniffed() {
        assert_eq!(Format::sniff(b"  {\"a\":1}"), Format::Ndjson);
        assert_eq!(Format::sniff(b"platform,handle"), Format::Csv);
        assert_eq!(Format::from_path("x.NDJSON"), Some(Format::Ndjson));
    }
}
