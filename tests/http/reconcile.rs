//! The reconciliation service (`/reconcile`): every answer validated against the JSON schemas
//! published with the v0.2 specification (kept in `tests/schemas/reconciliation-0.2/`), names of
//! the fixtures matched in Latin transliteration and in Russian, `match` only where one
//! candidate is unambiguous, data extension, preview, and the API's access rules.

use crate::support::*;
use serde_json::{json, Value};
use ucr_core::Role;

const SCHEMAS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/schemas/reconciliation-0.2"
);

/// A validator for one of the published schemas, the others registered under their `$id`s so
/// that references between them resolve offline. The manifest schema refers to Swagger 2.0's
/// security definitions for `authentication`, which the register's manifest does not have: a
/// permissive stand-in is registered for that one address.
pub fn schema(name: &str) -> jsonschema::Validator {
    let mut registry = jsonschema::Registry::new();
    for file in std::fs::read_dir(SCHEMAS).unwrap() {
        let path = file.unwrap().path();
        let value: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let id = value["$id"].as_str().unwrap().to_string();
        registry = registry.add(id, value).unwrap();
    }
    registry = registry
        .add(
            "http://swagger.io/v2/schema.json",
            json!({"definitions": {"securityDefinitions": {"additionalProperties": {}}}}),
        )
        .unwrap();
    let registry = registry.prepare().unwrap();
    let root: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{SCHEMAS}/{name}.json")).unwrap())
            .unwrap();
    jsonschema::options()
        .with_registry(&registry)
        .build(&root)
        .unwrap()
}

#[track_caller]
fn assert_valid(name: &str, value: &Value) {
    let v = schema(name);
    let errors: Vec<String> = v.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{value:#}");
}

/// Russian names the register gains for the test (the fixtures have none).
const RUSSIAN: [(&str, &str); 4] = [
    ("HER-000001", "Девичья башня"),
    ("HER-000005", "Дворец шекинских ханов"),
    ("MUS-000003", "Азербайджанский национальный музей ковра"),
    (
        "THR-000008",
        "Шекинский государственный драматический театр",
    ),
];

fn load(app: &TestApp) {
    app.load_fixtures();
    for (number, ru) in RUSSIAN {
        let entry = app.get(&format!("/api/v1/entries/{number}")).json;
        let path = format!(
            "/api/v1/{}/{number}",
            collection(entry["kind"].as_str().unwrap())
        );
        let mut name = entry["name"].clone();
        name["ru"] = ru.into();
        let reply = app.patch(
            &path,
            &json!({"name": name}),
            Some(&format!("\"{}\"", entry["version"])),
        );
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
}

fn reconcile_form(app: &TestApp, client: &reqwest::blocking::Client, queries: &Value) -> Reply {
    app.send(
        client
            .post(app.url("/reconcile"))
            .form(&[("queries", queries.to_string())]),
    )
}

#[test]
fn names_in_latin_and_russian_find_the_right_entry() {
    each_backend(|app| {
        load(app);
        let queries = json!({
            "q0": {"query": "Qiz qalasi"},
            "q1": {"query": "Sheki Khan Palace"},
            "q2": {"query": "Девичья башня"},
            "q3": {"query": "Дворец шекинских ханов"},
            "q4": {"query": "Национальный музей ковра", "type": "museum"},
            "q5": {"query": "Gobustan"},
            "q6": {"query": "Drama Theatre", "type": "theatre",
                   "properties": [{"pid": "region", "v": "Şəki"}]},
            "q7": {"query": "State Drama Theatre", "limit": 2},
            "q8": {"query": "Maiden Tower", "type": ["heritage_object:intangible"]},
            "q9": {"query": "Zzyzx Qwpt"},
        });
        let reply = reconcile_form(app, &app.anon, &queries);
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("application/json")
        );
        assert_valid("reconciliation-result-batch", &reply.json);
        let top = |q: &str| {
            let r = &reply.json[q]["result"];
            (
                r[0]["id"].as_str().unwrap_or("none").to_string(),
                r[0]["match"].as_bool().unwrap_or(false),
            )
        };
        // An exact name in a Latin spelling and in Russian: a match.
        assert_eq!(top("q0"), ("HER-000001".into(), true));
        assert_eq!(reply.json["q0"]["result"][0]["score"], 100.0);
        assert_eq!(top("q2"), ("HER-000001".into(), true));
        assert_eq!(top("q3"), ("HER-000005".into(), true));
        // The palace before the historic centre that holds it, far enough ahead to match.
        assert_eq!(top("q1"), ("HER-000005".into(), true));
        assert_eq!(reply.json["q1"]["result"][1]["id"], "HER-000008");
        // Most of the only museum's name so called: a match; one word of a long name: the
        // right entry first, but no match.
        assert_eq!(top("q4"), ("MUS-000003".into(), true));
        assert!(reply.json["q4"]["result"][0]["score"].as_f64().unwrap() < 100.0);
        assert_eq!(top("q5"), ("RSV-000002".into(), false));
        // A property raises the theatre of that region above the others.
        assert_eq!(top("q6").0, "THR-000008");
        let q6 = &reply.json["q6"]["result"];
        assert!(q6.as_array().unwrap().len() > 1, "{q6}");
        assert!(q6[0]["score"].as_f64() > q6[1]["score"].as_f64());
        assert!(q6[0]["features"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": "region", "value": true})));
        assert!(q6.as_array().unwrap()[1..]
            .iter()
            .all(|c| c["type"][0]["id"] == "theatre" && c["match"] == false));
        // Many theatres are so called: as many candidates as asked for, and no match.
        let q7 = reply.json["q7"]["result"].as_array().unwrap();
        assert_eq!(q7.len(), 2);
        assert!(q7
            .iter()
            .all(|c| c["type"][0]["id"] == "theatre" && c["match"] == false));
        // Types restrict; nothing found is an empty list.
        assert_eq!(reply.json["q8"]["result"], json!([]));
        assert_eq!(reply.json["q9"]["result"], json!([]));

        // The same batch as a JSON body, as the queries member or as the batch itself.
        let body = app.send(
            app.anon
                .post(app.url("/reconcile"))
                .json(&json!({"queries": queries})),
        );
        assert_eq!(body.status, 200, "{}", body.text);
        assert_eq!(body.json, reply.json);
        let bare = app.send(app.anon.post(app.url("/reconcile")).json(&queries));
        assert_eq!(bare.json, reply.json);
        // And by GET, as the protocol allows.
        let get = app.send(app.anon.get(app.url("/reconcile")).query(&[(
            "queries",
            json!({"q0": {"query": "Qız qalası"}}).to_string(),
        )]));
        assert_eq!(get.json["q0"]["result"][0]["id"], "HER-000001");
        assert_valid("reconciliation-result-batch", &get.json);
    });
}

#[test]
fn manifest_suggest_preview_and_extension_follow_the_schemas() {
    each_backend(|app| {
        load(app);
        let manifest = app.send(app.anon.get(app.url("/reconcile")));
        assert_eq!(manifest.status, 200);
        assert_valid("manifest", &manifest.json);
        let types: Vec<&str> = manifest.json["defaultTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "theatre",
                "library",
                "museum",
                "reserve",
                "school",
                "heritage_object",
                "heritage_object:immovable",
                "heritage_object:movable",
                "heritage_object:intangible"
            ]
        );
        assert_eq!(
            manifest.json["view"]["url"],
            format!("{}/api/v1/entries/{{{{id}}}}", app.base)
        );
        // The view and preview addresses answer for a candidate's id.
        let view = manifest.json["view"]["url"]
            .as_str()
            .unwrap()
            .replace("{{id}}", "HER-000001");
        assert_eq!(
            app.send(app.anon.get(&view)).json["registry_number"],
            "HER-000001"
        );

        let suggest = |path: &str, prefix: &str| {
            let r = app.send(app.anon.get(app.url(path)).query(&[("prefix", prefix)]));
            assert_eq!(r.status, 200, "{}", r.text);
            r.json
        };
        let entities = suggest("/reconcile/suggest/entity", "Qız qal");
        assert_valid("suggest-entities-response", &entities);
        assert_eq!(entities["result"][0]["id"], "HER-000001");
        assert_eq!(entities["result"][0]["name"], "Qız qalası");
        let types = suggest("/reconcile/suggest/type", "heritage");
        assert_valid("suggest-types-response", &types);
        assert_eq!(types["result"].as_array().unwrap().len(), 4);
        let props = suggest("/reconcile/suggest/property", "region");
        assert_valid("suggest-properties-response", &props);
        let ids: Vec<&str> = props["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["region", "economic_region"]);

        let proposal = app.send(
            app.anon
                .get(app.url("/reconcile/propose_properties"))
                .query(&[("type", "museum")]),
        );
        assert_valid("data-extension-property-proposal", &proposal.json);
        assert!(proposal.json["properties"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": "founded_year", "name": "Year of foundation"})));

        // The head of a museum is personal data.
        let museum = app.get("/api/v1/museums/MUS-000001").json;
        let reply = app.patch(
            "/api/v1/museums/MUS-000001",
            &json!({"head": "Çingiz Fərzəliyev", "external_ids": {"wikidata": "Q4255236"}, "location": {"lat": 40.3683, "lon": 49.8335}}),
            Some(&format!("\"{}\"", museum["version"])),
        );
        assert_eq!(reply.status, 200, "{}", reply.text);
        let extend = json!({
            "ids": ["MUS-000001", "HER-000010", "MUS-999999"],
            "properties": [{"id": "region"}, {"id": "founded_year"}, {"id": "location"},
                           {"id": "wikidata"}, {"id": "head"}, {"id": "economic_region"}]
        });
        assert_valid("data-extension-query", &extend);
        let anon = app.send(
            app.anon
                .post(app.url("/reconcile"))
                .form(&[("extend", extend.to_string())]),
        );
        assert_eq!(anon.status, 200, "{}", anon.text);
        assert_valid("data-extension-response", &anon.json);
        let row = &anon.json["rows"]["MUS-000001"];
        assert_eq!(row["region"], json!([{"str": "AZ-BA"}]));
        assert_eq!(row["economic_region"], json!([{"str": "baku"}]));
        assert_eq!(row["founded_year"], json!([{"int": 1936}]));
        assert_eq!(row["location"], json!([{"str": "40.3683,49.8335"}]));
        assert_eq!(row["wikidata"], json!([{"str": "Q4255236"}]));
        assert_eq!(row["head"], json!([]), "anonymous callers never see head");
        assert_eq!(anon.json["rows"]["HER-000010"]["region"], json!([]));
        assert_eq!(anon.json["rows"]["MUS-999999"]["founded_year"], json!([]));
        assert_eq!(
            anon.json["meta"][0],
            json!({"id": "region", "name": "Region (ISO 3166-2:AZ code or name)"})
        );
        let reader = app.send(
            app.client(Role::Reader)
                .post(app.url("/reconcile"))
                .form(&[("extend", extend.to_string())]),
        );
        assert_eq!(
            reader.json["rows"]["MUS-000001"]["head"],
            json!([{"str": "Çingiz Fərzəliyev"}])
        );

        // Preview: a small HTML card, the head only for a reader.
        let card = app.send(
            app.anon
                .get(app.url("/reconcile/preview"))
                .query(&[("id", "MUS-000001")]),
        );
        assert_eq!(card.status, 200);
        assert_eq!(
            card.header("content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert!(
            card.text.contains("Azərbaycan Milli İncəsənət Muzeyi"),
            "{}",
            card.text
        );
        assert!(!card.text.contains("Fərzəliyev"), "{}", card.text);
        let card = app.send(
            app.client(Role::Reader)
                .get(app.url("/reconcile/preview"))
                .query(&[("id", "MUS-000001")]),
        );
        assert!(card.text.contains("Çingiz Fərzəliyev"), "{}", card.text);
        // Candidates never carry personal data either.
        let found = reconcile_form(
            app,
            &app.anon,
            &json!({"q": {"query": "Milli İncəsənət Muzeyi"}}),
        );
        assert!(!found.text.contains("Fərzəliyev"));
        let missing = app.send(
            app.anon
                .get(app.url("/reconcile/preview"))
                .query(&[("id", "MUS-999999")]),
        );
        assert_problem(&missing, 404, "/problems/not-found");
    });
}

#[test]
fn bad_requests_are_refused_clearly_and_change_nothing() {
    let app = TestApp::spawn(ucr_core::testing::Scratch::sqlite().unwrap());
    app.load_fixtures();
    let before = app.snapshot();
    let cases: [(Value, &str); 7] = [
        (
            json!({"q0": {"query": "x", "type": "gallery"}}),
            "no type gallery",
        ),
        (
            json!({"q0": {"query": "x", "properties": [{"pid": "seats", "v": 1}]}}),
            "no property seats",
        ),
        (json!({"q0": {"query": "x", "limit": 0}}), "limit"),
        (
            json!({"q0": {"query": "x", "colour": "red"}}),
            "unknown member colour",
        ),
        (json!({"q0": {}}), "needs a query"),
        (json!({"q0": "Qız qalası"}), "not an object"),
        (json!(["Qız qalası"]), "an object of queries"),
    ];
    for (queries, says) in cases {
        let reply = reconcile_form(&app, &app.anon, &queries);
        assert_problem(&reply, 400, "/problems/bad-request");
        assert!(
            reply.json["detail"].as_str().unwrap().contains(says),
            "{}",
            reply.text
        );
    }
    let not_json = app.send(
        app.anon
            .post(app.url("/reconcile"))
            .form(&[("queries", "{\"q0\": ")]),
    );
    assert_problem(&not_json, 400, "/problems/bad-request");
    assert!(not_json.json["detail"].as_str().unwrap().contains("line 1"));
    let both = app.send(
        app.anon
            .post(app.url("/reconcile"))
            .form(&[("queries", "{}"), ("extend", "{}")]),
    );
    assert_problem(&both, 400, "/problems/bad-request");
    let extend = app.send(app.anon.post(app.url("/reconcile")).form(&[(
        "extend",
        json!({"ids": ["MUS-000001"], "properties": [{"id": "seats"}]}).to_string(),
    )]));
    assert_problem(&extend, 400, "/problems/bad-request");
    let text = app.send(
        app.anon
            .post(app.url("/reconcile"))
            .header("content-type", "text/plain")
            .body("Qız qalası"),
    );
    assert_problem(&text, 415, "/problems/unsupported-media-type");
    let no_prefix = app.send(app.anon.get(app.url("/reconcile/suggest/entity")));
    assert_problem(&no_prefix, 400, "/problems/bad-request");
    let delete = app.send(app.anon.delete(app.url("/reconcile")));
    assert_problem(&delete, 405, "/problems/method-not-allowed");
    assert_eq!(app.snapshot(), before);
}

#[test]
fn a_private_register_reconciles_only_for_token_holders() {
    let config = ucr_api::Config {
        public_read: false,
        ..test_config()
    };
    let app = TestApp::spawn_with(ucr_core::testing::Scratch::sqlite().unwrap(), config);
    app.load_fixtures();
    for path in [
        "/reconcile",
        "/reconcile/suggest/entity?prefix=Q",
        "/reconcile/preview?id=HER-000001",
        "/oai?verb=Identify",
    ] {
        let reply = app.send(app.anon.get(app.url(path)));
        assert_problem(&reply, 401, "/problems/unauthorized");
        let reply = app.send(app.client(Role::Reader).get(app.url(path)));
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    }
}
