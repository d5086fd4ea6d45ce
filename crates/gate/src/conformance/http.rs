//! A small HTTP client for the suite: cookie sessions of its own, the CSRF
//! header on request, and a log of every response (for the no-5xx check).

use serde_json::Value;
use std::time::Duration;

/// A signed-in (or anonymous) user agent: its cookies and CSRF token.
#[derive(Debug, Clone, Default)]
pub(crate) struct Session {
    pub cookies: Vec<(String, String)>,
    pub csrf: Option<String>,
}

impl Session {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn absorb(&mut self, set_cookies: &[String]) {
        for text in set_cookies {
            let pair = text.split(';').next().unwrap_or("");
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let name = name.trim().to_string();
            let value = value.trim().trim_matches('"').to_string();
            let expired = text.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            self.cookies.retain(|(n, _)| *n != name);
            if name == "csrf_token" {
                self.csrf = (!expired).then(|| value.clone());
            }
            if !expired {
                self.cookies.push((name, value));
            }
        }
    }
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub(crate) struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// `METHOD path → status: body` (shortened), for details.
    pub fn brief(&self) -> String {
        let mut body: String = self.body.chars().take(300).collect();
        if body.len() < self.body.len() {
            body.push('…');
        }
        format!("{} {body}", self.status)
    }
}

/// One request's method, path and status.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub method: String,
    pub path: String,
    pub status: u16,
}

pub(crate) struct Client {
    agent: ureq::Agent,
    base: String,
    pub log: Vec<Exchange>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Client {
            agent,
            base: base.trim_end_matches('/').to_string(),
            log: Vec::new(),
        }
    }

    /// Sends a request; `csrf` adds the session's CSRF token as
    /// `X-CSRF-Token`; `extra` are more headers.
    pub fn send(
        &mut self,
        session: &mut Session,
        method: &str,
        path: &str,
        body: Option<&Value>,
        csrf: bool,
        extra: &[(&str, &str)],
    ) -> Result<Resp, String> {
        let url = format!("{}{path}", self.base);
        let cookie = session.cookie_header();
        let mut headers: Vec<(&str, String)> = Vec::new();
        if !cookie.is_empty() {
            headers.push(("Cookie", cookie));
        }
        if let (true, Some(token)) = (csrf, &session.csrf) {
            headers.push(("X-CSRF-Token", token.clone()));
        }
        for (k, v) in extra {
            headers.push((k, v.to_string()));
        }
        let result = match (method, body) {
            ("GET", _) | ("DELETE", None) => {
                let mut req = if method == "GET" {
                    self.agent.get(&url)
                } else {
                    self.agent.delete(&url)
                };
                for (k, v) in &headers {
                    req = req.header(*k, v);
                }
                req.call()
            }
            (_, body) => {
                let mut req = match method {
                    "POST" => self.agent.post(&url),
                    "PATCH" => self.agent.patch(&url),
                    "PUT" => self.agent.put(&url),
                    _ => self.agent.delete(&url).force_send_body(),
                }
                .header("Content-Type", "application/json");
                for (k, v) in &headers {
                    req = req.header(*k, v);
                }
                let text = body.map(Value::to_string).unwrap_or_default();
                req.send(text.as_bytes())
            }
        };
        let mut response = result.map_err(|e| format!("{method} {path}: no answer ({e})"))?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        let resp = Resp {
            status,
            headers,
            body,
        };
        session.absorb(&resp.set_cookies());
        self.log.push(Exchange {
            method: method.to_string(),
            path: path.to_string(),
            status,
        });
        Ok(resp)
    }
}
