//! Who gets the digest: addresses in groups named like the content's
//! audiences, from `[digest.recipients]` in portico.toml and from a
//! recipients file:
//!
//! ```text
//! # Everyone above the first [group] line gets what is for all.
//! staff@example.com
//! [engineering]
//! Dev team <dev@example.com>
//! ```
//!
//! An address in several groups gets one digest holding what is for any of
//! them; an address listed twice gets one message.

use crate::diagnostic::{ContentErrors, Diagnostic};
use lettre::message::Mailbox;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The group whose members get only what is for everyone.
pub const ALL: &str = "all";

/// One address and the groups it was listed in.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub mailbox: Mailbox,
    /// Lower-case group names, `all` left out.
    pub groups: BTreeSet<String>,
}

/// Every address, each once, in the order first listed.
#[derive(Debug, Default)]
pub struct Recipients {
    list: Vec<Recipient>,
    /// Lower-case address → index in `list`.
    index: BTreeMap<String, usize>,
}

impl Recipients {
    /// Adds `mailbox` to `group`; a second listing only adds the group.
    pub fn add(&mut self, group: &str, mailbox: Mailbox) {
        let key = mailbox.email.to_string().to_lowercase();
        let group = group.trim().to_lowercase();
        let i = *self.index.entry(key).or_insert_with(|| {
            self.list.push(Recipient {
                mailbox,
                groups: BTreeSet::new(),
            });
            self.list.len() - 1
        });
        if group != ALL {
            self.list[i].groups.insert(group);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Every group named, `all` left out.
    pub fn groups(&self) -> BTreeSet<&str> {
        self.list
            .iter()
            .flat_map(|r| r.groups.iter().map(String::as_str))
            .collect()
    }

    /// Keeps only the members of `group` and gives each just that group.
    pub fn only(self, group: &str) -> Recipients {
        let group = group.trim().to_lowercase();
        let mut kept = Recipients::default();
        for r in self.list {
            if group == ALL || r.groups.contains(&group) {
                kept.add(&group, r.mailbox);
            }
        }
        kept
    }

    /// The recipients sorted by the set of groups they get a digest for,
    /// each set with its addresses in the order listed.
    pub fn by_groups(&self) -> BTreeMap<Vec<String>, Vec<Mailbox>> {
        let mut out: BTreeMap<Vec<String>, Vec<Mailbox>> = BTreeMap::new();
        for r in &self.list {
            out.entry(r.groups.iter().cloned().collect())
                .or_default()
                .push(r.mailbox.clone());
        }
        out
    }
}

/// Reads the addresses of `[digest.recipients]`; `config` is the text of
/// portico.toml, where errors are located.
pub fn from_config(
    groups: &BTreeMap<String, Vec<String>>,
    config: &str,
    into: &mut Recipients,
) -> Result<(), ContentErrors> {
    let section = config.find("[digest.recipients]").unwrap_or(0);
    let located = |needle: &str, message: String| {
        let d = Diagnostic::new("portico.toml", message);
        match config[section..].find(needle) {
            Some(at) => d.at_offset(config, section + at, needle.chars().count()),
            None => d,
        }
    };
    let mut errors = Vec::new();
    for (group, addresses) in groups {
        if let Err(message) = check_group(group) {
            errors.push(located(group, format!("[digest.recipients] {message}")));
            continue;
        }
        for address in addresses {
            match parse_mailbox(address) {
                Ok(mailbox) => into.add(group, mailbox),
                Err(message) => errors.push(
                    located(
                        &format!("\"{address}\""),
                        format!("[digest.recipients] {group}: {message}"),
                    )
                    .help("give each address as `name@example.com` or `Name <name@example.com>`"),
                ),
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ContentErrors(errors))
    }
}

/// Reads a recipients file; every bad line is reported with its number.
pub fn from_file(shown: &Path, text: &str, into: &mut Recipients) -> Result<(), ContentErrors> {
    let mut errors = Vec::new();
    let mut group = ALL.to_owned();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let col = raw.len() - raw.trim_start().len() + 1;
        let located = |message: String| {
            Diagnostic::new(shown, message)
                .at(text, n + 1, col)
                .width(line.chars().count())
        };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let Some(name) = name.strip_suffix(']') else {
                errors.push(
                    located(format!("a group line must end with `]`: `{line}`"))
                        .help("a group starts with its name in brackets: `[engineering]`"),
                );
                continue;
            };
            match check_group(name) {
                Ok(()) => group = name.trim().to_owned(),
                Err(message) => errors.push(located(message)),
            }
            continue;
        }
        match parse_mailbox(line) {
            Ok(mailbox) => into.add(&group, mailbox),
            Err(message) => errors.push(located(message).help(ADDRESS_HELP)),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ContentErrors(errors))
    }
}

const ADDRESS_HELP: &str =
    "one address a line, as `name@example.com` or `Name <name@example.com>`; `[group]` starts an audience's addresses";

fn check_group(name: &str) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a group needs a name: `[engineering]`".into());
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c == ',' || c == '[' || c == ']')
    {
        return Err(format!(
            "`{name}` is not a group name: use the audience's name as the content writes it"
        ));
    }
    Ok(())
}

fn parse_mailbox(text: &str) -> Result<Mailbox, String> {
    let text = text.trim();
    if text.contains(',') || text.contains(';') {
        return Err(format!("one address a line, not a list: `{text}`"));
    }
    text.parse::<Mailbox>()
        .map_err(|e| format!("not an email address: `{text}` ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Recipients, ContentErrors> {
        let mut r = Recipients::default();
        from_file(Path::new("recipients.txt"), text, &mut r).map(|()| r)
    }

    #[test]
    fn groups_collect_and_addresses_are_listed_once() {
        let r = read(
            "# comment\nstaff@x.example\n\n[Engineering]\nDev <DEV@x.example>\nann@x.example\n[data]\nann@x.example\nstaff@X.example\n",
        )
        .unwrap();
        assert_eq!(r.len(), 3);
        let by = r.by_groups();
        let keys: Vec<&Vec<String>> = by.keys().collect();
        assert_eq!(
            keys,
            [
                &vec!["data".to_owned()],
                &vec!["data".to_owned(), "engineering".to_owned()],
                &vec!["engineering".to_owned()],
            ]
        );
        assert_eq!(
            by[&vec!["data".to_owned()]][0].email.to_string(),
            "staff@x.example"
        );
        assert_eq!(
            r.groups().into_iter().collect::<Vec<_>>(),
            ["data", "engineering"]
        );
        assert_eq!(r.only("engineering").len(), 2);
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let errors = read("ok@x.example\nnot an address\n[broken\n[]\na@x.example, b@x.example\n")
            .unwrap_err()
            .0;
        let lines: Vec<usize> = errors.iter().map(|d| d.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert!(errors[0]
            .message
            .contains("not an email address: `not an address`"));
        assert!(errors[1].message.contains("must end with `]`"));
        assert!(errors[3].message.contains("not a list"));
    }
}
