"""Parses every RSS feed and calendar of a built portal with feedparser and
icalendar, and prints a JSON summary for the Rust test to assert on.

Usage: check_feeds.py PUBLIC_DIR
Exit 3 when a parser is not installed, 1 when a file does not parse.
"""
import json
import pathlib
import sys

try:
    import feedparser
    import icalendar
except ImportError as e:  # the Rust test decides whether that is a failure
    print(f"missing python package: {e.name}", file=sys.stderr)
    sys.exit(3)

root = pathlib.Path(sys.argv[1])
summary = {"feeds": {}, "calendars": {}}
problems = []
# feedparser reads RSS (JSON Feed is checked by feed-rs in the Rust tests).
for path in sorted(root.rglob("feed.xml")):
    rel = path.relative_to(root).as_posix()
    parsed = feedparser.parse(path.read_bytes())
    if parsed.bozo:
        problems.append(f"{rel}: {parsed.bozo_exception!r}")
        continue
    summary["feeds"][rel] = {
        "version": parsed.version,
        "title": parsed.feed.get("title"),
        "ids": [e.get("id") for e in parsed.entries],
        "links": [e.get("link") for e in parsed.entries],
        "has_content": all(e.get("content") or e.get("summary") for e in parsed.entries),
    }
for path in sorted(root.rglob("*.ics")):
    rel = path.relative_to(root).as_posix()
    try:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
    except Exception as e:  # noqa: BLE001 - report every parser complaint
        problems.append(f"{rel}: {e!r}")
        continue
    events = []
    for ev in cal.walk("VEVENT"):
        events.append({
            "uid": str(ev.get("UID")),
            "status": str(ev.get("STATUS")),
            "sequence": int(ev.get("SEQUENCE", 0)),
            "start": ev.decoded("DTSTART").isoformat(),
            "end": ev.decoded("DTEND").isoformat(),
            "summary": str(ev.get("SUMMARY")),
        })
    summary["calendars"][rel] = {"name": str(cal.get("X-WR-CALNAME")), "events": events}
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print(json.dumps(summary))
