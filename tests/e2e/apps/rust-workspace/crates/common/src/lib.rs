//! What the server and the CLI share: the inventory and its JSON shape.
use serde_json::{json, Value};

pub const DEFAULT_ADDR: &str = "0.0.0.0:8082";

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub sku: &'static str,
    pub name: &'static str,
    pub stock: u32,
}

pub fn inventory() -> Vec<Item> {
    vec![
        Item { sku: "A-100", name: "bolt", stock: 120 },
        Item { sku: "B-200", name: "nut", stock: 300 },
        Item { sku: "C-300", name: "washer", stock: 0 },
    ]
}

pub fn to_json(items: &[Item]) -> Value {
    json!({
        "count": items.len(),
        "in_stock": items.iter().filter(|i| i.stock > 0).count(),
        "items": items.iter().map(|i| json!({"sku": i.sku, "name": i.name, "stock": i.stock})).collect::<Vec<_>>(),
    })
}
