//! The only module that touches the file system: readers for the labeled
//! public datasets described in `shared/data/README.md`. Training and
//! evaluation take a directory from the caller; nothing here is used when the
//! engine scores an account.

use crate::features::ProfileFields;
use crate::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Where the datasets are: `CHORUS_DATASETS_DIR`, else `shared/data` beside the
/// workspace (as laid out for developers and CI). `None` when neither exists,
/// so tests can skip with a message instead of failing.
pub fn default_data_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("CHORUS_DATASETS_DIR").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_dir())
}

/// One labeled follower profile.
#[derive(Debug, Clone, PartialEq)]
pub struct LabeledProfile {
    pub fields: ProfileFields,
    pub fake: bool,
}

/// One purba row: the profile fields, the eleven post-derived columns
/// (`cl cz ni erl erc lt hc pr fo cs pi`, in that order) and its class.
#[derive(Debug, Clone, PartialEq)]
pub struct PurbaRow {
    pub fields: ProfileFields,
    pub extra: [f64; 11],
    /// `r` real, `a` active fake, `i` inactive fake, `s` spam.
    pub class: char,
}

impl PurbaRow {
    pub fn fake(&self) -> bool {
        self.class != 'r'
    }
}

/// One davidson row: the tweet text (never to be displayed) and its class:
/// 0 hate, 1 offensive, 2 neither.
#[derive(Debug, Clone, PartialEq)]
pub struct DavidsonRow {
    pub text: String,
    pub class: u8,
}

impl DavidsonRow {
    pub fn unsafe_text(&self) -> bool {
        self.class < 2
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn parse_err(path: &Path, msg: impl ToString) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        msg: msg.to_string(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstafakeJson {
    user_follower_count: f64,
    user_following_count: f64,
    user_biography_length: f64,
    user_media_count: f64,
    user_has_profil_pic: u8,
    user_is_private: u8,
    username_digit_count: f64,
    username_length: f64,
    is_fake: u8,
}

/// `instafake/{fake,real}AccountData.json`: 200 fake and 994 real accounts.
pub fn load_instafake(dir: &Path) -> Result<Vec<LabeledProfile>> {
    let mut out = Vec::new();
    for file in ["fakeAccountData.json", "realAccountData.json"] {
        let path = dir.join("instafake").join(file);
        let rows: Vec<InstafakeJson> =
            serde_json::from_str(&read(&path)?).map_err(|e| parse_err(&path, e))?;
        out.extend(rows.into_iter().map(|r| LabeledProfile {
            fields: ProfileFields {
                followers: Some(r.user_follower_count),
                following: Some(r.user_following_count),
                posts: Some(r.user_media_count),
                bio_length: Some(r.user_biography_length),
                username_length: Some(r.username_length),
                username_digits: Some(r.username_digit_count),
                has_profile_pic: Some(r.user_has_profil_pic == 1),
                is_private: Some(r.user_is_private == 1),
                has_external_url: None,
            },
            fake: r.is_fake == 1,
        }));
    }
    Ok(out)
}

const PURBA_COLUMNS: [&str; 18] = [
    "pos", "flw", "flg", "bl", "pic", "lin", "cl", "cz", "ni", "erl", "erc", "lt", "hc", "pr",
    "fo", "cs", "pi", "class",
];

/// `purba-4class/user_fake_authentic_4class.csv` (43,307 rows).
pub fn load_purba(dir: &Path) -> Result<Vec<PurbaRow>> {
    let path = dir.join("purba-4class/user_fake_authentic_4class.csv");
    let text = read(&path)?;
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().map_err(|e| parse_err(&path, e))?.clone();
    if header.iter().collect::<Vec<_>>() != PURBA_COLUMNS {
        return Err(parse_err(&path, "unexpected header"));
    }
    let mut out = Vec::new();
    for (line, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| parse_err(&path, e))?;
        let num = |i: usize| rec[i].trim().parse::<f64>().ok();
        let flag = |i: usize| num(i).map(|v| v > 0.0);
        let class = rec[17].trim().chars().next();
        let Some(class @ ('r' | 'a' | 'i' | 's')) = class else {
            return Err(parse_err(&path, format!("row {}: bad class", line + 2)));
        };
        let mut extra = [f64::NAN; 11];
        for (k, e) in extra.iter_mut().enumerate() {
            *e = num(6 + k).unwrap_or(f64::NAN);
        }
        out.push(PurbaRow {
            fields: ProfileFields {
                posts: num(0),
                followers: num(1),
                following: num(2),
                bio_length: num(3),
                has_profile_pic: flag(4),
                has_external_url: flag(5),
                ..ProfileFields::default()
            },
            extra,
            class,
        });
    }
    Ok(out)
}

/// `davidson-hate-offensive/labeled_data.csv` (24,783 tweets).
pub fn load_davidson(dir: &Path) -> Result<Vec<DavidsonRow>> {
    let path = dir.join("davidson-hate-offensive/labeled_data.csv");
    let text = read(&path)?;
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().map_err(|e| parse_err(&path, e))?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| parse_err(&path, format!("no column {name}")))
    };
    let (class_col, text_col) = (col("class")?, col("tweet")?);
    let mut out = Vec::new();
    for (line, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| parse_err(&path, e))?;
        let class = rec[class_col]
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|c| *c <= 2)
            .ok_or_else(|| parse_err(&path, format!("row {}: bad class", line + 2)))?;
        out.push(DavidsonRow {
            text: rec[text_col].to_string(),
            class,
        });
    }
    Ok(out)
}
