//! What every client sees first: the probes, the served OpenAPI document, the security headers and request ids, and problem+json errors.

use super::*;

impl<'a> Suite<'a> {
    pub(super) fn health(&mut self) {
        let r = self.send(None, "GET", "/healthz", None);
        self.record(
            "health.healthz",
            r.and_then(|r| expect(&r, 200, "GET /healthz")),
        );
        let r = self.send(None, "GET", "/readyz", None);
        self.record(
            "health.readyz",
            r.and_then(|r| expect(&r, 200, "GET /readyz")),
        );
    }

    pub(super) fn openapi(&mut self) {
        let expected = render::docs::openapi::document(self.model);
        let r = self.send(None, "GET", "/openapi.json", None).and_then(|r| {
            expect(&r, 200, "GET /openapi.json")?;
            let served = r.json();
            if served == expected {
                Ok(())
            } else {
                Err(format!(
                    "/openapi.json differs from the model's OpenAPI document at {}",
                    first_difference(&expected, &served, "")
                ))
            }
        });
        self.record("openapi.matches_blueprint", r);
    }

    pub(super) fn headers(&mut self) {
        let r = self.send(None, "GET", &self.api("/auth/me"), None);
        let Ok(resp) = r else {
            let e = r.err().unwrap_or_default();
            for name in ["nosniff", "hsts", "referrer_policy", "csp"] {
                self.record(format!("headers.{name}"), Err(e.clone()));
            }
            return;
        };
        let has = |name: &str, pred: &dyn Fn(&str) -> bool| match resp.header(name) {
            Some(v) if pred(v) => Ok(()),
            Some(v) => Err(format!("`{name}: {v}` is not what the contract asks")),
            None => Err(format!("no `{name}` header on GET /auth/me")),
        };
        let r = has("x-content-type-options", &|v| {
            v.eq_ignore_ascii_case("nosniff")
        });
        self.record("headers.nosniff", r);
        let r = has("strict-transport-security", &|v| v.contains("max-age="));
        self.record("headers.hsts", r);
        let r = has("referrer-policy", &|v| {
            !v.trim().is_empty() && v != "unsafe-url"
        });
        self.record("headers.referrer_policy", r);
        let r = has("content-security-policy", &|v| {
            v.contains("default-src") && !v.contains("unsafe-inline") && !v.contains('*')
        });
        self.record("headers.csp", r);

        let id = format!("conformance-{}", self.nonce);
        let mut anon = Session::default();
        let path = self.api("/auth/me");
        let r = self
            .client
            .send(
                &mut anon,
                "GET",
                &path,
                None,
                false,
                &[("X-Request-ID", &id)],
            )
            .and_then(|r| match r.header("x-request-id") {
                Some(v) if v == id => Ok(()),
                other => Err(format!("sent X-Request-ID {id}, got {other:?}")),
            });
        self.record("headers.request_id_echo", r);
        let r = match resp.header("x-request-id") {
            Some(v) if !v.trim().is_empty() => Ok(()),
            _ => Err("no X-Request-ID created for a request without one".to_string()),
        };
        self.record("headers.request_id_created", r);
    }

    pub(super) fn problems(&mut self) {
        let is_problem = |r: &Resp, status: u16| -> Check {
            expect(r, status, "the status")?;
            let ct = r.header("content-type").unwrap_or("");
            if !ct.starts_with("application/problem+json") {
                return Err(format!("content type `{ct}`, not application/problem+json"));
            }
            let body = r.json();
            if !body["type"].is_string()
                || !body["title"].is_string()
                || body["status"] != json!(status)
            {
                return Err(format!(
                    "not a problem document with type, title and status: {}",
                    r.body
                ));
            }
            Ok(())
        };
        let r = self
            .send(None, "GET", &self.api("/auth/me"), None)
            .and_then(|r| is_problem(&r, 401));
        self.record("problem.unauthorized", r);
        let entity = self.entities().first().copied();
        if let (Some(entity), Some(admin)) = (entity, self.admin_index()) {
            let path = format!(
                "{}/00000000-0000-4000-8000-000000000000",
                self.collection_path(entity)
            );
            let r = self
                .send(Some(admin), "GET", &path, None)
                .and_then(|r| is_problem(&r, 404));
            self.record("problem.not_found", r);
            let path = self.collection_path(entity);
            let r = self
                .send(
                    Some(admin),
                    "POST",
                    &path,
                    Some(&json!({"no_such_field_x": 1})),
                )
                .and_then(|r| {
                    is_problem(&r, 422)?;
                    if r.json()["errors"].is_object() {
                        Ok(())
                    } else {
                        Err(format!("a 422 without an `errors` map: {}", r.body))
                    }
                });
            self.record("problem.validation", r);
        }
    }

    // ----- rows ----------------------------------------------------------
}

#[cfg(test)]
mod tests {
    /// The served document is compared as JSON values: a number written by
    /// the renderer must read back as the same number (serde_json's
    /// `float_roundtrip`; without it `1e-30`, a decimal of scale 30's
    /// `multipleOf`, read back as 9.999999999999999e-31).
    #[test]
    fn numbers_of_the_document_read_back_exactly() {
        for text in [
            "1e-30",
            "1e-16",
            "0.1",
            "1e+30",
            "9.999999999999999e-31",
            "1e-7",
        ] {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let back: serde_json::Value = serde_json::from_str(&value.to_string()).unwrap();
            assert_eq!(value, back, "{text}");
            let exact: f64 = text.parse().unwrap();
            assert_eq!(value.as_f64(), Some(exact), "{text}");
        }
    }
}
