//! Sign-in through an identity provider (the `oidc` integration), when the model has its routes: the login redirect carries `state`, `nonce` and a PKCE S256 challenge, and a callback with a wrong state is refused with a 4xx.

use super::*;

/// The query parameters of a URL, decoded.
fn query_of(url: &str) -> HashMap<String, String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or("");
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

/// Percent-decoding (and `+` as a space), enough for a query.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl<'a> Suite<'a> {
    pub(super) fn oidc(&mut self) {
        let path = |op: Operation| {
            self.model
                .routes
                .iter()
                .find(|r| r.operation == op)
                .map(|r| r.path.clone())
        };
        let (Some(login), Some(callback)) =
            (path(Operation::OidcLogin), path(Operation::OidcCallback))
        else {
            return;
        };
        let mut browser = Session::default();
        let r = self
            .client
            .send(&mut browser, "GET", &login, None, false, &[]);
        let redirect = r.and_then(|r| {
            expect(&r, 302, &format!("GET {login}"))?;
            let location = r
                .header("location")
                .ok_or_else(|| format!("GET {login} answered 302 without a Location"))?;
            let query = query_of(location);
            for name in ["state", "nonce", "code_challenge"] {
                if query.get(name).is_none_or(|v| v.is_empty()) {
                    return Err(format!("the redirect to the provider has no `{name}`: {location}"));
                }
            }
            if query.get("code_challenge_method").map(String::as_str) != Some("S256") {
                return Err(format!(
                    "the redirect to the provider does not ask for a PKCE S256 challenge: {location}"
                ));
            }
            let cookies = r.set_cookies();
            if !cookies
                .iter()
                .any(|c| c.to_ascii_lowercase().contains("httponly"))
            {
                return Err(format!(
                    "GET {login} keeps its state in no HttpOnly cookie: {}",
                    cookies.join(" | ")
                ));
            }
            Ok(query)
        });
        let state = redirect.as_ref().ok().and_then(|q| q.get("state").cloned());
        self.record(
            "oidc.login_redirects_with_state_nonce_pkce",
            redirect.map(|_| ()),
        );

        let r = state
            .ok_or_else(|| "no login redirect to answer (see the check above)".to_string())
            .and_then(|state| {
                let wrong = format!("{callback}?code=conformance-code&state=not-{state}");
                let r = self
                    .client
                    .send(&mut browser, "GET", &wrong, None, false, &[])?;
                if (400..500).contains(&r.status) {
                    Ok(())
                } else {
                    Err(format!(
                        "GET {callback} with a wrong state: expected a 4xx, got {}",
                        r.brief()
                    ))
                }
            });
        self.record("oidc.callback_refuses_a_wrong_state", r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_decoded() {
        let q = query_of("http://id.example/authorize?state=a%2Bb&scope=openid+email&x=%zz#frag");
        assert_eq!(q["state"], "a+b");
        assert_eq!(q["scope"], "openid email");
        assert_eq!(q["x"], "%zz");
    }
}
