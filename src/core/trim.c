/*
 * trim — what the person wrote in a reply. See include/trim.h for the rules.
 *
 * Shape: split into lines → classify each line (tables of POSIX extended regexes, matched
 * case-insensitively on a whitespace-normalised copy of the line) → decide which lines to keep →
 * write them out. Every pattern lives in a table below: a new client's quirk is a new row.
 * Patterns are only tried on short lines (a quote header or a signature is never long), which
 * also keeps the cost of hostile input linear.
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "signature.h"
#include "trim.h"
#include "banned.h"

/* Inputs larger than this are hostile or a bug: only this much is read. */
#define TRIM_MAX_INPUT ((size_t)8 << 20)
/* A line longer than this is never a quote header, separator, signature or boilerplate. */
#define PATTERN_MAX_LINE 400
/* A wrapped quote header spans at most this many non-blank lines and blank lines. */
#define HEADER_MAX_LINES 5
#define HEADER_MAX_BLANKS 2
/* A mail header block (From:/Sent:/To:/Subject:) is looked for in this many lines. */
#define HEADER_BLOCK_WINDOW 10

enum line_kind {
	LK_TEXT,
	LK_BLANK,
	LK_QUOTE,       /* starts with '>' */
	LK_QHEADER,     /* "On … wrote:" and friends, possibly one of several wrapped lines */
	LK_SEPARATOR,   /* original/forwarded message marker, Outlook header block */
	LK_SIGDELIM,    /* "-- " */
	LK_DEVICE,      /* "Sent from my iPhone": a candidate until the standalone rule confirms it */
	LK_BOILERPLATE, /* warnings and tips that mail systems add */
};

struct line {
	const char *p;
	size_t len;           /* without "\n" and a trailing "\r" */
	enum line_kind kind;
	unsigned char code;   /* inside a closed ``` or ~~~ fence */
	unsigned char drop;   /* decided: not in the output */
};

/* ---- pattern tables -------------------------------------------------------------------- */

/*
 * Quote headers, matched on the (joined, normalised) line. A quote header must also carry
 * evidence of a date or an address (see header_evidence), so that "On Monday I wrote:" in the
 * person's own text stays.
 */
static const char *const quote_header_src[] = {
	/* On … wrote: / Op … schreef …: / Op … heeft … het volgende geschreven: / Le … a écrit :
	 * Am … schrieb …: / Den … skrev …: / El … escribió: / Il … ha scritto: / Em … escreveu: */
	("^-* ?(on|op|le|am|den|el|il|em|dne|w dniu) .*[0-9].* (wrote|schreef|geschreven|"
	    "a écrit|schrieb|skrev|escribió|escribio|ha scritto|scrisse|escreveu|napsal|"
	    "napisał|napisał\\(a\\))( .{0,200})? ?:$"),
	/* ---- On Tue, 22 Dec 2015 … wrote ---- (Zoho) */
	"^-{2,} ?(on|op|le|am) .*[0-9].* (wrote|schreef|a écrit|schrieb) ?-+$",
	/* Jan <jan@x> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr: (Google Inbox) */
	"^.{1,200} (schrieb am|schreef op|wrote on|a écrit le|escribió el) .*[0-9].*:$",
	/* 2016-10-24 15:36 GMT+02:00 Foo <foo@x>:  and  2013/7/20 sam <info@x> (old Gmail) */
	"^[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2} .*<[^<>]*@[^<>]*>:?$",
	/* 23 mar 2017 21:25 "Neil" <n@x> napisał(a):  20 окт. 2016 г. … написал: (Gmail, other
	 * languages) */
	("^[0-9]{1,2}[ .].*[0-9].* (napisał\\(a\\)|napisał|napisała|написал|написала|пише|"
	    "wrote|schreef|a écrit|schrieb|skrev|escribió) ?:$"),
	/* 在 2016年12月12日，下午8:45，Jan <j@x> 写道： */
	"^在.*写道(:|：)$",
};

/* Separators: everything from here on is an earlier message. */
static const char *const separator_src[] = {
	("^[-_=*]{2,} ?(original message|oorspronkelijk bericht|origineel bericht|"
	    "mensaje original|message d'origine|message original|ursprüngliche nachricht|"
	    "originalnachricht|messaggio originale|forwarded message|doorgestuurd bericht|"
	    "message transféré|weitergeleitete nachricht|mensaje reenviado|"
	    "messaggio inoltrato) ?[-_=*]*:?$"),
	("^(begin forwarded message|begin doorgestuurd bericht|doorgestuurd bericht|"
	    "début du message réexpédié|anfang der weitergeleiteten nachricht) ?:$"),
	/* Outlook's header block run together on one line (an HTML paragraph) */
	"^[*_]*(from|van|de|von)[*_]*: .* [*_]*(sent|verzonden|envoyé|gesendet|date|datum)[*_]*: ",
};

/* Signatures that clients add under the person's text, one line each. */
static const char *const device_src[] = {
	("^[(<[]*(sent|gesendet|envoyé|envoye|verzonden|verstuurd|enviado|inviato|sendt|skickat|"
	    "wysłane|отправлено) (from|via|with|using|by|on|van|vanaf|met|via|op|depuis|de|desde|"
	    "da|fra|från|z|von|mit|с) "),
	"^von meinem .* gesendet",
	"^diese nachricht wurde (von|mit) .* gesendet",
	"^(get|download|obtenir|télécharger|downloaden|haal) \\[?outlook (for|voor|pour|für) ",
	("^from my (iphone|ipad|ipod|android|mobile|phone|smartphone|samsung|galaxy|blackberry|"
	    "htc|nokia|cell)"),
	"^[^ ]+ from (mobile|my phone)$",
	"^從我的.*傳送$",
	("^(this|dit) (message|e-?mail|bericht) (was |is |werd )?(sent|verzonden|verstuurd) "
	    "(from|vanaf|via|met) (my|mijn) "),
};

/* Boilerplate that mail systems put into the body; dropped wherever it stands. */
static const char *const boilerplate_src[] = {
	("^(caution|warning|waarschuwing|let op|attention|opgelet)[:!]? (this|dit|deze) "
	    "(e-?mail|message|bericht|mail) .*(outside|buiten|extern)"),
	"^\\[?(external|extern|externe) (e-?mail|sender|afzender)\\]?[:!]?",
	"^you don.{1,3}t often get (e-?mail|messages?) from ",
	"^some people who received this message don.{1,3}t often get email from ",
	"^je ontvangt niet vaak (e-?mail|berichten) van ",
	"^sommige personen die dit bericht hebben ontvangen, ontvangen niet vaak e-?mail van ",
	("^(learn why this is important|ontdek waarom dit belangrijk is|"
	    "meer informatie over waarom dit belangrijk is)\\.?$"),
};

/* Labels of a mail header block: the first line's, and the ones that follow it. */
static const char *const header_from_labels[] = {
	"from", "van", "de", "da", "von", "od", "fra", "från", "от", "afzender",
};
static const char *const header_other_labels[] = {
	"sent", "date", "to", "cc", "bcc", "subject", "reply-to", "verzonden", "datum", "aan",
	"onderwerp", "beantwoorden", "envoyé", "envoye", "à", "À", "a", "objet", "gesendet", "an",
	"betreff", "enviado", "fecha", "para", "asunto", "data", "oggetto", "inviato", "risposta",
	"temat", "do", "wysłano", "dato", "til", "emne", "sendt", "skickat", "till", "ämne",
	"kopie", "verstuurd", "importance", "urgentie", "priorité",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct patterns {
	regex_t quote_header[NELEM(quote_header_src)];
	regex_t separator[NELEM(separator_src)];
	regex_t device[NELEM(device_src)];
	regex_t boilerplate[NELEM(boilerplate_src)];
	regex_t evidence;
	size_t compiled; /* how many regex_t were compiled, for freeing after a failure */
};

static int
compile_set(struct patterns *pt, regex_t *re, const char *const *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (regcomp(&re[i], src[i], REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
			return -1;
		pt->compiled++;
	}
	return 0;
}

static void
patterns_free(struct patterns *pt)
{
	/* compiled in the order of the struct's fields: free the first `compiled` of them */
	regex_t *all[] = { pt->quote_header, pt->separator, pt->device, pt->boilerplate,
	    &pt->evidence };
	size_t sizes[] = { NELEM(quote_header_src), NELEM(separator_src), NELEM(device_src),
	    NELEM(boilerplate_src), 1 };
	size_t left = pt->compiled;

	for (size_t s = 0; s < NELEM(all) && left > 0; s++)
		for (size_t i = 0; i < sizes[s] && left > 0; i++, left--)
			regfree(&all[s][i]);
	pt->compiled = 0;
}

static int
patterns_init(struct patterns *pt)
{
	pt->compiled = 0;
	if (compile_set(pt, pt->quote_header, quote_header_src, NELEM(quote_header_src)) < 0 ||
	    compile_set(pt, pt->separator, separator_src, NELEM(separator_src)) < 0 ||
	    compile_set(pt, pt->device, device_src, NELEM(device_src)) < 0 ||
	    compile_set(pt, pt->boilerplate, boilerplate_src, NELEM(boilerplate_src)) < 0)
		goto fail;
	/* a time (10:05, 20.42), a year, or an address */
	if (regcomp(&pt->evidence, "[0-9]{1,2}[:.][0-9]{2}|(19|20)[0-9]{2}|@",
	    REG_EXTENDED | REG_NOSUB) != 0)
		goto fail;
	pt->compiled++;
	return 0;
fail:
	patterns_free(pt);
	errno = ENOMEM;
	return -1;
}

/* The compiled patterns belong to a value the caller makes once (trim_rules_new) and passes to
 * every trim_reply(): no hidden shared state, no lock. */
struct trim_rules {
	struct patterns pt;
	struct signature_rules *sig; /* the closing block without "-- " (signature.h) */
};

struct trim_rules *
trim_rules_new(void)
{
	struct trim_rules *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	if (patterns_init(&r->pt) < 0) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	/* the tables are part of the build (their tests load them): only memory can fail here */
	if ((r->sig = signature_rules_new(NULL)) == NULL) {
		trim_rules_free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

void
trim_rules_free(struct trim_rules *r)
{
	if (r == NULL)
		return;
	patterns_free(&r->pt);
	signature_rules_free(r->sig);
	free(r);
}

const struct signature_rules *
trim_rules_signature(const struct trim_rules *r)
{
	return r != NULL ? r->sig : NULL;
}

static int
match_any(const regex_t *re, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (regexec(&re[i], s, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

/* ---- lines ----------------------------------------------------------------------------- */

static int
is_space_at(const char *p, size_t len, size_t i, size_t *width)
{
	unsigned char c = (unsigned char)p[i];

	if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\0') {
		*width = 1;
		return 1;
	}
	/* U+00A0 no-break space, a leftover of HTML */
	if (c == 0xc2 && i + 1 < len && (unsigned char)p[i + 1] == 0xa0) {
		*width = 2;
		return 1;
	}
	return 0;
}

/*
 * Put a normalised copy of p[0..len) into dst: leading and trailing white space removed, runs
 * of white space (also no-break spaces, NUL bytes) as one space. Appends to dst; returns -1 on
 * ENOMEM. Stops early (the copy then is over max bytes) when the text is longer than max.
 */
static int
normalise_add(struct buf *dst, const char *p, size_t len, size_t max)
{
	size_t i = 0, w;
	int pending = 0;

	while (i < len && dst->len <= max) {
		if (is_space_at(p, len, i, &w)) {
			pending = 1;
			i += w;
			continue;
		}
		if (pending && dst->len > 0 && dst->data[dst->len - 1] != ' ')
			if (buf_addch(dst, ' ') < 0)
				return -1;
		pending = 0;
		if (buf_addch(dst, p[i]) < 0)
			return -1;
		i++;
	}
	return 0;
}

static int
line_is_blank(const struct line *l)
{
	size_t w;

	for (size_t i = 0; i < l->len; i += w)
		if (!is_space_at(l->p, l->len, i, &w))
			return 0;
	return 1;
}

/* The line's normalised text in scratch; 0 when it is too long for any pattern, -1 ENOMEM. */
static int
line_norm(struct buf *scratch, const struct line *l)
{
	buf_reset(scratch);
	if (l->len > PATTERN_MAX_LINE * 2)
		return 0;
	if (normalise_add(scratch, l->p, l->len, PATTERN_MAX_LINE) < 0)
		return -1;
	return scratch->len <= PATTERN_MAX_LINE ? 1 : 0;
}

static size_t
split_lines(const char *text, size_t len, struct line *lines)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len)
			break; /* no empty last line after a final "\n" */
		lines[n].p = text + start;
		lines[n].len = i - start;
		if (lines[n].len > 0 && lines[n].p[lines[n].len - 1] == '\r')
			lines[n].len--;
		lines[n].kind = LK_TEXT;
		lines[n].code = 0;
		lines[n].drop = 0;
		n++;
		start = i + 1;
	}
	return n;
}

static int
starts_fence(const struct line *l)
{
	size_t i = 0;

	while (i < l->len && i < 4 && l->p[i] == ' ')
		i++;
	if (l->len - i < 3)
		return 0;
	return memcmp(l->p + i, "```", 3) == 0 || memcmp(l->p + i, "~~~", 3) == 0;
}

/* Lines between a fence and its closing fence are code: always the person's text. */
static void
mark_code(struct line *lines, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j;

		if (!starts_fence(&lines[i])) {
			i++;
			continue;
		}
		for (j = i + 1; j < n && !starts_fence(&lines[j]); j++)
			;
		if (j == n)
			return; /* an unclosed fence fences nothing */
		for (size_t k = i; k <= j; k++)
			lines[k].code = 1;
		i = j + 1;
	}
}

/* A line of only '_', '-' or '=' (at least 5): a separator when a header block follows. */
static int
is_rule_line(const struct line *l)
{
	size_t i, count = 0;
	char c = 0;

	for (i = 0; i < l->len; i++) {
		char ch = l->p[i];

		if (ch == ' ' || ch == '\t' || ch == '\r')
			continue;
		if (ch != '_' && ch != '-' && ch != '=')
			return 0;
		if (c != 0 && ch != c)
			return 0;
		c = ch;
		count++;
	}
	return count >= 5;
}

/*
 * The label of a "Label: value" line, lower-case ASCII; 0 when there is none. Markdown-ish
 * emphasis around the label ("**From:**") is skipped.
 */
static int
line_label(const struct line *l, char *label, size_t size)
{
	size_t i = 0, n = 0;

	while (i < l->len && (l->p[i] == '*' || l->p[i] == '_' || l->p[i] == ' '))
		i++;
	for (; i < l->len && l->p[i] != ':'; i++) {
		char c = l->p[i];

		if (n + 1 >= size || c == '\t')
			return 0;
		if (c == '*' || c == '_')
			continue;
		label[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	if (i >= l->len || n == 0)
		return 0;
	while (n > 0 && label[n - 1] == ' ')
		n--;
	label[n] = '\0';
	return n > 0;
}

static int
label_in(const char *label, const char *const *table, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(label, table[i]) == 0)
			return 1;
	return 0;
}

/* Does a mail header block (From: then at least two of Sent:/To:/Subject:…) start at i? */
static int
header_block_at(const struct line *lines, size_t n, size_t i)
{
	char label[32];
	size_t others = 0, blanks = 0;

	if (lines[i].code || !line_label(&lines[i], label, sizeof(label)) ||
	    !label_in(label, header_from_labels, NELEM(header_from_labels)))
		return 0;
	for (size_t j = i + 1; j < n && j <= i + HEADER_BLOCK_WINDOW; j++) {
		if (line_is_blank(&lines[j])) {
			if (++blanks > 1)
				break;
			continue;
		}
		blanks = 0;
		if (!line_label(&lines[j], label, sizeof(label)) ||
		    !label_in(label, header_other_labels, NELEM(header_other_labels)))
			break;
		others++;
	}
	return others >= 2;
}

static int
is_sig_delimiter(const struct line *l)
{
	size_t len = l->len;

	while (len > 0 && (l->p[len - 1] == ' ' || l->p[len - 1] == '\t'))
		len--;
	return len == 2 && l->p[0] == '-' && l->p[1] == '-';
}

static int
ends_like_header(const struct line *l)
{
	size_t len = l->len;

	while (len > 0 && (l->p[len - 1] == ' ' || l->p[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 0;
	if (l->p[len - 1] == ':' || l->p[len - 1] == '-' || l->p[len - 1] == '>')
		return 1;
	/* the full-width colon U+FF1A */
	return len >= 3 && memcmp(l->p + len - 3, "\xef\xbc\x9a", 3) == 0;
}

/* Is this line a quote header on its own? 1 yes, 0 no, -1 ENOMEM. */
static int
header_is_single(const struct patterns *pt, struct buf *scratch, const struct line *l)
{
	int r;

	if (!ends_like_header(l))
		return 0;
	r = line_norm(scratch, l);

	if (r <= 0)
		return r;
	return match_any(pt->quote_header, NELEM(quote_header_src), scratch->data) &&
	    regexec(&pt->evidence, scratch->data, 0, NULL, 0) == 0;
}

static int
ends_sentence(const struct line *l)
{
	size_t len = l->len;

	while (len > 0 && (l->p[len - 1] == ' ' || l->p[len - 1] == '\t'))
		len--;
	return len > 0 && (l->p[len - 1] == '.' || l->p[len - 1] == '!' || l->p[len - 1] == '?');
}

/* Do the non-blank lines a..end-1, joined, make a quote header? 1 yes, 0 no, -1 ENOMEM. */
static int
window_matches(const struct patterns *pt, struct buf *joined, const struct line *lines,
    size_t a, size_t end)
{
	buf_reset(joined);
	for (size_t k = a; k < end; k++) {
		if (lines[k].kind == LK_BLANK)
			continue;
		if (joined->len > 0 && buf_addch(joined, ' ') < 0)
			return -1;
		if (normalise_add(joined, lines[k].p, lines[k].len, PATTERN_MAX_LINE) < 0)
			return -1;
		if (joined->len > PATTERN_MAX_LINE)
			return 0;
	}
	return match_any(pt->quote_header, NELEM(quote_header_src), joined->data) &&
	    regexec(&pt->evidence, joined->data, 0, NULL, 0) == 0;
}

/*
 * A quote header starting at line i, possibly wrapped over the next lines (clients wrap
 * "On … <address>\n> wrote:" at 72 columns). Returns the number of lines it spans, 0 when none,
 * -1 on ENOMEM.
 */
static int
quote_header_at(const struct patterns *pt, struct buf *scratch, struct buf *joined,
    const struct line *lines, size_t n, size_t i)
{
	size_t nonblank = 0, blanks = 0;
	int r;

	if (lines[i].kind != LK_TEXT || lines[i].code || lines[i].len > PATTERN_MAX_LINE)
		return 0;
	buf_reset(joined);
	for (size_t j = i; j < n; j++) {
		const struct line *l = &lines[j];

		if (l->code)
			break;
		if (line_is_blank(l)) {
			/* a blank line after a finished sentence ends the paragraph */
			if (++blanks > HEADER_MAX_BLANKS || ends_sentence(&lines[j - 1]))
				break;
			continue;
		}
		if (++nonblank > HEADER_MAX_LINES || l->len > PATTERN_MAX_LINE)
			break;
		if (j > i) {
			if (l->kind != LK_TEXT && l->kind != LK_QUOTE)
				break;
			/* a line that is a header by itself is not the tail of this one */
			if ((r = header_is_single(pt, scratch, l)) != 0)
				return r < 0 ? -1 : 0;
			if (buf_addch(joined, ' ') < 0)
				return -1;
		}
		if (normalise_add(joined, l->p, l->len, PATTERN_MAX_LINE) < 0)
			return -1;
		if (joined->len > PATTERN_MAX_LINE)
			break;
		if (ends_like_header(l) &&
		    match_any(pt->quote_header, NELEM(quote_header_src), joined->data) &&
		    regexec(&pt->evidence, joined->data, 0, NULL, 0) == 0)
			return (int)(j - i + 1);
		if (l->kind == LK_QUOTE)
			break; /* a quoted line can only be the last one ("> wrote:") */
	}
	return 0;
}

static int
classify(const struct patterns *pt, struct line *lines, size_t n)
{
	struct buf scratch = BUF_INIT, joined = BUF_INIT;
	int r, ret = -1;

	mark_code(lines, n);
	for (size_t i = 0; i < n; i++) {
		struct line *l = &lines[i];

		if (line_is_blank(l)) {
			l->kind = LK_BLANK;
			continue;
		}
		if (l->code)
			continue;
		if (l->p[0] == '>') {
			l->kind = LK_QUOTE;
			continue;
		}
		if (is_sig_delimiter(l)) {
			l->kind = LK_SIGDELIM;
			continue;
		}
		if (header_block_at(lines, n, i)) {
			l->kind = LK_SEPARATOR;
			continue;
		}
		if (is_rule_line(l)) {
			size_t j = i + 1;

			while (j < n && j < i + 3 && line_is_blank(&lines[j]))
				j++;
			if (j < n && header_block_at(lines, n, j))
				l->kind = LK_SEPARATOR;
			continue;
		}
		if ((r = line_norm(&scratch, l)) < 0)
			goto out;
		if (r == 0)
			continue;
		if (match_any(pt->separator, NELEM(separator_src), scratch.data))
			l->kind = LK_SEPARATOR;
		else if (match_any(pt->device, NELEM(device_src), scratch.data))
			l->kind = LK_DEVICE;
		else if (match_any(pt->boilerplate, NELEM(boilerplate_src), scratch.data))
			l->kind = LK_BOILERPLATE;
	}
	for (size_t i = 0; i < n; i++) {
		size_t start = i, end;

		if ((r = quote_header_at(pt, &scratch, &joined, lines, n, i)) < 0)
			goto out;
		if (r == 0)
			continue;
		end = i + (size_t)r;
		/* the person's line just above a header may join it into a match too
		 * ("Danke\n\nJan <j@x> schrieb am …:"): the header is the shortest tail
		 * that still matches */
		for (size_t k = i + 1; k < end; k++) {
			int m;

			if (lines[k].kind == LK_BLANK)
				continue;
			if ((m = window_matches(pt, &joined, lines, k, end)) < 0)
				goto out;
			if (m)
				start = k;
		}
		for (size_t k = start; k < end; k++)
			if (lines[k].kind != LK_BLANK)
				lines[k].kind = LK_QHEADER;
		i = end - 1;
	}
	ret = 0;
out:
	buf_release(&scratch);
	buf_release(&joined);
	return ret;
}

/* ---- deciding -------------------------------------------------------------------------- */

static int
is_boundary(const struct line *l)
{
	return l->kind != LK_TEXT && l->kind != LK_DEVICE;
}

/* Where a comma followed by a lower-case word goes on ("Sent from my desk, is much easier"),
 * or 0: the part before it must name a device for the line to be a device line ("Sent from my
 * cell, please excuse typos" is one; "Sent from my Verizon, Samsung Galaxy …" has no clause). */
static size_t
clause_at(const struct line *l)
{
	for (size_t i = 0; i + 2 < l->len; i++)
		if (l->p[i] == ',' && l->p[i + 1] == ' ' && l->p[i + 2] >= 'a' && l->p[i + 2] <= 'z')
			return i;
	return 0;
}

/*
 * Device signatures stand apart: a run of them is one only when a blank line (or the start or
 * end, or a quote, header…) is directly above or below it. "… and we sent from my office\n"
 * inside a paragraph stays, and so does a line that goes on as a sentence.
 */
static void
confirm_devices(const struct trim_rules *r, struct line *lines, size_t n)
{
	size_t i = 0, c;

	for (size_t k = 0; k < n; k++)
		if (lines[k].kind == LK_DEVICE && (c = clause_at(&lines[k])) > 0 &&
		    !signature_is_device(r->sig, lines[k].p, c))
			lines[k].kind = LK_TEXT;
	while (i < n) {
		size_t j = i;

		if (lines[i].kind != LK_DEVICE) {
			i++;
			continue;
		}
		while (j < n && lines[j].kind == LK_DEVICE)
			j++;
		if ((i > 0 && !is_boundary(&lines[i - 1])) && (j < n && !is_boundary(&lines[j])))
			for (size_t k = i; k < j; k++)
				lines[k].kind = LK_TEXT;
		i = j;
	}
}

struct removal {
	size_t cut;             /* first line of the cut-off tail */
	size_t header;          /* first quote header line dropped, or n */
	size_t devices;         /* device signature lines dropped */
	size_t boilerplate;     /* boilerplate lines dropped */
	size_t first_device;    /* first device signature dropped, or n */
};

static void
decide(struct line *lines, size_t n, struct removal *rm)
{
	size_t cut = n, first_header = n, i;
	int text_before = 0;

	rm->header = n;
	rm->devices = rm->boilerplate = 0;
	rm->first_device = n;
	for (i = 0; i < n; i++)
		if (lines[i].kind == LK_SEPARATOR || lines[i].kind == LK_SIGDELIM) {
			cut = i;
			break;
		}
	for (i = 0; i < cut; i++) {
		if (lines[i].kind == LK_DEVICE || lines[i].kind == LK_BOILERPLATE) {
			lines[i].drop = 1;
			if (lines[i].kind == LK_DEVICE) {
				rm->devices++;
				if (rm->first_device == n)
					rm->first_device = i;
			} else {
				rm->boilerplate++;
			}
		}
	}
	for (i = 0; i < cut; i++) {
		if (lines[i].kind == LK_QHEADER) {
			first_header = i;
			break;
		}
		if (lines[i].kind == LK_TEXT)
			text_before = 1;
	}
	if (first_header < cut) {
		int inline_reply = 0;

		rm->header = first_header;
		if (text_before) {
			/* inline: right under the header a quote, and later the person's text
			 * between quotes, before any further header */
			size_t j = first_header;
			int seen_quote = 0;

			while (j < cut && (lines[j].kind == LK_QHEADER || lines[j].kind == LK_BLANK ||
			    lines[j].drop))
				j++;
			if (j < cut && lines[j].kind == LK_QUOTE) {
				for (; j < cut && !inline_reply; j++) {
					if (lines[j].drop)
						continue;
					if (lines[j].kind == LK_QUOTE)
						seen_quote = 1;
					else if (lines[j].kind == LK_QHEADER)
						break;
					else if (lines[j].kind == LK_TEXT && seen_quote)
						inline_reply = 1;
				}
			}
			if (!inline_reply)
				cut = first_header;
		}
		if (!text_before || inline_reply) {
			for (i = 0; i < cut; i++) {
				if (lines[i].drop)
					continue;
				if (lines[i].kind == LK_QHEADER)
					lines[i].drop = 1;
				else if (lines[i].kind == LK_QUOTE)
					lines[i].drop = 1;
			}
		}
	} else {
		/* no quote header: only a quote that ends the message goes */
		size_t last_text = cut;

		for (i = cut; i > 0; i--)
			if (!lines[i - 1].drop && lines[i - 1].kind == LK_TEXT) {
				last_text = i - 1;
				break;
			}
		if (last_text < cut)
			for (i = last_text + 1; i < cut; i++)
				if (!lines[i].drop && lines[i].kind == LK_QUOTE)
					lines[i].drop = 1;
	}
	for (i = cut; i < n; i++)
		lines[i].drop = 1;
	rm->cut = cut;
}

/* What drop_closing() removed, for the description. */
struct closing {
	size_t lines;     /* lines dropped (blank ones too) */
	size_t anchor;    /* the line that made it a signature, or n */
	const char *why;  /* "closing", "signature", …; NULL when nothing went */
};

/*
 * The closing block without a "-- " line (sign-off, name, contact details, legal footer) at the
 * end of the lines kept so far: signature.c decides, on those lines only.
 */
static int
drop_closing(const struct trim_rules *r, const struct trim_context *ctx, struct line *lines,
    size_t n, struct closing *c)
{
	struct signature_sender from = { NULL, NULL, NULL };
	struct signature_block sig;
	struct signature_line *kept;
	size_t *at, m = 0;
	int ret = -1;

	c->lines = 0;
	c->anchor = n;
	c->why = NULL;
	if (ctx != NULL) {
		from.name = ctx->from_name;
		from.name2 = ctx->member_name;
		from.addr = ctx->from_addr;
	}
	kept = calloc(n + 1, sizeof(*kept));
	at = calloc(n + 1, sizeof(*at));
	if (kept == NULL || at == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!lines[i].drop) {
			kept[m].p = lines[i].p;
			kept[m].len = lines[i].len;
			at[m++] = i;
		}
	if (signature_find(r->sig, &from, kept, m, &sig) < 0)
		goto out;
	if (sig.start < m) {
		for (size_t k = sig.start; k < m; k++)
			lines[at[k]].drop = 1;
		c->lines = m - sig.start;
		c->anchor = at[sig.anchor < m ? sig.anchor : sig.start];
		c->why = sig.why;
	}
	ret = 0;
out:
	free(kept);
	free(at);
	return ret;
}

/* The never-empty rule: keep everything but quote headers, device signatures, boilerplate. */
static void
decide_fallback(struct line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lines[i].drop = lines[i].kind == LK_QHEADER || lines[i].kind == LK_DEVICE ||
		    lines[i].kind == LK_BOILERPLATE;
}

static int
anything_kept(const struct line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!lines[i].drop && lines[i].kind != LK_BLANK)
			return 1;
	return 0;
}

/*
 * Write the kept lines. Blank lines at the start and end go, and so does a blank line that
 * would double another one only because the lines between them were dropped.
 */
static int
emit(const struct line *lines, size_t n, struct buf *out, size_t *emitted)
{
	size_t pending_blanks = 0;
	int started = 0, dropped_since = 0;

	for (size_t i = 0; i < n; i++) {
		const struct line *l = &lines[i];

		if (l->drop) {
			dropped_since = 1;
			continue;
		}
		if (l->kind == LK_BLANK) {
			if (started && !(dropped_since && pending_blanks > 0))
				pending_blanks++;
			continue;
		}
		for (; pending_blanks > 0; pending_blanks--, (*emitted)++)
			if (buf_addch(out, '\n') < 0)
				return -1;
		const char *p = l->p;
		size_t len = l->len, w;

		if (!started) /* no white space before the text */
			while (len > 0 && is_space_at(p, len, 0, &w)) {
				p += w;
				len -= w;
			}
		if (buf_add(out, p, len) < 0 || buf_addch(out, '\n') < 0)
			return -1;
		started = 1;
		dropped_since = 0;
		(*emitted)++;
	}
	return 0;
}

/* A line, shortened for the description. */
static int
describe_line(struct buf *b, const struct line *l)
{
	struct buf tmp = BUF_INIT;
	int ret = -1;

	if (normalise_add(&tmp, l->p, l->len > 200 ? 200 : l->len, 80) < 0)
		goto out;
	if (tmp.len > 60) {
		/* cut at a UTF-8 character boundary */
		size_t k = 57;

		while (k > 0 && ((unsigned char)tmp.data[k] & 0xc0) == 0x80)
			k--;
		buf_truncate(&tmp, k);
		if (buf_adds(&tmp, "…") < 0)
			goto out;
	}
	ret = buf_addf(b, "'%s'", tmp.data);
out:
	buf_release(&tmp);
	return ret;
}

static int
describe(struct buf *b, const struct line *lines, size_t n, const struct removal *rm,
    int fallback)
{
	const char *sep = "";
	size_t quoted = 0, other = 0;

	for (size_t i = 0; i < n; i++) {
		if (!lines[i].drop)
			continue;
		if (lines[i].kind == LK_QUOTE)
			quoted++;
		else if (i > rm->cut && lines[i].kind != LK_BLANK && lines[i].kind != LK_QHEADER)
			other++;
	}
	if (fallback) {
		if (buf_adds(b, "everything looked quoted: kept all but quote headers") < 0)
			return -1;
		sep = "; ";
	}
	if (rm->header < n && lines[rm->header].drop) {
		if (buf_addf(b, "%squote header ", sep) < 0 ||
		    describe_line(b, &lines[rm->header]) < 0)
			return -1;
		sep = "; ";
	}
	if (quoted > 0) {
		if (buf_addf(b, "%s%zu quoted line%s", sep, quoted, quoted == 1 ? "" : "s") < 0)
			return -1;
		sep = "; ";
	}
	if (!fallback && rm->cut < n && lines[rm->cut].kind != LK_QHEADER) {
		const struct line *c = &lines[rm->cut];

		if (buf_addf(b, "%s%s ", sep, c->kind == LK_SIGDELIM ? "signature" :
		    "earlier message from") < 0 || describe_line(b, c) < 0)
			return -1;
		if (other > 0 && buf_addf(b, " (%zu more line%s)", other, other == 1 ? "" : "s") < 0)
			return -1;
		sep = "; ";
	} else if (!fallback && other > 0) {
		if (buf_addf(b, "%s%zu line%s of the earlier message", sep, other,
		    other == 1 ? "" : "s") < 0)
			return -1;
		sep = "; ";
	}
	if (rm->devices > 0 && rm->first_device < n) {
		if (buf_addf(b, "%sdevice signature ", sep) < 0 ||
		    describe_line(b, &lines[rm->first_device]) < 0)
			return -1;
		if (rm->devices > 1 && buf_addf(b, " and %zu more", rm->devices - 1) < 0)
			return -1;
		sep = "; ";
	}
	if (rm->boilerplate > 0 &&
	    buf_addf(b, "%s%zu boilerplate line%s", sep, rm->boilerplate,
	    rm->boilerplate == 1 ? "" : "s") < 0)
		return -1;
	return 0;
}

int
trim_reply(const struct trim_rules *rules, const char *text, size_t len, struct buf *out,
    struct trim_info *info)
{
	return trim_reply_from(rules, NULL, text, len, out, info);
}

int
trim_reply_from(const struct trim_rules *rules, const struct trim_context *ctx,
    const char *text, size_t len, struct buf *out, struct trim_info *info)
{
	struct closing closing = { 0, 0, NULL };
	const struct patterns *pt = rules != NULL ? &rules->pt : NULL;
	struct line *lines = NULL;
	struct removal rm;
	size_t n, count = 1, kept = 0, out_len = out->len;
	int fallback = 0, ret = -1;

	if (info != NULL) {
		buf_reset(&info->removed);
		info->lines_in = info->lines_removed = 0;
		info->everything_quoted = 0;
	}
	if (text == NULL)
		len = 0;
	if (len > TRIM_MAX_INPUT)
		len = TRIM_MAX_INPUT;
	for (size_t i = 0; i < len; i++)
		count += text[i] == '\n';
	if (pt == NULL)
		return -1;
	lines = calloc(count, sizeof(*lines));
	if (lines == NULL)
		goto out;
	n = len ? split_lines(text, len, lines) : 0;
	if (classify(pt, lines, n) < 0)
		goto out;
	confirm_devices(rules, lines, n);
	decide(lines, n, &rm);
	if (anything_kept(lines, n) && drop_closing(rules, ctx, lines, n, &closing) < 0)
		goto out;
	if (!anything_kept(lines, n)) {
		decide_fallback(lines, n);
		fallback = anything_kept(lines, n);
	}
	if (emit(lines, n, out, &kept) < 0)
		goto out;
	if (info != NULL) {
		info->lines_in = n;
		info->lines_removed = n - kept;
		info->everything_quoted = fallback;
		if (describe(&info->removed, lines, n, &rm, fallback) < 0)
			goto out;
		if (closing.why != NULL && (buf_addf(&info->removed, "%s%s ",
		    info->removed.len > 0 ? "; " : "", closing.why) < 0 ||
		    describe_line(&info->removed, &lines[closing.anchor]) < 0 ||
		    buf_addf(&info->removed, " (%zu line%s)", closing.lines,
		    closing.lines == 1 ? "" : "s") < 0))
			goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		buf_truncate(out, out_len);
	free(lines);
	return ret;
}

void
trim_info_release(struct trim_info *info)
{
	if (info == NULL)
		return;
	buf_release(&info->removed);
	info->lines_in = info->lines_removed = 0;
	info->everything_quoted = 0;
}
