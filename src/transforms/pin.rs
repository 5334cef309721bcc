//! Digest pins are never dropped silently.
//!
//! When a transform replaces an image the file pins (`golang:1.21@sha256:…`)
//! or adds one to a file that pins its others, the new reference is pinned
//! too, to the digest [`crate::digest`] gets from the engine. When none
//! answers, the step is refused with the command that gives the digest,
//! unless the user allowed unpinned rewrites (`--allow-unpinned`).

use super::Cx;
use crate::digest::how_to_pin;

/// A new image reference, as it is to be written.
pub struct Pinned {
    /// `name:tag`, or `name:tag@sha256:…`.
    pub text: String,
    /// What the user should know about it.
    pub note: Option<String>,
}

/// True when some FROM of the file pins its image by digest.
pub fn file_pins(cx: &Cx) -> bool {
    cx.doc
        .stages()
        .iter()
        .any(|s| s.image.as_ref().is_some_and(|i| i.digest.is_some()))
}

/// How to write `image` (`name:tag`), which replaces an image pinned to
/// `old_digest` (when it is), or is added to the file.
pub fn reference(cx: &Cx, image: &str, old_digest: Option<&str>) -> Result<Pinned, String> {
    let pinned = old_digest.is_some() || file_pins(cx);
    if !pinned {
        return Ok(Pinned {
            text: image.to_string(),
            note: None,
        });
    }
    let what = match old_digest {
        Some(d) => format!("the image it replaces is pinned to @{}", short(d)),
        None => "the file pins its images by digest".to_string(),
    };
    if let Some(d) = cx.digests.digest(image) {
        return Ok(Pinned {
            text: format!("{image}@{d}"),
            note: Some(format!(
                "{image} pinned to @{} (the digest the Docker engine gives), as {what}",
                short(&d)
            )),
        });
    }
    if cx.selection.allow_unpinned {
        return Ok(Pinned {
            text: image.to_string(),
            note: Some(format!(
                "{image} is not pinned though {what} (--allow-unpinned); pin it with `{}`",
                how_to_pin(image)
            )),
        });
    }
    Err(format!(
        "{what}, and no Docker engine gave the digest of {image}: pin it with `{}` and write {image}@<digest>, or pass --allow-unpinned",
        how_to_pin(image)
    ))
}

/// `sha256:0123456789ab…`, short enough for a message.
fn short(d: &str) -> String {
    match d.char_indices().nth(19) {
        Some((i, _)) => format!("{}…", &d[..i]),
        None => d.to_string(),
    }
}
