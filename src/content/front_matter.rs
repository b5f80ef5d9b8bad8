//! Splitting a content file into front matter and body, parsing the front
//! matter (TOML between `+++`, YAML between `---`) with errors located in the
//! file, and finding where a key stands for errors found after parsing.

use crate::diagnostic::{suggest, Diagnostic};
use serde::de::DeserializeOwned;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

/// A content file cut in two; offsets are bytes into the whole file.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    pub file: &'a str,
    pub format: Format,
    pub front: &'a str,
    pub front_offset: usize,
    pub body: &'a str,
    pub body_offset: usize,
}

/// Cuts `file` into front matter and body. A file without front matter is
/// all body with empty TOML front matter.
pub fn split<'a>(path: &Path, file: &'a str) -> Result<Split<'a>, Diagnostic> {
    let start = if file.starts_with('\u{feff}') { 3 } else { 0 };
    let text = &file[start..];
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let delimiter = text[..first_line_end].trim_end();
    let format = match delimiter {
        "+++" => Format::Toml,
        "---" => Format::Yaml,
        _ => {
            return Ok(Split {
                file,
                format: Format::Toml,
                front: "",
                front_offset: start,
                body: text,
                body_offset: start,
            })
        }
    };
    let front_offset = start + first_line_end;
    let mut pos = front_offset;
    for line in file[front_offset..].split_inclusive('\n') {
        if line.trim_end() == delimiter {
            let body_offset = pos + line.len();
            return Ok(Split {
                file,
                format,
                front: &file[front_offset..pos],
                front_offset,
                body: &file[body_offset..],
                body_offset,
            });
        }
        pos += line.len();
    }
    Err(Diagnostic::new(
        path,
        format!("front matter opened with `{delimiter}` is never closed"),
    )
    .at(file, 1, 1)
    .width(3)
    .help(format!(
        "add a line with `{delimiter}` after the last front matter line"
    )))
}

impl Split<'_> {
    /// 1-based file line of the front matter's first line.
    pub fn front_line(&self) -> usize {
        self.file[..self.front_offset].matches('\n').count() + 1
    }

    /// Deserializes the front matter, locating any error in the file.
    pub fn parse<T: DeserializeOwned>(&self, path: &Path) -> Result<T, Diagnostic> {
        match self.format {
            Format::Toml => toml::from_str(self.front).map_err(|e| {
                let (offset, width) = e
                    .span()
                    .map_or((0, 1), |s| (s.start, s.end.saturating_sub(s.start)));
                let (message, help) = explain(e.message());
                let d = if e.span().is_some_and(|s| s.start == 0 && s.end == 0) {
                    // serde reports a missing field at the start: point at the opening line.
                    Diagnostic::new(path, message).at(self.file, self.front_line() - 1, 1)
                } else {
                    Diagnostic::new(path, message).at_offset(
                        self.file,
                        self.front_offset + offset,
                        width,
                    )
                };
                with_help(d, help)
            }),
            Format::Yaml => {
                let source = if self.front.trim().is_empty() {
                    "{}"
                } else {
                    self.front
                };
                serde_yaml_ng::from_str(source).map_err(|e| {
                    let raw = strip_yaml_position(&e.to_string());
                    let (message, help) = explain(&raw);
                    let d = Diagnostic::new(path, message);
                    let d = match e.location() {
                        Some(loc) if !self.front.trim().is_empty() => {
                            let d =
                                d.at(self.file, self.front_line() + loc.line() - 1, loc.column());
                            // YAML gives a point: underline the token that starts there.
                            let token = d
                                .source_line
                                .as_deref()
                                .map(|l| l.chars().skip(d.col - 1).collect::<String>())
                                .map_or(1, |rest| rest.trim_end().chars().count());
                            d.width(token)
                        }
                        _ => d.at(self.file, self.front_line() - 1, 1),
                    };
                    with_help(d, help)
                })
            }
        }
        .map_err(refine)
    }

    /// Parses a translation's front matter laid over `base`, the default
    /// language file's: keys given here win, `questions` merge by `id` and
    /// `updates` by position, everything else is inherited.
    pub fn parse_over<T: DeserializeOwned>(
        &self,
        path: &Path,
        base: Option<&serde_json::Value>,
    ) -> Result<T, Diagnostic> {
        let Some(base) = base else {
            return self.parse(path);
        };
        let own: serde_json::Value = self.parse(path)?;
        let merged = merge(base.clone(), own);
        serde_path_to_error::deserialize::<_, T>(merged).map_err(|e| {
            let mut keys: Vec<String> = e
                .path()
                .iter()
                .filter_map(|s| match s {
                    serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                    _ => None,
                })
                .collect();
            let raw = e.inner().to_string();
            let (message, help) = explain(&raw);
            if let Some(name) = raw
                .strip_prefix("unknown field `")
                .and_then(|r| r.split('`').next())
            {
                keys.push(name.to_owned());
            }
            let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            let d = self.error_at(path, &key_refs, None, message);
            let d = match keys.last() {
                Some(k) if !raw.starts_with("unknown field") && !d.message.contains(" in `") => {
                    Diagnostic {
                        message: format!("{} in `{k}`", d.message),
                        ..d
                    }
                }
                _ => d,
            };
            refine(with_help(d, help))
        })
    }

    /// Where `key` (under the parent keys in `path`) is written, as a
    /// diagnostic position; the front matter's opening line when not found.
    /// With `value`, the position of that value on or after the key's line.
    pub fn locate(&self, path: &[&str], value: Option<&str>) -> (usize, usize, usize) {
        let lines: Vec<(usize, &str)> = self
            .front
            .split_inclusive('\n')
            .scan(self.front_offset, |pos, line| {
                let start = *pos;
                *pos += line.len();
                Some((start, line))
            })
            .collect();
        let mut from = 0;
        let mut found: Option<usize> = None;
        for key in path {
            match lines[from..]
                .iter()
                .position(|(_, line)| defines_key(line, key))
            {
                Some(i) => {
                    found = Some(from + i);
                    from += i + 1;
                }
                None => break,
            }
        }
        let Some(index) = found else {
            let (line, col) = crate::diagnostic::line_col(
                self.file,
                self.front_offset.saturating_sub(1).min(self.file.len()),
            );
            return (line.max(1), col.min(1), 3);
        };
        if let Some(value) = value {
            for (start, line) in lines[index..].iter().take(40) {
                if let Some(i) = line.find(value) {
                    let (l, c) = crate::diagnostic::line_col(self.file, start + i);
                    return (l, c, value.chars().count());
                }
            }
        }
        let (start, line) = lines[index];
        let indent = line.len() - line.trim_start().len();
        let (l, c) = crate::diagnostic::line_col(self.file, start + indent);
        (l, c, line.trim().chars().count())
    }

    /// A diagnostic at the key in `path` (and its `value`, if given).
    pub fn error_at(
        &self,
        file_path: &Path,
        path: &[&str],
        value: Option<&str>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, col, width) = self.locate(path, value);
        Diagnostic::new(file_path, message)
            .at(self.file, line, col)
            .width(width)
    }
}

fn defines_key(line: &str, key: &str) -> bool {
    let t = line.trim_start().trim_start_matches("- ");
    let t = t.trim_start_matches("[[").trim_start_matches('[');
    let Some(rest) = t.strip_prefix(key) else {
        return false;
    };
    let rest = rest.trim_start();
    rest.starts_with('=') || rest.starts_with(':') || rest.starts_with(']')
}

/// Rewrites serde's messages for unknown keys and values into a short
/// message and a "did you mean" help.
fn explain(message: &str) -> (String, Option<String>) {
    let message = message.trim();
    for (marker, noun) in [("unknown field `", "field"), ("unknown variant `", "value")] {
        if let Some(i) = message.find(marker) {
            let rest = &message[i + marker.len()..];
            let Some(end) = rest.find('`') else { break };
            let name = &rest[..end];
            let known: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
            let help = suggest(name, known.iter().copied()).or_else(|| {
                (!known.is_empty()).then(|| {
                    let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                    format!("expected one of {}", list.join(", "))
                })
            });
            let help = if noun == "field" {
                help.map(|h| format!("{h} (free-form data goes under `extra`)"))
                    .or(Some("free-form data goes under `extra`".into()))
            } else {
                help
            };
            let context = message[..i].trim_end_matches(": ").trim();
            let message = if context.is_empty() {
                format!("unknown {noun} `{name}`")
            } else {
                format!("unknown {noun} `{name}` in `{context}`")
            };
            return (message, help);
        }
    }
    (message.to_owned(), None)
}

/// Lays `own` over `base`: objects merge key by key, `questions` by `id`,
/// `updates` by position; any other value in `own` replaces `base`'s.
pub fn merge(base: serde_json::Value, own: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match (base, own) {
        (Value::Object(mut b), Value::Object(o)) => {
            for (key, value) in o {
                let merged = match (b.remove(&key), value) {
                    (Some(Value::Array(bs)), Value::Array(os)) if key == "questions" => {
                        let mut out = bs;
                        for q in os {
                            let id = q.get("id").cloned();
                            match out
                                .iter_mut()
                                .find(|b| id.is_some() && b.get("id") == id.as_ref())
                            {
                                Some(slot) => *slot = merge(slot.take(), q),
                                None => out.push(q),
                            }
                        }
                        Value::Array(out)
                    }
                    (Some(Value::Array(bs)), Value::Array(os)) if key == "updates" => {
                        let mut out: Vec<Value> = bs;
                        for (i, u) in os.into_iter().enumerate() {
                            match out.get_mut(i) {
                                Some(slot) => *slot = merge(slot.take(), u),
                                None => out.push(u),
                            }
                        }
                        Value::Array(out)
                    }
                    (Some(b), o) => merge(b, o),
                    (None, o) => o,
                };
                b.insert(key, merged);
            }
            Value::Object(b)
        }
        (_, own) => own,
    }
}

/// Drops " at line N column M" from a YAML message: the diagnostic says where.
fn strip_yaml_position(message: &str) -> String {
    let mut out = message.to_owned();
    while let Some(i) = out.find(" at line ") {
        let rest = &out[i + " at line ".len()..];
        let mut end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if let Some(col) = rest[end..].strip_prefix(" column ") {
            end += " column ".len() + col.find(|c: char| !c.is_ascii_digit()).unwrap_or(col.len());
        }
        out.replace_range(i..i + " at line ".len() + end, "");
    }
    out
}

/// Names the key of a bad TOML value (YAML messages already do) and says
/// how to add a missing field.
fn refine(mut d: Diagnostic) -> Diagnostic {
    if d.message.starts_with("unknown value") && !d.message.contains(" in `") {
        let key = d
            .source_line
            .as_deref()
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| k.trim().to_owned())
            .filter(|k| !k.is_empty() && !k.contains(char::is_whitespace));
        if let Some(key) = key {
            d.message = format!("{} in `{key}`", d.message);
        }
    }
    if let Some(rest) = d.message.strip_prefix("missing field `") {
        if let Some(field) = rest.strip_suffix('`') {
            if d.help.is_none() {
                d.help = Some(format!("add `{field}` to the front matter"));
            }
        }
    }
    d
}

fn with_help(d: Diagnostic, help: Option<String>) -> Diagnostic {
    match help {
        Some(h) => d.help(h),
        None => d,
    }
}

/// Parses a whole TOML file (such as `portico.toml`) with located errors.
pub fn parse_toml_file<T: DeserializeOwned>(path: &Path, file: &str) -> Result<T, Diagnostic> {
    let split = Split {
        file,
        format: Format::Toml,
        front: file,
        front_offset: 0,
        body: "",
        body_offset: file.len(),
    };
    split.parse(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Front {
        title: String,
        lifecycle: Option<String>,
    }

    #[test]
    fn unknown_toml_key_is_located_in_the_file() {
        let file = "+++\ntitle = \"VPN\"\nlifecyle = \"live\"\n+++\nBody\n";
        let path = Path::new("vpn.md");
        let split = split(path, file).unwrap();
        assert_eq!(split.body, "Body\n");
        let err = split.parse::<Front>(path).unwrap_err();
        assert_eq!((err.line, err.col), (3, 1));
        assert_eq!(err.message, "unknown field `lifecyle`");
        assert_eq!(
            err.help.as_deref(),
            Some("did you mean `lifecycle`? (free-form data goes under `extra`)")
        );
    }

    #[test]
    fn unknown_yaml_key_is_located_in_the_file() {
        let file = "\n---\ntitle: VPN\nlifecyle: live\n---\nBody\n";
        let file = &file[1..];
        let path = Path::new("vpn.md");
        let split = split(path, file).unwrap();
        let err = split.parse::<Front>(path).unwrap_err();
        assert_eq!((err.line, err.col), (3, 1));
        assert_eq!(err.message, "unknown field `lifecyle`");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = split(Path::new("a.md"), "+++\ntitle = \"x\"\n").unwrap_err();
        assert!(err.message.contains("never closed"));
    }

    #[test]
    fn a_translation_inherits_and_overrides() {
        let base: serde_json::Value = serde_json::json!({
            "title": "VPN", "lifecycle": "live",
            "questions": [{"id": "a", "label": "A?", "type": "yesno"}, {"id": "b", "label": "B?", "type": "text"}],
        });
        let file =
            "+++\ntitle = \"VPN (nl)\"\n[[questions]]\nid = \"b\"\nlabel = \"B (nl)?\"\n+++\n";
        let split = split(Path::new("vpn.nl.md"), file).unwrap();
        let merged: serde_json::Value = split
            .parse_over(Path::new("vpn.nl.md"), Some(&base))
            .unwrap();
        assert_eq!(merged["title"], "VPN (nl)");
        assert_eq!(merged["lifecycle"], "live");
        assert_eq!(merged["questions"][0]["label"], "A?");
        assert_eq!(merged["questions"][1]["label"], "B (nl)?");
        assert_eq!(merged["questions"][1]["type"], "text");

        let file = "+++\ntitle = \"VPN\"\nlifecyle = \"live\"\n+++\n";
        let split = super::split(Path::new("vpn.nl.md"), file).unwrap();
        let base = serde_json::json!({"title": "VPN", "lifecycle": "live"});
        let err = split
            .parse_over::<Front>(Path::new("vpn.nl.md"), Some(&base))
            .unwrap_err();
        assert_eq!(
            (err.line, err.message.as_str()),
            (3, "unknown field `lifecyle`")
        );
    }

    #[test]
    fn locate_finds_nested_keys_and_values() {
        let file = "+++\ntitle = \"x\"\n[window]\nstart = \"a\"\nimpact = \"huge\"\n+++\n";
        let split = split(Path::new("a.md"), file).unwrap();
        assert_eq!(split.locate(&["window", "impact"], None).0, 5);
        assert_eq!(
            split.locate(&["window", "impact"], Some("huge")),
            (5, 11, 4)
        );
    }
}
