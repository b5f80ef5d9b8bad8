//! Sending digests over SMTP. The server and its credentials come from
//! environment variables only, never from portico.toml, which is committed
//! with the content:
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `PORTICO_SMTP_HOST` | the mail server | required |
//! | `PORTICO_SMTP_PORT` | its port | 587, 465 with `tls`, 25 with `none` |
//! | `PORTICO_SMTP_TLS` | `starttls`, `tls` (from the first byte) or `none` | `starttls` |
//! | `PORTICO_SMTP_USER`, `PORTICO_SMTP_PASSWORD` | credentials, both or neither | none |
//! | `PORTICO_SMTP_CA_FILE` | PEM file of a CA to trust besides the system's | none |
//!
//! Each recipient gets a message of their own. Messages go out in batches,
//! one connection each; a recipient the server refuses is reported and the
//! rest are sent; a lost connection is opened again once.

use lettre::address::{Address, Envelope};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::Error as SmtpError;
use std::fmt;
use std::time::Duration;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain connection upgraded with STARTTLS, which the server must offer.
    StartTls,
    /// TLS from the first byte (SMTPS).
    Implicit,
    /// No encryption: only for a relay that takes mail from this host.
    None,
}

impl TlsMode {
    fn default_port(self) -> u16 {
        match self {
            TlsMode::StartTls => 587,
            TlsMode::Implicit => 465,
            TlsMode::None => 25,
        }
    }
}

/// The mail server and how to talk to it.
pub struct Server {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    user: Option<String>,
    credentials: Option<Credentials>,
    tls_parameters: Option<TlsParameters>,
    ca_file: Option<String>,
    hello: ClientId,
    timeout: Duration,
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)?;
        f.write_str(match self.tls {
            TlsMode::StartTls => " with STARTTLS",
            TlsMode::Implicit => " over TLS",
            TlsMode::None => " unencrypted",
        })?;
        if let (Some(ca), true) = (&self.ca_file, self.tls_parameters.is_some()) {
            write!(f, " (trusting {ca})")?;
        }
        match &self.user {
            Some(user) => write!(f, ", signed in as {user}"),
            None => f.write_str(", without signing in"),
        }
    }
}

impl Server {
    /// Reads the server's settings through `var` (the environment, or a
    /// table in tests). The error names the variable.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Server, String> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let host = get("PORTICO_SMTP_HOST").ok_or(
            "PORTICO_SMTP_HOST is not set: name the mail server to send through \
             (and PORTICO_SMTP_PORT, PORTICO_SMTP_TLS, PORTICO_SMTP_USER, PORTICO_SMTP_PASSWORD as it needs)",
        )?;
        let tls = match get("PORTICO_SMTP_TLS")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("starttls") => TlsMode::StartTls,
            Some("tls" | "smtps" | "implicit") => TlsMode::Implicit,
            Some("none" | "off" | "plain") => TlsMode::None,
            Some(other) => {
                return Err(format!(
                    "PORTICO_SMTP_TLS is `{other}`: use `starttls` (the default), `tls` or `none`"
                ))
            }
        };
        let port = match get("PORTICO_SMTP_PORT") {
            None => tls.default_port(),
            Some(p) => match p.parse::<u16>() {
                Ok(port) if port > 0 => port,
                _ => {
                    return Err(format!(
                        "PORTICO_SMTP_PORT is `{p}`: give a port number, 1 to 65535"
                    ))
                }
            },
        };
        let user = get("PORTICO_SMTP_USER");
        // A password may hold spaces at either end: read it as it is.
        let password = var("PORTICO_SMTP_PASSWORD").filter(|p| !p.is_empty());
        let credentials = match (&user, password) {
            (Some(user), Some(password)) => Some(Credentials::new(user.clone(), password)),
            (None, None) => None,
            (Some(_), None) => return Err(
                "PORTICO_SMTP_USER is set but PORTICO_SMTP_PASSWORD is not: give both or neither"
                    .into(),
            ),
            (None, Some(_)) => return Err(
                "PORTICO_SMTP_PASSWORD is set but PORTICO_SMTP_USER is not: give both or neither"
                    .into(),
            ),
        };
        if credentials.is_some() && tls == TlsMode::None && !is_loopback(&host) {
            return Err(format!(
                "PORTICO_SMTP_TLS=none would send the password to {host} unencrypted: use `starttls` or `tls`"
            ));
        }
        let ca_file = get("PORTICO_SMTP_CA_FILE");
        let tls_parameters = match tls {
            TlsMode::None => None,
            TlsMode::StartTls | TlsMode::Implicit => {
                let mut builder = TlsParameters::builder(host.clone());
                if let Some(path) = &ca_file {
                    let pem = std::fs::read(path)
                        .map_err(|e| format!("PORTICO_SMTP_CA_FILE: cannot read {path}: {e}"))?;
                    let cert = Certificate::from_pem(&pem).map_err(|e| {
                        format!("PORTICO_SMTP_CA_FILE: {path} holds no PEM certificate ({e})")
                    })?;
                    builder = builder.add_root_certificate(cert);
                }
                Some(
                    builder
                        .build_rustls()
                        .map_err(|e| format!("cannot set up TLS for {host}: {e}"))?,
                )
            }
        };
        Ok(Server {
            host,
            port,
            tls,
            user,
            credentials,
            tls_parameters,
            ca_file,
            hello: ClientId::default(),
            timeout: Duration::from_secs(60),
        })
    }

    /// Opens a connection: greeting, TLS as configured, signing in.
    pub fn connect(&self) -> Result<SmtpConnection, SmtpError> {
        let implicit = match self.tls {
            TlsMode::Implicit => self.tls_parameters.as_ref(),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &self.hello,
            implicit,
            None,
        )?;
        if let (TlsMode::StartTls, Some(params)) = (self.tls, &self.tls_parameters) {
            conn.starttls(params, &self.hello)?;
        }
        if let Some(credentials) = &self.credentials {
            if let Err(e) = conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials) {
                conn.abort();
                return Err(e);
            }
        }
        Ok(conn)
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A server's answer or a connection's failure, as one line.
pub fn describe(e: &SmtpError) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text.replace(['\r', '\n'], " ")
}

/// What to do about a failure to connect or sign in, when it is clear.
pub fn hint(e: &SmtpError) -> Option<&'static str> {
    let text = describe(e);
    if e.status().is_some_and(|c| c.to_string() == "535") {
        Some("check PORTICO_SMTP_USER and PORTICO_SMTP_PASSWORD")
    } else if text.contains("UnknownIssuer") || text.contains("CaUsedAsEndEntity") {
        Some("the server's certificate is not signed by a CA this machine trusts: set PORTICO_SMTP_CA_FILE to the PEM file of the CA that signed it")
    } else if text.contains("NotValidForName") {
        Some("the server's certificate is for another name: set PORTICO_SMTP_HOST to the name it was issued for")
    } else if text.contains("STARTTLS is not supported") {
        Some("the server does not offer STARTTLS: set PORTICO_SMTP_TLS=tls if it speaks TLS from the start, or none for a plain relay")
    } else if text.contains("No compatible authentication mechanism") {
        Some("the server offers no way to sign in on this connection; most ask for encryption first (PORTICO_SMTP_TLS=starttls or tls)")
    } else if e.is_timeout() || text.contains("os error 11") {
        Some("the server did not answer in time: check PORTICO_SMTP_HOST and PORTICO_SMTP_PORT")
    } else {
        None
    }
}

/// What became of one recipient.
#[derive(Debug)]
pub enum Outcome {
    Sent,
    /// The server refused this message; the rest went on.
    Refused(String),
    /// Not tried: the connection was lost and could not be opened again.
    NotSent(String),
}

/// Sends one message to each of `to`, `batch_size` per connection with
/// `pause` between batches. `message(i)` makes the bytes for `to[i]`.
/// `connection` is an open one to start with; `progress` hears after each
/// batch how many were handled. Returns each recipient's outcome.
#[allow(clippy::too_many_arguments)]
pub fn send_all(
    server: &Server,
    connection: SmtpConnection,
    from: &Address,
    to: &[&Mailbox],
    batch_size: usize,
    pause: Duration,
    mut message: impl FnMut(usize) -> Result<Vec<u8>, String>,
    mut progress: impl FnMut(usize, usize),
) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(to.len());
    let mut conn = Some(connection);
    let mut lost: Option<String> = None;
    let batch_size = batch_size.max(1);
    for (n, batch) in to.chunks(batch_size).enumerate() {
        if n > 0 {
            if let Some(mut c) = conn.take() {
                let _ = c.quit();
            }
            if !pause.is_zero() {
                std::thread::sleep(pause);
            }
        }
        for (k, mailbox) in batch.iter().enumerate() {
            let i = n * batch_size + k;
            if let Some(why) = &lost {
                outcomes.push(Outcome::NotSent(why.clone()));
                continue;
            }
            let prepared = message(i).and_then(|bytes| {
                Envelope::new(Some(from.clone()), vec![mailbox.email.clone()])
                    .map(|envelope| (envelope, bytes))
                    .map_err(|e| e.to_string())
            });
            let (envelope, bytes) = match prepared {
                Ok(p) => p,
                Err(why) => {
                    outcomes.push(Outcome::Refused(why));
                    continue;
                }
            };
            let mut outcome = None;
            for attempt in 0..2 {
                let c = match conn.take().filter(|c| !c.has_broken()) {
                    Some(c) => c,
                    None => match server.connect() {
                        Ok(c) => c,
                        Err(e) => {
                            let why = format!(
                                "the mail server could not be reached again: {}",
                                describe(&e)
                            );
                            lost = Some(why.clone());
                            outcome = Some(Outcome::NotSent(why));
                            break;
                        }
                    },
                };
                let mut c = c;
                match c.send(&envelope, &bytes) {
                    Ok(_) => {
                        conn = Some(c);
                        outcome = Some(Outcome::Sent);
                        break;
                    }
                    // The server answered: this recipient or message is
                    // refused. lettre has closed the connection; the next
                    // message opens another.
                    Err(e) if e.is_permanent() || e.is_transient() => {
                        outcome = Some(Outcome::Refused(describe(&e)));
                        break;
                    }
                    // The connection failed: once more on a new one.
                    Err(e) => {
                        if attempt == 1 {
                            outcome = Some(Outcome::Refused(describe(&e)));
                        }
                    }
                }
            }
            outcomes.push(outcome.unwrap_or_else(|| Outcome::NotSent("not tried".into())));
        }
        progress(outcomes.len(), to.len());
    }
    if let Some(mut c) = conn.take() {
        let _ = c.quit();
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn server(vars: &[(&str, &str)]) -> Result<Server, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Server::from_env(|k| vars.get(k).cloned())
    }

    #[test]
    fn settings_default_sensibly_and_errors_name_the_variable() {
        let s = server(&[("PORTICO_SMTP_HOST", "mail.example.com")]).unwrap();
        assert_eq!((s.port, s.tls), (587, TlsMode::StartTls));
        assert_eq!(
            s.to_string(),
            "mail.example.com:587 with STARTTLS, without signing in"
        );
        let s = server(&[
            ("PORTICO_SMTP_HOST", "mail.example.com"),
            ("PORTICO_SMTP_TLS", "TLS"),
        ])
        .unwrap();
        assert_eq!((s.port, s.tls), (465, TlsMode::Implicit));
        let s = server(&[
            ("PORTICO_SMTP_HOST", "relay"),
            ("PORTICO_SMTP_TLS", "none"),
            ("PORTICO_SMTP_PORT", "2525"),
            ("PORTICO_SMTP_USER", "it"),
            ("PORTICO_SMTP_PASSWORD", "secret"),
        ]);
        let e = s.err().unwrap();
        assert!(e.contains("unencrypted"), "{e}");
        assert!(!e.contains("secret"), "{e}");

        assert!(server(&[])
            .err()
            .unwrap()
            .starts_with("PORTICO_SMTP_HOST is not set"));
        let e = server(&[("PORTICO_SMTP_HOST", "m"), ("PORTICO_SMTP_PORT", "99999")])
            .err()
            .unwrap();
        assert!(e.starts_with("PORTICO_SMTP_PORT is `99999`"), "{e}");
        let e = server(&[("PORTICO_SMTP_HOST", "m"), ("PORTICO_SMTP_TLS", "ssl3")])
            .err()
            .unwrap();
        assert!(e.starts_with("PORTICO_SMTP_TLS is `ssl3`"), "{e}");
        let e = server(&[("PORTICO_SMTP_HOST", "m"), ("PORTICO_SMTP_USER", "it")])
            .err()
            .unwrap();
        assert!(e.contains("PORTICO_SMTP_PASSWORD is not"), "{e}");
        let e = server(&[
            ("PORTICO_SMTP_HOST", "m"),
            ("PORTICO_SMTP_CA_FILE", "/nonexistent/ca.pem"),
        ])
        .err()
        .unwrap();
        assert!(
            e.starts_with("PORTICO_SMTP_CA_FILE: cannot read /nonexistent/ca.pem"),
            "{e}"
        );
        // Credentials over plain SMTP to this machine's own relay are fine.
        let s = server(&[
            ("PORTICO_SMTP_HOST", "127.0.0.1"),
            ("PORTICO_SMTP_TLS", "none"),
            ("PORTICO_SMTP_USER", "it"),
            ("PORTICO_SMTP_PASSWORD", "secret"),
        ])
        .unwrap();
        assert_eq!(s.to_string(), "127.0.0.1:25 unencrypted, signed in as it");
    }
}
