//! The email outbox: messages are queued in the database in the same
//! transaction as what caused them, and a background job delivers them with
//! retries and exponential backoff. With `CHORUS_SMTP_URL` unset the job
//! "delivers" to the log, so the outbox viewer shows what would have gone out.

use chorus_store::campaigns::Email;
use chorus_store::{now_us, Store};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// After this many failed attempts an email is marked `failed`.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed email is reserved for one worker.
const LEASE_US: i64 = 5 * 60 * 1_000_000;
const BATCH: i64 = 100;

pub enum Mailer {
    /// Log instead of sending (no SMTP configured).
    Log,
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Log => f.write_str("Mailer::Log"),
            Mailer::Smtp { from, .. } => write!(f, "Mailer::Smtp(from {from})"),
        }
    }
}

impl Mailer {
    /// `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host` (TLS), as lettre reads them.
    pub fn smtp(url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("CHORUS_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("sender address {from:?}: {e}"))?;
        Ok(Mailer::Smtp {
            transport: Box::new(transport),
            from,
        })
    }

    async fn send(&self, e: &Email) -> anyhow::Result<()> {
        match self {
            Mailer::Log => {
                tracing::info!(to = %e.to_addr, subject = %e.subject, "email (no SMTP configured)");
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let msg = Message::builder()
                    .from(from.clone())
                    .to(e.to_addr.parse()?)
                    .subject(e.subject.clone())
                    .body(e.body.clone())?;
                transport.send(msg).await?;
                Ok(())
            }
        }
    }
}

/// Exponential backoff: 30 s, 1 min, 2 min, … capped at 6 hours.
pub fn backoff(attempts: i64) -> Duration {
    let secs = 30u64.saturating_mul(1u64 << attempts.clamp(0, 20));
    Duration::from_secs(secs.min(6 * 3600))
}

/// Deliver what is due now; returns how many were sent. Failures are
/// recorded on the email and retried later.
pub async fn deliver_outbox(store: &Store, mailer: &Mailer) -> anyhow::Result<usize> {
    let mut sent = 0;
    loop {
        let batch = store.claim_emails(now_us(), BATCH, LEASE_US).await?;
        if batch.is_empty() {
            return Ok(sent);
        }
        for e in &batch {
            match mailer.send(e).await {
                Ok(()) => {
                    store.mark_email_sent(e.id).await?;
                    sent += 1;
                }
                Err(err) => {
                    let attempts = e.attempts + 1;
                    let retry = (attempts < MAX_ATTEMPTS)
                        .then(|| now_us() + backoff(attempts).as_micros() as i64);
                    tracing::warn!(id = e.id, attempts, error = %err, "email not sent");
                    store
                        .mark_email_failed(e.id, &err.to_string(), retry)
                        .await?;
                }
            }
        }
        if (batch.len() as i64) < BATCH {
            return Ok(sent);
        }
    }
}

/// Start the outbox job: every few seconds, deliver what is due. With no
/// SMTP URL, emails are logged and marked sent. The sender address comes
/// from `CHORUS_SMTP_FROM` (default `chorus@localhost`).
pub fn spawn_outbox_worker(store: Store, smtp_url: Option<String>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let from = std::env::var("CHORUS_SMTP_FROM").unwrap_or_else(|_| "chorus@localhost".into());
        let mailer = match smtp_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => match Mailer::smtp(url, &from) {
                Ok(m) => m,
                Err(e) => {
                    tracing::error!(error = %e, "outbox: SMTP is misconfigured; emails stay queued");
                    return;
                }
            },
            None => Mailer::Log,
        };
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            if let Err(e) = deliver_outbox(&store, &mailer).await {
                tracing::warn!(error = %e, "outbox run failed");
            }
        }
    })
}

/// Days before a due date that the first reminder goes out.
pub const REMIND_DAYS_BEFORE: i64 = 2;

/// Queue reminder emails for deliverables due within two days and for late
/// ones, each once. Returns how many were queued.
pub async fn queue_reminders(store: &Store, now: i64) -> anyhow::Result<usize> {
    let due = store
        .reminders_due(now, REMIND_DAYS_BEFORE * 86_400_000_000)
        .await?;
    let mut queued = 0;
    for r in &due {
        let date = chorus_store::from_us(r.due_at).format("%Y-%m-%d");
        let (subject, body) = if r.late {
            (
                format!("Overdue: your {} {} for {}", r.platform, r.format, r.campaign_name),
                format!(
                    "Hi @{},\n\nyour {} {} for {} was due on {date} and has not been submitted yet.\n\
                     Please submit your draft through your campaign link, or reply if you need more time.\n",
                    r.handle, r.platform, r.format, r.campaign_name
                ),
            )
        } else {
            (
                format!("Reminder: {} {} due {date}", r.platform, r.format),
                format!(
                    "Hi @{},\n\na friendly reminder: your {} {} for {} is due on {date}.\n\
                     Submit your draft through your campaign link.\n",
                    r.handle, r.platform, r.format, r.campaign_name
                ),
            )
        };
        if store.queue_reminder(r, &subject, &body).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(0), Duration::from_secs(30));
        assert_eq!(backoff(1), Duration::from_secs(60));
        assert_eq!(backoff(3), Duration::from_secs(240));
        assert_eq!(backoff(40), Duration::from_secs(6 * 3600));
    }
}
