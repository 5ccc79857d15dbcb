//! Loads over HTTP as clerks make them: upserts matched on ISIL or Wikidata item with a dry run
//! that lists what would change, possible duplicates, `;`-separated CSV in Windows-1251.

use super::*;
use serde_json::{json, Value};

/// POSTs a body to `/api/v1/imports?query`.
fn import(app: &TestApp, query: &str, content_type: &str, body: Vec<u8>) -> Reply {
    app.write(
        reqwest::Method::POST,
        &format!("/api/v1/imports?{query}"),
        content_type,
        body,
        None,
    )
}

fn ndjson(rows: &[Value]) -> Vec<u8> {
    rows.iter()
        .map(|r| format!("{r}\n"))
        .collect::<String>()
        .into_bytes()
}

#[test]
fn an_upsert_over_http_matches_on_isil_or_wikidata_and_its_dry_run_lists_the_changes() {
    each_backend(|app| {
        // The first library of the fixtures with an ISIL and an item (made up for the test).
        let mut library = fixture("library", None);
        library["isil"] = json!("AZ-T1");
        library["external_ids"] = json!({"wikidata": "Q990001"});
        let created = import(app, "", "application/x-ndjson", ndjson(&[library.clone()]));
        assert_eq!(created.status, 201, "{}", created.text);
        let number = "LIB-000001";
        let stored = app.get(&format!("/api/v1/entries/{number}"));
        let holdings = stored.json["holdings"].clone();

        let mut changed = library.clone();
        changed["holdings"] = json!(4_700_000);
        changed["name"]["en"] = json!("National Library of Azerbaijan");
        let dry = import(
            app,
            "mode=upsert&match=isil&dry_run=true&filename=libraries.ndjson",
            "application/x-ndjson",
            ndjson(&[changed.clone()]),
        );
        assert_eq!(dry.status, 200, "{}", dry.text);
        assert_eq!(
            (&dry.json["created"], &dry.json["updated"]),
            (&json!(0), &json!(1))
        );
        assert_eq!(
            dry.json["changes"],
            json!([{"file": "libraries.ndjson", "line": 1, "registry_number": number, "fields": [
                {"field": "/holdings", "old": holdings, "new": 4_700_000},
                {"field": "/name/en", "old": library["name"]["en"], "new": "National Library of Azerbaijan"}
            ]}])
        );
        assert_eq!(
            app.get(&format!("/api/v1/entries/{number}")).json,
            stored.json
        );

        let done = import(
            app,
            "mode=upsert&match=wikidata",
            "application/x-ndjson",
            ndjson(&[changed.clone()]),
        );
        assert_eq!(done.status, 201, "{}", done.text);
        assert_eq!(done.json["updated"], 1);
        assert_eq!(done.json["changes"], json!([]));
        let after = app.get(&format!("/api/v1/entries/{number}")).json;
        assert_eq!(after["holdings"], 4_700_000);
        assert_eq!(after["version"], 2);
        assert_eq!(app.total_of(ucr_core::Kind::Library), 1);

        // A key needs an upsert; an unknown key is named.
        for (query, detail) in [
            (
                "match=isil",
                "`match=isil` matches rows to existing entries: it needs `mode=upsert`",
            ),
            (
                "mode=upsert&match=voen",
                "`match=voen`: one of registry_number, wikidata, isil, inventory_number",
            ),
        ] {
            let refused = import(
                app,
                query,
                "application/x-ndjson",
                ndjson(&[changed.clone()]),
            );
            assert_problem(&refused, 400, "/problems/bad-request");
            assert_eq!(refused.json["detail"], detail);
        }
    });
}

#[test]
fn a_row_like_a_stored_entry_is_written_with_a_possible_duplicate_warning() {
    each_backend(|app| {
        let theatre = fixture("theatre", None);
        let first = import(
            app,
            "",
            "application/json",
            json!([theatre]).to_string().into_bytes(),
        );
        assert_eq!(first.status, 201, "{}", first.text);
        assert_eq!(
            first.json["accepted"][0]["problems"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["code"] == "possible_duplicate")
                .count(),
            0
        );
        let again = import(
            app,
            "",
            "application/json",
            json!([theatre]).to_string().into_bytes(),
        );
        assert_eq!(again.status, 201, "{}", again.text);
        let warned: Vec<&Value> = again.json["accepted"][0]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["code"] == "possible_duplicate")
            .collect();
        assert_eq!(
            warned,
            vec![
                &json!({"field": "/name/az", "code": "possible_duplicate", "severity": "warning",
                "message": "THR-000001 has the same kind, region and name: this may be the same entry (give its registry number to update it)"})
            ]
        );
        assert_eq!(app.total_of(ucr_core::Kind::Theatre), 2);
    });
}

#[test]
fn a_semicolon_separated_windows_1251_csv_loads_with_its_encoding_and_is_refused_without() {
    // "Русский драматический театр" in Windows-1251: А–я are 0xC0–0xFF.
    let russian: Vec<u8> = "Русский драматический театр"
        .chars()
        .map(|c| match c {
            ' ' => b' ',
            c => (c as u32 - 'А' as u32 + 0xC0) as u8,
        })
        .collect();
    let mut csv = b"name.az;name.ru;region;ownership;theatre_type\r\nRus Dram Teatri;".to_vec();
    csv.extend_from_slice(&russian);
    csv.extend_from_slice(b";AZ-BA;state;drama\r\n");
    each_backend(|app| {
        let refused = import(app, "kind=theatre", "text/csv", csv.clone());
        assert_problem(&refused, 422, "/problems/import-unreadable");
        assert_eq!(
            refused.json["report"]["rows"],
            json!([{"file": "upload", "line": 2, "column": 17, "problems": [{
                "field": "", "code": "format", "severity": "error",
                "message": "the file is not UTF-8; its bytes look like windows-1251: load it with the encoding windows-1251. Nothing of the load is written"}]}])
        );
        assert_eq!(app.total_of(ucr_core::Kind::Theatre), 0);
        let loaded = import(
            app,
            "kind=theatre&encoding=windows-1251",
            "text/csv",
            csv.clone(),
        );
        assert_eq!(loaded.status, 201, "{}", loaded.text);
        assert_eq!(loaded.json["created"], 1);
        let stored = app.get("/api/v1/entries/THR-000001").json;
        assert_eq!(
            stored["name"],
            json!({"az": "Rus Dram Teatri", "ru": "Русский драматический театр"})
        );
        // An explicit delimiter that is not the file's: one column, unknown.
        let wrong = import(
            app,
            "kind=theatre&encoding=windows-1251&delimiter=tab",
            "text/csv",
            csv.clone(),
        );
        assert_problem(&wrong, 422, "/problems/import-unreadable");
    });
}
