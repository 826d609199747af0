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
        assert!(out.contains("provisioned 2 clinic(s), 5 location(s), 4 author(s), 3 user(s)"), "{out}");

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
