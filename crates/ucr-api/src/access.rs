//! Who is calling and what they may do: bearer tokens with the roles reader, clerk and admin
//! (SPEC §6). Every refusal is a 401 (no usable token) or a 403 (role too low) and happens
//! before the request body is read, so a refused request writes nothing.

use crate::entries::blocking;
use crate::problem::ApiError;
use crate::State;
use actix_web::http::{header, StatusCode};
use actix_web::HttpRequest;
use ucr_core::{Role, Write};

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

    /// Refuses a caller below `role`: 401 without a token, 403 with one.
    pub fn require(&self, role: Role, what: &str) -> Result<(), ApiError> {
        match self.role {
            None => Err(unauthorized(format!("{what} needs a {role} token"), false)),
            Some(r) if r < role => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed for this role",
                format!(
                    "{what} needs the role {role}; the token {} is a {r}",
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

/// Reads the caller from `Authorization: Bearer TOKEN`. A token that is malformed, unknown or
/// revoked is refused at once, whatever the operation.
pub async fn caller(req: &HttpRequest, state: &State) -> Result<Caller, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(Caller {
            name: "anonymous".into(),
            role: None,
        });
    };
    let text = value.to_str().unwrap_or_default().trim();
    let token = match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim().to_string(),
        _ => {
            return Err(unauthorized(
                "send Authorization: Bearer TOKEN".into(),
                true,
            ))
        }
    };
    let register = state.register.clone();
    let principal = blocking(move || register.authenticate(&token)).await?;
    match principal {
        Some(p) => Ok(Caller {
            name: p.name,
            role: Some(p.role),
        }),
        None => Err(unauthorized("the token is unknown or revoked".into(), true)),
    }
}
