//! What a clerk's values become over HTTP: notices of every normalised value in the answer of
//! a write, state-list numbers in the list's own forms and filters that find them.

use super::*;
use serde_json::{json, Value};

/// An immovable monument of national significance in Baku, with `name` and `number`.
fn monument(name: &str, number: &str) -> Value {
    json!({
        "kind": "heritage_object", "category": "immovable",
        "name": {"az": name, "en": "Juma Mosque"},
        "region": "AZ-BA", "location": {"lat": 40.3661, "lon": 49.8372},
        "monument_type": "architecture", "significance": "national",
        "inventory_number": number
    })
}

/// The registry numbers of the items of a list or search answer.
fn numbers(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["registry_number"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_write_answers_with_a_notice_for_every_value_it_normalised() {
    each_backend(|app| {
        // "Cümə məscidi" with a Cyrillic с (U+0441) and і (U+0456); a dash for the hyphen.
        let typed = "Cümə m\u{0259}s\u{0441}id\u{0456}";
        let created = app.post(
            "/api/v1/heritage-objects",
            &monument(typed, "26\u{2014}33, 41"),
        );
        assert_eq!(created.status, 201, "{}", created.text);
        assert_eq!(created.json["entry"]["name"]["az"], "Cümə məscidi");
        assert_eq!(created.json["entry"]["inventory_number"], "26-33, 41");
        assert_eq!(created.json["warnings"], json!([]));
        assert_eq!(
            created.json["notices"],
            json!([
                {"field": "/name/az", "code": "look_alike_letters", "severity": "notice",
                 "message": "Cyrillic letters that look Latin, inside Latin words, stored as their Latin twins",
                 "given": typed, "stored": "Cümə məscidi"},
                {"field": "/inventory_number", "code": "normalized_dash", "severity": "notice",
                 "message": "stored as the state list writes it: dashes as hyphens, several numbers joined by `, `",
                 "given": "26\u{2014}33, 41", "stored": "26-33, 41"}
            ])
        );
        // Phone and postal code of an institution.
        let mut library = fixture("library", None);
        library["contacts"] = json!({"phone": "(012) 493 40 03"});
        library["address"] = json!({"locality": "Bakı", "postal_code": "az 1000"});
        library.as_object_mut().unwrap().remove("isil");
        let created = app.post("/api/v1/libraries", &library);
        assert_eq!(created.status, 201, "{}", created.text);
        let notices: Vec<(&str, &str, &str, &str)> = created.json["notices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["field"].as_str().unwrap(),
                    n["code"].as_str().unwrap(),
                    n["given"].as_str().unwrap(),
                    n["stored"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            notices,
            [
                (
                    "/address/postal_code",
                    "normalized_postal_code",
                    "az 1000",
                    "AZ1000"
                ),
                (
                    "/contacts/phone",
                    "normalized_phone",
                    "(012) 493 40 03",
                    "+994124934003"
                ),
            ]
        );
        // A refused write lists its errors only: nothing was stored, so nothing normalised.
        let refused = app.post("/api/v1/heritage-objects", &monument(typed, "26/33"));
        assert_problem(&refused, 422, "/problems/validation");
        assert_eq!(
            refused.json["errors"],
            json!([{"field": "/inventory_number", "code": "format", "severity": "error",
                    "message": "`26/33` is not a state-list number: the list writes 2, 2.1, 93-2 or 4996-15 (a part of an item), or several separated by commas (71, 70, 73)"}])
        );
    });
}

#[test]
fn lists_and_searches_find_a_monument_by_any_of_its_numbers() {
    each_backend(|app| {
        for (name, number) in [("Bir", "71, 70, 73, 69"), ("İki", "93-2"), ("Üç", "2.1")] {
            let created = app.post("/api/v1/heritage-objects", &monument(name, number));
            assert_eq!(created.status, 201, "{}", created.text);
        }
        for n in ["71", "70", "73", "69"] {
            assert_eq!(
                numbers(&app.get(&format!("/api/v1/heritage-objects?inventory_number={n}"))),
                ["HER-000001"]
            );
            assert_eq!(
                numbers(&app.get(&format!("/api/v1/entries?inventory_number={n}"))),
                ["HER-000001"]
            );
        }
        // A dash in the filter reads as a hyphen; words and a filter together.
        assert_eq!(
            numbers(&app.get("/api/v1/heritage-objects?inventory_number=93%E2%80%942")),
            ["HER-000002"]
        );
        assert_eq!(
            numbers(&app.get("/api/v1/entries?q=Iki&inventory_number=93-2")),
            ["HER-000002"]
        );
        assert_eq!(
            numbers(&app.get("/api/v1/entries?q=Bir&inventory_number=93-2")),
            Vec::<String>::new()
        );
        assert_eq!(
            numbers(&app.get("/api/v1/entries?inventory_number=2")),
            Vec::<String>::new()
        );
        // The same number again in the same list is a duplicate, naming its holder.
        let taken = app.post("/api/v1/heritage-objects", &monument("Dörd", "73"));
        assert_problem(&taken, 409, "/problems/duplicate");
        assert_eq!(
            taken.json["errors"][0]["message"],
            "inventory number 73 is already used by HER-000001 in the same list"
        );
        // An empty filter, and the filter on a list of another kind, are refused.
        assert_problem(
            &app.get("/api/v1/heritage-objects?inventory_number="),
            400,
            "/problems/bad-request",
        );
        assert_problem(
            &app.get("/api/v1/theatres?inventory_number=2"),
            400,
            "/problems/bad-request",
        );
    });
}
