//! DAP progress events (the compilation that `launch` starts) as a spinner
//! on the terminal. Shown only when standard error is a terminal: the
//! console asks the server for progress events only then.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

#[derive(Debug, Default)]
pub struct ProgressView {
    bar: Option<ProgressBar>,
}

impl ProgressView {
    /// Shows `event` if it is a progress event; false if it is not one.
    pub fn show(&mut self, event: &Value) -> bool {
        let body = &event["body"];
        let text = |key: &str| body[key].as_str().unwrap_or_default().to_owned();
        match event["event"].as_str() {
            Some("progressStart") => {
                let bar = ProgressBar::new_spinner();
                if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix}: {msg}") {
                    bar.set_style(style);
                }
                bar.set_prefix(text("title"));
                bar.set_message(text("message"));
                bar.enable_steady_tick(Duration::from_millis(120));
                self.bar = Some(bar);
            }
            Some("progressUpdate") => {
                if let Some(bar) = &self.bar {
                    bar.set_message(text("message"));
                }
            }
            Some("progressEnd") => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
            }
            _ => return false,
        }
        true
    }
}
