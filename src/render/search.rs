//! The search index a language's search box loads on first use
//! (`search/index.json`). It stays small on large portals: each document
//! carries its title, URL, kind, service names, a short summary and its
//! most frequent distinctive words, never its whole text.
//!
//! `{"v": 1, "words": {...}, "docs": [[title, url, kind, services, summary, words], ...]}`


use rustc_hash::FxHashMap;

/// Where the index is written, under the language's root.
pub const PATH: &str = "search/index.json";
/// Distinctive words kept per document.
const WORDS: usize = 24;
/// Characters of summary kept per document.
const SUMMARY: usize = 160;

/// What a search result can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Service,
    Faq,
    Announcement,
    Survey,
    Page,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Service => "service",
            DocKind::Faq => "faq",
            DocKind::Announcement => "announcement",
            DocKind::Survey => "survey",
            DocKind::Page => "page",
        }
    }
}

/// One document, as the JSON array the index holds.
pub fn doc(
    kind: DocKind,
    title: &str,
    url: &str,
    services: &[&str],
    summary: &str,
    text: &str,
    lang: &str,
) -> String {
    let summary = super::views::shorten(summary.trim(), SUMMARY);
    let words = keywords(text, &format!("{title} {}", services.join(" ")), lang);
    serde_json::json!([
        title,
        url,
        kind.as_str(),
        services.join(", "),
        summary,
        words
    ])
    .to_string()
}

/// The index file from documents made by `doc`, with the words the
/// search script shows (`words`, a JSON object).
pub fn index(docs: &[&str], words: &serde_json::Value) -> Vec<u8> {
    let mut out = String::with_capacity(docs.iter().map(|d| d.len() + 2).sum::<usize>() + 512);
    out.push_str("{\"v\":1,\"words\":");
    out.push_str(&words.to_string());
    out.push_str(",\"docs\":[\n");
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str(d);
    }
    out.push_str("\n]}\n");
    out.into_bytes()
}

/// Text without tags, entities decoded (enough for counting words).
pub fn strip_html(html: &str) -> String {
    const ENTITIES: [(&str, char); 5] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
    ];
    let mut out = String::with_capacity(html.len() / 2);
    // Runs of text between the three special characters (all ASCII) are
    // copied whole.
    let mut rest = 0;
    let mut in_tag = false;
    for at in memchr::memchr3_iter(b'<', b'>', b'&', html.as_bytes()) {
        if at < rest {
            continue; // inside an entity already decoded
        }
        match html.as_bytes()[at] {
            b'<' => {
                if !in_tag {
                    out.push_str(&html[rest..at]);
                }
                in_tag = true;
                out.push(' ');
                rest = at + 1;
            }
            b'>' if in_tag => {
                in_tag = false;
                rest = at + 1;
            }
            b'&' if !in_tag => {
                out.push_str(&html[rest..at]);
                match ENTITIES.iter().find(|(e, _)| html[at..].starts_with(e)) {
                    Some((entity, decoded)) => {
                        out.push(*decoded);
                        rest = at + entity.len();
                    }
                    None => {
                        out.push('&');
                        rest = at + 1;
                    }
                }
            }
            _ => {}
        }
    }
    if !in_tag {
        out.push_str(&html[rest..]);
    }
    out
}

/// The most frequent words of `text` that are not common words of the
/// language and not already in `known` (title, service names), in the
/// order they first appear, space-separated, lowercase.
pub fn keywords(text: &str, known: &str, lang: &str) -> String {
    // Fast hashing: these counts see every word of every page. The text is
    // lowercased once and the words are counted as slices of it (no copy
    // per word); the common and known words are left out once per distinct
    // word afterwards.
    let lower = text.to_lowercase();
    let mut counts: FxHashMap<&str, (u32, u32)> =
        FxHashMap::with_capacity_and_hasher(512, Default::default());
    let mut position = 0;
    // Words are runs of alphanumeric characters. Bytes are sorted with a
    // table; a run holding non-ASCII bytes is split by the characters' own
    // rule, so `é` is a letter and `’` is not. Both ends of a run fall on
    // character boundaries: the bytes around it are ASCII.
    let bytes = lower.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if !WORD_BYTE[bytes[at] as usize] {
            at += 1;
            continue;
        }
        let start = at;
        let mut high = 0;
        while at < bytes.len() && WORD_BYTE[bytes[at] as usize] {
            high |= bytes[at];
            at += 1;
        }
        let run = &lower[start..at];
        if high < 0x80 {
            // Shorter words are left out below anyway: skip the hashing.
            if run.len() >= 3 {
                counts.entry(run).or_insert((0, position)).0 += 1;
            }
            position += 1;
        } else {
            for w in run.split(|c: char| !c.is_alphanumeric()) {
                if !w.is_empty() {
                    counts.entry(w).or_insert((0, position)).0 += 1;
                    position += 1;
                }
            }
        }
    }
    let known: Vec<String> = words(known).collect();
    let stop = stop_set(lang);
    let mut ranked: Vec<(&str, (u32, u32))> = counts
        .into_iter()
        .filter(|(w, _)| {
            !(w.chars().nth(2).is_none()
                || w.bytes().all(|c| c.is_ascii_digit())
                || stop.contains(w)
                || known.iter().any(|k| k == w))
        })
        .collect();
    // The most frequent (the earlier first on a tie), in text order.
    let order = |a: &(&str, (u32, u32)), b: &(&str, (u32, u32))| {
        b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1))
    };
    if ranked.len() > WORDS {
        ranked.select_nth_unstable_by(WORDS, order);
        ranked.truncate(WORDS);
    }
    ranked.sort_unstable_by_key(|(_, (_, first))| *first);
    let mut out = String::with_capacity(ranked.iter().map(|(w, _)| w.len() + 1).sum());
    for (w, _) in ranked {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Bytes that may be part of a word: ASCII letters and digits, and every
/// byte of a non-ASCII character (those runs are split by character).
static WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b >= 0x80;
        b += 1;
    }
    t
};

/// Lowercase words: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The language's common words as a set, made once.
fn stop_set(lang: &str) -> &'static rustc_hash::FxHashSet<&'static str> {
    use std::sync::LazyLock;
    type Set = LazyLock<rustc_hash::FxHashSet<&'static str>>;
    static NL: Set = LazyLock::new(|| stopwords("nl").iter().copied().collect());
    static DE: Set = LazyLock::new(|| stopwords("de").iter().copied().collect());
    static FR: Set = LazyLock::new(|| stopwords("fr").iter().copied().collect());
    static EN: Set = LazyLock::new(|| stopwords("en").iter().copied().collect());
    match lang {
        "nl" => &NL,
        "de" => &DE,
        "fr" => &FR,
        _ => &EN,
    }
}

fn stopwords(lang: &str) -> &'static [&'static str] {
    match lang {
        "nl" => &[
            "aan", "als", "bij", "dan", "dat", "de", "den", "der", "des", "deze", "die", "dit",
            "door", "een", "en", "er", "geen", "het", "hij", "hoe", "ik", "in", "is", "je", "jij",
            "kan", "kun", "kunt", "maar", "met", "moet", "na", "naar", "niet", "nog", "nu", "of",
            "om", "ons", "onze", "ook", "op", "over", "te", "tot", "uit", "van", "voor", "wat",
            "we", "wel", "wij", "wordt", "worden", "zal", "ze", "zich", "zijn", "zo", "jouw",
            "jullie", "hebben", "heeft", "alle", "meer", "waar", "wanneer", "welke",
        ],
        "de" => &[
            "aber", "als", "am", "an", "auch", "auf", "aus", "bei", "bis", "das", "dass", "dem",
            "den", "der", "des", "die", "dies", "diese", "ein", "eine", "einem", "einen", "einer",
            "für", "hat", "haben", "ich", "ihr", "ihre", "im", "in", "ist", "kann", "mit", "nach",
            "nicht", "noch", "nur", "oder", "sich", "sie", "sind", "über", "um", "und", "uns",
            "von", "vor", "war", "was", "wenn", "werden", "wie", "wird", "wir", "zu", "zum", "zur",
        ],
        "fr" => &[
            "les", "des", "une", "est", "pour", "par", "sur", "dans", "avec", "que", "qui", "pas",
            "plus", "son", "ses", "aux", "du", "de", "la", "le", "un", "et", "en", "au", "ce",
            "cette", "ces", "vous", "votre", "vos", "nous", "notre", "nos", "sont", "être", "été",
            "mais", "ou", "où", "comme", "tout", "tous", "leur", "leurs", "peut", "fait",
        ],
        _ => &[
            "the", "and", "for", "are", "but", "not", "you", "your", "all", "any", "can", "has",
            "have", "had", "her", "his", "its", "our", "out", "was", "were", "will", "with",
            "this", "that", "these", "those", "from", "they", "them", "their", "there", "what",
            "when", "where", "which", "who", "why", "how", "into", "more", "most", "than", "then",
            "also", "about", "after", "before", "been", "being", "does", "each", "just", "may",
            "must", "one", "only", "other", "over", "same", "should", "some", "such", "very",
            "would", "use", "using", "used", "get", "new",
        ],
    }
}

/// The no-script part of the search page: services and FAQ questions
/// from A to Z, as (letter, [(title, url)]).
pub fn a_to_z(mut items: Vec<(String, String)>) -> Vec<(String, Vec<(String, String)>)> {
    items.sort_by_key(|(title, _)| title.to_lowercase());
    let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (title, url) in items {
        let letter = title
            .chars()
            .next()
            .map(|c| c.to_uppercase().collect::<String>())
            .filter(|l| l.chars().all(char::is_alphabetic))
            .unwrap_or_else(|| "#".into());
        match groups.last_mut() {
            Some((l, list)) if *l == letter => list.push((title, url)),
            _ => groups.push((letter, vec![(title, url)])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_leave_out_common_and_known_words() {
        let k = keywords(
            "The token is renewed. Renew the token in the portal; the portal sends a code. Token!",
            "VPN token",
            "en",
        );
        assert_eq!(k, "renewed renew portal sends code");
        // Letters beyond ASCII belong to words; other characters split them.
        let k = keywords("Café’s naïve café—CAFÉ ok 2026 l’été x²y", "", "en");
        assert_eq!(k, "café naïve été x²y");
        assert_eq!(
            strip_html("<p>A &amp; <b>B</b></p>")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["A", "&", "B"]
        );
        assert_eq!(
            strip_html("a > b &copy; <a href=\"x&amp;y\">c&lt;d</a>&#39;é&quot;"),
            "a > b &copy;  c<d 'é\""
        );
    }

    #[test]
    fn a_to_z_groups_by_first_letter() {
        let g = a_to_z(vec![
            ("VPN".into(), "/v".into()),
            ("cloud".into(), "/c".into()),
            ("Classic".into(), "/k".into()),
            ("2FA".into(), "/2".into()),
        ]);
        let letters: Vec<&str> = g.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(letters, ["#", "C", "V"]);
        assert_eq!(g[1].1.len(), 2);
    }
}
