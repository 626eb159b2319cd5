//! Text: captions, bios, comments and handles. Templates carry slots that are
//! filled from the creator's niche vocabulary and a shared pool of generic
//! lifestyle words, so every niche reads differently while all of them share
//! the everyday words real creators use.

use crate::niches::Niche;
use crate::rng::{below, chance, word, Rng};

/// Lifestyle words any creator uses; they make text search realistic.
pub const GENERIC: &[&str] = &[
    "weekend",
    "morning routine",
    "little wins",
    "self care",
    "new week",
    "favorites",
    "monthly recap",
    "honest thoughts",
    "game changer",
    "slow morning",
    "my go-to",
    "worth it",
    "current obsession",
    "small joys",
    "real talk",
    "on repeat",
    "life update",
    "cozy evening",
    "Sunday reset",
    "summer plans",
    "busy week",
    "good vibes",
    "big news",
    "storytime",
];

pub const GENERIC_TAGS: &[&str] = &[
    "lifestyle",
    "weekendvibes",
    "instagood",
    "explore",
    "dailyinspo",
    "goodvibes",
    "mondaymotivation",
    "contentcreator",
    "selfcare",
    "reels",
    "newpost",
    "inspiration",
];

pub const EMOJI: &[&str] = &[
    "✨", "🔥", "🙌", "💛", "😅", "👀", "🫶", "😍", "💪", "🌿", "☀️", "📸", "🙏", "🎉", "😊",
];

#[rustfmt::skip]
const CAPTIONS: &[&str] = &[
    "{N} check: {m} and a bit of {g} {e}",
    "Finally tried {n} and honestly? {G} {e}",
    "{G} with {n} + {m} {e}",
    "3 things I wish I knew about {n} before starting",
    "My {n} setup, round two. Thoughts on the {m}? {e}",
    "Sunday reset: {n}, {m}, {g}",
    "{N} vs {m}: which side are you on? {e}",
    "Small update on the {n} journey {e} {g} is real",
    "If you only try one thing this month: {n} {e}",
    "POV: your {n} finally works out {e}",
    "Tested {n} for 30 days. Full thoughts on {m} below {e}",
    "Beginner {n} tips nobody told me {e}",
    "{N} diaries, day {d}: {m} edition",
    "{G} + {n} {e} who else?",
    "Trying the viral {n} trend with {m} {e}",
    "Rating every {n} I own, starting with {m}",
];

#[rustfmt::skip]
const BIOS: &[&str] = &[
    "{e} {N} & {m} | {g} | {c} {l}",
    "{N} nerd. {M} on weekends. {c} based {e}",
    "Sharing {n}, {m} and {g} {e} {l}",
    "{N} • {m} • {g} | {c}",
    "Your weekly dose of {n} {e} {M} tips inside",
    "{c} {l} | {n} + {m} | {g}",
];

#[rustfmt::skip]
const REAL_COMMENTS: &[&str] = &[
    "where did you get the {n}?", "ok the {n} looks amazing", "saving this for my next {n}",
    "how do you like the {n} so far?", "needed this {n} tip today, thank you",
    "{f} your {n} posts are always so helpful", "been wanting to try {n} for ages",
    "wait is that the new {n}??", "the {n} part made me laugh 😂",
    "do you have a link for the {n}?", "my {n} never turns out like this",
    "love how honest you are about {n}",
];

/// What engagement pods leave under every post: short, generic, interchangeable.
pub const POD_COMMENTS: &[&str] = &[
    "nice pic 🔥",
    "love this!!",
    "great post",
    "amazing 😍",
    "so good!!",
    "🔥🔥🔥",
    "wow",
    "awesome content",
    "love it 💯",
    "beautiful ❤️",
    "great shot!",
    "this is everything",
    "👏👏",
    "nice one",
];

/// A phrase in the creator's own language, so non-English creators read as such.
pub fn local_phrase(r: &mut Rng, lang: &str) -> Option<&'static str> {
    let list: &[&str] = match lang {
        "de" => &[
            "Schönen Sonntag!",
            "Guten Morgen",
            "Was meint ihr?",
            "Liebe Grüße",
        ],
        "fr" => &["Bonjour !", "Bon week-end", "Qu'en pensez-vous ?", "Bisous"],
        "es" => &["¡Buenos días!", "¿Qué opinan?", "Feliz finde", "Un abrazo"],
        "it" => &["Buongiorno!", "Che ne pensate?", "Buon weekend"],
        "pt" => &["Bom dia!", "O que vocês acham?", "Bom fim de semana"],
        "nl" => &["Goedemorgen!", "Wat vinden jullie?", "Fijn weekend"],
        "sv" => &["God morgon!", "Vad tycker ni?", "Trevlig helg"],
        "pl" => &["Dzień dobry!", "Co myślicie?", "Miłego weekendu"],
        "ja" => &["おはよう！", "どう思う？", "週末楽しんで"],
        "hi" => &["Namaste!", "Kya lagta hai?", "Shubh prabhat"],
        _ => return None,
    };
    Some(word(r, list))
}

/// What a template slot may be filled with.
pub struct Slots<'a> {
    pub niche: &'a Niche,
    pub first: &'a str,
    pub city: &'a str,
    pub flag: &'a str,
}

fn push_cap(out: &mut String, s: &str) {
    let mut chars = s.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
        out.push_str(chars.as_str());
    }
}

/// Fill a template into `out`. `{n}`/`{m}` are two distinct niche phrases
/// (upper-case letter: capitalized), `{g}` a generic word, `{e}` an emoji.
pub fn render(r: &mut Rng, out: &mut String, template: &str, s: &Slots) {
    let words = &s.niche.words;
    let n = below(r, words.len());
    let m = (n + 1 + below(r, words.len() - 1)) % words.len();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let key = rest.as_bytes()[i + 1];
        rest = &rest[i + 3..];
        match key {
            b'n' => out.push_str(words[n]),
            b'N' => push_cap(out, words[n]),
            b'm' => out.push_str(words[m]),
            b'M' => push_cap(out, words[m]),
            b'g' => out.push_str(word(r, GENERIC)),
            b'G' => push_cap(out, word(r, GENERIC)),
            b'e' => out.push_str(word(r, EMOJI)),
            b'f' => out.push_str(s.first),
            b'c' => out.push_str(s.city),
            b'l' => out.push_str(s.flag),
            b'd' => out.push_str(itoa_small(2 + below(r, 88))),
            _ => {}
        }
    }
    out.push_str(rest);
}

fn itoa_small(n: usize) -> &'static str {
    const DIGITS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990";
    &DIGITS[n * 2..n * 2 + 2]
}

pub fn caption(r: &mut Rng, out: &mut String, s: &Slots, lang: &str) {
    let t = word(r, CAPTIONS);
    render(r, out, t, s);
    if chance(r, 0.25) {
        if let Some(p) = local_phrase(r, lang) {
            out.push(' ');
            out.push_str(p);
        }
    }
}

pub fn bio(r: &mut Rng, out: &mut String, s: &Slots, lang: &str, has_email: bool) {
    let t = word(r, BIOS);
    render(r, out, t, s);
    if chance(r, 0.4) {
        if let Some(p) = local_phrase(r, lang) {
            out.push_str(" | ");
            out.push_str(p);
        }
    }
    if has_email {
        const CONTACT: &[&str] = &[
            " | 📩 collabs via email",
            " | business: email below",
            " 💌 PR/collabs: email",
        ];
        out.push_str(word(r, CONTACT));
    }
}

pub fn real_comment(r: &mut Rng, out: &mut String, s: &Slots) {
    let t = word(r, REAL_COMMENTS);
    render(r, out, t, s);
}
