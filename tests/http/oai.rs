//! OAI-PMH (`/oai`): every verb and every protocol error, each answer validated with
//! `xmllint --schema` against the OAI-PMH and `oai_dc` schemas kept in `tests/schemas/oai-pmh/`;
//! and a real harvester (Sickle, from PyPI) harvesting the whole register, then again `from`
//! the first harvest's time after updates and deletes.

use crate::support::*;
use serde_json::{json, Value};
use std::process::Command;
use ucr_core::Role;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Whether a real client may be skipped (it must run when `UCR_TEST_CLIENTS=require`).
fn client_available(what: &str, probe: &mut Command) -> bool {
    let ok = probe.output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        assert!(
            std::env::var("UCR_TEST_CLIENTS").as_deref() != Ok("require"),
            "{what} is required (UCR_TEST_CLIENTS=require) but is not installed"
        );
        eprintln!("skipping {what}: not installed (.ci/run installs it)");
    }
    ok
}

fn have_xmllint() -> bool {
    client_available("xmllint", Command::new("xmllint").arg("--version"))
}

/// Validates an answer with xmllint against the OAI-PMH schema and the schemas of the formats
/// (metadata is checked strictly), offline through the catalog kept beside the schemas.
#[track_caller]
fn assert_schema_valid(xml: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answer.xml");
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .env(
            "XML_CATALOG_FILES",
            format!("{ROOT}/tests/schemas/oai-pmh/catalog.xml"),
        )
        .args(["--noout", "--nonet", "--schema"])
        .arg(format!("{ROOT}/tests/schemas/oai-pmh/answers.xsd"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "xmllint: {}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn oai(app: &TestApp, client: &reqwest::blocking::Client, query: &str, xmllint: bool) -> String {
    let reply = app.send(client.get(app.url(&format!("/oai?{query}"))));
    assert_eq!(reply.status, 200, "{query}: {}", reply.text);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("text/xml; charset=utf-8")
    );
    if xmllint {
        assert_schema_valid(&reply.text);
    }
    reply.text
}

fn error_code(xml: &str) -> Option<&str> {
    let at = xml.find("<error code=\"")? + 13;
    xml[at..].split('"').next()
}

fn between<'a>(xml: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    xml.split(open)
        .skip(1)
        .filter_map(|s| s.split(close).next())
        .collect()
}

/// Adds theatres through the register until it holds `total` entries, so that a list takes
/// more than one page.
fn fill(app: &TestApp, total: usize) {
    let have = app.snapshot().total as usize;
    for i in have..total {
        let mut t = fixture("theatre", None);
        t["name"] = json!({"az": format!("Sınaq teatrı {i}")});
        app.register()
            .create(t, &ucr_core::Write::by("clerk-test", Role::Clerk))
            .unwrap();
    }
}

#[test]
fn every_verb_and_every_error_follows_the_schemas() {
    if !have_xmllint() {
        return;
    }
    each_backend(|app| {
        let a = &app.anon;
        // An empty register has no records.
        let empty = oai(app, a, "verb=ListRecords&metadataPrefix=oai_dc", true);
        assert_eq!(error_code(&empty), Some("noRecordsMatch"));
        app.load_fixtures();
        fill(app, 130);

        let identify = oai(app, a, "verb=Identify", true);
        assert!(identify.contains("<deletedRecord>persistent</deletedRecord>"));
        assert!(identify.contains(&format!("<baseURL>{}/oai</baseURL>", app.base)));
        assert!(identify.contains("<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"));
        let formats = oai(app, a, "verb=ListMetadataFormats", true);
        assert_eq!(
            between(&formats, "<metadataPrefix>", "</metadataPrefix>"),
            ["oai_dc", "ucr_json"]
        );
        let sets = oai(app, a, "verb=ListSets", true);
        assert_eq!(between(&sets, "<setSpec>", "</setSpec>").len(), 9);

        // A list in pages: the size, the cursor, the token, the empty token at the end.
        let first = oai(app, a, "verb=ListIdentifiers&metadataPrefix=oai_dc", true);
        assert_eq!(between(&first, "<header>", "</header>").len(), 100);
        assert!(
            first.contains("completeListSize=\"130\" cursor=\"0\""),
            "{first}"
        );
        let token = between(&first, "\">", "</resumptionToken>")
            .pop()
            .unwrap()
            .to_string();
        let second = oai(
            app,
            a,
            &format!("verb=ListIdentifiers&resumptionToken={token}"),
            true,
        );
        assert_eq!(between(&second, "<header>", "</header>").len(), 30);
        assert!(second.contains("<resumptionToken completeListSize=\"130\" cursor=\"100\"/>"));
        let records = oai(
            app,
            a,
            "verb=ListRecords&metadataPrefix=ucr_json&set=heritage_object:intangible",
            true,
        );
        assert_eq!(between(&records, "<record>", "</record>").len(), 10);
        assert!(!records.contains("resumptionToken"));

        // One record in each format; the JSON is the API's.
        let dc = oai(
            app,
            a,
            "verb=GetRecord&identifier=oai:register.culture.gov.az:HER-000001&metadataPrefix=oai_dc",
            true,
        );
        assert!(
            dc.contains("<dc:title xml:lang=\"az\">Qız qalası</dc:title>"),
            "{dc}"
        );
        assert!(dc.contains("<dc:title xml:lang=\"en\">Maiden Tower</dc:title>"));
        assert!(dc.contains("<dc:identifier>HER-000001</dc:identifier>"));
        assert!(dc.contains("<dc:type>heritage_object</dc:type>"));
        assert!(dc.contains("<dc:coverage>Bakı (AZ-BA)</dc:coverage>"));
        assert!(dc.contains("<setSpec>heritage_object:immovable</setSpec>"));

        // Personal data: the head is in ucr_json for a reader, never for anyone else.
        let m = app.get("/api/v1/museums/MUS-000002").json;
        let reply = app.patch(
            "/api/v1/museums/MUS-000002",
            &json!({"head": "Nailə Vəlixanlı & <co>"}),
            Some(&format!("\"{}\"", m["version"])),
        );
        assert_eq!(reply.status, 200);
        let get = "verb=GetRecord&identifier=oai:register.culture.gov.az:MUS-000002&metadataPrefix=ucr_json";
        let anon = oai(app, a, get, true);
        assert!(!anon.contains("Nailə"), "{anon}");
        let reader = oai(app, &app.client(Role::Reader), get, true);
        // Escaped as XML, and the JSON inside reads back as the API's entry.
        assert!(
            reader.contains("Nailə Vəlixanlı &amp; &lt;co&gt;"),
            "{reader}"
        );
        let json_text = between(&reader, "\">", "</ucr:entry>")
            .pop()
            .unwrap()
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&apos;", "'")
            .replace("&amp;", "&");
        let entry: Value = serde_json::from_str(&json_text).unwrap();
        let api = app.get("/api/v1/museums/MUS-000002").json;
        assert_eq!(entry, api);
        let dc_head = oai(app, &app.client(Role::Admin), "verb=GetRecord&identifier=oai:register.culture.gov.az:MUS-000002&metadataPrefix=oai_dc", true);
        assert!(
            !dc_head.contains("Nailə"),
            "Dublin Core never carries the head"
        );

        // A deleted entry stays a record, marked deleted, without metadata.
        let t = app.get("/api/v1/theatres/THR-000012").json;
        let reply = app.delete(
            "/api/v1/theatres/THR-000012",
            Some(&format!("\"{}\"", t["version"])),
        );
        assert_eq!(reply.status, 204, "{}", reply.text);
        let gone = oai(
            app,
            a,
            "verb=GetRecord&identifier=oai:register.culture.gov.az:THR-000012&metadataPrefix=oai_dc",
            true,
        );
        assert!(gone.contains("<header status=\"deleted\">"), "{gone}");
        assert!(!gone.contains("<metadata>"));

        // Every protocol error, as the protocol defines it.
        let errors = [
            ("", "badVerb"),
            ("verb=Harvest", "badVerb"),
            ("verb=Identify&verb=Identify", "badVerb"),
            ("verb=Identify&set=theatre", "badArgument"),
            ("verb=ListRecords", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=yesterday", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2030-01-01T00:00:00Z", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01&until=2020-01-01", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&set=gallery", "badArgument"),
            (&format!("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken={token}"), "badArgument"),
            ("verb=ListRecords&resumptionToken=00ff", "badResumptionToken"),
            ("verb=ListIdentifiers&resumptionToken=not-a-token", "badResumptionToken"),
            ("verb=ListSets&resumptionToken=abc", "badResumptionToken"),
            ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
            ("verb=GetRecord&identifier=oai:register.culture.gov.az:HER-000001&metadataPrefix=marc21", "cannotDisseminateFormat"),
            ("verb=GetRecord&identifier=oai:register.culture.gov.az:HER-999999&metadataPrefix=oai_dc", "idDoesNotExist"),
            ("verb=GetRecord&identifier=HER-000001&metadataPrefix=oai_dc", "idDoesNotExist"),
            ("verb=ListMetadataFormats&identifier=oai:register.culture.gov.az:XXX-1", "idDoesNotExist"),
            ("verb=GetRecord&identifier=oai:register.culture.gov.az:HER-000001", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01", "noRecordsMatch"),
            ("verb=ListRecords&metadataPrefix=oai_dc&set=heritage_object:movable", "noRecordsMatch"),
        ];
        let before = app.snapshot();
        for (query, code) in errors {
            let xml = oai(app, a, query, true);
            assert_eq!(error_code(&xml), Some(code), "{query}: {xml}");
        }
        // A form POST is answered like a GET.
        let post = app.send(a.post(app.url("/oai")).form(&[("verb", "ListSets")]));
        assert_eq!(post.status, 200);
        assert_eq!(
            post.text.split("</request>").nth(1),
            sets.split("</request>").nth(1)
        );
        assert_eq!(app.snapshot(), before, "no request wrote anything");
    });
}

fn have_sickle() -> bool {
    client_available(
        "sickle (PyPI)",
        Command::new("python3").args(["-c", "import sickle"]),
    )
}

fn harvest(app: &TestApp, from: Option<&str>) -> Value {
    let mut cmd = Command::new("python3");
    cmd.arg(format!("{ROOT}/tests/clients/oai_harvest.py"))
        .arg(app.url("/oai"));
    if let Some(f) = from {
        cmd.arg(f);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "sickle: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Waits until the clock has passed into a later second than now (datestamps have seconds).
fn next_second() {
    let seconds = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let now = seconds();
    for _ in 0..30 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if seconds() > now {
            return;
        }
    }
    panic!("the clock did not move on");
}

fn numbers(records: &Value, deleted: bool) -> Vec<String> {
    let mut n: Vec<String> = records["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["deleted"] == deleted)
        .map(|r| {
            r["identifier"]
                .as_str()
                .unwrap()
                .trim_start_matches("oai:register.culture.gov.az:")
                .to_string()
        })
        .collect();
    n.sort();
    n
}

#[test]
fn sickle_harvests_the_register_then_its_changes() {
    if !have_sickle() {
        return;
    }
    each_backend(|app| {
        app.load_fixtures();
        fill(app, 150);
        next_second();
        let full = harvest(app, None);
        // Every entry of the register, once, over several requests (resumption tokens).
        let listing = app
            .register()
            .list(&ucr_core::Filter::default(), 1000, None)
            .unwrap();
        let mut register: Vec<String> = listing
            .items
            .iter()
            .map(|e| e.registry_number().to_string())
            .collect();
        register.sort();
        assert_eq!(numbers(&full, false), register);
        assert_eq!(numbers(&full, true), Vec::<String>::new());
        assert_eq!(full["requests"], 2);
        let maiden = full["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["identifier"] == "oai:register.culture.gov.az:HER-000001")
            .unwrap();
        assert_eq!(maiden["titles"], json!(["Qız qalası", "Maiden Tower"]));
        assert_eq!(
            maiden["sets"],
            json!(["heritage_object", "heritage_object:immovable"])
        );
        let since = full["responseDate"].as_str().unwrap().to_string();

        // Changes after the harvest: two updates, two deletes, one new entry.
        next_second();
        for number in ["MUS-000003", "LIB-000002"] {
            let e = app.get(&format!("/api/v1/entries/{number}")).json;
            let path = format!(
                "/api/v1/{}/{number}",
                collection(e["kind"].as_str().unwrap())
            );
            let reply = app.patch(
                &path,
                &json!({"founded_year": 1999}),
                Some(&format!("\"{}\"", e["version"])),
            );
            assert_eq!(reply.status, 200, "{}", reply.text);
        }
        for number in ["THR-000011", "SCH-000004"] {
            let e = app.get(&format!("/api/v1/entries/{number}")).json;
            let path = format!(
                "/api/v1/{}/{number}",
                collection(e["kind"].as_str().unwrap())
            );
            assert_eq!(
                app.delete(&path, Some(&format!("\"{}\"", e["version"])))
                    .status,
                204
            );
        }
        let mut new = fixture("library", None);
        new["name"] = json!({"az": "Şəki Mərkəzi Kitabxanası"});
        let created = app.create(&new);
        let new_number = created["registry_number"].as_str().unwrap().to_string();

        let changes = harvest(app, Some(&since));
        let mut changed = vec!["LIB-000002".to_string(), "MUS-000003".into(), new_number];
        changed.sort();
        assert_eq!(numbers(&changes, false), changed);
        assert_eq!(numbers(&changes, true), ["SCH-000004", "THR-000011"]);
        assert_eq!(changes["requests"], 1);

        // Nothing since then: the harvester is told no records match.
        next_second();
        let identify = oai(app, &app.anon, "verb=Identify", false);
        let later = between(&identify, "<responseDate>", "</responseDate>")[0].to_string();
        let none = harvest(app, Some(&later));
        assert!(none["noRecordsMatch"].is_string(), "{none}");
    });
}
