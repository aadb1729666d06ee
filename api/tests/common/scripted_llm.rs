//! A small OpenAI-compatible chat endpoint of our own that answers from a script, in order, and
//! keeps every request it got. The protocol (`POST /v1/chat/completions`, `choices[0].message`)
//! is the real one the LLM worker speaks to llama.cpp, Ollama or vLLM; only the answers are canned.

use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

pub struct ScriptedLlm {
    /// The base URL to give the worker (`http://127.0.0.1:PORT/v1`).
    pub url: String,
    /// The request bodies, in order.
    pub requests: Arc<Mutex<Vec<Value>>>,
}

impl ScriptedLlm {
    /// Answers with `answers` one after another (the last again when they run out).
    pub async fn start(answers: Vec<String>) -> ScriptedLlm {
        let requests: Arc<Mutex<Vec<Value>>> = Arc::default();
        let seen = requests.clone();
        let app = Router::new().route(
            "/v1/chat/completions",
            post(move |Json(body): Json<Value>| {
                let seen = seen.clone();
                let answers = answers.clone();
                async move {
                    let n = {
                        let mut seen = seen.lock().unwrap();
                        seen.push(body.clone());
                        seen.len()
                    };
                    let content = answers[(n - 1).min(answers.len() - 1)].clone();
                    Json(json!({
                        "id": format!("chatcmpl-{n}"),
                        "object": "chat.completion",
                        "model": body["model"],
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": content}}],
                    }))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        ScriptedLlm { url, requests }
    }
}
