//! An HTTP service that checks, at run time, that the image keeps what a TLS
//! client through native-tls/OpenSSL needs: libssl/libcrypto (dynamically
//! linked by openssl-sys) and the system CA store. No outbound network:
//!   - builds a native-tls connector, like any HTTPS client would;
//!   - counts the CA roots OpenSSL loads the way native-tls does
//!     (default verify paths + the files openssl-probe finds);
//!   - runs a TLS handshake over loopback against a throwaway certificate.
//! GET / answers 200 "tls-probe: ok roots=N ..." only when all three work.
use native_tls::{Identity, TlsAcceptor, TlsConnector};
use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::ssl::{SslConnector, SslMethod};
use openssl::x509::extension::SubjectAlternativeName;
use openssl::x509::{X509NameBuilder, X509};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use tiny_http::{Response, Server};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Number of CA certificates OpenSSL has loaded for a client, as native-tls
/// sets it up (SslConnector::builder loads the default verify paths).
fn system_roots() -> Result<usize, Error> {
    let mut builder = SslConnector::builder(SslMethod::tls())?;
    let probe = openssl_probe::probe();
    if let Some(file) = &probe.cert_file {
        let _ = builder.load_verify_locations(Some(file), None);
    }
    let context = builder.build().into_context();
    Ok(context.cert_store().all_certificates().len())
}

fn self_signed() -> Result<(Vec<u8>, Vec<u8>), Error> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let key = PKey::from_ec_key(EcKey::generate(&group)?)?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text("CN", "localhost")?;
    let name = name.build();
    let mut cert = X509::builder()?;
    cert.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(64, MsbOption::MAYBE_ZERO, false)?;
    let serial = serial.to_asn1_integer()?;
    cert.set_serial_number(&serial)?;
    cert.set_subject_name(&name)?;
    cert.set_issuer_name(&name)?;
    cert.set_pubkey(&key)?;
    let (not_before, not_after) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(1)?);
    cert.set_not_before(&not_before)?;
    cert.set_not_after(&not_after)?;
    let san = SubjectAlternativeName::new().dns("localhost").build(&cert.x509v3_context(None, None))?;
    cert.append_extension(san)?;
    cert.sign(&key, MessageDigest::sha256())?;
    Ok((cert.build().to_pem()?, key.private_key_to_pem_pkcs8()?))
}

/// A TLS handshake and one round trip over loopback; returns the protocol seen.
fn loopback_handshake() -> Result<String, Error> {
    let (cert_pem, key_pem) = self_signed()?;
    let acceptor = TlsAcceptor::new(Identity::from_pkcs8(&cert_pem, &key_pem)?)?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let server = thread::spawn(move || -> Result<(), Error> {
        let (tcp, _) = listener.accept()?;
        let mut tls = acceptor.accept(tcp)?;
        let mut buf = [0u8; 4];
        tls.read_exact(&mut buf)?;
        tls.write_all(b"pong")?;
        Ok(())
    });
    let connector = TlsConnector::builder()
        .add_root_certificate(native_tls::Certificate::from_pem(&cert_pem)?)
        .build()?;
    let mut tls = connector.connect("localhost", TcpStream::connect(("127.0.0.1", port))?)?;
    tls.write_all(b"ping")?;
    let mut buf = [0u8; 4];
    tls.read_exact(&mut buf)?;
    server.join().map_err(|_| "server thread panicked")??;
    if &buf != b"pong" {
        return Err("bad echo".into());
    }
    Ok("ok".to_string())
}

fn report() -> (u16, String) {
    let connector = TlsConnector::new().map(|_| ()).map_err(|e| e.to_string());
    let roots = system_roots().map_err(|e| e.to_string());
    let handshake = loopback_handshake().map_err(|e| e.to_string());
    let ok = connector.is_ok() && matches!(roots, Ok(n) if n > 0) && handshake.is_ok();
    let body = format!(
        "tls-probe: {} roots={} connector={} handshake={} openssl={}\n",
        if ok { "ok" } else { "FAILED" },
        roots.map(|n| n.to_string()).unwrap_or_else(|e| format!("error({e})")),
        connector.map(|_| "ok".to_string()).unwrap_or_else(|e| format!("error({e})")),
        handshake.unwrap_or_else(|e| format!("error({e})")),
        openssl::version::version(),
    );
    (if ok { 200 } else { 500 }, body)
}

fn main() {
    let addr = std::env::var("LISTEN").unwrap_or_else(|_| "0.0.0.0:8081".to_string());
    let server = Server::http(&addr).expect("cannot listen");
    eprintln!("tls-probe listening on {addr}; {}", report().1.trim_end());
    for request in server.incoming_requests() {
        let (status, body) = match request.url() {
            "/" => report(),
            _ => (404, "not found\n".to_string()),
        };
        let _ = request.respond(Response::from_string(body).with_status_code(status));
    }
}
