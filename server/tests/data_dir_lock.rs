//! One server per data directory: a second `clinicpress serve` started on
//! the data directory of a running one stops at once with a message that
//! says why, before it opens anything there — the first server's search
//! index is untouched and keeps answering.

mod common;

use std::process::Command;
use std::time::Duration;

use common::proc::{self, Options, Server};

#[test]
fn a_second_server_on_the_same_data_directory_is_refused_and_the_first_keeps_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Server::start(dir.path(), Options::default());
    let found = proc::wait_for(Duration::from_secs(60), "the demo index answers", || {
        let r = first.get("pmc", "/api/v1/search?q=pain", &[]);
        (r.status == 200 && r.json()["total"].as_u64().unwrap_or(0) > 0).then(|| r.json()["total"].as_u64())
    });
    let folders = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir.path().join("search"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before = folders();

    let out = Command::new(proc::BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--addr", &format!("127.0.0.1:{}", proc::free_port())])
        .env_remove("DATABASE_URL")
        .env("CLINICPRESS_LOG", "warn")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("another clinicpress process is serving from"), "{err}");
    assert!(err.contains("give each process its own --data-dir"), "{err}");

    assert_eq!(folders(), before, "the index folders were left alone");
    let r = first.get("pmc", "/api/v1/search?q=pain", &[]);
    assert_eq!((r.status, r.json()["total"].as_u64()), (200, found));
    let status = first.terminate(Duration::from_secs(30));
    assert!(status.success());
    assert!(!first.log_text().contains("ERROR"), "{}", first.log_text());
}
