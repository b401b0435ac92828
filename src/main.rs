//! Entry point of the wasm binary: install the panic hook, read the deploy-time
//! `config.json` (see `tocsin_web::load_deploy_config`), then mount the app.

fn main() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        tocsin_web::load_deploy_config().await;
        leptos::mount::mount_to_body(tocsin_web::App);
    });
}
