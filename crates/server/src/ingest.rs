//! Creator import, shared by `chorus import creators` and the API: parse,
//! validate, upsert in batches, and account for every row.

use chorus_core::import::{csv_rows, ndjson_rows, Format, Row, RowError};
use chorus_core::{CreatorRecord, OrgId, UserId};
use chorus_store::{NewImport, Store};
use serde::Serialize;
use std::io::{BufRead, BufReader, Read};

/// At most this many row errors are kept in the summary; the count is exact.
pub const MAX_LISTED_ERRORS: usize = 1000;
const BATCH: usize = 1000;

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub import_id: Option<i64>,
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub failed: u64,
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<RowError>,
    pub errors_truncated: bool,
}

pub struct ImportSource<'a> {
    pub org_id: Option<OrgId>,
    pub user_id: Option<UserId>,
    pub name: &'a str,
}

/// Rows from a reader in the given format (sniffed from content when `None`).
pub fn rows_from<R: Read + Send + 'static>(
    reader: R,
    format: Option<Format>,
) -> anyhow::Result<Box<dyn Iterator<Item = Row> + Send>> {
    let mut buf = BufReader::with_capacity(1 << 20, reader);
    let fmt = match format {
        Some(f) => f,
        None => Format::sniff(buf.fill_buf()?),
    };
    Ok(match fmt {
        Format::Ndjson => Box::new(ndjson_rows(buf)),
        Format::Csv => csv_rows(buf),
    })
}

/// Import every row: good rows are stored in batches (each batch one
/// transaction), bad rows are reported. `progress` gets the rows seen so far.
pub async fn import_creators(
    store: &Store,
    rows: impl Iterator<Item = Row>,
    source: ImportSource<'_>,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<ImportSummary> {
    let mut s = ImportSummary::default();
    let mut batch: Vec<CreatorRecord> = Vec::with_capacity(BATCH);
    for row in rows {
        s.rows += 1;
        match row {
            Ok((_, rec)) => batch.push(rec),
            Err(errs) => {
                s.failed += 1;
                push_errors(&mut s, errs);
            }
        }
        if batch.len() == BATCH {
            flush(store, &mut batch, &mut s).await?;
            progress(s.rows);
        }
    }
    flush(store, &mut batch, &mut s).await?;
    progress(s.rows);
    let errors = serde_json::to_value(&s.errors)?;
    s.import_id = Some(
        store
            .record_import(NewImport {
                org_id: source.org_id,
                user_id: source.user_id,
                kind: "creators",
                source: source.name,
                rows_total: s.rows,
                inserted: s.inserted,
                updated: s.updated,
                failed: s.failed,
                errors: &errors,
            })
            .await?,
    );
    Ok(s)
}

fn push_errors(s: &mut ImportSummary, errs: Vec<RowError>) {
    for e in errs {
        if s.errors.len() < MAX_LISTED_ERRORS {
            s.errors.push(e);
        } else {
            s.errors_truncated = true;
        }
    }
}

async fn flush(
    store: &Store,
    batch: &mut Vec<CreatorRecord>,
    s: &mut ImportSummary,
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let st = store.upsert_creators(batch).await?;
    s.inserted += st.inserted;
    s.updated += st.updated;
    batch.clear();
    Ok(())
}
