//! The `clinicpress` command as an operator uses it: exit codes and the
//! messages printed for bad input, on SQLite and PostgreSQL.

mod common;

use std::process::Command;

use common::each_db;

fn clinicpress(url: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_clinicpress"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env("CLINICPRESS_LOG", "warn")
        // The demo provision file reads its users' first password from here.
        .env("CLINICPRESS_DEMO_PASSWORD", clinicpress::demo::DEMO_PASSWORD)
        .output()
        .expect("run clinicpress");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn provision_import_and_migrate_from_the_shell() {
    each_db(|t| async move {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/provision.toml");

        // A bad file: nothing applied, the line and key named.
        let bad = d.join("bad.toml");
        std::fs::write(&bad, std::fs::read_to_string(demo).unwrap().replacen("America/Los_Angeles", "Mars/Olympus", 1))
            .unwrap();
        let (code, _, err) = clinicpress(&t.url, &["provision", bad.to_str().unwrap()]);
        assert_eq!(code, 1);
        assert!(err.contains("bad.toml:22: `timezone`: \u{201c}Mars/Olympus\u{201d} is not a time zone"), "{err}");

        let (code, out, err) = clinicpress(&t.url, &["provision", demo]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("provisioned 2 clinic(s), 5 location(s), 4 author(s), 4 user(s)"), "{out}");

        // Import: good files import, bad ones are reported by name and reason.
        let posts = d.join("posts");
        std::fs::create_dir(&posts).unwrap();
        std::fs::write(posts.join("a.md"), "---\ntitle: Hello there\ndate: 2026-01-02\n---\nHi **all**\n").unwrap();
        std::fs::write(posts.join("b.md"), "---\ntitle: [x\n---\n").unwrap();
        let (code, out, err) = clinicpress(&t.url, &["import", "--clinic", "pmc", posts.to_str().unwrap()]);
        assert_eq!(code, 1, "a failed file makes the exit status 1");
        assert!(out.contains("imported 1 new and 0 updated post(s) into \"pmc\"; 1 failed"), "{out}");
        assert!(err.contains("b.md: front matter is not valid YAML"), "{err}");

        // Re-import updates instead of duplicating.
        std::fs::remove_file(posts.join("b.md")).unwrap();
        let (code, out, _) = clinicpress(&t.url, &["import", "--clinic", "pmc", posts.to_str().unwrap()]);
        assert_eq!(code, 0);
        assert!(out.contains("imported 0 new and 1 updated"), "{out}");

        let (code, _, err) = clinicpress(&t.url, &["import", "--clinic", "nope", posts.to_str().unwrap()]);
        assert_eq!(code, 1);
        assert!(err.contains("no clinic with slug \"nope\""), "{err}");

        // Users from the shell: password from the environment or from standard input.
        let out = Command::new(env!("CARGO_BIN_EXE_clinicpress"))
            .args([
                "--database-url",
                &t.url,
                "users",
                "create",
                "ann@pmc.example",
                "--name",
                "Ann Lee",
                "--role",
                "pmc:marketer",
            ])
            .args(["--password-env", "ANN_PW"])
            .env("ANN_PW", "a sufficiently long one")
            .env("CLINICPRESS_LOG", "warn")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let (code, _, err) = clinicpress(
            &t.url,
            &["users", "create", "bob@pmc.example", "--name", "Bob", "--role", "pmc:boss", "--no-password"],
        );
        assert_eq!(code, 2, "clap rejects a bad role: {err}");
        assert!(err.contains("is not a role"), "{err}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_clinicpress"))
            .args(["--database-url", &t.url, "users", "passwd", "ann@pmc.example"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(b"short\n").unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12 characters"));
        let (code, out, _) = clinicpress(&t.url, &["users", "disable", "ann@pmc.example"]);
        assert_eq!(code, 0);
        assert!(out.contains("disabled"));
        let (_, out, _) = clinicpress(&t.url, &["users", "list"]);
        assert!(out.contains("ann@pmc.example\tAnn Lee\tpmc:marketer\tdisabled"), "{out}");
        assert!(out.contains("maria@pmc.example\tMaria Lopez\tpmc:marketer pmc:staff:pleasant-hill\t\n"), "{out}");

        let (code, out, _) = clinicpress(&t.url, &["migrate"]);
        assert_eq!(code, 0);
        assert!(out.contains("up to date"), "{out}");
        t
    })
    .await;
}

#[tokio::test]
async fn wordpress_import_from_the_shell() {
    each_db(|t| async move {
        let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/provision.toml");
        let export = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/wordpress-export.xml");
        let (code, _, err) = clinicpress(&t.url, &["provision", demo]);
        assert_eq!(code, 0, "{err}");

        // Some items of the fixture fail on purpose: the others import, the exit status is 1.
        let (code, out, err) = clinicpress(&t.url, &["import", "--clinic", "pmc", export]);
        assert_eq!(code, 1, "{out}{err}");
        assert!(out.contains("into \"pmc\": 7 imported, 0 updated, 3 skipped, 3 failed"), "{out}");
        assert!(out.contains("failed: WordPress post 110 (no title): it has no title"), "{out}");
        assert!(out.contains("failed: \"A post without a date\" (WordPress post 111): it has no date"), "{out}");
        assert!(out.contains("skipped: \"Staff party photos\" (WordPress post 108): private in WordPress"), "{out}");
        assert!(out.contains("note: \"Sleep hygiene: small habits, big changes\" (WordPress post 102): a script was removed"), "{out}");
        assert!(out.contains("authors added: "), "{out}");
        assert!(out.contains("attachments: 2 listed in the export, not downloaded"), "{out}");
        assert!(
            out.contains("  https://old-clinic.example/wp-content/uploads/2024/02/stretch.jpg (attached to WordPress post 101)"),
            "{out}"
        );
        assert!(out.contains("not posts, left out: nav_menu_item ×1"), "{out}");
        assert!(err.contains("failed: \"Five stretches (copy)\" (WordPress post 109): its slug \"five-stretches-lower-back\" is also used by"), "{err}");

        // Again: updated, not duplicated.
        let (code, out, _) = clinicpress(&t.url, &["import", "--clinic", "pmc", export]);
        assert_eq!(code, 1);
        assert!(out.contains("0 imported, 7 updated, 3 skipped, 3 failed"), "{out}");

        // A file cut short: what came before is imported, the error says where it stopped.
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(export).unwrap();
        let cut = dir.path().join("cut.xml");
        std::fs::write(&cut, &text[..text.find("Kälte lindert").unwrap()]).unwrap();
        let (code, out, err) = clinicpress(&t.url, &["import", "--clinic", "lakeside", cut.to_str().unwrap()]);
        assert_eq!(code, 1);
        assert!(out.contains("2 imported, 0 updated"), "{out}");
        assert!(err.contains("cut.xml: the file is cut short at byte"), "{err}");

        // Markdown and WordPress files are not mixed in one import.
        let md = dir.path().join("a.md");
        std::fs::write(&md, "---\ntitle: Hi\ndate: 2026-01-02\n---\nx\n").unwrap();
        let (code, _, err) = clinicpress(&t.url, &["import", "--clinic", "pmc", export, md.to_str().unwrap()]);
        assert_eq!(code, 1);
        assert!(err.contains("not both in one import"), "{err}");
        t
    })
    .await;
}

fn clinicpress_in(data: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_clinicpress"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("CLINICPRESS_LOG", "warn")
        .output()
        .expect("run clinicpress");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn backup_and_restore_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let backups = dir.path().join("backups");
    let create = |email: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_clinicpress"))
            .arg("--data-dir")
            .arg(&data)
            .args(["users", "create", email, "--name", "Backup Test", "--password-env", "CP_TEST_PASSWORD"])
            .env("CP_TEST_PASSWORD", "a long enough password")
            .env("CLINICPRESS_LOG", "warn")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    create("before@pmc.example");

    // A backup while nothing is stopped: one checked file.
    let file = backups.join("monday.db");
    let (code, out, err) = clinicpress_in(&data, &["backup", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("backed up the database to") && out.contains("integrity checked"), "{out}");
    assert!(out.contains("media"), "the media folder is mentioned: {out}");
    assert!(file.is_file());
    // Never over an existing file.
    let (code, _, err) = clinicpress_in(&data, &["backup", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");

    // Later changes are undone by a restore; the search index is rebuilt at the next start.
    create("after@pmc.example");
    std::fs::create_dir_all(data.join("search").join("old")).unwrap();
    let (code, out, err) = clinicpress_in(&data, &["restore", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("restored"), "{out}");
    assert!(!data.join("search").exists(), "the index goes with the old database");
    let (code, out, _) = clinicpress_in(&data, &["users", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains("before@pmc.example") && !out.contains("after@pmc.example"), "{out}");

    // Not a backup: refused, the database untouched.
    let junk = dir.path().join("notes.db");
    std::fs::write(&junk, "these are not the tables you are looking for").unwrap();
    let (code, _, err) = clinicpress_in(&data, &["restore", junk.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("is not a usable Clinicpress backup"), "{err}");
    let (code, _, err) = clinicpress_in(&data, &["restore", dir.path().join("nope.db").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("does not exist"), "{err}");
    let (_, out, _) = clinicpress_in(&data, &["users", "list"]);
    assert!(out.contains("before@pmc.example"), "{out}");

    // PostgreSQL: the command to run, the password masked, nothing connected.
    let out = Command::new(env!("CARGO_BIN_EXE_clinicpress"))
        .args(["--database-url", "postgres://cp:s3cret@db.invalid:5432/cp", "backup", "/tmp/cp.dump"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("pg_dump --format=custom") && text.contains("cp:***@db.invalid") && !text.contains("s3cret"),
        "{text}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_clinicpress"))
        .args(["--database-url", "postgres://cp:s3cret@db.invalid:5432/cp", "restore", "/tmp/cp.dump"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("pg_restore") && !text.contains("s3cret"), "{text}");
}

/// `clinicpress` with a clean environment for its settings, plus `env`.
fn clinicpress_env(dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clinicpress"));
    cmd.current_dir(dir).args(args);
    for var in ["DATABASE_URL", "SMTP_URL", "CLINICPRESS_CONFIG", "CLINICPRESS_ADDR", "CLINICPRESS_DATA"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run clinicpress");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Settings from a TOML file, overridden by the environment, printed by
/// `config check` with their sources and secrets masked; every bad value is
/// named, with where it came from, and `serve` refuses to start with one.
#[test]
fn configuration_file_environment_and_config_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("clinicpress.toml"),
        "# Clinicpress settings\n\
         addr = \"127.0.0.1:4100\"\n\
         smtp_url = \"smtps://mailer:hunter2-secret@mail.example.com:465\"\n\
         sitemap-limit = 1000\n\
         secure_cookies = true\n\
         database_url = \"postgres://cp:db-pass-77@db.internal/cp\"\n",
    )
    .unwrap();
    let env = [("CLINICPRESS_ADDR", "127.0.0.1:4200")];
    let (code, out, err) = clinicpress_env(d, &env, &["--config", "clinicpress.toml", "config", "check"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for line in [
        "addr = \"127.0.0.1:4200\"  # environment CLINICPRESS_ADDR",
        "sitemap_limit = \"1000\"  # file clinicpress.toml",
        "secure_cookies = \"true\"  # file clinicpress.toml",
        "smtp_url = \"smtps://mailer:***@mail.example.com:465\"  # file clinicpress.toml",
        "database_url = \"postgres://cp:***@db.internal/cp\"  # file clinicpress.toml",
        "data_dir = \"./data\"  # default",
        "# every value is valid",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    assert!(!out.contains("hunter2") && !out.contains("db-pass-77"), "{out}");
    // The file can also be named by the environment.
    let (code, out, _) = clinicpress_env(d, &[("CLINICPRESS_CONFIG", "clinicpress.toml")], &["config", "check"]);
    assert_eq!(code, 0);
    assert!(out.contains("addr = \"127.0.0.1:4100\"  # file clinicpress.toml"), "{out}");

    // Every problem at once, each with its source; a password in a bad value is masked.
    std::fs::write(
        d.join("bad.toml"),
        "sitemap_limit = 0\ncolour = \"blue\"\nsmtp_url = \"carrier-pigeon://bird:seed-secret@loft\"\n",
    )
    .unwrap();
    let env = [("CLINICPRESS_SHUTDOWN_TIMEOUT", "forever")];
    let (code, out, err) = clinicpress_env(d, &env, &["--config", "bad.toml", "config", "check"]);
    assert_eq!(code, 2, "{out}\n{err}");
    for part in [
        "bad.toml: unknown setting `colour`",
        "bad.toml: `sitemap_limit`: invalid value '0'",
        "bad.toml: `smtp_url`: invalid value",
        "environment variable CLINICPRESS_SHUTDOWN_TIMEOUT: invalid value 'forever'",
    ] {
        assert!(err.contains(part), "missing {part:?} in:\n{err}");
    }
    assert!(!err.contains("seed-secret"), "{err}");
    assert!(out.is_empty(), "{out}");
    // serve refuses to start with the same message.
    let (code, _, err) = clinicpress_env(d, &[("CLINICPRESS_SITEMAP_LIMIT", "0")], &["serve"]);
    assert_eq!(code, 2);
    assert!(err.contains("environment variable CLINICPRESS_SITEMAP_LIMIT: invalid value '0'"), "{err}");
    // Passwords never echoed: not in clap's message for a bad command-line
    // value, not in --help (environment values and file defaults).
    let (code, _, err) = clinicpress_env(d, &[], &["--database-url", "postgress://cp:typo-secret@db/cp", "migrate"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("postgress://cp:***@db/cp") && !err.contains("typo-secret"), "{err}");
    let env = [("DATABASE_URL", "postgres://cp:env-secret@db/cp"), ("CLINICPRESS_METRICS_TOKEN", "token-secret")];
    let (code, out, _) = clinicpress_env(d, &env, &["--config", "clinicpress.toml", "serve", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--smtp-url") && out.contains("--metrics-token"), "{out}");
    for secret in ["env-secret", "token-secret", "hunter2-secret", "db-pass-77"] {
        assert!(!out.contains(secret), "{secret} in --help:\n{out}");
    }
    // A missing file is named.
    let (code, _, err) = clinicpress_env(d, &[], &["--config", "nowhere.toml", "migrate"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read the configuration file nowhere.toml"), "{err}");
}
