//! Tracking links, clicks, promo codes, orders, refunds and attributions
//! (organization-scoped).
