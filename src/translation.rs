//! Translations share what identifies a thing with their default-language
//! file (ids, dates, windows, costs, question ids and types). A translation
//! may leave those out (they are inherited) or repeat them, but not change
//! them: that is an error at the key in the translation.

use crate::diagnostic::Diagnostic;
use crate::site::ParsedItem;

/// One shared field: its key path in front matter and its value, compared.
type Field = (Vec<&'static str>, String);

fn shared(item: &ParsedItem) -> Vec<Field> {
    let v = |x: &dyn std::fmt::Debug| format!("{x:?}");
    match item {
        ParsedItem::Service(s) => {
            let f = &s.front;
            vec![
                (vec!["id"], s.id.clone()),
                (vec!["lifecycle"], v(&f.lifecycle)),
                (vec!["delivery"], v(&f.delivery)),
                (
                    vec!["cost", "amount"],
                    v(&f.cost.as_ref().map(|c| c.amount)),
                ),
                (
                    vec!["cost", "currency"],
                    v(&f.cost.as_ref().map(|c| &c.currency)),
                ),
                (vec!["replaces"], v(&f.replaces)),
                (vec!["replaced_by"], v(&f.replaced_by)),
                (vec!["weight"], v(&f.weight)),
            ]
        }
        ParsedItem::Announcement(a) => {
            let f = &a.front;
            vec![
                (vec!["date"], v(&a.date)),
                (vec!["updated"], v(&a.updated)),
                (vec!["kind"], v(&f.kind)),
                (vec!["services"], v(&f.services)),
                (vec!["audience"], v(&f.audience)),
                (vec!["pinned"], v(&f.pinned)),
                (vec!["expires"], v(&a.expires)),
                (vec!["window", "start"], v(&a.window.map(|w| w.start))),
                (vec!["window", "end"], v(&a.window.map(|w| w.end))),
                (vec!["window", "impact"], v(&a.window.map(|w| w.impact))),
                (vec!["status"], v(&f.status)),
                (
                    vec!["updates", "at"],
                    v(&a.updates.iter().map(|u| u.at).collect::<Vec<_>>()),
                ),
            ]
        }
        ParsedItem::Faq(f) => vec![
            (vec!["services"], v(&f.front.services)),
            (vec!["weight"], v(&f.front.weight)),
        ],
        ParsedItem::Survey(s) => {
            let f = &s.front;
            let mut fields = vec![
                (vec!["id"], s.id.clone()),
                (vec!["opens"], v(&s.opens)),
                (vec!["closes"], v(&s.closes)),
                (vec!["anonymous"], v(&f.anonymous)),
                (vec!["response_limit"], v(&f.response_limit)),
                (vec!["services"], v(&f.services)),
                (
                    vec!["questions", "id"],
                    v(&f.questions.iter().map(|q| &q.id).collect::<Vec<_>>()),
                ),
            ];
            for q in &f.questions {
                fields.push((vec!["questions", "type"], format!("{}: {:?}", q.id, q.kind)));
                fields.push((
                    vec!["questions", "required"],
                    format!("{}: {}", q.id, q.required),
                ));
                fields.push((
                    vec!["questions", "min"],
                    format!("{}: {:?}", q.id, q.range()),
                ));
                fields.push((
                    vec!["questions", "options"],
                    format!("{}: {} options", q.id, q.options.len()),
                ));
            }
            fields
        }
        ParsedItem::Page(p) => vec![(vec!["menu"], v(&p.front.menu))],
        ParsedItem::Home(_) => Vec::new(),
    }
}

/// Errors for every shared field `translation` changes from `default`.
pub fn disagreements(default: &ParsedItem, translation: &ParsedItem) -> Vec<Diagnostic> {
    let (d, t) = (shared(default), shared(translation));
    let source = translation.source();
    let Ok(split) = source.split() else {
        return Vec::new();
    };
    let default_path = default.source().path.display().to_string();
    let mut errors: Vec<Diagnostic> = Vec::new();
    // One error per question: a changed type also changes its range.
    let mut questions_reported: Vec<&str> = Vec::new();
    for ((path, ours), (_, theirs)) in t.iter().zip(&d).filter(|((_, a), (_, b))| a != b) {
        let key = path.join(".");
        if errors
            .iter()
            .any(|e| e.message.contains(&format!("`{key}`")))
        {
            continue;
        }
        if path.first() == Some(&"questions") {
            if let Some((question, _)) = ours.split_once(": ") {
                if questions_reported.contains(&question) {
                    continue;
                }
                questions_reported.push(question);
            }
        }
        errors.push(
            split
                .error_at(&source.path, path, None, format!("`{key}` differs from {default_path}"))
                .help(format!(
                    "a translation shares `{key}` with its default-language file ({}); leave it out or make it the same",
                    theirs.split(": ").last().unwrap_or(theirs)
                )),
        );
    }
    if t.len() != d.len() {
        errors.push(
            split
                .error_at(
                    &source.path,
                    &["questions"],
                    None,
                    format!("the questions differ from {default_path}"),
                )
                .help("a translation has the same questions (by id) as its default-language file"),
        );
    }
    errors
}
