//! Every error of the API as `application/problem+json` (RFC 9457).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use ucr_core::{Problem, RegisterError};

/// A problem details object.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemDetails {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence.
    pub detail: String,
    /// Every validation problem (422, 409 duplicates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<Problem>>,
    /// Registry numbers of the entries that refer to this one (409 on delete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrers: Option<Vec<String>>,
    /// Registry numbers of the entries changed since an import (409 on undo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed: Option<Vec<String>>,
    /// The report of a refused import (422).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
    /// Where to send a write that a read-only replica refused (421): the same path on the
    /// server that writes, when it is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_to: Option<String>,
    /// A read-only replica's lag, when it is not ready (503 on `/ready`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<serde_json::Value>,
}

/// An error answered as problem+json.
#[derive(Debug, Clone)]
pub struct ApiError(pub Box<ProblemDetails>, pub ChallengeSlot);

/// The `WWW-Authenticate` challenge of a 401, if any.
pub type ChallengeSlot = Option<String>;

impl ApiError {
    /// A problem of `status` with a slug naming its type.
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        ApiError(
            Box::new(ProblemDetails {
                problem_type: format!("/problems/{slug}"),
                title: title.to_string(),
                status: status.as_u16(),
                detail: detail.into(),
                errors: None,
                referrers: None,
                changed: None,
                report: None,
                write_to: None,
                replica: None,
            }),
            None,
        )
    }

    /// 400: a request the server cannot read.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    /// 400: a body that is not JSON.
    pub fn malformed_json(e: &serde_json::Error) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            format!(
                "the body is not valid JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    /// 405.
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            format!("{method} is not allowed on {path}"),
        )
    }

    /// 413.
    pub fn too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
            format!("the body is larger than the limit of {limit} bytes"),
        )
    }

    /// 415.
    pub fn unsupported_media_type(expected: &str, got: &str) -> Self {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            format!("send {expected}, not `{got}`"),
        )
    }

    /// 415: a `Content-Encoding` the server does not decode.
    pub fn unsupported_encoding(got: &str) -> Self {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-encoding",
            "Unsupported content encoding",
            format!(
                "the body is sent with Content-Encoding `{got}`; send it as one of {} (or without Content-Encoding)",
                crate::body::ENCODINGS.join(", ")
            ),
        )
    }

    /// 428: a change without `If-Match`.
    pub fn precondition_required(path: &str) -> Self {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition-required",
            "If-Match is required",
            format!(
                "a change needs If-Match: read the entry (GET {path}) and send its ETag, e.g. If-Match: \"3\", so that a change made meanwhile is not overwritten"
            ),
        )
    }

    /// 500: never for bad input; a fault of the server.
    pub fn internal(detail: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            detail,
        )
    }
}

impl From<RegisterError> for ApiError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::Invalid(problems) => {
                let mut err = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation",
                    "The entry breaks validation rules",
                    format!(
                        "{} problem(s); see `errors`",
                        problems.iter().filter(|p| p.is_error()).count()
                    ),
                );
                err.0.errors = Some(problems);
                err
            }
            RegisterError::Duplicate(problems) => {
                let mut err = ApiError::new(
                    StatusCode::CONFLICT,
                    "duplicate",
                    "A unique value is already taken",
                    "see `errors` for the values already held by other entries",
                );
                err.0.errors = Some(problems);
                err
            }
            RegisterError::NotFound(what) => ApiError::not_found(format!("no entry {what}")),
            RegisterError::VersionMismatch { expected, actual } => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "version-mismatch",
                "The entry changed since it was read",
                format!("If-Match names version {expected}, the entry is at version {actual}: read it again"),
            ),
            RegisterError::Referenced { referrers } => {
                let mut err = ApiError::new(
                    StatusCode::CONFLICT,
                    "referenced",
                    "The entry is referred to",
                    format!("entries refer to it: {}", referrers.join(", ")),
                );
                err.0.referrers = Some(referrers);
                err
            }
            RegisterError::NotUndoable(detail) => {
                ApiError::new(StatusCode::CONFLICT, "not-undoable", "The import cannot be undone", detail)
            }
            RegisterError::ChangedSince { entries } => {
                let mut err = ApiError::new(
                    StatusCode::CONFLICT,
                    "changed-since-import",
                    "Entries changed since the import",
                    format!("the import cannot be undone: {} changed since", entries.join(", ")),
                );
                err.0.changed = Some(entries);
                err
            }
            forbidden @ RegisterError::Forbidden { .. } => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed for this role",
                forbidden.to_string(),
            ),
            RegisterError::Open(detail) | RegisterError::Database(detail) => {
                tracing::error!(%detail, "database failure");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The register is unavailable",
                    "the database did not answer; try again",
                )
            }
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0.status, self.0.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(challenge) = &self.1 {
            res.insert_header((header::WWW_AUTHENTICATE, challenge.clone()));
        }
        res.body(serde_json::to_string(&*self.0).unwrap_or_default())
    }
}
