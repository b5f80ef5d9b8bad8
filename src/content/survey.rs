//! Feedback surveys: `content/surveys/ID.md` with `[[questions]]`.

use super::{content_enum, is_valid_id, one_or_many, Source};
use crate::date::{DateText, When};
use crate::diagnostic::Diagnostic;
use crate::markdown::Rendered;
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::collections::HashSet;

content_enum!(
    /// The kinds of question a survey can ask.
    QuestionType {
        Rating = "rating" / "Rating",
        Nps = "nps" / "Net promoter score",
        Single = "single" / "Single choice",
        Multiple = "multiple" / "Multiple choice",
        YesNo = "yesno" / "Yes or no",
        Text = "text" / "Short text",
        LongText = "longtext" / "Long text",
    }
);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyFront {
    pub title: String,
    pub id: Option<String>,
    pub summary: Option<String>,
    pub opens: Option<DateText>,
    pub closes: Option<DateText>,
    #[serde(default = "yes")]
    pub anonymous: bool,
    pub response_limit: Option<u64>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub services: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub audience: Vec<String>,
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default)]
    pub draft: bool,
    pub extra: Option<serde_json::Value>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    pub label: String,
    pub help: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub options: Vec<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    #[serde(default)]
    pub labels: Vec<String>,
}

impl serde::Serialize for QuestionType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Question {
    /// The answer scale of rating and NPS questions.
    pub fn range(&self) -> Option<(i64, i64)> {
        match self.kind {
            QuestionType::Rating => Some((self.min.unwrap_or(1), self.max.unwrap_or(5))),
            QuestionType::Nps => Some((0, 10)),
            _ => None,
        }
    }
}

/// Whether a survey takes answers at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyState {
    Upcoming,
    Open,
    Closed,
}

impl SurveyState {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyState::Upcoming => "upcoming",
            SurveyState::Open => "open",
            SurveyState::Closed => "closed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SurveyState::Upcoming => "Not open yet",
            SurveyState::Open => "Open",
            SurveyState::Closed => "Closed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Survey {
    pub source: Source,
    pub id: String,
    /// The option values stored for each choice question: the default
    /// language's options, so answers in every language add up.
    pub values: std::collections::HashMap<String, Vec<String>>,
    pub front: SurveyFront,
    pub opens: Option<When>,
    pub closes: Option<When>,
    /// Shared, so a rebuild that reuses it copies nothing.
    pub body: std::sync::Arc<Rendered>,
}

impl Survey {
    pub fn parse(
        source: Source,
        tz: &TimeZone,
        base: Option<&serde_json::Value>,
    ) -> Result<Survey, Vec<Diagnostic>> {
        let split = source.split().map_err(|d| vec![d])?;
        let front: SurveyFront = split.parse_over(&source.path, base).map_err(|d| vec![d])?;
        let mut errors = Vec::new();
        let path = &source.path;
        let id = front.id.clone().unwrap_or_else(|| source.stem().to_owned());
        if !is_valid_id(&id) {
            errors.push(
                split
                    .error_at(
                        path,
                        &["id"],
                        Some(&id),
                        format!("invalid survey id `{id}`"),
                    )
                    .help("ids use lowercase letters, digits, `-` and `_`"),
            );
        }
        let opens = front.opens.as_ref().map(|d| d.resolve(tz));
        let closes = front.closes.as_ref().map(|d| d.resolve(tz));
        if let (Some(o), Some(c)) = (opens, closes) {
            if c.ts <= o.ts {
                errors.push(split.error_at(
                    path,
                    &["closes"],
                    None,
                    "the survey closes before it opens",
                ));
            }
        }
        if front.response_limit == Some(0) {
            errors.push(split.error_at(
                path,
                &["response_limit"],
                None,
                "response_limit must be at least 1",
            ));
        }
        if front.questions.is_empty() {
            errors.push(
                split
                    .error_at(path, &["title"], None, "the survey has no questions")
                    .help("add `[[questions]]` entries with id, type and label"),
            );
        }
        let mut seen = HashSet::new();
        for (index, q) in front.questions.iter().enumerate() {
            let at = |key: &str, message: String| {
                let (line, col, width) = locate_question(&split, index, key);
                Diagnostic::new(path, message)
                    .at(&source.text, line, col)
                    .width(width)
            };
            if !is_valid_id(&q.id) {
                errors.push(
                    at("id", format!("invalid question id `{}`", q.id))
                        .help("ids use lowercase letters, digits, `-` and `_`"),
                );
            }
            if !seen.insert(q.id.as_str()) {
                errors.push(at("id", format!("question id `{}` is used twice", q.id)));
            }
            let choice = matches!(q.kind, QuestionType::Single | QuestionType::Multiple);
            if choice && q.options.len() < 2 {
                errors.push(at(
                    "type",
                    format!(
                        "question `{}` ({}) needs at least two `options`",
                        q.id,
                        q.kind.as_str()
                    ),
                ));
            }
            if !choice && !q.options.is_empty() {
                errors.push(at(
                    "options",
                    format!(
                        "`options` are for single and multiple questions, not `{}`",
                        q.kind.as_str()
                    ),
                ));
            }
            let mut unique = HashSet::new();
            for o in &q.options {
                if o.trim().is_empty() || !unique.insert(o.as_str()) {
                    errors.push(at(
                        "options",
                        format!("question `{}` has an empty or repeated option `{o}`", q.id),
                    ));
                }
            }
            match q.kind {
                QuestionType::Rating => {
                    let (min, max) = q.range().unwrap_or((1, 5));
                    if min >= max || max - min > 20 {
                        errors.push(at(
                            "max",
                            format!("rating `{}` needs min < max and at most 21 steps (has {min}..{max})", q.id),
                        ));
                    } else if !q.labels.is_empty()
                        && q.labels.len() != 2
                        && q.labels.len() as i64 != max - min + 1
                    {
                        errors.push(at(
                            "labels",
                            format!(
                                "rating `{}` needs 2 labels (low and high end) or one per step ({}), not {}",
                                q.id,
                                max - min + 1,
                                q.labels.len()
                            ),
                        ));
                    }
                }
                _ => {
                    if q.min.is_some() || q.max.is_some() {
                        errors.push(at(
                            "min",
                            format!(
                                "`min` and `max` are for rating questions, not `{}`",
                                q.kind.as_str()
                            ),
                        ));
                    }
                    if !q.labels.is_empty() && q.kind != QuestionType::Nps {
                        errors.push(at(
                            "labels",
                            format!(
                                "`labels` are for rating and nps questions, not `{}`",
                                q.kind.as_str()
                            ),
                        ));
                    }
                }
            }
        }
        if errors.is_empty() {
            let values = front
                .questions
                .iter()
                .map(|q| {
                    let from_base = base
                        .and_then(|b| b.get("questions")?.as_array())
                        .and_then(|qs| {
                            qs.iter()
                                .find(|b| b.get("id").and_then(|i| i.as_str()) == Some(&q.id))
                        })
                        .and_then(|b| b.get("options")?.as_array())
                        .map(|os| {
                            os.iter()
                                .filter_map(|o| o.as_str().map(str::to_owned))
                                .collect::<Vec<_>>()
                        })
                        .filter(|os| os.len() == q.options.len());
                    (q.id.clone(), from_base.unwrap_or_else(|| q.options.clone()))
                })
                .collect();
            Ok(Survey {
                id,
                values,
                opens,
                closes,
                front,
                source,
                body: Default::default(),
            })
        } else {
            Err(errors)
        }
    }

    pub fn state(&self, now: When) -> SurveyState {
        if self.opens.is_some_and(|o| now.ts < o.ts) {
            SurveyState::Upcoming
        } else if self.closes.is_some_and(|c| now.ts >= c.ts) {
            SurveyState::Closed
        } else {
            SurveyState::Open
        }
    }
}

/// Where `key` of the `index`th question is written: the question's block
/// is the `index`th `[[questions]]` table (TOML) or `- ` item under
/// `questions:` (YAML); without `key` there, the block's first line.
fn locate_question(
    split: &super::front_matter::Split,
    index: usize,
    key: &str,
) -> (usize, usize, usize) {
    let first_line = split.front_line();
    let lines: Vec<&str> = split.front.lines().collect();
    let mut starts = Vec::new();
    match split.format {
        super::front_matter::Format::Toml => {
            for (i, l) in lines.iter().enumerate() {
                if l.trim() == "[[questions]]" {
                    starts.push(i);
                }
            }
        }
        super::front_matter::Format::Yaml => {
            if let Some(q) = lines.iter().position(|l| l.trim_end() == "questions:") {
                let mut indent = None;
                for (i, l) in lines.iter().enumerate().skip(q + 1) {
                    let t = l.trim_start();
                    let this = l.len() - t.len();
                    if t.is_empty() {
                        continue;
                    }
                    if this == 0 && !t.starts_with("- ") {
                        break;
                    }
                    if t.starts_with("- ") && indent.is_none_or(|n| n == this) {
                        indent = Some(this);
                        starts.push(i);
                    }
                }
            }
        }
    }
    let Some(&start) = starts.get(index) else {
        return split.locate(&["questions"], None);
    };
    let end = starts.get(index + 1).copied().unwrap_or(lines.len());
    let found = (start..end).find(|&i| {
        let t = lines[i].trim_start().trim_start_matches("- ");
        t.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
    });
    let i = found.unwrap_or(start);
    let line = lines[i];
    let t = line.trim_start();
    let indent = line.len() - t.len()
        + if found.is_some() && t.starts_with("- ") {
            2
        } else {
            0
        };
    (
        first_line + i,
        indent + 1,
        line.trim().trim_start_matches("- ").chars().count(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Survey, Vec<Diagnostic>> {
        Survey::parse(
            Source::new("content/surveys/s.md", "surveys/s.md", text),
            &TimeZone::UTC,
            None,
        )
    }

    #[test]
    fn question_errors_name_their_line() {
        let errs = parse(
            "+++\ntitle = \"S\"\n\n[[questions]]\nid = \"a\"\ntype = \"single\"\nlabel = \"Pick\"\n\n[[questions]]\nid = \"a\"\ntype = \"rating\"\nlabel = \"Rate\"\nmin = 5\nmax = 1\n+++\n",
        )
        .unwrap_err();
        let found: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.message.as_str())).collect();
        assert_eq!(
            found,
            [
                (6, "question `a` (single) needs at least two `options`"),
                (10, "question id `a` is used twice"),
                (
                    14,
                    "rating `a` needs min < max and at most 21 steps (has 5..1)"
                ),
            ]
        );
    }

    #[test]
    fn yaml_question_errors_name_their_line() {
        let errs = parse(
            "---\ntitle: S\nquestions:\n  - id: a\n    type: yesno\n    label: Ok?\n  - id: b\n    type: text\n    label: Why?\n    options: [x, y]\n---\n",
        )
        .unwrap_err();
        assert_eq!((errs[0].line, errs[0].col), (10, 5));
        assert_eq!(
            errs[0].message,
            "`options` are for single and multiple questions, not `text`"
        );
    }

    #[test]
    fn state_follows_the_clock() {
        let s = parse("+++\ntitle = \"S\"\nopens = 2026-01-01\ncloses = 2026-02-01\n[[questions]]\nid = \"q\"\ntype = \"yesno\"\nlabel = \"Ok?\"\n+++\n").unwrap();
        let at = |d: &str| When {
            ts: format!("{d}T12:00:00Z").parse().unwrap(),
            has_time: true,
        };
        assert_eq!(s.state(at("2025-12-31")), SurveyState::Upcoming);
        assert_eq!(s.state(at("2026-01-15")), SurveyState::Open);
        assert_eq!(s.state(at("2026-02-01")), SurveyState::Closed);
        assert!(s.front.anonymous);
    }
}
