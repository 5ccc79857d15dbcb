//! The committed `openapi/openapi.json` is the document the code builds. Run with
//! `UCR_UPDATE_OPENAPI=1` to rewrite the file after changing the API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

#[test]
fn committed_document_matches_the_code() {
    let built = ucr_api::openapi::document_text().expect("the document builds");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json");
    if std::env::var_os("UCR_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &built).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == built,
        "openapi/openapi.json differs from the document the code builds; \
         rerun with UCR_UPDATE_OPENAPI=1 and commit the file"
    );
}

#[test]
fn utoipa_keeps_every_member_of_the_document() {
    let raw = ucr_api::openapi::document_raw();
    let through_utoipa = serde_json::to_value(ucr_api::openapi::document().unwrap()).unwrap();
    if raw != through_utoipa {
        // Both documents are kept for a diff.
        let dir = tempfile::Builder::new()
            .prefix("ucr-openapi-")
            .tempdir()
            .unwrap()
            .keep();
        std::fs::write(dir.join("raw.json"), serde_json::to_string(&raw).unwrap()).unwrap();
        std::fs::write(
            dir.join("utoipa.json"),
            serde_json::to_string(&through_utoipa).unwrap(),
        )
        .unwrap();
        panic!(
            "utoipa changed the document: compare raw.json and utoipa.json in {}",
            dir.display()
        );
    }
}
