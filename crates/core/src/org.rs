//! Organizations, users and roles.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a user may do inside their organization. Ordered by power for the
/// checks that only need "at least".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Reviewer,
    Finance,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Manager,
        Role::Reviewer,
        Role::Finance,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Reviewer => "reviewer",
            Role::Finance => "finance",
            Role::Viewer => "viewer",
        }
    }

    /// May create and change creators, lists, campaigns and imports.
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Owner | Role::Manager)
    }

    /// May approve or reject submitted content.
    pub fn can_review(self) -> bool {
        matches!(self, Role::Owner | Role::Manager | Role::Reviewer)
    }

    /// May see and move money.
    pub fn can_pay(self) -> bool {
        matches!(self, Role::Owner | Role::Finance)
    }

    /// May manage users and API tokens of the organization.
    pub fn can_administer(self) -> bool {
        matches!(self, Role::Owner)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!(
                    "unknown role {s:?}; expected one of owner, manager, reviewer, finance, viewer"
                )
            })
    }
}

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let s = raw.trim().to_lowercase();
        let (local, domain) = s
            .split_once('@')
            .ok_or_else(|| format!("{raw:?} is not an email address: no '@'"))?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>');
        if ok {
            Ok(Email(s))
        } else {
            Err(format!("{raw:?} is not a valid email address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_case_insensitively_and_reject_unknown() {
        assert_eq!("Finance".parse::<Role>().unwrap(), Role::Finance);
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn only_owner_and_finance_move_money() {
        let payers: Vec<_> = Role::ALL.into_iter().filter(|r| r.can_pay()).collect();
        assert_eq!(payers, vec![Role::Owner, Role::Finance]);
    }

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse(" Maya@Example.COM ").unwrap().as_str(),
            "maya@example.com"
        );
        assert!(Email::parse("maya.example.com").is_err());
        assert!(Email::parse("maya@localhost").is_err());
        assert!(Email::parse("@example.com").is_err());
    }
}
