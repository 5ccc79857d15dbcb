//! Every status code the API answers, with its exact problem type, and proof that a refused
//! write changed nothing.

use super::*;
use reqwest::Method;
use serde_json::{json, Value};

/// A real theatre (THR-000001), stored; returns its id.
fn stored_theatre(app: &TestApp) -> String {
    app.create(&fixture("theatre", None))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn ok_created_and_no_content() {
    each_backend(|app| {
        let list = app.get("/api/v1/theatres");
        assert_eq!(list.status, 200, "{}", list.text);
        assert_eq!(
            list.json,
            json!({"items": [], "next_cursor": null, "total": 0})
        );

        let input = fixture("theatre", None);
        let created = app.post("/api/v1/theatres", &input);
        assert_eq!(created.status, 201, "{}", created.text);
        assert_eq!(
            created.header("content-type").as_deref(),
            Some("application/json")
        );
        let id = created.json["entry"]["id"].as_str().unwrap().to_string();
        assert_eq!(
            created.header("location").unwrap(),
            format!("/api/v1/theatres/{id}")
        );
        assert_eq!(created.header("etag").unwrap(), "\"1\"");
        assert_eq!(created.json["entry"]["registry_number"], "THR-000001");
        assert_eq!(created.json["entry"]["version"], 1);
        assert_eq!(app.register().get(&id).unwrap().version, 1);

        // The Location header names the entry.
        let got = app.get(&created.header("location").unwrap());
        assert_eq!(got.status, 200);
        assert_eq!(got.header("etag").unwrap(), "\"1\"");
        assert_eq!(got.json, created.json["entry"]);

        let list = app.get("/api/v1/theatres");
        assert_eq!(list.status, 200);
        assert_eq!(list.json["total"], 1);
        assert_eq!(list.json["items"], json!([created.json["entry"]]));

        let deleted = app.delete(&format!("/api/v1/theatres/{id}"), Some("\"1\""));
        assert_eq!(deleted.status, 204, "{}", deleted.text);
        assert_eq!(deleted.text, "");
        assert!(app.register().get(&id).is_err());
        assert_problem(
            &app.get(&format!("/api/v1/theatres/{id}")),
            404,
            "/problems/not-found",
        );
        // Its history stays readable, ending with the delete.
        let history = app.get(&format!("/api/v1/entries/{id}/history"));
        assert_eq!(history.status, 200, "{}", history.text);
        let ops: Vec<&str> = history.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["operation"].as_str().unwrap())
            .collect();
        assert_eq!(ops, ["create", "delete"]);
        assert_eq!(app.get("/api/v1/theatres").json["total"], 0);
    });
}

#[test]
fn malformed_json_is_400_with_line_and_column() {
    each_backend(|app| {
        let id = stored_theatre(app);
        let before = app.snapshot();
        let body = "{\n  \"name\": }";
        for (method, path, content_type) in [
            (
                Method::POST,
                "/api/v1/theatres".to_string(),
                "application/json",
            ),
            (
                Method::PUT,
                format!("/api/v1/theatres/{id}"),
                "application/json",
            ),
            (
                Method::PATCH,
                format!("/api/v1/theatres/{id}"),
                "application/merge-patch+json",
            ),
        ] {
            let reply = app.write(method.clone(), &path, content_type, body, Some("*"));
            assert_problem(&reply, 400, "/problems/malformed-json");
            let detail = reply.json["detail"].as_str().unwrap();
            assert!(
                detail.contains("line 2") && detail.contains("column 11"),
                "{method} {path}: {detail}"
            );
        }
        // A truncated body: the error is at its end.
        let reply = app.write(
            Method::POST,
            "/api/v1/theatres",
            "application/json",
            "{\"kind\": \"theatre\",\n\"name\": {\"az\": \"Teatr\"",
            None,
        );
        assert_problem(&reply, 400, "/problems/malformed-json");
        assert!(
            reply.json["detail"].as_str().unwrap().contains("line 2"),
            "{}",
            reply.text
        );
        assert_eq!(app.snapshot(), before);
    });
}

#[test]
fn empty_body_is_400() {
    each_backend(|app| {
        let id = stored_theatre(app);
        let before = app.snapshot();
        for body in ["", "   \n\t "] {
            for (method, path, content_type) in [
                (
                    Method::POST,
                    "/api/v1/theatres".to_string(),
                    "application/json",
                ),
                (
                    Method::PUT,
                    format!("/api/v1/theatres/{id}"),
                    "application/json",
                ),
                (
                    Method::PATCH,
                    format!("/api/v1/theatres/{id}"),
                    "application/merge-patch+json",
                ),
            ] {
                let reply = app.write(method, &path, content_type, body, Some("*"));
                assert_problem(&reply, 400, "/problems/bad-request");
                assert!(
                    reply.json["detail"].as_str().unwrap().contains("empty"),
                    "{}",
                    reply.text
                );
            }
        }
        assert_eq!(app.snapshot(), before);
    });
}

#[test]
fn bad_query_parameters_are_400() {
    each_backend(|app| {
        stored_theatre(app);
        for query in [
            "colour=red",
            "status=open",
            "status=",
            "limit=0",
            "limit=1001",
            "limit=-1",
            "limit=ten",
            "cursor=abc",
            "region=AZ-XX",
            "economic_region=atlantis",
            "ownership=crown",
            "theatre_type=circus",
            // Another collection's type field is unknown here.
            "museum_profile=art",
        ] {
            let reply = app.get(&format!("/api/v1/theatres?{query}"));
            assert_problem(&reply, 400, "/problems/bad-request");
        }
        // Heritage objects have no ownership.
        assert_problem(
            &app.get("/api/v1/heritage-objects?ownership=state"),
            400,
            "/problems/bad-request",
        );
        let unknown = app.get("/api/v1/theatres?colour=red");
        assert!(unknown.json["detail"]
            .as_str()
            .unwrap()
            .contains("unknown query parameter `colour`"));
        // The same parameters with good values are fine.
        let good =
            app.get("/api/v1/theatres?status=active&region=AZ-BA&economic_region=baku&ownership=state&theatre_type=opera_ballet&limit=1000");
        assert_eq!(good.status, 200, "{}", good.text);
        assert_eq!(good.json["total"], 1);
    });
}

#[test]
fn unknown_things_are_404() {
    each_backend(|app| {
        let museum = app.create(&fixture("museum", None));
        let museum_id = museum["id"].as_str().unwrap();
        let museum_number = museum["registry_number"].as_str().unwrap();
        let before = app.snapshot();
        for path in [
            // An id that no entry has.
            "/api/v1/theatres/01900000-0000-7000-8000-000000000000".to_string(),
            "/api/v1/entries/01900000-0000-7000-8000-000000000000".to_string(),
            // A registry number that no entry has.
            "/api/v1/theatres/THR-999999".to_string(),
            "/api/v1/entries/MUS-999999".to_string(),
            "/api/v1/entries/MUS-999999/history".to_string(),
            "/api/v1/entries/not-a-key".to_string(),
            // Unknown collection, unknown route.
            "/api/v1/circuses".to_string(),
            "/api/v1/circuses/THR-000001".to_string(),
            "/nope".to_string(),
            "/api/v2/theatres".to_string(),
            // A museum through the theatres collection, by id and by registry number.
            format!("/api/v1/theatres/{museum_id}"),
            format!("/api/v1/theatres/{museum_number}"),
            format!("/api/v1/heritage-objects/{museum_number}"),
            // Versions that do not exist.
            format!("/api/v1/entries/{museum_id}/history/2"),
            format!("/api/v1/entries/{museum_id}/history/0"),
            format!("/api/v1/entries/{museum_id}/history/-1"),
            format!("/api/v1/entries/{museum_id}/history/first"),
        ] {
            let reply = app.get(&path);
            assert_problem(&reply, 404, "/problems/not-found");
        }
        // Writes through the wrong collection or to unknown entries are 404 and change nothing.
        let mut read = museum.clone();
        read.as_object_mut().unwrap().remove("kind");
        for path in [
            format!("/api/v1/theatres/{museum_id}"),
            "/api/v1/museums/MUS-999999".to_string(),
            "/api/v1/circuses/MUS-000001".to_string(),
        ] {
            assert_problem(
                &app.put(&path, &read, Some("\"1\"")),
                404,
                "/problems/not-found",
            );
            assert_problem(
                &app.patch(&path, &json!({"visitors_per_year": 1}), Some("\"1\"")),
                404,
                "/problems/not-found",
            );
            assert_problem(
                &app.delete(&path, Some("\"1\"")),
                404,
                "/problems/not-found",
            );
        }
        assert_problem(
            &app.post("/api/v1/circuses", &fixture("theatre", None)),
            404,
            "/problems/not-found",
        );
        assert_eq!(app.snapshot(), before);
        assert_eq!(app.register().get(museum_id).unwrap().version, 1);
    });
}

#[test]
fn history_of_an_id_that_never_existed_is_404() {
    each_backend(|app| {
        stored_theatre(app);
        let unknown = "01900000-0000-7000-8000-000000000000";
        let one = app.get(&format!("/api/v1/entries/{unknown}/history/1"));
        assert_problem(&one, 404, "/problems/not-found");
        let all = app.get(&format!("/api/v1/entries/{unknown}/history"));
        assert_problem(&all, 404, "/problems/not-found");
    });
}

#[test]
fn method_not_allowed_is_405_with_allow() {
    each_backend(|app| {
        let id = stored_theatre(app);
        let before = app.snapshot();
        let cases: Vec<(Method, String, &str)> = vec![
            (Method::DELETE, "/api/v1/theatres".into(), "GET, HEAD, POST"),
            (
                Method::PUT,
                "/api/v1/heritage-objects".into(),
                "GET, HEAD, POST",
            ),
            (Method::PATCH, "/api/v1/museums".into(), "GET, HEAD, POST"),
            (
                Method::POST,
                format!("/api/v1/theatres/{id}"),
                "GET, HEAD, PUT, PATCH, DELETE",
            ),
            (Method::DELETE, format!("/api/v1/entries/{id}"), "GET, HEAD"),
            (Method::PUT, format!("/api/v1/entries/{id}"), "GET, HEAD"),
            (
                Method::POST,
                format!("/api/v1/entries/{id}/history"),
                "GET, HEAD",
            ),
            (
                Method::DELETE,
                format!("/api/v1/entries/{id}/history/1"),
                "GET, HEAD",
            ),
            (Method::POST, "/api/v1/vocabularies".into(), "GET, HEAD"),
            (Method::DELETE, "/api/v1/vocabularies".into(), "GET, HEAD"),
            (Method::POST, "/health".into(), "GET, HEAD"),
            (Method::POST, "/ready".into(), "GET, HEAD"),
            (Method::PUT, "/openapi.json".into(), "GET, HEAD"),
            (Method::DELETE, "/api/v1/imports".into(), "GET, HEAD, POST"),
            (
                Method::PUT,
                "/api/v1/imports/01900000-0000-7000-8000-000000000000".into(),
                "GET, HEAD",
            ),
            (
                Method::GET,
                "/api/v1/imports/01900000-0000-7000-8000-000000000000/undo".into(),
                "POST",
            ),
            (Method::POST, "/api/v1/export".into(), "GET, HEAD"),
            // The standards' form POSTs are served too.
            (Method::DELETE, "/oai".into(), "GET, HEAD, POST"),
            (Method::PUT, "/reconcile".into(), "GET, HEAD, POST"),
            (Method::POST, "/reconcile/preview".into(), "GET, HEAD"),
        ];
        let mut wrong = Vec::new();
        for (method, path, allow) in cases {
            let reply = app.send(
                app.http
                    .request(method.clone(), app.url(&path))
                    .header("content-type", "application/json")
                    .body("{}"),
            );
            let ok = reply.status == 405
                && reply.header("content-type").as_deref() == Some("application/problem+json")
                && reply.json["type"] == "/problems/method-not-allowed"
                && reply.header("allow").as_deref() == Some(allow);
            if !ok {
                wrong.push(format!(
                    "{method} {path}: {} allow={:?} {}",
                    reply.status,
                    reply.header("allow"),
                    reply.text
                ));
            }
        }
        assert_eq!(app.snapshot(), before);
        assert!(
            wrong.is_empty(),
            "not a 405 with Allow:\n{}",
            wrong.join("\n")
        );
    });
}

#[test]
fn duplicate_registry_number_is_409() {
    each_backend(|app| {
        let first = app.create(&registered("THR-000001"));
        let before = app.snapshot();
        // Another real theatre claiming the same number.
        let mut other = fixture_numbered("THR-000002");
        other["registry_number"] = json!("THR-000001");
        let reply = app.post("/api/v1/theatres", &other);
        assert_problem(&reply, 409, "/problems/duplicate");
        assert_eq!(
            error_pairs(&reply.json),
            pairs(&[("/registry_number", "duplicate")])
        );
        assert_eq!(app.snapshot(), before);
        assert_eq!(app.total_of(ucr_core::Kind::Theatre), 1);
        let stored = app.register().get("THR-000001").unwrap();
        assert_eq!(stored.id.to_string(), first["id"]);
        assert_eq!(stored.version, 1);
    });
}

#[test]
fn deleting_a_referenced_reserve_is_409() {
    each_backend(|app| {
        let reserve = app.create(&registered("RSV-000001"));
        let reserve_id = reserve["id"].as_str().unwrap();
        // The Maiden Tower lies in Icherisheher and names it by registry number.
        let tower = app.create(&registered("HER-000001"));
        assert_eq!(tower["reserve_id"], reserve["id"]);
        let before = app.snapshot();
        for path in [
            format!("/api/v1/reserves/{reserve_id}"),
            "/api/v1/reserves/RSV-000001".to_string(),
        ] {
            for if_match in [Some("*"), Some("\"1\"")] {
                let reply = app.delete(&path, if_match);
                assert_problem(&reply, 409, "/problems/referenced");
                assert_eq!(reply.json["referrers"], json!(["HER-000001"]));
            }
        }
        assert_eq!(app.snapshot(), before);
        assert_eq!(app.register().get(reserve_id).unwrap().version, 1);
        // Once the monument is gone, the reserve can go.
        let tower_id = tower["id"].as_str().unwrap();
        assert_eq!(
            app.delete(
                &format!("/api/v1/heritage-objects/{tower_id}"),
                Some("\"1\"")
            )
            .status,
            204
        );
        assert_eq!(
            app.delete(&format!("/api/v1/reserves/{reserve_id}"), Some("\"1\""))
                .status,
            204
        );
        assert_eq!(app.snapshot().total, 0);
    });
}

#[test]
fn stale_if_match_is_412() {
    each_backend(|app| {
        let id = stored_theatre(app);
        let path = format!("/api/v1/theatres/{id}");
        let read = app.get(&path).json;
        // Someone else changes it: now at version 2.
        let changed = app.patch(&path, &json!({"seats": 601}), Some("\"1\""));
        assert_eq!(changed.status, 200, "{}", changed.text);
        assert_eq!(changed.header("etag").unwrap(), "\"2\"");
        let before = app.snapshot();
        for stale in [
            "\"1\"",
            "W/\"1\"",
            "\"3\"",
            "\"0\"",
            "\"\"",
            "\"1\", \"3\"",
            "W/\"2\"",
            "\"x,2\"",
        ] {
            let put = app.put(&path, &read, Some(stale));
            assert_problem(&put, 412, "/problems/version-mismatch");
            let patch = app.patch(&path, &json!({"seats": 1}), Some(stale));
            assert_problem(&patch, 412, "/problems/version-mismatch");
            let delete = app.delete(&path, Some(stale));
            assert_problem(&delete, 412, "/problems/version-mismatch");
        }
        // Not a list of entity tags at all: 400.
        for garbage in ["garbage", "2", "\"2", "\"2\" \"3\""] {
            let patch = app.patch(&path, &json!({"seats": 1}), Some(garbage));
            assert_problem(&patch, 400, "/problems/bad-request");
            let delete = app.delete(&path, Some(garbage));
            assert_problem(&delete, 400, "/problems/bad-request");
        }
        // No If-Match at all: 428, saying what to send.
        for reply in [
            app.put(&path, &read, None),
            app.patch(&path, &json!({"seats": 1}), None),
            app.delete(&path, None),
        ] {
            assert_problem(&reply, 428, "/problems/precondition-required");
            let detail = reply.json["detail"].as_str().unwrap();
            assert!(
                detail.contains("ETag") && detail.contains(&path),
                "{detail}"
            );
        }
        assert_eq!(app.snapshot(), before);
        let stored = app.register().get(&id).unwrap();
        assert_eq!(stored.version, 2);
        assert_eq!(stored.to_json()["seats"], 601);
        // The current tag, alone or in a list, and `*` are accepted.
        assert_eq!(
            app.patch(&path, &json!({"seats": 600}), Some("\"1\", W/\"2\", \"2\""))
                .status,
            200
        );
        assert_eq!(
            app.patch(&path, &json!({"seats": 601}), Some("*")).status,
            200
        );
        assert_eq!(app.register().get(&id).unwrap().version, 4);
    });
}

/// A valid theatre body of exactly `size` bytes (padded with spaces).
fn theatre_of_size(size: usize) -> String {
    let mut text = fixture("theatre", None).to_string();
    assert!(text.len() < size);
    text.insert_str(1, &" ".repeat(size - text.len()));
    assert_eq!(text.len(), size);
    text
}

#[test]
fn body_over_the_limit_is_413() {
    each_backend(|app| {
        let id = stored_theatre(app);
        let path = format!("/api/v1/theatres/{id}");
        let before = app.snapshot();
        let over = theatre_of_size(TEST_BODY_LIMIT + 1);
        for (method, path, content_type) in [
            (Method::POST, "/api/v1/theatres", "application/json"),
            (Method::PUT, path.as_str(), "application/json"),
            (Method::PATCH, path.as_str(), "application/merge-patch+json"),
        ] {
            let reply = app.write(method, path, content_type, over.clone(), Some("*"));
            assert_problem(&reply, 413, "/problems/payload-too-large");
        }
        // Far over the limit, too.
        let huge = json!({"name": {"az": "x".repeat(4 * TEST_BODY_LIMIT)}}).to_string();
        let reply = app.write(
            Method::POST,
            "/api/v1/theatres",
            "application/json",
            huge,
            None,
        );
        assert_problem(&reply, 413, "/problems/payload-too-large");
        assert_eq!(app.snapshot(), before);
        // A body of exactly the limit is read (and is a real theatre; its number is taken, so 409).
        let at = theatre_of_size(TEST_BODY_LIMIT);
        let mut with_number: Value = serde_json::from_str(&at).unwrap();
        with_number["registry_number"] = json!("THR-000001");
        let mut text = with_number.to_string();
        text.insert_str(1, &" ".repeat(TEST_BODY_LIMIT - text.len()));
        let reply = app.write(
            Method::POST,
            "/api/v1/theatres",
            "application/json",
            text,
            None,
        );
        assert_problem(&reply, 409, "/problems/duplicate");
        let reply = app.write(
            Method::POST,
            "/api/v1/theatres",
            "application/json",
            at,
            None,
        );
        assert_eq!(reply.status, 201, "{}", reply.text);
    });
}

#[test]
fn wrong_content_type_is_415() {
    each_backend(|app| {
        let id = stored_theatre(app);
        let path = format!("/api/v1/theatres/{id}");
        let body = fixture("theatre", None).to_string();
        let before = app.snapshot();
        for (method, path, content_type) in [
            (Method::POST, "/api/v1/theatres", "text/plain"),
            (
                Method::POST,
                "/api/v1/theatres",
                "application/x-www-form-urlencoded",
            ),
            (
                Method::POST,
                "/api/v1/theatres",
                "application/merge-patch+json",
            ),
            (Method::PUT, path.as_str(), "text/plain"),
            (Method::PUT, path.as_str(), "application/merge-patch+json"),
            (Method::PATCH, path.as_str(), "application/json"),
            (Method::PATCH, path.as_str(), "text/plain"),
        ] {
            let reply = app.write(method.clone(), path, content_type, body.clone(), Some("*"));
            assert_problem(&reply, 415, "/problems/unsupported-media-type");
            assert!(
                reply.json["detail"]
                    .as_str()
                    .unwrap()
                    .contains(content_type),
                "{method} {path}: {}",
                reply.text
            );
        }
        // No content type at all.
        let reply = app.send(
            app.http
                .post(app.url("/api/v1/theatres"))
                .body(body.clone()),
        );
        assert_problem(&reply, 415, "/problems/unsupported-media-type");
        assert_eq!(app.snapshot(), before);
        // Parameters and case do not matter.
        let reply = app.write(
            Method::PATCH,
            &path,
            "Application/Merge-Patch+JSON; charset=utf-8",
            "{\"seats\": 601}",
            Some("\"1\""),
        );
        assert_eq!(reply.status, 200, "{}", reply.text);
    });
}

#[test]
fn validation_lists_every_problem_as_422() {
    each_backend(|app| {
        let id = stored_theatre(app);
        let before = app.snapshot();
        let mut theatre = fixture_numbered("THR-000002");
        let map = theatre.as_object_mut().unwrap();
        map.insert("region".into(), json!("AZ-XX"));
        map.insert("seats".into(), json!(0));
        map.insert("stage_colour".into(), json!("red"));
        map.remove("ownership");
        map.remove("theatre_type");
        let expected = pairs(&[
            ("/ownership", "required"),
            ("/region", "not_in_vocabulary"),
            ("/seats", "out_of_range"),
            ("/stage_colour", "unknown_field"),
            ("/theatre_type", "required"),
        ]);
        let reply = app.post("/api/v1/theatres", &theatre);
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(error_pairs(&reply.json), expected);
        // Every listed problem has a message and a known severity.
        for p in reply.json["errors"].as_array().unwrap() {
            assert!(p["message"].as_str().is_some_and(|m| !m.is_empty()), "{p}");
            assert!(
                p["severity"] == "error" || p["severity"] == "warning",
                "{p}"
            );
        }
        // The same body as a full replace gives the same list.
        let reply = app.put(&format!("/api/v1/theatres/{id}"), &theatre, Some("\"1\""));
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(error_pairs(&reply.json), expected);
        // A patch that breaks rules.
        let reply = app.patch(
            &format!("/api/v1/theatres/{id}"),
            &json!({"region": "AZ-XX", "seats": 10001, "halls": 0, "ownership": null}),
            Some("\"1\""),
        );
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(
            error_pairs(&reply.json),
            pairs(&[
                ("/halls", "out_of_range"),
                ("/ownership", "required"),
                ("/region", "not_in_vocabulary"),
                ("/seats", "out_of_range"),
            ])
        );
        // A museum posted to the theatres.
        let reply = app.post("/api/v1/theatres", &fixture("museum", None));
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(
            error_pairs(&reply.json),
            pairs(&[("/kind", "not_in_vocabulary")])
        );
        // What the register assigns cannot be changed.
        for (patch, field, code) in [
            (
                json!({"registry_number": "THR-000099"}),
                "/registry_number",
                "immutable",
            ),
            (
                json!({"id": "01900000-0000-7000-8000-000000000000"}),
                "/id",
                "immutable",
            ),
            (json!({"kind": "museum"}), "/kind", "not_in_vocabulary"),
        ] {
            let reply = app.patch(&format!("/api/v1/theatres/{id}"), &patch, Some("\"1\""));
            assert_problem(&reply, 422, "/problems/validation");
            assert_eq!(error_pairs(&reply.json), pairs(&[(field, code)]), "{patch}");
        }
        // A registered number may not be claimed on create by another kind's prefix.
        let mut wrong_prefix = fixture_numbered("THR-000002");
        wrong_prefix["registry_number"] = json!("MUS-000002");
        let reply = app.post("/api/v1/theatres", &wrong_prefix);
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(
            error_pairs(&reply.json),
            pairs(&[("/registry_number", "format")])
        );
        // A patch that is not an object.
        let reply = app.patch(
            &format!("/api/v1/theatres/{id}"),
            &json!([1]),
            Some("\"1\""),
        );
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(error_pairs(&reply.json), pairs(&[("", "format")]));
        assert_eq!(app.snapshot(), before);
        assert_eq!(app.register().get(&id).unwrap().version, 1);
    });
}

#[test]
fn wrong_json_type_is_422_format() {
    each_backend(|app| {
        let id = stored_theatre(app);
        let before = app.snapshot();
        let mut theatre = fixture_numbered("THR-000002");
        theatre["seats"] = json!("many");
        let reply = app.post("/api/v1/theatres", &theatre);
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(error_pairs(&reply.json), pairs(&[("/seats", "format")]));
        let reply = app.patch(
            &format!("/api/v1/theatres/{id}"),
            &json!({"seats": "many", "founded_year": true}),
            Some("\"1\""),
        );
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(
            error_pairs(&reply.json),
            pairs(&[("/founded_year", "format"), ("/seats", "format")])
        );
        let reply = app.patch(
            &format!("/api/v1/theatres/{id}"),
            &json!({"name": "Teatr"}),
            Some("\"1\""),
        );
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(error_pairs(&reply.json), pairs(&[("/name", "format")]));
        assert_eq!(app.snapshot(), before);
    });
}

#[test]
fn unknown_fields_are_rejected() {
    each_backend(|app| {
        let id = stored_theatre(app);
        let path = format!("/api/v1/theatres/{id}");
        let before = app.snapshot();
        let mut theatre = fixture_numbered("THR-000002");
        theatre["website"] = json!("https://example.az");
        let reply = app.post("/api/v1/theatres", &theatre);
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(
            error_pairs(&reply.json),
            pairs(&[("/website", "unknown_field")])
        );
        // In a replace of what was read.
        let mut read = app.get(&path).json;
        read["nickname"] = json!("Opera");
        let reply = app.put(&path, &read, Some("\"1\""));
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(
            error_pairs(&reply.json),
            pairs(&[("/nickname", "unknown_field")])
        );
        // In a patch: a field of another kind.
        let reply = app.patch(&path, &json!({"items_total": 3}), Some("\"1\""));
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(
            error_pairs(&reply.json),
            pairs(&[("/items_total", "unknown_field")])
        );
        // Inside an object: rejected (where it points is checked below).
        let reply = app.patch(&path, &json!({"name": {"fr": "Opéra"}}), Some("\"1\""));
        assert_problem(&reply, 422, "/problems/validation");
        assert_eq!(app.snapshot(), before);
    });
}

#[test]
fn an_unknown_nested_field_is_named_by_its_own_pointer() {
    each_backend(|app| {
        let id = stored_theatre(app);
        let path = format!("/api/v1/theatres/{id}");
        let before = app.snapshot();
        let mut theatre = fixture_numbered("THR-000002");
        theatre["address"]["country"] = json!("AZ");
        let post = app.post("/api/v1/theatres", &theatre);
        let patch = app.patch(
            &path,
            &json!({"name": {"fr": "Opéra"}, "contacts": {"fax": "012 493 40 03"}}),
            Some("\"1\""),
        );
        assert_eq!(app.snapshot(), before);
        assert_problem(&post, 422, "/problems/validation");
        assert_problem(&patch, 422, "/problems/validation");
        // As a top-level unknown field is named `/website`, a nested one is `/address/country`.
        assert_eq!(
            (error_pairs(&post.json), error_pairs(&patch.json)),
            (
                pairs(&[("/address/country", "unknown_field")]),
                pairs(&[
                    ("/contacts/fax", "unknown_field"),
                    ("/name/fr", "unknown_field")
                ])
            )
        );
    });
}

/// Bodies that try to break the server.
fn hostile_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let mut out: Vec<(&'static str, Vec<u8>)> = vec![
        (
            "nested arrays",
            format!("{}{}", "[".repeat(20_000), "]".repeat(20_000)).into_bytes(),
        ),
        (
            "nested objects",
            format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000)).into_bytes(),
        ),
        ("array", b"[{\"kind\":\"theatre\"},{\"kind\":\"museum\"}]".to_vec()),
        ("string", b"\"theatre\"".to_vec()),
        ("null", b"null".to_vec()),
        ("number", b"42".to_vec()),
        ("two-byte BOM", b"\xef\xbb".to_vec()),
        ("BOM then object", b"\xef\xbb\xbf{}".to_vec()),
        ("huge number", b"{\"seats\": 1e400}".to_vec()),
        (
            "huge integer",
            b"{\"seats\": 123456789012345678901234567890}".to_vec(),
        ),
        ("negative zero", b"{\"seats\": -0.0}".to_vec()),
        (
            "NUL in a name",
            b"{\"name\": {\"az\": \"Teatr\\u0000\"}}".to_vec(),
        ),
        ("NUL as a key", b"{\"\\u0000\": 1}".to_vec()),
        (
            "NUL in a reference",
            br#"{"name": {"az": "Teatr"}, "region": "AZ-BA", "ownership": "state", "theatre_type": "drama", "parent_id": "THR-\u0000"}"#.to_vec(),
        ),
        (
            "NUL in the registry number",
            br#"{"name": {"az": "Teatr"}, "region": "AZ-BA", "ownership": "state", "theatre_type": "drama", "registry_number": "THR-\u0000"}"#.to_vec(),
        ),
        ("raw NUL byte", b"{\"name\": {\"az\": \"T\x00\"}}".to_vec()),
        ("lone surrogate", b"{\"name\": {\"az\": \"\\ud800\"}}".to_vec()),
        ("invalid UTF-8", b"{\"name\": {\"az\": \"\xff\xfe\"}}".to_vec()),
        ("trailing garbage", b"{} {}".to_vec()),
        (
            "long key",
            format!("{{\"{}\": 1}}", "k".repeat(60_000)).into_bytes(),
        ),
        (
            "many members",
            format!(
                "{{{}}}",
                (0..5_000)
                    .map(|i| format!("\"f{i}\":{i}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )
            .into_bytes(),
        ),
        (
            "registry number overflow",
            b"{\"registry_number\": \"THR-99999999999999999999999\"}".to_vec(),
        ),
        (
            "wrong types everywhere",
            br#"{"kind": 1, "name": [], "status": {}, "region": 5, "location": "here", "address": 1, "alt_names": {"az": 1}, "contacts": [], "external_ids": 7}"#.to_vec(),
        ),
    ];
    // Random bytes, the same on every run.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    out.push(("random bytes", random));
    out
}

#[test]
fn hostile_input_never_gives_5xx() {
    each_backend(|app| {
        let id = stored_theatre(app);
        let path = format!("/api/v1/theatres/{id}");
        let before = app.snapshot();
        let mut failures = Vec::new();
        for (name, body) in hostile_bodies() {
            for (method, path, content_type) in [
                (Method::POST, "/api/v1/theatres", "application/json"),
                (Method::PUT, path.as_str(), "application/json"),
                (Method::PATCH, path.as_str(), "application/merge-patch+json"),
            ] {
                let reply = app.write(method.clone(), path, content_type, body.clone(), Some("*"));
                let fine = (400..500).contains(&reply.status)
                    && reply.header("content-type").as_deref() == Some("application/problem+json")
                    && reply.json["status"] == reply.status;
                if !fine {
                    failures.push(format!(
                        "{name}: {method} {path}: {} {}",
                        reply.status, reply.text
                    ));
                }
            }
        }
        // Hostile paths, queries and headers.
        for path in [
            "/api/v1/theatres/%00".to_string(),
            "/api/v1/theatres/THR-000001%00".to_string(),
            "/api/v1/entries/%00".to_string(),
            "/api/v1/entries/a%00b/history".to_string(),
            "/api/v1/entries/%00/history/1".to_string(),
            "/api/v1/theatres/%FF%FE".to_string(),
            format!("/api/v1/theatres/{}", "9".repeat(5000)),
            "/api/v1/entries/%00/history/99999999999999999999".to_string(),
            "/api/v1/theatres?region=%00".to_string(),
            "/api/v1/theatres?limit=99999999999999999999".to_string(),
            "/api/v1/theatres?cursor=%FF".to_string(),
            "/api/v1/theatres?%=%".to_string(),
        ] {
            let reply = app.get(&path);
            if !(400..500).contains(&reply.status) {
                failures.push(format!("GET {path}: {} {}", reply.status, reply.text));
            }
        }
        // Writes to keys holding NUL.
        for key in ["%00", "THR-%00", "a%00b"] {
            let target = format!("/api/v1/theatres/{key}");
            for reply in [
                app.put(&target, &fixture("theatre", None), Some("*")),
                app.patch(&target, &json!({"seats": 1}), Some("*")),
                app.delete(&target, Some("*")),
            ] {
                if !(400..500).contains(&reply.status) {
                    failures.push(format!(
                        "write to {target}: {} {}",
                        reply.status, reply.text
                    ));
                }
            }
        }
        let reply = app.send(
            app.http
                .patch(app.url(&path))
                .header("content-type", "application/merge-patch+json")
                .header(
                    "if-match",
                    reqwest::header::HeaderValue::from_bytes(b"\"\xff\"").unwrap(),
                )
                .body("{}"),
        );
        if !(400..500).contains(&reply.status) {
            failures.push(format!(
                "non-text If-Match: {} {}",
                reply.status, reply.text
            ));
        }
        assert_eq!(app.snapshot(), before);
        assert!(
            failures.is_empty(),
            "[{}] 5xx for bad input:\n{}",
            app.backend,
            failures.join("\n")
        );
        // The server still answers.
        assert_eq!(app.get("/health").status, 200);
    });
}
