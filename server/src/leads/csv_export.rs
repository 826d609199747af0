//! CSV export of leads, safe to open in a spreadsheet.
//!
//! A visitor can type `=HYPERLINK("http://evil.example","Click")` as their
//! name; a spreadsheet would run it as a formula. Following OWASP's advice
//! on CSV injection, every cell whose first non-blank character is `=`, `+`,
//! `-`, `@`, a tab or a carriage return (or the full-width `＝ ＋ － ＠`
//! some spreadsheets also accept) gets a single quote in front, and every
//! cell is quoted (so a `;` cannot start a new cell in locales that use it
//! as the separator). That includes phone numbers like `+1 555 123 4567`:
//! they appear as `'+1 555 123 4567`, which is what OWASP recommends and
//! what people recognise; the alternative (guessing which `+` is harmless)
//! is how injections get through.
//!
//! The file starts with a UTF-8 byte order mark so Excel shows accented
//! names correctly. Times are UTC, and the column headers say so.

use std::borrow::Cow;
use std::io;

use chrono::{DateTime, Utc, Weekday};

use super::form::{FormKind, PatientKind, TimeOfDay};
use super::routing::RoutedBy;
use super::status::{ContactMethod, LeadStatus};

/// A cell as it is written: with a leading `'` when a spreadsheet could
/// read it as a formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let first = cell.trim_start_matches([' ', '\u{a0}']).chars().next();
    if first.is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV file being written row by row (for long exports), every cell
/// neutralised and quoted.
pub struct CsvOut<W: io::Write> {
    inner: csv::Writer<W>,
}

impl<W: io::Write> CsvOut<W> {
    /// Writes the byte order mark and the header row.
    pub fn new(mut out: W, header: &[&str]) -> Result<Self, csv::Error> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut this =
            CsvOut { inner: csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(out) };
        this.row(header)?;
        Ok(this)
    }

    pub fn row<I, S>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells.into_iter().map(|c| neutralise(c.as_ref()).into_owned()).collect();
        self.inner.write_record(&cells)
    }

    /// Flushes and gives the writer back.
    pub fn finish(self) -> Result<W, csv::Error> {
        self.inner.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// One lead as a row of the inbox export. Text is as stored; empty for
/// what the lead does not have.
#[derive(Debug, Clone, Copy)]
pub struct LeadRow<'a> {
    pub reference: &'a str,
    pub received_at: DateTime<Utc>,
    pub kind: FormKind,
    pub status: LeadStatus,
    /// The office's name; empty for the clinic's default inbox.
    pub office: &'a str,
    pub routed_by: RoutedBy,
    /// The assignee's name or e-mail; empty when nobody.
    pub assignee: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub contact_method: ContactMethod,
    pub zip: &'a str,
    pub patient: Option<PatientKind>,
    pub preferred_days: &'a [Weekday],
    pub preferred_times: &'a [TimeOfDay],
    pub message: &'a str,
    pub first_response_at: Option<DateTime<Utc>>,
}

/// The export's columns, in order.
pub const LEAD_COLUMNS: [&str; 17] = [
    "Reference",
    "Received (UTC)",
    "Form",
    "Status",
    "Office",
    "Routed by",
    "Assigned to",
    "Name",
    "E-mail",
    "Phone",
    "Contact by",
    "ZIP code",
    "Patient",
    "Preferred days",
    "Preferred times",
    "Message",
    "First response (UTC)",
];

impl LeadRow<'_> {
    /// The cells, in [`LEAD_COLUMNS`] order (not yet neutralised).
    pub fn cells(&self) -> [String; LEAD_COLUMNS.len()] {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let time = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
        let days: Vec<&str> = self.preferred_days.iter().map(|d| DAYS[d.num_days_from_monday() as usize]).collect();
        let times: Vec<&str> = self.preferred_times.iter().map(|t| t.label()).collect();
        [
            self.reference.to_string(),
            time(self.received_at),
            self.kind.label().to_string(),
            self.status.label().to_string(),
            if self.office.is_empty() { "Clinic default inbox".to_string() } else { self.office.to_string() },
            self.routed_by.label().to_string(),
            self.assignee.to_string(),
            self.name.to_string(),
            self.email.to_string(),
            self.phone.to_string(),
            self.contact_method.label().to_string(),
            self.zip.to_string(),
            self.patient.map(|p| p.label()).unwrap_or_default().to_string(),
            days.join(", "),
            times.join(", "),
            self.message.to_string(),
            self.first_response_at.map(time).unwrap_or_default(),
        ]
    }
}

/// Write the inbox export: header, then one row per lead.
pub fn write_leads<'a, W: io::Write>(out: W, rows: impl IntoIterator<Item = LeadRow<'a>>) -> Result<W, csv::Error> {
    let mut csv = CsvOut::new(out, &LEAD_COLUMNS)?;
    for row in rows {
        csv.row(row.cells())?;
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formula_starters_get_a_quote() {
        assert_eq!(neutralise(r#"=HYPERLINK("http://x")"#), r#"'=HYPERLINK("http://x")"#);
        assert_eq!(neutralise("+1 555 123 4567"), "'+1 555 123 4567");
        assert_eq!(neutralise("-2+3"), "'-2+3");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("\r=1"), "'\r=1");
        assert_eq!(neutralise("  =1+1"), "'  =1+1");
        assert_eq!(neutralise("＝1+1"), "'＝1+1");
        for safe in ["", "Ana", "(555) 123-4567", "a=b", "ana@example.com", "5 - 3", "'quoted"] {
            assert!(matches!(neutralise(safe), Cow::Borrowed(_)), "{safe}");
        }
    }

    fn row<'a>(name: &'a str, phone: &'a str, message: &'a str) -> LeadRow<'a> {
        LeadRow {
            reference: "PMC-4F7K2Q",
            received_at: Utc.with_ymd_and_hms(2025, 6, 16, 12, 5, 0).unwrap(),
            kind: FormKind::Appointment,
            status: LeadStatus::New,
            office: "Downtown",
            routed_by: RoutedBy::ZipCode,
            assignee: "",
            name,
            email: "ana@example.com",
            phone,
            contact_method: ContactMethod::Phone,
            zip: "97201",
            patient: Some(PatientKind::Returning),
            preferred_days: &[Weekday::Mon, Weekday::Fri],
            preferred_times: &[TimeOfDay::Morning],
            message,
            first_response_at: None,
        }
    }

    #[test]
    fn the_export_is_quoted_neutralised_and_parses_back() {
        let rows = [
            row(r#"=HYPERLINK("http://x","Click")"#, "+1 555 123 4567", "Line one\nline \"two\", with a comma"),
            row("<script>alert(1)</script>", "", "a;=cmd|' /C calc'!A0"),
        ];
        let bytes = write_leads(Vec::new(), rows).unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("\"Reference\",\"Received (UTC)\","));
        assert!(text.contains(r#""'=HYPERLINK(""http://x"",""Click"")""#));

        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), LEAD_COLUMNS);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        let first = &records[0];
        assert_eq!(&first[0], "PMC-4F7K2Q");
        assert_eq!(&first[1], "2025-06-16 12:05:00");
        assert_eq!(&first[2], "Appointment request");
        assert_eq!(&first[4], "Downtown");
        assert_eq!(&first[5], "the visitor\u{2019}s ZIP code");
        assert_eq!(&first[7], r#"'=HYPERLINK("http://x","Click")"#);
        assert_eq!(&first[9], "'+1 555 123 4567");
        assert_eq!(&first[12], "Returning patient");
        assert_eq!(&first[13], "Mon, Fri");
        assert_eq!(&first[14], "Morning");
        assert_eq!(&first[15], "Line one\nline \"two\", with a comma");
        assert_eq!(&first[16], "");
        let second = &records[1];
        assert_eq!(&second[7], "<script>alert(1)</script>");
        // Quoted, so a spreadsheet splitting on ";" still sees one cell.
        assert!(text.contains("\"a;=cmd|' /C calc'!A0\""));
    }

    #[test]
    fn an_empty_export_has_just_the_header() {
        let bytes = write_leads(Vec::new(), []).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.lines().count(), 1);
    }

    #[test]
    fn a_default_inbox_lead_and_a_first_response() {
        let mut r = row("Ana", "", "");
        r.office = "";
        r.routed_by = RoutedBy::ClinicDefault;
        r.patient = None;
        r.preferred_days = &[];
        r.first_response_at = Some(Utc.with_ymd_and_hms(2025, 6, 16, 13, 0, 0).unwrap());
        let cells = r.cells();
        assert_eq!(cells[4], "Clinic default inbox");
        assert_eq!(cells[12], "");
        assert_eq!(cells[13], "");
        assert_eq!(cells[16], "2025-06-16 13:00:00");
    }

    #[test]
    fn custom_exports_are_neutralised_too() {
        let mut out = CsvOut::new(Vec::new(), &["a", "b"]).unwrap();
        out.row(["@x", "ok"]).unwrap();
        out.row(vec![String::from("-1"), String::new()]).unwrap();
        let text = String::from_utf8(out.finish().unwrap()).unwrap();
        assert_eq!(text, "\u{feff}\"a\",\"b\"\n\"'@x\",\"ok\"\n\"'-1\",\"\"\n");
    }
}
