//! Dates as authors write them (ISO 8601: a day, a local time, or a time
//! with an offset) and their resolution in the portal's time zone.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// A date as written in front matter, checked for syntax while parsing so a
/// bad one is reported at its own line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateText(pub String);

/// A point in time plus whether the author gave a time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct When {
    pub ts: Timestamp,
    pub has_time: bool,
}

enum Parsed {
    Day(Date),
    Local(DateTime),
    Exact(Timestamp),
}

fn parse(text: &str) -> Result<Parsed, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "invalid date `{text}`: expected ISO 8601, e.g. `2026-11-20`, `2026-11-20T14:00` or `2026-11-20T14:00:00+01:00`"
        )
    };
    if text.len() == 10 {
        return text.parse::<Date>().map(Parsed::Day).map_err(|_| bad());
    }
    let has_offset = text.ends_with('Z')
        || text.ends_with('z')
        || text
            .get(10..)
            .is_some_and(|rest| rest.contains('+') || rest.contains('-'));
    if has_offset {
        text.parse::<Timestamp>()
            .map(Parsed::Exact)
            .map_err(|_| bad())
    } else {
        text.parse::<DateTime>()
            .map(Parsed::Local)
            .map_err(|_| bad())
    }
}

impl DateText {
    /// Resolves the date in `tz` (a day means its midnight there).
    pub fn resolve(&self, tz: &TimeZone) -> When {
        match parse(&self.0) {
            Ok(Parsed::Day(d)) => When {
                ts: tz
                    .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                    .unwrap_or(Timestamp::UNIX_EPOCH),
                has_time: false,
            },
            Ok(Parsed::Local(dt)) => When {
                ts: tz.to_timestamp(dt).unwrap_or(Timestamp::UNIX_EPOCH),
                has_time: true,
            },
            Ok(Parsed::Exact(ts)) => When { ts, has_time: true },
            // Syntax was checked when the text was deserialized.
            Err(_) => When {
                ts: Timestamp::UNIX_EPOCH,
                has_time: false,
            },
        }
    }

    /// `resolve`, for text that was not checked yet (a command-line option).
    pub fn resolve_checked(&self, tz: &TimeZone) -> Result<When, String> {
        parse(&self.0).map(|_| self.resolve(tz))
    }
}

impl std::str::FromStr for DateText {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        parse(s).map(|_| DateText(s.trim().to_owned()))
    }
}

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl<'de> Visitor<'de> for DateVisitor {
            type Value = DateText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an ISO 8601 date such as 2026-11-20")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateText, E> {
                v.parse().map_err(E::custom)
            }
            // TOML's native dates arrive as a one-entry map.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DateText, A::Error> {
                let Some((_, value)) = map.next_entry::<String, String>()? else {
                    return Err(de::Error::custom("expected a date"));
                };
                value.parse().map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(DateVisitor)
    }
}

impl When {
    pub fn zoned(&self, tz: &TimeZone) -> jiff::Zoned {
        self.ts.to_zoned(tz.clone())
    }

    /// "20 November 2026" or "20 November 2026, 14:00".
    pub fn human(&self, tz: &TimeZone) -> String {
        let z = self.zoned(tz);
        if self.has_time {
            z.strftime("%-d %B %Y, %H:%M %Z").to_string()
        } else {
            z.strftime("%-d %B %Y").to_string()
        }
    }

    /// Machine-readable form for `<time datetime>` and scripts.
    pub fn iso(&self, tz: &TimeZone) -> String {
        let z = self.zoned(tz);
        if self.has_time {
            z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
        } else {
            z.strftime("%Y-%m-%d").to_string()
        }
    }

    pub fn day(&self, tz: &TimeZone) -> String {
        self.zoned(tz).strftime("%Y-%m-%d").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        let day: DateText = "2026-11-20".parse().unwrap();
        assert_eq!(day.resolve(&tz).ts.to_string(), "2026-11-19T23:00:00Z");
        let local: DateText = "2026-11-20T14:00".parse().unwrap();
        assert_eq!(local.resolve(&tz).ts.to_string(), "2026-11-20T13:00:00Z");
        let exact: DateText = "2026-11-20T14:00:00+00:00".parse().unwrap();
        assert_eq!(exact.resolve(&tz).human(&tz), "20 November 2026, 15:00 CET");
        assert!("2026-13-01".parse::<DateText>().is_err());
        assert!("next tuesday".parse::<DateText>().is_err());
    }
}
