//! The inventory HTTP server of the workspace (binary `server`).
use tiny_http::{Header, Response, Server};

fn main() {
    let addr = std::env::var("LISTEN").unwrap_or_else(|_| common::DEFAULT_ADDR.to_string());
    let server = Server::http(&addr).expect("cannot listen");
    eprintln!("server listening on {addr}");
    let json = Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..]).unwrap();
    for request in server.incoming_requests() {
        let response = match request.url() {
            "/" => Response::from_string(format!("inventory server {}: ok\n", env!("CARGO_PKG_VERSION"))),
            "/items" => Response::from_string(common::to_json(&common::inventory()).to_string())
                .with_header(json.clone()),
            _ => Response::from_string("not found\n").with_status_code(404),
        };
        let _ = request.respond(response);
    }
}
