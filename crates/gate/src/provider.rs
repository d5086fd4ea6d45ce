//! A stand-in OpenID provider for the quality gate: a loopback HTTP server
//! that answers every request with a discovery document naming itself, so
//! a generated app with the `oidc` integration can build its login
//! redirect. It issues no codes and no tokens: the conformance suite checks
//! the redirect and the refusal of a wrong state, neither of which needs
//! one.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The running stand-in; stopped when dropped.
///
/// ```
/// let provider = gate::provider::Discovery::start().unwrap();
/// assert!(provider.issuer().starts_with("http://127.0.0.1:"));
/// ```
pub struct Discovery {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Discovery {
    /// Starts serving on a free loopback port.
    pub fn start() -> std::io::Result<Discovery> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    answer(stream, port);
                }
            }
        });
        Ok(Discovery {
            port,
            stop,
            thread: Some(thread),
        })
    }

    /// The issuer URL (`http://127.0.0.1:PORT`).
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Discovery {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The discovery document of the stand-in at `port`.
fn document(port: u16) -> String {
    let issuer = format!("http://127.0.0.1:{port}");
    serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
    })
    .to_string()
}

/// Reads one request's head and answers the discovery document.
fn answer(mut stream: TcpStream, port: u16) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let body = document(port);
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_a_discovery_document_naming_itself() {
        let discovery = Discovery::start().unwrap();
        let mut stream = TcpStream::connect(("127.0.0.1", discovery.port)).unwrap();
        stream
            .write_all(b"GET /.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let body = text.split("\r\n\r\n").nth(1).unwrap();
        let doc: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(doc["issuer"], discovery.issuer());
        assert_eq!(doc["code_challenge_methods_supported"][0], "S256");
    }
}
