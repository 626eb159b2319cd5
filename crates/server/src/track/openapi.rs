//! The tracking routes in the OpenAPI document. The handlers take raw
//! bodies (signatures are computed over the exact bytes), so the paths are
//! described here, beside the schemas of what they accept and return.

#![allow(dead_code)]

use crate::error::ErrorBody;
use utoipa::ToSchema;

/// An order in Chorus's JSON format (one object, or an array of up to 1000).
#[derive(ToSchema)]
pub struct OrderBody {
    /// The shop's order id; an id already stored is acknowledged, not stored again.
    order_id: String,
    /// RFC 3339 time of the order.
    at: String,
    /// Decimal string, e.g. "80.00".
    amount: String,
    /// ISO 4217 code.
    currency: String,
    /// A stable key of the buyer (e.g. SHA-256 of the lower-cased email).
    customer_key: Option<String>,
    /// The `chorus_cid` the first-party snippet kept.
    click_id: Option<String>,
    codes: Option<Vec<String>>,
    /// Where the shopper came from (for leaked-code evidence).
    referrer: Option<String>,
}

#[derive(ToSchema)]
pub struct RefundBody {
    refund_id: String,
    order_id: String,
    at: String,
    amount: String,
}

/// The outcome for one order or refund, sent after the durable commit.
#[derive(ToSchema)]
pub struct AckBody {
    id: i64,
    external_id: String,
    /// False when this id was already stored: nothing changed.
    created: bool,
    /// `code`, `click`, `customer` or `none`, for a new order.
    rule: Option<String>,
}

#[derive(ToSchema)]
pub struct LinkBodyDoc {
    campaign_id: i64,
    account_id: i64,
    /// http(s) URL; UTM parameters and `chorus_cid` are added on redirect.
    destination: String,
}

#[derive(ToSchema)]
pub struct CodeBodyDoc {
    campaign_id: i64,
    account_id: i64,
    /// The code itself, or give `pattern` such as `{HANDLE}15`.
    code: Option<String>,
    pattern: Option<String>,
    valid_from: Option<String>,
    valid_to: Option<String>,
    single_use: Option<bool>,
}

#[derive(ToSchema)]
pub struct CodeBatchDoc {
    campaign_id: i64,
    /// Member ids; all members of the campaign when empty.
    members: Option<Vec<i64>>,
    /// Codes per member.
    count: i64,
    /// Must contain `{RANDOM}`; default `{HANDLE}{RANDOM}`.
    pattern: Option<String>,
    /// Seed of the generator (random and returned when absent).
    seed: Option<u64>,
    valid_from: Option<String>,
    valid_to: Option<String>,
}

#[derive(ToSchema)]
pub struct SettingsDoc {
    /// `last`, `first` or `linear`.
    model: Option<String>,
    shopify_secret: Option<String>,
}

#[derive(ToSchema)]
pub struct RerunDoc {
    campaign_id: Option<i64>,
    since: Option<String>,
}

#[derive(ToSchema)]
pub struct IdentifyDoc {
    click_id: String,
    customer_key: String,
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        redirect,
        snippet,
        identify,
        post_orders,
        list_orders,
        get_order,
        post_refunds,
        import_orders,
        import_refunds,
        shopify,
        list_links,
        create_link,
        get_link,
        disable_link,
        list_codes,
        create_code,
        import_codes,
        code_batch,
        get_settings,
        put_settings,
        rotate_secret,
        rerun,
        performance,
        leaked_codes
    ),
    components(schemas(
        OrderBody,
        RefundBody,
        AckBody,
        LinkBodyDoc,
        CodeBodyDoc,
        CodeBatchDoc,
        SettingsDoc,
        RerunDoc,
        IdentifyDoc
    ))
)]
pub struct TrackingApiDoc;

#[utoipa::path(get, path = "/r/{code}", tag = "tracking", security(()),
    params(("code" = String, Path, description = "The link's short code")),
    responses((status = 302, description = "To the destination with UTM parameters and `chorus_cid`; the click is logged"),
              (status = 404, description = "Unknown or disabled link")))]
fn redirect() {}

#[utoipa::path(get, path = "/t.js", tag = "tracking", security(()),
    params(("k" = String, Query, description = "The organization's public key"),
           ("days" = Option<u32>, Query, description = "Cookie lifetime, 1–180 days (default 30)")),
    responses((status = 200, description = "The first-party snippet (JavaScript)")))]
fn snippet() {}

#[utoipa::path(post, path = "/api/v1/identify", tag = "tracking", security(()),
    params(("k" = String, Query, description = "The organization's public key")),
    request_body = IdentifyDoc,
    responses((status = 204, description = "Recorded"), (status = 400, body = ErrorBody)))]
fn identify() {}

#[utoipa::path(post, path = "/api/v1/orders", tag = "tracking", request_body = OrderBody,
    params(("Chorus-Org" = Option<String>, Header, description = "Organization slug, for signed requests"),
           ("Chorus-Signature" = Option<String>, Header, description = "`t=<unix>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>`; or use a bearer token")),
    responses((status = 201, body = AckBody, description = "Stored and durable"),
              (status = 200, body = AckBody, description = "Already stored (idempotent on order_id)"),
              (status = 401, body = ErrorBody, description = "Bad, stale (> 5 min) or replayed signature"),
              (status = 400, body = ErrorBody)))]
fn post_orders() {}

#[utoipa::path(get, path = "/api/v1/orders", tag = "tracking",
    params(("since" = Option<String>, Query, description = "RFC 3339")),
    responses((status = 200, description = "Orders in time order")))]
fn list_orders() {}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "tracking", params(("id" = i64, Path)),
    responses((status = 200, description = "The order, its attribution and refunds"), (status = 404, body = ErrorBody)))]
fn get_order() {}

#[utoipa::path(post, path = "/api/v1/refunds", tag = "tracking", request_body = RefundBody,
    responses((status = 201, body = AckBody), (status = 200, body = AckBody), (status = 401, body = ErrorBody)))]
fn post_refunds() {}

#[utoipa::path(post, path = "/api/v1/imports/orders", tag = "tracking",
    request_body(content = String, content_type = "text/csv", description = "order_id,at,amount,currency,customer_key,click_id,codes,referrer"),
    responses((status = 200, description = "Rows, created, duplicates, failed, and located row errors")))]
fn import_orders() {}

#[utoipa::path(post, path = "/api/v1/imports/refunds", tag = "tracking",
    request_body(content = String, content_type = "text/csv", description = "refund_id,order_id,at,amount"),
    responses((status = 200, description = "Rows, created, duplicates, failed, and located row errors")))]
fn import_refunds() {}

#[utoipa::path(post, path = "/webhooks/shopify/{org}", tag = "tracking", security(()),
    params(("org" = String, Path, description = "Organization slug"),
           ("X-Shopify-Hmac-Sha256" = String, Header, description = "Base64 HMAC-SHA256 of the body with the shop's secret"),
           ("X-Shopify-Topic" = String, Header, description = "`orders/create`, `orders/paid` or `refunds/create`")),
    request_body(content = String, content_type = "application/json", description = "Shopify's webhook payload"),
    responses((status = 200, body = AckBody), (status = 202, description = "Topic ignored"), (status = 401, body = ErrorBody)))]
fn shopify() {}

#[utoipa::path(get, path = "/api/v1/links", tag = "tracking", responses((status = 200, description = "Tracking links")))]
fn list_links() {}

#[utoipa::path(post, path = "/api/v1/links", tag = "tracking", request_body = LinkBodyDoc,
    responses((status = 201, description = "Created"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
fn create_link() {}

#[utoipa::path(get, path = "/api/v1/links/{id}", tag = "tracking", params(("id" = i64, Path)),
    responses((status = 200, description = "The link"), (status = 404, body = ErrorBody)))]
fn get_link() {}

#[utoipa::path(post, path = "/api/v1/links/{id}/disable", tag = "tracking", params(("id" = i64, Path)),
    responses((status = 200, description = "Disabled; redirects stop at once"), (status = 404, body = ErrorBody)))]
fn disable_link() {}

#[utoipa::path(get, path = "/api/v1/promo-codes", tag = "tracking", responses((status = 200, description = "Promo codes")))]
fn list_codes() {}

#[utoipa::path(post, path = "/api/v1/promo-codes", tag = "tracking", request_body = CodeBodyDoc,
    responses((status = 201, description = "Created"), (status = 400, body = ErrorBody)))]
fn create_code() {}

#[utoipa::path(post, path = "/api/v1/promo-codes/import", tag = "tracking",
    params(("campaign_id" = i64, Query)),
    request_body(content = String, content_type = "text/csv", description = "handle (or member),code[,platform,valid_from,valid_to,single_use]"),
    responses((status = 200, description = "Rows, created, failed, and located row errors"), (status = 404, body = ErrorBody)))]
fn import_codes() {}

#[utoipa::path(post, path = "/api/v1/promo-codes/batches", tag = "tracking", request_body = CodeBatchDoc,
    responses((status = 201, description = "The batch id, its seed and the single-use codes"), (status = 400, body = ErrorBody)))]
fn code_batch() {}

#[utoipa::path(get, path = "/api/v1/attribution/settings", tag = "tracking",
    responses((status = 200, description = "Model, snippet public key, whether secrets are set")))]
fn get_settings() {}

#[utoipa::path(put, path = "/api/v1/attribution/settings", tag = "tracking", request_body = SettingsDoc,
    responses((status = 200, description = "The settings"), (status = 403, body = ErrorBody)))]
fn put_settings() {}

#[utoipa::path(post, path = "/api/v1/attribution/webhook-secret", tag = "tracking",
    responses((status = 200, description = "The new signing secret, shown once"), (status = 403, body = ErrorBody)))]
fn rotate_secret() {}

#[utoipa::path(post, path = "/api/v1/attribution/rerun", tag = "tracking", request_body = RerunDoc,
    responses((status = 200, description = "Orders re-attributed and how many changed")))]
fn rerun() {}

#[utoipa::path(get, path = "/api/v1/reports/performance", tag = "tracking",
    params(("by" = Option<String>, Query, description = "`creator` or `campaign`"),
           ("from" = Option<String>, Query, description = "YYYY-MM-DD"),
           ("to" = Option<String>, Query, description = "YYYY-MM-DD"),
           ("format" = Option<String>, Query, description = "`json` or `csv`")),
    responses((status = 200, description = "Clicks, orders, revenue, refunds by day, and the delay histogram")))]
fn performance() {}

#[utoipa::path(get, path = "/api/v1/reports/leaked-codes", tag = "tracking",
    params(("campaign_id" = Option<i64>, Query), ("min_orders" = Option<usize>, Query, description = "Default 5")),
    responses((status = 200, description = "Codes whose orders mostly came without a prior click from their creator and from coupon sites, with the evidence")))]
fn leaked_codes() {}
