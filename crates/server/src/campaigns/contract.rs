//! Contracts: one template rendered per member to exact text, its SHA-256,
//! an HTML view and a PDF (with an audit-trail page once signed).
//!
//! The text is the document: HTML and PDF are views of it, and the hash is
//! over its UTF-8 bytes. Signing and every download recompute the hash, so a
//! stored text that was changed afterwards is detected.

use super::brief::{merge, CampaignBrief, MergeError, MergeValues};
use super::terms::DealTerms;
use crate::pdf::{wrap, Document};
use sha2::{Digest, Sha256};

pub const DEFAULT_TEMPLATE: &str = "\
CREATOR AGREEMENT — {{campaign}}

Between {{brand}} (\"the Brand\") and {{creator_name}} ({{handle}}, \"the Creator\").

1. Work. The Creator will create and publish: {{deliverables}}.
   Due dates: {{due_dates}}.
2. Brief. The Creator follows the campaign brief for {{product}}, which states the
   outcome, not a script; the Creator keeps creative control of voice and format.
   Every post carries the required disclosure.
3. Fee. Base fee: {{fee}}, paid {{milestones}}.
   Performance component: {{performance}}.
   Tracking link: {{tracking_link}}. Promo code: {{promo_code}}.
   Commissions are held for {{hold_days}} days before they become payable.
4. Exclusivity. {{exclusivity}}
5. Usage rights. {{usage_rights}}
6. Signature. Typing your legal name and confirming below signs this agreement
   electronically; the time, IP address, browser and the SHA-256 of this text
   are recorded.
";

/// Every merge field a contract template may use.
pub fn contract_values(
    base: &MergeValues,
    campaign: &str,
    product: &str,
    brand: &str,
    terms: &DealTerms,
) -> MergeValues {
    let mut v = base.clone();
    // A member without a link or code reads "none" in the contract text.
    for key in ["tracking_link", "promo_code"] {
        if let Some(value) = v.get_mut(key).filter(|value| value.is_empty()) {
            *value = "none".into();
        }
    }
    v.insert("campaign", campaign.to_string());
    v.insert("product", product.to_string());
    v.insert("brand", brand.to_string());
    v.insert("milestones", terms.milestones_text());
    v.insert("performance", terms.performance_text());
    v.insert("hold_days", terms.hold_days.to_string());
    v.insert(
        "exclusivity",
        if terms.exclusivity_days == 0 {
            "None.".to_string()
        } else if terms.competitors.is_empty() {
            format!(
                "For {} days after publishing, no paid posts for competing products.",
                terms.exclusivity_days
            )
        } else {
            format!(
                "For {} days after publishing, no paid posts for: {}.",
                terms.exclusivity_days,
                terms.competitors.join(", ")
            )
        },
    );
    v.insert(
        "usage_rights",
        if terms.usage_rights_days == 0 {
            "The Brand may share the posts organically; no paid usage.".to_string()
        } else {
            format!(
                "The Brand may use the content in its own channels and ads for {} days.",
                terms.usage_rights_days
            )
        },
    );
    v
}

/// The merge values of one member (brief fields and deal terms). A member
/// with no tracking link or promo code (own or the campaign's) gets an empty
/// value, which the brief treats as absent.
pub fn member_values(
    creator_name: &str,
    handle: &str,
    brief: &CampaignBrief,
    terms: &DealTerms,
    tracking_link: Option<&str>,
    promo_code: Option<&str>,
) -> MergeValues {
    let mut v = MergeValues::new();
    v.insert("creator_name", creator_name.to_string());
    v.insert("handle", format!("@{handle}"));
    v.insert("fee", terms.fee_text());
    v.insert("deliverables", brief.deliverables_text());
    v.insert("due_dates", brief.due_dates_text());
    let or = |own: Option<&str>, campaign: &Option<String>| {
        own.filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| campaign.clone())
            .unwrap_or_default()
    };
    v.insert("tracking_link", or(tracking_link, &brief.tracking_link));
    v.insert("promo_code", or(promo_code, &brief.promo_code));
    v
}

pub fn render(template: &str, values: &MergeValues) -> Result<String, MergeError> {
    merge(template, values)
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// What the audit-trail page of a signed contract shows.
pub struct AuditTrail {
    pub contract_version: i64,
    pub stored_hash: String,
    pub recomputed_hash: String,
    pub sent_at: String,
    pub signer_name: String,
    pub signed_at: String,
    pub signer_ip: String,
    pub signer_user_agent: String,
    pub signed_hash: String,
}

/// A PDF of the contract text; with an audit trail, one more page with it.
pub fn pdf(title: &str, text: &str, audit: Option<&AuditTrail>) -> Vec<u8> {
    let mut doc = Document::new(title);
    doc.paragraph(text);
    if let Some(a) = audit {
        doc.page_break();
        doc.line("AUDIT TRAIL");
        doc.blank();
        doc.line(&format!(
            "Document: {title}, version {}",
            a.contract_version
        ));
        doc.line(&format!("Sent: {}", a.sent_at));
        doc.line(&format!("Signed by (typed legal name): {}", a.signer_name));
        doc.line(&format!("Signed at: {}", a.signed_at));
        doc.line(&format!("IP address: {}", a.signer_ip));
        doc.blank();
        doc.line("Browser (user agent):");
        for l in wrap(&a.signer_user_agent, 92) {
            doc.line(&format!("  {l}"));
        }
        doc.blank();
        for (label, hash) in [
            ("SHA-256 of the text the signer agreed to:", &a.signed_hash),
            ("SHA-256 stored when the contract was sent:", &a.stored_hash),
            ("SHA-256 of the text in this document:", &a.recomputed_hash),
        ] {
            doc.line(label);
            doc.line(&format!("  {hash}"));
        }
        doc.blank();
        doc.line(
            if a.recomputed_hash == a.signed_hash && a.stored_hash == a.signed_hash {
                "Integrity: the text is unchanged since it was signed."
            } else {
                "INTEGRITY WARNING: the text differs from what was signed."
            },
        );
    }
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief() -> CampaignBrief {
        CampaignBrief::parse(r#"{"deliverables": [{"platform": "instagram", "format": "reel", "count": 2, "due": "2026-05-01"}], "promo_code": "SPRING"}"#).unwrap()
    }

    #[test]
    fn a_member_without_link_or_code_reads_none_in_the_contract_and_has_none_to_check() {
        let t = DealTerms::default_for(chorus_core::Currency::USD);
        let b = CampaignBrief::parse(r#"{"key_message": "Code {{promo_code}}"}"#).unwrap();
        let v = member_values("Maya", "maya", &b, &t, None, None);
        assert_eq!(v["tracking_link"], "");
        let text = render(DEFAULT_TEMPLATE, &contract_values(&v, "S", "P", "B", &t)).unwrap();
        assert!(
            text.contains("Tracking link: none. Promo code: none."),
            "{text}"
        );
        let rendered = b.render(&v).unwrap();
        assert_eq!(rendered.tracking_link, None);
        assert_eq!(rendered.promo_code, None);
        assert_eq!(rendered.key_message.as_deref(), Some("Code "));
        let own = member_values(
            "Maya",
            "maya",
            &b,
            &t,
            Some("https://c.example/r/x"),
            Some("MAYA15"),
        );
        let rendered = b.render(&own).unwrap();
        assert_eq!(rendered.promo_code.as_deref(), Some("MAYA15"));
    }

    #[test]
    fn every_member_gets_their_own_text_and_hash() {
        let t = DealTerms::parse(r#"{"currency": "USD", "base_fee": "800.00", "milestones": [{"event": "signed", "share": "1"}], "exclusivity_days": 30, "competitors": ["Acme"]}"#).unwrap();
        let b = brief();
        let render_for = |name: &str, handle: &str| {
            let v = member_values(name, handle, &b, &t, None, Some("MAYA15"));
            let v = contract_values(&v, "Spring", "Trail shoe", "Brand", &t);
            render(DEFAULT_TEMPLATE, &v).unwrap()
        };
        let a = render_for("Maya", "maya");
        let z = render_for("Zoe", "zoe");
        assert!(a.contains("Maya (@maya"));
        assert!(a.contains("800.00 USD, paid 100% on signed"));
        assert!(a.contains("2 × instagram reel (due 2026-05-01)"));
        assert!(a.contains("Promo code: MAYA15"));
        assert!(a.contains("no paid posts for: Acme"));
        assert_ne!(sha256_hex(&a), sha256_hex(&z));
        assert_eq!(sha256_hex(&a), sha256_hex(&a.clone()));
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn unknown_fields_in_templates_are_named() {
        let v = MergeValues::new();
        let e = render("Dear {{nickname}}", &v).unwrap_err();
        assert!(e.to_string().contains("nickname"));
    }

    #[test]
    fn pdf_has_pages_and_an_audit_trail() {
        let text = "Line one — with a dash\n".repeat(120);
        let plain = pdf("Contract", &text, None);
        assert!(plain.starts_with(b"%PDF-"));
        let s = String::from_utf8_lossy(&plain);
        assert!(s.contains("/Count 3"), "120 lines → 3 pages");
        let audit = AuditTrail {
            contract_version: 2,
            stored_hash: "h".into(),
            recomputed_hash: "h".into(),
            sent_at: "2026-01-01".into(),
            signer_name: "Maya Runner".into(),
            signed_at: "2026-01-02".into(),
            signer_ip: "203.0.113.9".into(),
            signer_user_agent: "Mozilla/5.0".into(),
            signed_hash: "h".into(),
        };
        let signed = pdf("Contract", &text, Some(&audit));
        let s = String::from_utf8_lossy(&signed);
        assert!(s.contains("/Count 4"));
        assert!(s.contains("Maya Runner") && s.contains("AUDIT TRAIL"));
        assert!(s.contains("unchanged since it was signed"));
    }
}
