//! Reading request bodies: content coding, content type, size limit, JSON with line and
//! column on error.

use crate::problem::ApiError;
use actix_web::dev::Decompress;
use actix_web::error::PayloadError;
use actix_web::http::header::{ContentEncoding, CONTENT_ENCODING};
use actix_web::{web, HttpRequest};
use futures_util::{Stream, StreamExt};
use serde_json::Value;

/// The content codings a request body may be sent in (`Content-Encoding`).
pub const ENCODINGS: &[&str] = &["gzip", "x-gzip", "deflate", "identity"];

/// The body of a request, decoded from its `Content-Encoding`; a coding the server does not
/// read is a 415 that names those it does.
pub fn decoded(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<impl Stream<Item = Result<web::Bytes, PayloadError>> + Unpin, ApiError> {
    let mut coding = ContentEncoding::Identity;
    for value in req.headers().get_all(CONTENT_ENCODING) {
        let text = value.to_str().unwrap_or("\u{fffd}");
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let this = match name.to_ascii_lowercase().as_str() {
                "gzip" | "x-gzip" => ContentEncoding::Gzip,
                "deflate" => ContentEncoding::Deflate,
                "identity" => continue,
                _ => return Err(ApiError::unsupported_encoding(name)),
            };
            if coding != ContentEncoding::Identity {
                return Err(ApiError::unsupported_encoding(text));
            }
            coding = this;
        }
    }
    Ok(Decompress::new(payload, coding))
}

/// Reads at most `limit` bytes of the decoded body; more is a 413, so a small compressed body
/// that decodes to more than the limit is refused as soon as the limit is passed.
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, ApiError> {
    let mut stream = decoded(req, payload)?;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(unreadable)?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A body that cannot be read or decoded: 400.
pub fn unreadable(e: PayloadError) -> ApiError {
    ApiError::bad_request(format!("reading the body: {e}"))
}

/// Checks that the request's content type is `expected` (parameters like charset allowed).
pub fn require_type(req: &HttpRequest, expected: &str) -> Result<(), ApiError> {
    let got = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = got
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == expected {
        Ok(())
    } else {
        Err(ApiError::unsupported_media_type(expected, got))
    }
}

/// Parses a JSON body, reporting line and column of a syntax error.
pub fn json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "the body is empty; send a JSON object",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::malformed_json(&e))
}
