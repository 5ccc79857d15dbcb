//! OAI-PMH 2.0 at `/oai`: the six verbs over `GET` and form `POST`, answered in XML. The
//! rules (sets, formats, the Dublin Core mapping, harvests on the change sequence) are
//! `ucr_core::oai`; this module reads the arguments and writes the XML.
//!
//! Protocol errors are answers of the protocol (HTTP 200 with `<error code="…">`); a missing
//! or refused token is an HTTP 401 problem, as everywhere in the API.

use crate::access::{reader, Caller};
use crate::entries::blocking;
use crate::problem::ApiError;
use crate::State;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use std::fmt::Write as _;
use ucr_core::oai::{
    self, datestamp, dublin_core, Bound, Format, Harvest, HarvestError, HarvestPage, PAGE,
};
use ucr_core::{RegisterError, Revision};

/// The XML schema of the `ucr_json` format, served at `/oai/ucr-json.xsd`.
pub const UCR_JSON_XSD: &str = include_str!("ucr-json.xsd");

/// The address harvesters write to.
pub const REPOSITORY_EMAIL: &str = "register@culture.gov.az";

/// Registers the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/oai")
            .route(web::get().to(get))
            .route(web::post().to(post))
            .default_service(web::to(crate::entries::not_allowed)),
    )
    .service(
        web::resource("/oai/ucr-json.xsd")
            .route(web::get().to(schema))
            .default_service(web::to(crate::entries::not_allowed)),
    );
}

async fn schema() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(UCR_JSON_XSD)
}

async fn get(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let who = reader(&req, &state).await?;
    let query = req.query_string().to_string();
    answer(req, state, who, query).await
}

async fn post(
    req: HttpRequest,
    state: web::Data<State>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // The caller first: no body is read for a caller who may not read.
    let who = reader(&req, &state).await?;
    crate::body::require_type(&req, "application/x-www-form-urlencoded")?;
    let bytes = crate::body::read(&req, payload, state.config.body_limit).await?;
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::bad_request("the form is not UTF-8"))?;
    answer(req, state, who, text).await
}

/// A protocol error: its code and what is wrong.
struct OaiError(&'static str, String);

/// Why a verb is not answered: an error of the protocol, or of the register (a 5xx).
enum Fail {
    Protocol(OaiError),
    Register(RegisterError),
}

impl From<OaiError> for Fail {
    fn from(e: OaiError) -> Self {
        Fail::Protocol(e)
    }
}

impl From<RegisterError> for Fail {
    fn from(e: RegisterError) -> Self {
        Fail::Register(e)
    }
}

fn bad_argument(text: impl Into<String>) -> OaiError {
    OaiError("badArgument", text.into())
}

/// The arguments of a request, each at most once.
struct Args(Vec<(String, String)>);

impl Args {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Refuses arguments the verb does not take.
    fn only(&self, allowed: &[&str]) -> Result<(), OaiError> {
        match self
            .0
            .iter()
            .find(|(n, _)| n != "verb" && !allowed.contains(&n.as_str()))
        {
            Some((n, _)) => Err(bad_argument(format!("this verb takes no argument {n}"))),
            None => Ok(()),
        }
    }

    fn required(&self, name: &str) -> Result<&str, OaiError> {
        self.get(name)
            .ok_or_else(|| bad_argument(format!("{name} is required")))
    }
}

const VERBS: [&str; 6] = [
    "Identify",
    "ListMetadataFormats",
    "ListSets",
    "GetRecord",
    "ListIdentifiers",
    "ListRecords",
];

async fn answer(
    req: HttpRequest,
    state: web::Data<State>,
    who: Caller,
    query: String,
) -> Result<HttpResponse, ApiError> {
    let base = {
        let info = req.connection_info();
        format!("{}://{}/oai", info.scheme(), info.host())
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&query)
        .map_err(|e| ApiError::bad_request(format!("unreadable arguments: {e}")))?;
    let mut xml = String::with_capacity(4096);
    xml.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ ",
        "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">\n"
    ));
    let _ = writeln!(
        xml,
        "<responseDate>{}</responseDate>",
        datestamp(Utc::now())
    );
    let verb_count = pairs.iter().filter(|(n, _)| n == "verb").count();
    let verb = pairs
        .iter()
        .find(|(n, _)| n == "verb")
        .map(|(_, v)| v.clone());
    let repeated = pairs
        .iter()
        .enumerate()
        .find(|(i, (n, _))| pairs[..*i].iter().any(|(m, _)| m == n))
        .map(|(_, (n, _))| n.clone());
    let outcome: Result<String, OaiError> = match (verb.as_deref(), verb_count) {
        (Some(v), 1) if VERBS.contains(&v) => match repeated {
            Some(n) => Err(bad_argument(format!("{n} is repeated"))),
            None => {
                let args = Args(pairs.clone());
                let verb = v.to_string();
                let register = state.register.clone();
                let personal = who.sees_personal_data();
                let base = base.clone();
                blocking(
                    move || match respond(&register, &verb, &args, &base, personal) {
                        Ok(body) => Ok(Ok(body)),
                        Err(Fail::Protocol(e)) => Ok(Err(e)),
                        Err(Fail::Register(e)) => Err(e),
                    },
                )
                .await?
            }
        },
        (None, _) => Err(OaiError("badVerb", "the verb argument is missing".into())),
        (Some(_), n) if n > 1 => Err(OaiError("badVerb", "the verb argument is repeated".into())),
        (Some(v), _) => Err(OaiError(
            "badVerb",
            format!("{v} is not a verb of OAI-PMH: {}", VERBS.join(", ")),
        )),
    };
    match outcome {
        Ok(body) => {
            // The request element repeats the arguments of a request that was understood.
            xml.push_str("<request");
            for (n, v) in &pairs {
                let _ = write!(xml, " {}=\"{}\"", n, escape(v));
            }
            let _ = writeln!(xml, ">{}</request>", escape(&base));
            xml.push_str(&body);
        }
        Err(OaiError(code, text)) => {
            let _ = writeln!(xml, "<request>{}</request>", escape(&base));
            let _ = writeln!(xml, "<error code=\"{code}\">{}</error>", escape(&text));
        }
    }
    xml.push_str("</OAI-PMH>\n");
    Ok(HttpResponse::Ok()
        .content_type("text/xml; charset=utf-8")
        .body(xml))
}

/// The answer to one verb, or the protocol error. Register failures are errors of the
/// service (5xx), not of the protocol.
fn respond(
    register: &ucr_core::Register,
    verb: &str,
    args: &Args,
    base: &str,
    personal: bool,
) -> Result<String, Fail> {
    let mut x = String::new();
    match verb {
        "Identify" => {
            args.only(&[])?;
            let earliest = register.earliest_change()?.unwrap_or_else(Utc::now);
            let _ = write!(
                x,
                concat!(
                    "<Identify><repositoryName>Unified Cultural Register</repositoryName>",
                    "<baseURL>{}</baseURL><protocolVersion>2.0</protocolVersion>",
                    "<adminEmail>{}</adminEmail><earliestDatestamp>{}</earliestDatestamp>",
                    "<deletedRecord>persistent</deletedRecord>",
                    "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>\n"
                ),
                escape(base),
                REPOSITORY_EMAIL,
                datestamp(earliest)
            );
        }
        "ListMetadataFormats" => {
            args.only(&["identifier"])?;
            if let Some(id) = args.get("identifier") {
                record_of(register, id)?;
            }
            x.push_str("<ListMetadataFormats>");
            for f in oai::FORMATS {
                let _ = write!(
                    x,
                    "<metadataFormat><metadataPrefix>{}</metadataPrefix><schema>{}</schema><metadataNamespace>{}</metadataNamespace></metadataFormat>",
                    f.prefix, f.schema, f.namespace
                );
            }
            x.push_str("</ListMetadataFormats>\n");
        }
        "ListSets" => {
            args.only(&["resumptionToken"])?;
            if args.get("resumptionToken").is_some() {
                return Err(OaiError(
                    "badResumptionToken",
                    "the list of sets comes whole; it has no resumption tokens".into(),
                )
                .into());
            }
            x.push_str("<ListSets>");
            for s in oai::sets() {
                let _ = write!(
                    x,
                    "<set><setSpec>{}</setSpec><setName>{}</setName></set>",
                    escape(&s.spec),
                    escape(&s.name)
                );
            }
            x.push_str("</ListSets>\n");
        }
        "GetRecord" => {
            args.only(&["identifier", "metadataPrefix"])?;
            let id = args.required("identifier")?;
            let prefix = args.required("metadataPrefix")?;
            let format = oai::format(prefix).ok_or_else(|| {
                OaiError(
                    "cannotDisseminateFormat",
                    HarvestError::CannotDisseminateFormat(prefix.to_string()).to_string(),
                )
            })?;
            let record = record_of(register, id)?;
            x.push_str("<GetRecord>");
            write_record(&mut x, &record, Some(format), personal);
            x.push_str("</GetRecord>\n");
        }
        "ListIdentifiers" | "ListRecords" => {
            args.only(&["metadataPrefix", "from", "until", "set", "resumptionToken"])?;
            let harvest = match args.get("resumptionToken") {
                Some(token) => {
                    if args.0.len() > 2 {
                        return Err(bad_argument(
                            "resumptionToken is an exclusive argument: send it alone with the verb",
                        )
                        .into());
                    }
                    Harvest::Resume(token.to_string())
                }
                None => {
                    let bound = |name: &str| -> Result<Option<Bound>, OaiError> {
                        args.get(name)
                            .map(|v| {
                                Bound::parse(v).ok_or_else(|| {
                                    bad_argument(format!(
                                        "{name}={v}: a date YYYY-MM-DD or a time YYYY-MM-DDThh:mm:ssZ"
                                    ))
                                })
                            })
                            .transpose()
                    };
                    Harvest::Start {
                        prefix: args.required("metadataPrefix")?.to_string(),
                        set: args.get("set").map(str::to_string),
                        from: bound("from")?,
                        until: bound("until")?,
                    }
                }
            };
            let page = register.harvest(&harvest, PAGE).map_err(|e| match e {
                HarvestError::BadArgument(t) => bad_argument(t).into(),
                HarvestError::BadResumptionToken => {
                    OaiError("badResumptionToken", e.to_string()).into()
                }
                HarvestError::CannotDisseminateFormat(_) => {
                    OaiError("cannotDisseminateFormat", e.to_string()).into()
                }
                HarvestError::NoRecordsMatch => OaiError("noRecordsMatch", e.to_string()).into(),
                HarvestError::Register(e) => Fail::Register(e),
            })?;
            let records = verb == "ListRecords";
            let _ = write!(x, "<{verb}>");
            write_page(&mut x, &page, records, personal);
            let _ = writeln!(x, "</{verb}>");
        }
        _ => return Err(OaiError("badVerb", format!("{verb} is not a verb")).into()),
    }
    Ok(x)
}

fn record_of(register: &ucr_core::Register, identifier: &str) -> Result<Revision, Fail> {
    let missing = || {
        OaiError(
            "idDoesNotExist",
            format!("{identifier} is not an identifier of this repository"),
        )
    };
    let number = oai::registry_number(identifier).ok_or_else(missing)?;
    Ok(register.record(number)?.ok_or_else(missing)?)
}

fn write_page(x: &mut String, page: &HarvestPage, records: bool, personal: bool) {
    for r in &page.records {
        if records {
            write_record(x, r, Some(page.format), personal);
        } else {
            write_header(x, r);
        }
    }
    match &page.next {
        Some(token) => {
            let _ = write!(
                x,
                "<resumptionToken completeListSize=\"{}\" cursor=\"{}\">{}</resumptionToken>",
                page.size,
                page.cursor,
                escape(token)
            );
        }
        // The last page of a list given in parts ends with an empty token.
        None if page.cursor > 0 => {
            let _ = write!(
                x,
                "<resumptionToken completeListSize=\"{}\" cursor=\"{}\"/>",
                page.size, page.cursor
            );
        }
        None => {}
    }
}

fn write_header(x: &mut String, r: &Revision) {
    let deleted = if oai::is_deleted(r) {
        " status=\"deleted\""
    } else {
        ""
    };
    let _ = write!(
        x,
        "<header{deleted}><identifier>{}</identifier><datestamp>{}</datestamp>",
        escape(&oai::identifier(&r.entry)),
        datestamp(r.recorded_at)
    );
    for s in oai::set_specs(&r.entry) {
        let _ = write!(x, "<setSpec>{}</setSpec>", escape(&s));
    }
    x.push_str("</header>");
}

fn write_record(x: &mut String, r: &Revision, format: Option<Format>, personal: bool) {
    x.push_str("<record>");
    write_header(x, r);
    if !oai::is_deleted(r) {
        match format {
            Some(f) if f == oai::OAI_DC => {
                x.push_str(concat!(
                    "<metadata><oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" ",
                    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" ",
                    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
                    "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/ ",
                    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">"
                ));
                for v in dublin_core(&r.entry) {
                    let name = v.element.name();
                    match v.lang {
                        Some(l) => {
                            let _ = write!(
                                x,
                                "<dc:{name} xml:lang=\"{l}\">{}</dc:{name}>",
                                escape(&v.value)
                            );
                        }
                        None => {
                            let _ = write!(x, "<dc:{name}>{}</dc:{name}>", escape(&v.value));
                        }
                    }
                }
                x.push_str("</oai_dc:dc></metadata>");
            }
            Some(f) => {
                let json = if personal {
                    r.entry.to_json()
                } else {
                    r.entry.to_public_json()
                };
                let _ = write!(
                    x,
                    "<metadata><ucr:entry xmlns:ucr=\"{}\">{}</ucr:entry></metadata>",
                    f.namespace,
                    escape(&json.to_string())
                );
            }
            None => {}
        }
    }
    x.push_str("</record>\n");
}

/// Text as XML character data or an attribute value: markup characters escaped, characters
/// XML 1.0 does not allow dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping_covers_markup_and_drops_what_xml_forbids() {
        assert_eq!(
            super::escape("<a href=\"x\">Tom & Jerry's</a>\u{1}\u{FFFF}ə"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;ə"
        );
    }
}
