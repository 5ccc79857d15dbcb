//! The standard interfaces beside the REST API: the reconciliation service (`/reconcile`) and
//! OAI-PMH (`/oai`). Their answers are the standards' own (the reconciliation v0.2 JSON, the
//! OAI-PMH XML); the document names them and the operations, and points to the standards.

use serde_json::{json, Map, Value};
use ucr_core::reconcile::{Type, PROPERTIES};
use ucr_core::Action;

/// Adds the operations of `/reconcile` and `/oai`.
pub fn paths(paths: &mut Map<String, Value>) {
    let json_answer = |what: &str| {
        json!({"200": {"description": what, "content": {"application/json": {"schema": {"type": "object"}}}},
        "400": super::response_ref("BadRequest")})
    };
    // (The protocol's `cursor`, suggestions to skip, is also read: a whole number up to 1000.)
    let prefix = |example: &str| {
        json!([
            {"name": "prefix", "in": "query", "required": true, "schema": {"type": "string", "maxLength": 200},
             "example": example, "description": "What the user has typed so far; `cursor` (suggestions to skip, up to 1000) pages on"}
        ])
    };
    let types: Vec<String> = Type::all().into_iter().map(Type::id).collect();
    let query_properties: Vec<&str> = PROPERTIES
        .iter()
        .filter(|p| p.weight.is_some())
        .map(|p| p.id)
        .collect();
    let all_properties: Vec<&str> = PROPERTIES.iter().map(|p| p.id).collect();
    paths.insert("/reconcile".into(), json!({
        "get": {"tags": ["reconciliation"], "x-action": Action::Read, "operationId": "reconcile",
            "summary": "Reconciliation service (W3C Reconciliation Service API v0.2, as OpenRefine calls it)",
            "description": format!(concat!(
                "Without arguments: the service manifest (types, view and preview URLs, suggest and data extension services). ",
                "With `queries`: a batch of queries `{{\"q0\": {{\"query\": \"Qız qalası\", \"type\": \"heritage_object\", \"limit\": 5, \"properties\": [{{\"pid\": \"region\", \"v\": \"AZ-BA\"}}]}}}}`, ",
                "answered `{{\"q0\": {{\"result\": [{{\"id\": registry number, \"name\", \"type\", \"score\" 0–100, \"match\", \"features\"}}]}}}}`; ",
                "names match with the register's folding (Sheki = Şəki = Shaki), in every language; `match` is true only for a candidate of at least 75 that leads the next by 20. ",
                "Types: {}. Properties a query may carry: {}. ",
                "With `extend`: data extension `{{\"ids\": [registry numbers], \"properties\": [{{\"id\": \"region\"}}]}}` over {}. ",
                "`POST` takes the same as a form (`application/x-www-form-urlencoded`, as OpenRefine sends it) or as a JSON body `{{\"queries\": …}}`, `{{\"extend\": …}}` or the batch itself. ",
                "A batch holds at most 200 queries. Bad JSON, unknown types or properties are 400 problems."),
                types.join(", "), query_properties.join(", "), all_properties.join(", ")),
            "parameters": [
                {"name": "queries", "in": "query", "required": false, "schema": {"type": "string"},
                 "example": "{\"q0\":{\"query\":\"Qiz qalasi\",\"type\":\"heritage_object\"}}",
                 "description": "A batch of queries, as JSON"},
                {"name": "extend", "in": "query", "required": false, "schema": {"type": "string"},
                 "example": "{\"ids\":[\"THR-000001\"],\"properties\":[{\"id\":\"region\"},{\"id\":\"founded_year\"}]}",
                 "description": "A data extension request, as JSON"}
            ],
            "responses": json_answer("The manifest, the candidates of each query, or the extension's rows")},
        "post": {"tags": ["reconciliation"], "x-action": Action::Read, "operationId": "reconcileByPost",
            "summary": "Reconciliation service, the arguments sent as a form or JSON body (as OpenRefine sends its batches)",
            "description": concat!(
                "The same as `GET /reconcile`, the arguments in the body: a form (`queries=…` or `extend=…`, each holding JSON), ",
                "or a JSON body `{\"queries\": …}`, `{\"extend\": …}` or the batch itself. A read: a server on a replica answers it too."),
            "requestBody": {"required": true, "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "additionalProperties": false, "properties": {
                        "queries": {"type": "string", "description": "A batch of queries, as JSON"},
                        "extend": {"type": "string", "description": "A data extension request, as JSON"}}},
                    "example": {"queries": "{\"q0\":{\"query\":\"Qiz qalasi\",\"type\":\"heritage_object\"}}"}},
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {"q0": {"query": "Sheki Khan Palace", "limit": 3}}}}},
            "responses": super::merge(json_answer("The manifest, the candidates of each query, or the extension's rows"),
                super::errors(&[("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType")]))}
    }));
    paths.insert("/reconcile/suggest/entity".into(), json!({
        "get": {"tags": ["reconciliation"], "x-action": Action::Read, "operationId": "suggestEntities",
            "summary": "Type-ahead over entries (names as prefixes, folded)",
            "parameters": prefix("Qız qal"),
            "responses": json_answer("`{\"result\": [{\"id\", \"name\", \"description\", \"notable\"}]}`")}
    }));
    paths.insert("/reconcile/suggest/type".into(), json!({
        "get": {"tags": ["reconciliation"], "x-action": Action::Read, "operationId": "suggestTypes",
            "summary": "Type-ahead over the types (sub-registers and heritage categories)",
            "parameters": prefix("heritage"),
            "responses": json_answer("`{\"result\": [{\"id\", \"name\", \"broader\"}]}`")}
    }));
    paths.insert("/reconcile/suggest/property".into(), json!({
        "get": {"tags": ["reconciliation"], "x-action": Action::Read, "operationId": "suggestProperties",
            "summary": "Type-ahead over the properties",
            "parameters": prefix("region"),
            "responses": json_answer("`{\"result\": [{\"id\", \"name\"}]}`")}
    }));
    paths.insert("/reconcile/propose_properties".into(), json!({
        "get": {"tags": ["reconciliation"], "x-action": Action::Read, "operationId": "proposeProperties",
            "summary": "The properties data extension offers for a type",
            "parameters": [
                {"name": "type", "in": "query", "required": true, "schema": {"type": "string", "enum": types}},
                {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}
            ],
            "responses": json_answer("`{\"type\", \"properties\": [{\"id\", \"name\"}], \"limit\"}`")}
    }));
    paths.insert("/reconcile/preview".into(), json!({
        "get": {"tags": ["reconciliation"], "x-action": Action::Read, "operationId": "previewEntity",
            "summary": "A small HTML card of an entry, for OpenRefine's preview",
            "description": "An unknown id is a 404 problem. The head is shown to token holders only.",
            "parameters": [
                {"name": "id", "in": "query", "required": true, "schema": {"type": "string"}, "example": "HER-000005",
                 "description": "Registry number (or id)"}
            ],
            "responses": {"200": {"description": "The card", "content": {"text/html": {"schema": {"type": "string"}}}},
                "400": super::response_ref("BadRequest"), "404": super::response_ref("NotFound")}}
    }));
    paths.insert("/oai".into(), json!({
        "get": {"tags": ["oai-pmh"], "x-action": Action::Read, "operationId": "oaiPmh",
            "summary": "OAI-PMH 2.0: Identify, ListMetadataFormats, ListSets, GetRecord, ListIdentifiers, ListRecords",
            "description": concat!(
                "Harvesting for aggregators (http://www.openarchives.org/OAI/2.0/). `POST` with a form takes the same arguments. ",
                "Formats: `oai_dc` (every field mapped to unqualified Dublin Core; the head is never included) and `ucr_json` (the entry as the REST API writes it, inside `<ucr:entry>`; the head for token holders only). ",
                "Sets: each sub-register (`museum`) and each heritage category (`heritage_object:immovable`). ",
                "Identifiers: `oai:register.culture.gov.az:{registry number}`; datestamps are the time of an entry's last change, to the second in UTC. ",
                "Lists come in pages of 100 with a `resumptionToken` (with `completeListSize` and `cursor`) built on the change sequence: a harvest sees every entry once, as it stood when the harvest began, while entries change. ",
                "Deleted entries stay records with `status=\"deleted\"` (deletedRecord: persistent). ",
                "Protocol errors (badArgument, badResumptionToken, badVerb, cannotDisseminateFormat, idDoesNotExist, noRecordsMatch) are answered as the protocol defines: status 200 with an `<error>` element."),
            "parameters": [
                {"name": "verb", "in": "query", "required": true, "schema": {"type": "string"}, "example": "Identify",
                 "description": "Identify, ListMetadataFormats, ListSets, GetRecord, ListIdentifiers or ListRecords; any other is answered with the protocol's badVerb error"},
                {"name": "metadataPrefix", "in": "query", "required": false, "schema": {"type": "string"}, "example": "oai_dc",
                 "description": "oai_dc or ucr_json; any other is answered with the protocol's cannotDisseminateFormat error"},
                {"name": "identifier", "in": "query", "required": false, "schema": {"type": "string"}, "example": "oai:register.culture.gov.az:HER-000005"},
                {"name": "set", "in": "query", "required": false, "schema": {"type": "string"}, "example": "heritage_object:immovable"},
                {"name": "from", "in": "query", "required": false, "schema": {"type": "string"}, "example": "2026-01-01T00:00:00Z",
                 "description": "YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC)"},
                {"name": "until", "in": "query", "required": false, "schema": {"type": "string"}, "example": "2030-12-31"},
                {"name": "resumptionToken", "in": "query", "required": false, "schema": {"type": "string"}, "example": "5b5d",
                 "description": "The token of the previous page; exclusive"}
            ],
            "responses": {"200": {"description": "An OAI-PMH answer (or protocol error), valid against OAI-PMH.xsd",
                "content": {"text/xml": {"schema": {"type": "string"}}}}}},
        "post": {"tags": ["oai-pmh"], "x-action": Action::Read, "operationId": "oaiPmhByPost",
            "summary": "OAI-PMH 2.0, the arguments sent as a form (section 3.1.1.2)",
            "description": "The same as `GET /oai`, the arguments form-encoded in the body. A read: a server on a replica answers it too. A body that is not UTF-8 is a 400 problem.",
            "requestBody": {"required": true, "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "required": ["verb"], "additionalProperties": false, "properties": {
                        "verb": {"type": "string"},
                        "metadataPrefix": {"type": "string"},
                        "identifier": {"type": "string"},
                        "set": {"type": "string"},
                        "from": {"type": "string"},
                        "until": {"type": "string"},
                        "resumptionToken": {"type": "string"}}},
                    "example": {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "museum"}}}},
            "responses": super::merge(json!({"200": {"description": "An OAI-PMH answer (or protocol error), valid against OAI-PMH.xsd",
                "content": {"text/xml": {"schema": {"type": "string"}}}}}),
                super::errors(&[("400", "BadRequest"), ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType")]))}
    }));
}

/// The tags of these interfaces.
pub fn tags() -> Vec<Value> {
    vec![
        json!({"name": "reconciliation", "description": "Matching names to entries (W3C Reconciliation Service API v0.2, for OpenRefine)"}),
        json!({"name": "oai-pmh", "description": "Harvesting by aggregators (OAI-PMH 2.0)"}),
    ]
}
