#!/usr/bin/env node
// icalcheck — read iCalendar files with Mozilla's ical.js (the parser of Thunderbird) and print
// what a calendar program built on it would see, as JSON, so the Python tests can compare it
// with what python3-icalendar reads (tests/integration/t06*.py).
//
// usage: node icalcheck.mjs [--tz ZONE] FILE.ics|- ...
//   FILE is the calendar text: an .ics file, or a message's text/calendar part that the caller
//   has taken out of the message with a real MIME parser (Python's email package); "-" is stdin.
//   --tz ZONE also shows every start and end as a reader in ZONE (an IANA name) sees it.
//
// Output: one JSON array, one object per file:
//   { file, method, version, prodid, vtimezones: [TZID...], events: [ { uid, sequence, status,
//     summary, location, url, organizer, dtstart, dtend, attendees: [ { address, cn, partstat,
//     role, rsvp } ] } ] }
// where dtstart/dtend are { local: "YYYY-MM-DDTHH:MM:SS" (wall time as written), zone (the
// TZID, "UTC", or null when floating), resolved (true when the zone was found in the file's own
// VTIMEZONEs, so the instant comes from them alone), utc: "...Z", reader: (with --tz) wall time
// in ZONE }.
// Each file's zones are registered on their own: a zone is never borrowed from another file.
// Exit status: 0, or 1 when a file cannot be read or parsed (the error is printed on stderr).
import fs from "node:fs";
import ICAL from "ical.js";

function readerTime(utcDate, zone) {
	// Node's ICU zone data, not ical.js: only used to show the instant to a reader elsewhere.
	const f = new Intl.DateTimeFormat("en-CA", {
		timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
		hour: "2-digit", minute: "2-digit", second: "2-digit",
	});
	const p = Object.fromEntries(f.formatToParts(utcDate).map((x) => [x.type, x.value]));
	return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

function pad(n, w = 2) {
	return String(n).padStart(w, "0");
}

function timeOf(prop, readerZone) {
	if (prop === null)
		return null;
	const t = prop.getFirstValue();
	const tzid = prop.getParameter("tzid");
	const local = `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:` +
	    `${pad(t.minute)}:${pad(t.second)}`;
	let zone = null;
	let resolved = false;
	if (t.zone === ICAL.Timezone.utcTimezone) {
		zone = "UTC";
		resolved = true;
	} else if (tzid) {
		zone = tzid;
		resolved = t.zone !== undefined && t.zone !== null && t.zone.tzid === tzid &&
		    t.zone !== ICAL.Timezone.localTimezone;
	}
	const out = { local, zone, resolved, utc: null };
	if (resolved) {
		const u = t.convertToZone(ICAL.Timezone.utcTimezone);
		out.utc = `${pad(u.year, 4)}-${pad(u.month)}-${pad(u.day)}T${pad(u.hour)}:` +
		    `${pad(u.minute)}:${pad(u.second)}Z`;
		if (readerZone)
			out.reader = readerTime(new Date(out.utc), readerZone);
	}
	return out;
}

function mailto(v) {
	if (v === null || v === undefined)
		return null;
	return String(v).replace(/^mailto:/i, "").toLowerCase();
}

function eventOf(ve, readerZone) {
	const str = (name) => {
		const v = ve.getFirstPropertyValue(name);
		return v === null || v === undefined ? null : String(v);
	};
	const seq = ve.getFirstPropertyValue("sequence");
	return {
		uid: str("uid"),
		sequence: seq === null || seq === undefined ? null : Number(seq),
		status: str("status"),
		summary: str("summary"),
		location: str("location"),
		url: str("url"),
		organizer: mailto(ve.getFirstPropertyValue("organizer")),
		dtstart: timeOf(ve.getFirstProperty("dtstart"), readerZone),
		dtend: timeOf(ve.getFirstProperty("dtend"), readerZone),
		attendees: ve.getAllProperties("attendee").map((a) => ({
			address: mailto(a.getFirstValue()),
			cn: a.getParameter("cn") ?? null,
			partstat: a.getParameter("partstat") ?? null,
			role: a.getParameter("role") ?? null,
			rsvp: a.getParameter("rsvp") ?? null,
		})),
	};
}

function check(name, text, readerZone) {
	ICAL.TimezoneService.reset();
	const cal = new ICAL.Component(ICAL.parse(text));
	if (cal.name !== "vcalendar")
		throw new Error(`not a VCALENDAR but ${cal.name}`);
	const zones = cal.getAllSubcomponents("vtimezone");
	for (const z of zones)
		ICAL.TimezoneService.register(z);
	const val = (n) => {
		const v = cal.getFirstPropertyValue(n);
		return v === null || v === undefined ? null : String(v);
	};
	return {
		file: name,
		method: val("method"),
		version: val("version"),
		prodid: val("prodid"),
		vtimezones: zones.map((z) => String(z.getFirstPropertyValue("tzid"))),
		events: cal.getAllSubcomponents("vevent").map((e) => eventOf(e, readerZone)),
	};
}

const args = process.argv.slice(2);
let readerZone = null;
const files = [];
for (let i = 0; i < args.length; i++) {
	if (args[i] === "--tz" && i + 1 < args.length)
		readerZone = args[++i];
	else
		files.push(args[i]);
}
if (files.length === 0) {
	process.stderr.write("usage: node icalcheck.mjs [--tz ZONE] FILE.ics|- ...\n");
	process.exit(2);
}
const out = [];
let failed = false;
for (const f of files) {
	try {
		const text = fs.readFileSync(f === "-" ? 0 : f, "utf8");
		out.push(check(f, text, readerZone));
	} catch (e) {
		process.stderr.write(`icalcheck: ${f}: ${e.message}\n`);
		failed = true;
	}
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
process.exit(failed ? 1 : 0);
