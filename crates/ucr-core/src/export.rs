//! Export: the register, or a filtered part, streamed as NDJSON, CSV, GeoJSON or JSON-LD. Files speak
//! registry numbers, as clerks do: references are written as the registry number of the entry
//! they name, so an exported file loads back into an empty register.

use crate::bulk::columns;
use crate::error::RegisterError;
use crate::query::Filter;
use crate::register::Register;
use crate::store;
use crate::vocab::Kind;
use crate::Entry;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;

/// Entries read per database round trip.
const PAGE: i64 = 1000;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One entry per line.
    Ndjson,
    /// One kind per file, the columns of a load.
    Csv,
    /// A FeatureCollection of points (entries without a location have a null geometry).
    Geojson,
    /// One JSON-LD document (schema.org, [`crate::linked`]) per line.
    Jsonld,
}

impl ExportFormat {
    /// Parses `ndjson`, `csv` or `geojson`.
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s {
            "ndjson" => Some(ExportFormat::Ndjson),
            "csv" => Some(ExportFormat::Csv),
            "geojson" => Some(ExportFormat::Geojson),
            "jsonld" => Some(ExportFormat::Jsonld),
            _ => None,
        }
    }

    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Ndjson | ExportFormat::Jsonld => "application/x-ndjson",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Geojson => "application/geo+json",
        }
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The format.
    pub format: ExportFormat,
    /// Which entries.
    pub filter: Filter,
    /// Whether to include personal data (`head`).
    pub personal_data: bool,
    /// The register's public URL, for the `@id`s of a JSON-LD export.
    pub base_url: Option<String>,
}

/// Why an export cannot start.
pub fn check_options(options: &ExportOptions) -> Result<(), String> {
    if options.format == ExportFormat::Csv && options.filter.kind.is_none() {
        return Err("a CSV export holds one kind: name it (kind=theatre, --kind theatre …)".into());
    }
    if options.format == ExportFormat::Jsonld && options.base_url.is_none() {
        return Err(
            "a JSON-LD export names entries by URL: give the register's public URL (--public-url, UCR_PUBLIC_URL)".into(),
        );
    }
    let f = &options.filter;
    if let Some(r) = f
        .region
        .as_deref()
        .filter(|r| crate::regions::unit(r).is_none())
    {
        return Err(format!(
            "region `{r}` is not an ISO 3166-2:AZ code (e.g. AZ-SA)"
        ));
    }
    if let Some(r) = f
        .economic_region
        .as_deref()
        .filter(|r| crate::regions::economic_region(r).is_none())
    {
        return Err(format!(
            "economic region `{r}` is not one of the 14 (e.g. shaki-zagatala)"
        ));
    }
    Ok(())
}

impl Register {
    /// Writes the entries matching the options to `out`, page by page; returns how many.
    pub fn export(
        &self,
        options: &ExportOptions,
        out: &mut dyn Write,
    ) -> Result<u64, RegisterError> {
        check_options(options).map_err(|m| {
            RegisterError::Invalid(vec![crate::Problem::error(
                "/kind",
                crate::Code::Required,
                m,
            )])
        })?;
        let io = |e: std::io::Error| RegisterError::Database(format!("writing the export: {e}"));
        match options.format {
            ExportFormat::Csv => {
                let kind = options.filter.kind.unwrap_or(Kind::Theatre);
                out.write_all(&csv_line(&columns::headers(kind))?)
                    .map_err(io)?;
            }
            ExportFormat::Geojson => out
                .write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")
                .map_err(io)?,
            ExportFormat::Ndjson | ExportFormat::Jsonld => {}
        }
        let mut cursor: Option<String> = None;
        let mut count = 0u64;
        let base = options.base_url.as_deref().unwrap_or_default();
        loop {
            let page = self.list(&options.filter, PAGE, cursor.as_deref())?;
            let numbers = match options.format {
                // Linked data names entries by URL, made of their ids.
                ExportFormat::Jsonld => HashMap::new(),
                _ => self.reference_numbers(&page.items)?,
            };
            for entry in &page.items {
                let value = file_value(entry, &numbers, options.personal_data);
                match options.format {
                    ExportFormat::Jsonld => {
                        let doc = crate::linked::document(entry, &value, base);
                        serde_json::to_writer(&mut *out, &doc).map_err(|e| io(e.into()))?;
                        out.write_all(b"\n").map_err(io)?;
                    }
                    ExportFormat::Ndjson => {
                        serde_json::to_writer(&mut *out, &value).map_err(|e| io(e.into()))?;
                        out.write_all(b"\n").map_err(io)?;
                    }
                    ExportFormat::Csv => {
                        let kind = options.filter.kind.unwrap_or(entry.kind());
                        out.write_all(&csv_line(&columns::cells(kind, &value))?)
                            .map_err(io)?;
                    }
                    ExportFormat::Geojson => {
                        if count > 0 {
                            out.write_all(b",\n").map_err(io)?;
                        }
                        let geometry = entry.record.location.map_or(
                            Value::Null,
                            |l| json!({"type": "Point", "coordinates": [l.lon, l.lat]}),
                        );
                        let feature = json!({"type": "Feature", "id": entry.id.to_string(),
                                             "geometry": geometry, "properties": value});
                        serde_json::to_writer(&mut *out, &feature).map_err(|e| io(e.into()))?;
                    }
                }
                count += 1;
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        if options.format == ExportFormat::Geojson {
            out.write_all(b"\n]}\n").map_err(io)?;
        }
        out.flush().map_err(io)?;
        Ok(count)
    }

    /// Registry numbers of the entries the page's entries refer to.
    fn reference_numbers(&self, page: &[Entry]) -> Result<HashMap<String, String>, RegisterError> {
        let ids: Vec<String> = page
            .iter()
            .flat_map(|e| e.record.details.references())
            .map(|(_, r, _)| r.to_string())
            .collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut conn = self.connection()?;
        Ok(store::export::registry_numbers(&mut conn, &ids)?
            .into_iter()
            .collect())
    }
}

/// One CSV record, quoted as needed, with its line end.
fn csv_line(cells: &[String]) -> Result<Vec<u8>, RegisterError> {
    let fail = |e: String| RegisterError::Database(format!("writing the export: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells).map_err(|e| fail(e.to_string()))?;
    w.into_inner().map_err(|e| fail(e.to_string()))
}

/// An entry as a file holds it: references as registry numbers, personal data only if asked.
pub fn file_value(entry: &Entry, numbers: &HashMap<String, String>, personal_data: bool) -> Value {
    let mut value = if personal_data {
        entry.to_json()
    } else {
        entry.to_public_json()
    };
    for (field, reference, _) in entry.record.details.references() {
        if let Some(n) = numbers.get(&reference.to_string()) {
            value[field] = json!(n);
        }
    }
    value
}
