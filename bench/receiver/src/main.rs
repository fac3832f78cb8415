//! `tandem-bench-receiver WEBHOOK_PORT SMTP_PORT`: answers every webhook
//! POST with 200 and accepts every SMTP message, on one thread, keeping
//! nothing but counts (printed on Ctrl-C or SIGTERM). The Python receiver
//! (bench/api/receiver.py) used more CPU than Tandem's delivery worker;
//! this one lets the lifecycle benchmark show what delivery costs Tandem.

use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::{App, HttpResponse, HttpServer, web};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

static WEBHOOKS: AtomicU64 = AtomicU64::new(0);
static MAILS: AtomicU64 = AtomicU64::new(0);

async fn hook(_body: web::Bytes) -> HttpResponse {
    WEBHOOKS.fetch_add(1, Ordering::Relaxed);
    HttpResponse::Ok().finish()
}

/// One SMTP session: every command succeeds; DATA runs to the lone dot.
async fn session(socket: TcpStream) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250-sink\r\n250 8BITMIME\r\n",
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                }
                MAILS.fetch_add(1, Ordering::Relaxed);
                b"250 OK\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"250 OK\r\n",
        };
        write.write_all(answer).await?;
    }
}

fn port(arg: Option<String>) -> u16 {
    arg.and_then(|p| p.parse().ok()).unwrap_or_else(|| {
        eprintln!("usage: tandem-bench-receiver WEBHOOK_PORT SMTP_PORT");
        std::process::exit(2)
    })
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (webhook_port, smtp_port) = (port(args.next()), port(args.next()));
    let smtp = TcpListener::bind(("127.0.0.1", smtp_port)).await?;
    tokio::spawn(async move {
        while let Ok((socket, _)) = smtp.accept().await {
            tokio::spawn(async move {
                let _ = session(socket).await;
            });
        }
    });
    HttpServer::new(|| App::new().default_service(web::post().to(hook)))
        .workers(1)
        .bind(("127.0.0.1", webhook_port))?
        .run()
        .await?;
    eprintln!(
        "webhooks {} mails {}",
        WEBHOOKS.load(Ordering::Relaxed),
        MAILS.load(Ordering::Relaxed)
    );
    Ok(())
}
