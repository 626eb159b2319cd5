//! Where creators live and what they are called: countries with their
//! language, neighbours (for audiences), cities (for bios) and name pools
//! from several cultures.

/// A creator's home country.
#[derive(Debug)]
pub struct Country {
    pub code: &'static str,
    /// Share of creators based here.
    pub weight: f64,
    /// Main language (ISO 639-1) and, for bilingual countries, a second one with its share.
    pub lang: &'static str,
    pub second_lang: Option<(&'static str, f64)>,
    /// Countries whose audiences follow creators from here.
    pub neighbours: &'static [&'static str],
    pub cities: &'static [&'static str],
    /// Name pools to draw from, with weights (index into `POOLS`).
    pub pools: &'static [(usize, f64)],
    pub flag: &'static str,
}

const EN: usize = 0;
const ES: usize = 1;
const PT: usize = 2;
const DE: usize = 3;
const FR: usize = 4;
const IT: usize = 5;
const NL: usize = 6;
const SV: usize = 7;
const PL: usize = 8;
const JA: usize = 9;
const HI: usize = 10;

#[rustfmt::skip]
pub static COUNTRIES: &[Country] = &[
    Country { code: "US", weight: 0.34, lang: "en", second_lang: Some(("es", 0.08)), neighbours: &["CA", "MX", "GB"], cities: &["Austin", "Brooklyn", "Denver", "Portland", "Chicago", "LA", "Atlanta", "Seattle", "Miami", "Nashville"], pools: &[(EN, 0.72), (ES, 0.16), (HI, 0.06), (JA, 0.03), (PL, 0.03)], flag: "🇺🇸" },
    Country { code: "GB", weight: 0.08, lang: "en", second_lang: None, neighbours: &["IE", "US", "AU"], cities: &["London", "Manchester", "Leeds", "Bristol", "Glasgow", "Brighton"], pools: &[(EN, 0.85), (HI, 0.1), (PL, 0.05)], flag: "🇬🇧" },
    Country { code: "CA", weight: 0.05, lang: "en", second_lang: Some(("fr", 0.2)), neighbours: &["US", "GB", "FR"], cities: &["Toronto", "Vancouver", "Montreal", "Calgary", "Ottawa"], pools: &[(EN, 0.7), (FR, 0.2), (HI, 0.1)], flag: "🇨🇦" },
    Country { code: "AU", weight: 0.04, lang: "en", second_lang: None, neighbours: &["NZ", "GB", "US"], cities: &["Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide"], pools: &[(EN, 0.9), (IT, 0.05), (HI, 0.05)], flag: "🇦🇺" },
    Country { code: "DE", weight: 0.06, lang: "de", second_lang: None, neighbours: &["AT", "CH", "NL"], cities: &["Berlin", "Hamburg", "München", "Köln", "Leipzig"], pools: &[(DE, 0.9), (PL, 0.1)], flag: "🇩🇪" },
    Country { code: "FR", weight: 0.05, lang: "fr", second_lang: None, neighbours: &["BE", "CH", "CA"], cities: &["Paris", "Lyon", "Marseille", "Bordeaux", "Nantes"], pools: &[(FR, 1.0)], flag: "🇫🇷" },
    Country { code: "ES", weight: 0.05, lang: "es", second_lang: None, neighbours: &["MX", "AR", "IT"], cities: &["Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao"], pools: &[(ES, 1.0)], flag: "🇪🇸" },
    Country { code: "IT", weight: 0.04, lang: "it", second_lang: None, neighbours: &["CH", "FR", "ES"], cities: &["Milano", "Roma", "Torino", "Bologna", "Napoli"], pools: &[(IT, 1.0)], flag: "🇮🇹" },
    Country { code: "BR", weight: 0.07, lang: "pt", second_lang: None, neighbours: &["PT", "AR", "US"], cities: &["São Paulo", "Rio", "Curitiba", "Belo Horizonte", "Recife"], pools: &[(PT, 0.9), (IT, 0.05), (JA, 0.05)], flag: "🇧🇷" },
    Country { code: "MX", weight: 0.05, lang: "es", second_lang: None, neighbours: &["US", "CO", "ES"], cities: &["CDMX", "Guadalajara", "Monterrey", "Puebla", "Mérida"], pools: &[(ES, 1.0)], flag: "🇲🇽" },
    Country { code: "IN", weight: 0.06, lang: "en", second_lang: Some(("hi", 0.35)), neighbours: &["AE", "GB", "US"], cities: &["Mumbai", "Bengaluru", "Delhi", "Pune", "Hyderabad"], pools: &[(HI, 1.0)], flag: "🇮🇳" },
    Country { code: "NL", weight: 0.02, lang: "nl", second_lang: None, neighbours: &["BE", "DE", "GB"], cities: &["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"], pools: &[(NL, 1.0)], flag: "🇳🇱" },
    Country { code: "SE", weight: 0.02, lang: "sv", second_lang: None, neighbours: &["NO", "DK", "FI"], cities: &["Stockholm", "Göteborg", "Malmö", "Uppsala"], pools: &[(SV, 1.0)], flag: "🇸🇪" },
    Country { code: "PL", weight: 0.03, lang: "pl", second_lang: None, neighbours: &["DE", "GB", "UA"], cities: &["Warszawa", "Kraków", "Wrocław", "Gdańsk"], pools: &[(PL, 1.0)], flag: "🇵🇱" },
    Country { code: "JP", weight: 0.04, lang: "ja", second_lang: None, neighbours: &["KR", "TW", "US"], cities: &["Tokyo", "Osaka", "Kyoto", "Fukuoka", "Sapporo"], pools: &[(JA, 1.0)], flag: "🇯🇵" },
];

/// Main language of countries that appear only in audiences.
pub fn language_of(code: &str) -> &'static str {
    if let Some(c) = COUNTRIES.iter().find(|c| c.code == code) {
        return c.lang;
    }
    match code {
        "IE" | "NZ" => "en",
        "AT" | "CH" => "de",
        "BE" => "fr",
        "AR" | "CO" => "es",
        "PT" => "pt",
        "AE" => "ar",
        "NO" => "no",
        "DK" => "da",
        "FI" => "fi",
        "UA" => "uk",
        "KR" => "ko",
        "TW" => "zh",
        _ => "en",
    }
}

/// Countries outside the creator's region that contribute a small tail of followers.
pub const TAIL_COUNTRIES: &[&str] = &[
    "US", "GB", "DE", "BR", "IN", "PH", "ID", "TR", "NG", "ZA", "FR", "MX", "CA", "AU", "ES",
];

/// First names (female, male) and family names of one culture.
#[derive(Debug)]
pub struct NamePool {
    pub female: &'static [&'static str],
    pub male: &'static [&'static str],
    pub last: &'static [&'static str],
}

#[rustfmt::skip]
pub static POOLS: [NamePool; 11] = [
    NamePool { // English-speaking
        female: &["Emma", "Olivia", "Ava", "Maya", "Chloe", "Hannah", "Grace", "Sophie", "Madison", "Lily", "Zoe", "Abby", "Jess", "Kate"],
        male: &["Liam", "Noah", "Ethan", "Jack", "Ryan", "Tyler", "Owen", "Caleb", "Max", "Sam", "Jake", "Ben", "Dylan", "Connor"],
        last: &["Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Davis", "Clark", "Walker", "Hall", "Young", "Wright", "Baker", "Reed", "Cole", "Hayes"],
    },
    NamePool { // Spanish-speaking
        female: &["Sofía", "Valentina", "Lucía", "Camila", "Isabella", "Daniela", "María", "Paula", "Carmen", "Elena", "Ximena", "Renata"],
        male: &["Mateo", "Santiago", "Diego", "Alejandro", "Javier", "Carlos", "Pablo", "Andrés", "Luis", "Hugo", "Emiliano", "Álvaro"],
        last: &["García", "Martínez", "López", "Hernández", "González", "Rodríguez", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores", "Ruiz", "Morales", "Navarro"],
    },
    NamePool { // Brazilian Portuguese
        female: &["Ana", "Beatriz", "Júlia", "Larissa", "Mariana", "Gabriela", "Letícia", "Fernanda", "Camila", "Luana", "Bianca", "Rafaela"],
        male: &["João", "Pedro", "Gabriel", "Lucas", "Rafael", "Thiago", "Felipe", "Bruno", "Gustavo", "Vinícius", "Caio", "Matheus"],
        last: &["Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ferreira", "Lima", "Carvalho", "Ribeiro", "Rocha", "Barbosa", "Mendes"],
    },
    NamePool { // German
        female: &["Lena", "Hannah", "Mia", "Lea", "Anna", "Laura", "Sophie", "Marie", "Julia", "Katharina", "Jana", "Nele"],
        male: &["Lukas", "Jonas", "Felix", "Leon", "Paul", "Maximilian", "Tim", "Jan", "Moritz", "Niklas", "Florian", "Tobias"],
        last: &["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch", "Richter", "Wolf", "Krüger"],
    },
    NamePool { // French
        female: &["Léa", "Chloé", "Manon", "Camille", "Inès", "Juliette", "Louise", "Clara", "Élodie", "Margaux", "Anaïs", "Zoé"],
        male: &["Lucas", "Hugo", "Louis", "Théo", "Antoine", "Nathan", "Mathis", "Julien", "Baptiste", "Maxime", "Quentin", "Rémi"],
        last: &["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Fontaine"],
    },
    NamePool { // Italian
        female: &["Giulia", "Francesca", "Chiara", "Sara", "Martina", "Alessia", "Federica", "Elisa", "Giorgia", "Valeria", "Bianca", "Silvia"],
        male: &["Marco", "Luca", "Matteo", "Alessandro", "Lorenzo", "Andrea", "Davide", "Simone", "Federico", "Riccardo", "Giovanni", "Tommaso"],
        last: &["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "Costa"],
    },
    NamePool { // Dutch
        female: &["Emma", "Sanne", "Fleur", "Lotte", "Noor", "Femke", "Isa", "Anouk", "Julia", "Eva", "Sara", "Maud"],
        male: &["Daan", "Sem", "Lars", "Thijs", "Bram", "Jesse", "Ruben", "Stijn", "Niels", "Joris", "Sven", "Tom"],
        last: &["de Jong", "Jansen", "de Vries", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos"],
    },
    NamePool { // Swedish
        female: &["Elsa", "Alice", "Maja", "Saga", "Ebba", "Linnea", "Wilma", "Klara", "Freja", "Astrid", "Ida", "Tove"],
        male: &["Oscar", "William", "Lucas", "Elias", "Hugo", "Axel", "Viktor", "Erik", "Nils", "Anton", "Filip", "Gustav"],
        last: &["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Lindqvist", "Berg", "Holm"],
    },
    NamePool { // Polish
        female: &["Zuzanna", "Julia", "Maja", "Zofia", "Hanna", "Aleksandra", "Natalia", "Kasia", "Agnieszka", "Ola", "Magda", "Ewa"],
        male: &["Jakub", "Antoni", "Szymon", "Jan", "Filip", "Kacper", "Mateusz", "Michał", "Paweł", "Łukasz", "Tomasz", "Piotr"],
        last: &["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Mazur"],
    },
    NamePool { // Japanese (romanized)
        female: &["Yui", "Aoi", "Hina", "Sakura", "Yuna", "Mio", "Rin", "Haruka", "Saki", "Nanami", "Emi", "Mei"],
        male: &["Haruto", "Sota", "Ren", "Yuto", "Riku", "Kaito", "Takumi", "Daiki", "Kenji", "Hiroshi", "Shota", "Kenta"],
        last: &["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada"],
    },
    NamePool { // Indian
        female: &["Aanya", "Priya", "Diya", "Ananya", "Isha", "Kavya", "Meera", "Riya", "Sneha", "Pooja", "Nisha", "Tara"],
        male: &["Arjun", "Rohan", "Vihaan", "Aditya", "Karan", "Rahul", "Ishaan", "Vikram", "Siddharth", "Nikhil", "Dev", "Aarav"],
        last: &["Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Mehta", "Joshi", "Desai", "Kapoor", "Rao", "Verma"],
    },
];

/// Fold a name to lower-case ASCII for handles and e-mail addresses; letters
/// outside the table are dropped, as people do when picking a handle.
pub fn ascii_fold(s: &str, out: &mut String) {
    for c in s.chars() {
        let m = match c {
            'a'..='z' | '0'..='9' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            'á' | 'à' | 'ä' | 'â' | 'ã' | 'ą' | 'Á' | 'Ä' => 'a',
            'é' | 'è' | 'ë' | 'ê' | 'ę' | 'É' => 'e',
            'í' | 'ì' | 'ï' | 'î' | 'Í' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'õ' | 'Ó' | 'Ö' => 'o',
            'ú' | 'ù' | 'ü' | 'û' | 'Ú' | 'Ü' => 'u',
            'ç' | 'ć' => 'c',
            'ñ' | 'ń' => 'n',
            'ł' | 'Ł' => 'l',
            'ś' | 'Ś' => 's',
            'ż' | 'ź' | 'Ż' => 'z',
            _ => continue,
        };
        out.push(m);
    }
}
