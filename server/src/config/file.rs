//! Settings from an optional TOML file (`--config FILE` or
//! `CLINICPRESS_CONFIG`), and the check of every setting's value.
//!
//! A *setting* is any command-line option that also has an environment
//! variable (`--smtp-url` / `SMTP_URL`). The file names it by its long
//! option, with `_` or `-` (`smtp_url = "smtp://127.0.0.1:2525"`,
//! `addr = "0.0.0.0:3000"`, `secure_cookies = true`). A value counts in this
//! order: the command line, then the environment, then the file, then the
//! built-in default. File values become the options' defaults, so clap
//! parses and checks them with the option's own rules; before that,
//! [`problems`] checks every value from the file and the environment and
//! names where each bad one came from, all at once.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use clap::Command;
use clap::parser::ValueSource;

/// The environment variable naming the configuration file.
pub const ENV: &str = "CLINICPRESS_CONFIG";
/// The option naming the configuration file.
const OPTION: &str = "config";

/// One setting: an option with an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// Its name in the file: the long option with `_` (`smtp_url`).
    pub key: String,
    /// The clap id of the option.
    pub id: String,
    /// Its environment variable.
    pub env: String,
    /// The subcommand it belongs to; `None` for the global options.
    pub command: Option<String>,
}

fn key_of(name: &str) -> String {
    name.trim().replace('-', "_")
}

/// The settings of `cmd`: its own options with an environment variable and
/// those of its subcommands (the file is read for every subcommand; a key
/// belongs to the one subcommand that has it, such as `serve`).
pub fn settings(cmd: &Command) -> Vec<Setting> {
    fn of(cmd: &Command, command: Option<&str>, out: &mut Vec<Setting>) {
        for arg in cmd.get_arguments() {
            let (Some(env), Some(long)) = (arg.get_env(), arg.get_long()) else { continue };
            if long == OPTION || (command.is_some() && arg.is_global_set()) {
                continue;
            }
            let key = key_of(long);
            if out.iter().any(|s| s.key == key) {
                continue;
            }
            out.push(Setting {
                key,
                id: arg.get_id().to_string(),
                env: env.to_string_lossy().into_owned(),
                command: command.map(str::to_owned),
            });
        }
    }
    let mut out = Vec::new();
    of(cmd, None, &mut out);
    for sub in cmd.get_subcommands() {
        of(sub, Some(sub.get_name()), &mut out);
    }
    out
}

/// The configuration file, if one is named: `--config FILE` or
/// `--config=FILE` among the arguments, else `$CLINICPRESS_CONFIG`.
pub fn path_from(args: &[OsString], env: Option<OsString>) -> Option<PathBuf> {
    let flag = format!("--{OPTION}");
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let Some(s) = a.to_str() else { continue };
        if s == "--" {
            break;
        }
        if s == flag {
            return it.next().map(PathBuf::from);
        }
        if let Some(v) = s.strip_prefix(&format!("{flag}=")) {
            return Some(PathBuf::from(v));
        }
    }
    env.filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// A configuration file, read: its path and each setting's value as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileValues {
    pub path: Option<PathBuf>,
    /// Key (as in [`Setting::key`]) → value as the option would take it on the command line.
    pub values: BTreeMap<String, String>,
}

/// Read the file's TOML: known keys only; strings, integers, floats and
/// booleans only. The good values, and one message per problem, each
/// naming the file and key.
pub fn parse(path: &Path, text: &str, known: &[Setting]) -> (FileValues, Vec<String>) {
    let shown = path.display();
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let e: toml::de::Error = e;
            return (
                FileValues { path: Some(path.to_path_buf()), values: BTreeMap::new() },
                vec![format!("{shown}: {}", e.message())],
            );
        }
    };
    let mut values = BTreeMap::new();
    let mut errors = Vec::new();
    for (raw_key, value) in table {
        let key = key_of(&raw_key);
        if !known.iter().any(|s| s.key == key) {
            let names: Vec<&str> = known.iter().map(|s| s.key.as_str()).collect();
            errors.push(format!("{shown}: unknown setting `{raw_key}` (known settings: {})", names.join(", ")));
            continue;
        }
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                errors.push(format!(
                    "{shown}: `{raw_key}` must be a string, number or true/false, not {}",
                    other.type_str()
                ));
                continue;
            }
        };
        if values.insert(key.clone(), text).is_some() {
            errors.push(format!("{shown}: `{key}` is set twice"));
        }
    }
    (FileValues { path: Some(path.to_path_buf()), values }, errors)
}

/// Read the configuration file named by the arguments or the environment
/// (none: no values), and check every value from it and from the
/// environment: the values, or every problem found.
pub fn load(args: &[OsString], cmd: &Command) -> Result<FileValues, Vec<String>> {
    let (file, mut errors) = match path_from(args, std::env::var_os(ENV)) {
        None => (FileValues::default(), Vec::new()),
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| vec![format!("cannot read the configuration file {}: {e}", path.display())])?;
            parse(&path, &text, &settings(cmd))
        }
    };
    errors.extend(problems(cmd, &file, |var| std::env::var_os(var)));
    if errors.is_empty() { Ok(file) } else { Err(errors) }
}

/// The command with the file's values as its options' defaults.
pub fn apply(mut cmd: Command, file: &FileValues) -> Command {
    for setting in settings(&cmd) {
        let Some(value) = file.values.get(&setting.key) else { continue };
        let value = value.clone();
        let id = setting.id.clone();
        // `--help` would show the value as the default: not a secret.
        let hide = shown(&setting.key, &value) != value;
        cmd = match &setting.command {
            None => cmd.mut_arg(id, |a| a.default_value(value).hide_default_value(hide)),
            Some(sub) => {
                cmd.mut_subcommand(sub, |s| s.mut_arg(id, |a| a.default_value(value).hide_default_value(hide)))
            }
        };
    }
    cmd
}

/// Check each value from the file and from the environment with the
/// option's own rules; one message per bad value, naming where it came from.
pub fn problems(cmd: &Command, file: &FileValues, env: impl Fn(&str) -> Option<OsString>) -> Vec<String> {
    let mut out = Vec::new();
    for setting in settings(cmd) {
        let owner = match &setting.command {
            None => Some(cmd),
            Some(sub) => cmd.find_subcommand(sub),
        };
        let Some(owner) = owner else { continue };
        let Some(arg) = owner.get_arguments().find(|a| a.get_id().as_str() == setting.id) else { continue };
        let mut check = |value: &OsStr, source: String| {
            if let Err(e) = check_value(arg, value) {
                // clap repeats the value: mask a password in it.
                let raw = value.to_string_lossy();
                let message = clap_message(&e).replace(raw.as_ref(), &shown(&setting.key, &raw));
                out.push(format!("{source}: {message}"));
            }
        };
        if let Some(value) = env(&setting.env) {
            check(&value, format!("environment variable {}", setting.env));
        }
        if let Some(value) = file.values.get(&setting.key) {
            let path = file.path.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
            check(OsStr::new(value), format!("{path}: `{}`", setting.key));
        }
    }
    out
}

/// Parse `value` as `arg` would take it: a command with only that option
/// (no environment, no default), given `--long=value`.
fn check_value(arg: &clap::Arg, value: &OsStr) -> Result<(), clap::Error> {
    let long = arg.get_long().unwrap_or("value");
    let probe = arg
        .clone()
        .env(None)
        .global(false)
        .required(false)
        .default_value(None)
        .action(clap::ArgAction::Set)
        .num_args(1);
    let mut given = OsString::from(format!("--{long}="));
    given.push(value);
    Command::new("clinicpress").arg(probe).try_get_matches_from([OsString::from("clinicpress"), given]).map(|_| ())
}

/// The one line of a clap error that says what is wrong.
fn clap_message(e: &clap::Error) -> String {
    // "error: invalid value …\n  [possible values: …]\n\nFor more information, try '--help'."
    let text = e.to_string();
    let said: Vec<&str> = text.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
    let said = said.join(" ");
    said.strip_prefix("error: ").unwrap_or(&said).to_string()
}

/// Settings whose values are masked when printed.
fn is_secret(key: &str) -> bool {
    ["token", "secret", "password", "key"].iter().any(|w| key.ends_with(w))
}

/// A setting's value as printed by `config check`: URL passwords and
/// secrets masked.
pub fn shown(key: &str, value: &str) -> String {
    if is_secret(key) && !value.is_empty() {
        return "***".to_string();
    }
    if value.contains("://") { mask_urls(value) } else { value.to_string() }
}

/// `text` with the password of every URL in it masked (`scheme://user:***@host`).
pub fn mask_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        // The URL's authority ends at the first '/', space or quote; its
        // userinfo at the last '@' in it (a password may hold an '@').
        let end = after.find(|c: char| c == '/' || c.is_whitespace() || c == '\'' || c == '"').unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rsplit_once('@').and_then(|(userinfo, host)| userinfo.split_once(':').map(|(u, _)| (u, host))) {
            Some((user, host)) => out.push_str(&format!("{user}:***@{host}")),
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    // A password may also ride in a query (`?password=…`, `&sslpassword=…`).
    let mut masked = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find("password=") {
        let (before, after) = rest.split_at(at + "password=".len());
        masked.push_str(before);
        let end = after.find(|c: char| c == '&' || c.is_whitespace() || c == '\'' || c == '"').unwrap_or(after.len());
        masked.push_str(if end > 0 { "***" } else { "" });
        rest = &after[end..];
    }
    masked.push_str(rest);
    masked
}

/// Where a setting's value came from, in words.
pub fn source_words(source: Option<ValueSource>, setting: &Setting, file: &FileValues) -> String {
    match source {
        Some(ValueSource::CommandLine) => "command line".to_string(),
        Some(ValueSource::EnvVariable) => format!("environment {}", setting.env),
        Some(ValueSource::DefaultValue) if file.values.contains_key(&setting.key) => {
            format!("file {}", file.path.as_deref().map(|p| p.display().to_string()).unwrap_or_default())
        }
        Some(ValueSource::DefaultValue) => "default".to_string(),
        _ => "not set".to_string(),
    }
}

/// The effective settings of `matches` (the global ones and those of
/// `command`), one `key = "value"  # source` line each, secrets masked:
/// TOML a configuration file can start from.
pub fn describe(
    cmd: &Command,
    root: &clap::ArgMatches,
    command: &str,
    sub: &clap::ArgMatches,
    file: &FileValues,
) -> String {
    let mut out = String::new();
    for setting in settings(cmd) {
        let matches = match setting.command.as_deref() {
            None => root,
            Some(c) if c == command => sub,
            Some(_) => continue,
        };
        let raw: Option<Vec<String>> =
            matches.get_raw(&setting.id).map(|vals| vals.map(|v| v.to_string_lossy().into_owned()).collect());
        let source = source_words(matches.value_source(&setting.id), &setting, file);
        match raw {
            Some(vals) => {
                let value = shown(&setting.key, &vals.join(","));
                // A JSON string is a valid TOML basic string.
                let literal = serde_json::to_string(&value).expect("a string serialises");
                out.push_str(&format!("{} = {literal}  # {source}\n", setting.key));
            }
            None => out.push_str(&format!("# {} is not set ({})\n", setting.key, setting.env)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction};

    fn cmd() -> Command {
        Command::new("cp")
            .arg(Arg::new("config").long("config").env("CP_TEST_CONFIG").global(true))
            .arg(Arg::new("data_dir").long("data-dir").env("CP_TEST_DATA").global(true).default_value("./data"))
            .subcommand(
                Command::new("serve")
                    .arg(
                        Arg::new("limit")
                            .long("limit")
                            .env("CP_TEST_LIMIT")
                            .default_value("5")
                            .value_parser(clap::value_parser!(u32).range(1..=10)),
                    )
                    .arg(Arg::new("secure").long("secure").env("CP_TEST_SECURE").action(ArgAction::SetTrue))
                    .arg(Arg::new("smtp_url").long("smtp-url").env("CP_TEST_SMTP"))
                    .arg(Arg::new("demo").long("demo").action(ArgAction::SetTrue)),
            )
            .subcommand(Command::new("migrate"))
    }

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn settings_are_the_options_with_an_environment_variable() {
        let keys: Vec<String> = settings(&cmd()).into_iter().map(|s| s.key).collect();
        assert_eq!(keys, ["data_dir", "limit", "secure", "smtp_url"]);
    }

    #[test]
    fn the_file_is_named_by_the_option_or_the_environment() {
        assert_eq!(path_from(&args(&["cp", "--config", "a.toml", "serve"]), None), Some("a.toml".into()));
        assert_eq!(path_from(&args(&["cp", "serve", "--config=b.toml"]), Some("c".into())), Some("b.toml".into()));
        assert_eq!(path_from(&args(&["cp", "serve"]), Some("c.toml".into())), Some("c.toml".into()));
        assert_eq!(path_from(&args(&["cp", "serve"]), Some("".into())), None);
        assert_eq!(path_from(&args(&["cp", "--", "--config", "x"]), None), None);
    }

    #[test]
    fn file_values_become_defaults_below_environment_and_command_line() {
        let known = settings(&cmd());
        let (file, errors) = parse(Path::new("cp.toml"), "limit = 7\nsecure = true\ndata-dir = \"/srv/cp\"\n", &known);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(file.values["data_dir"], "/srv/cp");
        let m = apply(cmd(), &file).try_get_matches_from(["cp", "serve"]).unwrap();
        let serve = m.subcommand_matches("serve").unwrap();
        assert_eq!(serve.get_one::<u32>("limit"), Some(&7));
        assert!(serve.get_flag("secure"));
        assert_eq!(m.get_one::<String>("data_dir").map(String::as_str), Some("/srv/cp"));
        let text = describe(&cmd(), &m, "serve", serve, &file);
        assert!(text.contains("limit = \"7\"  # file cp.toml"), "{text}");
        assert!(text.contains("# smtp_url is not set (CP_TEST_SMTP)"), "{text}");
        // The command line wins over the file.
        let m = apply(cmd(), &file).try_get_matches_from(["cp", "serve", "--limit", "2"]).unwrap();
        assert_eq!(m.subcommand_matches("serve").unwrap().get_one::<u32>("limit"), Some(&2));
    }

    #[test]
    fn bad_files_are_refused_with_every_problem_named() {
        let known = settings(&cmd());
        let (file, errors) = parse(Path::new("cp.toml"), "limt = 3\ndemo = true\nsmtp_url = [1]\nlimit = 4\n", &known);
        assert_eq!(file.values.len(), 1, "the good value is kept: {file:?}");
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("unknown setting `demo`"), "{errors:?}");
        assert!(errors[1].contains("unknown setting `limt`") && errors[1].contains("limit"), "{errors:?}");
        assert!(errors[2].contains("`smtp_url` must be a string"), "{errors:?}");
        let (_, errors) = parse(Path::new("cp.toml"), "limit = ", &known);
        assert!(errors[0].starts_with("cp.toml: "), "{errors:?}");
    }

    #[test]
    fn bad_values_name_their_source() {
        let known = settings(&cmd());
        let (file, _) = parse(Path::new("cp.toml"), "limit = 0\n", &known);
        let env = |var: &str| (var == "CP_TEST_LIMIT").then(|| OsString::from("many"));
        let p = problems(&cmd(), &file, env);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("environment variable CP_TEST_LIMIT: invalid value 'many'"), "{p:?}");
        assert!(!p[0].contains("--help"), "{p:?}");
        assert!(p[1].starts_with("cp.toml: `limit`: invalid value '0'"), "{p:?}");
        assert!(problems(&cmd(), &FileValues::default(), |_| None).is_empty());
    }

    #[test]
    fn secrets_are_masked() {
        let file =
            FileValues { path: Some("cp.toml".into()), values: [("metrics_token".into(), "s3cret".into())].into() };
        let cmd = Command::new("cp").arg(
            Arg::new("metrics_token")
                .long("metrics-token")
                .env("CP_TEST_TOKEN")
                .value_parser(|v: &str| if v.len() > 10 { Ok(v.to_string()) } else { Err("too short".to_string()) }),
        );
        let p = problems(&cmd, &file, |_| None);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("too short") && !p[0].contains("s3cret"), "{p:?}");
        assert_eq!(shown("metrics_token", "abc"), "***");
        assert_eq!(shown("smtp_url", "smtps://me:pw@mail.example:465"), "smtps://me:***@mail.example:465");
        assert_eq!(shown("addr", "127.0.0.1:3000"), "127.0.0.1:3000");
        assert_eq!(shown("database_url", "postgres://cp:p@ss@db/cp"), "postgres://cp:***@db/cp");
        assert_eq!(
            shown("database_url", "postgres://db/cp?user=cp&password=pw1"),
            "postgres://db/cp?user=cp&password=***"
        );
        assert_eq!(
            mask_urls("invalid value 'postgress://u:pw@h/db' for '--database-url': x; see smtp://m@host"),
            "invalid value 'postgress://u:***@h/db' for '--database-url': x; see smtp://m@host"
        );
    }
}
