//! Reading request bodies: content type, size limit, JSON with line and column on error.

use crate::problem::ApiError;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use serde_json::Value;

/// Reads at most `limit` bytes of the body; more is a 413.
pub async fn read(mut payload: web::Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("reading the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
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
