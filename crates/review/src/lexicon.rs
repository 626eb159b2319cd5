//! Word lists: disclosure markers, stop words, the brand-safety lexicon, and
//! the language hint → stemmer mapping. Lists are written naturally (with
//! accents) and folded once on first use, like caption text.

use crate::text::{compact, fold};
use rust_stemmers::Algorithm;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Hashtags that disclose advertising, compared after folding and removing
/// `_ - .` (so `#Paid_Partnership` and `#sponsorisé` count).
///
/// `#ads` counts: it is a plural of the same word, whole-token matched, and
/// refusing it would fail captions a reviewer would accept. `#collab`,
/// `#gifted` and `#sponsor` do not: regulators do not accept them as
/// disclosure of a paid post.
const DISCLOSURE_TAGS: &[&str] = &[
    // English
    "ad",
    "ads",
    "advert",
    "advertisement",
    "advertising",
    "sponsored",
    "sponsoredpost",
    "partner",
    "paidpartner",
    "paidpartnership",
    "paidad",
    "brandpartner",
    // German
    "anzeige",
    "werbung",
    "bezahltepartnerschaft",
    "werbepartnerschaft",
    // Spanish
    "publicidad",
    "publi",
    "patrocinado",
    "patrocinada",
    "colaboracionpagada",
    // French
    "pub",
    "publicité",
    "sponsorisé",
    "sponsorisée",
    "partenariat",
    "partenariatrémunéré",
    "collaborationcommerciale",
    // Italian
    "pubblicità",
    "adv",
    "sponsorizzato",
    "sponsorizzata",
    // Portuguese
    "publicidade",
    "parceriapaga",
    // Dutch
    "reclame",
    "gesponsord",
    "advertentie",
    // Polish
    "reklama",
    "sponsorowane",
    "współpracareklamowa",
    // Danish / Norwegian / Swedish / Finnish
    "reklame",
    "annonse",
    "sponset",
    "sponsoreret",
    "annons",
    "reklam",
    "samarbete",
    "betaltsamarbete",
    "mainos",
    "kaupallinenyhteistyö",
];

/// Plain words that disclose when set off as a label: `Ad:`, `[ad]`,
/// `(Werbung)`, `AD |`. As a bare word ("not an ad") they say nothing.
const DISCLOSURE_LABELS: &[&str] = &[
    "ad",
    "ads",
    "advert",
    "advertisement",
    "sponsored",
    "anzeige",
    "werbung",
    "publicidad",
    "publi",
    "pub",
    "publicité",
    "sponsorisé",
    "pubblicità",
    "adv",
    "publicidade",
    "reclame",
    "reklama",
    "reklame",
    "annons",
    "reklam",
    "mainos",
    "samarbete",
    "partenariat",
];

/// Phrases that disclose anywhere ("in paid partnership with @trailco").
const DISCLOSURE_PHRASES: &[&str] = &[
    "paid partnership",
    "sponsored by",
    "bezahlte partnerschaft",
    "bezahlte werbung",
    "colaboración pagada",
    "contenido patrocinado",
    "partenariat rémunéré",
    "collaboration commerciale",
    "contenu sponsorisé",
    "parceria paga",
    "betaald partnerschap",
    "współpraca reklamowa",
    "betalt samarbeid",
    "betalt samarbejde",
    "betalt samarbete",
    "kaupallinen yhteistyö",
];

pub(crate) struct DisclosureLexicon {
    pub tags: HashSet<String>,
    pub labels: HashSet<String>,
    /// Folded word sequences.
    pub phrases: Vec<Vec<String>>,
}

pub(crate) fn disclosure() -> &'static DisclosureLexicon {
    static LEX: OnceLock<DisclosureLexicon> = OnceLock::new();
    LEX.get_or_init(|| DisclosureLexicon {
        tags: DISCLOSURE_TAGS.iter().map(|t| compact(&fold(t))).collect(),
        labels: DISCLOSURE_LABELS.iter().map(|t| fold(t)).collect(),
        phrases: DISCLOSURE_PHRASES
            .iter()
            .map(|p| fold(p).split_whitespace().map(str::to_string).collect())
            .collect(),
    })
}

/// The marker to suggest when none is found, in the brief's language.
pub(crate) fn suggested_disclosure(lang: Lang) -> &'static str {
    match lang {
        Lang::German => "#Werbung or #Anzeige",
        Lang::Spanish => "#publicidad",
        Lang::French => "#sponsorisé or #publicité",
        Lang::Italian => "#pubblicità or #adv",
        Lang::Portuguese => "#publicidade",
        Lang::Dutch => "#reclame",
        _ => "#ad",
    }
}

/// Languages with a Snowball stemmer and a stop-word list here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    English,
    German,
    Spanish,
    French,
    Italian,
    Portuguese,
    Dutch,
    Other(Algorithm),
}

impl Lang {
    /// Reads `"de"`, `"de-AT"`, `"German"`, …; unknown hints mean English,
    /// the language most briefs are written in.
    pub fn from_hint(hint: Option<&str>) -> Lang {
        let hint = hint.unwrap_or("en").trim().to_ascii_lowercase();
        let code = hint.split(['-', '_']).next().unwrap_or("");
        match code {
            "de" | "german" | "deutsch" => Lang::German,
            "es" | "spanish" | "español" => Lang::Spanish,
            "fr" | "french" | "français" => Lang::French,
            "it" | "italian" => Lang::Italian,
            "pt" | "portuguese" => Lang::Portuguese,
            "nl" | "dutch" => Lang::Dutch,
            "sv" | "swedish" => Lang::Other(Algorithm::Swedish),
            "da" | "danish" => Lang::Other(Algorithm::Danish),
            "no" | "nb" | "nn" | "norwegian" => Lang::Other(Algorithm::Norwegian),
            "fi" | "finnish" => Lang::Other(Algorithm::Finnish),
            _ => Lang::English,
        }
    }

    pub fn algorithm(self) -> Algorithm {
        match self {
            Lang::English => Algorithm::English,
            Lang::German => Algorithm::German,
            Lang::Spanish => Algorithm::Spanish,
            Lang::French => Algorithm::French,
            Lang::Italian => Algorithm::Italian,
            Lang::Portuguese => Algorithm::Portuguese,
            Lang::Dutch => Algorithm::Dutch,
            Lang::Other(a) => a,
        }
    }
}

const STOP_EN: &str = "a an the and or but if then so of to in on at by for with from into over \
    under about as is are was were be been being am do does did doing have has had having i me my \
    mine we our ours you your yours he him his she her hers it its they them their theirs this \
    that these those what which who whom whose when where why how all any both each few more most \
    other some such no nor not only own same than too very can will just should would could \
    s t don doesn didn isn aren wasn weren won ll re ve d m up out off again also even still \
    get gets got really much many every";
const STOP_DE: &str = "der die das den dem des ein eine einen einem einer eines und oder aber \
    wenn dann so von zu im in an auf bei mit aus für über unter ist sind war waren sein bin bist \
    hat haben hatte ich mich mein meine mir wir uns unser du dich dein dir er ihn sein sie ihr es \
    dies diese dieser dieses was wer wie wo warum alle auch noch nur sehr nicht kein keine am zum \
    zur vom beim man sich";
const STOP_ES: &str = "el la los las un una unos unas y o pero si de del a al en con por para \
    sin sobre es son era fue ser estar está están he ha han yo me mi mis nosotros tu tus te él \
    ella ellos ellas su sus lo le les este esta estos estas eso esa que qué como cuando donde \
    muy más también ya no";
const STOP_FR: &str = "le la les l un une des du de d et ou mais si en dans sur sous avec \
    pour par sans au aux est sont était être suis ai as a ont je j me m mon ma mes nous notre \
    nos tu te t ton ta tes il elle ils elles se s son sa ses leur leurs ce cet cette ces qui \
    que qu quoi comment quand où très plus aussi ne pas n y";
const STOP_IT: &str = "il lo la i gli le un una uno e o ma se di da in con su per tra fra a \
    al del della è sono era io mi mio mia noi tu ti lui lei loro che come quando dove molto più \
    anche non";
const STOP_PT: &str = "o a os as um uma e ou mas se de do da dos das em no na com por para \
    sem é são era eu me meu minha nós você ele ela eles elas que como quando onde muito mais \
    também não";
const STOP_NL: &str = "de het een en of maar als van in op aan met voor door naar is zijn \
    was ik mij mijn wij ons jij je jouw hij zij ze dat dit die wat hoe waar heel meer ook niet";

/// Stop words for a language, always including English ones because
/// captions mix languages and English filler is everywhere.
pub(crate) fn stop_words(lang: Lang) -> HashSet<String> {
    let extra = match lang {
        Lang::German => STOP_DE,
        Lang::Spanish => STOP_ES,
        Lang::French => STOP_FR,
        Lang::Italian => STOP_IT,
        Lang::Portuguese => STOP_PT,
        Lang::Dutch => STOP_NL,
        _ => "",
    };
    STOP_EN
        .split_whitespace()
        .chain(extra.split_whitespace())
        .map(fold)
        .collect()
}

/// Words that no brand wants next to its product, in three groups reviewers
/// recognise. Deliberately short and unambiguous: everyday words that are
/// sometimes unsafe ("gun" in "massage gun", "shot" in "espresso shot") are
/// left out, because this check must never flag a clean caption.
const UNSAFE: &[(&str, &str)] = &[
    (
        "profanity",
        "fuck fucking fucked fucker fuckin motherfucker shit shitty bullshit bitch \
        bitches cunt asshole dickhead wanker",
    ),
    (
        "slur",
        "nigger nigga faggot fag retard retarded tranny kike spic",
    ),
    (
        "drugs",
        "cocaine heroin meth methamphetamine fentanyl mdma ketamine lsd",
    ),
    (
        "weapons",
        "firearm firearms handgun handguns ammo ammunition ar15 ak47 glock",
    ),
];

/// Unsafe word (folded) → its group.
pub(crate) fn unsafe_words() -> &'static std::collections::HashMap<String, &'static str> {
    static MAP: OnceLock<std::collections::HashMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        UNSAFE
            .iter()
            .flat_map(|(group, words)| words.split_whitespace().map(move |w| (fold(w), *group)))
            .collect()
    })
}
