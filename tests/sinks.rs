//! Receivers the notification tests send to, on loopback: a small SMTP
//! server that keeps every message, and an HTTP webhook receiver that keeps
//! every request and can be told to answer 503 (down) for a while.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message the SMTP sink accepted.
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message as sent (headers and body).
    pub data: String,
}

impl Mail {
    /// A header's value, unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The whole message with quoted-printable soft breaks and escapes
    /// undone, so a test can look for the text a person reads.
    pub fn decoded(&self) -> String {
        let joined = self.data.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// An SMTP server that accepts everything, without TLS or authentication.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let port = listener.local_addr().expect("address").port();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let kept = mails.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, kept.clone()));
            }
        });
        Self { port, mails }
    }

    /// `TANDEM_SMTP_URL` for this sink.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// The messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }
}

async fn session(socket: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
    let (mut from, mut to) = (String::new(), Vec::new());
    loop {
        let mut line = String::new();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let upper = line.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250-sink\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&line);
            to.clear();
            "250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&line));
            "250 OK\r\n"
        } else if upper.starts_with("DATA") {
            let _ = write.write_all(b"354 go ahead\r\n").await;
            let mut data = String::new();
            loop {
                let mut body_line = String::new();
                match lines.read_line(&mut body_line).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if body_line == ".\r\n" {
                    break;
                }
                data.push_str(body_line.strip_prefix('.').unwrap_or(&body_line));
            }
            mails.lock().unwrap().push(Mail {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            "250 queued\r\n"
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            // RSET, NOOP and the rest.
            "250 OK\r\n"
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn address(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line.rfind('>').unwrap_or(line.len());
    line[start..end].to_owned()
}

/// One request the webhook receiver got.
#[derive(Clone, Debug)]
pub struct Hook {
    pub path: String,
    pub delivery: Option<String>,
    pub signature: Option<String>,
    pub body: Vec<u8>,
    /// Whether the receiver answered 2xx (it was up).
    pub accepted: bool,
}

impl Hook {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// An HTTP server that keeps every request; while `down`, answers 503; on a
/// path under `/moved`, answers a redirect to `/hook`.
#[derive(Clone)]
pub struct HookSink {
    pub port: u16,
    pub hooks: Arc<Mutex<Vec<Hook>>>,
    pub down: Arc<AtomicBool>,
}

impl HookSink {
    pub async fn start() -> Self {
        use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
        let hooks: Arc<Mutex<Vec<Hook>>> = Arc::default();
        let down = Arc::new(AtomicBool::new(false));
        let (kept, is_down) = (hooks.clone(), down.clone());
        let server = HttpServer::new(move || {
            let (kept, is_down) = (kept.clone(), is_down.clone());
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let (kept, is_down) = (kept.clone(), is_down.clone());
                async move {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    };
                    let accepted =
                        !is_down.load(Ordering::SeqCst) && !req.path().starts_with("/moved");
                    kept.lock().unwrap().push(Hook {
                        path: req.path().to_owned(),
                        delivery: header("X-Tandem-Delivery"),
                        signature: header("X-Tandem-Signature"),
                        body: body.to_vec(),
                        accepted,
                    });
                    if req.path().starts_with("/moved") {
                        HttpResponse::TemporaryRedirect()
                            .insert_header(("Location", "/hook"))
                            .finish()
                    } else if accepted {
                        HttpResponse::Ok().finish()
                    } else {
                        HttpResponse::ServiceUnavailable().finish()
                    }
                }
            }))
        })
        .workers(1)
        .disable_signals()
        .bind("127.0.0.1:0")
        .expect("bind webhook receiver");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self { port, hooks, down }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The requests answered 2xx.
    pub fn accepted(&self) -> Vec<Hook> {
        self.hooks
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.accepted)
            .cloned()
            .collect()
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

/// Checks a `X-Tandem-Signature` header against `body` as a receiver would.
pub fn signature_valid(secret: &str, header: &str, body: &[u8]) -> bool {
    use hmac::{Hmac, Mac};
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value),
            Some(("v1", value)) => v1 = Some(value),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let Ok(expected) = hex::decode(v1) else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("a key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}
