//! Campaigns, members, briefs, deal terms, contracts, portal tokens,
//! deliverables and the email outbox (organization-scoped).
