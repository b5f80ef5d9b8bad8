//! `portico results`: what the answers say. Reads the receiver's database
//! (never writes it) and summarises each survey question by its type, and
//! page feedback worst page first; writes an HTML report with inline SVG
//! charts in the portal's look, CSV files and one JSON file.

use super::manifest::{QuestionSchema, SurveySchema};
use super::store;
use crate::cli::{ReportFormat, ResultsArgs, Verbosity};
use crate::content::survey::QuestionType;
use crate::theme::escape_html;
use anyhow::{Context, Result};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Serialize)]
pub struct Report {
    pub surveys: Vec<SurveyReport>,
    pub feedback: Vec<PageReport>,
}

#[derive(Debug, Serialize)]
pub struct SurveyReport {
    pub id: String,
    pub title: String,
    pub responses: u64,
    /// Responses by language code.
    pub by_language: BTreeMap<String, u64>,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    pub questions: Vec<QuestionReport>,
    /// Every response, for the CSV export.
    #[serde(skip)]
    pub rows: Vec<Row>,
}

#[derive(Debug, Serialize)]
pub struct QuestionReport {
    pub id: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// How many responses answered it.
    pub answered: u64,
    pub summary: Summary,
    /// The same summary over each language's responses alone.
    pub by_language: BTreeMap<String, Summary>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Summary {
    /// Rating questions: how many chose each step, and the mean.
    Scale {
        mean: Option<f64>,
        distribution: Vec<(i64, u64)>,
    },
    /// NPS: promoters (9–10) minus detractors (0–6), in percent.
    Nps {
        score: Option<i64>,
        promoters: u64,
        passives: u64,
        detractors: u64,
        distribution: Vec<(i64, u64)>,
    },
    /// Single, multiple and yes/no questions: each option's count.
    Choice { counts: Vec<(String, u64)> },
    /// Free text: every answer.
    Text { answers: Vec<String> },
}

/// One response: its id, day, language and answers by question id.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: i64,
    pub day: String,
    pub lang: String,
    pub answers: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct PageReport {
    pub page: String,
    pub yes: u64,
    pub no: u64,
    /// Share of "yes" answers, 0–1.
    pub helpful: f64,
    pub comments: Vec<Comment>,
}

#[derive(Debug, Serialize)]
pub struct Comment {
    pub day: String,
    pub helpful: bool,
    pub lang: String,
    pub text: String,
}

/// Reads everything the database holds into a report.
pub fn load(conn: &Connection) -> Result<Report> {
    let mut schemas: Vec<SurveySchema> = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT schema FROM surveys ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for text in rows {
            let text = text?;
            match serde_json::from_str(&text) {
                Ok(s) => schemas.push(s),
                Err(e) => eprintln!("warning: a survey's stored schema does not read: {e}"),
            }
        }
    }
    // Surveys with answers but no schema (not expected) still get counted.
    let mut stmt = conn.prepare("SELECT DISTINCT survey FROM responses ORDER BY survey")?;
    let answered: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in answered {
        if !schemas.iter().any(|s| s.id == id) {
            schemas.push(SurveySchema {
                id: id.clone(),
                title: id,
                opens: None,
                closes: None,
                anonymous: true,
                response_limit: None,
                questions: Vec::new(),
                languages: BTreeMap::new(),
            });
        }
    }
    let mut surveys = Vec::new();
    for schema in schemas {
        surveys.push(survey_report(conn, schema)?);
    }
    Ok(Report {
        surveys,
        feedback: feedback_report(conn)?,
    })
}

fn survey_report(conn: &Connection, schema: SurveySchema) -> Result<SurveyReport> {
    let mut rows: Vec<Row> = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT r.id, r.day, r.lang, a.question, a.value
         FROM responses r LEFT JOIN answers a ON a.response = r.id
         WHERE r.survey = ?1 ORDER BY r.id, a.rowid",
    )?;
    let mut q = stmt.query([&schema.id])?;
    while let Some(r) = q.next()? {
        let id: i64 = r.get(0)?;
        if rows.last().map(|l| l.id) != Some(id) {
            rows.push(Row {
                id,
                day: r.get(1)?,
                lang: r.get(2)?,
                answers: BTreeMap::new(),
            });
        }
        let question: Option<String> = r.get(3)?;
        let value: Option<String> = r.get(4)?;
        if let (Some(question), Some(value), Some(row)) = (question, value, rows.last_mut()) {
            row.answers.entry(question).or_default().push(value);
        }
    }
    let mut by_language = BTreeMap::new();
    for r in &rows {
        *by_language.entry(r.lang.clone()).or_insert(0) += 1;
    }
    let questions = schema
        .questions
        .iter()
        .map(|q| {
            let all: Vec<&Row> = rows.iter().collect();
            let per_lang = by_language
                .keys()
                .map(|l| {
                    let subset: Vec<&Row> = rows.iter().filter(|r| &r.lang == l).collect();
                    (l.clone(), summarise(q, &subset))
                })
                .collect();
            QuestionReport {
                id: q.id.clone(),
                label: q.label.clone(),
                kind: q.kind.clone(),
                answered: all.iter().filter(|r| r.answers.contains_key(&q.id)).count() as u64,
                summary: summarise(q, &all),
                by_language: per_lang,
            }
        })
        .collect();
    Ok(SurveyReport {
        id: schema.id,
        title: schema.title,
        responses: rows.len() as u64,
        by_language,
        first_day: rows.iter().map(|r| r.day.clone()).min(),
        last_day: rows.iter().map(|r| r.day.clone()).max(),
        questions,
        rows,
    })
}

/// The summary of one question over some responses.
pub fn summarise(q: &QuestionSchema, rows: &[&Row]) -> Summary {
    let values = rows
        .iter()
        .filter_map(|r| r.answers.get(&q.id))
        .flatten()
        .map(String::as_str);
    match q.kind() {
        Some(QuestionType::Rating) | Some(QuestionType::Nps) => {
            let (min, max) = q.range().unwrap_or((1, 5));
            let mut counts: BTreeMap<i64, u64> = (min..=max).map(|v| (v, 0)).collect();
            let numbers: Vec<i64> = values.filter_map(|v| v.parse().ok()).collect();
            for n in &numbers {
                *counts.entry(*n).or_insert(0) += 1;
            }
            let distribution: Vec<(i64, u64)> = counts.into_iter().collect();
            if q.kind() == Some(QuestionType::Nps) {
                let promoters = numbers.iter().filter(|&&n| n >= 9).count() as u64;
                let detractors = numbers.iter().filter(|&&n| n <= 6).count() as u64;
                let total = numbers.len() as u64;
                Summary::Nps {
                    score: (total > 0).then(|| {
                        ((promoters as f64 - detractors as f64) * 100.0 / total as f64).round()
                            as i64
                    }),
                    promoters,
                    passives: total - promoters - detractors,
                    detractors,
                    distribution,
                }
            } else {
                let mean = (!numbers.is_empty()).then(|| {
                    let m = numbers.iter().sum::<i64>() as f64 / numbers.len() as f64;
                    (m * 100.0).round() / 100.0
                });
                Summary::Scale { mean, distribution }
            }
        }
        Some(QuestionType::Single | QuestionType::Multiple | QuestionType::YesNo) => {
            let options: Vec<String> = if q.kind() == Some(QuestionType::YesNo) {
                vec!["yes".into(), "no".into()]
            } else {
                q.options.clone()
            };
            let mut counts: Vec<(String, u64)> = options.into_iter().map(|o| (o, 0)).collect();
            for v in values {
                match counts.iter_mut().find(|(o, _)| o == v) {
                    Some((_, n)) => *n += 1,
                    // An option the survey has since dropped: still counted.
                    None => counts.push((v.to_owned(), 1)),
                }
            }
            Summary::Choice { counts }
        }
        _ => Summary::Text {
            answers: values.map(str::to_owned).collect(),
        },
    }
}

fn feedback_report(conn: &Connection) -> Result<Vec<PageReport>> {
    let mut pages: BTreeMap<String, PageReport> = BTreeMap::new();
    let mut stmt =
        conn.prepare("SELECT page, helpful, comment, lang, day FROM page_feedback ORDER BY id")?;
    let mut q = stmt.query([])?;
    while let Some(r) = q.next()? {
        let page: String = r.get(0)?;
        let helpful: bool = r.get(1)?;
        let comment: Option<String> = r.get(2)?;
        let entry = pages.entry(page.clone()).or_insert_with(|| PageReport {
            page,
            yes: 0,
            no: 0,
            helpful: 0.0,
            comments: Vec::new(),
        });
        if helpful {
            entry.yes += 1;
        } else {
            entry.no += 1;
        }
        if let Some(text) = comment {
            entry.comments.push(Comment {
                day: r.get(4)?,
                helpful,
                lang: r.get(3)?,
                text,
            });
        }
    }
    let mut list: Vec<PageReport> = pages
        .into_values()
        .map(|mut p| {
            p.helpful = p.yes as f64 / (p.yes + p.no) as f64;
            p
        })
        .collect();
    // Worst first: least helpful, then the most votes, then by page.
    list.sort_by(|a, b| {
        a.helpful
            .total_cmp(&b.helpful)
            .then((b.yes + b.no).cmp(&(a.yes + a.no)))
            .then(a.page.cmp(&b.page))
    });
    Ok(list)
}

/// `portico results`.
pub fn results(args: &ResultsArgs, v: Verbosity) -> Result<()> {
    let conn = store::open_read_only(&args.db).map_err(|e| {
        let hint = if args.db == Path::new("feedback.sqlite") {
            " (pass --db FILE; `portico serve` keeps the preview's answers in .portico/preview.sqlite)"
        } else {
            ""
        };
        crate::UsageError(format!("{e}{hint}"))
    })?;
    let report = load(&conn)?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("cannot create {}", args.output.display()))?;
    let mut written = Vec::new();
    let write = |name: &str, bytes: &[u8], written: &mut Vec<String>| -> Result<()> {
        let path = args.output.join(name);
        crate::output::write_file_atomic(&path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path.display().to_string());
        Ok(())
    };
    let mut formats = args.format.clone();
    formats.dedup();
    for format in formats {
        match format {
            ReportFormat::Html => write("index.html", html(&report).as_bytes(), &mut written)?,
            ReportFormat::Json => {
                let mut bytes = serde_json::to_vec_pretty(&report)?;
                bytes.push(b'\n');
                write("results.json", &bytes, &mut written)?;
            }
            ReportFormat::Csv => {
                for s in &report.surveys {
                    write(&format!("{}.csv", s.id), &survey_csv(s)?, &mut written)?;
                }
                write("page-feedback.csv", &feedback_csv(&conn)?, &mut written)?;
            }
        }
    }
    if v >= Verbosity::Normal {
        let responses: u64 = report.surveys.iter().map(|s| s.responses).sum();
        let votes: u64 = report.feedback.iter().map(|p| p.yes + p.no).sum();
        use crate::counted;
        eprintln!(
            "{} in {}, {}; wrote {}",
            counted(responses, "survey response", "survey responses"),
            counted(report.surveys.len() as u64, "survey", "surveys"),
            counted(votes, "page vote", "page votes"),
            written.join(", ")
        );
    }
    Ok(())
}

/// A cell a spreadsheet would take for a formula is kept as text.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// UTF-8 with a byte order mark, so spreadsheets read accents right.
fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec())
}

/// One row per response, one column per question (multiple choices
/// joined with "; ").
pub fn survey_csv(s: &SurveyReport) -> Result<Vec<u8>> {
    let mut w = csv_writer();
    let mut header = vec!["response".to_owned(), "day".into(), "language".into()];
    header.extend(s.questions.iter().map(|q| q.id.clone()));
    w.write_record(&header)?;
    for r in &s.rows {
        let mut record = vec![r.id.to_string(), r.day.clone(), r.lang.clone()];
        for q in &s.questions {
            let values = r
                .answers
                .get(&q.id)
                .map(|v| v.join("; "))
                .unwrap_or_default();
            record.push(cell(&values));
        }
        w.write_record(&record)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

fn feedback_csv(conn: &Connection) -> Result<Vec<u8>> {
    let mut w = csv_writer();
    w.write_record(["id", "day", "language", "page", "helpful", "comment"])?;
    let mut stmt = conn
        .prepare("SELECT id, day, lang, page, helpful, comment FROM page_feedback ORDER BY id")?;
    let mut q = stmt.query([])?;
    while let Some(r) = q.next()? {
        let helpful: bool = r.get(4)?;
        w.write_record([
            r.get::<_, i64>(0)?.to_string(),
            r.get(1)?,
            r.get(2)?,
            cell(&r.get::<_, String>(3)?),
            if helpful { "yes" } else { "no" }.to_owned(),
            cell(&r.get::<_, Option<String>>(5)?.unwrap_or_default()),
        ])?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0%".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

/// A horizontal bar chart: one bar per (label, count), as inline SVG.
fn bars(title: &str, items: &[(String, u64)], colour: impl Fn(usize) -> &'static str) -> String {
    let total: u64 = items.iter().map(|(_, n)| n).sum();
    let most = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let row = 28;
    let height = row * items.len().max(1) + 8;
    let description: Vec<String> = items
        .iter()
        .map(|(l, n)| format!("{l}: {n} ({})", percent(*n, total)))
        .collect();
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 640 {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        escape_html(&format!("{title}. {}", description.join("; "))),
        escape_html(title)
    );
    for (i, (label, n)) in items.iter().enumerate() {
        let y = i * row + 4;
        let width = (*n as f64 / most as f64 * 300.0).round();
        let shown: String = label.chars().take(38).collect();
        let shown = if shown.len() < label.len() {
            format!("{shown}…")
        } else {
            shown
        };
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{ty}\" font-size=\"13\" fill=\"currentColor\">{label}</text>\
<rect x=\"250\" y=\"{y}\" width=\"{width}\" height=\"20\" rx=\"3\" fill=\"{fill}\"></rect>\
<text x=\"{tx}\" y=\"{ty}\" font-size=\"13\" fill=\"currentColor\">{n} ({pct})</text>",
            ty = y + 15,
            label = escape_html(&shown),
            fill = colour(i),
            tx = 256.0 + width,
            pct = percent(*n, total),
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn summary_html(q: &QuestionReport) -> String {
    let title = &q.label;
    match &q.summary {
        Summary::Scale { mean, distribution } => {
            let items: Vec<(String, u64)> = distribution
                .iter()
                .map(|(v, n)| (v.to_string(), *n))
                .collect();
            let mean = mean.map_or("–".to_owned(), |m| format!("{m:.2}"));
            let mut by_lang = String::new();
            if q.by_language.len() > 1 {
                let parts: Vec<String> = q
                    .by_language
                    .iter()
                    .filter_map(|(l, s)| match s {
                        Summary::Scale { mean: Some(m), .. } => {
                            Some(format!("{}: {m:.2}", escape_html(l)))
                        }
                        _ => None,
                    })
                    .collect();
                by_lang = format!(
                    " <span class=\"by-lang\">(by language: {})</span>",
                    parts.join(", ")
                );
            }
            format!(
                "<p class=\"figure\">Mean <strong class=\"mean\">{mean}</strong>{by_lang}</p>{}",
                bars(title, &items, |_| "#2b6cb0")
            )
        }
        Summary::Nps {
            score,
            promoters,
            passives,
            detractors,
            distribution,
        } => {
            let total = promoters + passives + detractors;
            let items: Vec<(String, u64)> = distribution
                .iter()
                .map(|(v, n)| (v.to_string(), *n))
                .collect();
            let score = score.map_or("–".to_owned(), |s| format!("{s:+}"));
            format!(
                "<p class=\"figure\">NPS <strong class=\"nps\">{score}</strong>: \
{promoters} promoters ({}), {passives} passives ({}), {detractors} detractors ({})</p>{}",
                percent(*promoters, total),
                percent(*passives, total),
                percent(*detractors, total),
                bars(title, &items, |i| if i <= 6 {
                    "#c53030"
                } else if i <= 8 {
                    "#b7791f"
                } else {
                    "#2f855a"
                })
            )
        }
        Summary::Choice { counts } => bars(title, counts, |_| "#2b6cb0"),
        Summary::Text { answers } => {
            if answers.is_empty() {
                "<p class=\"muted\">No answers.</p>".into()
            } else {
                let items: String = answers
                    .iter()
                    .map(|a| format!("<li>{}</li>", escape_html(a)))
                    .collect();
                format!("<ul class=\"free-text\">{items}</ul>")
            }
        }
    }
}

const REPORT_CSS: &str = "
.report .chart{max-width:44rem;display:block;margin:.5rem 0 1.5rem}
.report .figure{margin:.25rem 0}
.report .free-text li{white-space:pre-wrap;margin:.35rem 0}
.report table{border-collapse:collapse;width:100%}
.report th,.report td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}
.report .muted{opacity:.75}
";

/// The HTML report: surveys, then page feedback, in the default theme's style.
pub fn html(report: &Report) -> String {
    let style = crate::theme::default_theme_files()
        .into_iter()
        .find(|(p, _)| p.ends_with("assets/style.css"))
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
        // The stylesheet is inline: nothing may close its element early.
        .replace("</", "<\\/");
    let mut body = String::new();
    body.push_str("<h1>Survey results and page feedback</h1>");
    if report.surveys.is_empty() {
        body.push_str("<p>No surveys yet.</p>");
    }
    if report.surveys.len() > 1 {
        body.push_str("<nav aria-label=\"Surveys\"><ul>");
        for s in &report.surveys {
            body.push_str(&format!(
                "<li><a href=\"#survey-{}\">{}</a> ({})</li>",
                escape_html(&s.id),
                escape_html(&s.title),
                crate::counted(s.responses, "response", "responses")
            ));
        }
        body.push_str("<li><a href=\"#page-feedback\">Page feedback</a></li></ul></nav>");
    }
    for s in &report.surveys {
        let langs: Vec<String> = s
            .by_language
            .iter()
            .map(|(l, n)| format!("{}: {n}", escape_html(l)))
            .collect();
        body.push_str(&format!(
            "<section class=\"survey-report\" id=\"survey-{id}\" aria-labelledby=\"h-{id}\"><h2 id=\"h-{id}\">{title}</h2>\
<p class=\"lead\"><strong class=\"responses\">{n}</strong> {noun}{langs}{days}</p>",
            id = escape_html(&s.id),
            title = escape_html(&s.title),
            n = s.responses,
            noun = crate::noun(s.responses, "response", "responses"),
            langs = if langs.is_empty() {
                String::new()
            } else {
                format!(" ({})", langs.join(", "))
            },
            days = match (&s.first_day, &s.last_day) {
                (Some(a), Some(b)) => format!(", {a} to {b}"),
                _ => String::new(),
            }
        ));
        if s.responses == 0 {
            body.push_str("<p>No responses yet.</p></section>");
            continue;
        }
        for q in &s.questions {
            body.push_str(&format!(
                "<section class=\"question-report\" id=\"{sid}-{qid}\"><h3>{label}</h3><p class=\"muted\">{kind}, answered by {answered} of {n}</p>{summary}</section>",
                sid = escape_html(&s.id),
                qid = escape_html(&q.id),
                label = escape_html(&q.label),
                kind = escape_html(&q.kind),
                answered = q.answered,
                n = s.responses,
                summary = summary_html(q)
            ));
        }
        body.push_str("</section>");
    }
    body.push_str("<section id=\"page-feedback\" aria-labelledby=\"h-feedback\"><h2 id=\"h-feedback\">Page feedback</h2>");
    if report.feedback.is_empty() {
        body.push_str("<p>No page feedback yet.</p>");
    } else {
        body.push_str("<p>Least helpful pages first.</p><table><thead><tr><th scope=\"col\">Page</th><th scope=\"col\">Helpful</th><th scope=\"col\">Yes</th><th scope=\"col\">No</th><th scope=\"col\">Comments</th></tr></thead><tbody>");
        for p in &report.feedback {
            let comments: String = p
                .comments
                .iter()
                .map(|c| {
                    format!(
                        "<li>{} <span class=\"muted\">({}, {})</span></li>",
                        escape_html(&c.text),
                        if c.helpful { "yes" } else { "no" },
                        escape_html(&c.day)
                    )
                })
                .collect();
            body.push_str(&format!(
                "<tr><td><a href=\"{page}\">{page}</a></td><td>{share}</td><td>{yes}</td><td>{no}</td><td>{comments}</td></tr>",
                page = escape_html(&p.page),
                share = percent(p.yes, p.yes + p.no),
                yes = p.yes,
                no = p.no,
                comments = if comments.is_empty() {
                    String::new()
                } else {
                    format!("<ul>{comments}</ul>")
                }
            ));
        }
        body.push_str("</tbody></table>");
    }
    body.push_str("</section>");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Survey results and page feedback</title><style>{style}{REPORT_CSS}</style></head>\
<body><main id=\"main\" class=\"wrap report\">{body}</main></body></html>\n"
    )
}
