//! The search index a language's search box loads on first use
//! (`search/index.json`). It stays small on large portals: each document
//! carries its title, URL, kind, service names, a short summary and its
//! most frequent distinctive words, never its whole text.
//!
//! `{"v": 1, "words": {...}, "docs": [[title, url, kind, services, summary, words], ...]}`

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
    text: String,
    lang: &str,
) -> String {
    let summary = super::views::shorten(summary.trim(), SUMMARY);
    let words = keywords_of(text, &format!("{title} {}", services.join(" ")), lang);
    // Written straight from the tuple (a JSON array), no tree in between;
    // kept until the index is written, so without slack.
    crate::compact(
        serde_json::to_string(&(
            title,
            url,
            kind.as_str(),
            services.join(", "),
            summary,
            words,
        ))
        .unwrap_or_default(),
    )
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

/// Text without tags, entities decoded (enough for counting words), with
/// room to spare for what `keywords_of` adds to it.
pub fn strip_html(html: &str) -> String {
    const ENTITIES: [(&str, char); 5] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
    ];
    // Never longer than the HTML: a tag becomes one space, an entity one
    // character.
    let mut out = String::with_capacity(html.len() + Words::EXTRA);
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
    keywords_of(text.to_owned(), known, lang)
}

/// `keywords`, counted in `text` itself.
fn keywords_of(text: String, known: &str, lang: &str) -> String {
    // These counts see every word of every page. Each word is counted as a
    // place in one buffer (no copy per word), hashed and compared eight
    // bytes at a time; the common and known words are left out once per
    // distinct word afterwards.
    let len = text.len();
    let mut words = Words::new(text);
    let mut counts: hashbrown::HashTable<Count> = hashbrown::HashTable::with_capacity(64);
    // Most words are ASCII and at most eight bytes long: those are counted
    // in a table of their own, keyed by their bytes as one number.
    thread_local! {
        static SHORT: std::cell::Cell<Option<Short>> = const { std::cell::Cell::new(None) };
    }
    let mut short = SHORT.take().unwrap_or_else(Short::new);
    let mut position = 0u32;
    // Words are runs of alphanumeric characters: digits, letters and the
    // bytes of non-ASCII characters. They are found 64 bytes at a time: a
    // mask of the bytes that are part of a word, and one of the non-ASCII
    // bytes; each word is then a run of ones in the first, found with bit
    // operations and no branch per byte. A run with non-ASCII bytes is
    // split by the characters' own rule, so `é` is a letter and `’` is
    // not; both ends of a run fall on character boundaries, as the bytes
    // around it are ASCII.
    let mut count = |words: &mut Words, start: usize, end: usize, ascii: bool| {
        if ascii {
            words.tally(&mut short, &mut counts, start, end - start, true, position);
            position += 1;
        } else {
            words.tally_lowered(&mut short, &mut counts, start, end, &mut position);
        }
    };
    // Where the word that ran past the last block ended.
    let mut after = 0;
    let mut base = 0;
    while base < len {
        let (mut word, high) = words.masks(base);
        // Only the text's own bytes, and none of a word counted already.
        if len - base < 64 {
            word &= (1u64 << (len - base)) - 1;
        }
        if after > base {
            word &= u64::MAX.checked_shl((after - base) as u32).unwrap_or(0);
        }
        while word != 0 {
            let s = word.trailing_zeros();
            let n = (!(word >> s)).trailing_zeros();
            let start = base + s as usize;
            if s + n < 64 {
                let run = (u64::MAX >> (64 - n)) << s;
                word &= !run;
                count(&mut words, start, start + n as usize, high & run == 0);
            } else {
                // The word may go on past this block.
                let (end, more_high) = words.word_end(base + 64, len);
                after = end;
                word = 0;
                count(&mut words, start, end, high >> s == 0 && !more_high);
            }
        }
        base += 64;
    }
    let known: Vec<String> = self::words(known).collect();
    let stop = stop_set(lang);
    let word = |c: &Count| &words.text[c.start as usize..(c.start + c.len) as usize];
    let mut ranked: Vec<Count> = Vec::with_capacity(counts.len() + short.taken.len());
    // Longer and non-ASCII words, by their text.
    ranked.extend(counts.into_iter().filter(|c| {
        let w = word(c);
        !(w.chars().nth(2).is_none()
            || w.bytes().all(|c| c.is_ascii_digit())
            || stop.words.contains(w)
            || known.iter().any(|k| k == w))
    }));
    // The short words (most of the distinct ones) are left out by their
    // keys, without reading or hashing their text.
    let known_keys: Vec<u64> = known.iter().filter_map(|k| Short::key_of(k)).collect();
    ranked.extend(short.drain().filter_map(|(key, c)| {
        let digits = key.to_le_bytes()[..c.len as usize]
            .iter()
            .all(u8::is_ascii_digit);
        let common = c.len < 3 || digits || stop.keys.contains(&key) || known_keys.contains(&key);
        (!common).then_some(c)
    }));
    // Empty again, for this thread's next text; one grown by a text of
    // very many distinct words is let go rather than kept for the
    // thread's life.
    if short.slots.len() <= Short::KEPT {
        SHORT.set(Some(short));
    }
    // The most frequent (the earlier first on a tie), in text order.
    let order = |a: &Count, b: &Count| b.n.cmp(&a.n).then(a.first.cmp(&b.first));
    if ranked.len() > WORDS {
        ranked.select_nth_unstable_by(WORDS, order);
        ranked.truncate(WORDS);
    }
    ranked.sort_unstable_by_key(|c| c.first);
    let mut out = String::with_capacity(ranked.iter().map(|c| c.len as usize + 1).sum());
    for c in &ranked {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word(c));
    }
    out
}

/// A word (`len` bytes from `start` in `Words::text`) and how often it
/// occurs; `first` is the position of its first occurrence, which breaks
/// ties and orders the words kept.
struct Count {
    start: u32,
    len: u32,
    n: u32,
    first: u32,
}

/// Counts of ASCII words of up to eight bytes, each keyed by its bytes
/// read as one little-endian number (unique: a word holds no zero byte, so
/// its length is in its key). Open addressing with linear probing, a key of
/// zero marking an empty slot; never more than half full. The places
/// taken are listed, so the counts are read and the table emptied for the
/// next text without going through every slot; each thread keeps one.
struct Short {
    slots: Vec<ShortSlot>,
    taken: Vec<u32>,
    shift: u32,
}

#[derive(Clone, Copy, Default)]
struct ShortSlot {
    key: u64,
    /// As in `Count` (the length is the key's count of nonzero bytes).
    start: u32,
    n: u32,
    first: u32,
}

impl Short {
    const BITS: u32 = 10;
    /// The most slots a table kept for the next text may have (384 KB).
    const KEPT: usize = 1 << 14;

    fn new() -> Short {
        Short {
            slots: vec![ShortSlot::default(); 1 << Self::BITS],
            taken: Vec::with_capacity(1 << (Self::BITS - 1)),
            shift: 64 - Self::BITS,
        }
    }

    #[inline]
    fn place(key: u64, shift: u32) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> shift) as usize
    }

    #[inline(always)]
    fn count(&mut self, key: u64, start: usize, first: u32) {
        let mask = self.slots.len() - 1;
        let mut i = Self::place(key, self.shift);
        loop {
            let slot = &mut self.slots[i];
            if slot.key == key {
                slot.n += 1;
                return;
            }
            if slot.key == 0 {
                *slot = ShortSlot {
                    key,
                    start: start as u32,
                    n: 1,
                    first,
                };
                self.taken.push(i as u32);
                if self.taken.len() * 2 > mask + 1 {
                    self.grow();
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![ShortSlot::default(); size]);
        self.shift -= 1;
        let mask = self.slots.len() - 1;
        for at in &mut self.taken {
            let slot = old[*at as usize];
            let mut i = Self::place(slot.key, self.shift);
            while self.slots[i].key != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
            *at = i as u32;
        }
    }

    /// The counts with their keys, each taken out of the table as it is
    /// read: read them all, and the table is empty again.
    fn drain(&mut self) -> impl Iterator<Item = (u64, Count)> + '_ {
        let Short { slots, taken, .. } = self;
        taken.drain(..).map(|i| {
            let s = std::mem::take(&mut slots[i as usize]);
            let count = Count {
                start: s.start,
                len: 8 - s.key.leading_zeros() / 8,
                n: s.n,
                first: s.first,
            };
            (s.key, count)
        })
    }

    /// The key `w` has in the table, when it is a word the table counts
    /// (ASCII, one to eight bytes).
    fn key_of(w: &str) -> Option<u64> {
        let bytes = w.as_bytes();
        if !w.is_ascii() || bytes.is_empty() || bytes.len() > 8 {
            return None;
        }
        let mut key = [0u8; 8];
        key[..bytes.len()].copy_from_slice(bytes);
        Some(u64::from_le_bytes(key))
    }
}

/// A text with its ASCII letters lowercased, a zero byte, its lowercased
/// non-ASCII words, then eight zero bytes, so that eight bytes can be read from any
/// place in it (a zero byte ends a word).
struct Words {
    text: String,
}

const PADDING: &str = "\0\0\0\0\0\0\0\0";

impl Words {
    /// What `new` adds after the text.
    const EXTRA: usize = 1 + PADDING.len();

    fn new(mut buf: String) -> Words {
        buf.reserve(Self::EXTRA);
        buf.make_ascii_lowercase();
        // A zero byte ends the text's last word, whatever follows.
        buf.push('\0');
        buf.push_str(PADDING);
        Words { text: buf }
    }

    /// Keeps `w` after what is here, returning its place.
    fn push(&mut self, w: &str) -> (usize, usize) {
        self.text.truncate(self.text.len() - PADDING.len());
        let start = self.text.len();
        self.text.push_str(w);
        self.text.push_str(PADDING);
        (start, w.len())
    }

    /// Counts the word of `len` bytes at `start` (`ascii` when all its
    /// bytes are) where every copy of it is counted: ASCII words of up to
    /// eight bytes in `short`, longer and non-ASCII ones in `counts`. (Words
    /// shorter than three characters are counted too, one test less per
    /// word, and left out of the result with the common words.)
    #[inline]
    fn tally(
        &self,
        short: &mut Short,
        counts: &mut hashbrown::HashTable<Count>,
        start: usize,
        len: usize,
        ascii: bool,
        first: u32,
    ) {
        if ascii && len <= 8 {
            short.count(self.key(start, len).0, start, first);
        } else {
            self.count(counts, start, len, first);
        }
    }

    /// Counts the words of the run from `start` to `end`, which has
    /// non-ASCII characters: lowercased word by word (a final sigma is one
    /// at the end of its word) and kept after the text.
    #[inline(never)]
    fn tally_lowered(
        &mut self,
        short: &mut Short,
        counts: &mut hashbrown::HashTable<Count>,
        start: usize,
        end: usize,
        position: &mut u32,
    ) {
        let lowered: Vec<String> = self.text[start..end]
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        for w in lowered {
            let (start, len) = self.push(&w);
            self.tally(short, counts, start, len, w.is_ascii(), *position);
            *position += 1;
        }
    }

    /// Counts the word of `len` bytes at `start`, first seen at `first`.
    fn count(
        &self,
        counts: &mut hashbrown::HashTable<Count>,
        start: usize,
        len: usize,
        first: u32,
    ) {
        let key = self.key(start, len);
        let hash = word_hash(len, key);
        let bytes = self.text.as_bytes();
        let same = |c: &Count| {
            c.len as usize == len
                && if len <= 16 {
                    self.key(c.start as usize, len) == key
                } else {
                    bytes[start..start + len] == bytes[c.start as usize..c.start as usize + len]
                }
        };
        match counts.find_mut(hash, same) {
            Some(c) => c.n += 1,
            None => {
                let c = Count {
                    start: start as u32,
                    len: len as u32,
                    n: 1,
                    first,
                };
                counts.insert_unique(hash, c, |c| {
                    word_hash(c.len as usize, self.key(c.start as usize, c.len as usize))
                });
            }
        }
    }

    /// For the 64 bytes from `base`: a mask with bit `i` set when byte
    /// `base + i` is part of a word, and one with it set when that byte is
    /// not ASCII.
    #[inline]
    fn masks(&self, base: usize) -> (u64, u64) {
        let mut word = 0;
        let mut high = 0;
        for i in 0..8 {
            let v = self.load(base + 8 * i);
            word |= gather(!not_word(v) & HIGH) << (8 * i);
            high |= gather(v & HIGH) << (8 * i);
        }
        (word, high)
    }

    /// Where the word that goes on at `at` ends (at most at `len`), and
    /// whether it has a non-ASCII byte from `at` on: eight bytes at a time.
    fn word_end(&self, mut at: usize, len: usize) -> (usize, bool) {
        let mut high = 0;
        while at < len {
            let v = self.load(at);
            let ends = not_word(v);
            if ends != 0 {
                let n = ends.trailing_zeros() / 8;
                // The high bits of the n bytes that are still the word's.
                let kept = u64::MAX.checked_shr(64 - 8 * n).unwrap_or(0);
                high |= v & HIGH & kept;
                at += n as usize;
                break;
            }
            high |= v & HIGH;
            at += 8;
        }
        (at.min(len), high != 0)
    }

    /// Eight bytes from `at` as a number, the first in the lowest byte
    /// (zero past the end).
    #[inline]
    fn load(&self, at: usize) -> u64 {
        self.text
            .as_bytes()
            .get(at..)
            .and_then(|b| b.first_chunk::<8>())
            .map_or(0, |b| u64::from_le_bytes(*b))
    }

    /// The word's first eight bytes and its last eight bytes (after the
    /// first eight) as numbers: all of a word of up to sixteen bytes.
    #[inline]
    fn key(&self, start: usize, len: usize) -> (u64, u64) {
        let mask = if len >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * len)) - 1
        };
        let head = self.load(start) & mask;
        let tail = if len > 8 {
            self.load(start + len - 8)
        } else {
            0
        };
        (head, tail)
    }
}

/// A word's hash from its length and key, mixed as FxHash does.
fn word_hash(len: usize, (head, tail): (u64, u64)) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let h = (len as u64).wrapping_mul(K);
    let h = (h ^ head).wrapping_mul(K);
    (h.rotate_left(26) ^ tail).wrapping_mul(K)
}

/// The high bits of the eight bytes of `x` (its only bits set) as the low
/// eight bits, the first byte's lowest.
#[inline]
fn gather(x: u64) -> u64 {
    // Each byte's bit lands in a bit of its own in the top byte; no two
    // products overlap, so nothing carries.
    ((x >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// The high bit of each of eight bytes.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit set for each of eight lowercased bytes that is not part of
/// a word: not a digit, not `a`–`z`, not part of a non-ASCII character.
#[inline]
fn not_word(v: u64) -> u64 {
    const fn each(b: u8) -> u64 {
        u64::from_le_bytes([b; 8])
    }
    // With the high bits clear, adding 0x80 - n to a byte sets its high bit
    // exactly when it is n or more, and never carries into the next byte.
    let x = v & !HIGH;
    let at_least = |n: u8| x.wrapping_add(each(0x80 - n)) & HIGH;
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    let letter = at_least(b'a') & !at_least(b'z' + 1);
    !(v | digit | letter) & HIGH
}

/// Lowercase words: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The language's common words, made once: as a set of words, and as the
/// keys the short-word table gives those it counts.
struct Stop {
    words: rustc_hash::FxHashSet<&'static str>,
    keys: rustc_hash::FxHashSet<u64>,
}

fn stop_set(lang: &str) -> &'static Stop {
    use std::sync::LazyLock;
    fn make(lang: &str) -> Stop {
        let words = stopwords(lang);
        Stop {
            words: words.iter().copied().collect(),
            keys: words.iter().filter_map(|w| Short::key_of(w)).collect(),
        }
    }
    static NL: LazyLock<Stop> = LazyLock::new(|| make("nl"));
    static DE: LazyLock<Stop> = LazyLock::new(|| make("de"));
    static FR: LazyLock<Stop> = LazyLock::new(|| make("fr"));
    static EN: LazyLock<Stop> = LazyLock::new(|| make("en"));
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
    items.sort_by_cached_key(|(title, _)| title.to_lowercase());
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

    /// `keywords` as first written: split on characters, a map of copies.
    fn keywords_by_characters(text: &str, known: &str, lang: &str) -> String {
        let mut counts: std::collections::HashMap<String, (usize, usize)> = Default::default();
        let raw = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty());
        for (position, w) in raw.map(str::to_lowercase).enumerate() {
            counts.entry(w).or_insert((0, position)).0 += 1;
        }
        let known: Vec<String> = words(known).collect();
        let mut ranked: Vec<(String, (usize, usize))> = counts
            .into_iter()
            .filter(|(w, _)| {
                !(w.chars().nth(2).is_none()
                    || w.bytes().all(|c| c.is_ascii_digit())
                    || stopwords(lang).contains(&w.as_str())
                    || known.contains(w))
            })
            .collect();
        ranked.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
        ranked.truncate(WORDS);
        ranked.sort_by_key(|(_, (_, first))| *first);
        let kept: Vec<String> = ranked.into_iter().map(|(w, _)| w).collect();
        kept.join(" ")
    }

    #[test]
    fn the_short_word_table_keeps_every_count_as_it_grows() {
        let mut short = Short::new();
        // Word i: a prefix of one to three letters, then i's three digits
        // in base 26 as letters (4 to 6 bytes, each word its own).
        let word = |i: u32| {
            let mut w = String::from(&"wvu"[..1 + (i % 3) as usize]);
            for place in [676, 26, 1] {
                w.push((b'a' + (i / place % 26) as u8) as char);
            }
            w
        };
        let key = |w: &str| Short::key_of(w).expect("a short ASCII word");
        // Word i is seen i % 7 + 1 times, first at place i.
        for round in 0..7 {
            for i in 0..5000u32 {
                if round <= i % 7 {
                    short.count(key(&word(i)), i as usize, i);
                }
            }
        }
        let mut counts: Vec<(u32, u32, u32, u32)> = short
            .drain()
            .map(|(k, c)| {
                assert_eq!(Some(k), Short::key_of(&word(c.first)));
                (c.first, c.n, c.start, c.len)
            })
            .collect();
        counts.sort_unstable();
        assert_eq!(counts.len(), 5000);
        for (i, got) in counts.into_iter().enumerate() {
            let i = i as u32;
            assert_eq!(got, (i, i % 7 + 1, i, word(i).len() as u32));
        }
        // Drained, the table is empty and counts anew.
        assert!(short.slots.iter().all(|s| s.key == 0) && short.taken.is_empty());
        short.count(key("again"), 7, 3);
        short.count(key("again"), 9, 4);
        let again: Vec<(u32, u32, u32, u32)> = short
            .drain()
            .map(|(_, c)| (c.first, c.n, c.start, c.len))
            .collect();
        assert_eq!(again, [(3, 2, 7, 5)]);
    }

    #[test]
    fn gather_takes_each_bytes_high_bit() {
        for bits in 0..=255u64 {
            let x = (0..8)
                .filter(|i| bits & (1 << i) != 0)
                .map(|i| 0x80u64 << (8 * i))
                .sum();
            assert_eq!(gather(x), bits);
        }
    }

    #[test]
    fn words_are_found_across_the_blocks_they_are_scanned_in() {
        // Words of every length from every place around the 64-byte blocks
        // the text is scanned in, ending on or running past a block's end
        // (some over several blocks), ASCII and not.
        for shift in 0..70 {
            let mut text = " ".repeat(shift);
            for len in 1..150 {
                let letter = (b'a' + (len % 26) as u8) as char;
                text.push_str(&letter.to_string().repeat(len));
                text.push(if len % 3 == 0 { ',' } else { ' ' });
                if len % 7 == 0 {
                    text.push_str(&format!("é{}ü ", "x".repeat(len)));
                }
            }
            assert_eq!(
                keywords(&text, "", "en"),
                keywords_by_characters(&text, "", "en"),
                "shifted by {shift}"
            );
        }
    }

    #[test]
    fn keywords_of_a_text_with_thousands_of_distinct_words() {
        // Enough distinct short words to make the short-word table grow
        // several times, and long ones beside them, some repeated.
        let mut text = String::new();
        for i in 0..5000u32 {
            let letters: String = format!("{:x}", i * 7919)
                .chars()
                .map(|c| (b'g' + c.to_digit(16).unwrap_or(0) as u8) as char)
                .collect();
            text.push_str(&letters);
            text.push(' ');
            if i % 3 == 0 {
                text.push_str(&format!("{letters}extended{letters} "));
            }
            if i % 50 == 0 {
                text.push_str("repeated repeated longerrepeatedword ");
            }
        }
        assert_eq!(
            keywords(&text, "", "en"),
            keywords_by_characters(&text, "", "en")
        );
        let words = keywords(&text, "", "en");
        let words: Vec<&str> = words.split(' ').collect();
        assert_eq!(words.len(), WORDS);
        assert!(words.contains(&"repeated") && words.contains(&"longerrepeatedword"));
    }

    proptest::proptest! {
        #[test]
        fn keywords_are_those_of_a_plain_split(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-zA-Z0-9]{1,20}",
                    "[a-e]{3,5}",
                    "[ .,;:!?()<>\\[\\]{}\"'`~@#$%^&*_+=|/\\-]{1,3}",
                    "[éèÉçñßøÅΣσ’—–…²½中文🙂]{1,4}",
                    "\\PC{1,6}",
                    // Words left out: every language's common words, the
                    // known ones, numbers, in any case.
                    proptest::strategy::Strategy::prop_map(proptest::sample::select(
                        ["en", "nl", "de", "fr"]
                            .iter()
                            .flat_map(|l| stopwords(l).iter().copied())
                            .chain(["Known", "WORDS", "known", "2026", "007"])
                            .collect::<Vec<&str>>()
                    ), str::to_owned),
                ],
                0..200,
            ),
            lang in proptest::prop_oneof!["en", "nl", "de", "fr"],
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(
                keywords(&text, "Known words", &lang),
                keywords_by_characters(&text, "Known words", &lang)
            );
        }
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
