//! JSON-LD with schema.org: read by real linked-data tools (pyld expands every kind's
//! document with the register's own `@context`, rdflib reads the N-Quads), and content
//! negotiation over HTTP.

use crate::ogc::{client_available, load_mapped, run};
use crate::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use ucr_core::Role;

const SCHEMA: &str = "https://schema.org/";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";

/// A triple as the script writes it: subject, predicate, object, language, datatype.
type Triple = (String, String, String, Option<String>, Option<String>);

/// Runs `tests/clients/jsonld_rdf.py` over `urls`: how many documents, which contexts were
/// loaded, and the triples.
fn rdf(app: &TestApp, urls: &[String]) -> (u64, Vec<String>, BTreeSet<Triple>) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/jsonld_rdf.py");
    let mut args = vec![script, app.base.as_str()];
    args.extend(urls.iter().map(String::as_str));
    let out: Value = serde_json::from_str(&run("python3", &args, &[])).unwrap();
    let triples = out["triples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let s = |i: usize| t[i].as_str().map(str::to_string);
            (s(0).unwrap(), s(1).unwrap(), s(2).unwrap(), s(3), s(4))
        })
        .collect();
    let contexts = out["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (out["documents"].as_u64().unwrap(), contexts, triples)
}

fn iri(s: &str, p: &str, o: &str) -> Triple {
    (s.into(), p.into(), o.into(), None, None)
}

fn text(s: &str, p: &str, o: &str, language: Option<&str>) -> Triple {
    (
        s.into(),
        p.into(),
        o.into(),
        language.map(str::to_string),
        None,
    )
}

#[test]
fn pyld_and_rdflib_read_every_kind_offline() {
    if !client_available(
        "pyld and rdflib (PyPI PyLD, rdflib)",
        &["python3", "-c", "import pyld, rdflib"],
    ) {
        return;
    }
    each_backend(|app| {
        let numbers = load_mapped(app);
        let entry_iri = |n: &str| app.url(&format!("/api/v1/entries/{}", numbers[n]));
        // One entry of every kind and heritage category, and the export of them all.
        let mut urls: Vec<String> = [
            "THR-000001",
            "LIB-000001",
            "MUS-000001",
            "RSV-000001",
            "SCH-000001",
        ]
        .iter()
        .map(|n| app.url(&format!("/api/v1/entries/{n}")))
        .collect();
        for category in ["immovable", "movable", "intangible"] {
            let number = fixtures()
                .into_iter()
                .find(|f| f["category"] == category)
                .map(|f| f["registry_number"].as_str().unwrap().to_string());
            if let Some(n) = number {
                urls.push(app.url(&format!("/api/v1/heritage-objects/{n}")));
            }
        }
        let (documents, contexts, triples) = rdf(app, &urls);
        assert_eq!(documents as usize, urls.len());
        // The one context loaded is the register's own.
        assert_eq!(contexts, vec![app.url("/ld/context.jsonld")]);

        // A museum: type, names with language tags, identifier, geo, sameAs Wikidata.
        let museum = entry_iri("MUS-000001");
        let stored = app.register().get("MUS-000001").unwrap();
        for t in [
            iri(&museum, RDF_TYPE, &format!("{SCHEMA}Museum")),
            text(
                &museum,
                &format!("{SCHEMA}name"),
                stored.record.name.az.as_deref().unwrap(),
                Some("az"),
            ),
            text(
                &museum,
                &format!("{SCHEMA}name"),
                stored.record.name.en.as_deref().unwrap(),
                Some("en"),
            ),
            text(
                &museum,
                &format!("{SCHEMA}name"),
                "Национальный музей искусств Азербайджана",
                Some("ru"),
            ),
            text(&museum, &format!("{SCHEMA}identifier"), "MUS-000001", None),
            iri(
                &museum,
                &format!("{SCHEMA}sameAs"),
                "http://www.wikidata.org/entity/Q4153817",
            ),
        ] {
            assert!(triples.contains(&t), "missing {t:?}");
        }
        // Anonymous: no director.
        assert!(!triples
            .iter()
            .any(|t| t.0 == museum && t.1.ends_with("/ld/vocab#head")));
        let geo: Vec<&Triple> = triples
            .iter()
            .filter(|t| t.0 == museum && t.1 == format!("{SCHEMA}geo"))
            .collect();
        assert_eq!(geo.len(), 1);
        let point = stored.record.location.unwrap();
        let node = &geo[0].2;
        assert!(triples.contains(&iri(node, RDF_TYPE, &format!("{SCHEMA}GeoCoordinates"))));
        let value = |p: &str| {
            triples
                .iter()
                .find(|t| &t.0 == node && t.1 == format!("{SCHEMA}{p}"))
                .map(|t| (t.2.parse::<f64>().unwrap(), t.4.clone()))
                .unwrap()
        };
        // (xsd:double in RDF's canonical form, 15 significant digits.)
        for (p, want) in [("latitude", point.lat), ("longitude", point.lon)] {
            let (got, datatype) = value(p);
            assert!((got - want).abs() < 1e-9, "{p}: {got} != {want}");
            assert_eq!(datatype.as_deref(), Some(DOUBLE));
        }
        // The region: a place with its ISO 3166-2 code.
        let region = triples
            .iter()
            .find(|t| t.0 == museum && t.1 == format!("{SCHEMA}containedInPlace"))
            .map(|t| t.2.clone())
            .unwrap();
        assert!(triples.contains(&text(
            &region,
            &format!("{SCHEMA}identifier"),
            "AZ-BA",
            None
        )));
        assert!(triples.contains(&iri(
            &region,
            RDF_TYPE,
            &format!("{SCHEMA}AdministrativeArea")
        )));

        // A monument inside a reserve: its type, and the reserve as a reference.
        let monument = fixtures()
            .into_iter()
            .find(|f| f["category"] == "immovable" && f.get("reserve_id").is_some())
            .unwrap();
        let monument_number = monument["registry_number"].as_str().unwrap();
        let reserve_number = monument["reserve_id"].as_str().unwrap();
        let (_, _, of_monument) = rdf(
            app,
            &[app.url(&format!("/api/v1/entries/{monument_number}"))],
        );
        let m = entry_iri(monument_number);
        for t in [
            iri(
                &m,
                RDF_TYPE,
                &format!("{SCHEMA}LandmarksOrHistoricalBuildings"),
            ),
            iri(
                &m,
                &format!("{SCHEMA}containedInPlace"),
                &entry_iri(reserve_number),
            ),
            text(&m, &format!("{SCHEMA}identifier"), monument_number, None),
        ] {
            assert!(of_monument.contains(&t), "missing {t:?}");
        }
        assert!(triples.contains(&iri(
            &entry_iri("RSV-000001"),
            RDF_TYPE,
            &format!("{SCHEMA}TouristAttraction")
        )));
        for (number, schema_type) in [
            ("THR-000001", "PerformingArtsTheater"),
            ("LIB-000001", "Library"),
            ("SCH-000001", "School"),
        ] {
            assert!(triples.contains(&iri(
                &entry_iri(number),
                RDF_TYPE,
                &format!("{SCHEMA}{schema_type}")
            )));
        }

        // The export: one document per entry, each typed.
        let (documents, _, exported) = rdf(app, &[app.url("/api/v1/export?format=jsonld")]);
        assert_eq!(documents as usize, numbers.len());
        for id in numbers.values() {
            let s = app.url(&format!("/api/v1/entries/{id}"));
            assert!(
                exported.iter().any(|t| t.0 == s && t.1 == RDF_TYPE),
                "{s} untyped"
            );
        }
    });
}

#[test]
fn entries_and_collections_answer_json_ld_when_asked() {
    each_backend(|app| {
        let numbers = load_mapped(app);
        let ld = "application/ld+json";
        let get = |path: &str, accept: &str| {
            app.send(app.anon.get(app.url(path)).header("accept", accept))
        };
        for path in ["/api/v1/entries/MUS-000001", "/api/v1/museums/MUS-000001"] {
            let reply = get(path, ld);
            assert_eq!(reply.status, 200, "{}", reply.text);
            assert_eq!(reply.header("content-type").as_deref(), Some(ld));
            assert_eq!(reply.header("vary").as_deref(), Some("Accept"));
            let etag = reply.header("etag");
            assert_eq!(etag.as_deref(), Some("\"1\""));
            assert_eq!(
                reply.json["@id"],
                app.url(&format!("/api/v1/entries/{}", numbers["MUS-000001"]))
            );
            assert_eq!(reply.json["@context"], app.url("/ld/context.jsonld"));
            assert_eq!(reply.json["@type"], "Museum");
            assert_eq!(reply.json["identifier"], json!(["MUS-000001"]));
            assert!(reply.json.get("head").is_none());
            // JSON is still the default, and says it varies.
            let plain = get(path, "application/json");
            assert_eq!(
                plain.header("content-type").as_deref(),
                Some("application/json")
            );
            assert_eq!(plain.header("vary").as_deref(), Some("Accept"));
            assert_eq!(plain.json["registry_number"], "MUS-000001");
            let preferred = get(path, "application/json;q=0.5, application/ld+json");
            assert_eq!(preferred.header("content-type").as_deref(), Some(ld));
        }
        // A reader sees the director in JSON-LD too.
        let reader = app.send(
            app.client(Role::Reader)
                .get(app.url("/api/v1/entries/MUS-000001"))
                .header("accept", ld),
        );
        assert_eq!(reader.json["head"], "Çingiz Fərzəliyev");
        // A collection page: the entries in @graph, the next page in a Link header.
        let page = get("/api/v1/museums?limit=2", ld);
        assert_eq!(page.status, 200);
        assert_eq!(page.header("content-type").as_deref(), Some(ld));
        assert_eq!(page.json["@graph"].as_array().unwrap().len(), 2);
        assert!(page.json["@graph"][0].get("@context").is_none());
        let link = page.header("link").unwrap();
        assert!(
            link.starts_with(&format!("<{}?limit=2&cursor=", app.url("/api/v1/museums")))
                && link.ends_with(">; rel=\"next\""),
            "{link}"
        );
        let context = get("/ld/context.jsonld", "*/*");
        assert_eq!(context.status, 200);
        assert_eq!(context.header("content-type").as_deref(), Some(ld));
        assert_eq!(context.json["@context"]["name"]["@container"], "@language");
        assert_eq!(context.json["@context"]["ucr"], app.url("/ld/vocab#"));
        // The export's lines are documents; JSON-LD names entries by URL.
        let export = get("/api/v1/export?format=jsonld&kind=museum", "*/*");
        assert_eq!(export.status, 200);
        assert_eq!(
            export.header("content-type").as_deref(),
            Some("application/x-ndjson")
        );
        let lines: Vec<Value> = export
            .text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines.len(),
            fixtures().iter().filter(|f| f["kind"] == "museum").count()
        );
        assert!(lines.iter().all(|d| d["@type"] == "Museum"));
    });
}
