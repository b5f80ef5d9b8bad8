//! Survey answers and page feedback as they arrive: parse a form-encoded or
//! JSON body and check it against the survey as built. Pure: bytes in, a
//! `Response` or the fields that are wrong out.

use super::manifest::{Manifest, Messages, QuestionSchema, SurveySchema};
use crate::content::survey::QuestionType;
use serde::Serialize;

/// The longest answer to a `text` and a `longtext` question, and the
/// longest comment on a page, in characters (the forms say the same).
pub const TEXT_LIMIT: usize = 500;
pub const LONGTEXT_LIMIT: usize = 5000;
pub const COMMENT_LIMIT: usize = 2000;
const SUBMISSION_LIMIT: usize = 100;

/// How the body is encoded, from its Content-Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Form,
    Json,
}

impl Encoding {
    /// `None` for a content type the receiver does not take.
    pub fn from_content_type(value: &str) -> Option<Encoding> {
        let essence = value.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            Some(Encoding::Form)
        } else if essence.eq_ignore_ascii_case("application/json") {
            Some(Encoding::Json)
        } else {
            None
        }
    }
}

/// A body that is not what its Content-Type says (400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

/// One field that is wrong, named as the form names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The body as name/value pairs, in order; a JSON array gives one pair per
/// element, `true`/`false` give `yes`/`no`, numbers their decimal text.
pub fn fields(encoding: Encoding, body: &[u8]) -> Result<Vec<(String, String)>, Malformed> {
    match encoding {
        Encoding::Form => {
            let text = std::str::from_utf8(body)
                .map_err(|_| Malformed("the form body is not UTF-8".into()))?;
            if text.contains('\u{0}') {
                return Err(Malformed("the form body contains a NUL byte".into()));
            }
            Ok(form_urlencoded::parse(text.trim().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect())
        }
        Encoding::Json => {
            let value: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| Malformed(format!("the JSON body does not parse: {e}")))?;
            let serde_json::Value::Object(map) = value else {
                return Err(Malformed(
                    "the JSON body must be an object of question ids and answers".into(),
                ));
            };
            let mut out = Vec::new();
            for (k, v) in map {
                let mut push = |v: &serde_json::Value| -> Result<(), Malformed> {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Number(n) => n.to_string(),
                        serde_json::Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
                        serde_json::Value::Null => return Ok(()),
                        _ => {
                            return Err(Malformed(format!(
                                "`{k}`: an answer is a string, a number, true/false or a list of strings"
                            )))
                        }
                    };
                    out.push((k.clone(), text));
                    Ok(())
                };
                match &v {
                    serde_json::Value::Array(items) => {
                        for item in items {
                            if item.is_array() || item.is_object() {
                                return Err(Malformed(format!(
                                    "`{k}`: a list of answers holds strings or numbers"
                                )));
                            }
                            push(item)?;
                        }
                    }
                    other => push(other)?,
                }
            }
            Ok(out)
        }
    }
}

/// A checked survey response, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub survey: String,
    /// The form's one-time id, when it sent one.
    pub submission: Option<String>,
    pub lang: String,
    /// (question id, value) in the survey's question order; a multiple
    /// choice question gives one pair per chosen option.
    pub answers: Vec<(String, String)>,
}

/// Checks `fields` against `survey`: every field a question of it (or
/// `_submission`, `_lang`), every answer of the right type and range,
/// every required question answered. Errors are in the language the form
/// was in.
pub fn validate(
    manifest: &Manifest,
    survey: &SurveySchema,
    fields: &[(String, String)],
) -> Result<Response, Vec<FieldError>> {
    let lang = fields
        .iter()
        .find(|(k, _)| k == "_lang")
        .map(|(_, v)| v.as_str())
        .filter(|l| survey.languages.contains_key(*l))
        .unwrap_or(&manifest.default_language)
        .to_owned();
    let fallback = fallback_messages();
    let words = manifest.messages(Some(&lang)).unwrap_or(&fallback);
    let mut errors = Vec::new();
    let mut submission = None;
    for (name, value) in fields {
        match name.as_str() {
            "_lang" => {}
            "_submission" => {
                let v = value.trim();
                if v.is_empty() {
                } else if v.len() > SUBMISSION_LIMIT
                    || !v
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    errors.push(FieldError {
                        field: "_submission".into(),
                        message: format!(
                            "a submission id is up to {SUBMISSION_LIMIT} letters, digits, `-` and `_`"
                        ),
                    });
                } else {
                    submission = Some(v.to_owned());
                }
            }
            other if !survey.questions.iter().any(|q| q.id == other) => {
                errors.push(FieldError {
                    field: other.chars().take(100).collect(),
                    message: format!("survey `{}` has no question with this id", survey.id),
                });
            }
            _ => {}
        }
    }
    let mut answers = Vec::new();
    for q in &survey.questions {
        let given: Vec<&str> = fields
            .iter()
            .filter(|(k, _)| *k == q.id)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        match check(q, &given, words) {
            Ok(values) => answers.extend(values.into_iter().map(|v| (q.id.clone(), v))),
            Err(message) => errors.push(FieldError {
                field: q.id.clone(),
                message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(Response {
            survey: survey.id.clone(),
            submission,
            lang,
            answers,
        })
    } else {
        Err(errors)
    }
}

/// The values to store for one question, or what is wrong with them.
fn check(q: &QuestionSchema, given: &[&str], words: &Messages) -> Result<Vec<String>, String> {
    if given.is_empty() {
        return if q.required {
            Err(words.error_required.clone())
        } else {
            Ok(Vec::new())
        };
    }
    let kind = q.kind().ok_or_else(|| "unknown question type".to_owned())?;
    if kind != QuestionType::Multiple && given.len() > 1 {
        return Err(words.error_one_answer.clone());
    }
    let one = given[0];
    match kind {
        QuestionType::Rating | QuestionType::Nps => {
            let (min, max) = q.range().unwrap_or((1, 5));
            let range = || {
                words
                    .error_range
                    .replace("{min}", &min.to_string())
                    .replace("{max}", &max.to_string())
            };
            let n: i64 = one.parse().map_err(|_| {
                words
                    .error_number
                    .replace("{min}", &min.to_string())
                    .replace("{max}", &max.to_string())
            })?;
            if n < min || n > max {
                return Err(range());
            }
            Ok(vec![n.to_string()])
        }
        QuestionType::Single => {
            if q.options.iter().any(|o| o == one) {
                Ok(vec![one.to_owned()])
            } else {
                Err(words.error_option.clone())
            }
        }
        QuestionType::Multiple => {
            let mut chosen = Vec::new();
            for v in given {
                if !q.options.iter().any(|o| o == v) {
                    return Err(words.error_option.clone());
                }
                if !chosen.iter().any(|c: &String| c == v) {
                    chosen.push((*v).to_owned());
                }
            }
            // Stored in the survey's order, whatever order they came in.
            chosen.sort_by_key(|c| q.options.iter().position(|o| o == c));
            Ok(chosen)
        }
        QuestionType::YesNo => match one.to_ascii_lowercase().as_str() {
            "yes" | "true" => Ok(vec!["yes".into()]),
            "no" | "false" => Ok(vec!["no".into()]),
            _ => Err(words.error_yes_no.clone()),
        },
        QuestionType::Text | QuestionType::LongText => {
            let limit = if kind == QuestionType::Text {
                TEXT_LIMIT
            } else {
                LONGTEXT_LIMIT
            };
            if one.chars().count() > limit {
                Err(words.error_too_long.replace("{limit}", &limit.to_string()))
            } else {
                Ok(vec![one.to_owned()])
            }
        }
    }
}

/// "Was this helpful?" about one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFeedback {
    pub page: String,
    pub helpful: bool,
    pub comment: Option<String>,
    pub lang: String,
}

/// Checks page feedback: `page` one the site asks about, `helpful` yes or
/// no, an optional `comment` and `lang`, nothing else.
pub fn validate_feedback(
    manifest: &Manifest,
    fields: &[(String, String)],
) -> Result<PageFeedback, Vec<FieldError>> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
    };
    let lang = get("lang")
        .filter(|l| manifest.messages.contains_key(*l))
        .unwrap_or(&manifest.default_language)
        .to_owned();
    let fallback = fallback_messages();
    let words = manifest.messages(Some(&lang)).unwrap_or(&fallback);
    let mut errors = Vec::new();
    let mut error = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            message,
        })
    };
    for (k, _) in fields {
        if !matches!(k.as_str(), "page" | "helpful" | "comment" | "lang") {
            error(
                &k.chars().take(100).collect::<String>(),
                "page feedback has the fields page, helpful, comment and lang".into(),
            );
        }
    }
    for name in ["page", "helpful", "comment", "lang"] {
        if fields.iter().filter(|(k, _)| k == name).count() > 1 {
            error(name, words.error_one_answer.clone());
        }
    }
    let page = get("page").unwrap_or("");
    if page.is_empty() {
        error("page", words.error_required.clone());
    } else if !manifest.pages.contains(page) {
        error("page", "this page does not ask for feedback".into());
    }
    let helpful = match get("helpful").map(str::to_ascii_lowercase).as_deref() {
        Some("yes" | "true") => Some(true),
        Some("no" | "false") => Some(false),
        Some("") | None => {
            error("helpful", words.error_required.clone());
            None
        }
        Some(_) => {
            error("helpful", words.error_yes_no.clone());
            None
        }
    };
    let comment = get("comment").filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > COMMENT_LIMIT) {
        error(
            "comment",
            words
                .error_too_long
                .replace("{limit}", &COMMENT_LIMIT.to_string()),
        );
    }
    match helpful {
        Some(helpful) if errors.is_empty() => Ok(PageFeedback {
            page: page.to_owned(),
            helpful,
            comment: comment.map(str::to_owned),
            lang,
        }),
        _ => Err(errors),
    }
}

/// English words for a manifest without any (never from a real build).
fn fallback_messages() -> Messages {
    Messages {
        errors_heading: "Some answers need another look".into(),
        error_required: "This question needs an answer.".into(),
        error_option: "Choose one of the options given.".into(),
        error_range: "Choose a number from {min} to {max}.".into(),
        error_number: "Give a whole number from {min} to {max}.".into(),
        error_one_answer: "Give one answer only.".into(),
        error_too_long: "Keep this under {limit} characters.".into(),
        error_yes_no: "Answer yes or no.".into(),
        feedback_thanks: "Thank you for your feedback.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::manifest::{Settings, SurveyPages};
    use std::collections::BTreeMap;

    fn q(id: &str, kind: &str, required: bool, options: &[&str]) -> QuestionSchema {
        QuestionSchema {
            id: id.into(),
            kind: kind.into(),
            label: id.into(),
            required,
            options: options.iter().map(|s| s.to_string()).collect(),
            min: None,
            max: None,
        }
    }

    fn manifest() -> Manifest {
        let mut languages = BTreeMap::new();
        for l in ["en", "nl"] {
            languages.insert(
                l.to_owned(),
                SurveyPages {
                    form: "/surveys/s/".into(),
                    thanks: "/surveys/s/thanks/".into(),
                    title: "S".into(),
                    labels: BTreeMap::new(),
                },
            );
        }
        let mut messages = BTreeMap::new();
        messages.insert("en".to_owned(), fallback_messages());
        let mut nl = fallback_messages();
        nl.error_required = "Deze vraag heeft een antwoord nodig.".into();
        messages.insert("nl".to_owned(), nl);
        Manifest {
            version: 1,
            fixed_now: None,
            settings: Settings {
                allowed_origins: vec![],
                rate_limit: 0,
                max_body: 1000,
            },
            base_path: "/".into(),
            default_language: "en".into(),
            surveys: vec![SurveySchema {
                id: "s".into(),
                title: "S".into(),
                opens: None,
                closes: None,
                anonymous: true,
                response_limit: None,
                questions: vec![
                    q("rate", "rating", true, &[]),
                    q("nps", "nps", false, &[]),
                    q("one", "single", false, &["A", "B"]),
                    q("many", "multiple", false, &["X", "Y", "Z"]),
                    q("yn", "yesno", false, &[]),
                    q("short", "text", false, &[]),
                ],
                languages,
            }],
            pages: ["/".to_owned(), "/faq/vpn/#token".to_owned()].into(),
            messages,
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_form_and_the_same_json_give_the_same_response() {
        let m = manifest();
        let s = &m.surveys[0];
        let form = fields(
            Encoding::Form,
            b"rate=4&many=Z&many=X&yn=yes&short=caf%C3%A9+au+lait&_submission=abc-1&_lang=nl",
        )
        .unwrap();
        let json = fields(
            Encoding::Json,
            br#"{"rate": 4, "many": ["Z", "X"], "yn": true, "short": "caf\u00e9 au lait", "_submission": "abc-1", "_lang": "nl"}"#,
        )
        .unwrap();
        let a = validate(&m, s, &form).unwrap();
        let b = validate(&m, s, &json).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.lang, "nl");
        assert_eq!(a.submission.as_deref(), Some("abc-1"));
        assert_eq!(
            a.answers,
            pairs(&[
                ("rate", "4"),
                ("many", "X"),
                ("many", "Z"),
                ("yn", "yes"),
                ("short", "café au lait")
            ])
        );
    }

    #[test]
    fn every_wrong_field_is_named_in_the_forms_language() {
        let m = manifest();
        let errors = validate(
            &m,
            &m.surveys[0],
            &pairs(&[
                ("_lang", "nl"),
                ("nps", "11"),
                ("one", "C"),
                ("one", "A"),
                ("many", "W"),
                ("yn", "maybe"),
                ("short", &"x".repeat(TEXT_LIMIT + 1)),
                ("colour", "red"),
            ]),
        )
        .unwrap_err();
        let named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            named,
            ["colour", "rate", "nps", "one", "many", "yn", "short"]
        );
        assert_eq!(errors[1].message, "Deze vraag heeft een antwoord nodig.");
        assert_eq!(errors[2].message, "Choose a number from 0 to 10.");
    }

    #[test]
    fn malformed_bodies_are_told_apart_from_wrong_answers() {
        assert!(fields(Encoding::Json, b"[1,2]").is_err());
        assert!(fields(Encoding::Json, b"{\"rate\": {\"x\": 1}}").is_err());
        assert!(fields(Encoding::Json, b"{").is_err());
        assert!(fields(Encoding::Form, &[0xff, 0xfe]).is_err());
        assert_eq!(
            Encoding::from_content_type("application/json; charset=utf-8"),
            Some(Encoding::Json)
        );
        assert_eq!(Encoding::from_content_type("text/plain"), None);
    }

    #[test]
    fn page_feedback_names_a_page_the_site_has() {
        let m = manifest();
        let ok = validate_feedback(
            &m,
            &pairs(&[
                ("page", "/faq/vpn/#token"),
                ("helpful", "no"),
                ("comment", " Too short "),
            ]),
        )
        .unwrap();
        assert!(!ok.helpful);
        assert_eq!(ok.comment.as_deref(), Some("Too short"));
        let bad = validate_feedback(&m, &pairs(&[("page", "/nowhere/"), ("helpful", "perhaps")]))
            .unwrap_err();
        let named: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["page", "helpful"]);
    }
}
