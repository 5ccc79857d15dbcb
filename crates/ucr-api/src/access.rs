//! Who is calling and what they may do: bearer tokens with the roles reader, clerk and admin
//! (SPEC §6). Every refusal is a 401 (no usable token) or a 403 (role too low) and happens
//! before the request body is read, so a refused request writes nothing.

use crate::problem::ApiError;
use crate::State;
use actix_web::http::{header, StatusCode};
use actix_web::HttpRequest;
use ucr_core::{Action, Role, Write};

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's name (`anonymous` without one): the actor of revisions.
    pub name: String,
    /// The token's role; `None` for an anonymous caller.
    pub role: Option<Role>,
}

impl Caller {
    /// Whether the caller may see personal data (`head`): any authenticated reader.
    pub fn sees_personal_data(&self) -> bool {
        self.role.is_some()
    }

    /// Refuses a caller whose role is below what `action` needs (the role table of
    /// `ucr-core`): 401 without a token, 403 with one.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        let role = action.role();
        match self.role {
            None => Err(unauthorized(
                format!("{action} needs a {role} token"),
                false,
            )),
            Some(r) if !action.allows(r) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed for this role",
                format!(
                    "{action} needs the role {role}; the token {} is a {r}",
                    self.name
                ),
            )),
            Some(_) => Ok(()),
        }
    }

    /// Refuses anonymous reads when the register is not public.
    pub fn require_read(&self, state: &State) -> Result<(), ApiError> {
        if self.role.is_none() && !state.config.public_read {
            return Err(unauthorized(
                "this register is not public: send a reader token".into(),
                false,
            ));
        }
        Ok(())
    }

    /// A write by this caller (who must be at least a clerk).
    pub fn writer(&self) -> Write {
        Write::by(self.name.clone(), self.role.unwrap_or(Role::Reader))
    }
}

/// The 401 problem, with the `WWW-Authenticate` challenge.
pub fn unauthorized(detail: String, bad_token: bool) -> ApiError {
    let mut err = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Authentication needed",
        detail,
    );
    err.1 = Some(if bad_token {
        "Bearer realm=\"ucr\", error=\"invalid_token\"".to_string()
    } else {
        "Bearer realm=\"ucr\"".to_string()
    });
    err
}

/// The bearer token of a request: `None` without `Authorization`, an error for another scheme.
fn bearer(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            Ok(Some(token.trim().to_string()))
        }
        _ => Err(unauthorized(
            "send Authorization: Bearer TOKEN".into(),
            false,
        )),
    }
}

fn resolve(register: &ucr_core::Register, token: Option<String>) -> Result<Caller, ApiError> {
    let Some(token) = token else {
        return Ok(Caller {
            name: "anonymous".into(),
            role: None,
        });
    };
    match register.authenticate(&token)? {
        Some(p) => Ok(Caller {
            name: p.name,
            role: Some(p.role),
        }),
        None => Err(unauthorized("the token is unknown or revoked".into(), true)),
    }
}

/// A read: the caller is checked and `read` runs in one trip to the database thread, so a
/// token costs one indexed lookup and nothing more.
pub async fn read_as<T: Send + 'static>(
    req: &HttpRequest,
    state: &State,
    read: impl FnOnce(&ucr_core::Register) -> Result<T, ApiError> + Send + 'static,
) -> Result<(Caller, T), ApiError> {
    let token = bearer(req)?;
    let register = state.register.clone();
    let public = state.config.public_read;
    actix_web::web::block(move || {
        let who = resolve(&register, token)?;
        if who.role.is_none() && !public {
            return Err(unauthorized(
                "this register is not public: send a reader token".into(),
                false,
            ));
        }
        let value = read(&register)?;
        Ok((who, value))
    })
    .await
    .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
}

/// The caller (see [`caller`]), when it may read the register.
pub async fn reader(req: &HttpRequest, state: &State) -> Result<Caller, ApiError> {
    let who = caller(req, state).await?;
    who.require_read(state)?;
    Ok(who)
}

/// Reads the caller from `Authorization: Bearer TOKEN`. A token that is malformed, unknown or
/// revoked is refused at once, whatever the operation.
pub async fn caller(req: &HttpRequest, state: &State) -> Result<Caller, ApiError> {
    let Some(token) = bearer(req)? else {
        return Ok(Caller {
            name: "anonymous".into(),
            role: None,
        });
    };
    let register = state.register.clone();
    actix_web::web::block(move || resolve(&register, Some(token)))
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
}
