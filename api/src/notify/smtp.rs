//! SMTP connections for the mailer: lettre's protocol client over sockets
//! of our own, kept open between messages.
//!
//! Why not lettre's pooled transport: lettre 0.11 leaves Nagle's algorithm
//! on, and it writes a message's terminating `.` apart from its body, so
//! that small write waits for the server's delayed ACK (40 ms on Linux) on
//! every message: one connection sent about 25 messages a second. It also
//! tests each pooled connection with a NOOP round trip before every
//! message, and closes connections beyond ten while the delivery worker
//! sends sixteen at once. Here sockets are `TCP_NODELAY` and hold writes
//! until the next read (the body and its `.` leave together), a connection
//! idle for a moment is reused without a NOOP (one that the server closed
//! in the meantime is replaced and the message sent again once), and the
//! connections kept match the worker's sends in flight.

use std::borrow::Cow;
use std::io;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
#[allow(deprecated)] // lettre's only way to run TLS over a socket of ours
use lettre::transport::smtp::client::AsyncNetworkStream;
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Connections kept open at most: the delivery worker's sends in flight.
const KEPT: usize = crate::jobs::delivery::IN_FLIGHT;
/// A connection idle longer than this is tested with a NOOP before use.
const FRESH: Duration = Duration::from_secs(5);
/// A connection idle longer than this is closed instead of used.
const STALE: Duration = Duration::from_secs(60);

/// How the connection is secured, as the URL says (lettre's `from_url`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Security {
    /// `smtp://host` (port 25): a relay on the local network.
    Plain,
    /// `smtp://host?tls=required` (port 587): STARTTLS or no message.
    StartTls,
    /// `smtp://host?tls=opportunistic` (port 587): STARTTLS when offered.
    Opportunistic,
    /// `smtps://host` (port 465): TLS from the first byte.
    Implicit,
}

/// Where and how to connect.
#[derive(Debug)]
struct Server {
    host: String,
    port: u16,
    security: Security,
    hello: ClientId,
    credentials: Option<Credentials>,
}

/// Reads `TANDEM_SMTP_URL` as lettre's `from_url` does; the error never
/// quotes the URL (it may hold a password).
fn parse(raw: &str) -> Result<Server, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("not a URL ({e})"))?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("no host")?
        // An IPv6 literal comes bracketed; the socket wants it bare.
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let (security, default_port) = match (url.scheme(), tls.as_deref()) {
        ("smtp", None) => (Security::Plain, 25),
        ("smtp", Some("required")) => (Security::StartTls, 587),
        ("smtp", Some("opportunistic")) => (Security::Opportunistic, 587),
        ("smtps", _) => (Security::Implicit, 465),
        (scheme, tls) => {
            return Err(format!(
                "unknown scheme '{scheme}' or tls parameter '{}'",
                tls.unwrap_or_default()
            ));
        }
    };
    let hello = match url.path().trim_matches('/') {
        "" => ClientId::default(),
        name => ClientId::Domain(name.to_owned()),
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .map(Cow::into_owned)
            .map_err(|_| "the user or password is not valid UTF-8 once decoded".to_owned())
    };
    let credentials = match url.password() {
        Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
        None => None,
    };
    Ok(Server {
        port: url.port().unwrap_or(default_port),
        host,
        security,
        hello,
        credentials,
    })
}

/// An open connection and when it was last used.
struct Idle {
    connection: AsyncSmtpConnection,
    since: Instant,
}

pub struct Smtp {
    server: Server,
    tls: Option<TlsParameters>,
    timeout: Duration,
    idle: Mutex<Vec<Idle>>,
}

impl Smtp {
    /// From `TANDEM_SMTP_URL`; the error says what is wrong with it.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, String> {
        let server = parse(url)?;
        let tls = match server.security {
            Security::Plain => None,
            _ => Some(
                TlsParameters::new(server.host.clone())
                    .map_err(|e| format!("TLS for {}: {e}", server.host))?,
            ),
        };
        Ok(Self {
            server,
            tls,
            timeout,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Sends one message: on a kept connection when there is one, else on a
    /// new one. A kept connection the server closed in the meantime fails
    /// without an SMTP reply; the message then goes once more on a new
    /// connection (a duplicate is possible in the rare case the server took
    /// it and the reply was lost, which the Message-ID lets it drop).
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), String> {
        if let Some(connection) = self.take().await {
            match self.send_on(connection, envelope, message).await {
                Ok(()) => return Ok(()),
                Err(Failed::Reply(e)) => return Err(e),
                Err(Failed::Link(_)) => {}
            }
        }
        let connection = self.connect().await?;
        self.send_on(connection, envelope, message)
            .await
            .map_err(|(Failed::Reply(e) | Failed::Link(e))| e)
    }

    async fn send_on(
        &self,
        mut connection: AsyncSmtpConnection,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), Failed> {
        match tokio::time::timeout(self.timeout, connection.send(envelope, message)).await {
            Ok(Ok(_)) => {
                self.keep(connection);
                Ok(())
            }
            // The server's verdict (a 4xx or 5xx reply) on this message.
            Ok(Err(e)) if e.is_transient() || e.is_permanent() => Err(Failed::Reply(describe(&e))),
            Ok(Err(e)) => Err(Failed::Link(describe(&e))),
            Err(_) => Err(Failed::Link(TIMED_OUT.to_owned())),
        }
    }

    /// A kept connection still worth using, most recently used first.
    async fn take(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let idle = self.idle.lock().expect("smtp pool lock").pop()?;
            let age = idle.since.elapsed();
            if age > STALE {
                // The rest are older still: close them all.
                let stale = std::mem::take(&mut *self.idle.lock().expect("smtp pool lock"));
                drop(stale);
                return None;
            }
            let mut connection = idle.connection;
            if age <= FRESH {
                return Some(connection);
            }
            let tested = tokio::time::timeout(self.timeout, connection.test_connected()).await;
            if tested == Ok(true) {
                return Some(connection);
            }
        }
    }

    /// Closes the connections idle for longer than `STALE`, so a quiet
    /// outbox does not hold sockets the server has long given up on.
    pub fn close_idle(&self) {
        self.idle
            .lock()
            .expect("smtp pool lock")
            .retain(|idle| idle.since.elapsed() <= STALE);
    }

    fn keep(&self, connection: AsyncSmtpConnection) {
        if connection.has_broken() {
            return;
        }
        let mut idle = self.idle.lock().expect("smtp pool lock");
        if idle.len() < KEPT {
            idle.push(Idle {
                connection,
                since: Instant::now(),
            });
        }
    }

    /// A new connection: greeted, secured as configured, authenticated.
    async fn connect(&self) -> Result<AsyncSmtpConnection, String> {
        tokio::time::timeout(self.timeout, self.open())
            .await
            .map_err(|_| TIMED_OUT.to_owned())?
    }

    /// A socket to the server, with Nagle's algorithm off.
    async fn socket(&self) -> Result<TcpStream, String> {
        let server = &self.server;
        let tcp = TcpStream::connect((server.host.as_str(), server.port))
            .await
            .map_err(|e| format!("SMTP: could not connect to the server: {e}"))?;
        tcp.set_nodelay(true)
            .map_err(|e| format!("SMTP: could not set up the socket: {e}"))?;
        Ok(tcp)
    }

    async fn open(&self) -> Result<AsyncSmtpConnection, String> {
        let server = &self.server;
        let tcp = Corked::new(self.socket().await?);
        let mut connection = match (&self.tls, server.security) {
            (Some(tls), Security::Implicit) => {
                #[allow(deprecated)]
                let mut stream = AsyncNetworkStream::use_existing_tokio1(Box::new(tcp));
                stream
                    .upgrade_tls(tls.clone())
                    .await
                    .map_err(|e| describe(&e))?;
                AsyncSmtpConnection::connect_with_transport(Box::new(Tokio(stream)), &server.hello)
                    .await
            }
            _ => AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &server.hello).await,
        }
        .map_err(|e| describe(&e))?;
        let starttls = match server.security {
            Security::StartTls => true,
            Security::Opportunistic => connection.can_starttls(),
            Security::Plain | Security::Implicit => false,
        };
        if let (true, Some(tls)) = (starttls, &self.tls) {
            connection
                .starttls(tls.clone(), &server.hello)
                .await
                .map_err(|e| describe(&e))?;
        }
        if let Some(credentials) = &server.credentials {
            connection
                .auth(DEFAULT_MECHANISMS, credentials)
                .await
                .map_err(|e| describe(&e))?;
        }
        Ok(connection)
    }
}

const TIMED_OUT: &str = "SMTP: the server did not answer in time";

/// Why a message was not sent.
enum Failed {
    /// The server refused it (a 4xx or 5xx reply).
    Reply(String),
    /// The connection failed: closed, reset, timed out.
    Link(String),
}

/// lettre's error, safe to store and show the OSPO: it names the step and
/// the server's reply, never the password.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    format!("SMTP: {e}")
}

/// A socket that holds what lettre writes until lettre reads. lettre
/// flushes after every command and writes a message's terminating `.`
/// apart from its body, but it always reads a reply before it writes
/// again, so sending at the read loses no time and puts the body and its
/// `.` in one segment: one system call, one packet and one wake-up of the
/// server fewer per message. Under TLS it sits below the encryption, so a
/// handshake's records go out together too.
#[derive(Debug)]
struct Corked<S> {
    inner: S,
    held: Vec<u8>,
}

/// Held bytes past which a write sends them at once instead of waiting
/// for the read (a message is written whole, so this is a bound only).
const HELD_MAX: usize = 64 * 1024;

impl<S: AsyncWrite + Unpin> Corked<S> {
    fn new(inner: S) -> Self {
        Self {
            inner,
            held: Vec::new(),
        }
    }

    /// Sends everything held, then flushes the socket.
    fn poll_send(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.held.is_empty() {
            let n = std::task::ready!(Pin::new(&mut self.inner).poll_write(cx, &self.held))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.held.drain(..n);
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Corked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_send(cx))?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Corked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.held.len() >= HELD_MAX {
            std::task::ready!(self.poll_send(cx))?;
        }
        self.held.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    /// Sent at the next read (see [`Corked`]).
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_send(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for Corked<TcpStream> {
    fn peer_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.inner.peer_addr()
    }
}

/// lettre's TLS stream (futures' I/O traits) seen through tokio's, so that
/// lettre can speak SMTP over the TLS it set up on our socket.
#[allow(deprecated)]
#[derive(Debug)]
struct Tokio(AsyncNetworkStream);

#[allow(deprecated)]
impl AsyncTokioStream for Tokio {
    fn peer_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.0.peer_addr()
    }
}

impl AsyncRead for Tokio {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let unfilled = buf.initialize_unfilled();
        match futures_util::io::AsyncRead::poll_read(Pin::new(&mut self.0), cx, unfilled) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for Tokio {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        futures_util::io::AsyncWrite::poll_write(Pin::new(&mut self.0), cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_util::io::AsyncWrite::poll_flush(Pin::new(&mut self.0), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_util::io::AsyncWrite::poll_close(Pin::new(&mut self.0), cx)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use lettre::transport::smtp::client::Certificate;
    use tokio_rustls::TlsAcceptor;

    use super::*;

    #[test]
    fn urls_read_as_lettre_reads_them() {
        let s = parse("smtp://relay.internal").unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.security),
            ("relay.internal", 25, Security::Plain)
        );
        assert!(s.credentials.is_none());

        let s = parse("smtp://mail.example.com?tls=required").unwrap();
        assert_eq!((s.port, s.security), (587, Security::StartTls));
        let s = parse("smtp://mail.example.com:2525?tls=opportunistic").unwrap();
        assert_eq!((s.port, s.security), (2525, Security::Opportunistic));

        let s = parse("smtps://tandem%40corp:p%2Fss@mail.example.com/tandem.corp").unwrap();
        assert_eq!((s.port, s.security), (465, Security::Implicit));
        assert_eq!(s.hello, ClientId::Domain("tandem.corp".into()));
        assert_eq!(
            s.credentials,
            Some(Credentials::new("tandem@corp".into(), "p/ss".into()))
        );

        let s = parse("smtp://[::1]:2525").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("::1", 2525));
    }

    #[test]
    fn a_bad_url_is_refused_without_its_password() {
        for bad in [
            "http://u:secret@mail.example.com",
            "smtp://u:secret@mail.example.com?tls=sometimes",
            "smtp://",
            "not a url secret",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(!e.contains("secret"), "{bad}: {e}");
        }
    }

    /// What a peer has seen.
    #[derive(Default)]
    struct Seen {
        connections: AtomicUsize,
        noops: AtomicUsize,
    }

    impl Seen {
        fn connections(&self) -> usize {
            self.connections.load(Ordering::SeqCst)
        }
        fn noops(&self) -> usize {
            self.noops.load(Ordering::SeqCst)
        }
    }

    /// A one-line SMTP peer on loopback: greets, answers every line with
    /// 250, counts connections and NOOPs, and with `hang_up` closes each
    /// connection after its first message, as a server's idle timeout would.
    async fn peer(hang_up: bool) -> (u16, Arc<Seen>) {
        listen(hang_up, PeerTls::None).await
    }

    /// How the peer secures a connection.
    #[derive(Clone)]
    enum PeerTls {
        None,
        /// From the first byte, as on port 465.
        Implicit(TlsAcceptor),
        /// Offered as STARTTLS, as on port 587; mail before it is refused.
        StartTls(TlsAcceptor),
    }

    /// The same peer, secured as `tls` says.
    async fn listen(hang_up: bool, tls: PeerTls) -> (u16, Arc<Seen>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Seen::default());
        let counted = seen.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counted.connections.fetch_add(1, Ordering::SeqCst);
                let tls = tls.clone();
                let seen = counted.clone();
                tokio::spawn(async move {
                    match tls {
                        PeerTls::None => session(socket, hang_up, true, &seen).await,
                        PeerTls::Implicit(tls) => {
                            if let Ok(stream) = tls.accept(socket).await {
                                session(stream, hang_up, true, &seen).await;
                            }
                        }
                        PeerTls::StartTls(tls) => {
                            let Some(socket) = clear_until_starttls(socket).await else {
                                return;
                            };
                            if let Ok(stream) = tls.accept(socket).await {
                                session(stream, hang_up, false, &seen).await;
                            }
                        }
                    }
                });
            }
        });
        (port, seen)
    }

    /// The clear-text start of a STARTTLS session: the socket once the
    /// client has asked for TLS, or `None` if it tried to send without.
    async fn clear_until_starttls(socket: TcpStream) -> Option<TcpStream> {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let mut socket = BufReader::new(socket);
        socket.get_mut().write_all(b"220 hi\r\n").await.ok()?;
        loop {
            let mut line = String::new();
            if socket.read_line(&mut line).await.ok()? == 0 {
                return None;
            }
            let answer: &[u8] = match line.trim_end() {
                ehlo if ehlo.starts_with("EHLO") => b"250-localhost\r\n250 STARTTLS\r\n",
                "STARTTLS" => {
                    socket.get_mut().write_all(b"220 go ahead\r\n").await.ok()?;
                    return Some(socket.into_inner());
                }
                _ => b"530 must issue a STARTTLS command first\r\n",
            };
            socket.get_mut().write_all(answer).await.ok()?;
        }
    }

    /// An SMTP session that accepts mail; `greet` is false after STARTTLS,
    /// where the client speaks first.
    async fn session<S: AsyncRead + AsyncWrite + Unpin>(
        stream: S,
        hang_up: bool,
        greet: bool,
        seen: &Seen,
    ) {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let (read, mut write) = tokio::io::split(stream);
        let mut lines = BufReader::new(read).lines();
        let mut answer_with = async |answer: &[u8]| {
            write.write_all(answer).await.is_ok() && write.flush().await.is_ok()
        };
        if greet && !answer_with(b"220 hi\r\n").await {
            return;
        }
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if !in_data && line == "NOOP" {
                seen.noops.fetch_add(1, Ordering::SeqCst);
            }
            let answer: &[u8] = match (in_data, line.as_str()) {
                (true, ".") => b"250 queued\r\n",
                (true, _) => continue,
                (false, "DATA") => b"354 go\r\n",
                (false, rcpt) if rcpt.contains("refused@") => b"550 no such user\r\n",
                _ => b"250 ok\r\n",
            };
            let message_done = in_data;
            in_data = answer.starts_with(b"354");
            if !answer_with(answer).await || (hang_up && message_done) {
                return;
            }
        }
    }

    /// A server with the test certificate for "localhost" (testdata/).
    fn tls_acceptor() -> TlsAcceptor {
        use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        use tokio_rustls::rustls::{ServerConfig, crypto::ring::default_provider};
        let certificate = CertificateDer::from(include_bytes!("testdata/localhost.der").to_vec());
        let key = PrivatePkcs8KeyDer::from(include_bytes!("testdata/localhost.key.der").to_vec());
        let config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![certificate], PrivateKeyDer::Pkcs8(key))
            .unwrap();
        TlsAcceptor::from(Arc::new(config))
    }

    /// A client for `url` that trusts the test CA (testdata/).
    fn trusting(url: &str) -> Smtp {
        let ca = Certificate::from_der(include_bytes!("testdata/ca.der").to_vec()).unwrap();
        let mut smtp = Smtp::new(url, Duration::from_secs(5)).unwrap();
        smtp.tls = Some(
            TlsParameters::builder("localhost".into())
                .add_root_certificate(ca)
                .build()
                .unwrap(),
        );
        smtp
    }

    /// The test CA is nobody's root: a client with the system's roots
    /// refuses the peer's certificate and sends nothing.
    async fn refused_without_the_ca(url: &str) {
        let untrusting = Smtp::new(url, Duration::from_secs(5)).unwrap();
        let refused = untrusting.send(&envelope("b@example.com"), MESSAGE).await;
        assert!(refused.is_err(), "an unknown issuer must be refused");
    }

    #[tokio::test]
    async fn implicit_tls_is_verified_and_carries_the_session() {
        let (port, seen) = listen(false, PeerTls::Implicit(tls_acceptor())).await;
        let url = format!("smtps://localhost:{port}");

        refused_without_the_ca(&url).await;

        send_ok(&trusting(&url), 3).await;
        // One refused connection, then one kept for three messages.
        assert_eq!(seen.connections(), 2);
    }

    /// The peer refuses mail before STARTTLS, so every message accepted
    /// below went over TLS.
    #[tokio::test]
    async fn starttls_is_verified_required_and_carries_the_session() {
        let (port, seen) = listen(false, PeerTls::StartTls(tls_acceptor())).await;
        let required = format!("smtp://localhost:{port}?tls=required");

        refused_without_the_ca(&required).await;

        send_ok(&trusting(&required), 3).await;
        assert_eq!(seen.connections(), 2);
        let opportunistic = format!("smtp://localhost:{port}?tls=opportunistic");
        send_ok(&trusting(&opportunistic), 1).await;
        assert_eq!(seen.connections(), 3);

        // A server that offers no STARTTLS: required TLS sends nothing in
        // the clear; opportunistic TLS sends anyway.
        let (clear, seen) = peer(false).await;
        let e = trusting(&format!("smtp://localhost:{clear}?tls=required"))
            .send(&envelope("b@example.com"), MESSAGE)
            .await
            .unwrap_err();
        assert!(e.contains("STARTTLS"), "{e}");
        send_ok(
            &trusting(&format!("smtp://localhost:{clear}?tls=opportunistic")),
            1,
        )
        .await;
        assert_eq!(seen.connections(), 2);
    }

    fn envelope(to: &str) -> Envelope {
        Envelope::new(
            Some("a@example.com".parse().unwrap()),
            vec![to.parse().unwrap()],
        )
        .unwrap()
    }

    const MESSAGE: &[u8] = b"Subject: x\r\n\r\nhello\r\n";

    /// A client of the plain peer on `port`.
    fn client(port: u16) -> Smtp {
        Smtp::new(&format!("smtp://127.0.0.1:{port}"), Duration::from_secs(5)).unwrap()
    }

    /// Sends `n` messages, each of which must be accepted.
    async fn send_ok(smtp: &Smtp, n: usize) {
        for _ in 0..n {
            smtp.send(&envelope("b@example.com"), MESSAGE)
                .await
                .unwrap();
        }
    }

    /// A stream that records each write it is given.
    #[derive(Default)]
    struct Recorder {
        writes: Vec<Vec<u8>>,
    }

    impl AsyncRead for Recorder {
        fn poll_read(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            buf.put_slice(b"250 OK\r\n");
            Poll::Ready(Ok(()))
        }
    }

    impl AsyncWrite for Recorder {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.writes.push(buf.to_vec());
            Poll::Ready(Ok(buf.len()))
        }
        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    /// What is written and flushed before a read goes out as one write at
    /// the read, in order; what is written before a shutdown goes out too.
    #[tokio::test]
    async fn writes_wait_for_the_next_read() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut corked = Corked::new(Recorder::default());
        corked.write_all(b"body\r\n").await.unwrap();
        corked.flush().await.unwrap();
        corked.write_all(b".\r\n").await.unwrap();
        corked.flush().await.unwrap();
        assert!(
            corked.inner.writes.is_empty(),
            "nothing sent before the read"
        );
        let mut reply = [0u8; 8];
        corked.read_exact(&mut reply).await.unwrap();
        assert_eq!(corked.inner.writes, vec![b"body\r\n.\r\n".to_vec()]);

        corked.write_all(b"QUIT\r\n").await.unwrap();
        corked.shutdown().await.unwrap();
        assert_eq!(corked.inner.writes.len(), 2);
        assert_eq!(corked.inner.writes[1], b"QUIT\r\n");
    }

    #[tokio::test]
    async fn sockets_are_nodelay_and_connections_are_kept() {
        let (port, seen) = peer(false).await;
        let smtp = client(port);
        send_ok(&smtp, 3).await;
        assert_eq!(seen.connections(), 1);
        assert_eq!(
            seen.noops(),
            0,
            "a connection used a moment ago is not tested"
        );
        assert_eq!(smtp.idle.lock().unwrap().len(), 1);

        // Idle past FRESH: tested with a NOOP, then used.
        if let Some(earlier) = Instant::now().checked_sub(FRESH + Duration::from_secs(1)) {
            smtp.idle.lock().unwrap()[0].since = earlier;
            send_ok(&smtp, 1).await;
            assert_eq!(seen.connections(), 1);
            assert_eq!(seen.noops(), 1);
        }
        let noops = seen.noops();

        // Idle past STALE: not tested but replaced.
        let Some(long_ago) = Instant::now().checked_sub(STALE + Duration::from_secs(1)) else {
            return; // a machine up for less than a minute
        };
        smtp.idle.lock().unwrap()[0].since = long_ago;
        send_ok(&smtp, 1).await;
        assert_eq!(seen.connections(), 2);
        assert_eq!(seen.noops(), noops);
        assert_eq!(smtp.idle.lock().unwrap().len(), 1);

        smtp.close_idle();
        assert_eq!(smtp.idle.lock().unwrap().len(), 1, "used a moment ago");
        smtp.idle.lock().unwrap()[0].since = long_ago;
        smtp.close_idle();
        assert_eq!(smtp.idle.lock().unwrap().len(), 0);

        // Last: a socket of its own is one more connection to the peer.
        assert!(smtp.socket().await.unwrap().nodelay().unwrap());
    }

    #[tokio::test]
    async fn at_most_kept_connections_are_kept() {
        let (port, seen) = peer(false).await;
        let smtp = client(port);
        // All start before any finishes, so each opens a connection.
        let to = envelope("b@example.com");
        let sends = (0..KEPT + 1).map(|_| smtp.send(&to, MESSAGE));
        for sent in futures_util::future::join_all(sends).await {
            sent.unwrap();
        }
        assert_eq!(seen.connections(), KEPT + 1);
        assert_eq!(smtp.idle.lock().unwrap().len(), KEPT);
    }

    #[tokio::test]
    async fn a_connection_the_server_closed_is_replaced_and_the_message_sent() {
        let (port, seen) = peer(true).await;
        let smtp = client(port);
        send_ok(&smtp, 3).await;
        assert_eq!(seen.connections(), 3);
    }

    #[tokio::test]
    async fn a_refusal_is_the_servers_verdict_and_not_sent_again() {
        let (port, seen) = peer(false).await;
        let smtp = client(port);
        smtp.send(&envelope("b@example.com"), MESSAGE)
            .await
            .unwrap();
        let e = smtp
            .send(&envelope("refused@example.com"), MESSAGE)
            .await
            .unwrap_err();
        assert!(e.contains("550") || e.contains("no such user"), "{e}");
        // Refused on the kept connection, not tried on a second one.
        assert_eq!(seen.connections(), 1);
    }
}
