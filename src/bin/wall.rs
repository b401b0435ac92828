//! Entry point of the wall's own wasm binary (`tocsin-wall`): what `/` and `/wall` load
//! first, the wall alone ([`tocsin_web::WallApp`]), so a wall screen downloads none of the
//! other pages. Like `main.rs`, it reads the deploy-time `config.json` before mounting.

fn main() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        tocsin_web::load_deploy_config().await;
        leptos::mount::mount_to_body(tocsin_web::WallApp);
    });
}
