//! A survey page shown again after a form post with invalid answers: the
//! errors listed above the form and next to their questions, and the
//! answers given filled back in. Works on the HTML the build wrote, through
//! the markers the survey template leaves (`<!--portico:form-errors-->`,
//! `<!--portico:error:ID-->`).

use super::answers::FieldError;
use super::manifest::{Manifest, SurveySchema};
use crate::content::survey::QuestionType;
use crate::theme::escape_html;

const SUMMARY: &str = "<!--portico:form-errors-->";

/// The page with errors and answers in it; `None` when the page has no
/// place for them (a theme without the markers).
pub fn with_errors(
    page: &str,
    m: &Manifest,
    survey: &SurveySchema,
    lang: &str,
    fields: &[(String, String)],
    errors: &[FieldError],
) -> Option<String> {
    if !page.contains(SUMMARY) {
        return None;
    }
    let words = m.messages(Some(lang))?;
    let labels = survey.languages.get(lang).map(|l| &l.labels);
    let mut out = page.to_owned();
    let mut items = String::new();
    for e in errors {
        let label = labels
            .and_then(|l| l.get(&e.field))
            .map(String::as_str)
            .unwrap_or(&e.field);
        let known = survey.questions.iter().any(|q| q.id == e.field);
        if known {
            items.push_str(&format!(
                "<li><a href=\"#question-{id}\">{label}</a>: {message}</li>",
                id = escape_html(&e.field),
                label = escape_html(label),
                message = escape_html(&e.message),
            ));
            let marker = format!("<!--portico:error:{}-->", e.field);
            let note = format!(
                "<p class=\"field-error\" id=\"q-{id}-error\">{message}</p>",
                id = escape_html(&e.field),
                message = escape_html(&e.message),
            );
            out = out.replacen(&marker, &note, 1);
        } else {
            items.push_str(&format!(
                "<li><code>{}</code>: {}</li>",
                escape_html(&e.field),
                escape_html(&e.message)
            ));
        }
    }
    let summary = format!(
        "<div class=\"form-errors\" id=\"form-errors\" role=\"alert\" tabindex=\"-1\"><h2>{}</h2><ul>{items}</ul></div>",
        escape_html(&words.errors_heading)
    );
    out = out.replacen(SUMMARY, &summary, 1);
    // The answers given, back in their fields.
    for q in &survey.questions {
        let given: Vec<&str> = fields
            .iter()
            .filter(|(k, _)| *k == q.id)
            .map(|(_, v)| v.as_str())
            .collect();
        if given.is_empty() {
            continue;
        }
        let name = format!("name=\"{}\"", escape_html(&q.id));
        match q.kind() {
            Some(QuestionType::Text) => {
                let empty = format!("{name} value=\"\"");
                let filled = format!("{name} value=\"{}\"", escape_html(given[0]));
                out = out.replacen(&empty, &filled, 1);
            }
            Some(QuestionType::LongText) => {
                if let Some(start) = out.find(&format!("<textarea id=\"q-{}\"", q.id)) {
                    if let Some(close) = out[start..].find("></textarea>") {
                        let at = start + close + 1;
                        out.insert_str(at, &escape_html(given[0]));
                    }
                }
            }
            Some(_) => {
                for v in &given {
                    let option = format!("{name} value=\"{}\"", escape_html(v));
                    out = out.replacen(&option, &format!("{option} checked"), 1);
                }
            }
            None => {}
        }
    }
    // Keep the form's submission id: nothing was stored under it yet.
    if let Some((_, id)) = fields.iter().find(|(k, _)| k == "_submission") {
        out = out.replacen(
            "value=\"\" data-submission-id",
            &format!("value=\"{}\" data-submission-id", escape_html(id)),
            1,
        );
    }
    Some(out)
}

/// A fresh submission id in every survey form of an HTML page, for
/// readers without JavaScript (a receiver that serves the site itself).
pub fn with_submission_ids(page: &[u8]) -> Option<Vec<u8>> {
    const EMPTY: &[u8] = b"value=\"\" data-submission-id";
    if !page.windows(EMPTY.len()).any(|w| w == EMPTY) {
        return None;
    }
    let text = std::str::from_utf8(page).ok()?;
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    let empty = "value=\"\" data-submission-id";
    while let Some(i) = rest.find(empty) {
        out.push_str(&rest[..i]);
        out.push_str(&format!("value=\"{}\" data-submission-id", new_id()));
        rest = &rest[i + empty.len()..];
    }
    out.push_str(rest);
    Some(out.into_bytes())
}

/// 128 random bits in hex.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No system randomness: the time is unique enough for one form.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes = t.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
