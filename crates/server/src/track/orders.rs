//! Order and refund ingestion: Chorus's JSON (`POST /api/v1/orders`,
//! `/api/v1/refunds`, signed or with an API token), Shopify's
//! `orders/create` and `refunds/create` webhooks, and CSV files. Every path
//! ends in the same two steps: a committed, idempotent insert (the response
//! is sent only after it), then attribution of the order.

use super::attribute::{attribute_order, email_key};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chorus_attribution::signing;
use chorus_core::import::RowError;
use chorus_core::{Currency, Money, OrgId, Role};
use chorus_store::tracking::{NewOrder, NewRefund};
use chorus_store::Store;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Read;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most orders accepted in one JSON array.
const MAX_BATCH: usize = 1000;
/// Header naming the organization of a signed request.
pub const ORG_HEADER: &str = "Chorus-Org";

/// An order in Chorus's JSON format.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderIn {
    #[serde(deserialize_with = "string_or_number")]
    pub order_id: String,
    /// RFC 3339.
    pub at: String,
    /// Decimal string, e.g. `"80.00"`.
    pub amount: String,
    pub currency: String,
    pub customer_key: Option<String>,
    pub click_id: Option<String>,
    #[serde(default)]
    pub codes: Option<Vec<String>>,
    /// Where the shopper came from, for leaked-code evidence.
    pub referrer: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RefundIn {
    #[serde(deserialize_with = "string_or_number")]
    pub refund_id: String,
    #[serde(deserialize_with = "string_or_number")]
    pub order_id: String,
    pub at: String,
    pub amount: String,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number, got {other}"
        ))),
    }
}

/// The outcome for one order or refund.
#[derive(Debug, Clone, Serialize)]
pub struct Ack {
    pub id: i64,
    pub external_id: String,
    /// False when this id was already stored: nothing changed.
    pub created: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

struct Field(&'static str, String);

fn parse_time(field: &'static str, s: &str) -> Result<i64, Field> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp_micros())
        .map_err(|_| Field(field, format!("{s:?} is not an RFC 3339 time")))
}

fn parse_money(field: &'static str, amount: &str, currency: &str) -> Result<(String, i64), Field> {
    let c = Currency::parse(currency).map_err(|e| Field("currency", e.to_string()))?;
    let d = Decimal::from_str(amount.trim())
        .map_err(|_| Field(field, format!("{amount:?} is not a decimal amount")))?;
    if d.is_sign_negative() {
        return Err(Field(field, "must not be negative".into()));
    }
    let m = Money::from_decimal_exact(d, c).map_err(|e| Field(field, e.to_string()))?;
    Ok((d.to_string(), m.minor))
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// An order that passed validation, owned so it can wait in the commit queue.
#[derive(Debug, Clone)]
pub struct ValidOrder {
    pub external_id: String,
    at: i64,
    amount: String,
    amount_minor: i64,
    currency: String,
    customer_key: Option<String>,
    click_id: Option<String>,
    codes: Vec<String>,
    referrer: Option<String>,
    source: String,
    raw: String,
}

impl ValidOrder {
    pub fn as_new(&self) -> NewOrder<'_> {
        NewOrder {
            external_id: &self.external_id,
            at: self.at,
            amount: &self.amount,
            amount_minor: self.amount_minor,
            currency: &self.currency,
            customer_key: self.customer_key.as_deref(),
            click_id: self.click_id.as_deref(),
            codes: &self.codes,
            referrer: self.referrer.as_deref(),
            source: &self.source,
            raw: &self.raw,
        }
    }
}

/// Check an order and bring it to stored form (times in microseconds,
/// amounts exact with their minor units).
pub fn validate_order(o: &OrderIn, source: &str, raw: &str) -> Result<ValidOrder, IngestError> {
    let id = o.order_id.trim();
    if id.is_empty() || id.len() > 200 {
        return Err(IngestError::field(
            "order_id",
            "must be 1 to 200 characters",
        ));
    }
    let at = parse_time("at", &o.at)?;
    let (amount, minor) = parse_money("amount", &o.amount, &o.currency)?;
    let currency = Currency::parse(&o.currency).map_err(|e| Field("currency", e.to_string()))?;
    let codes: Vec<String> = o
        .codes
        .iter()
        .flatten()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .take(50)
        .collect();
    let owned = |s: Option<&str>| non_empty(s).map(str::to_string);
    Ok(ValidOrder {
        external_id: id.to_string(),
        at,
        amount,
        amount_minor: minor,
        currency: currency.code().to_string(),
        customer_key: owned(o.customer_key.as_deref()),
        click_id: owned(o.click_id.as_deref()),
        codes,
        referrer: owned(o.referrer.as_deref()),
        source: source.to_string(),
        raw: raw.to_string(),
    })
}

/// Validate, store (committed) and attribute one order, alone: the CSV
/// import and the CLI use this; the HTTP endpoints go through the group
/// commit of [`super::commit`].
pub async fn store_order(
    store: &Store,
    org: OrgId,
    o: &OrderIn,
    source: &str,
    raw: &str,
) -> Result<Ack, IngestError> {
    let v = validate_order(o, source, raw)?;
    let ing = store.ingest_order(org, &v.as_new()).await?;
    let mut rule = None;
    if ing.created {
        // The order is durable; a failed attribution is retried at start-up.
        match attribute_order(store, org, ing.id).await {
            Ok(a) => rule = Some(a.rule),
            Err(e) => tracing::error!(error = %e, order = v.external_id, "attributing an order"),
        }
    }
    Ok(Ack {
        id: ing.id,
        external_id: v.external_id,
        created: ing.created,
        rule,
    })
}

/// Validate orders received over HTTP and hand the valid ones to the group
/// commit; every result arrives after its order's durable commit.
async fn commit_orders(
    st: &AppState,
    org: OrgId,
    orders: Vec<Result<ValidOrder, IngestError>>,
) -> Vec<Result<Ack, IngestError>> {
    let mut waits = Vec::with_capacity(orders.len());
    for o in orders {
        waits.push(match o {
            Ok(v) => Ok(st.tracking.commit_order(&st.store, org, v).await),
            Err(e) => Err(e),
        });
    }
    let mut out = Vec::with_capacity(waits.len());
    for w in waits {
        out.push(match w {
            Ok(rx) => rx
                .await
                .unwrap_or_else(|_| Err(IngestError::Failed("the commit queue stopped".into()))),
            Err(e) => Err(e),
        });
    }
    out
}

/// Validate, store (committed) a refund and re-attribute its order.
pub async fn store_refund(
    store: &Store,
    org: OrgId,
    r: &RefundIn,
    source: &str,
    raw: &str,
) -> Result<Ack, IngestError> {
    let id = r.refund_id.trim();
    if id.is_empty() || id.len() > 200 {
        return Err(IngestError::field(
            "refund_id",
            "must be 1 to 200 characters",
        ));
    }
    let at = parse_time("at", &r.at)?;
    let order = store
        .order_by_external_id(org, r.order_id.trim())
        .await?
        .ok_or_else(|| IngestError::field("order_id", "no such order"))?;
    let (amount, minor) = parse_money("amount", &r.amount, &order.currency)?;
    let ing = store
        .ingest_refund(
            org,
            &NewRefund {
                order_external_id: &order.external_id,
                external_id: id,
                at,
                amount: &amount,
                amount_minor: minor,
                source,
                raw,
            },
        )
        .await?
        .ok_or_else(|| IngestError::field("order_id", "no such order"))?;
    if ing.created {
        if let Err(e) = attribute_order(store, org, order.id).await {
            tracing::error!(error = %e, refund = id, "re-attributing a refunded order");
        }
    }
    Ok(Ack {
        id: ing.id,
        external_id: id.to_string(),
        created: ing.created,
        rule: None,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}: {1}")]
    Field(&'static str, String),
    #[error(transparent)]
    Store(#[from] chorus_store::StoreError),
    /// The batch this order was committed with failed.
    #[error("storing the order failed: {0}")]
    Failed(String),
}

impl IngestError {
    fn field(f: &'static str, why: &str) -> IngestError {
        IngestError::Field(f, why.to_string())
    }
}

impl From<Field> for IngestError {
    fn from(f: Field) -> Self {
        IngestError::Field(f.0, f.1)
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> ApiError {
        match e {
            IngestError::Field(..) => ApiError::Invalid(e.to_string()),
            IngestError::Store(s) => s.into(),
            IngestError::Failed(m) => ApiError::Internal(anyhow::anyhow!(m)),
        }
    }
}

fn signature_error(message: String) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": {"code": "bad_signature", "message": message}})),
    )
        .into_response()
}

fn ingest_role(r: Role) -> bool {
    r.can_manage() || r.can_pay()
}

/// How long an organization's ingestion secrets, once read, are used
/// before being read from the store again. A change made through this
/// server applies at once; one made through another instance applies here
/// within this time.
pub const SECRETS_TTL: Duration = Duration::from_secs(2);

/// An organization's ingestion secrets, as last read.
#[derive(Clone)]
pub(crate) struct OrgSecrets {
    pub org: OrgId,
    pub webhook: Option<String>,
    pub shopify: Option<String>,
}

/// Organizations' ingestion secrets by slug (including "no such
/// organization"), so that a signed request costs no database round trip.
#[derive(Default)]
pub struct SecretCache {
    by_slug: Mutex<HashMap<String, (Instant, Option<OrgSecrets>)>>,
}

impl SecretCache {
    pub(crate) async fn get(
        &self,
        store: &Store,
        slug: &str,
    ) -> chorus_store::Result<Option<OrgSecrets>> {
        if let Ok(map) = self.by_slug.lock() {
            if let Some((at, s)) = map.get(slug) {
                if at.elapsed() < SECRETS_TTL {
                    return Ok(s.clone());
                }
            }
        }
        let fresh = match store.org_by_slug(slug).await? {
            Some(org) => {
                let t = store.tracking_settings(org.id).await?;
                Some(OrgSecrets {
                    org: org.id,
                    webhook: t.webhook_secret,
                    shopify: t.shopify_secret,
                })
            }
            None => None,
        };
        if let Ok(mut map) = self.by_slug.lock() {
            if map.len() > 10_000 {
                map.retain(|_, (at, _)| at.elapsed() < SECRETS_TTL);
            }
            map.insert(slug.to_string(), (Instant::now(), fresh.clone()));
        }
        Ok(fresh)
    }

    /// Forget everything read: a secret changed.
    pub fn clear(&self) {
        if let Ok(mut map) = self.by_slug.lock() {
            map.clear();
        }
    }
}

/// The organization a request to an ingestion endpoint acts for: from a
/// valid, fresh, unseen `Chorus-Signature`, or from the caller.
async fn authorize(
    st: &AppState,
    caller: Option<Caller>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<OrgId, Response> {
    let Some(sig) = headers.get(signing::HEADER).and_then(|v| v.to_str().ok()) else {
        let c = caller.ok_or_else(|| ApiError::Unauthenticated.into_response())?;
        c.require(ingest_role)
            .map_err(IntoResponse::into_response)?;
        return Ok(c.org());
    };
    let slug = headers
        .get(ORG_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            signature_error(format!(
                "a signed request names its organization in {ORG_HEADER}"
            ))
        })?;
    let secrets = st
        .tracking
        .secrets
        .get(&st.store, slug.trim())
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    let (org, secret) = secrets
        .and_then(|s| Some((s.org, s.webhook?)))
        .ok_or_else(|| signature_error("unknown organization or no webhook secret".into()))?;
    let now = chrono::Utc::now().timestamp();
    signing::verify(
        secret.as_bytes(),
        sig,
        body,
        now,
        signing::DEFAULT_TOLERANCE_S,
    )
    .map_err(|e| signature_error(e.to_string()))?;
    let mut seen = st
        .tracking
        .seen_signatures
        .lock()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("lock poisoned")).into_response())?;
    if seen.len() > 100_000 {
        seen.retain(|_, exp| *exp > now);
    }
    let key = format!("{}:{sig}", org.0);
    if seen.get(&key).is_some_and(|exp| *exp > now) {
        return Err(signature_error(
            "this signature was already used; sign each delivery anew".into(),
        ));
    }
    // Kept past the tolerance on both sides, so it outlives its validity.
    seen.insert(key, now + 2 * signing::DEFAULT_TOLERANCE_S + 1);
    Ok(org)
}

fn one_or_many<T: for<'de> Deserialize<'de>>(body: &[u8]) -> ApiResult<(Vec<T>, bool)> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::Invalid(format!("body is not JSON: {e}")))?;
    let many = v.is_array();
    let items: Vec<T> = if many {
        serde_json::from_value(v)
    } else {
        serde_json::from_value(v).map(|x| vec![x])
    }
    .map_err(|e| ApiError::Invalid(format!("body: {e}")))?;
    if items.len() > MAX_BATCH {
        return Err(ApiError::Invalid(format!(
            "at most {MAX_BATCH} items per request"
        )));
    }
    Ok((items, many))
}

fn ack_response(results: Vec<Result<Ack, IngestError>>, many: bool) -> Response {
    if !many {
        return match results.into_iter().next() {
            Some(Ok(a)) => {
                let status = if a.created {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                };
                (status, Json(a)).into_response()
            }
            Some(Err(e)) => ApiError::from(e).into_response(),
            None => ApiError::Invalid("empty body".into()).into_response(),
        };
    }
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(a) => items.push(a),
            Err(e @ (IngestError::Store(_) | IngestError::Failed(_))) => {
                return ApiError::from(e).into_response()
            }
            Err(e) => errors.push(json!({"index": i, "message": e.to_string()})),
        }
    }
    Json(json!({"items": items, "errors": errors})).into_response()
}

pub async fn post_orders(
    State(st): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let org = match authorize(&st, caller, &headers, &body).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (orders, many) = match one_or_many::<OrderIn>(&body) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let raw = String::from_utf8_lossy(&body);
    let valid = orders
        .iter()
        .map(|o| {
            let raw_one = if many {
                serde_json::to_string(&json!({"order_id": o.order_id})).unwrap_or_default()
            } else {
                raw.to_string()
            };
            validate_order(o, "api", &raw_one)
        })
        .collect();
    ack_response(commit_orders(&st, org, valid).await, many)
}

pub async fn post_refunds(
    State(st): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let org = match authorize(&st, caller, &headers, &body).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (refunds, many) = match one_or_many::<RefundIn>(&body) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let raw = String::from_utf8_lossy(&body).to_string();
    let mut results = Vec::with_capacity(refunds.len());
    for r in &refunds {
        results.push(store_refund(&st.store, org, r, "api", &raw).await);
    }
    ack_response(results, many)
}

#[derive(Deserialize)]
pub struct ListQuery {
    pub since: Option<String>,
}

pub async fn list_orders(
    State(st): State<AppState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let since = match q.since.as_deref() {
        Some(s) => Some(
            parse_time("since", s).map_err(|f| ApiError::Invalid(format!("{}: {}", f.0, f.1)))?,
        ),
        None => None,
    };
    Ok(Json(
        json!({"items": st.store.list_orders(c.org(), since).await?}),
    ))
}

pub async fn get_order(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let order = st
        .store
        .order(c.org(), id)
        .await?
        .ok_or(ApiError::NotFound("order"))?;
    let attribution = st.store.attribution(c.org(), id).await?;
    let refunds = st.store.refunds_of(c.org(), Some(&[id])).await?;
    Ok(Json(
        json!({"order": order, "attribution": attribution, "refunds": refunds}),
    ))
}

// ---- Shopify ----

#[derive(Deserialize)]
struct ShopifyCode {
    code: String,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    value: Value,
}

#[derive(Deserialize)]
struct ShopifyCustomer {
    email: Option<String>,
    id: Option<Value>,
}

/// One side of a Shopify `*_set`: an amount and its currency.
#[derive(Deserialize)]
struct ShopifyMoney {
    amount: Value,
    currency_code: Option<String>,
}

/// Shopify's `*_set` pair; the shop's currency is the one stored.
#[derive(Deserialize)]
struct ShopifyMoneySet {
    shop_money: Option<ShopifyMoney>,
}

/// The fields of Shopify's order payload that attribution needs. Every
/// other field of the payload is ignored (and kept in the raw copy); lists
/// and objects Shopify may send as `null` are optional.
#[derive(Deserialize)]
struct ShopifyOrder {
    id: Value,
    created_at: String,
    total_price: Option<Value>,
    total_price_set: Option<ShopifyMoneySet>,
    currency: Option<String>,
    discount_codes: Option<Vec<ShopifyCode>>,
    landing_site: Option<String>,
    referring_site: Option<String>,
    note_attributes: Option<Vec<NameValue>>,
    customer: Option<ShopifyCustomer>,
    email: Option<String>,
    contact_email: Option<String>,
}

#[derive(Deserialize)]
struct ShopifyTransaction {
    amount: Value,
    kind: Option<String>,
    status: Option<String>,
}

#[derive(Deserialize)]
struct ShopifyRefundLine {
    subtotal: Option<Value>,
    total_tax: Option<Value>,
    subtotal_set: Option<ShopifyMoneySet>,
    total_tax_set: Option<ShopifyMoneySet>,
}

#[derive(Deserialize)]
struct ShopifyShippingRefund {
    subtotal_amount_set: Option<ShopifyMoneySet>,
}

#[derive(Deserialize)]
struct ShopifyRefund {
    id: Value,
    order_id: Value,
    created_at: Option<String>,
    processed_at: Option<String>,
    transactions: Option<Vec<ShopifyTransaction>>,
    refund_line_items: Option<Vec<ShopifyRefundLine>>,
    refund_shipping_lines: Option<Vec<ShopifyShippingRefund>>,
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An amount Shopify sends as a decimal string (`"89.99"`) or, in some
/// places, a JSON number (`89.99`); both are read exactly from their text.
fn shopify_decimal(field: &'static str, v: &Value) -> Result<Decimal, IngestError> {
    let text = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        other => {
            return Err(IngestError::Field(
                field,
                format!("{other} is not an amount"),
            ))
        }
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| IngestError::Field(field, format!("{text:?} is not a decimal amount")))
}

fn shop_money(set: Option<&ShopifyMoneySet>) -> Option<&ShopifyMoney> {
    set.and_then(|s| s.shop_money.as_ref())
}

/// `chorus_cid` from a landing path such as `/products/x?chorus_cid=K&utm_source=…`.
pub fn cid_from_url(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == super::redirect::CID_PARAM)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// Shopify's order in Chorus's terms: the total in the shop's currency
/// (`total_price`, else `total_price_set.shop_money`), the discount codes,
/// the click id from a `chorus_cid` cart attribute or the landing URL, and
/// the customer as a hashed email (else Shopify's customer id).
fn shopify_order(o: ShopifyOrder) -> Result<OrderIn, IngestError> {
    let set = shop_money(o.total_price_set.as_ref());
    let amount = match (&o.total_price, set) {
        (Some(v), _) if !v.is_null() => shopify_decimal("total_price", v)?,
        (_, Some(m)) => shopify_decimal("total_price_set", &m.amount)?,
        _ => return Err(IngestError::field("total_price", "is missing")),
    };
    let currency = non_empty(o.currency.as_deref())
        .or_else(|| set.and_then(|m| non_empty(m.currency_code.as_deref())))
        .ok_or_else(|| IngestError::field("currency", "is missing"))?
        .to_string();
    let click_id = o
        .note_attributes
        .iter()
        .flatten()
        .find(|a| a.name.trim() == super::redirect::CID_PARAM)
        .filter(|a| !a.value.is_null())
        .map(|a| value_text(&a.value).trim().to_string())
        .filter(|v| !v.is_empty())
        .or_else(|| o.landing_site.as_deref().and_then(cid_from_url));
    let email = o
        .customer
        .as_ref()
        .and_then(|c| c.email.clone())
        .into_iter()
        .chain(o.email)
        .chain(o.contact_email)
        .find(|e| !e.trim().is_empty());
    let customer_key = match email {
        Some(e) => Some(email_key(&e)),
        None => o
            .customer
            .as_ref()
            .and_then(|c| c.id.as_ref())
            .filter(|id| !id.is_null())
            .map(|id| format!("shopify-customer:{}", value_text(id))),
    };
    Ok(OrderIn {
        order_id: value_text(&o.id),
        at: o.created_at,
        amount: amount.to_string(),
        currency,
        customer_key,
        click_id,
        codes: Some(
            o.discount_codes
                .into_iter()
                .flatten()
                .map(|c| c.code)
                .collect(),
        ),
        referrer: o.referring_site,
    })
}

/// The money a Shopify refund returned: its successful `refund`
/// transactions; a refund without any (store credit, an order never
/// captured) counts its refunded line items with their tax and any refunded
/// shipping instead.
fn shopify_refund(r: ShopifyRefund) -> Result<RefundIn, IngestError> {
    let mut paid = Decimal::ZERO;
    let mut any = false;
    for t in r.transactions.iter().flatten() {
        let is_refund = t.kind.as_deref().is_none_or(|k| k == "refund");
        let ok = t.status.as_deref().is_none_or(|s| s == "success");
        if is_refund && ok {
            paid += shopify_decimal("transactions.amount", &t.amount)?;
            any = true;
        }
    }
    if !any {
        for l in r.refund_line_items.iter().flatten() {
            let part = |set: Option<&ShopifyMoneySet>, plain: Option<&Value>, field| match (
                shop_money(set),
                plain,
            ) {
                (Some(m), _) => shopify_decimal(field, &m.amount).map(Some),
                (None, Some(v)) if !v.is_null() => shopify_decimal(field, v).map(Some),
                _ => Ok(None),
            };
            paid += part(
                l.subtotal_set.as_ref(),
                l.subtotal.as_ref(),
                "refund_line_items.subtotal",
            )?
            .unwrap_or_default();
            paid += part(
                l.total_tax_set.as_ref(),
                l.total_tax.as_ref(),
                "refund_line_items.total_tax",
            )?
            .unwrap_or_default();
        }
        for s in r.refund_shipping_lines.iter().flatten() {
            if let Some(m) = shop_money(s.subtotal_amount_set.as_ref()) {
                paid += shopify_decimal("refund_shipping_lines.subtotal_amount_set", &m.amount)?;
            }
        }
    }
    let at = r
        .created_at
        .or(r.processed_at)
        .ok_or_else(|| IngestError::field("created_at", "is missing"))?;
    Ok(RefundIn {
        refund_id: format!("shopify:{}", value_text(&r.id)),
        order_id: value_text(&r.order_id),
        at,
        amount: paid.to_string(),
    })
}

/// `POST /webhooks/shopify/{org slug}`: Shopify's `orders/create` and
/// `refunds/create`, verified with the organization's Shopify secret.
pub async fn shopify(
    State(st): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match shopify_inner(&st, &slug, &headers, &body).await {
        Ok(r) => r,
        Err(e) => e,
    }
}

async fn shopify_inner(
    st: &AppState,
    slug: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Response> {
    let api = |e: ApiError| e.into_response();
    let (org, secret) = st
        .tracking
        .secrets
        .get(&st.store, slug)
        .await
        .map_err(|e| api(e.into()))?
        .and_then(|s| Some((s.org, s.shopify?)))
        .ok_or_else(|| signature_error("unknown shop".into()))?;
    let hmac = headers
        .get(signing::SHOPIFY_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| signature_error(format!("{} is missing", signing::SHOPIFY_HEADER)))?;
    signing::verify_shopify(secret.as_bytes(), hmac, body)
        .map_err(|e| signature_error(e.to_string()))?;
    let topic = headers
        .get("x-shopify-topic")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let raw = String::from_utf8_lossy(body);
    let invalid = |e: serde_json::Error| api(ApiError::Invalid(format!("payload: {e}")));
    let ack = match topic {
        "orders/create" | "orders/paid" => {
            let o: ShopifyOrder = serde_json::from_slice(body).map_err(invalid)?;
            let v = shopify_order(o).and_then(|o| validate_order(&o, "shopify", &raw));
            commit_orders(st, org, vec![v])
                .await
                .pop()
                .unwrap_or_else(|| Err(IngestError::Failed("no result".into())))
        }
        "refunds/create" => {
            let r: ShopifyRefund = serde_json::from_slice(body).map_err(invalid)?;
            let r = shopify_refund(r).map_err(|e| api(e.into()))?;
            store_refund(&st.store, org, &r, "shopify", &raw).await
        }
        other => return Ok((StatusCode::ACCEPTED, Json(json!({"ignored": other}))).into_response()),
    }
    .map_err(|e| api(e.into()))?;
    Ok((StatusCode::OK, Json(ack)).into_response())
}

// ---- CSV ----

/// What a CSV import did, row by row.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CsvSummary {
    pub rows: u64,
    pub created: u64,
    pub duplicates: u64,
    pub failed: u64,
    pub errors: Vec<RowError>,
}

fn row_error(line: u64, e: IngestError) -> Result<RowError, chorus_store::StoreError> {
    match e {
        IngestError::Field(f, why) => Ok(RowError {
            line,
            field: f.to_string(),
            reason: why,
        }),
        IngestError::Store(s) => Err(s),
        IngestError::Failed(m) => Err(chorus_store::StoreError::Corrupt(m)),
    }
}

type Record = std::collections::HashMap<String, String>;

fn csv_records<R: Read>(reader: R) -> impl Iterator<Item = (u64, Result<Record, String>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = rdr.headers().cloned().unwrap_or_default();
    rdr.into_records().map(move |r| {
        let line = r
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(0, |p| p.line());
        let rec = r.map_err(|e| e.to_string()).map(|r| {
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_ascii_lowercase(), v.to_string()))
                .collect::<Record>()
        });
        (line, rec)
    })
}

fn opt(r: &Record, k: &str) -> Option<String> {
    r.get(k).filter(|v| !v.is_empty()).cloned()
}

fn tally(s: &mut CsvSummary, line: u64, r: Result<Ack, IngestError>) -> anyhow::Result<()> {
    match r {
        Ok(a) if a.created => s.created += 1,
        Ok(_) => s.duplicates += 1,
        Err(e) => {
            s.failed += 1;
            let e = row_error(line, e)?;
            if s.errors.len() < crate::ingest::MAX_LISTED_ERRORS {
                s.errors.push(e);
            }
        }
    }
    Ok(())
}

/// Import orders from CSV with the header `order_id, at, amount, currency,
/// customer_key, click_id, codes, referrer` (`codes` separated by `;` or
/// spaces). Good rows are stored (idempotently), bad rows reported.
pub async fn import_orders_csv<R: Read>(
    store: &Store,
    org: OrgId,
    reader: R,
) -> anyhow::Result<CsvSummary> {
    let mut s = CsvSummary::default();
    for (line, rec) in csv_records(reader) {
        s.rows += 1;
        let r = rec
            .map_err(|e| IngestError::Field("row", e))
            .map(|r| OrderIn {
                order_id: r.get("order_id").cloned().unwrap_or_default(),
                at: r.get("at").cloned().unwrap_or_default(),
                amount: r.get("amount").cloned().unwrap_or_default(),
                currency: r.get("currency").cloned().unwrap_or_default(),
                customer_key: opt(&r, "customer_key"),
                click_id: opt(&r, "click_id"),
                codes: opt(&r, "codes").map(|c| {
                    c.split([';', ' ', '|'])
                        .filter(|x| !x.is_empty())
                        .map(str::to_string)
                        .collect()
                }),
                referrer: opt(&r, "referrer"),
            });
        let res = match r {
            Ok(o) => {
                let raw = serde_json::to_string(&json!({"csv_line": line})).unwrap_or_default();
                store_order(store, org, &o, "csv", &raw).await
            }
            Err(e) => Err(e),
        };
        tally(&mut s, line, res)?;
    }
    Ok(s)
}

/// Import refunds from CSV with the header `refund_id, order_id, at, amount`.
pub async fn import_refunds_csv<R: Read>(
    store: &Store,
    org: OrgId,
    reader: R,
) -> anyhow::Result<CsvSummary> {
    let mut s = CsvSummary::default();
    for (line, rec) in csv_records(reader) {
        s.rows += 1;
        let res = match rec {
            Ok(r) => {
                let refund = RefundIn {
                    refund_id: r.get("refund_id").cloned().unwrap_or_default(),
                    order_id: r.get("order_id").cloned().unwrap_or_default(),
                    at: r.get("at").cloned().unwrap_or_default(),
                    amount: r.get("amount").cloned().unwrap_or_default(),
                };
                let raw = serde_json::to_string(&json!({"csv_line": line})).unwrap_or_default();
                store_refund(store, org, &refund, "csv", &raw).await
            }
            Err(e) => Err(IngestError::Field("row", e)),
        };
        tally(&mut s, line, res)?;
    }
    Ok(s)
}

pub async fn import_orders(
    State(st): State<AppState>,
    c: Caller,
    body: Bytes,
) -> ApiResult<Json<CsvSummary>> {
    c.require(ingest_role)?;
    Ok(Json(
        import_orders_csv(&st.store, c.org(), &body[..]).await?,
    ))
}

pub async fn import_refunds(
    State(st): State<AppState>,
    c: Caller,
    body: Bytes,
) -> ApiResult<Json<CsvSummary>> {
    c.require(ingest_role)?;
    Ok(Json(
        import_refunds_csv(&st.store, c.org(), &body[..]).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn click_id_comes_from_the_landing_url() {
        assert_eq!(
            cid_from_url("/products/tee?utm_source=instagram&chorus_cid=Ab12#top").as_deref(),
            Some("Ab12")
        );
        assert_eq!(cid_from_url("/products/tee"), None);
        assert_eq!(cid_from_url("/?chorus_cid="), None);
    }

    const ORDER: &str = include_str!("../../tests/fixtures/shopify_orders_create.json");
    const REFUND: &str = include_str!("../../tests/fixtures/shopify_refunds_create.json");

    fn order_of(v: &Value) -> Result<OrderIn, IngestError> {
        shopify_order(serde_json::from_value(v.clone()).unwrap())
    }

    fn refund_of(v: &Value) -> Result<RefundIn, IngestError> {
        shopify_refund(serde_json::from_value(v.clone()).unwrap())
    }

    #[test]
    fn shopify_sample_order_reads_as_documented() {
        let v: Value = serde_json::from_str(ORDER).unwrap();
        let o = order_of(&v).unwrap();
        assert_eq!(o.order_id, "820982911946154508");
        assert_eq!((o.amount.as_str(), o.currency.as_str()), ("404.95", "USD"));
        assert_eq!(o.at, "2021-12-31T19:00:00-05:00");
        assert_eq!(o.customer_key, Some(email_key("john@example.com")));
        assert_eq!((o.click_id, o.codes), (None, Some(vec![])));
        assert_eq!(o.referrer, None);
        let valid = validate_order(&order_of(&v).unwrap(), "shopify", ORDER).unwrap();
        assert_eq!(valid.amount_minor, 40_495);
    }

    #[test]
    fn shopify_order_amounts_ids_and_nulls() {
        let base: Value = serde_json::from_str(ORDER).unwrap();
        let mut v = base.clone();
        v["total_price"] = json!(404.95);
        v["id"] = json!("820982911946154508");
        assert_eq!(order_of(&v).unwrap().amount, "404.95");
        let mut v = base.clone();
        v["total_price"] = Value::Null;
        v["currency"] = Value::Null;
        v["total_price_set"]["shop_money"] = json!({"amount": "12.50", "currency_code": "EUR"});
        let o = order_of(&v).unwrap();
        assert_eq!((o.amount.as_str(), o.currency.as_str()), ("12.50", "EUR"));
        let mut v = base.clone();
        v["customer"] = Value::Null;
        v["email"] = json!("");
        assert_eq!(
            order_of(&v).unwrap().customer_key,
            Some(email_key("jon@example.com")),
            "contact_email when the order's email is blank"
        );
        let mut v = base.clone();
        v["customer"]["email"] = Value::Null;
        v["email"] = Value::Null;
        v["contact_email"] = Value::Null;
        assert_eq!(
            order_of(&v).unwrap().customer_key.as_deref(),
            Some("shopify-customer:115310627314723954")
        );
        let mut v = base.clone();
        v["note_attributes"] = json!([{"name": "chorus_cid", "value": " K1 "}]);
        v["landing_site"] = json!("/?chorus_cid=K2");
        assert_eq!(order_of(&v).unwrap().click_id.as_deref(), Some("K1"));
        v["note_attributes"] = json!([{"name": "chorus_cid", "value": null}]);
        assert_eq!(order_of(&v).unwrap().click_id.as_deref(), Some("K2"));
        let mut v = base;
        v["total_price"] = json!("12,50");
        assert!(matches!(
            order_of(&v),
            Err(IngestError::Field("total_price", _))
        ));
    }

    #[test]
    fn shopify_sample_refund_counts_the_money_returned() {
        let base: Value = serde_json::from_str(REFUND).unwrap();
        let r = refund_of(&base).unwrap();
        assert_eq!(
            (r.refund_id.as_str(), r.order_id.as_str(), r.amount.as_str()),
            ("shopify:890088186047892319", "820982911946154508", "85.00")
        );
        let mut v = base.clone();
        v["transactions"][1]["status"] = json!("failure");
        assert_eq!(refund_of(&v).unwrap().amount, "75.00");
        let mut v = base.clone();
        v["transactions"] = json!([]);
        assert_eq!(
            refund_of(&v).unwrap().amount,
            "414.95",
            "all five line items"
        );
        for line in v["refund_line_items"].as_array_mut().unwrap() {
            let line = line.as_object_mut().unwrap();
            line.remove("subtotal_set");
            line.remove("total_tax_set");
            line.insert("total_tax".into(), json!(1.5));
        }
        v["refund_shipping_lines"] = json!([{"subtotal_amount_set": {"shop_money": {"amount": "10.00", "currency_code": "USD"}}}]);
        assert_eq!(
            refund_of(&v).unwrap().amount,
            "432.45",
            "numbers, tax and shipping"
        );
        let mut v = base;
        v["transactions"][0]["amount"] = json!(true);
        assert!(matches!(
            refund_of(&v),
            Err(IngestError::Field("transactions.amount", _))
        ));
    }
}
