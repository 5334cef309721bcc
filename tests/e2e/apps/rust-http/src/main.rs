//! A small JSON HTTP service: tiny_http for the server, serde_json for the bodies.
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};
use tiny_http::{Header, Method, Response, Server};

fn json_response(status: u16, body: &Value) -> Response<std::io::Cursor<Vec<u8>>> {
    let header = Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..]).unwrap();
    Response::from_data(serde_json::to_vec(body).unwrap())
        .with_status_code(status)
        .with_header(header)
}

fn main() {
    let addr = std::env::var("LISTEN").unwrap_or_else(|_| "0.0.0.0:8080".to_string());
    let server = Server::http(&addr).expect("cannot listen");
    eprintln!("tiny-api listening on {addr}");
    for mut request in server.incoming_requests() {
        let response = match (request.method(), request.url()) {
            (Method::Get, "/") => Response::from_string("tiny-api: ok\n").boxed(),
            (Method::Get, "/health") => json_response(
                200,
                &json!({
                    "status": "ok",
                    "service": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "time": SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
                }),
            )
            .boxed(),
            (Method::Post, "/echo") => {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                match serde_json::from_str::<Value>(&body) {
                    Ok(v) => json_response(200, &json!({ "echo": v })).boxed(),
                    Err(e) => json_response(400, &json!({ "error": e.to_string() })).boxed(),
                }
            }
            _ => json_response(404, &json!({ "error": "not found" })).boxed(),
        };
        let _ = request.respond(response);
    }
}
