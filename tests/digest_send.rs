//! `portico digest --send` against a real SMTP server (Python's aiosmtpd,
//! started by each test on 127.0.0.1): STARTTLS and TLS with a CA made for
//! the test, signing in, batches on their own connections, a recipient the
//! server refuses, a wrong password, a dry run, and settings that belong in
//! the environment rather than in portico.toml.

mod common;

use common::{portico_env, Project};
use mail_parser::MessageParser;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A CA and a certificate for `localhost` signed by it, as PEM files.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
        let dir = tempfile::tempdir().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "Northwind test CA");
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &ca)
            .unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        std::fs::write(dir.path().join("cert.pem"), leaf.pem()).unwrap();
        std::fs::write(dir.path().join("key.pem"), leaf_key.serialize_pem()).unwrap();
        Pki { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

/// One message the server accepted.
struct Received {
    rcpt: Vec<String>,
    mail_from: String,
    connection: u64,
    tls: bool,
    user: Option<String>,
    eml: Vec<u8>,
}

/// The SMTP server; stops when dropped (its stdin closes) or after five
/// minutes whatever happens.
struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Sink {
    /// Starts the server with `args`; `None` when aiosmtpd or Python is
    /// missing outside CI (in CI that fails the test).
    fn start(args: &[&str]) -> Option<Sink> {
        let dir = tempfile::tempdir().unwrap();
        let script = common::repo().join("tests/py/smtp_sink.py");
        let spawned = Command::new("python3")
            .arg(&script)
            .arg("--dir")
            .arg(dir.path().join("got"))
            .args(["--lifetime", "300"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "python3 is required in CI: {e}"
                );
                eprintln!("skipped: no python3 ({e})");
                return None;
            }
        };
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if line.trim().is_empty() {
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            assert_eq!(
                out.status.code(),
                Some(3),
                "the SMTP server did not start: {err}"
            );
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install aiosmtpd: {err}"
            );
            eprintln!("skipped: {err}");
            return None;
        }
        let port = line.trim().parse().unwrap();
        Some(Sink { child, port, dir })
    }

    /// Starts the server with the test CA's certificate for `localhost`.
    fn start_tls(pki: &Pki, args: &[&str]) -> Option<Sink> {
        let (cert, key) = (pki.path("cert.pem"), pki.path("key.pem"));
        let mut all = vec!["--cert", cert.as_str(), "--key", key.as_str()];
        all.extend_from_slice(args);
        Sink::start(&all)
    }

    fn port(&self) -> String {
        self.port.to_string()
    }

    /// What the server accepted, in the order it came.
    fn received(&self) -> Vec<Received> {
        let got = self.dir.path().join("got");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&got)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        names.retain(|p| p.extension().is_some_and(|e| e == "json"));
        names.sort();
        names
            .iter()
            .map(|json| {
                let meta: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
                Received {
                    rcpt: meta["rcpt_tos"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r.as_str().unwrap().to_owned())
                        .collect(),
                    mail_from: meta["mail_from"].as_str().unwrap().to_owned(),
                    connection: meta["connection"].as_u64().unwrap(),
                    tls: meta["tls"].as_bool().unwrap(),
                    user: meta["user"].as_str().map(str::to_owned),
                    eml: std::fs::read(json.with_extension("eml")).unwrap(),
                }
            })
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const RECIPIENTS: &str = "\
# Everyone above the first group gets what is for all.
ann@northwind.example
Bob Jansen <bob@northwind.example>

[engineering]
Carl <carl@northwind.example>
dora@northwind.example
ann@northwind.example

[finance]
eve@northwind.example
";

const ENGINEERING_ONLY: &str = "Private Cloud platform upgrade, zone Venlo";
const FINANCE_ONLY: &str = "Finance and Customs folders move to Cloud Storage";
const FOR_ALL: &str = "Phishing exercise in December";

fn send(p: &Project, env: &[(&str, &str)], extra: &[&str]) -> common::Run {
    let mut args = vec![
        "digest",
        "--days",
        "60",
        "--base-url",
        "https://it.northwind.example/",
        "--send",
    ];
    args.extend_from_slice(extra);
    portico_env(p.path(), &args, env)
}

fn html_part(eml: &[u8]) -> String {
    let message = MessageParser::default().parse(eml).expect("a MIME message");
    assert!(message.body_text(0).is_some_and(|t| t.contains(FOR_ALL)));
    message.body_html(0).expect("an HTML part").into_owned()
}

#[test]
fn each_recipient_gets_their_audiences_digest_over_starttls_in_batches() {
    let pki = Pki::new();
    let Some(sink) = Sink::start_tls(
        &pki,
        &[
            "--auth",
            "it-digest:s3cret pass",
            "--reject",
            "eve@northwind.example",
        ],
    ) else {
        return;
    };
    let p = Project::demo();
    p.write("recipients.txt", RECIPIENTS);
    let port = sink.port();
    let ca = pki.path("ca.pem");
    let env = [
        ("PORTICO_SMTP_HOST", "localhost"),
        ("PORTICO_SMTP_PORT", port.as_str()),
        ("PORTICO_SMTP_USER", "it-digest"),
        ("PORTICO_SMTP_PASSWORD", "s3cret pass"),
        ("PORTICO_SMTP_CA_FILE", ca.as_str()),
    ];
    let run = send(
        &p,
        &env,
        &["--recipients", "recipients.txt", "--batch-size", "2"],
    );

    // One refused recipient: reported, the others sent, exit code 1.
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("not sent to eve@northwind.example: permanent error (550)")
            && run.stderr.contains("no such mailbox here"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 of 5 messages were not sent"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"));
    let retry = std::fs::read_to_string(p.path().join("digest/failed-recipients.txt")).unwrap();
    assert!(
        retry.contains("[finance]\neve@northwind.example\n"),
        "{retry}"
    );
    assert!(!retry.contains("carl"), "{retry}");

    let got = sink.received();
    let to: Vec<&str> = got.iter().map(|r| r.rcpt[0].as_str()).collect();
    // Grouped by what they get: all only; engineering; finance.
    assert_eq!(
        to,
        [
            "bob@northwind.example",
            "ann@northwind.example",
            "carl@northwind.example",
            "dora@northwind.example"
        ]
    );
    for r in &got {
        assert_eq!(r.rcpt.len(), 1, "one message per recipient");
        assert_eq!(r.mail_from, "it@northwind.example");
        assert!(r.tls, "sent over STARTTLS");
        assert_eq!(r.user.as_deref(), Some("it-digest"));
    }
    // Batches of two, each on its own connection: bob+ann, carl+dora, eve.
    assert_eq!(got[0].connection, got[1].connection);
    assert_eq!(got[2].connection, got[3].connection);
    assert_ne!(got[1].connection, got[2].connection);

    // Each message is the recipient's own, with the audience's content.
    for r in &got {
        let message = MessageParser::default().parse(&r.eml).unwrap();
        let to = message.to().and_then(|t| t.first()).unwrap();
        assert_eq!(to.address(), Some(r.rcpt[0].as_str()));
        assert!(message.message_id().is_some());
        assert_eq!(
            message.subject(),
            Some("What's new from Northwind IT – 20 November 2026")
        );
    }
    assert_eq!(
        MessageParser::default()
            .parse(&got[2].eml)
            .unwrap()
            .to()
            .and_then(|t| t.first())
            .and_then(|a| a.name()),
        Some("Carl")
    );
    let bob = html_part(&got[0].eml);
    assert!(!bob.contains(ENGINEERING_ONLY) && !bob.contains(FINANCE_ONLY));
    for r in &got[1..] {
        let html = html_part(&r.eml);
        assert!(html.contains(ENGINEERING_ONLY) && !html.contains(FINANCE_ONLY));
        assert!(html.contains("for engineering"));
        assert!(html.contains("https://it.northwind.example/subscribe/"));
    }

    // The failed address, tried again from the file the run left, is sent
    // the finance digest once the server takes it.
    drop(sink);
    let Some(sink) = Sink::start_tls(&pki, &[]) else {
        return;
    };
    let port = sink.port();
    let env = [
        ("PORTICO_SMTP_HOST", "localhost"),
        ("PORTICO_SMTP_PORT", port.as_str()),
        ("PORTICO_SMTP_CA_FILE", ca.as_str()),
    ];
    let run = send(&p, &env, &["--recipients", "digest/failed-recipients.txt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt, ["eve@northwind.example"]);
    let html = html_part(&got[0].eml);
    assert!(html.contains(FINANCE_ONLY) && !html.contains(ENGINEERING_ONLY));
}

#[test]
fn tls_from_the_first_byte_and_the_recipients_in_portico_toml() {
    let pki = Pki::new();
    let Some(sink) = Sink::start_tls(&pki, &["--implicit-tls"]) else {
        return;
    };
    let p = Project::demo();
    let port = sink.port();
    let ca = pki.path("ca.pem");
    let env = [
        ("PORTICO_SMTP_HOST", "localhost"),
        ("PORTICO_SMTP_PORT", port.as_str()),
        ("PORTICO_SMTP_TLS", "tls"),
        ("PORTICO_SMTP_CA_FILE", ca.as_str()),
    ];
    let run = send(&p, &env, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("over TLS"), "{}", run.stderr);
    let got = sink.received();
    let mut to: Vec<&str> = got.iter().map(|r| r.rcpt[0].as_str()).collect();
    to.sort_unstable();
    assert_eq!(
        to,
        [
            "engineering@northwind.example",
            "finance@northwind.example",
            "staff@northwind.example"
        ]
    );
    assert!(got.iter().all(|r| r.tls && r.user.is_none()));

    // --audience sends only that group's digest; --to only to that address.
    let run = send(&p, &env, &["--audience", "finance"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = send(&p, &env, &["--to", "Me <me@northwind.example>"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = sink.received();
    assert_eq!(got.len(), 5);
    assert_eq!(got[3].rcpt, ["finance@northwind.example"]);
    assert_eq!(got[4].rcpt, ["me@northwind.example"]);
    // A test run to one address holds everything, for every audience.
    let html = html_part(&got[4].eml);
    assert!(html.contains(FINANCE_ONLY) && html.contains(ENGINEERING_ONLY));
}

#[test]
fn a_server_that_refuses_to_sign_in_or_is_not_trusted_gets_nothing() {
    let pki = Pki::new();
    let Some(sink) = Sink::start_tls(&pki, &["--auth", "it-digest:right"]) else {
        return;
    };
    let p = Project::demo();
    let port = sink.port();
    let ca = pki.path("ca.pem");
    let mut env = vec![
        ("PORTICO_SMTP_HOST", "localhost"),
        ("PORTICO_SMTP_PORT", port.as_str()),
        ("PORTICO_SMTP_USER", "it-digest"),
        ("PORTICO_SMTP_PASSWORD", "wrong-password"),
        ("PORTICO_SMTP_CA_FILE", ca.as_str()),
    ];
    let run = send(&p, &env, &[]);
    run.assert_failed(1, "permanent error (535)");
    assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
    assert!(run
        .stderr
        .contains("check PORTICO_SMTP_USER and PORTICO_SMTP_PASSWORD"));
    assert!(!run.stderr.contains("wrong-password"));

    // Without the CA the server's certificate is not trusted.
    env.retain(|(k, _)| *k != "PORTICO_SMTP_CA_FILE");
    let run = send(&p, &env, &[]);
    run.assert_failed(1, "UnknownIssuer");
    assert!(
        run.stderr.contains("set PORTICO_SMTP_CA_FILE"),
        "{}",
        run.stderr
    );

    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port().to_string();
    drop(closed);
    let env = [
        ("PORTICO_SMTP_HOST", "127.0.0.1"),
        ("PORTICO_SMTP_PORT", closed_port.as_str()),
    ];
    let run = send(&p, &env, &[]);
    run.assert_failed(1, "Connection refused");
    assert!(run.stderr.contains("nothing was sent"));
    assert!(sink.received().is_empty());
}

#[test]
fn a_dry_run_says_what_would_be_sent_and_sends_nothing() {
    let Some(sink) = Sink::start(&[]) else {
        return;
    };
    let p = Project::demo();
    p.write("recipients.txt", RECIPIENTS);
    let port = sink.port();
    let env = [
        ("PORTICO_SMTP_HOST", "127.0.0.1"),
        ("PORTICO_SMTP_PORT", port.as_str()),
        ("PORTICO_SMTP_TLS", "none"),
        ("PORTICO_SMTP_USER", "it-digest"),
        ("PORTICO_SMTP_PASSWORD", "hidden"),
    ];
    let run = send(
        &p,
        &env,
        &[
            "--dry-run",
            "--recipients",
            "recipients.txt",
            "--batch-size",
            "2",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.starts_with("Dry run: nothing is sent.\n"), "{out}");
    assert!(
        out.contains(&format!(
            "Server: 127.0.0.1:{port} unencrypted, signed in as it-digest\n"
        )),
        "{out}"
    );
    assert!(out.contains("From: Northwind IT <it@northwind.example>\n"));
    assert!(out.contains("Digest for engineering since "), "{out}");
    assert!(out.contains("3 recipients:\n"), "{out}");
    assert!(
        out.contains("  batch 1: Bob Jansen <bob@northwind.example>\n"),
        "{out}"
    );
    assert!(out.contains("  batch 3: eve@northwind.example\n"), "{out}");
    assert!(
        out.contains("Would send 5 messages in 3 batches of up to 2.\n"),
        "{out}"
    );
    assert!(!out.contains("hidden") && !run.stderr.contains("hidden"));
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(sink.received().is_empty());
}

#[test]
fn mistakes_in_settings_and_recipients_are_named_and_nothing_is_sent() {
    let p = Project::demo();
    let env = [
        ("PORTICO_SMTP_HOST", "127.0.0.1"),
        ("PORTICO_SMTP_PORT", "9"),
    ];

    // No server named.
    let run = send(&p, &[], &["--dry-run"]);
    run.assert_failed(2, "PORTICO_SMTP_HOST is not set");

    // A bad recipients file: every bad line, by number.
    p.write(
        "recipients.txt",
        "ann@northwind.example\nnot an address\n[engineering\nbob@northwind.example, carl@northwind.example\n",
    );
    let run = send(&p, &env, &["--recipients", "recipients.txt"]);
    run.assert_failed(
        1,
        "recipients.txt:2:1: error: not an email address: `not an address`",
    );
    assert!(run
        .stderr
        .contains("recipients.txt:3:1: error: a group line must end with `]`"));
    assert!(run
        .stderr
        .contains("recipients.txt:4:1: error: one address a line, not a list"));
    assert!(!run.stderr.contains("cannot send"), "{}", run.stderr);

    // A missing recipients file.
    let run = send(&p, &env, &["--recipients", "nobody.txt"]);
    run.assert_failed(1, "cannot read the recipients file");

    // A group that no content is for is warned about.
    p.write("recipients.txt", "[enginering]\nann@northwind.example\n");
    let run = send(&p, &env, &["--recipients", "recipients.txt", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stderr
        .contains("no content is for the recipients' group `enginering`"));

    // An audience nobody is in.
    let run = send(&p, &env, &["--dry-run", "--audience", "sales"]);
    run.assert_failed(2, "none of the 3 recipients is in the group `sales`");

    // Bad settings name their variable.
    let run = send(
        &p,
        &[("PORTICO_SMTP_HOST", "mail"), ("PORTICO_SMTP_TLS", "ssl")],
        &["--dry-run"],
    );
    run.assert_failed(2, "PORTICO_SMTP_TLS is `ssl`");
    let run = send(
        &p,
        &[("PORTICO_SMTP_HOST", "mail"), ("PORTICO_SMTP_USER", "it")],
        &["--dry-run"],
    );
    run.assert_failed(2, "PORTICO_SMTP_PASSWORD is not");
    let run = send(
        &p,
        &[
            ("PORTICO_SMTP_HOST", "mail.northwind.example"),
            ("PORTICO_SMTP_TLS", "none"),
            ("PORTICO_SMTP_USER", "it"),
            ("PORTICO_SMTP_PASSWORD", "pw"),
        ],
        &["--dry-run"],
    );
    run.assert_failed(
        2,
        "would send the password to mail.northwind.example unencrypted",
    );

    let run = send(&p, &env, &["--dry-run", "--batch-pause", "-1"]);
    run.assert_failed(
        2,
        "the pause between batches must be 0 or more seconds, not -1",
    );

    // A bad address in [digest.recipients] is shown at its place.
    let toml = std::fs::read_to_string(p.path().join("portico.toml")).unwrap();
    let line = toml
        .lines()
        .position(|l| l.starts_with("finance = ["))
        .unwrap()
        + 1;
    p.write(
        "portico.toml",
        &toml.replace(
            "finance = [\"Finance <finance@northwind.example>\"]",
            "finance = [\"Finance <finance@northwind.example>\", \"not-an-address\"]",
        ),
    );
    let run = send(&p, &env, &["--dry-run"]);
    run.assert_failed(
        1,
        &format!("portico.toml:{line}:51: error: [digest.recipients] finance: not an email address: `not-an-address`"),
    );
    p.write("portico.toml", &toml);

    // --dry-run, --to and --recipients only go with --send.
    let run = portico_env(p.path(), &["digest", "--dry-run"], &[]);
    run.assert_failed(2, "--send");

    // Mail server settings in portico.toml are refused, without echoing them.
    let toml = std::fs::read_to_string(p.path().join("portico.toml")).unwrap();
    let toml = toml.replace(
        "[digest]\n",
        "[digest]\nhost = \"smtp.northwind.example\"\npassword = \"in-the-repo\"\n",
    );
    p.write("portico.toml", &toml);
    let run = send(&p, &env, &["--dry-run"]);
    run.assert_failed(1, "are read from environment variables");
    assert!(run.stderr.contains("portico.toml:"), "{}", run.stderr);
    assert!(!run.stderr.contains("in-the-repo"), "{}", run.stderr);
}

#[test]
fn recipients_file_in_portico_toml_is_read_relative_to_the_portal() {
    let p = Project::demo();
    p.write(
        "lists/digest.txt",
        "[finance]\nFin <fin@northwind.example>\n",
    );
    let toml = std::fs::read_to_string(p.path().join("portico.toml")).unwrap();
    let toml = toml.replace(
        "[digest]\n",
        "[digest]\nrecipients_file = \"lists/digest.txt\"\nbatch_size = 1\n",
    );
    p.write("portico.toml", &toml);
    let env = [
        ("PORTICO_SMTP_HOST", "127.0.0.1"),
        ("PORTICO_SMTP_PORT", "9"),
    ];
    let run = send(&p, &env, &["--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The file's addresses join those of [digest.recipients].
    assert!(
        run.stdout
            .contains("  batch 4: Fin <fin@northwind.example>\n"),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("Would send 4 messages in 4 batches of up to 1."));

    p.write(
        "portico.toml",
        &toml.replace("batch_size = 1", "batch_size = 0"),
    );
    let run = send(&p, &env, &["--dry-run"]);
    run.assert_failed(2, "`[digest] batch_size` must be at least 1");
    p.write("portico.toml", &toml);
    p.write("lists/digest.txt", "# nobody yet\n[finance]\n");
    let run = send(&p, &env, &["--dry-run", "--recipients", "lists/digest.txt"]);
    run.assert_failed(2, "lists/digest.txt lists no addresses");
    let run = send(&p, &env, &["--dry-run", "--to", "me at northwind"]);
    run.assert_failed(2, "--to `me at northwind` is not an email address");
}

#[test]
fn a_dropped_connection_is_opened_again_and_a_vanished_server_is_reported() {
    let p = Project::demo();
    p.write(
        "recipients.txt",
        "a@northwind.example\nb@northwind.example\nc@northwind.example\nd@northwind.example\n",
    );
    let send_to = |sink: &Sink| {
        let port = sink.port();
        let env = [
            ("PORTICO_SMTP_HOST", "127.0.0.1"),
            ("PORTICO_SMTP_PORT", port.as_str()),
            ("PORTICO_SMTP_TLS", "none"),
        ];
        send(&p, &env, &["--recipients", "recipients.txt"])
    };

    // The server cuts the connection when b is named: b is sent on a new one.
    let Some(sink) = Sink::start(&["--hangup-once", "b@northwind.example"]) else {
        return;
    };
    let run = send_to(&sink);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = sink.received();
    let to: Vec<&str> = got.iter().map(|r| r.rcpt[0].as_str()).collect();
    assert_eq!(
        to,
        [
            "a@northwind.example",
            "b@northwind.example",
            "c@northwind.example",
            "d@northwind.example"
        ]
    );
    assert_ne!(got[0].connection, got[1].connection);
    assert_eq!(got[1].connection, got[3].connection);

    // The server goes away after two messages: the rest are reported, not
    // lost, and kept for another try.
    let Some(sink) = Sink::start(&["--exit-after", "2"]) else {
        return;
    };
    let run = send_to(&sink);
    run.assert_failed(1, "2 of 4 messages were not sent");
    assert!(
        run.stderr.contains(
            "not sent to c@northwind.example: the mail server could not be reached again"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("not sent to d@northwind.example"));
    assert_eq!(sink.received().len(), 2);
    let retry = std::fs::read_to_string(p.path().join("digest/failed-recipients.txt")).unwrap();
    assert_eq!(
        retry,
        "# The digest could not be sent to these addresses.\n[all]\nc@northwind.example\nd@northwind.example\n"
    );
}
