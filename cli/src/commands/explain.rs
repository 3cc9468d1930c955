//! `marslog explain CODE`: the catalog entry (or entries) for a code, in full.

use std::io::{self, Write};

use marslog::classify::Entry;

use crate::args::ExplainArgs;

pub fn run(args: &ExplainArgs) -> io::Result<u8> {
    let classifier = match super::classifier(&args.catalogs) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let found = classifier.catalog().lookup(&args.code);
    if found.is_empty() {
        eprintln!(
            "marslog: no documented error for {:?} (try `marslog catalog`)",
            args.code
        );
        return Ok(2);
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    for (k, e) in found.iter().enumerate() {
        if k > 0 {
            writeln!(out, "\n---\n")?;
        }
        write_entry(&mut out, e, args.lang.into())?;
    }
    out.flush()?;
    Ok(0)
}

fn write_entry(out: &mut impl Write, e: &Entry, lang: marslog::classify::Lang) -> io::Result<()> {
    let t = e.texts(lang);
    let fr = lang == marslog::classify::Lang::Fr;
    writeln!(out, "{}  [{}]", t.title, e.id)?;
    writeln!(out, "codes: {}", e.codes().join(", "))?;
    writeln!(
        out,
        "{}: {} · {}: {:?}",
        if fr { "catégorie" } else { "category" },
        e.category,
        if fr { "gravité" } else { "severity" },
        e.severity
    )?;
    if !t.message.is_empty() {
        writeln!(out, "\nMessage:\n  {}", t.message)?;
    }
    writeln!(
        out,
        "\n{}:",
        if fr {
            "Causes possibles"
        } else {
            "Possible causes"
        }
    )?;
    for c in &t.causes {
        writeln!(out, "  - {c}")?;
    }
    writeln!(
        out,
        "\n{}:",
        if fr {
            "Actions recommandées"
        } else {
            "Recommended actions"
        }
    )?;
    for a in &t.actions {
        writeln!(out, "  - {a}")?;
    }
    if fr && e.fr.causes.is_empty() && e.fr.actions.is_empty() {
        writeln!(
            out,
            "\n(pas de texte français dans la documentation source : causes et actions en anglais)"
        )?;
    }
    let mut src = e.source.doc.clone();
    if let Some(s) = &e.source.section {
        src.push_str(&format!(" §{s}"));
    }
    if !e.source.refs.is_empty() {
        src.push_str(&format!(" ({})", e.source.refs.join(", ")));
    }
    writeln!(out, "\nSource: {src}")?;
    if let Some(u) = &e.source.url {
        writeln!(out, "        {u}")?;
    }
    if !e.related.is_empty() {
        writeln!(
            out,
            "{}: {}",
            if fr { "Voir aussi" } else { "Related" },
            e.related.join(", ")
        )?;
    }
    Ok(())
}
