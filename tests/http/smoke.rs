use super::*;
use serde_json::json;

#[test]
fn create_and_read_a_real_museum() {
    each_backend(|app| {
        let created = app.post("/api/v1/museums", &fixture("museum", None));
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.json["entry"]["id"].as_str().unwrap().to_string();
        assert_eq!(
            created.header("location").unwrap(),
            format!("/api/v1/museums/{id}")
        );
        assert_eq!(created.header("etag").unwrap(), "\"1\"");
        let got = app.get(&format!("/api/v1/museums/{id}"));
        assert_eq!(got.status, 200);
        assert_eq!(got.json, created.json["entry"]);
        assert_eq!(got.json["registry_number"], json!("MUS-000001"));
    });
}
