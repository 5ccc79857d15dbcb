//! One real entity of each kind through its whole life over HTTP: create, read by id and by
//! registry number, replace with what was read, merge-patch, history.

use super::*;
use serde_json::{json, Value};

/// Members the register assigns; never part of what a client sent.
const ASSIGNED: [&str; 6] = [
    "id",
    "registry_number",
    "economic_region",
    "version",
    "created_at",
    "updated_at",
];

/// One entity's trip.
struct Trip {
    /// What is POSTed.
    input: Value,
    /// Registry number prefix, e.g. `THR-`.
    prefix: &'static str,
    /// The economic region derived from the region (None for intangible heritage).
    economic_region: Option<&'static str>,
    /// Where the stored value differs from the input (normalised, references resolved).
    normalised: Vec<(&'static str, Value)>,
    /// A merge patch that removes at least one member with `null`.
    patch: Value,
    /// Pointers that must be gone after the patch.
    removed: Vec<&'static str>,
}

fn without(value: &Value, members: &[&str]) -> Value {
    let mut v = value.clone();
    for m in members {
        v.as_object_mut().unwrap().remove(*m);
    }
    v
}

fn set_pointer(value: &mut Value, pointer: &str, new: Value) {
    *value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the input")) = new;
}

fn run(app: &TestApp, trip: Trip) {
    let kind = trip.input["kind"].as_str().unwrap();
    let collection = collection(kind);

    // Create.
    let created = app.post(&format!("/api/v1/{collection}"), &trip.input);
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.header("etag").unwrap(), "\"1\"");
    let entry = created.json["entry"].clone();
    let id = entry["id"].as_str().unwrap().to_string();
    let number = entry["registry_number"].as_str().unwrap().to_string();
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/{collection}/{id}")
    );
    assert!(
        number.starts_with(trip.prefix) && number.len() == trip.prefix.len() + 6,
        "{number}"
    );
    assert!(created.json["warnings"].is_array());
    assert_eq!(entry["version"], 1);
    assert_eq!(entry["created_at"], entry["updated_at"]);
    match trip.economic_region {
        Some(e) => assert_eq!(entry["economic_region"], e),
        None => assert!(entry.get("economic_region").is_none(), "{entry}"),
    }
    // What is stored is the normalised input, nothing more and nothing less.
    let mut expected = trip.input.clone();
    for (pointer, value) in &trip.normalised {
        set_pointer(&mut expected, pointer, value.clone());
    }
    assert_eq!(without(&entry, &ASSIGNED), expected);
    let stored = app.register().get(&id).unwrap();
    assert_eq!(stored.to_public_json(), entry);
    assert_eq!(stored.registry_number(), number);

    // Read by id and by registry number, in the collection and across all of them.
    for path in [
        format!("/api/v1/{collection}/{id}"),
        format!("/api/v1/{collection}/{number}"),
        format!("/api/v1/entries/{id}"),
        format!("/api/v1/entries/{number}"),
    ] {
        let got = app.get(&path);
        assert_eq!(got.status, 200, "{path}: {}", got.text);
        assert_eq!(got.header("etag").unwrap(), "\"1\"", "{path}");
        assert_eq!(got.json, entry, "{path}");
    }
    let listed = app.get(&format!("/api/v1/{collection}"));
    assert!(listed.json["items"].as_array().unwrap().contains(&entry));

    // Replace with exactly what was read.
    let read = app.get(&format!("/api/v1/{collection}/{id}"));
    let put = app.put(
        &format!("/api/v1/{collection}/{id}"),
        &read.json,
        read.header("etag").as_deref(),
    );
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.header("etag").unwrap(), "\"2\"");
    assert!(put.header("location").is_none());
    let replaced = put.json["entry"].clone();
    assert_eq!(replaced["version"], 2);
    assert_eq!(
        without(&replaced, &["version", "updated_at"]),
        without(&entry, &["version", "updated_at"])
    );
    let stored = app.register().get(&id).unwrap();
    assert_eq!(stored.version, 2);
    assert!(stored.updated_at >= stored.created_at);

    // Merge-patch: null removes.
    let reply = app.send(
        app.http
            .patch(app.url(&format!("/api/v1/{collection}/{number}")))
            .header("content-type", "application/merge-patch+json")
            .header("if-match", "\"2\"")
            .header("ucr-reason", "checked against the source")
            .body(trip.patch.to_string()),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("etag").unwrap(), "\"3\"");
    let patched = reply.json["entry"].clone();
    let mut oracle = replaced.clone();
    // RFC 7396 as the oracle for PATCH.
    json_patch::merge(&mut oracle, &trip.patch);
    assert_eq!(
        without(&patched, &["version", "updated_at"]),
        without(&oracle, &["version", "updated_at"])
    );
    assert_eq!(patched["version"], 3);
    let stored = app.register().get(&id).unwrap().to_json();
    for pointer in &trip.removed {
        assert!(patched.pointer(pointer).is_none(), "{pointer} in {patched}");
        assert!(stored.pointer(pointer).is_none(), "{pointer} in {stored}");
    }
    assert_eq!(app.get(&format!("/api/v1/entries/{id}")).json, patched);

    // History: the three revisions, oldest first.
    for key in [&id, &number] {
        let history = app.get(&format!("/api/v1/entries/{key}/history"));
        assert_eq!(history.status, 200, "{}", history.text);
        assert_eq!(history.json["total"], 3);
        assert_eq!(history.json["next_cursor"], Value::Null);
        let items = history.json["items"].as_array().unwrap();
        let ops: Vec<&str> = items
            .iter()
            .map(|r| r["operation"].as_str().unwrap())
            .collect();
        assert_eq!(ops, ["create", "update", "update"]);
        let versions: Vec<i64> = items
            .iter()
            .map(|r| r["version"].as_i64().unwrap())
            .collect();
        assert_eq!(versions, [1, 2, 3]);
        let seqs: Vec<i64> = items.iter().map(|r| r["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
        for r in items {
            assert_eq!(r["entry_id"], id.as_str());
            assert_eq!(r["actor"], "admin-test");
        }
        assert!(items[0].get("reason").is_none());
        assert_eq!(items[2]["reason"], "checked against the source");
        assert_eq!(items[0]["entry"], entry);
        assert_eq!(items[1]["entry"], replaced);
        assert_eq!(items[2]["entry"], patched);

        let first = app.get(&format!("/api/v1/entries/{key}/history/1"));
        assert_eq!(first.status, 200, "{}", first.text);
        assert_eq!(first.header("etag").unwrap(), "\"1\"");
        assert_eq!(first.json, items[0]);
        let last = app.get(&format!("/api/v1/entries/{key}/history/3"));
        assert_eq!(last.json, items[2]);
    }
}

#[test]
fn theatre() {
    each_backend(|app| {
        run(
            app,
            Trip {
                input: fixture_numbered("THR-000001"),
                prefix: "THR-",
                economic_region: Some("baku"),
                normalised: vec![],
                patch: json!({"seats": null, "address": {"street": null}}),
                removed: vec!["/seats", "/address/street"],
            },
        )
    });
}

#[test]
fn library() {
    each_backend(|app| {
        let mut input = fixture_numbered("LIB-000001");
        // As a clerk might type it: the register stores AZ1000.
        input["address"]["postal_code"] = json!("AZ 1000");
        run(
            app,
            Trip {
                input,
                prefix: "LIB-",
                economic_region: Some("baku"),
                normalised: vec![
                    ("/contacts/phone", json!("+994124934003")),
                    ("/address/postal_code", json!("AZ1000")),
                ],
                patch: json!({"holdings": null, "contacts": {"website": null}}),
                removed: vec!["/holdings", "/contacts/website"],
            },
        )
    });
}

#[test]
fn museum() {
    each_backend(|app| {
        run(
            app,
            Trip {
                input: fixture_numbered("MUS-000001"),
                prefix: "MUS-",
                economic_region: Some("baku"),
                normalised: vec![],
                patch: json!({"exhibition_rooms": null, "items_on_display": null}),
                removed: vec!["/exhibition_rooms", "/items_on_display"],
            },
        )
    });
}

#[test]
fn reserve() {
    each_backend(|app| {
        run(
            app,
            Trip {
                input: fixture_numbered("RSV-000001"),
                prefix: "RSV-",
                economic_region: Some("baku"),
                normalised: vec![],
                patch: json!({"unesco_whs_id": null, "established_by": {"number": null}}),
                removed: vec!["/unesco_whs_id", "/established_by/number"],
            },
        )
    });
}

#[test]
fn school() {
    each_backend(|app| {
        run(
            app,
            Trip {
                input: fixture_numbered("SCH-000002"),
                prefix: "SCH-",
                economic_region: Some("baku"),
                normalised: vec![],
                patch: json!({"teachers": null, "alt_names": null}),
                removed: vec!["/teachers", "/alt_names"],
            },
        )
    });
}

#[test]
fn immovable_heritage_in_a_reserve() {
    each_backend(|app| {
        let reserve = app.create(&registered("RSV-000001"));
        assert_eq!(reserve["registry_number"], "RSV-000001");
        // The Maiden Tower names Icherisheher by registry number; the id is stored.
        let input = fixture_numbered("HER-000001");
        assert_eq!(input["reserve_id"], "RSV-000001");
        run(
            app,
            Trip {
                input,
                prefix: "HER-",
                economic_region: Some("baku"),
                normalised: vec![("/reserve_id", reserve["id"].clone())],
                patch: json!({"reserve_id": null, "dating": {"label": null}}),
                removed: vec!["/reserve_id", "/dating/label"],
            },
        );
        // Without the reference the reserve can be deleted.
        let id = reserve["id"].as_str().unwrap();
        assert_eq!(
            app.delete(&format!("/api/v1/reserves/{id}"), Some("\"1\""))
                .status,
            204
        );
    });
}

#[test]
fn movable_heritage_in_a_museum() {
    each_backend(|app| {
        let museum = app.create(&registered("MUS-000003"));
        assert_eq!(museum["registry_number"], "MUS-000003");
        // The fixtures hold no movable object; this is a carpet of the Carpet Museum, named by
        // the museum's registry number.
        let input = json!({
            "kind": "heritage_object",
            "category": "movable",
            "name": {"az": "Xalça", "en": "Carpet"},
            "status": "active",
            "region": "AZ-BA",
            "museum_id": "MUS-000003",
            "object_type": "carpet",
            "materials": ["wool"],
        });
        run(
            app,
            Trip {
                input,
                prefix: "HER-",
                economic_region: Some("baku"),
                normalised: vec![("/museum_id", museum["id"].clone())],
                patch: json!({"materials": null}),
                removed: vec!["/materials"],
            },
        );
        // The object still refers to the museum.
        let id = museum["id"].as_str().unwrap();
        let refused = app.delete(&format!("/api/v1/museums/{id}"), Some("\"1\""));
        assert_problem(&refused, 409, "/problems/referenced");
        assert_eq!(refused.json["referrers"], json!(["HER-000001"]));
    });
}

#[test]
fn intangible_heritage() {
    each_backend(|app| {
        run(
            app,
            Trip {
                input: fixture_numbered("HER-000010"),
                prefix: "HER-",
                economic_region: None,
                normalised: vec![],
                patch: json!({"name": {"en": null}}),
                removed: vec!["/name/en"],
            },
        )
    });
}

/// The reason of a change (`UCR-Reason`) is kept as written, Azerbaijani letters included;
/// a header that is not UTF-8 is refused and changes nothing.
#[test]
fn the_reason_of_a_change_is_kept_in_azerbaijani() {
    each_backend(|app| {
        let created = app.create(&fixture("theatre", None));
        let id = created["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/{}/{id}", collection("theatre"));
        let reason = "Təmir üçün bağlanıb (Şəki)";
        let reply = app.send(
            app.http
                .patch(app.url(&path))
                .header("content-type", "application/merge-patch+json")
                .header("if-match", "\"1\"")
                .header(
                    "UCR-Reason",
                    reqwest::header::HeaderValue::from_bytes(reason.as_bytes()).unwrap(),
                )
                .body(json!({"seats": 321}).to_string()),
        );
        assert_eq!(reply.status, 200, "{}", reply.text);
        let history = app.get(&format!("/api/v1/entries/{id}/history"));
        assert_eq!(
            history.json["items"][1]["reason"], reason,
            "{}",
            history.text
        );

        let before = app.snapshot();
        let reply = app.send(
            app.http
                .patch(app.url(&path))
                .header("content-type", "application/merge-patch+json")
                .header("if-match", "\"2\"")
                .header(
                    "UCR-Reason",
                    reqwest::header::HeaderValue::from_bytes(b"T\xe9mir").unwrap(),
                )
                .body(json!({"seats": 322}).to_string()),
        );
        assert_problem(&reply, 400, "/problems/bad-request");
        assert_eq!(app.snapshot(), before);
    });
}
