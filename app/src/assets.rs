//! Where pages link the built assets (`/pkg/clinicpress.css?v=…`).
//!
//! The server registers each file's content hash when it starts ([`set`]);
//! an address carrying the current version may be cached by browsers for a
//! year, since a new build gets a new address. Without a registered version
//! (a test without built assets) the plain address is used.

use std::collections::HashMap;
use std::sync::RwLock;

static VERSIONS: RwLock<Option<HashMap<String, String>>> = RwLock::new(None);

/// The files of `/pkg/` and their versions (content hashes).
pub fn set(versions: HashMap<String, String>) {
    *VERSIONS.write().unwrap_or_else(|e| e.into_inner()) = Some(versions);
}

fn version(file: &str) -> Option<String> {
    VERSIONS.read().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|v| v.get(file).cloned())
}

/// The address of a file of `/pkg/`, with its version when known.
pub fn url(file: &str) -> String {
    match version(file) {
        Some(v) => format!("/pkg/{file}?v={v}"),
        None => format!("/pkg/{file}"),
    }
}

/// The browser bundle's WebAssembly file: `clinicpress.wasm` as cargo-leptos
/// names it, or wasm-bindgen's own `clinicpress_bg.wasm`.
pub fn wasm_file() -> &'static str {
    if version("clinicpress.wasm").is_some() || option_env!("LEPTOS_OUTPUT_NAME").is_some() {
        "clinicpress.wasm"
    } else {
        "clinicpress_bg.wasm"
    }
}

/// The script that loads the browser bundle and hydrates the page: what
/// Leptos's `HydrationScripts` writes, with versioned addresses.
pub fn hydration_script() -> String {
    let (js, wasm) = (url("clinicpress.js"), url(wasm_file()));
    format!("import({js:?}).then(m => m.default({{ module_or_path: {wasm:?} }}).then(() => m.hydrate()));")
}

/// The event a page may dispatch on `window` to hydrate a public page now.
pub const HYDRATE_EVENT: &str = "clinicpress:hydrate";

/// What on a public page loads the bundle when first used: the header's
/// search box and the request forms.
pub const HYDRATE_ON: &str = ".search-box, .lead-form";

/// Pages that hydrate as soon as they load (the admin area); public pages
/// hydrate on demand ([`hydration_on_demand_script`]).
pub fn hydrates_at_once(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

/// A public page's script: hydrate (as [`hydration_script`]) on the first
/// focus, press or key inside [`HYDRATE_ON`], or on [`HYDRATE_EVENT`].
pub fn hydration_on_demand_script() -> String {
    format!(
        "const on = ['focusin', 'pointerdown', 'keydown'];\n\
         const go = () => {{ removeEventListener({event:?}, go); on.forEach(t => removeEventListener(t, first, true)); {load} }};\n\
         const first = e => {{ if (e.target instanceof Element && e.target.closest({targets:?})) go(); }};\n\
         on.forEach(t => addEventListener(t, first, true));\n\
         addEventListener({event:?}, go);",
        event = HYDRATE_EVENT,
        targets = HYDRATE_ON,
        load = hydration_script(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_carry_the_registered_version() {
        set(HashMap::from([("clinicpress.css".to_string(), "abc123".to_string())]));
        assert_eq!(url("clinicpress.css"), "/pkg/clinicpress.css?v=abc123");
        assert_eq!(url("other.js"), "/pkg/other.js");
        set(HashMap::from([
            ("clinicpress.js".to_string(), "j1".to_string()),
            ("clinicpress.wasm".to_string(), "w2".to_string()),
        ]));
        assert_eq!(wasm_file(), "clinicpress.wasm");
        assert_eq!(
            hydration_script(),
            "import(\"/pkg/clinicpress.js?v=j1\").then(m => m.default({ module_or_path: \"/pkg/clinicpress.wasm?v=w2\" }).then(() => m.hydrate()));"
        );
        let lazy = hydration_on_demand_script();
        assert!(lazy.contains(&hydration_script()), "{lazy}");
        assert!(lazy.contains("closest(\".search-box, .lead-form\")"), "{lazy}");
        assert!(lazy.contains("addEventListener(\"clinicpress:hydrate\", go)"), "{lazy}");
    }

    #[test]
    fn the_admin_area_hydrates_at_once_and_public_pages_on_demand() {
        for path in ["/admin", "/admin/login", "/admin/pmc/posts/3"] {
            assert!(hydrates_at_once(path), "{path}");
        }
        for path in ["/", "/blog/knee-pain", "/search", "/contact", "/administration", "/preview/abc"] {
            assert!(!hydrates_at_once(path), "{path}");
        }
    }
}
