//! The words of the theme in each language (`themes/NAME/i18n/LANG.toml`,
//! overridable by the project's `i18n/LANG.toml`), and the formatting of
//! dates and money that goes with them.

use crate::date::When;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;

/// The language whose words fill any gap in another's.
pub const BASE: &str = "en";

/// One language's words.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Strings {
    texts: BTreeMap<String, String>,
    #[serde(skip)]
    months: Vec<String>,
}

impl Strings {
    /// Builds from TOML tables, later ones overriding earlier ones.
    pub fn from_tables(tables: &[toml::Table]) -> Strings {
        let mut s = Strings::default();
        for table in tables {
            for (key, value) in table {
                match value {
                    toml::Value::String(text) => {
                        s.texts.insert(key.clone(), text.clone());
                    }
                    toml::Value::Array(items) if key == "months" => {
                        s.months = items
                            .iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect();
                    }
                    _ => {}
                }
            }
        }
        s
    }

    /// The text for `key`, or the key itself when no language has it.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.texts.get(key).map_or(key, String::as_str)
    }

    /// The text for `key` with `{name}` placeholders filled.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.t(key), args)
    }

    /// "20 November 2026" in this language.
    pub fn date(&self, when: When, tz: &TimeZone) -> String {
        self.date_of(&when.zoned(tz))
    }

    /// `date` of a time already placed in the time zone. Numbers are
    /// written without the formatting machinery: dates fill every card,
    /// page and feed item.
    fn date_of(&self, z: &jiff::Zoned) -> String {
        let numbered;
        let month = match self.months.get(usize::from(z.month().unsigned_abs()) - 1) {
            Some(name) => name.as_str(),
            None => {
                numbered = z.month().to_string();
                numbered.as_str()
            }
        };
        let (mut day, mut year) = (itoa::Buffer::new(), itoa::Buffer::new());
        fill(
            self.t("date"),
            &[
                ("day", day.format(z.day())),
                ("month", month),
                ("year", year.format(z.year())),
            ],
        )
    }

    /// The date, with the time of day when the author gave one.
    pub fn date_time(&self, when: When, tz: &TimeZone) -> String {
        let z = when.zoned(tz);
        if !when.has_time {
            return self.date_of(&z);
        }
        fill(
            self.t("date_time"),
            &[
                ("date", &self.date_of(&z)),
                ("time", clock(&z).as_str()),
                ("zone", &zone(&z)),
            ],
        )
    }

    /// A window as a short phrase; the day is named once when start and end share it.
    pub fn range(&self, start: When, end: When, tz: &TimeZone) -> String {
        let (s, e) = (start.zoned(tz), end.zoned(tz));
        if start.has_time && end.has_time && s.date() == e.date() {
            fill(
                self.t("date_range_same_day"),
                &[
                    ("date", &self.date_of(&s)),
                    ("start", clock(&s).as_str()),
                    ("end", clock(&e).as_str()),
                    ("zone", &zone(&e)),
                ],
            )
        } else {
            format!(
                "{} – {}",
                self.date_time(start, tz),
                self.date_time(end, tz)
            )
        }
    }

    /// "€4.50" in English, "€ 4,50" in Dutch.
    pub fn money(&self, amount: f64, currency: &str) -> String {
        let digits = if amount != 0.0 && amount.abs() < 0.1 {
            3
        } else {
            2
        };
        let amount = format!("{amount:.digits$}").replace('.', self.t("decimal_separator"));
        let symbol = match currency {
            "EUR" => "€",
            "USD" => "$",
            "GBP" => "£",
            "CHF" => "CHF",
            other => other,
        };
        fill(
            self.t("currency"),
            &[("symbol", symbol), ("amount", &amount)],
        )
    }

    /// "€4.50 per user per month", or "Free".
    pub fn cost(&self, amount: f64, currency: &str, per: &str) -> String {
        if amount == 0.0 {
            return self.t("free").to_owned();
        }
        fill(
            self.t("cost"),
            &[("price", &self.money(amount, currency)), ("per", per)],
        )
    }
}

/// "14:30": the hour and minute (what `%H:%M` gives, without parsing a
/// format each time).
fn clock(z: &jiff::Zoned) -> Clock {
    let digit = |n: i8, d: i8| b'0' + (n / d % 10).unsigned_abs();
    let (h, m) = (z.hour(), z.minute());
    Clock([digit(h, 10), digit(h, 1), b':', digit(m, 10), digit(m, 1)])
}

/// "09:30": a time of day as `clock` writes it.
struct Clock([u8; 5]);

impl Clock {
    fn as_str(&self) -> &str {
        // ASCII digits and a colon.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The time zone's abbreviation at `z` ("CET", "CEST"), as `%Z` writes it.
fn zone(z: &jiff::Zoned) -> String {
    z.time_zone()
        .to_offset_info(z.timestamp())
        .abbreviation()
        .to_ascii_uppercase()
}

/// `template` with each `{name}` of `args` replaced by its value, in one
/// pass: a value is never searched for placeholders itself, and a brace
/// that opens no known name stays as written.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + args.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let known = after.find('}').and_then(|close| {
            let name = &after[..close];
            let (_, value) = args.iter().find(|(n, _)| *n == name)?;
            Some((*value, close))
        });
        match known {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every language's words, with the base language filling gaps.
#[derive(Debug, Clone, Default)]
pub struct Translations {
    by_lang: BTreeMap<String, Strings>,
}

impl Translations {
    /// `theme` and `project` map a language code to its TOML tables.
    pub fn new(
        theme: &BTreeMap<String, toml::Table>,
        project: &BTreeMap<String, toml::Table>,
    ) -> Translations {
        let mut langs: Vec<&String> = theme.keys().chain(project.keys()).collect();
        langs.sort();
        langs.dedup();
        let empty = toml::Table::new();
        let by_lang = langs
            .into_iter()
            .map(|lang| {
                let tables = [
                    theme.get(BASE).unwrap_or(&empty).clone(),
                    project.get(BASE).unwrap_or(&empty).clone(),
                    theme.get(lang).unwrap_or(&empty).clone(),
                    project.get(lang).unwrap_or(&empty).clone(),
                ];
                (lang.clone(), Strings::from_tables(&tables))
            })
            .collect();
        Translations { by_lang }
    }

    /// A language's words; the base language's for one without a file.
    pub fn get(&self, lang: &str) -> &Strings {
        static EMPTY: std::sync::OnceLock<Strings> = std::sync::OnceLock::new();
        self.by_lang
            .get(lang)
            .or_else(|| self.by_lang.get(BASE))
            .unwrap_or_else(|| EMPTY.get_or_init(Strings::default))
    }

    pub fn has(&self, lang: &str) -> bool {
        self.by_lang.contains_key(lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(lang: &str) -> Strings {
        let mut theme = BTreeMap::new();
        for (code, text) in [
            ("en", include_str!("../themes/default/i18n/en.toml")),
            ("nl", include_str!("../themes/default/i18n/nl.toml")),
            ("de", include_str!("../themes/default/i18n/de.toml")),
        ] {
            theme.insert(code.to_owned(), text.parse::<toml::Table>().unwrap());
        }
        Translations::new(&theme, &BTreeMap::new())
            .get(lang)
            .clone()
    }

    #[test]
    fn money_and_dates_follow_the_language() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        let when = When {
            ts: "2026-11-20T13:30:00Z".parse().unwrap(),
            has_time: true,
        };
        let (en, nl, de) = (strings("en"), strings("nl"), strings("de"));
        assert_eq!(en.money(4.5, "EUR"), "€4.50");
        assert_eq!(nl.money(4.5, "EUR"), "€ 4,50");
        assert_eq!(de.money(4.5, "EUR"), "4,50 €");
        assert_eq!(
            nl.cost(4.5, "EUR", "gebruiker per maand"),
            "€ 4,50 per gebruiker per maand"
        );
        assert_eq!(en.cost(0.0, "EUR", "user"), "Free");
        assert_eq!(en.money(0.045, "EUR"), "€0.045");
        assert_eq!(en.date_time(when, &tz), "20 November 2026, 14:30 CET");
        assert_eq!(nl.date(when, &tz), "20 november 2026");
        assert_eq!(de.date(when, &tz), "20. November 2026");
    }

    /// The clock and the zone's abbreviation, written by hand, are what
    /// `%H:%M` and `%Z` write, in zones east and west, with and without
    /// summer time, with odd offsets and with none named.
    #[test]
    fn clock_and_zone_write_what_strftime_writes() {
        let zones = [
            TimeZone::get("Europe/Amsterdam").unwrap(),
            TimeZone::get("America/New_York").unwrap(),
            TimeZone::get("Asia/Kolkata").unwrap(),
            TimeZone::get("Australia/Lord_Howe").unwrap(),
            TimeZone::get("America/Sao_Paulo").unwrap(),
            TimeZone::UTC,
            TimeZone::fixed(jiff::tz::offset(-3)),
        ];
        let start: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        for tz in &zones {
            // Every 7 hours and 13 minutes through a year: all hours, most
            // minutes, both sides of each change of offset.
            for step in 0..1_220 {
                let ts = start + jiff::SignedDuration::from_mins(433 * step);
                let z = ts.to_zoned(tz.clone());
                assert_eq!(clock(&z).as_str(), z.strftime("%H:%M").to_string(), "{z}");
                assert_eq!(zone(&z), z.strftime("%Z").to_string(), "{z}");
            }
        }
    }

    #[test]
    fn placeholders_are_filled_once_each_where_they_stand() {
        let args = [
            ("date", "20 May {year}"),
            ("author", "Ana"),
            ("year", "2026"),
        ];
        assert_eq!(
            fill("Published {date} by {author}, {author}", &args),
            "Published 20 May {year} by Ana, Ana"
        );
        assert_eq!(fill("{unknown} {author} {", &args), "{unknown} Ana {");
        assert_eq!(fill("{{author}}", &args), "{Ana}");
        assert_eq!(fill("no placeholders", &args), "no placeholders");
        assert_eq!(fill("{year}", &[]), "{year}");
    }

    #[test]
    fn a_missing_word_falls_back_to_english_then_to_the_key() {
        let fr_less = strings("fr");
        assert_eq!(fr_less.t("nav_services"), "Services");
        assert_eq!(strings("nl").t("no_such_key"), "no_such_key");
        assert_eq!(
            strings("nl").f("title_page_n", &[("title", "Berichten"), ("n", "2")]),
            "Berichten (pagina 2)"
        );
    }
}
