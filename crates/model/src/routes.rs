//! The HTTP surface of the backend: every route with the statuses it can
//! answer, in the order the OpenAPI document lists them.

use serde::Serialize;

use crate::entity::EntityId;

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method in upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// The method in lower case, as OpenAPI keys it.
    pub fn lower(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Patch => "patch",
            Method::Delete => "delete",
        }
    }
}

/// What a route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "op", content = "entity", rename_all = "snake_case")]
pub enum Operation {
    /// `POST {base}/auth/register`
    Register,
    /// `POST {base}/auth/login`
    Login,
    /// `POST {base}/auth/logout`
    Logout,
    /// `GET {base}/auth/me`
    Me,
    /// `POST {base}/auth/verify-email` (with email only)
    VerifyEmail,
    /// `POST {base}/auth/password-reset` (with email only)
    PasswordReset,
    /// `POST {base}/auth/password-reset/confirm` (with email only)
    PasswordResetConfirm,
    /// `GET {base}/auth/oidc/login` (the `oidc` integration): a 302 to the
    /// identity provider carrying `state`, `nonce` and a PKCE (S256)
    /// challenge.
    OidcLogin,
    /// `GET {base}/auth/oidc/callback` (the `oidc` integration): the
    /// provider's answer; a verified ID token starts a session as `Login`
    /// does and answers a 302, anything else a 400.
    OidcCallback,
    /// `GET {base}/{collection}`
    List(EntityId),
    /// `POST {base}/{collection}`
    Create(EntityId),
    /// `GET {base}/{collection}/{id}`
    Read(EntityId),
    /// `PATCH {base}/{collection}/{id}`
    Update(EntityId),
    /// `DELETE {base}/{collection}/{id}`
    Delete(EntityId),
    /// `GET {base}/me/export`
    Export,
    /// `DELETE {base}/me`
    Erase,
    /// `GET {base}/admin/audit-events`
    AuditEvents,
    /// `GET {base}/admin/users`
    AdminUsers,
    /// `GET /healthz`
    Healthz,
    /// `GET /readyz`
    Readyz,
    /// `GET /openapi.json`
    OpenApi,
    /// `POST {base}/{collection}/{id}/payment` (the `stripe` integration):
    /// creates or reuses the row's payment.
    Payment(EntityId),
    /// `POST {base}/webhooks/stripe` (the `stripe` integration): Stripe's
    /// signed events.
    StripeWebhook,
}

/// Whether a route needs a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionUse {
    /// Never looks at one.
    None,
    /// Works with or without one.
    Optional,
    /// 401 without one (unless the entity's rule is `public`).
    Required,
}

/// One route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The method.
    pub method: Method,
    /// The path, with the base path and `{id}` for a row id.
    pub path: String,
    /// What it does.
    pub operation: Operation,
    /// Every status it can answer, ascending: 422 wherever the client
    /// sends input (a body, a query or a row id in the path that is no UUID).
    pub statuses: Vec<u16>,
    /// Whether it needs a session.
    pub session: SessionUse,
    /// Whether a request with a session must carry the CSRF header.
    pub csrf: bool,
    /// Whether it takes an `Idempotency-Key` header: a signed-in caller's
    /// retry with the same key and body within [`IDEMPOTENCY_HOURS`] gets
    /// the first answer back and creates nothing; the same key with
    /// another body is 422.
    pub idempotency_key: bool,
}

/// Hours an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_HOURS: u32 = 24;

/// The `Retry-After` (seconds) of a 503: the database is down, too slow
/// or out of pooled connections.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u32 = 5;

fn route(
    method: Method,
    path: String,
    operation: Operation,
    statuses: &[u16],
    session: SessionUse,
) -> Route {
    let csrf = method != Method::Get
        && session != SessionUse::None
        && !matches!(
            operation,
            Operation::Register
                | Operation::Login
                | Operation::VerifyEmail
                | Operation::PasswordReset
                | Operation::PasswordResetConfirm
        );
    // Every route that reaches the database answers 503 when it cannot.
    let mut statuses = statuses.to_vec();
    if !matches!(operation, Operation::Healthz | Operation::OpenApi) && !statuses.contains(&503) {
        statuses.push(503);
    }
    Route {
        method,
        path,
        operation,
        statuses,
        session,
        csrf,
        idempotency_key: matches!(operation, Operation::Create(_)),
    }
}

/// What register answers: with email, 202 whether or not the address is
/// taken; without, 201 or 409.
pub(crate) fn register_statuses(email: bool) -> &'static [u16] {
    if email {
        &[202, 403, 422, 429]
    } else {
        &[201, 403, 409, 422, 429]
    }
}

/// Every route of a backend with these entities (id and collection) and
/// this base path; with `email`, register answers 202 whether or not the
/// email is taken, and the verification and reset routes exist; `oidc` adds
/// the sign-in through an identity provider.
pub(crate) fn routes(
    base: &str,
    entities: &[(EntityId, String)],
    email: bool,
    oidc: bool,
) -> Vec<Route> {
    use Method::*;
    use Operation as O;
    use SessionUse::*;
    let register = register_statuses(email);
    let mut out = vec![
        route(
            Post,
            format!("{base}/auth/register"),
            O::Register,
            register,
            Optional,
        ),
        route(
            Post,
            format!("{base}/auth/login"),
            O::Login,
            &[200, 401, 422, 429],
            Optional,
        ),
        route(
            Post,
            format!("{base}/auth/logout"),
            O::Logout,
            &[204, 403, 429],
            Optional,
        ),
        route(
            Get,
            format!("{base}/auth/me"),
            O::Me,
            &[200, 401, 429],
            Required,
        ),
    ];
    if email {
        out.extend([
            route(
                Post,
                format!("{base}/auth/verify-email"),
                O::VerifyEmail,
                &[204, 422, 429],
                None,
            ),
            route(
                Post,
                format!("{base}/auth/password-reset"),
                O::PasswordReset,
                &[202, 422, 429],
                None,
            ),
            route(
                Post,
                format!("{base}/auth/password-reset/confirm"),
                O::PasswordResetConfirm,
                &[204, 422, 429],
                None,
            ),
        ]);
    }
    if oidc {
        out.extend([
            route(
                Get,
                format!("{base}/auth/oidc/login"),
                O::OidcLogin,
                &[302, 429],
                None,
            ),
            route(
                Get,
                format!("{base}/auth/oidc/callback"),
                O::OidcCallback,
                &[302, 400, 429],
                None,
            ),
        ]);
    }
    for (id, c) in entities {
        let id = *id;
        out.push(route(
            Get,
            format!("{base}/{c}"),
            O::List(id),
            &[200, 401, 403, 422, 429],
            Required,
        ));
        out.push(route(
            Post,
            format!("{base}/{c}"),
            O::Create(id),
            &[201, 401, 403, 409, 422, 429],
            Required,
        ));
        out.push(route(
            Get,
            format!("{base}/{c}/{{id}}"),
            O::Read(id),
            &[200, 401, 403, 404, 422, 429],
            Required,
        ));
        out.push(route(
            Patch,
            format!("{base}/{c}/{{id}}"),
            O::Update(id),
            &[200, 401, 403, 404, 409, 422, 429],
            Required,
        ));
        out.push(route(
            Delete,
            format!("{base}/{c}/{{id}}"),
            O::Delete(id),
            &[204, 401, 403, 404, 409, 422, 429],
            Required,
        ));
    }
    out.extend([
        route(
            Get,
            format!("{base}/me/export"),
            O::Export,
            &[200, 401, 429],
            Required,
        ),
        route(
            Delete,
            format!("{base}/me"),
            O::Erase,
            &[204, 401, 403, 409, 429],
            Required,
        ),
        route(
            Get,
            format!("{base}/admin/audit-events"),
            O::AuditEvents,
            &[200, 401, 403, 422, 429],
            Required,
        ),
        route(
            Get,
            format!("{base}/admin/users"),
            O::AdminUsers,
            &[200, 401, 403, 422, 429],
            Required,
        ),
        route(Get, "/healthz".to_string(), O::Healthz, &[200], None),
        route(Get, "/readyz".to_string(), O::Readyz, &[200, 503], None),
        route(Get, "/openapi.json".to_string(), O::OpenApi, &[200], None),
    ]);
    out
}

/// The routes of the `stripe` integration paying for rows of `entity`
/// (collection `collection`), with the base path `base`: the payment
/// endpoint (whoever may read the row; 409 once paid, 422 without a
/// price, 502 when Stripe does not answer after its retries) and the
/// webhook (no session, no CSRF token: 400 without a valid
/// `Stripe-Signature`).
///
/// ```
/// let routes = model::routes::payment_routes("/api", model::EntityId(0), "orders");
/// assert_eq!(routes[0].path, "/api/orders/{id}/payment");
/// assert!(routes[0].csrf);
/// assert_eq!(routes[1].path, "/api/webhooks/stripe");
/// assert!(!routes[1].csrf);
/// ```
pub fn payment_routes(base: &str, entity: EntityId, collection: &str) -> Vec<Route> {
    vec![
        route(
            Method::Post,
            format!("{base}/{collection}/{{id}}/payment"),
            Operation::Payment(entity),
            &[200, 401, 403, 404, 409, 422, 429, 502],
            SessionUse::Required,
        ),
        route(
            Method::Post,
            format!("{base}/webhooks/stripe"),
            Operation::StripeWebhook,
            &[200, 400, 429],
            SessionUse::None,
        ),
    ]
}

/// The actions the audit log records for the `stripe` integration.
pub const PAYMENT_AUDIT_ACTIONS: [&str; 4] = [
    "payment_started",
    "payment_succeeded",
    "payment_failed",
    "payment_refunded",
];

/// The actions the audit log records, in the contract's order.
pub const AUDIT_ACTIONS: [&str; 12] = [
    "register",
    "login",
    "login_failed",
    "lockout",
    "logout",
    "create",
    "update",
    "delete",
    "export",
    "erasure",
    "role_change",
    "retention_purge",
];

/// The largest `limit` a list takes.
pub const MAX_PAGE_SIZE: u32 = 500;
