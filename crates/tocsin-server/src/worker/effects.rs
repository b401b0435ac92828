//! Runbook actions that act outside Tocsin, run by the runbook worker after the transaction
//! that took them commits: `aws:executeScript` (a local Python process) and
//! `aws:invokeWebhook`.
//!
//! `aws:executeScript` is off unless the operator starts the server with
//! `--enable-execute-script`. A script runs as `python3 -I` (isolated mode: no user site,
//! no `PYTHON*` variables) with no shell, an empty environment but `PATH`, `HOME` (a fresh
//! temporary directory, also its working directory) and `LANG`, stdin closed after the
//! request, stdout and stderr captured (1 MiB each at most), and these limits (setrlimit, set
//! soft and hard by the wrapper before the script's first line): CPU time of
//! `timeoutSeconds` plus 1 s, address space 1 GiB, 64 open files, 64 processes, files up to 16 MiB, no core
//! dumps. It runs in its own process group, and the whole group is killed (SIGKILL) at
//! `timeoutSeconds`, children included, whatever they did to their own limits.
//!
//! What it does not sandbox: the script runs as the server's user and can read and write
//! whatever that user can (files, the network, other local services); run as root, it could
//! raise its own limits again (the group kill at the timeout still holds). Use it only with
//! documents whose authors you trust as you trust the server's operator.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tocsin_runbook::Action;
use tocsin_runbook::flow::StepOutcome;
use tocsin_runbook::template;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::ServerConfig;
use crate::domain::automation::{ExternalJob, ExternalResult};
use crate::domain::webhooks;
use crate::outbound::{self, OutboundPolicy};
use crate::store::Store;

/// Most bytes of a webhook's answer kept as the step's `Response`.
const MAX_WEBHOOK_RESPONSE: usize = 256 * 1024;

/// `aws:invokeWebhook`: POSTs `Body` to the outbound webhook `IntegrationName` through the
/// SSRF-guarded client, with the webhook's headers and `Idempotency-Key: <execution
/// id>-<step name>` (the same on a retry, so a receiver can drop duplicates). Outputs
/// `Response` (the answer, as JSON when it is JSON) and `ResponseCode`; a non-2xx answer fails
/// the step.
async fn invoke_webhook(
    job: &ExternalJob,
    config: &ServerConfig,
    store: &dyn Store,
    policy: &OutboundPolicy,
    client: &reqwest::Client,
) -> ExternalResult {
    let name = job
        .inputs
        .get("IntegrationName")
        .map(template::as_text)
        .unwrap_or_default();
    let secret = async {
        let mut tx = store.read().await?;
        webhooks::secret(tx.as_mut(), &config.server_key, &name).await
    }
    .await;
    let secret = match secret {
        Ok(s) => s,
        Err(e) => return failed(format!("aws:invokeWebhook: {e}")),
    };
    let url = match outbound::check_url(&secret.url, policy) {
        Ok(u) => u,
        Err(e) => return failed(format!("aws:invokeWebhook {name}: {e}")),
    };
    let body = match job.inputs.get("Body") {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let content_type = if serde_json::from_str::<Value>(&body).is_ok() {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut request = client
        .post(url)
        .timeout(Duration::from_secs_f64(job.timeout_secs.max(1.0)))
        .header("content-type", content_type)
        .header(
            "idempotency-key",
            format!("{}-{}", job.execution_id, job.step_name),
        )
        .body(body);
    for (k, v) in &secret.headers {
        request = request.header(k.as_str(), v.as_str());
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            let timed_out = e.is_timeout();
            let message = format!("aws:invokeWebhook {name}: {}", e.without_url());
            return ExternalResult {
                outcome: if timed_out {
                    StepOutcome::TimedOut
                } else {
                    StepOutcome::Failed
                },
                outputs: BTreeMap::new(),
                response: None,
                failure: Some(message),
            };
        }
    };
    let code = response.status();
    let bytes = response.bytes().await.unwrap_or_default();
    let text =
        String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_WEBHOOK_RESPONSE)]).into_owned();
    let answer = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text.clone()));
    let mut outputs = BTreeMap::new();
    outputs.insert("Response".to_owned(), answer);
    outputs.insert("ResponseCode".to_owned(), json!(code.as_u16()));
    ExternalResult {
        outcome: if code.is_success() {
            StepOutcome::Success(None)
        } else {
            StepOutcome::Failed
        },
        outputs,
        response: Some(text),
        failure: (!code.is_success())
            .then(|| format!("aws:invokeWebhook {name}: the webhook answered {code}")),
    }
}

/// Most bytes of stdout or stderr kept from a script.
const MAX_OUTPUT: usize = 1024 * 1024;

/// The Python side: reads `{"script", "handler", "payload", "cpu"}` from stdin, sets the
/// resource limits (soft and hard, before any of the script runs), runs the handler and
/// writes `{"Payload": result}` (or `{"Error": message}`) as the last line of stdout.
const WRAPPER: &str = r#"
import json, resource, sys, traceback
request = json.loads(sys.stdin.read())
for limit, value in ((resource.RLIMIT_CPU, request["cpu"]), (resource.RLIMIT_AS, 1 << 30),
                     (resource.RLIMIT_NOFILE, 64), (resource.RLIMIT_NPROC, 64),
                     (resource.RLIMIT_FSIZE, 16 << 20), (resource.RLIMIT_CORE, 0)):
    resource.setrlimit(limit, (value, value))
namespace = {"__name__": "__tocsin_script__"}
try:
    exec(compile(request["script"], "<script>", "exec"), namespace)
    result = namespace[request["handler"]](request["payload"], {})
    out = {"Payload": result}
except Exception as e:
    traceback.print_exc()
    out = {"Error": "%s: %s" % (type(e).__name__, e)}
sys.stdout.write("\n" + json.dumps(out, default=str) + "\n")
"#;

fn failed(message: impl Into<String>) -> ExternalResult {
    ExternalResult {
        outcome: StepOutcome::Failed,
        outputs: BTreeMap::new(),
        response: None,
        failure: Some(message.into()),
    }
}

/// Runs an external action and says how it ended (never an error: failures are results).
pub async fn run(
    job: &ExternalJob,
    config: &ServerConfig,
    store: &dyn Store,
    policy: &OutboundPolicy,
    client: &reqwest::Client,
) -> ExternalResult {
    match job.action {
        Action::ExecuteScript if !config.execute_script => failed(
            "aws:executeScript is turned off on this server; its operator can enable it with --enable-execute-script",
        ),
        Action::ExecuteScript => run_script(job).await,
        Action::InvokeWebhook => invoke_webhook(job, config, store, policy, client).await,
        other => failed(format!("{} does not run outside Tocsin", other.as_str())),
    }
}

async fn read_capped(mut from: impl tokio::io::AsyncRead + Unpin) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => return out,
            Ok(n) => {
                let room = MAX_OUTPUT.saturating_sub(out.len());
                out.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
}

async fn run_script(job: &ExternalJob) -> ExternalResult {
    let field = |k: &str| job.inputs.get(k).map(template::as_text).unwrap_or_default();
    let runtime = field("Runtime");
    if !runtime.starts_with("python3") {
        return failed(format!("Runtime {runtime} is not supported; use python3.x"));
    }
    let request = json!({
        "script": field("Script"),
        "handler": field("Handler"),
        "payload": job.inputs.get("InputPayload").cloned().unwrap_or(json!({})),
        "cpu": job.timeout_secs.ceil() as u64 + 1,
    });
    let home = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return failed(format!("could not make the script's directory: {e}")),
    };
    let mut command = tokio::process::Command::new("python3");
    command
        .arg("-I")
        .arg("-c")
        .arg(WRAPPER)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", home.path())
        .env("LANG", "C.UTF-8")
        .current_dir(home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) => return failed(format!("could not start python3: {e}")),
    };
    let group = child
        .id()
        .and_then(|pid| i32::try_from(pid).ok())
        .map(nix::unistd::Pid::from_raw);
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(request.to_string().as_bytes()).await;
    }
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out_task = tokio::spawn(async move {
        match stdout {
            Some(s) => read_capped(s).await,
            None => Vec::new(),
        }
    });
    let err_task = tokio::spawn(async move {
        match stderr {
            Some(s) => read_capped(s).await,
            None => Vec::new(),
        }
    });
    let waited =
        tokio::time::timeout(Duration::from_secs_f64(job.timeout_secs), child.wait()).await;
    // Whatever happened, nothing of the group outlives the step.
    if let Some(pgid) = group {
        let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
    }
    let status = match waited {
        Ok(Ok(status)) => Some(status),
        Ok(Err(e)) => return failed(format!("could not wait for the script: {e}")),
        Err(_) => {
            let _ = child.wait().await;
            None
        }
    };
    let stdout = String::from_utf8_lossy(&out_task.await.unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_task.await.unwrap_or_default()).into_owned();
    let Some(status) = status else {
        return ExternalResult {
            outcome: StepOutcome::TimedOut,
            outputs: BTreeMap::new(),
            response: Some(stdout),
            failure: Some(format!(
                "The script did not finish within {} s; its process group was killed.",
                job.timeout_secs
            )),
        };
    };
    let last: Option<Value> = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| serde_json::from_str(l).ok());
    match (status.success(), last) {
        (true, Some(out)) if out.get("Payload").is_some() => {
            let payload = out["Payload"].clone();
            let mut outputs = BTreeMap::new();
            outputs.insert(
                "OutputPayload".to_owned(),
                json!({"Payload": payload.clone()}),
            );
            outputs.insert("Response".to_owned(), json!({"Payload": payload}));
            ExternalResult {
                outcome: StepOutcome::Success(None),
                outputs,
                response: Some(stdout),
                failure: None,
            }
        }
        (_, Some(out)) if out.get("Error").is_some() => {
            failed(format!("{}\n{stderr}", template::as_text(&out["Error"])))
        }
        _ => failed(format!(
            "The script ended with {status} and no result. stderr: {}",
            stderr.chars().take(2000).collect::<String>()
        )),
    }
}
