//! A command-line companion (binary `wsctl`): prints the inventory, or the
//! items out of stock, without a server.
fn main() {
    let items = common::inventory();
    match std::env::args().nth(1).as_deref() {
        Some("out-of-stock") => {
            for item in items.iter().filter(|i| i.stock == 0) {
                println!("{} {}", item.sku, item.name);
            }
        }
        Some("json") | None => println!("{}", serde_json::to_string_pretty(&common::to_json(&items)).unwrap()),
        Some(other) => {
            eprintln!("usage: wsctl [json|out-of-stock] (got {other})");
            std::process::exit(2);
        }
    }
}
