//! A brief prepared once for checking many captions: tags compacted, code
//! folded, link parsed, phrases stemmed. Checking then costs one scan of the
//! caption plus lookups, which is what lets a campaign's drafts (or a
//! benchmark's 10,000) be checked in milliseconds.

use crate::brief::{Brief, Disclosure};
use crate::checks::link_code::{Code, Target};
use crate::checks::tags::Wanted;
use crate::checks::talking::Point;
use crate::checks::terms::{Competitor, Phrase};
use crate::checks::{deadline, disclosure, link_code, safety, tags, talking, terms};
use crate::lexicon::{stop_words, Lang};
use crate::report::Report;
use crate::stems::{StemFilter, Terms};
use crate::text::{Caption, Kind};
use chrono::{DateTime, Utc};
use rust_stemmers::Stemmer;

/// A [`Brief`] ready to check captions against; build it with [`compile`].
#[derive(Debug, Clone)]
pub struct CompiledBrief {
    lang: Lang,
    disclosure: bool,
    hashtags: Vec<Wanted>,
    mentions: Vec<Wanted>,
    code: Option<Code>,
    link: Option<Target>,
    points: Vec<Point>,
    prohibited: Vec<Phrase>,
    allowed: Vec<Phrase>,
    competitors: Vec<Competitor>,
    stem_filter: StemFilter,
    due: Option<DateTime<Utc>>,
    submitted_at: Option<DateTime<Utc>>,
}

/// Prepares a brief for checking. Blank entries in lists are dropped.
pub fn compile(brief: &Brief) -> CompiledBrief {
    let lang = Lang::from_hint(brief.language.as_deref());
    let stemmer = Stemmer::create(lang.algorithm());
    let stop = stop_words(lang);
    let key = brief
        .key_message
        .as_deref()
        .filter(|k| !k.trim().is_empty());
    let points: Vec<Point> = key
        .map(|k| (k, true))
        .into_iter()
        .chain(brief.talking_points.iter().map(|p| (p.as_str(), false)))
        .filter_map(|(text, is_key)| Point::new(text, is_key, &stemmer, &stop))
        .collect();
    let phrases = |list: &[String]| -> Vec<Phrase> {
        list.iter()
            .filter_map(|p| Phrase::new(p, &stemmer))
            .collect()
    };
    let prohibited = phrases(&brief.prohibited);
    let allowed = phrases(&brief.allowed_claims);
    let stem_filter = StemFilter::new(
        points
            .iter()
            .flat_map(Point::stems)
            .chain(prohibited.iter().chain(&allowed).flat_map(Phrase::stems)),
    );
    CompiledBrief {
        lang,
        disclosure: brief.disclosure == Disclosure::Required,
        hashtags: wanted(&brief.required_hashtags, '#'),
        mentions: wanted(&brief.required_mentions, '@'),
        code: brief.code().map(Code::new),
        link: brief.link().map(Target::new),
        points,
        prohibited,
        allowed,
        stem_filter,
        competitors: brief
            .competitors
            .iter()
            .filter_map(|c| Competitor::new(c))
            .collect(),
        due: brief.due,
        submitted_at: brief.submitted_at,
    }
}

fn wanted(list: &[String], sigil: char) -> Vec<Wanted> {
    list.iter().filter_map(|w| Wanted::new(w, sigil)).collect()
}

impl CompiledBrief {
    /// Checks one caption. `submitted_at` overrides the brief's own
    /// `submitted_at` for the deadline check; with neither, that check warns.
    pub fn check(&self, caption: &str, submitted_at: Option<DateTime<Utc>>) -> Report {
        let cap = Caption::analyze(caption);
        let mut checks = Vec::with_capacity(9);
        if self.disclosure {
            checks.push(disclosure::check(&cap, self.lang));
        }
        if !self.hashtags.is_empty() {
            checks.push(tags::check(&cap, &self.hashtags, Kind::Hashtag));
        }
        if !self.mentions.is_empty() {
            checks.push(tags::check(&cap, &self.mentions, Kind::Mention));
        }
        if self.code.is_some() || self.link.is_some() {
            checks.push(link_code::check(
                &cap,
                self.code.as_ref(),
                self.link.as_ref(),
            ));
        }
        if !self.points.is_empty() || !self.prohibited.is_empty() {
            let stemmer = Stemmer::create(self.lang.algorithm());
            let terms = Terms::new(&cap, &stemmer, &self.stem_filter);
            if !self.points.is_empty() {
                checks.push(talking::check(&cap, &terms, &self.points));
            }
            if !self.prohibited.is_empty() {
                checks.push(terms::check_prohibited(
                    &cap,
                    &terms,
                    &self.prohibited,
                    &self.allowed,
                ));
            }
        }
        if !self.competitors.is_empty() {
            checks.push(terms::check_competitors(&cap, &self.competitors));
        }
        checks.push(safety::check(&cap));
        if let Some(due) = self.due {
            checks.push(deadline::check(due, submitted_at.or(self.submitted_at)));
        }
        Report::new(caption, checks)
    }
}
