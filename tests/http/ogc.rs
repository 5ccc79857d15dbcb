//! OGC API – Features under `/ogc`: read by GDAL, a GIS client nobody in this project wrote
//! (`ogrinfo`, `ogr2ogr`), and checked request by request over HTTP.

use crate::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::Command;
use ucr_core::query::Filter;
use ucr_core::testing::Scratch;
use ucr_core::{Kind, Role};

/// Whether a real client is installed (`probe` runs successfully). Missing: the test fails
/// when `UCR_TEST_CLIENTS=require` (as in CI), and is skipped, saying why, otherwise.
pub fn client_available(what: &str, probe: &[&str]) -> bool {
    let found = Command::new(probe[0])
        .args(&probe[1..])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert_ne!(
            std::env::var("UCR_TEST_CLIENTS").as_deref(),
            Ok("require"),
            "{what} is required (UCR_TEST_CLIENTS=require) but `{}` fails: .ci/run installs it",
            probe.join(" ")
        );
        eprintln!(
            "skipping: {what} is not installed (`{}` fails)",
            probe.join(" ")
        );
    }
    found
}

/// Runs a command for at most two minutes; its standard output, or a panic with its errors.
pub fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new("timeout")
        .arg("120")
        .arg(program)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A point inside Azerbaijan for the `i`th entry.
fn point(i: usize) -> (f64, f64) {
    (38.6 + (i % 30) as f64 * 0.1, 45.2 + (i % 47) as f64 * 0.1)
}

/// The real fixtures stored through the API, with points (but for intangible heritage, which
/// has none), a boundary for the first reserve, and a museum with a Wikidata id, names in
/// three languages and a director. Returns registry number → id.
pub fn load_mapped(app: &TestApp) -> BTreeMap<String, String> {
    let mut numbers = BTreeMap::new();
    for (i, mut f) in fixtures().into_iter().enumerate() {
        if f["category"] != "intangible" && f.get("location").is_none() {
            let (lat, lon) = point(i);
            f["location"] = json!({"lat": lat, "lon": lon});
        }
        let number = f["registry_number"].as_str().unwrap().to_string();
        if number == "RSV-000001" {
            let (lat, lon) = (
                f["location"]["lat"].as_f64().unwrap(),
                f["location"]["lon"].as_f64().unwrap(),
            );
            f["boundary"] = json!({"type": "Polygon", "coordinates": [[
                [lon - 0.01, lat - 0.01], [lon + 0.01, lat - 0.01],
                [lon + 0.01, lat + 0.01], [lon - 0.01, lat + 0.01], [lon - 0.01, lat - 0.01]
            ]]});
        }
        if number == "MUS-000001" {
            f["external_ids"] = json!({"wikidata": "Q4153817"});
            f["name"]["ru"] = json!("Национальный музей искусств Азербайджана");
            f["head"] = json!("Çingiz Fərzəliyev");
        }
        let entry = app.create(&f);
        numbers.insert(number, entry["id"].as_str().unwrap().to_string());
    }
    numbers
}

/// The entries of a kind in the register, by registry number.
fn stored(app: &TestApp, kind: Kind) -> BTreeMap<String, ucr_core::Entry> {
    let filter = Filter {
        kind: Some(kind),
        ..Default::default()
    };
    let listing = app.register().list(&filter, 1000, None).unwrap();
    assert!(listing.next_cursor.is_none());
    listing
        .items
        .into_iter()
        .map(|e| (e.registry_number().to_string(), e))
        .collect()
}

/// Every coordinate of a GeoJSON geometry, in order.
fn coordinates(geometry: &Value) -> Vec<f64> {
    fn walk(v: &Value, out: &mut Vec<f64>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Number(n) => out.push(n.as_f64().unwrap()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&geometry["coordinates"], &mut out);
    out
}

/// Asserts that GDAL's features are exactly `expected`, with their geometries, registry
/// numbers and Azerbaijani names.
fn assert_same(what: &str, features: &[Value], expected: &BTreeMap<String, &ucr_core::Entry>) {
    let got: BTreeMap<String, &Value> = features
        .iter()
        .map(|f| {
            (
                f["properties"]["registry_number"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                f,
            )
        })
        .collect();
    assert_eq!(got.len(), features.len(), "{what}: a feature came twice");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{what}: not the register's entries"
    );
    for (number, entry) in expected {
        let f = got[number];
        assert_eq!(
            f["properties"]["name_az"].as_str(),
            entry.record.name.az.as_deref(),
            "{what}: {number}"
        );
        let want = ucr_core::features::geometry(entry);
        assert_eq!(f["geometry"]["type"], want["type"], "{what}: {number}");
        let (a, b) = (coordinates(&f["geometry"]), coordinates(&want));
        assert_eq!(a.len(), b.len(), "{what}: {number}");
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-9, "{what}: {number}: {a:?} != {b:?}");
        }
    }
}

/// `ogr2ogr -f GPKG` of a collection (pages of four features), read back as GeoJSON.
fn download(app: &TestApp, collection: &str, extra: &[&str], env: &[(&str, &str)]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let gpkg = dir.path().join("out.gpkg");
    let gpkg = gpkg.to_str().unwrap();
    let source = format!("OAPIF:{}/ogc", app.base);
    let mut args = vec![
        "-f",
        "GPKG",
        "-oo",
        "PAGE_SIZE=4",
        gpkg,
        source.as_str(),
        collection,
    ];
    args.extend_from_slice(extra);
    run("ogr2ogr", &args, env);
    let text = run(
        "ogr2ogr",
        &["-f", "GeoJSON", "/vsistdout/", gpkg, collection],
        &[],
    );
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["features"].as_array().unwrap().clone()
}

#[test]
fn gdal_lists_the_collections_and_downloads_each_exactly() {
    if !client_available("GDAL (Debian package gdal-bin)", &["ogrinfo", "--version"]) {
        return;
    }
    each_backend(|app| {
        load_mapped(app);
        let listing = run("ogrinfo", &["-ro", &format!("OAPIF:{}/ogc", app.base)], &[]);
        for (i, c) in COLLECTIONS.iter().enumerate() {
            assert!(
                listing.contains(&format!("{}: {c} ", i + 1)),
                "ogrinfo does not list {c}:\n{listing}"
            );
        }
        for kind in Kind::ALL {
            let expected = stored(app, *kind);
            assert!(!expected.is_empty());
            let features = download(app, kind.collection(), &[], &[]);
            assert_same(
                kind.collection(),
                &features,
                &expected.iter().map(|(n, e)| (n.clone(), e)).collect(),
            );
        }
        // A box through GDAL (its spatial filter becomes `bbox`): exactly the museums whose
        // point lies inside it.
        let (min_lon, min_lat, max_lon, max_lat) = (45.0, 38.5, 47.5, 40.5);
        let museums = stored(app, Kind::Museum);
        let inside: BTreeMap<String, &ucr_core::Entry> = museums
            .iter()
            .filter(|(_, e)| {
                e.record.location.is_some_and(|l| {
                    (min_lon..=max_lon).contains(&l.lon) && (min_lat..=max_lat).contains(&l.lat)
                })
            })
            .map(|(n, e)| (n.clone(), e))
            .collect();
        assert!(!inside.is_empty() && inside.len() < museums.len());
        let spat = ["-spat", "45.0", "38.5", "47.5", "40.5"];
        let features = download(app, "museums", &spat, &[]);
        assert_same("museums in a box", &features, &inside);
    });
}

#[test]
fn gdal_reads_a_private_register_with_a_token() {
    if !client_available("GDAL (Debian package gdal-bin)", &["ogrinfo", "--version"]) {
        return;
    }
    let scratch = Scratch::sqlite().unwrap();
    let config = ucr_api::Config {
        public_read: false,
        ..test_config()
    };
    let app = TestApp::spawn_with(scratch, config);
    load_mapped(&app);
    let source = format!("OAPIF:{}/ogc", app.base);
    let refused = Command::new("timeout")
        .args(["120", "ogrinfo", "-ro", &source])
        .output()
        .unwrap();
    assert!(
        !refused.status.success(),
        "GDAL read a private register without a token"
    );
    let header = format!("Authorization: Bearer {}", app.tokens[&Role::Reader]);
    let listing = run(
        "ogrinfo",
        &["-ro", &source],
        &[("GDAL_HTTP_HEADERS", &header)],
    );
    assert!(listing.contains("3: museums "), "{listing}");
    let features = download(&app, "museums", &[], &[("GDAL_HTTP_HEADERS", &header)]);
    let expected = stored(&app, Kind::Museum);
    assert_same(
        "museums with a token",
        &features,
        &expected.iter().map(|(n, e)| (n.clone(), e)).collect(),
    );
    // A reader sees the director, as in the rest of the API.
    let museum = features
        .iter()
        .find(|f| f["properties"]["registry_number"] == "MUS-000001")
        .unwrap();
    assert_eq!(museum["properties"]["head"], "Çingiz Fərzəliyev");
}

#[test]
fn the_landing_page_conformance_and_collections_describe_the_service() {
    each_backend(|app| {
        let numbers = load_mapped(app);
        let landing = app.send(app.anon.get(app.url("/ogc")));
        assert_eq!(landing.status, 200, "{}", landing.text);
        let rels: BTreeMap<&str, &str> = landing.json["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["rel"].as_str().unwrap(), l["href"].as_str().unwrap()))
            .collect();
        assert_eq!(rels["self"], app.url("/ogc"));
        assert_eq!(rels["service-desc"], app.url("/openapi.json"));
        assert_eq!(rels["conformance"], app.url("/ogc/conformance"));
        assert_eq!(rels["data"], app.url("/ogc/collections"));
        let conformance = app.send(app.anon.get(app.url("/ogc/conformance")));
        assert_eq!(
            conformance.json,
            json!({"conformsTo": [
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
            ]})
        );
        let all = app.send(app.anon.get(app.url("/ogc/collections")));
        assert_eq!(all.status, 200);
        let ids: Vec<&str> = all.json["collections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, COLLECTIONS);
        // The extent is the box around the points of the kind's entries.
        let museums = stored(app, Kind::Museum);
        let lons: Vec<f64> = museums
            .values()
            .map(|e| e.record.location.unwrap().lon)
            .collect();
        let lats: Vec<f64> = museums
            .values()
            .map(|e| e.record.location.unwrap().lat)
            .collect();
        let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let one = app.send(app.anon.get(app.url("/ogc/collections/museums")));
        assert_eq!(one.status, 200);
        assert_eq!(
            one.json["extent"]["spatial"]["bbox"],
            json!([[min(&lons), min(&lats), max(&lons), max(&lats)]])
        );
        assert_eq!(one.json["itemType"], "feature");
        assert!(numbers.contains_key("MUS-000001"));
        // Unknown collection, parameter and format.
        for (path, status) in [
            ("/ogc/collections/monuments", 404),
            ("/ogc/collections/museums/items/THR-000001", 404),
            ("/ogc/collections/museums/items/MUS-999999", 404),
            ("/ogc?f=xml", 400),
            ("/ogc/collections?lang=az", 400),
        ] {
            let reply = app.send(app.anon.get(app.url(path)));
            assert_eq!(reply.status, status, "{path}: {}", reply.text);
            assert_eq!(
                reply.header("content-type").as_deref(),
                Some("application/problem+json")
            );
        }
        let post = app.send(app.anon.post(app.url("/ogc/collections")));
        assert_eq!(post.status, 405);
        assert_eq!(post.header("allow").as_deref(), Some("GET, HEAD"));
    });
}

#[test]
fn items_filter_count_and_refuse_what_they_cannot_read() {
    each_backend(|app| {
        let numbers = load_mapped(app);
        let items = |query: &str| {
            app.send(
                app.anon
                    .get(app.url(&format!("/ogc/collections/museums/items{query}"))),
            )
        };
        let all = items("");
        assert_eq!(all.status, 200, "{}", all.text);
        assert_eq!(
            all.header("content-type").as_deref(),
            Some("application/geo+json")
        );
        let museums = stored(app, Kind::Museum);
        assert_eq!(all.json["type"], "FeatureCollection");
        assert_eq!(all.json["numberMatched"], museums.len());
        assert_eq!(all.json["numberReturned"], museums.len());
        // Anonymous callers never see the director.
        let first = all.json["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["registry_number"] == "MUS-000001")
            .unwrap();
        assert!(first["properties"].get("head").is_none());
        assert_eq!(first["id"], numbers["MUS-000001"]);
        assert_eq!(
            first["properties"]["name_ru"],
            "Национальный музей искусств Азербайджана"
        );
        let l = museums["MUS-000001"].record.location.unwrap();
        assert_eq!(
            first["geometry"],
            json!({"type": "Point", "coordinates": [l.lon, l.lat]})
        );
        // One feature, by id or registry number; a reader sees the director.
        let one = app.send(
            app.client(Role::Reader)
                .get(app.url("/ogc/collections/museums/items/MUS-000001")),
        );
        assert_eq!(one.status, 200);
        assert_eq!(one.json["properties"]["head"], "Çingiz Fərzəliyev");
        assert_eq!(one.json["id"], numbers["MUS-000001"]);
        // Filters by the kind's type field, region and status.
        let art: Vec<&String> = museums
            .iter()
            .filter(|(_, e)| e.record.details.type_word() == "art")
            .map(|(n, _)| n)
            .collect();
        let reply = items("?museum_profile=art");
        assert_eq!(reply.json["numberMatched"], art.len());
        let in_baku = museums
            .values()
            .filter(|e| e.record.region.as_deref() == Some("AZ-BA"))
            .count();
        assert_eq!(items("?region=AZ-BA").json["numberMatched"], in_baku);
        assert_eq!(items("?status=closed").json["numberMatched"], 0);
        // The intangible heritage has no point: a null geometry.
        let ich = app.send(
            app.anon
                .get(app.url("/ogc/collections/heritage-objects/items?category=intangible")),
        );
        assert!(ich.json["numberReturned"].as_u64().unwrap() > 0);
        for f in ich.json["features"].as_array().unwrap() {
            assert_eq!(f["geometry"], Value::Null);
        }
        // The reserve with a boundary has it as its geometry.
        let reserve = app.send(
            app.anon
                .get(app.url("/ogc/collections/reserves/items/RSV-000001")),
        );
        assert_eq!(reserve.json["geometry"]["type"], "Polygon");
        // Times of change: none after now, all in an interval from the start.
        let future = items("?datetime=2999-01-01T00:00:00Z/..");
        assert_eq!(future.json["numberMatched"], 0);
        let past = items("?datetime=2000-01-01/..");
        assert_eq!(past.json["numberMatched"], museums.len());
        let before = items("?datetime=../2000-01-01");
        assert_eq!(before.json["numberMatched"], 0);
        // A box with no museum inside.
        assert_eq!(items("?bbox=20,20,21,21").json["numberMatched"], 0);
        for bad in [
            "?bbox=1,2,3",
            "?bbox=50,40,45,38",
            "?bbox=a,b,c,d",
            "?bbox=45,38,50,41&bbox-crs=EPSG:4326",
            "?datetime=yesterday",
            "?datetime=2026-02-01/2026-01-01",
            "?limit=0",
            "?cursor=MUS-000001",
            "?museum_profile=opera",
            "?theatre_type=drama",
            "?sort=name",
        ] {
            let reply = items(bad);
            assert_eq!(reply.status, 400, "{bad}: {}", reply.text);
            assert!(!reply.json["detail"].as_str().unwrap().is_empty());
        }
        // A limit above the largest page is the largest page.
        assert_eq!(items("?limit=100000").status, 200);
    });
}

#[test]
fn next_links_stay_consistent_while_entries_change() {
    each_backend(|app| {
        load_mapped(app);
        let theatres = stored(app, Kind::Theatre);
        let mut seen = Vec::new();
        let mut url = app.url("/ogc/collections/theatres/items?limit=3");
        let mut pages = 0;
        let mut added = Vec::new();
        loop {
            pages += 1;
            assert!(pages < 50, "paging does not end");
            let reply = app.send(app.anon.get(&url));
            assert_eq!(reply.status, 200, "{}", reply.text);
            assert!(reply.json["numberReturned"].as_u64().unwrap() <= 3);
            for f in reply.json["features"].as_array().unwrap() {
                seen.push(
                    f["properties"]["registry_number"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
            if pages == 2 {
                // Written while the client pages: a new theatre, a change to one already
                // read and to one not yet read.
                let mut new = fixture("theatre", None);
                new["name"] = json!({"az": "Yeni Teatr"});
                new.as_object_mut().unwrap().remove("tax_id");
                added.push(
                    app.create(&new)["registry_number"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
                for number in [&seen[0], theatres.keys().last().unwrap()] {
                    let reply = app.send(
                        app.http
                            .patch(app.url(&format!("/api/v1/theatres/{number}")))
                            .header("content-type", "application/merge-patch+json")
                            .header("if-match", "*")
                            .body(json!({"seats": 321}).to_string()),
                    );
                    assert_eq!(reply.status, 200, "{}", reply.text);
                }
            }
            let next = reply.json["links"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["rel"] == "next")
                .map(|l| l["href"].as_str().unwrap().to_string());
            match next {
                Some(n) => {
                    assert!(n.starts_with(&app.url("/ogc/collections/theatres/items?")));
                    assert!(n.contains("limit=3"));
                    url = n;
                }
                None => break,
            }
        }
        let mut expected: Vec<String> = theatres.keys().cloned().collect();
        expected.extend(added);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), seen.len(), "an entry came twice: {seen:?}");
        expected.sort();
        assert_eq!(sorted, expected);
    });
}

#[test]
fn a_public_url_names_every_link() {
    let scratch = Scratch::sqlite().unwrap();
    let config = ucr_api::Config {
        public_url: Some("https://register.example/ucr".into()),
        ..test_config()
    };
    let app = TestApp::spawn_with(scratch, config);
    load_mapped(&app);
    let page = app.send(
        app.anon
            .get(app.url("/ogc/collections/schools/items?limit=1")),
    );
    let next = page.json["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap();
    assert!(next["href"]
        .as_str()
        .unwrap()
        .starts_with("https://register.example/ucr/ogc/collections/schools/items?limit=1&cursor="));
    let landing = app.send(app.anon.get(app.url("/ogc")));
    assert_eq!(
        landing.json["links"][0]["href"],
        "https://register.example/ucr/ogc"
    );
    for bad in ["register.example", "ftp://x", "https://", "https://x/?a=b"] {
        assert!(ucr_api::public_url(bad).is_err(), "{bad}");
    }
    assert_eq!(
        ucr_api::public_url("https://x.example/a/").as_deref(),
        Ok("https://x.example/a")
    );
}
