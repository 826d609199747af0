# Sourced by the scripts: tools on PATH for cargo-leptos (wasm-bindgen, wasm-opt).
export PATH="$HOME/.cargo/bin:$(pwd)/tools/node_modules/.bin:$PATH"
