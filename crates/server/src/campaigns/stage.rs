//! The pipeline stages of a campaign member (DESIGN.md, "Campaign member")
//! and the one rule of which stage may follow which.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Shortlisted,
    Qualified,
    Rejected,
    Offered,
    Negotiating,
    Contracted,
    Declined,
    ContentSubmitted,
    ChangesRequested,
    Approved,
    Published,
    Completed,
}

impl Stage {
    /// Board order: the columns left to right.
    pub const ALL: [Stage; 12] = [
        Stage::Shortlisted,
        Stage::Qualified,
        Stage::Offered,
        Stage::Negotiating,
        Stage::Contracted,
        Stage::ContentSubmitted,
        Stage::ChangesRequested,
        Stage::Approved,
        Stage::Published,
        Stage::Completed,
        Stage::Rejected,
        Stage::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Shortlisted => "shortlisted",
            Stage::Qualified => "qualified",
            Stage::Rejected => "rejected",
            Stage::Offered => "offered",
            Stage::Negotiating => "negotiating",
            Stage::Contracted => "contracted",
            Stage::Declined => "declined",
            Stage::ContentSubmitted => "content_submitted",
            Stage::ChangesRequested => "changes_requested",
            Stage::Approved => "approved",
            Stage::Published => "published",
            Stage::Completed => "completed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Shortlisted => "Shortlisted",
            Stage::Qualified => "Qualified",
            Stage::Rejected => "Rejected",
            Stage::Offered => "Offered",
            Stage::Negotiating => "Negotiating",
            Stage::Contracted => "Contracted",
            Stage::Declined => "Declined",
            Stage::ContentSubmitted => "Content submitted",
            Stage::ChangesRequested => "Changes requested",
            Stage::Approved => "Approved",
            Stage::Published => "Published",
            Stage::Completed => "Completed",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The member's base fee counts as committed spend from the offer on.
    pub fn is_committed(self) -> bool {
        !matches!(
            self,
            Stage::Shortlisted | Stage::Qualified | Stage::Rejected | Stage::Declined
        )
    }

    /// Out of the running: no spend, no contract.
    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Rejected | Stage::Declined)
    }

    /// Stages from which a (new) contract may be sent; the member then is `offered`.
    pub fn can_send_contract(self) -> bool {
        matches!(
            self,
            Stage::Shortlisted
                | Stage::Qualified
                | Stage::Offered
                | Stage::Negotiating
                | Stage::Declined
        )
    }

    /// Days a member may sit in this stage before the board marks it overdue.
    pub fn overdue_after_days(self) -> Option<i64> {
        match self {
            Stage::Offered | Stage::Negotiating => Some(7),
            Stage::ContentSubmitted | Stage::ChangesRequested => Some(3),
            Stage::Approved => Some(7),
            _ => None,
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a member may move `from → to`. The pipeline of DESIGN.md, plus
/// the ways back a manager needs: reconsider a rejection, re-offer after a
/// decline, send a new version during negotiation.
pub fn allowed(from: Stage, to: Stage) -> bool {
    use Stage::*;
    matches!(
        (from, to),
        (Shortlisted, Qualified | Rejected | Offered)
            | (Qualified, Offered | Rejected | Shortlisted)
            | (Rejected, Shortlisted | Qualified)
            | (Offered, Negotiating | Contracted | Declined)
            | (Negotiating, Offered | Contracted | Declined)
            | (Declined, Offered | Shortlisted)
            | (Contracted, ContentSubmitted)
            | (ContentSubmitted, ChangesRequested | Approved)
            | (ChangesRequested, ContentSubmitted | Approved)
            | (Approved, Published)
            | (Published, Completed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        assert_eq!(Stage::parse("signed"), None);
    }

    #[test]
    fn the_happy_path_is_allowed() {
        use Stage::*;
        let path = [
            Shortlisted,
            Qualified,
            Offered,
            Negotiating,
            Offered,
            Contracted,
            ContentSubmitted,
            ChangesRequested,
            ContentSubmitted,
            Approved,
            Published,
            Completed,
        ];
        for w in path.windows(2) {
            assert!(allowed(w[0], w[1]), "{} → {}", w[0], w[1]);
        }
    }

    #[test]
    fn skipping_ahead_or_reopening_is_refused() {
        use Stage::*;
        for (from, to) in [
            (Shortlisted, Contracted),
            (Offered, Approved),
            (Contracted, Offered),
            (Completed, Shortlisted),
            (Published, Approved),
            (Declined, Contracted),
            (Rejected, Offered),
        ] {
            assert!(!allowed(from, to), "{from} → {to}");
        }
        for s in Stage::ALL {
            assert!(!allowed(s, s), "{s} → itself is not a move");
        }
    }

    #[test]
    fn every_stage_but_completed_has_a_way_on() {
        for s in Stage::ALL {
            let outs = Stage::ALL.iter().filter(|t| allowed(s, **t)).count();
            assert_eq!(outs == 0, s == Stage::Completed, "{s}");
        }
    }
}
