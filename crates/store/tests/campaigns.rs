//! Conformance suite for campaigns, members, briefs, contracts, portal
//! tokens, deliverables and the outbox: SQLite always, PostgreSQL when
//! `CHORUS_TEST_POSTGRES_URL` is set.

use chorus_core::{AccountId, CampaignId, CreatorRecord, OrgId};
use chorus_store::campaigns::{
    Actor, Answer, ContractSend, NewCampaign, NewDeliverable, Signature,
};
use chorus_store::review::{Decision, Draft, LiveCheckInput, NewUpload};
use chorus_store::{now_us, Store};

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() {
                let db = chorus_store::testing::TestDb::sqlite().await.expect("sqlite test db");
                super::$name(&db.store).await;
                db.cleanup().await;
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() {
                let Some(db) = chorus_store::testing::TestDb::postgres().await.expect("postgres test db") else {
                    eprintln!("CHORUS_TEST_POSTGRES_URL not set: PostgreSQL conformance skipped");
                    return;
                };
                super::$name(&db.store).await;
                db.cleanup().await;
            })*
        }
    };
}

conformance!(
    campaigns_are_scoped_and_editable,
    attribution_window_is_bounded,
    members_are_added_once_and_moves_are_logged,
    briefs_are_versioned,
    contracts_send_sign_and_void,
    counter_and_decline_move_the_member,
    portal_tokens_are_found_by_digest_and_revocable,
    deliverables_and_submissions,
    outbox_claims_retries_and_gives_up,
    reminders_are_queued_once,
    qualify_rules_are_per_campaign_and_scoped,
    review_rounds_live_checks_and_milestones,
);

fn new_campaign(name: &str) -> NewCampaign {
    NewCampaign {
        name: name.into(),
        product: "Trail shoe".into(),
        budget_minor: 2_000_000,
        currency: "USD".into(),
        starts_at: Some(1_000),
        ends_at: Some(2_000),
        attribution_window_days: 30,
        default_brief: r#"{"key_message":"Grip"}"#.into(),
        default_terms: r#"{"currency":"USD","base_fee":"800.00"}"#.into(),
        contract_template: "Fee {{fee}}".into(),
    }
}

async fn setup(store: &Store) -> (OrgId, OrgId, CampaignId, Vec<AccountId>) {
    let a = store.create_org("acme", "Acme").await.unwrap().id;
    let b = store.create_org("globex", "Globex").await.unwrap().id;
    let recs: Vec<CreatorRecord> = (0..3)
        .map(|i| {
            let mut r: CreatorRecord = serde_json::from_value(serde_json::json!({
                "platform": "instagram", "handle": format!("runner{i}"), "name": format!("Runner {i}"),
                "email": format!("runner{i}@example.com"), "followers": 10_000 * (i + 1)
            }))
            .unwrap();
            r.validate().unwrap();
            r
        })
        .collect();
    store.upsert_creators(&recs).await.unwrap();
    let mut ids = vec![];
    for i in 0..3 {
        ids.push(
            store
                .account_by_handle("instagram", &format!("runner{i}"))
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let c = store
        .create_campaign(a, None, &new_campaign("Spring"))
        .await
        .unwrap();
    (a, b, c.id, ids)
}

async fn campaigns_are_scoped_and_editable(store: &Store) {
    let (a, b, id, _) = setup(store).await;
    let c = store.campaign(a, id).await.unwrap().unwrap();
    assert_eq!(c.name, "Spring");
    assert_eq!(c.budget_minor, 2_000_000);
    assert_eq!(c.attribution_window_days, 30);
    assert!(store.campaign(b, id).await.unwrap().is_none());
    assert!(store.list_campaigns(b).await.unwrap().is_empty());
    let mut edit = new_campaign("Summer");
    edit.budget_minor = 5;
    assert!(!store.update_campaign(b, id, &edit).await.unwrap());
    assert!(store.update_campaign(a, id, &edit).await.unwrap());
    let list = store.list_campaigns(a).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "Summer");
    assert_eq!(list[0].budget_minor, 5);
}

async fn attribution_window_is_bounded(store: &Store) {
    let a = store.create_org("acme", "Acme").await.unwrap().id;
    for bad in [0, 181] {
        let mut c = new_campaign("x");
        c.attribution_window_days = bad;
        assert!(store.create_campaign(a, None, &c).await.is_err(), "{bad}");
    }
    let mut c = new_campaign("x");
    c.attribution_window_days = 180;
    assert!(store.create_campaign(a, None, &c).await.is_ok());
}

async fn members_are_added_once_and_moves_are_logged(store: &Store) {
    let (a, b, id, accts) = setup(store).await;
    let added = store
        .add_members(a, id, &accts[..2], "{}", Actor::System)
        .await
        .unwrap();
    assert_eq!(added.len(), 2);
    let again = store
        .add_members(a, id, &accts, "{}", Actor::System)
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "only the new account is added");
    assert!(store
        .add_members(b, id, &accts, "{}", Actor::System)
        .await
        .unwrap()
        .is_empty());
    let members = store.members(a, id).await.unwrap();
    assert_eq!(members.len(), 3);
    assert!(members.iter().all(|m| m.stage == "shortlisted"));
    assert_eq!(members[0].handle, "runner0");
    assert_eq!(members[0].email.as_deref(), Some("runner0@example.com"));
    assert!(store.members(b, id).await.unwrap().is_empty());
    let m = members[0].id;
    assert!(store.member(b, m).await.unwrap().is_none());
    assert!(!store
        .move_member(b, m, "shortlisted", "qualified", Actor::System, "")
        .await
        .unwrap());
    assert!(store
        .move_member(
            a,
            m,
            "shortlisted",
            "qualified",
            Actor::System,
            "looks good"
        )
        .await
        .unwrap());
    assert!(
        !store
            .move_member(a, m, "shortlisted", "rejected", Actor::System, "")
            .await
            .unwrap(),
        "compare-and-set on the old stage"
    );
    assert_eq!(
        store.member(a, m).await.unwrap().unwrap().stage,
        "qualified"
    );
    let log = store.stage_events(a, id).await.unwrap();
    assert_eq!(log.len(), 4);
    assert_eq!(log[0].from_stage.as_deref(), Some("shortlisted"));
    assert_eq!(log[0].to_stage, "qualified");
    assert_eq!(log[0].note, "looks good");
    assert_eq!(log[0].actor, "system");
    assert!(store.stage_events(b, id).await.unwrap().is_empty());
    assert_eq!(
        store
            .set_member_terms(a, &[(m, r#"{"base_fee":"1.00"}"#.into())])
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .set_member_terms(b, &[(m, "{}".into())])
            .await
            .unwrap(),
        0
    );
    assert!(store
        .set_member_links(a, m, Some("https://x.test/l"), Some("RUN10"))
        .await
        .unwrap());
    let got = store.member(a, m).await.unwrap().unwrap();
    assert_eq!(got.terms, r#"{"base_fee":"1.00"}"#);
    assert_eq!(got.promo_code.as_deref(), Some("RUN10"));
}

async fn briefs_are_versioned(store: &Store) {
    let (a, b, id, _) = setup(store).await;
    assert_eq!(
        store
            .add_brief_version(a, id, "{\"v\":1}", None)
            .await
            .unwrap(),
        Some(1)
    );
    assert_eq!(
        store
            .add_brief_version(a, id, "{\"v\":2}", None)
            .await
            .unwrap(),
        Some(2)
    );
    assert_eq!(
        store.add_brief_version(b, id, "{}", None).await.unwrap(),
        None
    );
    let latest = store.latest_brief(a, id).await.unwrap().unwrap();
    assert_eq!((latest.version, latest.body.as_str()), (2, "{\"v\":2}"));
    assert_eq!(store.briefs(a, id).await.unwrap().len(), 2);
    assert!(store.latest_brief(b, id).await.unwrap().is_none());
}

fn send(member: i64, token: &str) -> ContractSend {
    ContractSend {
        member_id: member,
        body: format!("contract for {member}"),
        body_sha256: format!("sha-{member}"),
        terms: "{}".into(),
        token_hash: token.into(),
        token_csrf: "csrf".into(),
        token_expires_at: now_us() + 1_000_000_000,
        email_to: Some(format!("m{member}@example.com")),
        email_subject: "Your contract".into(),
        email_body: "link".into(),
        brief_version: Some(1),
        from_stage: "shortlisted".into(),
        to_stage: "offered".into(),
    }
}

async fn contracts_send_sign_and_void(store: &Store) {
    let (a, b, id, accts) = setup(store).await;
    let ms = store
        .add_members(a, id, &accts, "{}", Actor::System)
        .await
        .unwrap();
    let sends: Vec<ContractSend> = ms.iter().map(|m| send(*m, &format!("tok{m}"))).collect();
    assert!(store
        .send_contracts(b, &sends, Actor::System)
        .await
        .unwrap()
        .is_empty());
    let sent = store
        .send_contracts(a, &sends, Actor::System)
        .await
        .unwrap();
    assert_eq!(sent.len(), 3);
    assert_eq!(store.outbox(a, 100).await.unwrap().len(), 3);
    assert!(store.outbox(b, 100).await.unwrap().is_empty());
    let m = ms[0];
    let member = store.member(a, m).await.unwrap().unwrap();
    assert_eq!(
        (member.stage.as_str(), member.brief_version_sent),
        ("offered", Some(1))
    );
    let k = store.latest_contract(a, m).await.unwrap().unwrap();
    assert_eq!((k.version, k.status.as_str()), (1, "sent"));
    assert!(store.contract(b, k.id).await.unwrap().is_none());
    assert!(store
        .set_contract_status(a, k.id, &["sent"], "viewed")
        .await
        .unwrap());
    assert!(!store
        .set_contract_status(a, k.id, &["sent"], "viewed")
        .await
        .unwrap());
    let sig = |hash: &'static str| Signature {
        name: "Maya Runner",
        ip: "203.0.113.9",
        user_agent: "test",
        document_hash: hash,
        at: 42,
    };
    assert!(
        !store
            .sign_contract(a, k.id, &sig("other"), "offered", "contracted")
            .await
            .unwrap(),
        "a signature over another text is refused"
    );
    assert!(!store
        .sign_contract(b, k.id, &sig("sha-1"), "offered", "contracted")
        .await
        .unwrap());
    let hash: &'static str = Box::leak(k.body_sha256.clone().into_boxed_str());
    assert!(store
        .sign_contract(a, k.id, &sig(hash), "offered", "contracted")
        .await
        .unwrap());
    let k = store.contract(a, k.id).await.unwrap().unwrap();
    assert_eq!(k.status, "signed");
    assert_eq!(k.signer_name.as_deref(), Some("Maya Runner"));
    assert_eq!(k.signer_ip.as_deref(), Some("203.0.113.9"));
    assert_eq!(k.signed_hash.as_deref(), Some(hash));
    assert_eq!(
        store.member(a, m).await.unwrap().unwrap().stage,
        "contracted"
    );
    // A new version voids open ones but never a signed one.
    let k2 = store
        .new_contract_version(a, ms[1], "v2", "h2", "{}", "sent")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(k2.version, 2);
    let all = store.contracts_of_member(a, ms[1]).await.unwrap();
    assert_eq!(all[1].status, "void");
    assert!(store
        .new_contract_version(b, ms[1], "x", "x", "{}", "sent")
        .await
        .unwrap()
        .is_none());
    let latest = store.latest_contracts(a, id).await.unwrap();
    assert_eq!(latest.len(), 3);
    assert!(store.latest_contracts(b, id).await.unwrap().is_empty());
    assert!(store
        .tamper_contract_body(a, k.id, "changed")
        .await
        .unwrap());
    assert_eq!(
        store.contract(a, k.id).await.unwrap().unwrap().body,
        "changed"
    );
}

async fn counter_and_decline_move_the_member(store: &Store) {
    let (a, _b, id, accts) = setup(store).await;
    let ms = store
        .add_members(a, id, &accts[..2], "{}", Actor::System)
        .await
        .unwrap();
    let sends: Vec<ContractSend> = ms.iter().map(|m| send(*m, &format!("t{m}"))).collect();
    store
        .send_contracts(a, &sends, Actor::System)
        .await
        .unwrap();
    let k0 = store.latest_contract(a, ms[0]).await.unwrap().unwrap();
    assert!(store
        .respond_to_contract(
            a,
            k0.id,
            Answer::Counter(r#"{"fee":"900.00"}"#),
            "offered",
            "negotiating"
        )
        .await
        .unwrap());
    let k0 = store.contract(a, k0.id).await.unwrap().unwrap();
    assert_eq!(k0.status, "countered");
    assert_eq!(k0.counter.as_deref(), Some(r#"{"fee":"900.00"}"#));
    assert_eq!(
        store.member(a, ms[0]).await.unwrap().unwrap().stage,
        "negotiating"
    );
    let k1 = store.latest_contract(a, ms[1]).await.unwrap().unwrap();
    assert!(store
        .respond_to_contract(a, k1.id, Answer::Decline("busy"), "offered", "declined")
        .await
        .unwrap());
    assert!(
        !store
            .respond_to_contract(a, k1.id, Answer::Decline("again"), "offered", "declined")
            .await
            .unwrap(),
        "a closed contract cannot be answered twice"
    );
    let log = store.stage_events(a, id).await.unwrap();
    assert_eq!(log[0].actor, "creator");
    assert_eq!(log[0].note, "busy");
}

async fn portal_tokens_are_found_by_digest_and_revocable(store: &Store) {
    let (a, b, id, accts) = setup(store).await;
    let ms = store
        .add_members(a, id, &accts[..1], "{}", Actor::System)
        .await
        .unwrap();
    assert!(store
        .create_portal_token(b, ms[0], "h-b", "c", 1)
        .await
        .unwrap()
        .is_none());
    store
        .create_portal_token(a, ms[0], "h-a", "c", 99)
        .await
        .unwrap()
        .unwrap();
    let t = store.portal_token("h-a").await.unwrap().unwrap();
    assert_eq!(
        (t.org_id, t.member_id, t.campaign_id, t.expires_at),
        (a, ms[0], id, 99)
    );
    assert!(t.revoked_at.is_none());
    assert!(store.portal_token("h-b").await.unwrap().is_none());
    assert_eq!(store.revoke_portal_tokens(b, ms[0]).await.unwrap(), 0);
    assert_eq!(store.revoke_portal_tokens(a, ms[0]).await.unwrap(), 1);
    assert!(store
        .portal_token("h-a")
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_some());
}

async fn deliverables_and_submissions(store: &Store) {
    let (a, b, id, accts) = setup(store).await;
    let ms = store
        .add_members(a, id, &accts[..2], "{}", Actor::System)
        .await
        .unwrap();
    let items = [
        NewDeliverable {
            platform: "instagram".into(),
            format: "reel".into(),
            due_at: Some(10),
        },
        NewDeliverable {
            platform: "instagram".into(),
            format: "story".into(),
            due_at: None,
        },
    ];
    assert!(store
        .add_deliverables(b, ms[0], &items)
        .await
        .unwrap()
        .is_empty());
    let ds = store.add_deliverables(a, ms[0], &items).await.unwrap();
    assert_eq!(ds.len(), 2);
    assert_eq!(
        store
            .add_submission(a, ms[1], ds[0], "cap", "[]")
            .await
            .unwrap(),
        None,
        "another member's deliverable"
    );
    assert_eq!(
        store
            .add_submission(b, ms[0], ds[0], "cap", "[]")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .add_submission(a, ms[0], ds[0], "v1", "[]")
            .await
            .unwrap(),
        Some(1)
    );
    assert_eq!(
        store
            .add_submission(a, ms[0], ds[0], "v2", r#"["https://x.test/a.mp4"]"#)
            .await
            .unwrap(),
        Some(2)
    );
    let all = store.deliverables(a, id).await.unwrap();
    assert_eq!(all.len(), 2);
    let d = all.iter().find(|d| d.id == ds[0]).unwrap();
    assert_eq!((d.status.as_str(), d.submissions), ("submitted", 2));
    assert_eq!(d.last_caption.as_deref(), Some("v2"));
    assert!(store.deliverables(b, id).await.unwrap().is_empty());
    assert!(store
        .set_live_url(a, ms[0], ds[0], "https://instagram.com/p/1")
        .await
        .unwrap());
    assert!(!store
        .set_live_url(a, ms[1], ds[1], "https://x")
        .await
        .unwrap());
    assert!(store
        .set_live_url(a, ms[0], ds[1], "https://instagram.com/p/2")
        .await
        .unwrap());
    let mine = store.member_deliverables(a, ms[0]).await.unwrap();
    assert!(mine
        .iter()
        .all(|d| d.status == "live" && d.live_url.is_some()));
    assert!(store
        .set_deliverable_status(a, ds[0], "approved")
        .await
        .unwrap());
    assert!(!store
        .set_deliverable_status(b, ds[0], "approved")
        .await
        .unwrap());
}

async fn outbox_claims_retries_and_gives_up(store: &Store) {
    let a = store.create_org("acme", "Acme").await.unwrap().id;
    let id = store
        .queue_email(a, "x@example.com", "Hi", "Body")
        .await
        .unwrap();
    let now = now_us() + 1;
    let got = store.claim_emails(now, 10, 60_000_000).await.unwrap();
    assert_eq!(got.len(), 1);
    assert!(
        store
            .claim_emails(now, 10, 60_000_000)
            .await
            .unwrap()
            .is_empty(),
        "a claimed email is leased"
    );
    store
        .mark_email_failed(id, "conn refused", Some(now + 5))
        .await
        .unwrap();
    assert!(store.claim_emails(now, 10, 1).await.unwrap().is_empty());
    let again = store.claim_emails(now + 5, 10, 1).await.unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 1));
    store
        .mark_email_failed(id, "still refused", None)
        .await
        .unwrap();
    let e = &store.outbox(a, 10).await.unwrap()[0];
    assert_eq!((e.status.as_str(), e.attempts), ("failed", 2));
    assert_eq!(e.last_error.as_deref(), Some("still refused"));
    let id2 = store
        .queue_email(a, "y@example.com", "Hi", "Body")
        .await
        .unwrap();
    store.claim_emails(now_us() + 1, 10, 1).await.unwrap();
    store.mark_email_sent(id2).await.unwrap();
    let e = store.outbox(a, 10).await.unwrap();
    assert_eq!(e[0].status, "sent");
    assert!(e[0].sent_at.is_some());
}

async fn reminders_are_queued_once(store: &Store) {
    let (a, _b, id, accts) = setup(store).await;
    let ms = store
        .add_members(a, id, &accts[..1], "{}", Actor::System)
        .await
        .unwrap();
    let now = 10_000_000_000i64;
    let day = 86_400_000_000i64;
    store
        .add_deliverables(
            a,
            ms[0],
            &[
                NewDeliverable {
                    platform: "instagram".into(),
                    format: "reel".into(),
                    due_at: Some(now + day),
                },
                NewDeliverable {
                    platform: "instagram".into(),
                    format: "post".into(),
                    due_at: Some(now - day),
                },
                NewDeliverable {
                    platform: "instagram".into(),
                    format: "story".into(),
                    due_at: Some(now + 10 * day),
                },
            ],
        )
        .await
        .unwrap();
    let due = store.reminders_due(now, 2 * day).await.unwrap();
    assert_eq!(due.len(), 2);
    assert_eq!(due.iter().filter(|d| d.late).count(), 1);
    for d in &due {
        assert!(store.queue_reminder(d, "Reminder", "body").await.unwrap());
        assert!(!store.queue_reminder(d, "Reminder", "body").await.unwrap());
    }
    assert!(store.reminders_due(now, 2 * day).await.unwrap().is_empty());
    assert_eq!(store.outbox(a, 10).await.unwrap().len(), 2);
    // When the soon-due one becomes late, it gets the late reminder too.
    assert_eq!(
        store.reminders_due(now + 2 * day, 0).await.unwrap().len(),
        1
    );
}

async fn qualify_rules_are_per_campaign_and_scoped(store: &Store) {
    let (a, b, id, _) = setup(store).await;
    assert!(store.qualify_rule(a, id).await.unwrap().is_none());
    assert!(!store
        .set_qualify_rule(b, id, 50.0, true, false, None)
        .await
        .unwrap());
    assert!(store.qualify_rule(a, id).await.unwrap().is_none());
    assert!(store
        .set_qualify_rule(a, id, 70.0, true, false, None)
        .await
        .unwrap());
    assert!(store
        .set_qualify_rule(a, id, 72.5, false, true, None)
        .await
        .unwrap());
    let r = store.qualify_rule(a, id).await.unwrap().unwrap();
    assert_eq!(
        (r.campaign_id, r.min_score, r.reject_floor, r.reject_high),
        (id, 72.5, false, true)
    );
    assert!(r.updated_at > 0 && r.updated_by.is_none());
    assert!(store.qualify_rule(b, id).await.unwrap().is_none());
    assert!(store
        .set_qualify_rule(a, id, 101.0, true, false, None)
        .await
        .is_err());
}

async fn review_rounds_live_checks_and_milestones(store: &Store) {
    let (a, b, id, accts) = setup(store).await;
    let m = store
        .add_members(a, id, &accts[..1], "{}", Actor::System)
        .await
        .unwrap()[0];
    assert!(store
        .move_member(a, m, "shortlisted", "content_submitted", Actor::System, "")
        .await
        .unwrap());
    let reel = NewDeliverable {
        platform: "instagram".into(),
        format: "reel".into(),
        due_at: None,
    };
    let d = store.add_deliverables(a, m, &[reel]).await.unwrap()[0];
    let upload = NewUpload {
        stored_name: "abc123.png".into(),
        original_name: "cover.png".into(),
        content_type: "image/png".into(),
        size_bytes: 42,
    };
    let draft = |caption| Draft {
        caption,
        media_json: "[]",
        checks_json: Some(r#"{"verdict":"fail","checks":[]}"#),
        verdict: Some("fail"),
        uploads: std::slice::from_ref(&upload),
    };
    assert_eq!(
        store.add_draft(a, m, d, &draft("v1")).await.unwrap(),
        Some(1)
    );
    let got = store.deliverable(a, d).await.unwrap().unwrap();
    assert_eq!(
        (
            got.campaign_id,
            got.last_version,
            got.last_verdict.as_deref()
        ),
        (id, Some(1), Some("fail"))
    );
    assert!(store.deliverable(b, d).await.unwrap().is_none());
    let uid = store.uploads(a, d).await.unwrap()[0].id;
    assert_eq!(store.upload(a, uid).await.unwrap().unwrap().member_id, m);
    assert!(store.upload(b, uid).await.unwrap().is_none());

    let user = store
        .create_user(chorus_store::NewUser {
            org_id: a,
            email: "rev@acme.test",
            name: "Rev",
            password_hash: "-",
            role: chorus_core::Role::Reviewer,
        })
        .await
        .unwrap();
    let changes = Decision {
        member: m,
        deliverable: d,
        version: 1,
        approve: false,
        comments_json: r#"[{"check":"disclosure","text":"add #ad"}]"#,
        reviewer: user.id,
        member_move: Some(("content_submitted", "changes_requested")),
        milestone: None,
        email: Some(("runner0@example.com", "Changes requested", "add #ad")),
    };
    assert!(!store.decide(b, &changes).await.unwrap(), "another org");
    assert!(
        !store
            .decide(
                a,
                &Decision {
                    version: 2,
                    ..changes
                }
            )
            .await
            .unwrap(),
        "not the latest"
    );
    assert!(store.decide(a, &changes).await.unwrap());
    assert!(!store.decide(a, &changes).await.unwrap(), "decided already");
    assert_eq!(
        store.member(a, m).await.unwrap().unwrap().stage,
        "changes_requested"
    );
    assert_eq!(store.outbox(a, 10).await.unwrap().len(), 1);

    assert_eq!(
        store
            .add_draft(
                a,
                m,
                d,
                &Draft {
                    uploads: &[],
                    ..draft("v2")
                }
            )
            .await
            .unwrap(),
        Some(2)
    );
    let approve = Decision {
        version: 2,
        approve: true,
        comments_json: "[]",
        member_move: Some(("changes_requested", "approved")),
        milestone: Some("approved"),
        email: None,
        ..changes
    };
    assert!(store.decide(a, &approve).await.unwrap());
    assert_eq!(
        store.add_draft(a, m, d, &draft("v3")).await.unwrap(),
        None,
        "approved takes no drafts"
    );
    let rounds = store.review_rounds(a, d).await.unwrap();
    assert_eq!(
        rounds
            .iter()
            .map(|r| (r.round, r.version, r.decision.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, 1, "changes_requested"), (2, 2, "approved")]
    );
    assert_eq!(rounds[0].reviewer_email.as_deref(), Some("rev@acme.test"));
    assert_eq!(store.member_review_rounds(a, m).await.unwrap().len(), 2);
    assert!(store.review_rounds(b, d).await.unwrap().is_empty());
    assert_eq!(store.submissions(a, d).await.unwrap().len(), 2);

    assert!(store
        .set_live_url(a, m, d, "https://instagram.com/p/1")
        .await
        .unwrap());
    let check = LiveCheckInput {
        member: m,
        deliverable: d,
        version: 2,
        caption: "no disclosure",
        passed: false,
        report_json: "{}",
        actor: Actor::Creator,
        member_stage: "approved",
    };
    assert!(store.record_live_check(b, &check).await.unwrap().is_none());
    let o = store.record_live_check(a, &check).await.unwrap().unwrap();
    assert!(!o.verified && !o.published);
    assert_eq!(store.member(a, m).await.unwrap().unwrap().stage, "approved");
    let o = store
        .record_live_check(
            a,
            &LiveCheckInput {
                passed: true,
                ..check
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert!(o.verified && o.published);
    assert_eq!(
        store.member(a, m).await.unwrap().unwrap().stage,
        "published"
    );
    assert!(store
        .deliverable(a, d)
        .await
        .unwrap()
        .unwrap()
        .verified_at
        .is_some());
    let o = store
        .record_live_check(
            a,
            &LiveCheckInput {
                passed: true,
                ..check
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert!(o.verified && !o.published, "published once");
    assert_eq!(store.live_checks(a, d).await.unwrap().len(), 3);
    let events: Vec<String> = store
        .milestone_events(a, id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(events, ["approved", "published"]);
    assert!(store.milestone_events(b, id).await.unwrap().is_empty());
}
