//! Helpers for the integration tests: run the real `portico` binary on
//! fixture portals in temporary folders and read what it wrote.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo().join("tests").join("fixtures")
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the run failed with `code` and said `message` on stderr.
    pub fn assert_failed(&self, code: i32, message: &str) {
        assert_eq!(self.code, code, "{}", self.stderr);
        assert!(
            self.stderr.contains(message),
            "expected {message:?} in:\n{}",
            self.stderr
        );
    }
}

/// Runs `portico` with `args` in `cwd`.
pub fn portico(cwd: &Path, args: &[&str]) -> Run {
    portico_env(cwd, args, &[])
}

/// Runs `portico` with `args` in `cwd` and these environment variables
/// (the mail server's settings come only from the ones given here).
pub fn portico_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PORTICO_SMTP_") {
            command.env_remove(name);
        }
    }
    let out = command
        .envs(env.iter().copied())
        .output()
        .expect("run portico");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` by relative path, with its bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    out
}

/// A temporary project: the demo portal or a fixture, copied.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn from_fixture(name: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixtures().join(name), dir.path());
        Project { dir }
    }

    pub fn demo() -> Project {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&repo().join("content"), &dir.path().join("content"));
        std::fs::copy(repo().join("portico.toml"), dir.path().join("portico.toml")).unwrap();
        Project { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Run {
        portico(self.path(), args)
    }

    pub fn public(&self) -> PathBuf {
        self.path().join("public")
    }

    /// Builds into public/ and panics with the errors if that fails.
    pub fn build(&self, extra: &[&str]) -> Run {
        let mut args = vec!["build"];
        args.extend_from_slice(extra);
        let run = self.run(&args);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
        run
    }

    pub fn page(&self, rel: &str) -> scraper::Html {
        let path = self.public().join(rel);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        scraper::Html::parse_document(&text)
    }

    pub fn text(&self, rel: &str) -> String {
        std::fs::read_to_string(self.public().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
}

/// The text content of every element matching `selector`, whitespace folded.
pub fn texts(doc: &scraper::Html, selector: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The values of `attr` on every element matching `selector`.
pub fn attrs(doc: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_owned))
        .collect()
}

/// A running `portico serve`, stopped when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub url: String,
    pub addr: String,
    pub stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    /// Starts `portico serve --port 0` in `dir` and waits for its URL.
    pub fn start(dir: &Path, extra: &[&str]) -> Server {
        let mut args = vec!["serve", "--port", "0"];
        args.extend(extra);
        Server::spawn(dir, &args)
    }

    /// Starts `portico collect --port 0` in `dir` and waits for its URL.
    pub fn collect(dir: &Path, extra: &[&str]) -> Server {
        let mut args = vec!["collect", "--port", "0"];
        args.extend(extra);
        Server::spawn(dir, &args)
    }

    /// Runs `portico ARGS` in `dir`; it prints its URL on stdout's first line.
    pub fn spawn(dir: &Path, args: &[&str]) -> Server {
        Server::spawn_with(dir, args, |_| {})
    }

    /// `spawn`, with `configure` applied to the command first.
    pub fn spawn_with(dir: &Path, args: &[&str], configure: impl FnOnce(&mut Command)) -> Server {
        use std::io::{BufRead, BufReader, Read};
        let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
        configure(&mut command);
        let mut child = command
            .args(args)
            .current_dir(dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start portico serve");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the URL");
        let url = line.trim().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "no URL: {line:?}");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = stderr.clone();
        let mut err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        Server {
            child,
            url,
            addr,
            stderr,
        }
    }

    /// Sends one raw HTTP/1.1 request and reads the whole answer.
    pub fn request(&self, method: &str, path: &str) -> HttpResponse {
        http(&self.addr, method, path)
    }

    pub fn get(&self, path: &str) -> HttpResponse {
        self.request("GET", path)
    }

    /// Waits until what the server printed on stderr satisfies `ok`, for at
    /// most `secs`, and returns it: the pipe is read by a thread, so a line the
    /// server wrote before answering may arrive here a moment after the answer.
    pub fn wait_for_stderr(&self, secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let said = self.stderr.lock().unwrap().clone();
            if ok(&said) || std::time::Instant::now() >= deadline {
                return said;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Polls `path` until its body satisfies `ok`, for at most `secs`.
    pub fn wait_for(&self, path: &str, secs: u64, ok: impl Fn(&str) -> bool) -> HttpResponse {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let r = self.get(path);
            if ok(&r.body) {
                return r;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting on {path}; last body:\n{}\nserver said:\n{}",
                r.body,
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// An open `/__portico/events` stream, read as a page's script would.
pub struct EventStream {
    reader: std::io::BufReader<std::net::TcpStream>,
    /// The response's status line and headers.
    pub head: Vec<String>,
}

impl EventStream {
    /// The name of the next event (`hello`, `reload`, `css`).
    pub fn next_event(&mut self) -> String {
        use std::io::BufRead;
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).expect("an event");
            assert!(n > 0, "the event stream closed");
            if let Some(name) = line.strip_prefix("event: ") {
                return name.trim().to_owned();
            }
        }
    }
}

impl Server {
    /// Opens the live-reload event stream.
    pub fn events(&self) -> EventStream {
        use std::io::Write;
        let mut stream = std::net::TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        write!(stream, "GET /__portico/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        use std::io::BufRead;
        let mut reader = std::io::BufReader::new(stream);
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("the response head");
            if line.trim().is_empty() {
                break;
            }
            head.push(line.trim().to_owned());
        }
        EventStream { reader, head }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 client that sends the path exactly as given.
pub fn http(addr: &str, method: &str, path: &str) -> HttpResponse {
    send(addr, method, path, &[], None).expect("an HTTP answer")
}

/// POSTs `body` with `headers` (Content-Length is added).
pub fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    send(addr, "POST", path, headers, Some(body)).expect("an HTTP answer")
}

/// Sends one request; an error if the connection fails or closes early.
pub fn send(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> std::io::Result<HttpResponse> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    head.push_str("\r\n");
    let mut request = head.into_bytes();
    request.extend_from_slice(body.unwrap_or_default());
    stream.write_all(&request)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    if raw.is_empty() {
        return Err(std::io::Error::other(
            "the connection closed without an answer",
        ));
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    Ok(HttpResponse {
        status,
        headers,
        body: body.to_owned(),
    })
}

/// The element of a JSON array whose `id` is `id` (a survey or question in
/// `results.json`).
pub fn by_id(list: &serde_json::Value, id: &str) -> serde_json::Value {
    list.as_array()
        .expect("a JSON array")
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no `{id}` in {list}"))
        .clone()
}
