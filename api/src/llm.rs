//! The LLM worker (`homegames-api llm-worker`): takes `LLM_REQUEST` jobs off their queue, sends
//! the game's index.js and the author's request to an OpenAI-compatible chat endpoint (llama.cpp's
//! server, Ollama, vLLM, an MLX server: `POST {url}/chat/completions`) with the authoring guide as
//! system prompt, and checks the answer as publishing would (the security scan, the declared
//! squish version, a contained test run). An answer that fails goes back to the model with the
//! reasons, a bounded number of times; the edit ends DONE with the new index.js or FAILED with
//! every reason. The worker never applies anything: the author reviews and accepts in the Studio.

use std::path::PathBuf;
use std::time::Duration;

use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use mongodb::bson::{doc, DateTime};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::routes::ai_edits::LlmRequest;
use crate::store::{new_id, AiEdit, Store, Version};
use crate::versions::{read_files, write_files};
use crate::worker::Validator;

/// How games are written: the system prompt every request starts from.
pub const AUTHORING_GUIDE: &str = include_str!("../../docs/authoring.md");

/// Answers asked for per edit: the first, and retries after failed checks.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 3;

/// The longest a model may take to answer.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(300);

pub struct LlmWorker {
    pub store: Store,
    pub validator: Validator,
    pub http: reqwest::Client,
    /// The endpoint's base, e.g. `http://127.0.0.1:8080/v1`.
    pub url: String,
    pub model: String,
    pub api_key: Option<String>,
    pub max_attempts: i32,
    pub work_dir: PathBuf,
    /// Seconds of game time each test run lasts.
    pub seconds: f64,
}

fn instructions() -> String {
    format!(
        "You edit Homegames games: one JavaScript class on the squishjs library, run on a server \
         and drawn in players' browsers. The authoring guide follows.\n\n{AUTHORING_GUIDE}\n\n\
         Answer with the whole new index.js in one ```js code block, and nothing that is not \
         needed. Keep the game's squishVersion and its require('squish-NNN'). No eval, Function, \
         process, require of anything but squish, network or file access."
    )
}

/// The first ```js (or ```javascript, or plain ```) block of an answer, else the whole answer.
pub fn code_of(answer: &str) -> String {
    let mut rest = answer;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let (tag, body) = after.split_once('\n').unwrap_or((after, ""));
        let tag = tag.trim().to_ascii_lowercase();
        if let Some(end) = body.find("```") {
            if tag.is_empty() || tag == "js" || tag == "javascript" {
                return body[..end].trim_end().to_string() + "\n";
            }
            rest = &body[end + 3..];
        } else {
            break;
        }
    }
    answer.trim().to_string() + "\n"
}

impl LlmWorker {
    /// Serves the queue until the connection fails.
    pub async fn consume(&self, amqp_url: &str, queue: &str) -> Result<(), ApiError> {
        let queue_err = |e: lapin::Error| ApiError::Unavailable(format!("the AI edit queue: {e}"));
        let (_conn, channel) = crate::queue::open(amqp_url, queue)
            .await
            .map_err(|e| ApiError::Unavailable(e.0))?;
        channel
            .basic_qos(1, BasicQosOptions::default())
            .await
            .map_err(queue_err)?;
        let mut deliveries = channel
            .basic_consume(
                queue,
                &format!("llm-worker-{}", new_id()),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(queue_err)?;
        tracing::info!(queue, model = %self.model, "LLM worker waiting for AI edits");
        while let Some(delivery) = deliveries.next().await {
            let delivery = delivery.map_err(queue_err)?;
            match serde_json::from_slice::<LlmRequest>(&delivery.data) {
                Ok(job) if job.kind == "LLM_REQUEST" => {
                    let span = tracing::info_span!("ai_edit", edit = %job.edit_id);
                    let _entered = span.enter();
                    if let Err(e) = self.process(&job.edit_id).await {
                        tracing::warn!(error = %e, "AI edit failed");
                        self.finish(&job.edit_id, None, Some(e.to_string())).await;
                    }
                }
                _ => tracing::warn!("a message that is not an LLM_REQUEST: dropped"),
            }
            delivery
                .ack(BasicAckOptions::default())
                .await
                .map_err(queue_err)?;
        }
        Ok(())
    }

    async fn finish(&self, edit_id: &str, result: Option<String>, error: Option<String>) {
        let status = if result.is_some() { "DONE" } else { "FAILED" };
        let _ = self
            .store
            .ai_edits()
            .update_one(
                doc! {"editId": edit_id},
                doc! {"$set": {"status": status, "result": result, "error": error, "completedAt": DateTime::now()}},
            )
            .await;
    }

    /// Asks, checks, asks again with the reasons; records the outcome.
    pub async fn process(&self, edit_id: &str) -> Result<(), ApiError> {
        let Some(edit) = self
            .store
            .ai_edits()
            .find_one_and_update(
                doc! {"editId": edit_id, "status": "PENDING"},
                doc! {"$set": {"status": "PROCESSING"}},
            )
            .await?
        else {
            return Ok(()); // done already, or deleted with its game
        };
        let mut messages = vec![
            json!({"role": "system", "content": instructions()}),
            json!({"role": "user", "content": format!(
                "The game's index.js:\n```js\n{}\n```\n\nThe change I want: {}",
                edit.source.trim_end(), edit.prompt
            )}),
        ];
        let mut rejected = Vec::new();
        for attempt in 1..=self.max_attempts {
            let answer = self.ask(&messages).await?;
            let code = code_of(&answer);
            let _ = self
                .store
                .ai_edits()
                .update_one(
                    doc! {"editId": edit_id},
                    doc! {"$set": {"attempts": attempt}},
                )
                .await;
            match self.check(&edit, &code).await? {
                Ok(()) => {
                    tracing::info!(attempt, "AI edit answer passed the checks");
                    self.finish(edit_id, Some(code), None).await;
                    return Ok(());
                }
                Err(reasons) => {
                    tracing::info!(attempt, reasons = reasons.len(), "AI edit answer refused");
                    let listed = reasons.join("\n- ");
                    rejected.push(listed.clone());
                    let _ = self
                        .store
                        .ai_edits()
                        .update_one(
                            doc! {"editId": edit_id},
                            doc! {"$set": {"rejected": &rejected}},
                        )
                        .await;
                    messages.push(json!({"role": "assistant", "content": answer}));
                    messages.push(json!({"role": "user", "content": format!(
                        "That index.js fails the platform's checks:\n- {listed}\nAnswer again with the whole corrected index.js in one ```js block."
                    )}));
                }
            }
        }
        self.finish(
            edit_id,
            None,
            Some(format!(
                "no answer passed the checks in {} tries; the last failed on: {}",
                self.max_attempts,
                rejected.last().cloned().unwrap_or_default()
            )),
        )
        .await;
        Ok(())
    }

    async fn ask(&self, messages: &[Value]) -> Result<String, ApiError> {
        let mut req = self
            .http
            .post(format!(
                "{}/chat/completions",
                self.url.trim_end_matches('/')
            ))
            .timeout(ANSWER_TIMEOUT)
            .json(&json!({"model": self.model, "messages": messages, "temperature": 0.2}));
        if let Some(key) = &self.api_key {
            req = req.bearer_auth(key);
        }
        let resp = req.send().await.map_err(|e| {
            ApiError::Unavailable(format!("the model endpoint did not answer: {e}"))
        })?;
        let status = resp.status();
        let body: Value = resp.json().await.map_err(|e| {
            ApiError::Unavailable(format!(
                "the model endpoint's answer is not JSON ({status}): {e}"
            ))
        })?;
        body["choices"][0]["message"]["content"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| {
                ApiError::Unavailable(format!(
                    "the model endpoint answered {status} without a message: {}",
                    body.to_string().chars().take(300).collect::<String>()
                ))
            })
    }

    /// The publish checks on the game's newest saved files with `code` as index.js.
    async fn check(&self, edit: &AiEdit, code: &str) -> Result<Result<(), Vec<String>>, ApiError> {
        let sources = vec![("index.js".to_string(), code.to_string())];
        let findings = tokio::task::spawn_blocking(move || ast_scan::scan_sources(&sources))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        if !findings.is_empty() {
            return Ok(Err(findings
                .iter()
                .map(|f| {
                    format!(
                        "index.js:{}:{}: [{}] {}",
                        f.line,
                        f.column,
                        f.rule.id(),
                        f.message
                    )
                })
                .collect()));
        }
        let declared = match ast_scan::squish_version(code) {
            Ok(v) => v,
            Err(e) => return Ok(Err(vec![format!("index.js: {e}")])),
        };
        let latest: Option<Version> = self
            .store
            .versions()
            .find_one(doc! {"gameId": &edit.game_id})
            .sort(doc! {"number": -1})
            .await?;
        let mut files = match latest {
            Some(v) => read_files(&self.store, &v.files).await?,
            None => Vec::new(),
        };
        files.retain(|(p, _)| p != "index.js");
        files.push(("index.js".into(), code.as_bytes().to_vec()));
        let dir = self.work_dir.join(format!("ai-{}", edit.edit_id));
        let _ = tokio::fs::remove_dir_all(&dir).await;
        write_files(&dir, &files).await?;
        let report = self.validator.run(&dir, self.seconds).await;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        if !report.ok {
            return Ok(Err(vec![report
                .error
                .unwrap_or_else(|| "the test run failed".into())]));
        }
        if report.squish_version.as_deref() != Some(declared.as_str()) {
            return Ok(Err(vec![format!(
                "metadata().squishVersion is {:?} when the game runs, but {declared:?} in the source",
                report.squish_version
            )]));
        }
        if !report.exceptions.is_empty() {
            return Ok(Err(report
                .exceptions
                .iter()
                .map(|e| format!("the game threw during its test run: {e}"))
                .collect()));
        }
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::code_of;

    #[test]
    fn the_code_block_is_taken_from_an_answer() {
        assert_eq!(
            code_of("Here:\n```js\nlet a = 1;\n```\nDone."),
            "let a = 1;\n"
        );
        assert_eq!(
            code_of("```python\nx\n```\n```javascript\ny()\n```"),
            "y()\n"
        );
        assert_eq!(code_of("let b = 2;"), "let b = 2;\n");
    }
}
