//! `/sitemap.xml`, written with an XML writer.

use super::{Job, Renderer};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

pub fn write(renderer: &Renderer, jobs: &[Job]) -> Vec<u8> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let config = &renderer.site().config;
    // Writing to a Vec cannot fail.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut urlset = BytesStart::new("urlset");
    urlset.push_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"));
    let _ = w.write_event(Event::Start(urlset));
    for job in jobs {
        let Some(path) = renderer.job_path(job) else {
            continue;
        };
        let _ = w.write_event(Event::Start(BytesStart::new("url")));
        element(&mut w, "loc", &config.permalink(&path));
        if let Some(lastmod) = renderer.job_lastmod(job) {
            element(&mut w, "lastmod", &lastmod);
        }
        let _ = w.write_event(Event::End(BytesEnd::new("url")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("urlset")));
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}

fn element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) {
    let _ = w.write_event(Event::Start(BytesStart::new(name)));
    let _ = w.write_event(Event::Text(BytesText::new(text)));
    let _ = w.write_event(Event::End(BytesEnd::new(name)));
}
