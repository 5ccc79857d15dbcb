//! Serving from a read-only replica (a PostgreSQL hot standby): every write is refused with
//! 421 and a problem naming where writes go, and readiness follows the replica's lag.

use crate::problem::ApiError;
use crate::State;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse, ResponseError};
use serde_json::{json, Value};
use std::time::Duration;
use ucr_core::Register;

/// How a read-only server relates to its primary.
#[derive(Debug, Clone)]
pub struct Replica {
    /// The public URL of the server that writes (the one on the primary), named in every
    /// refusal of a write; `None` when it is not configured.
    pub write_to: Option<String>,
    /// The primary's database, read only for its change sequence so that `/ready` can say how
    /// many changes the replica is behind; `None`: only the lag in seconds is known.
    pub primary: Option<Register>,
    /// Past this lag the server reports not-ready.
    pub max_lag: Duration,
}

/// The paths whose POST is a read: OAI-PMH lets a harvester send its arguments as a form
/// (section 3.1.1.2), and OpenRefine posts its reconciliation batches.
const POSTED_READS: &[&str] = &["/oai", "/reconcile"];

/// Refuses every request that is not a read (GET, HEAD, OPTIONS, or a POST of
/// [`POSTED_READS`]) when the server serves a replica, before its body is read: 421 with a
/// problem naming where writes go.
pub async fn refuse_writes<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let replica = req
        .app_data::<web::Data<State>>()
        .and_then(|s| s.config.replica.clone());
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || (*req.method() == Method::POST && POSTED_READS.contains(&req.path()));
    match replica {
        Some(replica) if !reads => {
            let err = refusal(&replica, req.method().as_str(), &req.uri().to_string());
            Ok(req
                .into_response(err.error_response())
                .map_into_right_body())
        }
        _ => Ok(next.call(req).await?.map_into_left_body()),
    }
}

fn refusal(replica: &Replica, method: &str, target: &str) -> ApiError {
    let (detail, write_to) = match &replica.write_to {
        Some(url) => {
            let to = format!("{}{target}", url.trim_end_matches('/'));
            (
                format!("this server reads from a replica of the register and writes nothing: send {method} {target} to {to}"),
                Some(to),
            )
        }
        None => (
            format!("this server reads from a replica of the register and writes nothing: send {method} {target} to the server on the primary database"),
            None,
        ),
    };
    let mut err = ApiError::new(
        StatusCode::MISDIRECTED_REQUEST,
        "read-only",
        "This server takes no writes",
        detail,
    );
    err.0.write_to = write_to;
    err
}

/// `/ready` of a replica: 200 with its lag while it is within `max_lag`, else 503 with the
/// lag in the problem; 503 when the replica (or the primary, when named) does not answer.
pub async fn ready(register: Register, replica: Replica) -> Result<HttpResponse, ApiError> {
    let max = replica.max_lag.as_secs_f64();
    let state = web::block(move || {
        let here = register.replication()?;
        // Read after the replica's sequence, so that the difference is never negative.
        let primary = replica.primary.map(|p| p.change_seq()).transpose()?;
        Ok::<_, ucr_core::RegisterError>((here, primary))
    })
    .await
    .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?;
    let (here, primary) = match state {
        Ok(state) => state,
        Err(e) => {
            tracing::warn!(error = %e, "replica not ready");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The register is unavailable",
                "the database does not answer",
            ));
        }
    };
    let report = json!({
        "standby": here.standby,
        "lag_seconds": here.lag_seconds,
        "change_seq": here.change_seq,
        "primary_change_seq": primary,
        "changes_behind": primary.map(|p| (p - here.change_seq).max(0)),
        "max_lag_seconds": max,
    });
    let why = match here.lag_seconds {
        Some(lag) if lag > max => Some(format!(
            "the replica is {lag:.1} s behind its primary, more than the {max} s allowed"
        )),
        None => Some("the replica cannot tell its lag: it has replayed no change since it started and is not streaming from its primary".to_string()),
        Some(_) => None,
    };
    match why {
        None => Ok(HttpResponse::Ok().json(json!({"status": "ready", "replica": report}))),
        Some(why) => {
            let mut err = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "replica-lag",
                "The replica is too far behind",
                why,
            );
            err.0.replica = Some(report);
            Err(err)
        }
    }
}

/// The replica part of `/ready`, as the OpenAPI document describes it.
pub fn readiness_schema() -> Value {
    json!({
        "type": "object",
        "description": "A read-only server's replica (only on servers started with --read-only)",
        "required": ["standby", "lag_seconds", "change_seq", "primary_change_seq", "changes_behind", "max_lag_seconds"],
        "properties": {
            "standby": {"type": "boolean", "description": "Whether the database is a hot standby"},
            "lag_seconds": {"type": ["number", "null"], "description": "Seconds behind the primary: 0 while it has replayed all it received and streams from the primary, else the age of the last change replayed; null when unknown"},
            "change_seq": {"type": "integer", "description": "The last change the replica holds (the change feed's numbers)"},
            "primary_change_seq": {"type": ["integer", "null"], "description": "The primary's last change, when the server was given the primary's database"},
            "changes_behind": {"type": ["integer", "null"], "description": "Changes the replica has not replayed yet, when the primary is known"},
            "max_lag_seconds": {"type": "number", "description": "Past this lag the server is not ready"}
        }
    })
}
