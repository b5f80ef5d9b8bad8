//! Where answers are kept: one SQLite file in WAL mode. One writer thread
//! owns the connection and commits whatever arrived meanwhile in one
//! transaction (a group commit), then answers each caller: nothing is
//! acknowledged before it is on disk, and writers never meet "database is
//! locked".

use super::answers::{PageFeedback, Response};
use super::manifest::SurveySchema;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// The schema, one step per version; `PRAGMA user_version` says how many
/// have been applied. Append, never edit.
const MIGRATIONS: &[&str] = &[
    // 1: surveys as built, responses with their answers, page feedback.
    "CREATE TABLE surveys (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        schema TEXT NOT NULL,
        updated TEXT NOT NULL
     );
     CREATE TABLE responses (
        id INTEGER PRIMARY KEY,
        survey TEXT NOT NULL,
        submission TEXT,
        lang TEXT NOT NULL,
        day TEXT NOT NULL,
        received_at TEXT,
        client TEXT,
        user_agent TEXT,
        UNIQUE (survey, submission)
     );
     CREATE TABLE answers (
        response INTEGER NOT NULL REFERENCES responses (id),
        question TEXT NOT NULL,
        value TEXT NOT NULL
     );
     CREATE INDEX answers_by_response ON answers (response);
     CREATE TABLE page_feedback (
        id INTEGER PRIMARY KEY,
        page TEXT NOT NULL,
        helpful INTEGER NOT NULL,
        comment TEXT,
        lang TEXT NOT NULL,
        day TEXT NOT NULL
     );",
];

/// The schema version this Portico writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Who sent an answer and when. For anonymous surveys and page feedback
/// only `day` is kept.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// RFC 3339, for surveys that are not anonymous.
    pub at: Option<String>,
    pub client: Option<String>,
    pub user_agent: Option<String>,
}

/// What became of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Committed, with its row id.
    New(i64),
    /// Its submission id was stored before: nothing new written.
    Again(i64),
    /// The survey has its `response_limit` of responses.
    Full,
}

enum Job {
    Response(Response, Received, Option<u64>, Reply<Stored>),
    Feedback(PageFeedback, String, Reply<i64>),
    Surveys(Vec<SurveySchema>, String, Reply<()>),
}

type Reply<T> = mpsc::Sender<Result<T, String>>;

/// A handle on the writer; cheap to clone, one per request thread.
#[derive(Clone)]
pub struct Store {
    jobs: mpsc::SyncSender<Job>,
    path: PathBuf,
}

/// Opens (creating if needed) and migrates the database at `path`.
pub fn open_connection(path: &Path) -> Result<Connection, String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let conn =
        Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let setup = || -> rusqlite::Result<()> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    };
    setup().map_err(|e| format!("cannot use {} as a database: {e}", path.display()))?;
    migrate(&conn).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(conn)
}

/// Opens an existing database to read; never creates one.
pub fn open_read_only(path: &Path) -> Result<Connection, String> {
    if !path.is_file() {
        return Err(format!("{}: no such database", path.display()));
    }
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let _ = conn.busy_timeout(std::time::Duration::from_secs(10));
    let version = conn
        .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .map_err(|e| format!("{}: not a Portico database: {e}", path.display()))?
        .max(0) as usize;
    if version == 0 {
        return Err(format!(
            "{}: not a Portico feedback database (it has no schema version)",
            path.display()
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(newer(path, version));
    }
    Ok(conn)
}

fn newer(path: &Path, version: usize) -> String {
    format!(
        "{}: the database has schema version {version}, made by a newer Portico (this one knows up to {SCHEMA_VERSION})",
        path.display()
    )
}

fn migrate(conn: &Connection) -> Result<(), String> {
    let version = conn
        .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .map_err(|e| e.to_string())?
        .max(0) as usize;
    if version > SCHEMA_VERSION {
        return Err(format!(
            "the database has schema version {version}, made by a newer Portico (this one knows up to {SCHEMA_VERSION})"
        ));
    }
    if version == 0 {
        // A database Portico did not make is left alone.
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| format!("not a database: {e}"))?;
        if tables > 0 {
            return Err("this database has tables but no Portico schema version: not a Portico feedback database".into());
        }
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let step = || -> rusqlite::Result<()> {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            conn.execute_batch(sql)?;
            conn.pragma_update(None, "user_version", (i + 1) as i64)?;
            conn.execute_batch("COMMIT")
        };
        if let Err(e) = step() {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(format!("migration to schema version {} failed: {e}", i + 1));
        }
    }
    Ok(())
}

impl Store {
    /// Opens the database and starts its writer.
    pub fn open(path: &Path) -> Result<Store, String> {
        let conn = open_connection(path)?;
        let counts = response_counts(&conn).map_err(|e| e.to_string())?;
        // Bounded, so a flood waits for the disk instead of filling memory.
        let (jobs, queue) = mpsc::sync_channel(4096);
        std::thread::Builder::new()
            .name("portico-store".into())
            .spawn(move || writer(conn, queue, counts))
            .map_err(|e| format!("cannot start the database writer: {e}"))?;
        Ok(Store {
            jobs,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Job) -> Result<T, String> {
        let (tx, rx) = mpsc::channel();
        self.jobs
            .send(make(tx))
            .map_err(|_| "the database writer has stopped".to_owned())?;
        rx.recv()
            .map_err(|_| "the database writer has stopped".to_owned())?
    }

    /// Stores a response once it is committed; `limit` is the survey's
    /// `response_limit`.
    pub fn add_response(
        &self,
        response: Response,
        received: Received,
        limit: Option<u64>,
    ) -> Result<Stored, String> {
        self.ask(|r| Job::Response(response, received, limit, r))
    }

    pub fn add_feedback(&self, feedback: PageFeedback, day: String) -> Result<i64, String> {
        self.ask(|r| Job::Feedback(feedback, day, r))
    }

    /// Records the surveys as built, for reports.
    pub fn record_surveys(&self, surveys: Vec<SurveySchema>, day: String) -> Result<(), String> {
        self.ask(|r| Job::Surveys(surveys, day, r))
    }
}

fn response_counts(conn: &Connection) -> rusqlite::Result<HashMap<String, u64>> {
    let mut stmt = conn.prepare("SELECT survey, count(*) FROM responses GROUP BY survey")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
    })?;
    rows.collect()
}

/// The most jobs one transaction takes.
const BATCH: usize = 1024;

fn writer(mut conn: Connection, queue: mpsc::Receiver<Job>, mut counts: HashMap<String, u64>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut pending = counts.clone();
        let outcome = (|| -> rusqlite::Result<Vec<Result<Outcome, String>>> {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut results = Vec::with_capacity(batch.len());
            for job in &batch {
                results.push(run(&tx, job, &mut pending)?);
            }
            tx.commit()?;
            Ok(results)
        })();
        match outcome {
            Ok(results) => {
                counts = pending;
                for (job, result) in batch.into_iter().zip(results) {
                    answer(job, result);
                }
            }
            Err(e) => {
                let message = format!("the answer could not be saved: {e}");
                for job in batch {
                    answer(job, Err(message.clone()));
                }
            }
        }
    }
}

enum Outcome {
    Stored(Stored),
    Id(i64),
    Done,
}

fn answer(job: Job, result: Result<Outcome, String>) {
    match job {
        Job::Response(.., reply) => {
            let _ = reply.send(result.and_then(|o| match o {
                Outcome::Stored(s) => Ok(s),
                _ => Err("internal: wrong outcome".into()),
            }));
        }
        Job::Feedback(.., reply) => {
            let _ = reply.send(result.and_then(|o| match o {
                Outcome::Id(id) => Ok(id),
                _ => Err("internal: wrong outcome".into()),
            }));
        }
        Job::Surveys(.., reply) => {
            let _ = reply.send(result.map(|_| ()));
        }
    }
}

/// One job inside the batch's transaction. A rejected job (full survey)
/// is an `Ok` outcome; only a database failure fails the batch.
fn run(
    tx: &rusqlite::Transaction,
    job: &Job,
    counts: &mut HashMap<String, u64>,
) -> rusqlite::Result<Result<Outcome, String>> {
    match job {
        Job::Response(r, received, limit, _) => {
            if let Some(sub) = &r.submission {
                let earlier: Option<i64> = tx
                    .prepare_cached(
                        "SELECT id FROM responses WHERE survey = ?1 AND submission = ?2",
                    )?
                    .query_row(params![r.survey, sub], |row| row.get(0))
                    .optional()?;
                if let Some(id) = earlier {
                    return Ok(Ok(Outcome::Stored(Stored::Again(id))));
                }
            }
            let count = counts.entry(r.survey.clone()).or_insert(0);
            if limit.is_some_and(|l| *count >= l) {
                return Ok(Ok(Outcome::Stored(Stored::Full)));
            }
            tx.prepare_cached(
                "INSERT INTO responses (survey, submission, lang, day, received_at, client, user_agent)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                r.survey,
                r.submission,
                r.lang,
                received.day,
                received.at,
                received.client,
                received.user_agent
            ])?;
            let id = tx.last_insert_rowid();
            let mut insert = tx.prepare_cached(
                "INSERT INTO answers (response, question, value) VALUES (?1, ?2, ?3)",
            )?;
            for (q, v) in &r.answers {
                insert.execute(params![id, q, v])?;
            }
            *count += 1;
            Ok(Ok(Outcome::Stored(Stored::New(id))))
        }
        Job::Feedback(f, day, _) => {
            tx.prepare_cached(
                "INSERT INTO page_feedback (page, helpful, comment, lang, day) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![f.page, f.helpful, f.comment, f.lang, day])?;
            Ok(Ok(Outcome::Id(tx.last_insert_rowid())))
        }
        Job::Surveys(surveys, day, _) => {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO surveys (id, title, schema, updated) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET title = excluded.title, schema = excluded.schema, updated = excluded.updated",
            )?;
            for s in surveys {
                let schema = serde_json::to_string(s).unwrap_or_default();
                upsert.execute(params![s.id, s.title, schema, day])?;
            }
            Ok(Ok(Outcome::Done))
        }
    }
}
